//! `sync::sync_profile` against the simulator: per-window commits with the cursor, resume
//! from the cursor, stop between windows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use meeting_core::Vendor;
use meeting_http::{RateLimit, SystecClient};
use meeting_sim::{Sim, SimConfig};
use meeting_store::{Archive, Writer};
use meeting_sync::Progress;
use meeting_sync::sync::{SyncClients, SyncError, SyncOptions, sync_profile};

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn client(sim: &meeting_sim::SimHandle) -> SystecClient {
    SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials(sim.api_key(), sim.api_secret())
        .rate_limit(RateLimit::per_second(0))
        .reports_rate_limit(RateLimit::per_second(0))
        .build()
        .unwrap()
}

/// Sets the stop flag once `after` windows are done (as Ctrl-C would).
struct StopAfter<'a> {
    after: u64,
    done: std::sync::atomic::AtomicU64,
    stop: &'a AtomicBool,
}

impl Progress for StopAfter<'_> {
    fn advance(&self, units: u64) {
        if self.done.fetch_add(units, Ordering::SeqCst) + units >= self.after {
            self.stop.store(true, Ordering::SeqCst);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_commit_with_the_cursor_and_a_stop_keeps_what_was_done() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::start(SimConfig::new(7, 200)).await.unwrap();
    let client = client(&sim);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    let writer = Arc::new(Writer::open(&path).unwrap());
    let ctx = meeting_core::Context::default();
    let clients = SyncClients::new(Some(&client), None);

    // The first sync needs a start.
    let stop = AtomicBool::new(false);
    let options = SyncOptions::new("acme", day("2024-03-31"));
    let r = sync_profile(
        &writer,
        clients,
        &ctx,
        &options,
        &meeting_sync::Quiet,
        &stop,
    )
    .await;
    assert!(matches!(r, Err(SyncError::NoStart { .. })), "{r:?}");

    // Stopped after the first of three windows: it is committed, with the cursor.
    let progress = StopAfter {
        after: 1,
        done: Default::default(),
        stop: &stop,
    };
    let options = options.since(Some(day("2024-01-01")));
    let report = sync_profile(&writer, clients, &ctx, &options, &progress, &stop)
        .await
        .unwrap();
    assert!(report.interrupted && report.is_partial(), "{report:?}");
    assert_eq!((report.windows_total, report.windows_done), (3, 1));
    assert_eq!(report.cursor_after, Some(day("2024-01-31")));
    let archive = Archive::open_read_only(&path).unwrap();
    let cursor = archive.cursor("acme", Vendor::Systec).unwrap().unwrap();
    assert_eq!(cursor.through, day("2024-01-31"));
    let run = archive.runs().unwrap().pop().unwrap();
    assert!(!run.complete && run.finished_at.is_some(), "{run:?}");
    assert_eq!(run.windows_done.len(), 1);
    let january = report.changes.new;
    assert!(january > 0);
    drop(archive);

    // Resumed from the cursor minus the look-back: February and March (and the last week
    // of January again, unchanged).
    stop.store(false, Ordering::SeqCst);
    let options = SyncOptions::new("acme", day("2024-03-31"));
    let report = sync_profile(
        &writer,
        clients,
        &ctx,
        &options,
        &meeting_sync::Quiet,
        &stop,
    )
    .await
    .unwrap();
    assert!(!report.is_partial(), "{report:?}");
    assert_eq!(report.span, Some((day("2024-01-24"), day("2024-03-31"))));
    assert_eq!(report.windows_done, 3);
    assert_eq!(report.cursor_after, Some(day("2024-03-31")));
    assert_eq!(report.changes.updated, 0, "{report:?}");
    let archive = Archive::open_read_only(&path).unwrap();
    assert!(archive.check().unwrap().is_empty());
    let held = archive.meetings(&meeting_store::Query::all()).count() as u64;
    assert_eq!(held, january + report.changes.new);
    // Every record keeps its profile.
    assert!(
        archive
            .info()
            .unwrap()
            .meetings
            .iter()
            .all(|m| m.profile == "acme")
    );
    drop(archive);
    Arc::try_unwrap(writer).unwrap().close().unwrap();
    sim.shutdown().await;
}
