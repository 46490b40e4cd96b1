//! `meeting demo`: the main job against the built-in simulator, on loopback, no credentials.

use std::io::Write;

use chrono::NaiveDate;
use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_sim::{Sim, SimConfig};
use meeting_sync::{Fetched, quanshi, systec};

use crate::app::App;
use crate::cli::{DemoArgs, OutputFormat};
use crate::clients::{self, Tuning};
use crate::config::{Profile, Settings};
use crate::error::{CliError, Exit, Result};
use crate::live::{self, Spinner};

/// The simulator's seed and size: a few hundred meetings over January–March 2024.
const SEED: u64 = 7;
const MEETINGS: usize = 300;

pub(crate) fn run(app: &App<'_>, args: &DemoArgs) -> Result<()> {
    let from = NaiveDate::from_ymd_opt(2024, 1, 20).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(2024, 2, 10).unwrap_or_default();
    let progress = app.progress(&args.live);
    let capture = live::capture(&args.output, &args.live, &progress)?;
    let started = std::time::Instant::now();
    let spinner = Spinner(progress.clone());
    let (fetched, summary) = live::block_on("the demo", async {
        let mut config = SimConfig::new(SEED, MEETINGS);
        config.vendor_zone = app.vendor_tz;
        let sim = Sim::start(config).await.map_err(|e| {
            CliError::new(
                Exit::Unavailable,
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
        // Loopback: no client-side rate limits.
        let tuning = Tuning {
            rate_limit: Some(0),
            reports_rate_limit: Some(0),
            page_size: None,
            concurrency: None,
            max_attempts: None,
        };
        let systec = clients::systec_client(&settings, tuning, &capture, app.vendor_tz)?;
        let quanshi = clients::quanshi_client(&settings, tuning, &capture)?;
        let mut all = Fetched::default();
        let range = systec::FetchRange::for_days(from, to, app.tz, app.vendor_tz);
        let started = capture.start_run("demo", Some((from, to)), Some(app.tz.name()));
        systec::fetch_range(&systec, &app.ctx, &range, &spinner, &mut |mut b| {
            capture.record_batch(&b);
            live::observed_at_start(&mut b, started);
            all.push(b);
        })
        .await
        .map_err(|e| CliError::usage(e.to_string()))?;
        let systec_records = all.meetings.len();
        let truth = sim.truth();
        progress.set_prefix("quanshi");
        let mut quanshi_found = 0;
        if let Some(link) = truth.quanshi_join_urls().first() {
            let mut batch = quanshi::conference(&quanshi, &app.ctx, link).await;
            live::observed_at_start(&mut batch, started);
            quanshi_found += batch.meetings.len();
            capture.record_batch(&batch);
            all.push(batch);
        }
        if let Some(id) = truth.dashboard_ids().first() {
            let mut batch = quanshi::info(&quanshi, &app.ctx, id).await;
            live::observed_at_start(&mut batch, started);
            quanshi_found += batch.meetings.len();
            capture.record_batch(&batch);
            all.push(batch);
        }
        capture.finish_run(all.errors.is_empty());
        let requests = systec.requests_sent() + quanshi.requests_sent();
        let base = sim.systec_base_url();
        sim.shutdown().await;
        let summary = format!(
            "demo: simulator on {base} (seed {SEED}, {MEETINGS} meetings, January-March 2024)\n\
             demo: Systec fetch {from}..{to} (two calendar months): {systec_records} records from history, detail and reports; \
             Quanshi: {quanshi_found} records (one join link, one dashboard id); {requests} requests",
        );
        Ok::<_, CliError>((all, summary))
    })??;
    progress.finish_and_clear();
    app.note(&summary);
    let merged = crate::offline::merge_noting(app, fetched.meetings.clone());
    app.note(&format!(
        "demo: {} meetings after merging by key, in {:.1} s",
        merged.len(),
        started.elapsed().as_secs_f64()
    ));
    sample_report(app, &merged, from, to, &args.output)?;
    // In table mode, a summary per room follows the meetings.
    if matches!(
        app.format(&args.output),
        OutputFormat::Table | OutputFormat::Wide
    ) && !args.live.raw
    {
        let mut agg = Aggregate::compute(&merged, GroupBy::Room, app.tz);
        if let Some(masker) = app.masker(&args.output)? {
            masker.mask_aggregate(&mut agg, &merged);
        }
        let render = app.render(&args.output, args.rows.rows);
        let after = move |w: &mut dyn Write| -> std::io::Result<()> {
            writeln!(w)?;
            writeln!(w, "Summary per room (meeting stats --by room):")?;
            meeting_report::write_aggregate(w, &agg, &render)
        };
        if let Some(e) = fetched.errors.first() {
            return Err(CliError::http(e));
        }
        live::check_saved(&capture)?;
        return crate::output::emit(app, merged, &args.output, &args.rows, Some(&after));
    }
    live::finish(
        app,
        fetched,
        &capture,
        &meeting_core::query::Filter::new(app.tz),
        &args.output,
        &args.rows,
        &args.live,
    )
}

/// The demo's finance report (`meeting report`), as a self-contained HTML page in the
/// temporary directory; where it went is a note. A page that cannot be written is a note
/// too: the demo's own output does not depend on it.
fn sample_report(
    app: &App<'_>,
    merged: &[meeting_core::Meeting],
    from: NaiveDate,
    to: NaiveDate,
    output: &crate::cli::OutputArgs,
) -> Result<()> {
    use meeting_report::report::{Report, ReportOptions, write_html};
    let options = ReportOptions::new(from, to, app.vendor_tz, chrono::Utc::now());
    let masker = app.masker(output)?;
    let report = Report::build(merged, None, &options, masker.as_ref());
    let path = std::env::temp_dir().join("meeting-demo-report.html");
    match write_html(&report)
        .map_err(|e| e.to_string())
        .and_then(|page| std::fs::write(&path, page).map_err(|e| e.to_string()))
    {
        Ok(()) => app.note(&format!(
            "demo: a sample finance report (meeting report --from {from} --to {to} --out report.html) is in {}",
            path.display()
        )),
        Err(e) => app.note(&format!(
            "demo: the sample report could not be written to {}: {e}",
            path.display()
        )),
    }
    Ok(())
}
