//! `meeting demo`: the main job against the built-in simulator, on loopback, no credentials.

use std::io::Write;

use chrono::NaiveDate;
use meeting_sim::{Sim, SimConfig};

use crate::App;
use crate::cli::{GroupBy, OutputFormat};
use crate::config::{Profile, Settings};
use crate::error::{CliError, Exit, Result};
use crate::fetch::{self, Capture, Fetched, Tuning};

/// The simulator's seed and size: a few hundred meetings over January–March 2024.
const SEED: u64 = 7;
const MEETINGS: usize = 300;

pub(crate) fn run(app: &App<'_>) -> Result<()> {
    let from = NaiveDate::from_ymd_opt(2024, 1, 20).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(2024, 2, 10).unwrap_or_default();
    let progress = app.progress();
    let capture = if app.g.raw {
        if matches!(app.g.output, Some(OutputFormat::Table | OutputFormat::Csv)) {
            return Err(CliError::usage(
                "--raw prints vendor JSON bodies: use it with -o json or -o jsonl",
            ));
        }
        Capture::new(app.g.save_raw.as_deref(), true, progress.clone())?
    } else {
        Capture::new(app.g.save_raw.as_deref(), false, progress.clone())?
    };
    let rt = App::runtime()?;
    let started = std::time::Instant::now();
    let (fetched, summary) = rt.block_on(async {
        let mut config = SimConfig::new(SEED, MEETINGS);
        config.vendor_zone = app.vendor_tz;
        let sim = Sim::start(config)
            .await
            .map_err(|e| CliError::new(Exit::Unavailable, format!("cannot start the simulator: {e}")))?;
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
        let systec = fetch::systec_client(&settings, tuning, &capture)?;
        let quanshi = fetch::quanshi_client(&settings, tuning, &capture)?;
        let mut all = fetch::systec_fetch(&systec, &app.ctx, from, to, None, &progress).await;
        let systec_records = all.meetings.len();
        let truth = sim.truth();
        progress.set_prefix("quanshi");
        let mut quanshi_found = 0;
        if let Some(link) = truth.quanshi_join_urls().first() {
            let q = fetch::quanshi_conference(&quanshi, &app.ctx, link).await;
            quanshi_found += q.meetings.len();
            absorb(&mut all, q);
        }
        if let Some(id) = truth.dashboard_ids().first() {
            let q = fetch::quanshi_info(&quanshi, &app.ctx, id).await;
            quanshi_found += q.meetings.len();
            absorb(&mut all, q);
        }
        let requests = systec.requests_sent() + quanshi.requests_sent();
        let base = sim.systec_base_url();
        sim.shutdown().await;
        let summary = format!(
            "demo: simulator on {base} (seed {SEED}, {MEETINGS} meetings, January-March 2024)\n\
             demo: Systec fetch {from}..{to} (two calendar months): {systec_records} records from history, detail and reports; \
             Quanshi: {quanshi_found} records (one join link, one dashboard id); {requests} requests",
        );
        Ok::<_, CliError>((all, summary))
    })?;
    progress.finish_and_clear();
    app.note(&summary);
    let merged = crate::merge_sorted(fetched.meetings.clone());
    app.note(&format!(
        "demo: {} meetings after merging by key, in {:.1} s",
        merged.len(),
        started.elapsed().as_secs_f64()
    ));
    // In table mode, a summary per room follows the meetings.
    if app.render().format == OutputFormat::Table && !app.g.raw {
        let mut for_stats = merged;
        if app.g.mask_pii {
            for_stats.iter_mut().for_each(crate::mask::mask_meeting);
        }
        let (list, total) = crate::stats::compute(&for_stats, GroupBy::Room, app.tz);
        let render = app.render();
        let tz = app.tz;
        let extra = move |w: &mut dyn Write| -> std::io::Result<()> {
            writeln!(w)?;
            writeln!(w, "Summary per room (meeting stats --by room):")?;
            crate::write_stats_to(w, &render, GroupBy::Room, tz, &list, &total)
        };
        let Fetched { meetings, errors } = fetched;
        if let Some(e) = errors.first() {
            return Err(CliError::http(e));
        }
        capture.check_saved()?;
        return app.emit(crate::merge_sorted(meetings), Some(&extra));
    }
    app.finish_live(fetched, &capture, None)
}

fn absorb(all: &mut Fetched, other: Fetched) {
    all.meetings.extend(other.meetings);
    all.errors.extend(other.errors);
}
