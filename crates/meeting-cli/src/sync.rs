//! `meeting sync`: a thin call of `meeting_sync::sync::sync_profiles` (each profile in turn).
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
//! - **Exit codes** (`meeting_sync::sync::verdict`): 4 when a vendor refused the
//!   credentials, 9 when it answered a request with its own failure (7 when that says not
//!   found), 6 when a window or call failed otherwise (what it got is kept, the cursor did
//!   not move past it, the next sync fetches it again), 130 when interrupted, 8 busy.
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

use meeting_sync::sync::{
    PlanError, ProfilesError, SyncArchive, SyncAsk, SyncError, SyncReport, SyncTotals, SyncVerdict,
    sync_profiles,
};

use crate::app::App;
use crate::cli::{LiveArgs, SyncArgs};
use crate::error::{CliError, Result, exit_code, store_error};
use crate::runner::Spinner;
use meeting_sync::failure::FailureClass;

pub(crate) fn run(app: &App<'_>, args: &SyncArgs) -> Result<()> {
    // MEETING_PROFILE gives way to --all-profiles, as every variable does to a flag.
    if args.all_profiles && !app.g.profile.is_empty() && !app.g.profile_from_env {
        return Err(CliError::usage(
            "--all-profiles and --profile do not go together: give one or the other",
        ));
    }
    let plan = meeting_sync::sync::plan(
        &app.settings,
        &SyncAsk {
            all_profiles: args.all_profiles,
            profiles: &app.g.profile,
            lookups: args.ids.as_deref(),
            archive: args.archive.as_deref(),
            zones: (app.g.vendor_tz.as_deref(), app.g.tz.as_deref()),
            since: args.since,
            until: args.until,
            lookback_days: args.lookback,
        },
    )
    .map_err(|e| match e {
        PlanError::Store(e) => store_error(&e),
        PlanError::Config(e) => e.into(),
        e => CliError::usage(e.to_string()),
    })?;
    if args.summary.is_some() {
        crate::summary::set("archive", plan.archive.display().to_string());
    }
    let archive = SyncArchive::open(&plan.archive, Duration::from_secs(args.wait))
        .map_err(|e| store_error(&e))?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut reports: Vec<SyncReport> = Vec::new();
    let outcome = (|| {
        let rt = App::runtime()?;
        ctrl_c(&rt, &stop, app.g.quiet);
        // The bar shows windows done / total with an ETA; its message the running tally
        // (records, requests, new meetings) after each window.
        let progress = app.progress(&LiveArgs {
            raw: false,
            show_secrets: false,
            save_raw: None,
            no_progress: args.no_progress,
        });
        let result = rt.block_on(sync_profiles(
            archive.writer(),
            &plan.profiles,
            &plan.request,
            &Spinner(progress.clone()),
            &mut |text: &str| app.note(text),
            &stop,
            &mut reports,
        ));
        progress.finish_and_clear();
        rt.shutdown_background();
        result.map_err(|e| match e {
            ProfilesError::Sync(SyncError::Store(e)) => store_error(&e),
            ProfilesError::Sync(e @ (SyncError::NoStart { .. } | SyncError::EmptyRange { .. })) => {
                CliError::usage(e.to_string())
            }
            ProfilesError::Client(e) => e.into(),
            e => CliError::data(e.to_string()),
        })
    })();
    let outcome = outcome.and(archive.close().map_err(|e| store_error(&e)));
    for r in &reports {
        app.note(&r.to_string());
    }
    let outcome = outcome.and_then(|()| verdict(&reports));
    if args.summary.is_some()
        && let Ok(serde_json::Value::Object(fields)) =
            serde_json::to_value(SyncTotals::new(&reports))
    {
        for (k, v) in fields {
            crate::summary::set(&k, v);
        }
    }
    outcome
}

/// Ctrl-C sets `stop` (the window in flight is dropped); a second one exits at once.
fn ctrl_c(rt: &tokio::runtime::Runtime, stop: &Arc<AtomicBool>, quiet: bool) {
    let stop = Arc::clone(stop);
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
                std::process::exit(i32::from(exit_code(FailureClass::Interrupted)));
            }
        }
    });
}

/// The exit code of the reports: 4 credentials, 130 interrupted, 9 a vendor's refusal,
/// 7 not found, 6 other failures, else 0 (`meeting_sync::sync::verdict`).
fn verdict(reports: &[SyncReport]) -> Result<()> {
    let (class, failures) = match meeting_sync::sync::verdict(reports) {
        SyncVerdict::AuthRefused(r) => {
            let first = r.failures.first().cloned().unwrap_or_default();
            return Err(CliError::new(
                FailureClass::Auth,
                format!(
                    "profile `{}`: the vendor refused the credentials ({first}). Check them with `meeting config check --profile {}`; what was fetched before is kept.",
                    r.profile, r.profile
                ),
            ));
        }
        SyncVerdict::Interrupted(r) => {
            return Err(CliError::interrupted(&format!(
                "the sync stopped; {} window(s) of profile `{}` are committed{}. Run `meeting sync` again to resume.",
                r.windows_done + r.windows_failed,
                r.profile,
                r.cursor_after
                    .map(|c| format!(", its Systec cursor is at {c}"))
                    .unwrap_or_default()
            )));
        }
        SyncVerdict::Failed { class, failures } => (class, failures),
        _ => return Ok(()),
    };
    let n = failures.len();
    let (exit, what) = match class {
        FailureClass::Refused => (
            FailureClass::Refused,
            format!(
                "the vendor refused the request ({n} call(s), its status and text quoted below; retrying the same request will not help: check the account's permissions and the profile's base URL)"
            ),
        ),
        FailureClass::NotFound => (
            FailureClass::NotFound,
            format!(
                "the vendor does not know what was asked for ({n} call(s), quoted below: check the ids and the profile's base URL and paths)"
            ),
        ),
        _ => (FailureClass::Partial, format!("{n} call(s) failed")),
    };
    let details: Vec<String> = failures
        .iter()
        .take(20)
        .map(|f| format!("  - {}", crate::app::escape(f)))
        .collect();
    Err(CliError::new(
        exit,
        format!(
            "{what}; what the windows got is kept, the cursor did not move past them, and the next `meeting sync` fetches them again:\n{}",
            details.join("\n")
        ),
    ))
}
