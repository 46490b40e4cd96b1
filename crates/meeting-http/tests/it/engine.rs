//! The one call path: typed endpoint ids in raw capture and errors, "today" in the vendor zone.

use crate::{detail_body, quick_retry};
use meeting_http::{QuanshiClient, RawResponse, SystecClient};
use meeting_wire::Source;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

#[tokio::test]
async fn today_is_today_in_the_vendor_zone() {
    // Two zones 25 hours apart: their "today" differs on every day of the year, so whichever
    // zone the client used shows in the dates it sends.
    for tz in [chrono_tz::Pacific::Kiritimati, chrono_tz::Pacific::Niue] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(json(&detail_body(1, 1, 0, &[])))
            .mount(&server)
            .await;
        let client = SystecClient::builder()
            .base_url(server.uri())
            .credentials("k", "s")
            .vendor_tz(tz)
            .retry(quick_retry())
            .rate_limit(None)
            .build()
            .unwrap();
        let before = chrono::Utc::now().with_timezone(&tz).date_naive();
        let got: Vec<_> =
            futures::StreamExt::collect::<Vec<_>>(client.detail(systec_model::DetailQuery::new()))
                .await;
        let after = chrono::Utc::now().with_timezone(&tz).date_naive();
        assert!(got.is_empty(), "{got:?}");
        let requests = server.received_requests().await.unwrap();
        let body = String::from_utf8_lossy(&requests[0].body).into_owned();
        let sent = |d: chrono::NaiveDate| body.contains(&format!("from={d}&to={d}"));
        assert!(sent(before) || sent(after), "{tz}: {body}");
    }
}

#[tokio::test]
async fn raw_capture_and_errors_carry_the_typed_endpoint() {
    let server = MockServer::start().await;
    Mock::given(path("/hisMeeting"))
        .respond_with(json(r#"{"status":200,"message":"OK","data":[]}"#))
        .mount(&server)
        .await;
    Mock::given(path("/reports"))
        .respond_with(json(r#"{"status":400,"message":"bad uuid"}"#))
        .mount(&server)
        .await;
    Mock::given(path("/q/confopenapi/admin/dashboard/conference/info"))
        .and(body_string_contains("56039682"))
        .respond_with(json(
            r#"{"status":0,"result":{"tempConferenceId":"56039682"}}"#,
        ))
        .mount(&server)
        .await;
    let seen: Arc<Mutex<Vec<RawResponse>>> = Arc::default();
    let hook = {
        let seen = seen.clone();
        Arc::new(move |r: &RawResponse| seen.lock().unwrap().push(r.clone()))
    };
    let systec = SystecClient::builder()
        .base_url(server.uri())
        .credentials("k", "s")
        .retry(quick_retry())
        .rate_limit(None)
        .reports_rate_limit(None)
        .raw_capture(hook.clone())
        .build()
        .unwrap();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let window = systec_model::DateWindow::new(d("2024-01-01"), d("2024-01-31")).unwrap();
    systec.his_meeting_window(window).await.unwrap();
    let err = systec.reports(["u1"]).await.unwrap_err();
    assert_eq!(err.context().endpoint, Some(Source::SystecReports));
    assert_eq!(err.context().batch, Some(0));
    let quanshi = QuanshiClient::builder()
        .base_url(format!("{}/q", server.uri()))
        .token("t")
        .retry(quick_retry())
        .rate_limit(None)
        .raw_capture(hook)
        .build()
        .unwrap();
    quanshi.dashboard_conference_info("56039682").await.unwrap();
    let seen = seen.lock().unwrap();
    let ids: Vec<_> = seen
        .iter()
        .map(|r| (r.endpoint, r.endpoint.source_name(), r.accepted))
        .collect();
    assert_eq!(
        ids,
        [
            (Source::SystecHisMeeting, "systec.his_meeting", true),
            (Source::SystecReports, "systec.reports", false),
            (Source::QuanshiDashboard, "quanshi.dashboard", true),
        ]
    );
    assert_eq!(
        seen[0].params,
        [
            ("from".to_owned(), "2024-01-01".to_owned()),
            ("to".to_owned(), "2024-01-31".to_owned())
        ]
    );
}
