//! Sentinel secrets sent through every error path must appear nowhere: not in `Debug`,
//! `Display`, error sources, or tracing output at trace level.

use crate::detail_body;
use chrono::NaiveDate;
use meeting_http::{QuanshiClient, RetryPolicy, SystecClient};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use systec_model::DetailQuery;
use wiremock::matchers::{body_string_contains, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "SENTINEL-KEY-7f3a";
const SECRET: &str = "SENTINEL-SECRET-91c2";
const TOKEN: &str = "SENTINEL-TOKEN-55e0";
const PCODE: &str = "SENTINEL-PCODE-0b1d";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    for s in [KEY, SECRET, TOKEN, PCODE] {
        assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
    }
}

#[tokio::test]
async fn no_secret_in_errors_debug_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // A process-wide subscriber, not a thread-local one: other tests of this binary run on
    // other threads, and a callsite they reach first could keep a cached "never" interest
    // that a thread-local subscriber does not override (a flaky miss). Installing a global
    // one recomputes every callsite's interest. Only this test installs one; the other tests'
    // traces that also land in the buffer carry none of these sentinels.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    let server = MockServer::start().await;
    let bodies = [
        ResponseTemplate::new(200)
            .set_body_string(r#"{"status":401,"message":"bad api_key","data":null}"#),
        ResponseTemplate::new(500).set_body_string(format!(
            "internal error for api_key={KEY}&api_secret={SECRET}"
        )),
        ResponseTemplate::new(403).set_body_string("forbidden"),
        ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"status":0,"result":[{{"pcode1":"{PCODE}","startTime":"x"#
        )),
        ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"status":0,"result":{{"pcode2":"{PCODE}","stopTime":{{}}}}}}"#
        )),
        ResponseTemplate::new(404).set_body_string(format!(r#"{{"token":"{TOKEN}"}}"#)),
        ResponseTemplate::new(200).set_body_string(detail_body(1, 1, 1, &["a"])),
    ];
    let q = DetailQuery::new()
        .from(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .to(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
    let mut seen = String::new();
    for body in bodies {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(body)
            .mount(&server)
            .await;
        let systec = SystecClient::builder()
            .base_url(server.uri())
            .credentials(KEY, SECRET)
            .retry(
                RetryPolicy::default()
                    .max_attempts(2)
                    .backoff(Duration::from_millis(1), Duration::from_millis(2)),
            )
            .rate_limit(None)
            .build()
            .unwrap();
        let quanshi = QuanshiClient::builder()
            .base_url(server.uri())
            .token(TOKEN)
            .conference_path("c")
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        seen.push_str(&format!("{systec:?} {quanshi:?}\n"));
        if let Err(e) = systec.detail_page(&q).await {
            seen.push_str(&format!("{e}\n{e:?}\n"));
        }
        for r in [
            quanshi.dashboard_conference_info("1").await.map(|_| ()),
            quanshi
                .conference_by_join_url("https://h/k/abc")
                .await
                .map(|_| ()),
        ] {
            if let Err(e) = r {
                let mut source: Option<&dyn std::error::Error> = Some(&e);
                while let Some(s) = source {
                    seen.push_str(&format!("{s}\n{s:?}\n"));
                    source = s.source();
                }
            }
        }
    }
    // The secrets did go out (proof the test exercised them), and nowhere else.
    let requests = server.received_requests().await.unwrap_or_default();
    assert!(
        requests
            .iter()
            .any(|r| r.headers.get("token").is_some_and(|v| v == TOKEN))
    );
    assert_clean("errors and Debug", &seen);
    let traces = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("meeting_http.call"),
        "no traces captured:\n{traces}"
    );
    assert_clean("tracing output", &traces);
    let _ = body_string_contains("");
}
