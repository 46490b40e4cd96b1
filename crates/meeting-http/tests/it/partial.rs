//! Partial failure keeps everything received: per-window and per-batch results, scripted
//! (wiremock) for exact cases and against the simulator's faults for whole ranges.

use crate::{detail_body, quick_retry, systec};
use chrono::NaiveDate;
use futures::StreamExt;
use meeting_http::{ErrorKind, RetryPolicy, SystecClient, WindowFetch};
use meeting_sim::{FaultConfig, FaultKind, Sim, SimConfig};
use meeting_wire::Source;
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::time::Duration;
use systec_model::{DateWindow, DetailMeeting, DetailQuery, ReportEntry};
use wiremock::matchers::{body_string_contains, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

fn uuids(records: &[DetailMeeting]) -> Vec<String> {
    records
        .iter()
        .map(|m| m.uuid.as_ref().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_failed_detail_page_keeps_the_windows_other_pages() {
    let server = MockServer::start().await;
    for (n, ids) in [(1, ["a", "b"]), (3, ["e", "f"])] {
        Mock::given(path("/detail"))
            .and(body_string_contains(format!("page_number={n}")))
            .respond_with(json(detail_body(n, 3, 6, &ids)))
            .mount(&server)
            .await;
    }
    Mock::given(path("/detail"))
        .and(body_string_contains("page_number=2"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = systec(&server.uri());
    let query = DetailQuery::new()
        .from(d("2024-01-01"))
        .to(d("2024-01-31"))
        .page_size(2);
    let windows: Vec<WindowFetch<DetailMeeting>> =
        client.detail_windows(query.clone()).collect().await;
    assert_eq!(windows.len(), 1);
    let w = &windows[0];
    assert_eq!(w.endpoint, Source::SystecDetail);
    assert_eq!(uuids(&w.records), ["a", "b", "e", "f"]);
    assert!(!w.is_complete());
    assert_eq!(w.failures.len(), 1);
    let ctx = w.failures[0].context();
    assert_eq!(
        (ctx.endpoint, ctx.window, ctx.page),
        (Some(Source::SystecDetail), Some(w.window), Some(2))
    );
    assert!(matches!(
        w.failures[0].kind(),
        ErrorKind::HttpStatus { status: 503, .. }
    ));
    assert_eq!(w.failures[0].attempts(), quick_retry().max_attempts);

    // The flat stream yields the same records, then the error.
    let flat: Vec<_> = client.detail(query).collect().await;
    let oks: Vec<String> = flat
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|m| m.uuid.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(oks, ["a", "b", "e", "f"]);
    assert_eq!(flat.len(), 5);
    assert!(flat[4].as_ref().is_err_and(|e| e.context().page == Some(2)));
}

#[tokio::test]
async fn a_failed_history_window_does_not_drop_the_others() {
    let server = MockServer::start().await;
    let his = |uuid: &str| {
        format!(
            r#"{{"status":200,"message":"OK","data":[{{"uuid":"{uuid}","id":1790001234,"host":"Room","start_time":"2024-01-02T01:00:00Z","end_time":"2024-01-02T02:00:00Z","duration":"60分钟"}}]}}"#
        )
    };
    Mock::given(path("/hisMeeting"))
        .and(body_string_contains("from=2024-01-15"))
        .respond_with(json(his("jan")))
        .mount(&server)
        .await;
    Mock::given(path("/hisMeeting"))
        .and(body_string_contains("from=2024-02-01"))
        .respond_with(json(r#"{"status":500,"message":"internal"}"#.into()))
        .mount(&server)
        .await;
    Mock::given(path("/hisMeeting"))
        .and(body_string_contains("from=2024-03-01"))
        .respond_with(json(his("mar")))
        .mount(&server)
        .await;
    let client = systec(&server.uri());
    let windows: Vec<_> = client
        .his_meeting_windows(d("2024-01-15"), d("2024-03-10"))
        .collect()
        .await;
    let got: Vec<_> = windows
        .iter()
        .map(|w| {
            (
                w.window.from().to_string(),
                w.records
                    .iter()
                    .map(|m| m.uuid.as_ref().unwrap().to_string())
                    .collect::<Vec<_>>(),
                w.failures.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("2024-01-15".to_owned(), vec!["jan".to_owned()], 0),
            ("2024-02-01".to_owned(), vec![], 1),
            ("2024-03-01".to_owned(), vec!["mar".to_owned()], 0),
        ]
    );
    let failure = &windows[1].failures[0];
    assert_eq!(failure.context().window, Some(windows[1].window));
    assert!(matches!(
        failure.kind(),
        ErrorKind::Vendor {
            status: Some(500),
            ..
        }
    ));
    // The flat stream: jan, the error, mar.
    let flat: Vec<_> = client
        .his_meetings(d("2024-01-15"), d("2024-03-10"))
        .collect()
        .await;
    assert_eq!(flat.len(), 3);
    assert!(flat[0].is_ok() && flat[1].is_err() && flat[2].is_ok());
}

#[tokio::test]
async fn an_invalid_range_is_reported_not_an_empty_stream() {
    let client = systec("http://127.0.0.1:9/");
    let windows: Vec<_> = client
        .detail_windows(DetailQuery::new().from(d("2024-02-01")).to(d("2024-01-01")))
        .collect()
        .await;
    assert_eq!(windows.len(), 1);
    assert!(windows[0].records.is_empty());
    assert!(matches!(
        windows[0].failures[0].kind(),
        ErrorKind::InvalidRequest { .. }
    ));
    assert_eq!(client.requests_sent(), 0);
}

#[tokio::test]
async fn a_failed_reports_batch_keeps_the_other_batches() {
    let server = MockServer::start().await;
    Mock::given(path("/reports"))
        .and(body_string_contains("uuid=u1%2Cu2"))
        .respond_with(json(
            r#"{"status":200,"message":"OK","data":[{"id":"1"},{"id":"2"}]}"#.into(),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/reports"))
        .and(body_string_contains("uuid=u3%2Cu4"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    Mock::given(path("/reports"))
        .and(body_string_contains("uuid=u5"))
        .respond_with(json(
            r#"{"status":200,"message":"OK","data":[{"id":"5"}]}"#.into(),
        ))
        .mount(&server)
        .await;
    let client = SystecClient::builder()
        .base_url(server.uri())
        .credentials("k", "s")
        .reports_batch_size(2)
        .retry(quick_retry())
        .rate_limit(None)
        .reports_rate_limit(None)
        .build()
        .unwrap();
    let batches: Vec<_> = client
        .reports_batches(["u1", "u2", "u3", "u4", "u5"])
        .collect()
        .await;
    let asked: Vec<_> = batches.iter().map(|b| b.uuids.clone()).collect();
    assert_eq!(asked, [vec!["u1", "u2"], vec!["u3", "u4"], vec!["u5"]]);
    assert_eq!(batches[0].result.as_ref().unwrap().len(), 2);
    let err = batches[1].result.as_ref().unwrap_err();
    assert_eq!(
        (err.context().endpoint, err.context().batch),
        (Some(Source::SystecReports), Some(1))
    );
    assert_eq!(batches[2].result.as_ref().unwrap().len(), 1);
    // `reports()` reports the first failed batch.
    let err = client
        .reports(["u1", "u2", "u3", "u4", "u5"])
        .await
        .unwrap_err();
    assert_eq!(err.context().batch, Some(1));
}

/// What a client with few retries gets from a simulator failing half its answers with 5xx:
/// per window, exactly the fault-free records of the pages that arrived; per batch, exactly
/// the fault-free entries or a failure naming the batch.
async fn keeps_everything_received(seed: u64) -> (usize, usize) {
    let mut faults = FaultConfig::none().with(FaultKind::ServerError, 0.5);
    faults.seed = seed;
    let sim = Sim::start(SimConfig::new(seed, 300).with_faults(faults))
        .await
        .unwrap();
    let page_size = 10u32;
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials_from(sim.credentials())
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .backoff(Duration::from_millis(1), Duration::from_millis(2)),
        )
        .rate_limit(None)
        .reports_rate_limit(None)
        .reports_batch_size(5)
        .page_size(page_size)
        .build()
        .unwrap();
    let (from, to) = (d("2024-01-01"), d("2024-03-31"));
    let query = DetailQuery::new()
        .from(from)
        .to(to)
        .show_participants(true)
        .show_telephony_usage(true);
    let windows: Vec<_> = client.detail_windows(query).collect().await;
    let history: Vec<_> = client.his_meeting_windows(from, to).collect().await;
    let truth = sim.truth();
    let expected_windows: Vec<DateWindow> = DateWindow::new(from, to)
        .unwrap()
        .split_by_month()
        .collect();
    let (mut received, mut failed) = (0, 0);
    assert_eq!(
        windows.iter().map(|w| w.window).collect::<Vec<_>>(),
        expected_windows
    );
    for w in &windows {
        let want = truth.detail(&w.window, None);
        let failed_pages: BTreeSet<u64> = w
            .failures
            .iter()
            .map(|e| {
                let ctx = e.context();
                assert_eq!(ctx.endpoint, Some(Source::SystecDetail));
                assert_eq!(ctx.window, Some(w.window));
                assert!(e.is_transient(), "{e}");
                ctx.page.expect("a failed page names its page")
            })
            .collect();
        let expected: Vec<DetailMeeting> = if failed_pages.contains(&1) {
            Vec::new()
        } else {
            want.chunks(page_size as usize)
                .enumerate()
                .filter(|(i, _)| !failed_pages.contains(&(*i as u64 + 1)))
                .flat_map(|(_, page)| page.to_vec())
                .collect()
        };
        assert_eq!(
            w.records.len(),
            expected.len(),
            "seed {seed}, {:?}",
            w.window
        );
        assert!(
            w.records == expected,
            "seed {seed}: records differ in {:?}",
            w.window
        );
        assert_eq!(w.is_complete(), failed_pages.is_empty());
        received += w.records.len();
        failed += w.failures.len();
    }
    for w in &history {
        if w.is_complete() {
            assert_eq!(w.records, truth.his_meetings(&w.window));
        } else {
            assert!(w.records.is_empty());
            assert_eq!(w.failures[0].context().window, Some(w.window));
        }
        received += w.records.len();
        failed += w.failures.len();
    }
    let sample: Vec<String> = truth
        .uuids()
        .into_iter()
        .step_by(7)
        .take(30)
        .map(|u| u.as_str().to_owned())
        .collect();
    let batches: Vec<_> = client.reports_batches(sample.clone()).collect().await;
    let asked: Vec<String> = batches.iter().flat_map(|b| b.uuids.clone()).collect();
    assert_eq!(asked, sample);
    for (i, b) in batches.iter().enumerate() {
        match &b.result {
            Ok(entries) => {
                for (uuid, entry) in b.uuids.iter().zip(entries) {
                    let want = truth.report(uuid).unwrap();
                    match (entry, &want) {
                        (ReportEntry::Report(a), ReportEntry::Report(b)) => {
                            assert_eq!(a.uuid, b.uuid);
                        }
                        (a, b) => assert_eq!(a, b),
                    }
                }
                received += entries.len();
            }
            Err(e) => {
                assert_eq!(e.context().batch, Some(i));
                failed += 1;
            }
        }
    }
    sim.shutdown().await;
    (received, failed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn under_faults_what_is_returned_is_the_truth_restricted_to_what_was_received(seed in 1u64..1_000_000) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (received, failed) = rt.block_on(keeps_everything_received(seed));
        // At 50 % 5xx and two attempts, a quarter of the calls fail: some of both.
        prop_assert!(received > 0, "seed {}: nothing received", seed);
        prop_assert!(failed > 0, "seed {}: nothing failed", seed);
    }
}

/// The public types a caller moves across tasks.
#[test]
fn public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<WindowFetch<DetailMeeting>>();
    check::<WindowFetch<systec_model::HisMeeting>>();
    check::<meeting_http::ReportsBatch>();
    check::<meeting_http::Error>();
    check::<meeting_http::CallContext>();
    check::<meeting_http::RawResponse>();
    check::<SystecClient>();
    check::<meeting_http::QuanshiClient>();
}
