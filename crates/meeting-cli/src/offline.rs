//! `meeting parse` and `meeting stats`: saved dumps, read with `meeting-core`, rendered with
//! `meeting-report`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[cfg(test)]
use crate::dates::check_range;
use chrono::NaiveDate;
use meeting_core::aggregate::Aggregate;
use meeting_core::dump::{DEFAULT_CHUNK_BYTES, input_chunks, map_ordered};
use meeting_core::inputs::{Expanded, Input, default_jobs, expand};
use meeting_core::query::Filter;
use meeting_core::run::{MANIFEST_FILE, RunManifest};
use meeting_core::{DumpOptions, DumpStats, Meeting};

use crate::app::App;
use crate::cli::{Filters, ParseArgs, StatsArgs};
use crate::error::{CliError, Exit, Result};

/// The filter of the date flags, `--room` and `--host` (dates in the report zone).
pub(crate) fn filter(app: &App<'_>, f: &Filters) -> Result<Filter> {
    let mut filter = Filter::new(app.tz);
    if let Some((from, to)) = app.span(&f.dates.args())? {
        filter.from = (from != NaiveDate::MIN).then_some(from);
        filter.to = (to != NaiveDate::MAX).then_some(to);
    }
    for room in &f.room {
        filter = filter.room(room.clone());
    }
    for host in &f.host {
        filter = filter.host(host.clone());
    }
    Ok(filter)
}

/// The inputs of `parse` and `stats`: stdin when none is given and stdin is not a terminal;
/// a missing or unreadable path is a usage error, found before any output; skipped directory
/// entries are named on stderr.
fn inputs(app: &App<'_>, args: &[PathBuf]) -> Result<Expanded> {
    let args: Vec<PathBuf> = if args.is_empty() {
        if io::stdin().is_terminal() {
            return Err(CliError::usage(
                "no input: give files, directories or `-` for stdin (see `meeting parse --help`)",
            ));
        }
        vec![PathBuf::from("-")]
    } else {
        args.to_vec()
    };
    let expanded = expand(&args).map_err(|e| CliError::usage(e.to_string()))?;
    for s in &expanded.skipped {
        app.note(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    for dir in &expanded.without_manifest {
        app.note(&format!(
            "note: {} holds no run manifest ({MANIFEST_FILE}): read as it is (an older save-raw run, or dumps collected by hand)",
            dir.display()
        ));
    }
    Ok(expanded)
}

/// The saved runs among the inputs that did not complete, each with what is missing.
fn incomplete_runs(expanded: &Expanded) -> Result<Vec<String>> {
    let mut gaps = Vec::new();
    for path in &expanded.manifests {
        let manifest = RunManifest::read(path).map_err(|e| CliError::data(e.to_string()))?;
        if let Some(g) = manifest.gaps() {
            let dir = path.parent().unwrap_or(path);
            gaps.push(format!("{}: {g}", dir.display()));
        }
    }
    Ok(gaps)
}

/// Exit 6 after the output when a saved run read was not complete.
pub(crate) fn partial_runs_exit(gaps: &[String]) -> Result<()> {
    if gaps.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        Exit::Partial,
        format!(
            "the output above is partial: {} saved run(s) did not complete:\n  - {}",
            gaps.len(),
            gaps.join("\n  - ")
        ),
    ))
}

fn dump_options(app: &App<'_>, endpoint: Option<meeting_core::Source>) -> DumpOptions {
    let options = DumpOptions::new().context(app.ctx);
    match endpoint {
        Some(endpoint) => options.endpoint(endpoint),
        None => options,
    }
}

pub(crate) fn parse(app: &App<'_>, args: &ParseArgs) -> Result<()> {
    let expanded = inputs(app, &args.inputs)?;
    let gaps = incomplete_runs(&expanded)?;
    let merge = !args.no_merge && (args.merge || expanded.saw_dir);
    let jobs = args.jobs.jobs.unwrap_or_else(default_jobs);
    let filter = filter(app, &args.filters)?;
    let options = dump_options(app, args.endpoint);
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
                    &options,
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
                &options,
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
        if let Some((documents, read, bad, written)) = counts {
            report_counts(app, documents, read, bad);
            note_unmerged_stubs(app, stubs.into_inner());
            report_written(app, written, "meetings", args.output.out.as_deref());
            return bad_input_exit(bad, written).and(partial_runs_exit(&gaps));
        }
    }
    let (meetings, bad) = read_all(app, &expanded, &options, jobs, merge, &filter);
    let written = meetings.len() as u64;
    crate::output::emit(app, meetings, &args.output, &args.rows, None)?;
    report_written(app, written, "meetings", args.output.out.as_deref());
    bad_input_exit(bad, written).and(partial_runs_exit(&gaps))
}

/// Merged, filtered meetings from `--archive` or from files; the bad documents and the
/// saved runs that did not complete.
pub(crate) fn merged_input(
    app: &App<'_>,
    inputs_args: &[PathBuf],
    archive: Option<&std::path::Path>,
    filters: &Filters,
    endpoint: Option<meeting_core::Source>,
    jobs: &crate::cli::JobsArg,
) -> Result<(Vec<Meeting>, u64, Vec<String>)> {
    let filter = filter(app, filters)?;
    merged_input_as(app, inputs_args, archive, &filter, endpoint, jobs)
}

/// Merged meetings from `--archive` or from files through a given filter (`meeting report`
/// builds its own, with dates in the report zone); the bad documents and the saved runs
/// that did not complete.
pub(crate) fn merged_input_with(
    app: &App<'_>,
    inputs_args: &[PathBuf],
    archive: Option<&std::path::Path>,
    filter: &Filter,
    jobs: &crate::cli::JobsArg,
) -> Result<(Vec<Meeting>, u64, Vec<String>)> {
    merged_input_as(app, inputs_args, archive, filter, None, jobs)
}

fn merged_input_as(
    app: &App<'_>,
    inputs_args: &[PathBuf],
    archive: Option<&std::path::Path>,
    filter: &Filter,
    endpoint: Option<meeting_core::Source>,
    jobs: &crate::cli::JobsArg,
) -> Result<(Vec<Meeting>, u64, Vec<String>)> {
    if let Some(flag) = archive {
        let meetings = crate::archive::read(app, Some(flag), filter)?;
        return Ok((meetings, 0, Vec::new()));
    }
    let expanded = inputs(app, inputs_args)?;
    let gaps = incomplete_runs(&expanded)?;
    let jobs = jobs.jobs.unwrap_or_else(default_jobs);
    let options = dump_options(app, endpoint);
    let (meetings, bad) = read_all(app, &expanded, &options, jobs, true, filter);
    Ok((meetings, bad, gaps))
}

/// `meeting list`: merged meetings from the archive or files.
pub(crate) fn list(app: &App<'_>, args: &crate::cli::ListArgs) -> Result<()> {
    let (meetings, bad, gaps) = merged_input(
        app,
        &args.inputs,
        args.archive.archive.as_deref(),
        &args.filters,
        None,
        &args.jobs,
    )?;
    let written = meetings.len() as u64;
    crate::output::emit(app, meetings, &args.output, &args.rows, None)?;
    report_written(app, written, "meetings", args.output.out.as_deref());
    bad_input_exit(bad, written).and(partial_runs_exit(&gaps))
}

pub(crate) fn stats(app: &App<'_>, args: &StatsArgs) -> Result<()> {
    let (merged, bad, gaps) = match args.archive.archive.as_deref() {
        Some(flag) => summarized_archive(app, flag, args)?,
        None => summarized_input(app, args)?,
    };
    let summaries = &merged.summaries;
    let written = summaries.len() as u64;
    let allocation = stats_allocation(args)?;
    if let Some(a) = &allocation {
        // The warnings read the rooms and days of every meeting: a chunk at a time.
        let mut unallocated = std::collections::BTreeSet::new();
        let mut unknown: Vec<&meeting_core::allocation::AllocationLine> =
            a.unknown_rooms(std::iter::empty());
        for chunk in summaries.chunks(1024) {
            let outlines: Vec<Meeting> = chunk
                .iter()
                .map(meeting_core::summary::Summary::outline)
                .collect();
            unallocated.extend(a.unallocated_rooms(&outlines, app.tz));
            let lines: std::collections::BTreeSet<usize> =
                a.unknown_rooms(&outlines).iter().map(|l| l.line).collect();
            unknown.retain(|l| lines.contains(&l.line));
        }
        let unallocated: Vec<String> = unallocated.into_iter().collect();
        crate::report::allocation_notes(app, a, &unallocated, &unknown);
    }
    // Totals first, masking after: masking never changes a figure.
    let by: meeting_core::aggregate::GroupBy = args.by.into();
    let mut agg = meeting_core::summary::aggregate(&merged, by, app.tz, allocation.as_ref())
        .map_err(|e| temporary_file(&e))?;
    if let Some(masker) = app.masker(&args.output)? {
        // Masking reads the meetings' rooms only: one outline per distinct set of rooms.
        let mut rooms: std::collections::BTreeMap<String, Meeting> =
            std::collections::BTreeMap::new();
        if by == meeting_core::aggregate::GroupBy::Host {
            for s in summaries {
                let mut m = s.outline();
                m.host = None;
                m.key = String::new();
                m.occurrence_id = None;
                m.meeting_number = None;
                m.event_id = None;
                m.observed_at.clear();
                m.sources.clear();
                m.start = None;
                m.end = None;
                m.scheduled_start = None;
                let id = format!("{:?}{:?}", m.room, m.rooms);
                rooms.entry(id).or_insert(m);
            }
        }
        let rooms: Vec<Meeting> = rooms.into_values().collect();
        masker.mask_aggregate(&mut agg, &rooms);
    }
    write_stats(app, args, &agg)?;
    bad_input_exit(bad, written).and(partial_runs_exit(&gaps))
}

/// The allocation of `stats`: `--allocation`, required by `--by department`.
fn stats_allocation(args: &StatsArgs) -> Result<Option<meeting_core::allocation::Allocation>> {
    match &args.allocation {
        Some(path) => Ok(Some(crate::report::read_allocation(path)?)),
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
    report_written(
        app,
        agg.groups.len() as u64,
        &format!("groups of {} meetings", agg.total.meetings),
        args.output.out.as_deref(),
    );
    Ok(())
}

/// Bad documents shown in full; the rest are counted.
const BAD_SHOWN: u64 = 20;

/// Reports bad documents on stderr: the first [`BAD_SHOWN`] in full, then only counted (the
/// total is in the closing `parsed ...` line).
#[derive(Default)]
struct BadReporter {
    seen: u64,
}

impl BadReporter {
    fn report(&mut self, message: &str) {
        self.seen += 1;
        let mut stderr = io::stderr().lock();
        if self.seen <= BAD_SHOWN {
            let _ = writeln!(stderr, "bad document: {}", crate::app::escape(message));
        } else if self.seen == BAD_SHOWN + 1 {
            let _ = writeln!(
                stderr,
                "bad document: ... more bad documents are not shown one by one; the count follows"
            );
        }
    }
}

/// Reads every input (split into chunks of whole documents, parsed on up to `jobs` threads,
/// results in input order), reports each bad document and the counts, merges when asked,
/// filters.
fn read_all(
    app: &App<'_>,
    expanded: &Expanded,
    options: &DumpOptions,
    jobs: usize,
    merge: bool,
    filter: &Filter,
) -> (Vec<Meeting>, u64) {
    let mut meetings = Vec::new();
    let mut merger = meeting_core::merge::Merger::new();
    let (documents, read, bad) = read_inputs(
        expanded,
        options,
        jobs,
        |m: Meeting| m,
        |part: Vec<Meeting>| {
            if merge {
                merger.extend(part);
            } else {
                meetings.extend(part);
            }
        },
    );
    report_counts(app, documents, read, bad);
    let meetings = if merge {
        finish_noting(app, merger)
    } else {
        let before = meetings.len();
        let meetings: Vec<Meeting> = meetings
            .into_iter()
            .filter(|m| !meeting_core::query::is_report_stub(m))
            .collect();
        note_unmerged_stubs(app, (before - meetings.len()) as u64);
        meetings
    };
    let meetings = meetings.into_iter().filter(|m| filter.matches(m)).collect();
    (meetings, bad)
}

/// Reads every input (split into chunks of whole documents, parsed on up to `jobs` threads,
/// each record turned by `each` where it is parsed, results in input order into `sink`),
/// reporting each bad document; the documents, records and bad documents read.
fn read_inputs<T: Send>(
    expanded: &Expanded,
    options: &DumpOptions,
    jobs: usize,
    each: impl Fn(Meeting) -> T + Sync,
    mut sink: impl FnMut(Vec<T>),
) -> (u64, u64, u64) {
    let (mut documents, mut bad, mut read) = (0u64, 0u64, 0u64);
    let mut reporter = BadReporter::default();
    let names: Vec<String> = expanded.inputs.iter().map(Input::name).collect();
    // Each input's own options: a saved run's span, start and failed windows.
    let per_input: Vec<DumpOptions> = expanded
        .inputs
        .iter()
        .map(|i| i.options_for(options))
        .collect();
    let _ = map_ordered(
        input_chunks(&expanded.inputs, options, DEFAULT_CHUNK_BYTES),
        jobs,
        |item| {
            let name = names.get(item.input).map_or("", String::as_str);
            let mut part = Vec::new();
            let mut errors = Vec::new();
            let stats = match item.chunk {
                Ok(chunk) => {
                    let options = per_input.get(item.input).unwrap_or(options);
                    let mut reader = chunk.read(options);
                    for m in reader.by_ref() {
                        match m {
                            Ok(m) => part.push(each(m)),
                            Err(e) => errors.push(format!("{name}: {e}")),
                        }
                    }
                    reader.stats()
                }
                Err(e) => {
                    errors.push(e.to_string());
                    DumpStats {
                        documents: 1,
                        bad_documents: 1,
                        ..DumpStats::default()
                    }
                }
            };
            (part, errors, stats)
        },
        |(part, errors, stats): (Vec<T>, Vec<String>, DumpStats)| -> std::result::Result<(), ()> {
            documents += stats.documents;
            bad += stats.bad_documents;
            read += part.len() as u64;
            errors.iter().for_each(|e| reporter.report(e));
            sink(part);
            Ok(())
        },
    );
    (documents, read, bad)
}

/// `stats` over files: each record summarised where it is parsed
/// ([`meeting_core::summary`]) and merged as it comes, so memory grows with the distinct
/// meetings, not the input; the filtered summaries, the bad documents and the saved runs
/// that did not complete.
fn summarized_input(
    app: &App<'_>,
    args: &StatsArgs,
) -> Result<(meeting_core::summary::Summarized, u64, Vec<String>)> {
    use meeting_core::summary::{Observation, SummaryMerger};
    let filter = filter(app, &args.filters)?;
    let expanded = inputs(app, &args.inputs)?;
    let gaps = incomplete_runs(&expanded)?;
    let jobs = args.jobs.jobs.unwrap_or_else(default_jobs);
    let options = dump_options(app, args.endpoint);
    let mut merger = SummaryMerger::new();
    let (documents, read, bad) = read_inputs(
        &expanded,
        &options,
        jobs,
        Observation::of,
        |part: Vec<Observation>| part.into_iter().for_each(|o| merger.push(o)),
    );
    report_counts(app, documents, read, bad);
    let mut merged = merger.finish_with_stubs().map_err(|e| temporary_file(&e))?;
    note_stubs(app, merged.stubs, &merged.unmatched_stubs);
    merged.summaries.retain(|s| filter.matches(&s.outline()));
    Ok((merged, bad, gaps))
}

/// `stats --archive`: the archive's meetings summarised as they are read and merged with
/// its report stubs (rooms resolved across the archive), as [`summarized_input`] does for
/// files, so memory grows with the distinct meetings and not with their records.
fn summarized_archive(
    app: &App<'_>,
    flag: &std::path::Path,
    args: &StatsArgs,
) -> Result<(meeting_core::summary::Summarized, u64, Vec<String>)> {
    let filter = filter(app, &args.filters)?;
    let mut merger = meeting_core::summary::SummaryMerger::new();
    crate::archive::each(Some(flag), &filter, |m| merger.push_meeting(m))?;
    let mut merged = merger.finish_with_stubs().map_err(|e| temporary_file(&e))?;
    note_stubs(app, merged.stubs, &merged.unmatched_stubs);
    merged.summaries.retain(|s| filter.matches(&s.outline()));
    Ok((merged, 0, Vec::new()))
}

/// An error of the temporary file `stats` keeps participant rows in.
fn temporary_file(e: &io::Error) -> CliError {
    CliError::new(
        Exit::Write,
        format!("the temporary file of the participant rows failed: {e}"),
    )
}

/// Merges by key ([`meeting_core::merge`]: report stubs attached to their occurrences) in
/// the output order, and notes what became of the stubs.
pub(crate) fn merge_noting(app: &App<'_>, meetings: Vec<Meeting>) -> Vec<Meeting> {
    let mut merger = meeting_core::merge::Merger::new();
    merger.extend(meetings);
    finish_noting(app, merger)
}

/// The merger's meetings in the output order; notes what became of the stubs.
fn finish_noting(app: &App<'_>, merger: meeting_core::merge::Merger) -> Vec<Meeting> {
    let merged = merger.finish_with_stubs();
    note_stubs(app, merged.stubs, &merged.unmatched_stubs);
    let mut out = merged.meetings;
    meeting_core::query::sort_for_output(&mut out);
    out
}

/// Notes what became of the report stubs of a merge.
fn note_stubs(app: &App<'_>, stubs: u64, unmatched_stubs: &[String]) {
    if stubs > 0 {
        let unmatched = unmatched_stubs.len();
        let mut text = format!(
            "{stubs} report stub(s) (the vendor has no report: fewer than two participants, or not ended) annotate their meetings (`report: none`); they are not meetings"
        );
        if unmatched > 0 {
            let shown: Vec<&str> = unmatched_stubs.iter().take(5).map(String::as_str).collect();
            text.push_str(&format!(
                "; {unmatched} matched no meeting of the input (meeting number(s) {}{})",
                shown.join(", "),
                if unmatched > shown.len() { ", ..." } else { "" }
            ));
        }
        app.note(&text);
    }
}

/// Notes report stubs left out of an unmerged output.
fn note_unmerged_stubs(app: &App<'_>, n: u64) {
    if n > 0 {
        app.note(&format!(
            "{n} report stub(s) not written: they are not meetings (--merge attaches them to their meetings as `report: none`)"
        ));
    }
}

/// `parsed N documents, M meetings, K bad` on stderr (a note unless something was bad).
fn report_counts(app: &App<'_>, documents: u64, read: u64, bad: u64) {
    let summary = format!("parsed {documents} documents, {read} meetings, {bad} bad");
    if bad > 0 {
        let _ = writeln!(io::stderr().lock(), "{summary}");
    } else {
        app.note(&summary);
    }
}

/// `wrote N meetings[ to FILE]` on stderr, or that nothing matched.
pub(crate) fn report_written(app: &App<'_>, n: u64, what: &str, out: Option<&std::path::Path>) {
    let to = out
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    if n == 0 {
        app.note(&format!(
            "wrote nothing{to}: no meeting matched (check the inputs and the filters)"
        ));
    } else {
        app.note(&format!("wrote {n} {what}{to}"));
    }
}

/// Exit 6 when some documents were bad and some meetings written, 3 when none were.
pub(crate) fn bad_input_exit(bad: u64, written: u64) -> Result<()> {
    if bad == 0 {
        return Ok(());
    }
    if written > 0 {
        Err(CliError::new(
            Exit::Partial,
            format!(
                "{bad} bad document(s) skipped (listed above); the {written} good meeting(s) were written"
            ),
        ))
    } else {
        Err(CliError::data(format!(
            "{bad} bad document(s) (listed above) and no meeting to write: check that the input is a saved Systec or Quanshi response, a --save-raw record or neutral JSON Lines"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_for_bad_input() {
        assert!(bad_input_exit(0, 0).is_ok());
        assert_eq!(
            bad_input_exit(1, 5).err().map(|e| e.exit),
            Some(Exit::Partial)
        );
        assert_eq!(bad_input_exit(1, 0).err().map(|e| e.exit), Some(Exit::Data));
    }

    #[test]
    fn inverted_range_is_usage() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert!(check_range(d("2024-01-01"), d("2024-01-01")).is_ok());
        assert_eq!(
            check_range(d("2024-01-02"), d("2024-01-01"))
                .err()
                .map(|e| e.exit),
            Some(Exit::Usage)
        );
    }
}
