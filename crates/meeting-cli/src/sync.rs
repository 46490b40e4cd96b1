//! `meeting sync`: a thin call of `meeting_sync::sync::sync_profile` per profile.
//!
//! Decisions:
//! - **Vendors.** A profile syncs Systec when it has Systec credentials and Quanshi when it
//!   has a Quanshi token and base URL; a profile with neither is a usage error (exit 2).
//! - **Profiles.** `--profile A --profile B` or `--all-profiles` (every profile of the
//!   config file) sync one after the other under one archive lock; every record keeps its
//!   profile, each profile has its own cursor.
//! - **Exclusive.** The archive's run lock (`<archive>.lock`) is held for the whole
//!   command; another sync waits `--wait` seconds (default 10), then exits 8.
//! - **Ctrl-C** stops within a moment: the window in flight is dropped (never half
//!   committed), what was kept is printed, and the exit code is 130; a second Ctrl-C exits
//!   at once (the archive stays consistent: a transaction is whole or absent).
//! - **Exit codes**: 4 when a vendor refused the credentials, 6 when a window or call
//!   failed (what it got is kept, the cursor did not move past it, the next sync fetches it
//!   again), 130 when interrupted, 8 busy.
//! - **`--summary FILE|-`**: written (atomically; `-` is stdout) whatever the outcome, once
//!   the arguments parse (an unknown profile, a busy archive included): `crate::summary`.
//! - **Before the archive**: every profile is resolved and must have a vendor before the
//!   archive is opened, so a sync that cannot run creates no archive.
//! - **`--until`** after the vendor's today is clamped to today, with a note: a cursor can
//!   never pass today.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use meeting_store::{RunLock, Writer};
use meeting_sync::Capture;
use meeting_sync::quanshi::Lookup;
use meeting_sync::sync::{SyncClients, SyncError, SyncOptions, SyncReport, sync_profile};
use serde::Serialize;

use crate::app::App;
use crate::cli::{LiveArgs, SyncArgs};
use crate::clients::{self, Tuning};
use crate::error::{CliError, Exit, Result, store_error};
use crate::runner::{Spinner, read_lookups};

/// The cron summary's figures: one object for the whole command (with `command`,
/// `exit_code`, `error` and `archive`, see `crate::summary`).
#[derive(Debug, Serialize)]
struct Summary<'a> {
    /// The days fetched (vendor zone), over every profile.
    span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    windows_total: u64,
    windows_done: u64,
    windows_failed: u64,
    requests: u64,
    records: u64,
    new: u64,
    updated: u64,
    unchanged: u64,
    interrupted: bool,
    /// Per profile.
    profiles: &'a [SyncReport],
}

pub(crate) fn run(app: &App<'_>, args: &SyncArgs) -> Result<()> {
    let profiles = profiles(app, args)?;
    let lookups = match &args.ids {
        Some(path) => read_lookups(path)?,
        None => Vec::new(),
    };
    let path = meeting_sync::archive::path(args.archive.as_deref()).map_err(|e| store_error(&e))?;
    if args.summary.is_some() {
        crate::summary::set("archive", path.display().to_string());
    }
    // Every profile can run before the archive is opened (or created): an unknown profile
    // or one without credentials is a usage error that leaves no archive behind.
    for name in &profiles {
        let settings = if *name == app.settings.profile_name {
            app.settings.clone()
        } else {
            crate::config::resolve(app.g.config.as_deref(), Some(name))?
        };
        check_vendors(name, &settings, &lookups)?;
    }
    let _lock =
        RunLock::acquire(&path, Duration::from_secs(args.wait)).map_err(|e| store_error(&e))?;
    let writer = Arc::new(Writer::open(&path).map_err(|e| store_error(&e))?);
    let stop = Arc::new(AtomicBool::new(false));
    let live = LiveArgs {
        raw: false,
        show_secrets: false,
        save_raw: None,
        no_progress: args.no_progress,
    };
    let mut reports: Vec<SyncReport> = Vec::new();
    let outcome = sync_all(
        app,
        args,
        &profiles,
        &lookups,
        &writer,
        &stop,
        &live,
        &mut reports,
    );
    let closed = match Arc::try_unwrap(writer) {
        Ok(w) => w.close().map_err(|e| store_error(&e)),
        Err(_) => Ok(()),
    };
    let outcome = outcome.and(closed);
    for r in &reports {
        app.note(&summary_line(r));
    }
    let outcome = outcome.and_then(|()| verdict(&reports));
    if args.summary.is_some() {
        record_summary(&reports);
    }
    outcome
}

/// A profile that can sync nothing (no Systec credentials, no Quanshi token and base URL),
/// or `--ids` without Quanshi, is a usage error.
fn check_vendors(name: &str, s: &crate::config::Settings, lookups: &[Lookup]) -> Result<()> {
    let systec = s.systec_api_key.is_some() && s.systec_api_secret.is_some();
    let quanshi = s.quanshi_token.is_some() && s.quanshi_base_url.is_some();
    if !systec && !quanshi {
        return Err(CliError::usage(format!(
            "profile `{name}` has no vendor configured: set SYSTEC_API_KEY and SYSTEC_API_SECRET (or QUANSHI_TOKEN and QUANSHI_BASE_URL), or add them with `meeting config init --profile {name}`; no archive was opened"
        )));
    }
    if !quanshi && !lookups.is_empty() {
        return Err(CliError::usage(format!(
            "--ids: profile `{name}` has no Quanshi token and base URL (QUANSHI_TOKEN, QUANSHI_BASE_URL)"
        )));
    }
    Ok(())
}

/// The profiles to sync: `--all-profiles`, else every `--profile`, else the active one.
fn profiles(app: &App<'_>, args: &SyncArgs) -> Result<Vec<String>> {
    if args.all_profiles {
        // MEETING_PROFILE gives way to the flag, as every variable does.
        if !app.g.profile.is_empty() && !app.g.profile_from_env {
            return Err(CliError::usage(
                "--all-profiles and --profile do not go together: give one or the other",
            ));
        }
        let names: Vec<String> = crate::config::load_file(&app.settings.path)?
            .into_keys()
            .collect();
        if names.is_empty() {
            return Err(CliError::usage(format!(
                "--all-profiles: no profiles in {} (create one with `meeting config init --profile NAME`)",
                app.settings.path.display()
            )));
        }
        return Ok(names);
    }
    let mut names: Vec<String> = Vec::new();
    for p in &app.g.profile {
        if !names.contains(p) {
            names.push(p.clone());
        }
    }
    if names.is_empty() {
        names.push(app.settings.profile_name.clone());
    }
    Ok(names)
}

/// Syncs every profile in turn; reports are pushed as they finish.
#[allow(clippy::too_many_arguments)]
fn sync_all(
    app: &App<'_>,
    args: &SyncArgs,
    profiles: &[String],
    lookups: &[Lookup],
    writer: &Arc<Writer>,
    stop: &Arc<AtomicBool>,
    live: &LiveArgs,
    reports: &mut Vec<SyncReport>,
) -> Result<()> {
    let rt = App::runtime()?;
    {
        let stop = Arc::clone(stop);
        let quiet = app.g.quiet;
        rt.spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, Ordering::SeqCst);
                if !quiet {
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "stopping: the window in flight is dropped, the windows committed are kept (Ctrl-C again exits at once; the archive stays consistent)"
                    );
                }
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(i32::from(Exit::Interrupted.code()));
                }
            }
        });
    }
    for name in profiles {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let settings = if *name == app.settings.profile_name {
            app.settings.clone()
        } else {
            crate::config::resolve(app.g.config.as_deref(), Some(name))?
        };
        let profile_app = App::new(app.g, settings)?;
        let progress = profile_app.progress(live);
        // The bar shows windows done / total with an ETA; its message the running tally
        // (records, requests, new meetings) after each window.
        let capture = Capture::none();
        let tuning = Tuning::from_settings(&profile_app.settings);
        let s = &profile_app.settings;
        let systec = if s.systec_api_key.is_some() && s.systec_api_secret.is_some() {
            Some(clients::systec_client(
                s,
                tuning,
                &capture,
                profile_app.vendor_tz,
            )?)
        } else {
            None
        };
        let quanshi = if s.quanshi_token.is_some() && s.quanshi_base_url.is_some() {
            Some(clients::quanshi_client(s, tuning, &capture)?)
        } else {
            None
        };
        check_vendors(name, &profile_app.settings, lookups)?;
        // The vendor's today: a cursor can never pass it.
        let today = chrono::Utc::now()
            .with_timezone(&profile_app.vendor_tz)
            .date_naive();
        let (until, clamped) = meeting_sync::dates::clamp_until(args.until, today);
        if let Some(note) = clamped {
            app.note(&note);
        }
        let options = SyncOptions::new(name.clone(), until)
            .since(args.since)
            .lookback_days(args.lookback)
            .quanshi_ids(lookups.to_vec());
        let spinner = Spinner(progress.clone());
        let result = rt.block_on(sync_profile(
            writer,
            SyncClients::new(systec.as_ref(), quanshi.as_ref()),
            &profile_app.ctx,
            &options,
            &spinner,
            stop,
        ));
        progress.finish_and_clear();
        match result {
            Ok(report) => {
                let auth = report.auth_failed;
                reports.push(report);
                if auth {
                    break;
                }
            }
            Err(SyncError::Store(e)) => return Err(store_error(&e)),
            Err(e @ (SyncError::NoStart { .. } | SyncError::EmptyRange { .. })) => {
                return Err(CliError::usage(e.to_string()));
            }
            Err(e) => return Err(CliError::data(e.to_string())),
        }
    }
    rt.shutdown_background();
    Ok(())
}

/// The exit code of the reports: 4 credentials, 130 interrupted, 6 failures, else 0.
fn verdict(reports: &[SyncReport]) -> Result<()> {
    if let Some(r) = reports.iter().find(|r| r.auth_failed) {
        let first = r.failures.first().cloned().unwrap_or_default();
        return Err(CliError::new(
            Exit::Auth,
            format!(
                "profile `{}`: the vendor refused the credentials ({first}). Check them with `meeting config check --profile {}`; what was fetched before is kept.",
                r.profile, r.profile
            ),
        ));
    }
    if let Some(r) = reports.iter().find(|r| r.interrupted) {
        return Err(CliError::interrupted(&format!(
            "the sync stopped; {} window(s) of profile `{}` are committed{}. Run `meeting sync` again to resume.",
            r.windows_done + r.windows_failed,
            r.profile,
            r.cursor_after
                .map(|c| format!(", its Systec cursor is at {c}"))
                .unwrap_or_default()
        )));
    }
    let failed: Vec<&String> = reports.iter().flat_map(|r| &r.failures).collect();
    if !failed.is_empty() {
        let details: Vec<String> = failed
            .iter()
            .take(20)
            .map(|f| format!("  - {}", crate::app::escape(f)))
            .collect();
        return Err(CliError::new(
            Exit::Partial,
            format!(
                "{} call(s) failed; what the windows got is kept, the cursor did not move past them, and the next `meeting sync` fetches them again:\n{}",
                failed.len(),
                details.join("\n")
            ),
        ));
    }
    Ok(())
}

/// One line per profile: what changed and where the cursor is.
fn summary_line(r: &SyncReport) -> String {
    format!(
        "sync {}: {}{} of {} windows complete{}; {} records in {} requests; meetings: {} new, {} updated, {} unchanged{}{}",
        r.profile,
        r.span
            .map(|(f, t)| format!("Systec {f}..{t}, "))
            .unwrap_or_default(),
        r.windows_done,
        r.windows_total,
        if r.windows_failed > 0 {
            format!(" ({} failed)", r.windows_failed)
        } else {
            String::new()
        },
        r.records,
        r.requests,
        r.changes.new,
        r.changes.updated,
        r.changes.unchanged,
        r.cursor_after
            .map(|c| format!("; cursor {c}"))
            .unwrap_or_default(),
        if r.interrupted { "; interrupted" } else { "" },
    )
}

/// Records the run's figures for `--summary` (written by `main` with the exit code).
fn record_summary(reports: &[SyncReport]) {
    let span = reports
        .iter()
        .filter_map(|r| r.span)
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    let sum = |f: fn(&SyncReport) -> u64| reports.iter().map(f).sum::<u64>();
    let summary = Summary {
        span,
        windows_total: sum(|r| r.windows_total),
        windows_done: sum(|r| r.windows_done),
        windows_failed: sum(|r| r.windows_failed),
        requests: sum(|r| r.requests),
        records: sum(|r| r.records),
        new: sum(|r| r.changes.new),
        updated: sum(|r| r.changes.updated),
        unchanged: sum(|r| r.changes.unchanged),
        interrupted: reports.iter().any(|r| r.interrupted),
        profiles: reports,
    };
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(&summary) {
        for (k, v) in fields {
            crate::summary::set(&k, v);
        }
    }
}
