//! Exact request/response scripts with wiremock.

use crate::{detail_body, quick_retry, systec};
use chrono::NaiveDate;
use futures::TryStreamExt;
use meeting_http::{ErrorKind, QuanshiClient, RateLimit, SystecClient};
use std::time::{Duration, Instant};
use systec_model::DetailQuery;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn jan() -> DetailQuery {
    DetailQuery::new()
        .from(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .to(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())
        .page_size(2)
}

fn page(n: u64) -> wiremock::matchers::BodyContainsMatcher {
    body_string_contains(format!("page_number={n}"))
}

fn json(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "application/json")
}

async fn uuids(client: &SystecClient, q: DetailQuery) -> Result<Vec<String>, meeting_http::Error> {
    let ms: Vec<_> = client.detail(q).try_collect().await?;
    Ok(ms
        .into_iter()
        .map(|m| m.uuid.unwrap().to_string())
        .collect())
}

#[tokio::test]
async fn follows_every_page_and_posts_forms() {
    let server = MockServer::start().await;
    for (n, ids) in [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"])] {
        Mock::given(method("POST"))
            .and(path("/umeeting/share/detail"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .and(body_string_contains(
                "api_key=test-key&api_secret=test-secret",
            ))
            .and(body_string_contains("from=2024-01-01&to=2024-01-31"))
            .and(page(n))
            .respond_with(json(detail_body(n, 3, 6, &ids)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = systec(&format!("{}/umeeting/share", server.uri()));
    assert_eq!(
        uuids(&client, jan()).await.unwrap(),
        ["a", "b", "c", "d", "e", "f"]
    );
}

#[tokio::test]
async fn a_failed_page_is_retried_alone() {
    let server = MockServer::start().await;
    Mock::given(page(1))
        .respond_with(json(detail_body(1, 2, 4, &["a", "b"])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(page(2))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(page(2))
        .respond_with(json(detail_body(2, 2, 4, &["c", "d"])))
        .expect(1)
        .mount(&server)
        .await;
    let client = systec(&format!("{}/umeeting/share/", server.uri()));
    assert_eq!(uuids(&client, jan()).await.unwrap(), ["a", "b", "c", "d"]);
    assert_eq!(client.requests_sent(), 4);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(page(1))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(page(1))
        .respond_with(json(detail_body(1, 1, 1, &["a"])))
        .mount(&server)
        .await;
    let client = systec(&server.uri());
    let started = Instant::now();
    assert_eq!(uuids(&client, jan()).await.unwrap(), ["a"]);
    // A lower bound the client must respect, not a speed measurement.
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn vendor_rate_limit_answers_are_retried() {
    let server = MockServer::start().await;
    Mock::given(page(1))
        .respond_with(ResponseTemplate::new(403).set_body_string(r#"{"error":{"code":403,"message":"You have reached the maximum per-second rate limit for this API."}}"#))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(page(1))
        .respond_with(json(
            r#"{"error":{"code":429,"message":"rate limit exceeded"}}"#.into(),
        ))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(page(1))
        .respond_with(json(detail_body(1, 1, 1, &["a"])))
        .with_priority(3)
        .mount(&server)
        .await;
    let client = systec(&server.uri());
    assert_eq!(uuids(&client, jan()).await.unwrap(), ["a"]);
    assert_eq!(client.requests_sent(), 3);
}

#[tokio::test]
async fn wrong_credentials_fail_on_the_first_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(
            r#"{"status":401,"message":"api_key或api_secret错误","data":null}"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = systec(&server.uri());
    let err = client.detail_page(&jan()).await.unwrap_err();
    assert!(err.is_authentication(), "{err}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        err.to_string(),
        "systec.detail (2024-01-01..2024-01-31, page 1): authentication failed: status 401: api_key或api_secret错误"
    );
}

#[tokio::test]
async fn other_vendor_errors_fail_at_once_with_the_vendor_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(
            r#"{"status":400,"message":"from 格式错误","data":null}"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = systec(&server.uri()).detail_page(&jan()).await.unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Vendor {
                status: Some(400),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_bodies_are_retried_then_reported_with_their_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(
            r#"{"status":200,"message":"OK","data":{"meetings":[{"uuid":"a""#.into(),
        ))
        .expect(4)
        .mount(&server)
        .await;
    let err = systec(&server.uri()).detail_page(&jan()).await.unwrap_err();
    assert_eq!(err.attempts(), 4, "{err:?}");
    let ErrorKind::Decode { path, .. } = err.kind() else {
        panic!("{err:?}")
    };
    assert_eq!(path, "data.meetings[0].?");
}

#[tokio::test]
async fn a_server_that_lies_about_next_pages_cannot_loop_forever() {
    let server = MockServer::start().await;
    // Every page claims a next one, but total_page says 2.
    for n in 1..=2 {
        let body = detail_body(n, 2, 4, &[if n == 1 { "a" } else { "b" }])
            .replace("\"has_next_page\":false", "\"has_next_page\":true");
        // Fetched once, then again on each of the three re-fetches.
        Mock::given(page(n))
            .respond_with(json(body))
            .expect(4)
            .mount(&server)
            .await;
    }
    let err = uuids(&systec(&server.uri()), jan()).await.unwrap_err();
    // total_page is believed over has_next_page; only 2 distinct records of the 4 it claims:
    // a clear error after the re-fetches, not a silent gap or a loop.
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Incomplete {
                expected: 4,
                received: 2
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn page_drift_duplicates_are_dropped_and_misses_refetched() {
    let server = MockServer::start().await;
    // First pass: X is inserted at the front after page 1 was served, so page 2 repeats B and
    // the server now counts 5; A, B, C, D seen, X missed.
    Mock::given(page(1))
        .respond_with(json(detail_body(1, 2, 4, &["A", "B"])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(page(2))
        .respond_with(json(detail_body(2, 3, 5, &["B", "C"])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(page(3))
        .respond_with(json(detail_body(3, 3, 5, &["D"])))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    // Second pass: stable.
    Mock::given(page(1))
        .respond_with(json(detail_body(1, 3, 5, &["X", "A"])))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(page(2))
        .respond_with(json(detail_body(2, 3, 5, &["B", "C"])))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(page(3))
        .respond_with(json(detail_body(3, 3, 5, &["D"])))
        .with_priority(2)
        .mount(&server)
        .await;
    assert_eq!(
        uuids(&systec(&server.uri()), jan()).await.unwrap(),
        ["X", "A", "B", "C", "D"]
    );
}

#[tokio::test]
async fn long_ranges_are_split_into_month_windows() {
    let server = MockServer::start().await;
    for (from, to) in [
        ("2024-01-15", "2024-01-31"),
        ("2024-02-01", "2024-02-29"),
        ("2024-03-01", "2024-03-10"),
    ] {
        Mock::given(path("/hisMeeting"))
            .and(body_string_contains(format!("from={from}&to={to}")))
            .respond_with(json(format!(
                r#"{{"status":200,"message":"OK","data":[{{"uuid":"{from}","id":1}}]}}"#
            )))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = systec(&server.uri());
    let got: Vec<_> = client
        .his_meetings(
            NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 10).unwrap(),
        )
        .try_collect()
        .await
        .unwrap();
    let got: Vec<_> = got
        .iter()
        .map(|h| h.uuid.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(got, ["2024-01-15", "2024-02-01", "2024-03-01"]);
    // A single non-compliant window is refused rather than silently truncated.
    let w = systec_model::DateWindow::new(
        NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
        NaiveDate::from_ymd_opt(2024, 2, 2).unwrap(),
    )
    .unwrap();
    assert!(matches!(
        client.his_meeting_window(w).await.unwrap_err().kind(),
        ErrorKind::InvalidRequest { .. }
    ));
}

#[tokio::test]
async fn reports_are_batched_in_order_with_stubs() {
    let server = MockServer::start().await;
    Mock::given(path("/reports"))
        .and(body_string_contains("uuid=u1%3D%3D%2Cu%2F2"))
        .respond_with(json(r#"{"status":200,"message":"OK","data":[{"uuid":"u1==","id":1,"participants_count":2,"participants":[]},{"id":"2"}]}"#.into()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/reports"))
        .and(body_string_contains("uuid=u3"))
        .respond_with(json(
            r#"{"status":200,"message":"OK","data":[{"id":"3"}]}"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = SystecClient::builder()
        .base_url(server.uri())
        .credentials("k", "s")
        .reports_batch_size(2)
        .rate_limit(None)
        .reports_rate_limit(None)
        .build()
        .unwrap();
    let entries = client.reports(["u1==", "u/2", "u3"]).await.unwrap();
    let ids: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e.as_report().is_some(),
                e.meeting_number().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [(true, "1".into()), (false, "2".into()), (false, "3".into())]
    );
}

#[tokio::test]
async fn the_rate_limit_is_respected() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(detail_body(1, 1, 1, &["a"])))
        .expect(6)
        .mount(&server)
        .await;
    let client = SystecClient::builder()
        .base_url(server.uri())
        .credentials("k", "s")
        .rate_limit(RateLimit::per_second(2).map(|mut l| {
            l.burst = std::num::NonZeroU32::new(1).unwrap();
            l
        }))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..6 {
        client.detail_page(&jan()).await.unwrap();
    }
    // Six requests at 2/s with no burst: at least 2.5 s. A lower bound the limiter
    // guarantees, not a speed measurement.
    assert!(
        started.elapsed() >= Duration::from_millis(2400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(json(detail_body(1, 1, 1, &["stolen"])))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    let target = elsewhere.uri().replace("127.0.0.1", "localhost");
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{target}/detail")),
        )
        .mount(&server)
        .await;
    let err = systec(&server.uri()).detail_page(&jan()).await.unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::HttpStatus { status: 307, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn https_is_required_off_loopback() {
    let err = SystecClient::builder()
        .base_url("http://api.systeccloud.com/umeeting/share/")
        .credentials("k", "s")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("refusing plain HTTP"), "{err}");
    assert!(
        SystecClient::builder()
            .credentials("k", "s")
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn quanshi_token_header_prefixed_base_and_masked_links() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/gateway/v1/confopenapi/admin/dashboard/conference/info"))
        .and(header("token", "tok-123"))
        .and(header("content-type", "application/json"))
        .and(body_string_contains(r#""tempConferenceId":"56039682""#))
        .respond_with(json(r#"{"status":0,"result":{"tempConferenceId":"56039682","status":2,"stopTime":0},"msg":"success","request_id":"r1","timestamp":1774514768581}"#.into()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/gateway/v1/conf/byJoinUrl"))
        .and(body_string_contains(r#""token":"tok-123""#))
        .respond_with(json(
            r#"{"status":40001,"msg":"会议不存在","reqid":"q-9"}"#.into(),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let build = |placement| {
        QuanshiClient::builder()
            .base_url(format!("{}/gateway/v1", server.uri()))
            .token("tok-123")
            .token_placement(placement)
            .conference_path("/conf/byJoinUrl")
            .retry(quick_retry())
            .rate_limit(None)
            .build()
            .unwrap()
    };
    let info = build(quanshi_model::TokenPlacement::Header)
        .dashboard_conference_info("56039682")
        .await
        .unwrap();
    assert!(info.is_running());
    let err = build(quanshi_model::TokenPlacement::Body)
        .conference_by_join_url("https://mtest.qsh1.cn/k/mkIW3Txa0Uk")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "quanshi.conference: the vendor answered status 40001: 会议不存在 (request id q-9)"
    );
    let no_path = QuanshiClient::builder()
        .base_url(server.uri())
        .token("t")
        .build()
        .unwrap();
    assert!(matches!(
        no_path
            .conference_by_join_url("https://x/k/y")
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidRequest { .. }
    ));
    assert!(QuanshiClient::builder().token("t").build().is_err());
}
