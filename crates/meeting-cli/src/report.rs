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
//!   is a directory or ends with `/` is the CSV set; anything else is a usage error.
//! - **Allocation.** An unreadable or bad file is a usage error (exit 2) naming the file and
//!   line; rooms it does not cover and lines whose room had no meeting are warnings.
//! - **Sync first.** From the archive the report should first sync when the archive's
//!   cursor is behind the span's end, unless `--offline`: see [`sync_first`], the one call
//!   site, which waits for the sync job of `meeting-sync`.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use meeting_core::query::Filter;
use meeting_report::report::{
    PreviousPeriod, Report, ReportOptions, check_xlsx_limits, csv_files, write_html, write_xlsx,
};

use crate::app::App;
use crate::cli::{ReportArgs, ReportFormat};
use crate::error::{CliError, Exit, Result};

/// The format: `-o`, else `--out`'s extension, else a directory for CSV.
fn format(args: &ReportArgs) -> Result<ReportFormat> {
    if let Some(f) = args.output {
        return Ok(f);
    }
    let ext = args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("xlsx") => Ok(ReportFormat::Xlsx),
        Some("html" | "htm") => Ok(ReportFormat::Html),
        _ if args.out.is_dir() || args.out.to_string_lossy().ends_with('/') => {
            Ok(ReportFormat::Csv)
        }
        _ => Err(CliError::usage(format!(
            "cannot tell the report format from --out {}: give -o xlsx|html|csv, or a name ending in .xlsx or .html (a directory for csv)",
            args.out.display()
        ))),
    }
}

/// `meeting report` from the archive brings the archive up to the span's end first: when
/// the profile's Systec cursor is behind `to`, it runs `meeting sync` (from the cursor minus
/// the look-back). `--offline` never syncs. An archive never synced (imported only) is read
/// as it is, and a sync that cannot run (no credentials, the vendor unreachable) leaves the
/// archive as it was; both say so, and the report goes on from what the archive holds.
fn sync_first(app: &App<'_>, archive: &Path, to: NaiveDate, offline: bool) {
    use meeting_sync::archive::Freshness;
    if offline {
        return;
    }
    let Ok(path) = meeting_sync::archive::path(Some(archive)) else {
        return;
    };
    let profile = app.settings.profile_name.clone();
    match meeting_sync::archive::freshness(&path, &profile, to) {
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
                archive: Some(path),
                summary: None,
                wait: 10,
                no_progress: false,
            };
            if let Err(e) = crate::sync::run(app, &args) {
                app.note(&format!(
                    "note: syncing first did not complete ({}); the report reads the archive as it is",
                    crate::app::escape(&e.message)
                ));
            }
        }
        Freshness::NeverSynced => app.note(&format!(
            "note: profile {profile} was never synced into this archive: the report reads it as it is (`meeting sync --since DATE` keeps it current)"
        )),
        _ => {}
    }
}

pub(crate) fn run(app: &App<'_>, args: &ReportArgs) -> Result<()> {
    let zone = app.tz;
    let format = format(args)?;
    let (from, to) = app.required_span(&args.filters.dates.args())?;
    meeting_sync::dates::check_report_span(from, to, args.allow_long_span)
        .map_err(|e| CliError::usage(e.to_string()))?;
    if args.summary.is_some() {
        crate::summary::set("span", (from, to));
        crate::summary::set("out", args.out.display().to_string());
    }
    let allocation = args
        .allocation
        .as_deref()
        .map(crate::offline::read_allocation)
        .transpose()?;
    if let Some(archive) = args.archive.archive.as_deref() {
        sync_first(app, archive, to, args.offline);
    }
    // Rooms and hosts filter here; the span is the report's own (in the report zone), so
    // that meetings outside it or without a time are counted, not silently dropped.
    let mut filter = Filter::new(zone);
    if args.archive.archive.is_some() {
        filter = filter.from(from).to(to);
    }
    for room in &args.filters.room {
        filter = filter.room(room.clone());
    }
    for host in &args.filters.host {
        filter = filter.host(host.clone());
    }
    let reading = crate::offline::merged_input(
        app,
        &args.inputs,
        args.archive.archive.as_deref(),
        &filter,
        &args.jobs,
    )?;
    let meetings = reading.meetings;
    // Personal data is masked unless --include-pii. The pseudonym key: --mask-key (or
    // MEETING_MASK_KEY), else random for this run. (An archive is to hold a random key of
    // its own, so that pseudonyms stay stable per archive without a flag.)
    let masker = if args.include_pii {
        None
    } else {
        if args.mask_key.is_none() {
            app.note("note: personal data is masked with pseudonyms that differ from run to run: give --mask-key (or MEETING_MASK_KEY) for stable ones, --include-pii to show it");
        }
        app.masker(&crate::cli::OutputArgs {
            output: None,
            out: None,
            mask_pii: true,
            mask_key: args.mask_key.clone(),
            csv_bom: false,
            no_bom: args.no_bom,
        })?
    };
    let mut options = ReportOptions::new(from, to, zone, chrono::Utc::now());
    // The previous period, from the same source: the archive is read again for it; files
    // are what they are (no previous period when they hold none of it).
    if let Some((prev_from, prev_to)) = PreviousPeriod::span_before(from, to) {
        let previous = if args.archive.archive.is_some() {
            let mut prev_filter = Filter::new(zone).from(prev_from).to(prev_to);
            for room in &args.filters.room {
                prev_filter = prev_filter.room(room.clone());
            }
            for host in &args.filters.host {
                prev_filter = prev_filter.host(host.clone());
            }
            crate::offline::previous_period_meetings(
                app,
                args.archive.archive.as_deref(),
                &prev_filter,
                &args.jobs,
            )
            .map(|m| PreviousPeriod::from_meetings(&m, prev_from, prev_to, zone))
        } else {
            Some(PreviousPeriod::from_meetings(
                &meetings, prev_from, prev_to, zone,
            ))
        };
        if let Some(p) = previous.filter(|p| p.meetings > 0) {
            options = options.previous(p);
        }
    }
    let report = Report::build(&meetings, allocation.as_ref(), &options, masker.as_ref());
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
    for w in &report.warnings {
        app.note(&format!("warning: {w}"));
    }
    let written = report.meetings.len() as u64;
    match format {
        ReportFormat::Xlsx => {
            let bytes =
                write_xlsx(&report).map_err(|e| CliError::new(Exit::Write, e.to_string()))?;
            write_file(&args.out, &bytes)?;
        }
        ReportFormat::Html => {
            let page =
                write_html(&report).map_err(|e| CliError::new(Exit::Write, e.to_string()))?;
            write_file(&args.out, page.as_bytes())?;
        }
        ReportFormat::Csv => {
            let files = csv_files(&report, !args.no_bom)
                .map_err(|e| CliError::new(Exit::Write, e.to_string()))?;
            std::fs::create_dir_all(&args.out).map_err(|e| {
                CliError::new(
                    Exit::Write,
                    format!("cannot create the directory {}: {e}", args.out.display()),
                )
            })?;
            for (name, bytes) in files {
                write_file(&args.out.join(name), &bytes)?;
            }
        }
    }
    let t = report.total();
    if args.summary.is_some() {
        crate::summary::set("meetings", t.meetings);
        crate::summary::set("minutes", t.minutes);
    }
    app.note(&format!(
        "wrote the report of {from} .. {to} ({}) to {}: {} meetings, {} minutes, phone cost {}",
        zone.name(),
        args.out.display(),
        t.meetings,
        t.minutes,
        meeting_report::cost_label(t.cost())
            .chars()
            .collect::<String>()
    ));
    if written == 0 {
        app.note(
            "note: no meeting in the span: the report shows zeros (check the inputs and the dates)",
        );
    }
    crate::notes::bad_input_exit(reading.counts.bad, written)
        .and(crate::notes::partial_runs_exit(&reading.gaps))
}

/// Writes a file whole: to a temporary name beside it, then renamed, so a reader never sees
/// half a report.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| {
        CliError::new(
            Exit::Write,
            format!("cannot write the report to {}: {e}", path.display()),
        )
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| String::from("report"));
    let tmp: PathBuf = path.with_file_name(format!(".{file_name}.tmp"));
    let mut f = std::fs::File::create(&tmp).map_err(fail)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(fail)
}
