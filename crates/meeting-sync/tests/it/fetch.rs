//! The fetch jobs against the simulator, over real HTTP on loopback.

use std::collections::BTreeSet;

use meeting_core::Source;
use meeting_core::query::merge_sorted;
use meeting_http::{RateLimit, SystecClient};
use meeting_sim::{Sim, SimConfig};
use meeting_sync::{Batch, Capture, Fetched, Quiet, quanshi, systec};
use systec_model::DateWindow;

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn client(sim: &meeting_sim::SimHandle, capture: &Capture) -> SystecClient {
    SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials(sim.api_key(), sim.api_secret())
        .rate_limit(RateLimit::per_second(0))
        .reports_rate_limit(RateLimit::per_second(0))
        .raw_capture(capture.hook())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_range_hands_over_window_batches_in_order() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::start(SimConfig::new(7, 300)).await.unwrap();
    let saved = tempfile::tempdir().unwrap();
    let capture = Capture::none().save_to(&saved.path().join("run")).unwrap();
    let client = client(&sim, &capture);
    let ctx = meeting_core::Context::default();
    let range = systec::FetchRange::new(day("2024-01-20"), day("2024-02-10"));
    let mut batches: Vec<Batch> = Vec::new();
    let summary = systec::fetch_range(&client, &ctx, &range, &Quiet, &mut |b| batches.push(b))
        .await
        .unwrap();

    let shape: Vec<(Source, Option<chrono::NaiveDate>)> = batches
        .iter()
        .map(|b| (b.endpoint, b.window.map(|w| w.from())))
        .collect();
    assert_eq!(
        shape[..4],
        [
            (Source::SystecHisMeeting, Some(day("2024-01-20"))),
            (Source::SystecHisMeeting, Some(day("2024-02-01"))),
            (Source::SystecDetail, Some(day("2024-01-20"))),
            (Source::SystecDetail, Some(day("2024-02-01"))),
        ]
    );
    // Then one batch per reports request.
    assert!(shape.len() > 4);
    assert!(
        shape[4..]
            .iter()
            .all(|s| *s == (Source::SystecReports, None))
    );
    assert!(batches.iter().all(Batch::is_complete));
    assert_eq!(summary.batches_done, batches.len() as u64);
    assert_eq!(summary.batches_failed, 0);
    assert_eq!(summary.span, Some((day("2024-01-20"), day("2024-02-10"))));
    let received: usize = batches.iter().map(|b| b.meetings.len()).sum();
    assert_eq!(summary.total_records(), received as u64);
    assert_eq!(summary.requests, client.requests_sent());
    assert_eq!(
        capture.responses(),
        summary.requests,
        "no retries without faults"
    );

    // Every occurrence the simulator holds for the range is there, once, after merging.
    let truth = sim.truth();
    let mut expected = BTreeSet::new();
    for w in DateWindow::new(range.from, range.to)
        .unwrap()
        .split_by_month()
    {
        for d in truth.detail(&w, None) {
            expected.insert(format!("systec:{}", d.uuid.unwrap().as_str()));
        }
    }
    let fetched: Vec<_> = batches.into_iter().flat_map(|b| b.meetings).collect();
    let merged = merge_sorted(fetched);
    let keys: BTreeSet<String> = merged
        .iter()
        .filter(|m| !m.key.starts_with("systec:stub:"))
        .map(|m| m.key.clone())
        .collect();
    assert!(
        expected.is_subset(&keys),
        "every detail occurrence is fetched"
    );
    // The saved run replays to the same records.
    let files = std::fs::read_dir(saved.path().join("run")).unwrap().count() as u64;
    assert_eq!(files, summary.requests);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_stops_after_its_phase() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::start(SimConfig::new(7, 50)).await.unwrap();
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials(sim.api_key(), "wrong")
        .rate_limit(RateLimit::per_second(0))
        .build()
        .unwrap();
    let mut fetched = Fetched::default();
    let range = systec::FetchRange::new(day("2024-01-01"), day("2024-02-29"));
    let summary = systec::fetch_range(
        &client,
        &meeting_core::Context::default(),
        &range,
        &Quiet,
        &mut |b| fetched.push(b),
    )
    .await
    .unwrap();
    assert!(fetched.auth_failed());
    assert_eq!(
        summary.batches_failed, 2,
        "the two history windows, then it stops"
    );
    assert!(fetched.meetings.is_empty());
    sim.shutdown().await;
}

#[test]
fn an_empty_range_is_refused_before_any_call() {
    let range = systec::FetchRange::new(day("2024-02-01"), day("2024-01-01"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let client = SystecClient::builder()
        .credentials("k", "s")
        .build()
        .unwrap();
    let r = rt.block_on(systec::fetch_range(
        &client,
        &meeting_core::Context::default(),
        &range,
        &Quiet,
        &mut |_| {},
    ));
    assert!(matches!(r, Err(systec::JobError::EmptyRange { .. })));
    assert_eq!(client.requests_sent(), 0);
}

#[test]
fn lookups_read_links_and_ids() {
    let list = quanshi::Lookup::parse_lines("# ids\n56039682\n\n https://q.example/j/1 \n");
    assert_eq!(
        list,
        [
            quanshi::Lookup::TempId("56039682".into()),
            quanshi::Lookup::JoinLink("https://q.example/j/1".into()),
        ]
    );
    assert!(
        !format!("{list:?}").contains("q.example"),
        "links never printed"
    );
}

/// Under heavy faults, what was received is kept and what failed is named batch by batch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_batches_keep_what_was_received() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config =
        SimConfig::new(11, 400).with_faults(meeting_sim::FaultConfig::parse("5xx=0.4").unwrap());
    let sim = Sim::start(config).await.unwrap();
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials(sim.api_key(), sim.api_secret())
        .rate_limit(RateLimit::per_second(0))
        .reports_rate_limit(RateLimit::per_second(0))
        .retry(meeting_http::RetryPolicy::default().max_attempts(1))
        .build()
        .unwrap();
    let mut fetched = Fetched::default();
    let range = systec::FetchRange::new(day("2024-01-01"), day("2024-03-31"));
    let summary = systec::fetch_range(
        &client,
        &meeting_core::Context::default(),
        &range,
        &Quiet,
        &mut |b| fetched.push(b),
    )
    .await
    .unwrap();
    assert!(summary.batches_failed > 0, "{summary:?}");
    assert!(summary.batches_done > 0, "{summary:?}");
    assert_eq!(summary.failures, fetched.errors.len() as u64);
    assert!(!fetched.meetings.is_empty(), "received records are kept");
    for e in &fetched.errors {
        let ctx = e.context();
        assert!(
            ctx.window.is_some() || ctx.batch.is_some(),
            "every failure names its window or batch: {e}"
        );
    }
    sim.shutdown().await;
}
