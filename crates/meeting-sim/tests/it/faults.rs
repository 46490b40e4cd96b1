//! Every fault, at rate 1.0, over HTTP.

use crate::common::*;
use meeting_sim::{FaultConfig, FaultKind};
use std::time::{Duration, Instant};
use systec_model::{DateWindow, detail};

fn only(kind: FaultKind) -> FaultConfig {
    FaultConfig::none().with(kind, 1.0)
}

#[tokio::test]
async fn server_errors() {
    let sim = start_with(20, only(FaultKind::ServerError)).await;
    for _ in 0..6 {
        let (status, body) = systec_raw(&sim, "detail", &[]).await.unwrap();
        assert!([500, 502, 503].contains(&status), "{status}");
        assert!(String::from_utf8_lossy(&body).contains(&status.to_string()));
    }
    assert_eq!(sim.faults_injected(FaultKind::ServerError), 6);
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.fault == Some(FaultKind::ServerError))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_requests_with_retry_after() {
    let mut faults = only(FaultKind::TooManyRequests);
    faults.retry_after_secs = 3;
    let sim = start_with(20, faults).await;
    let resp = client()
        .post(format!("{}hisMeeting", sim.systec_base_url()))
        .form(&[("api_key", sim.api_key()), ("api_secret", sim.api_secret())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "3");
    assert_eq!(sim.faults_injected(FaultKind::TooManyRequests), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_alternate() {
    let sim = start_with(20, only(FaultKind::RateLimit)).await;
    let (s1, b1) = systec_raw(&sim, "detail", &[]).await.unwrap();
    let (s2, b2) = systec_raw(&sim, "detail", &[]).await.unwrap();
    assert_eq!(s1, 403);
    assert_eq!(
        json(&b1),
        serde_json::json!({"error":{"code":403,"message":"You have reached the maximum per-second rate limit for this API."}})
    );
    assert_eq!(s2, 200);
    assert_eq!(
        json(&b2),
        serde_json::json!({"error":{"code":429,"message":"rate limit exceeded"}})
    );
    for body in [&b1, &b2] {
        match detail::parse_response(body).unwrap_err() {
            systec_model::Error::Vendor { error, .. } => assert!(error.is_rate_limit()),
            other => panic!("{other}"),
        }
    }
    assert_eq!(sim.faults_injected(FaultKind::RateLimit), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn slow_replies_trip_a_client_timeout() {
    let mut faults = only(FaultKind::Slow);
    faults.slow_delay = Duration::from_secs(2);
    let sim = start_with(20, faults).await;
    tls_provider();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .post(format!("{}detail", sim.systec_base_url()))
        .form(&[("api_key", sim.api_key()), ("api_secret", sim.api_secret())])
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(sim.faults_injected(FaultKind::Slow), 1);
    sim.shutdown().await; // cuts the slow reply short
}

#[tokio::test]
async fn dropped_connections() {
    let sim = start_with(20, only(FaultKind::Drop)).await;
    for _ in 0..3 {
        assert!(systec_raw(&sim, "reports", &[("uuid", "a")]).await.is_err());
    }
    assert_eq!(sim.faults_injected(FaultKind::Drop), 3);
    assert!(sim.requests().iter().all(|r| r.http_status.is_none()));
    sim.shutdown().await;
}

#[tokio::test]
async fn truncated_bodies() {
    let sim = start_with(200, only(FaultKind::Truncate)).await;
    let resp = client()
        .post(format!("{}detail", sim.systec_base_url()))
        .form(&[
            ("api_key", sim.api_key()),
            ("api_secret", sim.api_secret()),
            ("from", "2024-01-01"),
            ("to", "2024-01-31"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let announced = resp.content_length().unwrap();
    assert!(announced > 100);
    assert!(resp.bytes().await.is_err());
    assert_eq!(sim.faults_injected(FaultKind::Truncate), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_and_jitter() {
    let mut faults = FaultConfig::none();
    faults.latency = Duration::from_millis(150);
    faults.jitter = Duration::from_millis(20);
    let sim = start_with(20, faults).await;
    let started = Instant::now();
    let _ = systec(&sim, "detail", &[]).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert!(sim.fault_counts().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn page_drift_shifts_later_pages_and_truth_follows() {
    let sim = start_with(300, only(FaultKind::Drift)).await;
    let window = DateWindow::new(date("2024-02-01"), date("2024-02-29")).unwrap();
    let before = sim.truth().detail(&window, None).len();
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut page_number = 1u64;
    loop {
        let n = page_number.to_string();
        let body = systec(
            &sim,
            "detail",
            &[
                ("from", "2024-02-01"),
                ("to", "2024-02-29"),
                ("page_size", "20"),
                ("page_number", &n),
            ],
        )
        .await;
        pages += 1;
        let page = detail::parse_response(&body).unwrap().data;
        seen.extend(page.meetings().iter().map(|m| m.uuid.clone().unwrap()));
        match page.next_page() {
            Some(next) if pages < 100 => page_number = next,
            _ => break,
        }
    }
    let truth = sim.truth().detail(&window, None);
    assert_eq!(truth.len(), before + pages);
    assert_eq!(sim.truth().drifted(), pages as u64);
    assert_eq!(sim.faults_injected(FaultKind::Drift), pages as u64);
    // Each insertion pushed a record seen on one page onto the next: duplicates.
    let unique: std::collections::BTreeSet<_> = seen.iter().cloned().collect();
    assert!(unique.len() < seen.len());
    let truth_uuids: std::collections::BTreeSet<_> =
        truth.iter().map(|m| m.uuid.clone().unwrap()).collect();
    assert!(unique.is_subset(&truth_uuids));
    // Drifted meetings are real: they have reports and history records too.
    assert!(sim.requests().iter().all(|r| r.drift));
    sim.shutdown().await;
}

#[tokio::test]
async fn quanshi_endpoints_are_faulted_too() {
    let sim = start_with(20, only(FaultKind::ServerError)).await;
    let (status, _) = quanshi(
        &sim,
        meeting_sim::QUANSHI_DASHBOARD_PATH,
        serde_json::json!({"tempConferenceId": "1"}),
        Some(sim.token()),
    )
    .await;
    assert!(status >= 500);
    sim.shutdown().await;
}

#[test]
fn fault_spec_parses() {
    let f = FaultConfig::parse(
        "5xx=0.05,429=0.02,ratelimit=0.1,slow=0,drop=0.01,truncate=0.01,drift=0.3",
    )
    .unwrap();
    assert_eq!(f.rate(FaultKind::Drift), 0.3);
    assert!(FaultConfig::parse("teapot=1").is_err());
}
