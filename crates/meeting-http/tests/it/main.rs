//! Integration tests of `meeting-http`: scripted servers (wiremock) for exact sequences, and
//! the simulator (`meeting-sim`) for whole ranges against ground truth.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod against_sim;
mod engine;
mod partial;
mod scripted;
mod secrets;
mod soak;
mod transport;

use meeting_http::{RetryPolicy, SystecClient};
use std::time::Duration;

/// A retry policy fast enough for tests.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .deadline(Duration::from_secs(20))
}

/// A Systec client against `base`, rate limits off.
pub fn systec(base: &str) -> SystecClient {
    SystecClient::builder()
        .base_url(base)
        .credentials("test-key", "test-secret")
        .retry(quick_retry())
        .rate_limit(None)
        .reports_rate_limit(None)
        .timeouts(
            Duration::from_secs(2),
            Duration::from_secs(2),
            Duration::from_secs(5),
        )
        .build()
        .unwrap()
}

/// A detail page body.
pub fn detail_body(page: u64, total_page: u64, total_record: u64, uuids: &[&str]) -> String {
    let meetings: Vec<String> = uuids
        .iter()
        .map(|u| format!(r#"{{"uuid":"{u}","host_id":"R1","meeting_id":"1790001234","topic":"t {u}","start_time":"2024-01-02 09:00:00","duration":30,"end_time":"2024-01-02 09:30:00","is_extra":0}}"#))
        .collect();
    format!(
        r#"{{"status":200,"message":"OK","data":{{"from":"2024-01-01","to":"2024-01-31","total_record":{total_record},"total_page":{total_page},"page_number":{page},"page_size":2,"has_previous_page":{},"has_next_page":{},"meetings":[{}]}}}}"#,
        page > 1,
        page < total_page,
        meetings.join(",")
    )
}
