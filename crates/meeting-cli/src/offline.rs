//! `meeting parse`, `meeting stats` and `meeting list`: the offline jobs of
//! `meeting_sync::offline` (files or the archive, read, merged, filtered), rendered with
//! `meeting-report`; and the input they share with `export` and `report`.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use meeting_core::aggregate::Aggregate;
use meeting_core::query::Filter;
use meeting_core::{DumpOptions, Meeting};
use meeting_sync::inputs::{Expanded, ResolveError, Resolved, default_jobs};
use meeting_sync::offline::{ReadOptions, Reading};

use crate::app::App;
use crate::cli::{Filters, JobsArg, ParseArgs, StatsArgs};
use crate::error::{CliError, Result};
use crate::notes::{self, BadReporter, bad_input_exit, partial_runs_exit};

/// The filter of the date flags, `--room` and `--host` (dates in the report zone).
pub(crate) fn filter(app: &App<'_>, f: &Filters) -> Result<Filter> {
    let span = app.span(&f.dates.args())?;
    Ok(meeting_sync::report::filter(app.tz, span, &f.room, &f.host))
}

/// The inputs of `parse`, a filter (stdin when none is given and stdin is not a
/// terminal): a missing or unreadable path is a usage error, found before any output;
/// skipped directory entries are named on stderr.
fn inputs(app: &App<'_>, args: &[PathBuf]) -> Result<Expanded> {
    let expanded =
        meeting_sync::inputs::resolve(args, io::stdin().is_terminal()).map_err(|e| match e {
            ResolveError::NoInput => CliError::usage(
                "no input: give files, directories or `-` for stdin (see `meeting parse --help`)",
            ),
            e => CliError::usage(e.to_string()),
        })?;
    notes::expanded(app, &expanded);
    Ok(expanded)
}

/// The input of `stats`, `list`, `report` and `export`: the files named, else the archive
/// (`--archive PATH`, `MEETING_ARCHIVE`, the default); stdin only as `-`.
pub(crate) fn source(app: &App<'_>, args: &[PathBuf], archive: Option<&Path>) -> Result<Resolved> {
    let resolved = meeting_sync::inputs::resolve_source(args, archive)?;
    if let Resolved::Files(expanded) = &resolved {
        notes::expanded(app, expanded);
    }
    Ok(resolved)
}

/// The saved runs among the inputs that did not complete, each with what is missing.
fn incomplete_runs(expanded: &Expanded) -> Result<Vec<String>> {
    expanded
        .incomplete_runs()
        .map_err(|e| CliError::data(e.to_string()))
}

pub(crate) fn read_options(
    app: &App<'_>,
    endpoint: Option<meeting_core::Source>,
    jobs: &JobsArg,
) -> ReadOptions {
    let options = DumpOptions::new().context(app.ctx);
    let options = match endpoint {
        Some(endpoint) => options.endpoint(endpoint),
        None => options,
    };
    ReadOptions::new(options, jobs.jobs.unwrap_or_else(default_jobs))
}

pub(crate) fn parse(app: &App<'_>, args: &ParseArgs) -> Result<()> {
    let expanded = inputs(app, &args.inputs)?;
    let gaps = incomplete_runs(&expanded)?;
    let merge = !args.no_merge && (args.merge || expanded.saw_dir);
    let read = read_options(app, args.endpoint, &args.jobs);
    let (options, jobs) = (&read.dump, read.jobs);
    let filter = filter(app, &args.filters)?;
    if !merge && args.rows.sort.is_none() {
        // Without merging or sorting, JSON Lines and CSV are written as the documents are
        // read, so memory stays bounded by one document however large the dump.
        let render = app.render_rows(&args.output, &args.rows)?;
        let masker = app.masker(&args.output)?;
        let mut counts = None;
        let mut bad = BadReporter::default();
        let stubs = std::sync::atomic::AtomicU64::new(0);
        // Plain JSON Lines (no filter, no masking): written straight from the vendor views.
        let direct =
            render.format == meeting_report::Format::Jsonl && masker.is_none() && filter.is_empty();
        app.write_output(args.output.out.as_deref(), "the output", |w| {
            if direct {
                let c = meeting_core::dump::write_jsonl_inputs(
                    w,
                    &expanded.inputs,
                    options,
                    jobs,
                    &mut |e| bad.report(e),
                )?;
                stubs.fetch_add(c.stubs, std::sync::atomic::Ordering::Relaxed);
                counts = Some((c.documents, c.read, c.bad, c.written));
                return Ok(());
            }
            counts = meeting_report::stream_inputs(
                w,
                &expanded.inputs,
                options,
                &render,
                &|m| {
                    if meeting_core::query::is_report_stub(m) {
                        stubs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        return false;
                    }
                    filter.matches(m)
                },
                masker.as_ref(),
                jobs,
                &mut |e| bad.report(e),
            )?
            .map(|c| (c.documents, c.read, c.bad, c.written));
            Ok(())
        })?;
        if let Some((documents, read_n, bad_n, written)) = counts {
            let (mut read, mut dropped) = (
                meeting_sync::offline::Counts::default(),
                meeting_sync::offline::Stubs::default(),
            );
            (read.documents, read.read, read.bad) = (documents, read_n, bad_n);
            dropped.dropped = stubs.into_inner();
            notes::counts(app, read);
            notes::stubs(app, &dropped);
            notes::written(app, written, "meetings", args.output.out.as_deref());
            return bad_input_exit(bad_n, written).and(partial_runs_exit(&gaps));
        }
    }
    let mut bad = BadReporter::default();
    let reading =
        meeting_sync::offline::read_files(&expanded, &read, merge, &filter, &mut |e| bad.report(e));
    notes::counts(app, reading.counts);
    notes::stubs(app, &reading.stubs);
    let written = reading.meetings.len() as u64;
    crate::output::emit(app, reading.meetings, &args.output, &args.rows, None)?;
    notes::written(app, written, "meetings", args.output.out.as_deref());
    bad_input_exit(reading.counts.bad, written).and(partial_runs_exit(&gaps))
}

/// Merged, filtered meetings from the archive or from files (the bad documents reported
/// and counted; the stubs, the counts and the skipped entries noted), through `filter`.
pub(crate) fn merged_input(
    app: &App<'_>,
    source: &Resolved,
    filter: &Filter,
    jobs: &JobsArg,
) -> Result<Reading> {
    let mut bad = BadReporter::default();
    let options = read_options(app, None, jobs);
    let reading =
        meeting_sync::offline::merged(source.source(), &options, filter, &mut |e| bad.report(e))?;
    reading_notes(app, source, &reading);
    Ok(reading)
}

/// The notes of a read for `report` and `export`: the counts (a detail: those commands end
/// with their own summary line) and the stubs.
pub(crate) fn reading_notes(app: &App<'_>, source: &Resolved, reading: &Reading) {
    if source.archive().is_none() {
        notes::counts_detail(app, reading.counts);
    }
    notes::stubs(app, &reading.stubs);
}

/// `meeting list`: merged meetings from the archive or files.
pub(crate) fn list(app: &App<'_>, args: &crate::cli::ListArgs) -> Result<()> {
    let filter = filter(app, &args.filters)?;
    let source = source(app, &args.inputs, args.archive.archive.as_deref())?;
    let mut bad = BadReporter::default();
    let options = read_options(app, None, &args.jobs);
    let reading =
        meeting_sync::offline::listed(source.source(), &options, &filter, &mut |e| bad.report(e))?;
    if source.archive().is_none() {
        notes::counts(app, reading.counts);
    }
    notes::stubs(app, &reading.stubs);
    let written = reading.meetings.len() as u64;
    crate::output::emit(app, reading.meetings, &args.output, &args.rows, None)?;
    notes::written(app, written, "meetings", args.output.out.as_deref());
    bad_input_exit(reading.counts.bad, written).and(partial_runs_exit(&reading.gaps))
}

pub(crate) fn stats(app: &App<'_>, args: &StatsArgs) -> Result<()> {
    let filter = filter(app, &args.filters)?;
    let source = source(app, &args.inputs, args.archive.archive.as_deref())?;
    let options = read_options(app, args.endpoint, &args.jobs);
    let mut bad = BadReporter::default();
    let allocation = stats_allocation(args)?;
    let by: meeting_core::aggregate::GroupBy = args.by.into();
    let grouping =
        meeting_sync::offline::Grouping::new(by, app.tz, allocation.as_ref().map(|a| a as _));
    // The summaries are not held: the allocation's warnings read the rooms and days of
    // every meeting a chunk at a time, masking one outline per distinct set of rooms.
    let mut warnings = allocation.as_ref().map(AllocationWarnings::new);
    let mut rooms = meeting_sync::stats::RoomOutlines::new(by);
    let s = meeting_sync::stats::aggregate(
        &source,
        &options,
        &filter,
        grouping,
        &mut |e| bad.report(e),
        &mut |summary| {
            if let Some(w) = &mut warnings {
                w.add(summary, app.tz);
            }
            rooms.add(summary);
        },
    )?;
    if source.archive().is_none() {
        notes::counts(app, s.counts);
    }
    notes::stubs(app, &s.stubs);
    let written = s.summaries;
    if let (Some(a), Some(w)) = (&allocation, warnings) {
        let (unallocated, unknown) = w.finish(app.tz);
        allocation_notes(app, a, &unallocated, &unknown);
    }
    // Totals first, masking after: masking never changes a figure.
    let mut agg = s.aggregate;
    if let Some(masker) = app.masker(&args.output)? {
        // Masking reads the meetings' rooms only: one outline per distinct set of rooms.
        masker.mask_aggregate(&mut agg, &rooms.into_outlines());
    }
    write_stats(app, args, &agg)?;
    bad_input_exit(s.counts.bad, written).and(partial_runs_exit(&s.gaps))
}

/// The warnings of an allocation over the meetings of `stats`, one summary at a time: the
/// rooms it does not cover and its lines that name a room with no meeting.
struct AllocationWarnings<'a> {
    allocation: &'a meeting_report::allocation::Allocation,
    chunk: Vec<Meeting>,
    unallocated: std::collections::BTreeSet<String>,
    unknown: Vec<&'a meeting_report::allocation::AllocationLine>,
}

impl<'a> AllocationWarnings<'a> {
    /// The size of the chunks of outlines read at once.
    const CHUNK: usize = 1024;

    fn new(allocation: &'a meeting_report::allocation::Allocation) -> Self {
        AllocationWarnings {
            allocation,
            chunk: Vec::with_capacity(Self::CHUNK),
            unallocated: std::collections::BTreeSet::new(),
            unknown: allocation.unknown_rooms(std::iter::empty()),
        }
    }

    fn add(&mut self, s: &meeting_core::MeetingSummary, tz: chrono_tz::Tz) {
        self.chunk.push(meeting_sync::offline::outline(s));
        if self.chunk.len() >= Self::CHUNK {
            self.flush(tz);
        }
    }

    fn flush(&mut self, tz: chrono_tz::Tz) {
        let a = self.allocation;
        self.unallocated
            .extend(a.unallocated_rooms(&self.chunk, tz));
        let lines: std::collections::BTreeSet<usize> = a
            .unknown_rooms(&self.chunk)
            .iter()
            .map(|l| l.line)
            .collect();
        self.unknown.retain(|l| lines.contains(&l.line));
        self.chunk.clear();
    }

    /// The rooms not covered (sorted) and the lines naming a room with no meeting.
    fn finish(
        mut self,
        tz: chrono_tz::Tz,
    ) -> (
        Vec<String>,
        Vec<&'a meeting_report::allocation::AllocationLine>,
    ) {
        if !self.chunk.is_empty() {
            self.flush(tz);
        }
        (self.unallocated.into_iter().collect(), self.unknown)
    }
}

/// The allocation of `stats`: `--allocation`, required by `--by department`.
fn stats_allocation(args: &StatsArgs) -> Result<Option<meeting_report::allocation::Allocation>> {
    match &args.allocation {
        Some(path) => Ok(Some(read_allocation(path)?)),
        None if args.by == crate::cli::GroupBy::Department => Err(CliError::usage(
            "--by department needs --allocation FILE (TOML or CSV: room -> department, cost centre; see fixtures/allocation/)",
        )),
        None => Ok(None),
    }
}

/// Writes the aggregate and says how many groups were written.
fn write_stats(app: &App<'_>, args: &StatsArgs, agg: &Aggregate) -> Result<()> {
    let render = app.render(&args.output, crate::cli::Rows::Meetings);
    app.write_output(args.output.out.as_deref(), "the output", |w| {
        meeting_report::write_aggregate(w, agg, &render)
    })?;
    notes::written(
        app,
        agg.groups.len() as u64,
        &format!("groups of {} meetings", agg.total.meetings),
        args.output.out.as_deref(),
    );
    Ok(())
}

/// Reads and parses `--allocation FILE`: a usage error naming the file (and line) when it
/// cannot be read or is not a valid allocation.
pub(crate) fn read_allocation(path: &Path) -> Result<meeting_report::allocation::Allocation> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!(
            "cannot read the allocation file {}: {e}",
            path.display()
        ))
    })?;
    meeting_report::allocation::Allocation::parse(&path.display().to_string(), &text)
        .map_err(|e| CliError::usage(format!("bad allocation file: {e}")))
}

/// Warns (stderr) about the rooms an allocation does not cover (`unallocated`) and the
/// lines that name a room with no meeting (`unknown`).
pub(crate) fn allocation_notes(
    app: &App<'_>,
    a: &meeting_report::allocation::Allocation,
    unallocated: &[String],
    unknown: &[&meeting_report::allocation::AllocationLine],
) {
    if !unallocated.is_empty() {
        app.note(&format!(
            "warning: {} room(s) not in the allocation {}, counted as {}: {}",
            unallocated.len(),
            a.file(),
            meeting_report::allocation::UNALLOCATED,
            unallocated.join(", ")
        ));
    }
    let unknown: Vec<String> = unknown
        .iter()
        .map(|l| format!("{} (line {})", l.room, l.line))
        .collect();
    if !unknown.is_empty() {
        app.note(&format!(
            "warning: {} line(s) of the allocation {} name a room with no meeting: {}",
            unknown.len(),
            a.file(),
            unknown.join(", ")
        ));
    }
}
