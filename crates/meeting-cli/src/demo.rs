//! `meeting demo`: `meeting sync` of the built-in simulator into a temporary archive, then
//! the meetings and the per-room summary read back from it; loopback, no credentials.

use std::io::Write;

use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use meeting_core::Meeting;
use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_sim::{Sim, SimConfig};
use meeting_sync::Fetched;
use meeting_sync::clients::Tuning;
use meeting_sync::config::{Profile, Settings};
use meeting_sync::quanshi::Lookup;
use meeting_sync::sync::{SyncOptions, TrialError, sync_trial};

use crate::app::App;
use crate::cli::{OutputFormat, VendorOutput};
use crate::error::{CliError, Result, store_error};
use crate::runner::{self as live, Spinner};
use meeting_sync::failure::FailureClass;

/// The simulator's seed and size: a few hundred meetings over January–March 2024.
const SEED: u64 = 7;
const MEETINGS: usize = 300;

/// A new private directory (mode 0700) in the shared temporary directory.
fn private_dir(prefix: &str) -> Result<std::path::PathBuf> {
    meeting_sync::tempdir::private_dir(prefix).map_err(|e| private_dir_error(&e))
}

fn private_dir_error(e: &std::io::Error) -> CliError {
    CliError::new(
        FailureClass::Output,
        format!(
            "cannot create a private directory in {} for the demo: {e}",
            std::env::temp_dir().display()
        ),
    )
}

/// The demo: the simulator synced into a temporary archive (Systec two calendar months,
/// one Quanshi join link and one dashboard id), then the meetings and the per-room summary
/// read back from that archive, as `meeting list --archive` and `meeting stats --archive`
/// would show them.
pub(crate) fn run(app: &App<'_>, args: &VendorOutput) -> Result<()> {
    let from = NaiveDate::from_ymd_opt(2024, 1, 20).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(2024, 2, 10).unwrap_or_default();
    let progress = app.progress(&args.live);
    let capture = live::capture(args, &progress)?;
    let started = std::time::Instant::now();
    let spinner = Spinner(progress.clone());
    let stop = AtomicBool::new(false);
    let (trial, base) = live::block_on("the demo", async {
        let mut config = SimConfig::new(SEED, MEETINGS);
        config.vendor_zone = app.vendor_tz;
        let sim = Sim::start(config).await.map_err(|e| {
            CliError::new(
                FailureClass::Unavailable,
                format!("cannot start the simulator: {e}"),
            )
        })?;
        let settings = Settings {
            path: app.settings.path.clone(),
            profile_name: String::from("demo"),
            profile: Profile::default(),
            systec_api_key: Some(sim.api_key().to_owned()),
            systec_api_secret: Some(sim.api_secret().to_owned()),
            systec_base_url: Some(sim.systec_base_url()),
            quanshi_token: Some(sim.token().to_owned()),
            quanshi_base_url: Some(sim.quanshi_base_url()),
            quanshi_conference_path: Some(sim.quanshi_conference_path().to_owned()),
        };
        let truth = sim.truth();
        let mut ids = Vec::new();
        if let Some(link) = truth.quanshi_join_urls().first() {
            ids.push(Lookup::JoinLink(link.clone()));
        }
        if let Some(id) = truth.dashboard_ids().first() {
            ids.push(Lookup::TempId(id.clone()));
        }
        let _ = capture.start_run("demo", Some((from, to)), Some(app.tz.name()));
        let options = SyncOptions::new("demo", to)
            .since(Some(from))
            .quanshi_ids(ids);
        let tuning = Tuning::loopback();
        let trial = sync_trial(
            &settings, tuning, &capture, &app.ctx, app.tz, &options, &spinner, &stop,
        )
        .await
        .map_err(|e| match e {
            TrialError::TempDir(e) => private_dir_error(&e),
            TrialError::Client(e) => e.into(),
            TrialError::Store(e) => store_error(&e),
            TrialError::Read(e) => e.into(),
            e => CliError::data(e.to_string()),
        })?;
        capture.finish_run(!trial.report.is_partial());
        let base = sim.systec_base_url();
        sim.shutdown().await;
        Ok::<_, CliError>((trial, base))
    })??;
    progress.finish_and_clear();
    // Read back as `meeting list --archive` does: stubs attached, rooms resolved.
    let meeting_sync::sync::Trial {
        report, reading, ..
    } = trial;
    crate::notes::stubs(app, &reading.stubs);
    let meetings: Vec<Meeting> = reading.meetings;
    app.note(&format!(
        "demo: simulator on {base} (seed {SEED}, {MEETINGS} meetings, January-March 2024)\n\
         demo: synced Systec {from}..{to} (two calendar months: history, detail and reports) and Quanshi (one join link, one dashboard id) into a temporary archive: {} of {} windows, {} records in {} requests; {} meetings new\n\
         demo: {} meetings read back from the archive (as `meeting list --archive`), in {:.1} s; with your own credentials: `meeting sync --since 2024-01-01`",
        report.windows_done,
        report.windows_total,
        report.records,
        report.requests,
        report.changes.new,
        meetings.len(),
        started.elapsed().as_secs_f64()
    ));
    sample_report(app, &meetings, from, to, &args.output)?;
    if let Some(f) = report.failures.first() {
        return Err(CliError::new(
            FailureClass::Partial,
            format!("demo: a call to the simulator failed: {f}"),
        ));
    }
    live::check_saved(&capture)?;
    // In table mode, the summary per room (as `meeting stats --archive`) follows.
    if matches!(
        app.format(&args.output),
        OutputFormat::Table | OutputFormat::Wide
    ) && !args.live.raw
    {
        let mut agg = Aggregate::compute(&meetings, GroupBy::Room, app.tz);
        if let Some(masker) = app.masker(&args.output)? {
            masker.mask_aggregate(&mut agg, &meetings);
        }
        let render = app.render(&args.output, args.rows.rows);
        let after = move |w: &mut dyn Write| -> std::io::Result<()> {
            writeln!(w)?;
            writeln!(w, "Summary per room (meeting stats --archive --by room):")?;
            meeting_report::write_aggregate(w, &agg, &render)
        };
        return crate::output::emit(app, meetings, &args.output, &args.rows, Some(&after));
    }
    if !args.live.raw {
        // The counts of the fetch are in the "demo: synced" note above.
        let written = meetings.len();
        crate::output::emit(app, meetings, &args.output, &args.rows, None)?;
        app.note(&format!("demo: wrote {written} meetings"));
        return Ok(());
    }
    let mut fetched = Fetched::default();
    fetched.meetings = meetings;
    fetched.summary.requests = report.requests;
    let filter = meeting_core::query::Filter::new(app.tz);
    live::finish(app, fetched, &capture, &filter, args, None)
}

/// The demo's finance report (`meeting report`), as a self-contained HTML page in a new
/// private directory of its own (mode 0700, kept after the demo so it can be opened; never
/// a fixed name in the shared temporary directory, which another user could pre-create as
/// a symlink); where it went is a note. A page that cannot be written is a note too: the
/// demo's own output does not depend on it.
fn sample_report(
    app: &App<'_>,
    merged: &[Meeting],
    from: NaiveDate,
    to: NaiveDate,
    output: &crate::cli::OutputArgs,
) -> Result<()> {
    use meeting_report::report::{Report, ReportOptions, write_html};
    let options = ReportOptions::new(from, to, app.tz, chrono::Utc::now());
    let masker = app.masker(output)?;
    let report = Report::build(merged, None, &options, masker.as_ref());
    let written = private_dir("meeting-demo-report").and_then(|dir| {
        let path = dir.join("report.html");
        let page =
            write_html(&report).map_err(|e| CliError::new(FailureClass::Output, e.to_string()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .and_then(|mut f| f.write_all(page.as_bytes()))
            .map_err(|e| CliError::io(&path.display().to_string(), &e))?;
        Ok(path)
    });
    match written {
        Ok(path) => app.note(&format!(
            "demo: a sample finance report (meeting report --from {from} --to {to} --out report.html) is in {}",
            path.display()
        )),
        Err(e) => app.note(&format!(
            "demo: the sample report could not be written: {}",
            e.message
        )),
    }
    Ok(())
}
