//! `meeting parse` and `meeting stats`: saved dumps, read with `meeting-core`, rendered with
//! `meeting-report`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

#[cfg(test)]
use crate::dates::check_range;
use chrono::NaiveDate;
use meeting_core::aggregate::Aggregate;
use meeting_core::inputs::{
    Expanded, InputResult, default_jobs, expand, for_each_ordered, read_input,
};
use meeting_core::query::{Filter, merge_sorted};
use meeting_core::run::{MANIFEST_FILE, RunManifest};
use meeting_core::{DumpOptions, Meeting};

use crate::app::App;
use crate::cli::{Filters, ParseArgs, StatsArgs};
use crate::error::{CliError, Exit, Result};

/// The filter of the date flags, `--room` and `--host` (dates in the vendor zone).
pub(crate) fn filter(app: &App<'_>, f: &Filters) -> Result<Filter> {
    let mut filter = Filter::new(app.vendor_tz);
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
        app.write_output(args.output.out.as_deref(), "the output", |w| {
            counts = meeting_report::stream_inputs(
                w,
                &expanded.inputs,
                &options,
                &render,
                &|m| filter.matches(m),
                masker.as_ref(),
                jobs,
                &mut |e| bad.report(e),
            )?;
            Ok(())
        })?;
        if let Some(c) = counts {
            report_counts(app, c.documents, c.read, c.bad);
            report_written(app, c.written, "meetings", args.output.out.as_deref());
            return bad_input_exit(c.bad, c.written).and(partial_runs_exit(&gaps));
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
    if let Some(flag) = archive {
        let meetings = crate::archive::read(Some(flag), &filter)?;
        return Ok((meetings, 0, Vec::new()));
    }
    let expanded = inputs(app, inputs_args)?;
    let gaps = incomplete_runs(&expanded)?;
    let jobs = jobs.jobs.unwrap_or_else(default_jobs);
    let options = dump_options(app, endpoint);
    let (meetings, bad) = read_all(app, &expanded, &options, jobs, true, &filter);
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
    // Report stubs are annotations, not meetings (the archive keeps them apart too).
    let meetings: Vec<Meeting> = meetings
        .into_iter()
        .filter(|m| !meeting_core::query::is_report_stub(m))
        .collect();
    let written = meetings.len() as u64;
    crate::output::emit(app, meetings, &args.output, &args.rows, None)?;
    report_written(app, written, "meetings", args.output.out.as_deref());
    bad_input_exit(bad, written).and(partial_runs_exit(&gaps))
}

pub(crate) fn stats(app: &App<'_>, args: &StatsArgs) -> Result<()> {
    let (meetings, bad, gaps) = merged_input(
        app,
        &args.inputs,
        args.archive.archive.as_deref(),
        &args.filters,
        args.endpoint,
        &args.jobs,
    )?;
    let written = meetings.len() as u64;
    // Totals first, masking after: masking never changes a figure.
    let mut agg = Aggregate::compute(&meetings, args.by.into(), app.tz);
    if let Some(masker) = app.masker(&args.output)? {
        masker.mask_aggregate(&mut agg, &meetings);
    }
    let render = app.render(&args.output, crate::cli::Rows::Meetings);
    app.write_output(args.output.out.as_deref(), "the output", |w| {
        meeting_report::write_aggregate(w, &agg, &render)
    })?;
    report_written(
        app,
        agg.groups.len() as u64,
        &format!("groups of {} meetings", agg.total.meetings),
        args.output.out.as_deref(),
    );
    bad_input_exit(bad, written).and(partial_runs_exit(&gaps))
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

/// Reads every input (in parallel, results in input order), reports each bad document and
/// the counts, merges when asked, filters.
fn read_all(
    app: &App<'_>,
    expanded: &Expanded,
    options: &DumpOptions,
    jobs: usize,
    merge: bool,
    filter: &Filter,
) -> (Vec<Meeting>, u64) {
    let (mut documents, mut bad, mut read) = (0u64, 0u64, 0u64);
    let mut meetings = Vec::new();
    let mut reporter = BadReporter::default();
    let _ = for_each_ordered(
        &expanded.inputs,
        jobs,
        |input| read_input(input, options),
        |r: InputResult| -> std::result::Result<(), ()> {
            documents += r.documents;
            bad += r.bad;
            read += r.meetings.len() as u64;
            r.errors.iter().for_each(|e| reporter.report(e));
            meetings.extend(r.meetings);
            Ok(())
        },
    );
    report_counts(app, documents, read, bad);
    let meetings = if merge {
        merge_sorted(meetings)
    } else {
        meetings
    };
    let meetings = meetings.into_iter().filter(|m| filter.matches(m)).collect();
    (meetings, bad)
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
fn report_written(app: &App<'_>, n: u64, what: &str, out: Option<&std::path::Path>) {
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
