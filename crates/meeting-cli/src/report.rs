//! `meeting report`: the finance report of a month (or any span) from the archive or from
//! files, as an Excel workbook, a self-contained HTML page or a directory of CSV files. The
//! report itself is `meeting_report::report`; this module reads the inputs and the
//! allocation, picks the zone and the format, and writes the files.
//!
//! # Decisions
//!
//! - **Zone.** Days and times are in the report zone: `--tz` (or `MEETING_TZ`), else the
//!   profile's `tz`, else the vendor zone (`--vendor-tz`, default Asia/Shanghai): never the
//!   machine's zone unasked, so a report made on a laptop abroad has the same days.
//! - **Format.** `-o`, else `--out`'s extension (`.xlsx`, `.html`/`.htm`), else a path that
//!   is a directory or ends with `/` is the CSV set; anything else is a usage error. Without
//!   `--out` (or with `-`) the page or workbook goes to stdout, a workbook never to a
//!   terminal. Files are written whole; a CSV directory replaces only what it wrote
//!   (`meeting_sync::outputs`).
//! - **Coverage.** From the archive, the report states the archive's coverage of its span
//!   (`meeting_sync::archive::coverage`): partial is exit 6 with a warning; nothing matched
//!   and not covered (or files and nothing matched) writes nothing, exit 10, or the code of
//!   the report's own sync when that failed.
//! - **Allocation.** An unreadable or bad file is a usage error (exit 2) naming the file and
//!   line; rooms it does not cover and lines whose room had no meeting are warnings.
//! - **Sync first.** From the archive the report should first sync when the archive's
//!   cursor is behind the span's end, unless `--offline`: see [`sync_first`], the one call
//!   site, which waits for the sync job of `meeting-sync`.

use std::io::IsTerminal;
use std::path::Path;

use chrono::NaiveDate;
use meeting_report::report::{
    PreviousPeriod, Report, ReportOptions, check_xlsx_limits, csv_files, write_html, write_xlsx,
};

use crate::app::App;
use crate::cli::{ReportArgs, ReportFormat};
use crate::error::{CliError, Result};
use crate::notes::BadReporter;
use meeting_sync::failure::FailureClass;
use meeting_sync::outputs::OutputDir;
use meeting_sync::report::ReportQuery;

/// The format: `-o`, else `--out`'s extension, else a directory for CSV. A workbook never
/// goes to a terminal, and a CSV set needs a directory: usage errors, found before anything
/// is read.
fn format(args: &ReportArgs) -> Result<ReportFormat> {
    let out = args.out.as_deref().filter(|p| p.as_os_str() != "-");
    let format = match (args.output, out) {
        (Some(f), _) => f,
        (None, None) => {
            return Err(CliError::usage(
                "give --out FILE.xlsx, FILE.html or DIR/ (for csv), or -o html to write the page to stdout",
            ));
        }
        (None, Some(out)) => {
            let ext = out
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            match ext.as_deref() {
                Some("xlsx") => ReportFormat::Xlsx,
                Some("html" | "htm") => ReportFormat::Html,
                _ if out.is_dir() || out.to_string_lossy().ends_with('/') => ReportFormat::Csv,
                _ => {
                    return Err(CliError::usage(format!(
                        "cannot tell the report format from --out {}: give -o xlsx|html|csv, or a name ending in .xlsx or .html (a directory for csv)",
                        out.display()
                    )));
                }
            }
        }
    };
    match (format, out) {
        (ReportFormat::Csv, None) => Err(CliError::usage(
            "-o csv writes a directory of CSV files: give --out DIR",
        )),
        (ReportFormat::Xlsx, None) if std::io::stdout().is_terminal() => Err(CliError::usage(
            "an Excel workbook is binary and is never written to a terminal: give --out FILE.xlsx (or redirect stdout)",
        )),
        _ => Ok(format),
    }
}

/// `meeting report` from the archive brings the archive up to the span's end first: when
/// the profile's Systec cursor is behind `to`, it runs `meeting sync` (from the cursor minus
/// the look-back). `--offline` never syncs. An archive never synced (imported only) is read
/// as it is, and a sync that cannot run (no credentials, the vendor unreachable) leaves the
/// archive as it was; both say so, and the report goes on from what the archive holds.
fn sync_first(app: &App<'_>, path: &Path, to: NaiveDate, offline: bool) -> Option<CliError> {
    use meeting_sync::archive::Freshness;
    if offline {
        return None;
    }
    let profile = app.settings.profile_name.clone();
    match meeting_sync::archive::freshness(path, &profile, to) {
        Freshness::Behind(through) => {
            app.note(&format!(
                "note: the archive holds Systec up to {through}; syncing first (profile {profile}; --offline reads it as it is)"
            ));
            let args = crate::cli::SyncArgs {
                since: None,
                lookback: meeting_sync::sync::DEFAULT_LOOKBACK_DAYS,
                until: None,
                ids: None,
                all_profiles: false,
                archive: Some(path.to_path_buf()),
                summary: None,
                wait: 10,
                no_progress: false,
            };
            if let Err(e) = crate::sync::run(app, &args) {
                app.note(&format!(
                    "note: syncing first did not complete ({}); the report reads the archive as it is",
                    crate::app::escape(&e.message)
                ));
                if meeting_sync::report::sync_failure_stops(e.exit) {
                    return Some(e);
                }
            }
        }
        Freshness::NeverSynced => app.note(&format!(
            "note: profile {profile} was never synced into this archive: the report reads it as it is (`meeting sync --since DATE` keeps it current)"
        )),
        _ => {}
    }
    None
}

pub(crate) fn run(app: &App<'_>, args: &ReportArgs) -> Result<()> {
    let zone = app.tz;
    let format = format(args)?;
    let out = args.out.as_deref().filter(|p| p.as_os_str() != "-");
    let (from, to) = app.required_span(&args.filters.dates.args())?;
    meeting_sync::dates::check_report_span(from, to, args.allow_long_span)
        .map_err(|e| CliError::usage(e.to_string()))?;
    if args.summary.is_some() {
        crate::summary::set("span", (from, to));
        crate::summary::set(
            "out",
            args.out
                .as_deref()
                .map_or_else(|| String::from("-"), |p| p.display().to_string()),
        );
    }
    let allocation = args
        .allocation
        .as_deref()
        .map(crate::offline::read_allocation)
        .transpose()?;
    // A directory that is not ours is refused before anything is read or synced.
    let csv_dir = match (format, out) {
        (ReportFormat::Csv, Some(dir)) => Some(OutputDir::prepare(dir, "report")?),
        _ => None,
    };
    let source = crate::offline::source(app, &args.inputs, args.archive.archive.as_deref())?;
    let sync_failed = source
        .archive()
        .and_then(|path| sync_first(app, path, to, args.offline));
    crate::app::remove_temporaries_on_interrupt();
    let query = ReportQuery::new(from, to, zone)
        .rooms_hosts(&args.filters.room, &args.filters.host)
        .previous(PreviousPeriod::span_before(from, to));
    let mut bad = BadReporter::default();
    let options = crate::offline::read_options(app, None, &args.jobs);
    let input = meeting_sync::report::read(&source, &query, &options, &mut |e| bad.report(e))?;
    crate::offline::reading_notes(app, &source, &input.reading);
    let meetings = &input.reading.meetings;
    let coverage = input.coverage.as_ref();
    // Personal data is masked unless --include-pii, with the pseudonyms of `App::pseudonyms`.
    let masker = if args.include_pii {
        None
    } else {
        let (masker, stable) = app.pseudonyms(args.mask_key.as_deref(), source.archive())?;
        if !stable {
            app.note("note: personal data is masked with pseudonyms that differ from run to run: give --mask-key (or MEETING_MASK_KEY) for stable ones, --include-pii to show it");
        }
        Some(masker)
    };
    let mut options = ReportOptions::new(from, to, zone, chrono::Utc::now());
    if let Some(c) = coverage {
        // The page says "Coverage:" itself.
        let line = c.to_string();
        options = options.coverage(line.strip_prefix("coverage of ").unwrap_or(&line));
    }
    // The previous period: read again from the archive; files are what they are (no
    // previous period when they hold none of it).
    if let (Some((prev_from, prev_to)), Some(m)) = (query.previous, input.previous_meetings()) {
        let p = PreviousPeriod::from_meetings(m, prev_from, prev_to, zone);
        if p.meetings > 0 {
            options = options.previous(p);
        }
    }
    let report = Report::build(meetings, allocation.as_ref(), &options, masker.as_ref());
    if format == ReportFormat::Xlsx {
        // Excel's row limit, before any writing.
        check_xlsx_limits(&report).map_err(|e| CliError::usage(e.to_string()))?;
    }
    if report.outside > 0 {
        app.note(&format!(
            "note: {} meeting(s) of the input start outside {from} .. {to} ({}) and are not in the report",
            report.outside,
            zone.name()
        ));
    }
    let written = report.meetings.len() as u64;
    let target = out.map_or_else(|| String::from("stdout"), |p| p.display().to_string());
    if let Some(why) = input.nothing_matched(written) {
        // Nothing to show and nothing says there is nothing: no all-zero report.
        let untouched = format!("nothing matched: nothing written ({why}); {target} is untouched");
        return Err(match sync_failed {
            Some(e) => CliError::new(e.exit, format!("{}\n{untouched}", e.message)),
            None => CliError::new(FailureClass::NothingMatched, untouched),
        });
    }
    for w in &report.warnings {
        app.note(&format!("warning: {w}"));
    }
    match format {
        ReportFormat::Xlsx => {
            let bytes = write_xlsx(&report)
                .map_err(|e| CliError::new(FailureClass::Output, e.to_string()))?;
            app.write_output(out, "the report", |w| w.write_all(&bytes))?;
        }
        ReportFormat::Html => {
            let page = write_html(&report)
                .map_err(|e| CliError::new(FailureClass::Output, e.to_string()))?;
            app.write_output(out, "the report", |w| w.write_all(page.as_bytes()))?;
        }
        ReportFormat::Csv => {
            let files = csv_files(&report, !args.no_bom)
                .map_err(|e| CliError::new(FailureClass::Output, e.to_string()))?;
            if let Some(mut dir) = csv_dir {
                for (name, bytes) in files {
                    dir.write(&name, &bytes)?;
                }
                dir.finish()?;
            }
        }
    }
    let t = report.total();
    if args.summary.is_some() {
        crate::summary::set("meetings", t.meetings);
        crate::summary::set("minutes", t.minutes);
    }
    let coverage_line = coverage.map(|c| format!("; {c}")).unwrap_or_default();
    app.note(&format!(
        "wrote the report of {from} .. {to} ({}) to {target}: {} meetings, {} minutes, phone cost {}{coverage_line}",
        zone.name(),
        t.meetings,
        t.minutes,
        meeting_report::cost_label(t.cost())
            .chars()
            .collect::<String>()
    ));
    if let Some(e) = sync_failed.filter(|_| !input.covered()) {
        return Err(e);
    }
    let partial = match input.partial_coverage() {
        Some(c) => Err(CliError::new(
            FailureClass::Partial,
            format!(
                "warning: the archive does not cover the whole span, so the report may miss meetings ({c}); run `meeting sync`, then report again"
            ),
        )),
        None => Ok(()),
    };
    crate::notes::bad_input_exit(input.reading.counts.bad, written)
        .and(crate::notes::partial_runs_exit(&input.reading.gaps))
        .and(partial)
}
