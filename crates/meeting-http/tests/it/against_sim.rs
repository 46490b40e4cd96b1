//! Whole ranges against the simulator, compared record for record with its ground truth.

use crate::quick_retry;
use chrono::NaiveDate;
use futures::TryStreamExt;
use meeting_http::{QuanshiClient, SystecClient};
use meeting_sim::{FaultConfig, FaultKind, Sim, SimConfig, SimHandle};
use std::time::Duration;
use systec_model::{DateWindow, DetailQuery, ReportEntry};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn client(sim: &SimHandle, timeout: Duration) -> SystecClient {
    client_with_pages(sim, timeout, 25)
}

fn client_with_pages(sim: &SimHandle, timeout: Duration, page_size: u32) -> SystecClient {
    let c = sim.credentials();
    SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials_from(c)
        .retry(quick_retry().max_attempts(12))
        .rate_limit(None)
        .reports_rate_limit(None)
        .concurrency(4)
        .page_size(page_size)
        .timeouts(timeout, timeout, timeout)
        .build()
        .unwrap()
}

/// The whole Jan 15 – Mar 10 range: three windows, many pages each.
fn range() -> (NaiveDate, NaiveDate) {
    (d("2024-01-15"), d("2024-03-10"))
}

async fn detail_matches_truth(sim: &SimHandle, client: &SystecClient) -> usize {
    let (from, to) = range();
    let got: Vec<_> = client
        .detail(
            DetailQuery::new()
                .from(from)
                .to(to)
                .show_participants(true)
                .show_telephony_usage(true),
        )
        .try_collect()
        .await
        .unwrap();
    let truth = sim.truth();
    let expected: Vec<_> = DateWindow::new(from, to)
        .unwrap()
        .split_by_month()
        .flat_map(|w| truth.detail(&w, None))
        .collect();
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "record {i} differs");
    }
    got.len()
}

#[tokio::test]
async fn detail_history_and_reports_match_the_ground_truth() {
    let sim = Sim::start(SimConfig::new(11, 900)).await.unwrap();
    let client = client(&sim, Duration::from_secs(5));
    let n = detail_matches_truth(&sim, &client).await;
    assert!(n > 300, "only {n} meetings in range");

    let (from, to) = range();
    let history: Vec<_> = client.his_meetings(from, to).try_collect().await.unwrap();
    let truth = sim.truth();
    let expected: Vec<_> = DateWindow::new(from, to)
        .unwrap()
        .split_by_month()
        .flat_map(|w| truth.his_meetings(&w))
        .collect();
    assert_eq!(history, expected);

    let uuids: Vec<_> = history
        .iter()
        .take(60)
        .filter_map(|h| h.uuid.clone())
        .collect();
    let reports = client.reports(uuids.clone()).await.unwrap();
    assert_eq!(reports.len(), uuids.len());
    for (uuid, got) in uuids.iter().zip(&reports) {
        let want = truth.report(uuid.as_str()).unwrap();
        match (got, &want) {
            (ReportEntry::Stub(g), ReportEntry::Stub(w)) => assert_eq!(g, w),
            (ReportEntry::Report(g), ReportEntry::Report(w)) => {
                assert_eq!(g.uuid, w.uuid);
                // The server lists at most 100 participants; the truth has them all.
                let listed = g.participants().len();
                assert_eq!(g.participants(), &w.participants()[..listed]);
                assert_eq!(g.participants_count, Some(w.participants().len() as u64));
            }
            _ => panic!("{uuid}: got {got:?}, want {want:?}"),
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn every_transient_fault_is_recovered_from() {
    let faults = FaultConfig::none()
        .with(FaultKind::ServerError, 0.08)
        .with(FaultKind::TooManyRequests, 0.08)
        .with(FaultKind::RateLimit, 0.08)
        .with(FaultKind::Drop, 0.08)
        .with(FaultKind::Truncate, 0.08)
        .with(FaultKind::Slow, 0.03)
        .with(FaultKind::Drift, 0.08);
    let mut faults = faults;
    faults.slow_delay = Duration::from_secs(3);
    faults.retry_after_secs = 0;
    let sim = Sim::start(SimConfig::new(12, 700).with_faults(faults))
        .await
        .unwrap();
    let client = client_with_pages(&sim, Duration::from_millis(600), 8);
    detail_matches_truth(&sim, &client).await;
    let counts = sim.fault_counts();
    for kind in FaultKind::ALL {
        assert!(
            counts.get(&kind).copied().unwrap_or(0) > 0,
            "{kind:?} never injected: {counts:?}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_fail_at_once_even_with_every_fault_on() {
    let sim = Sim::start(SimConfig::new(13, 50).with_faults(FaultConfig::all(1.0)))
        .await
        .unwrap();
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials("wrong", "wrong")
        .retry(quick_retry())
        .rate_limit(None)
        .build()
        .unwrap();
    let err = client
        .detail_page(&DetailQuery::new().from(d("2024-01-01")).to(d("2024-01-31")))
        .await
        .unwrap_err();
    assert!(err.is_authentication(), "{err}");
    assert_eq!((err.attempts(), sim.requests().len()), (1, 1));
    sim.shutdown().await;
}

#[tokio::test]
async fn exhausted_attempts_are_reported_clearly() {
    let sim = Sim::start(
        SimConfig::new(14, 50).with_faults(FaultConfig::none().with(FaultKind::ServerError, 1.0)),
    )
    .await
    .unwrap();
    let client = client(&sim, Duration::from_secs(2));
    let err = client
        .detail(DetailQuery::new().from(d("2024-01-01")).to(d("2024-01-31")))
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_transient() && err.attempts() == 12, "{err}");
    assert!(
        err.to_string()
            .starts_with("systec.detail (2024-01-01..2024-01-31, page 1): HTTP 50"),
        "{err}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn quanshi_lookups_match_the_ground_truth() {
    let sim = Sim::start(SimConfig::new(15, 20)).await.unwrap();
    let client = QuanshiClient::builder()
        .base_url(sim.quanshi_base_url())
        .token(sim.token())
        .conference_path(sim.quanshi_conference_path())
        .retry(quick_retry())
        .rate_limit(None)
        .build()
        .unwrap();
    let truth = sim.truth();
    for link in truth.quanshi_join_urls().iter().take(5) {
        let got = client.conference_by_join_url(link).await.unwrap();
        assert_eq!(got, vec![truth.quanshi_conference(link).unwrap()]);
    }
    for id in truth.dashboard_ids().iter().take(5) {
        assert_eq!(
            client.dashboard_conference_info(id).await.unwrap(),
            truth.dashboard(id).unwrap()
        );
    }
    let bad = QuanshiClient::builder()
        .base_url(sim.quanshi_base_url())
        .token("nope")
        .retry(quick_retry())
        .build()
        .unwrap();
    let err = bad.dashboard_conference_info("1").await.unwrap_err();
    assert!(err.is_authentication() && err.attempts() == 1, "{err}");
    sim.shutdown().await;
}
