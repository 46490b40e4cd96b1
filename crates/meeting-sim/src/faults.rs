//! Fault decisions and the faulty responses.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::config::{FaultConfig, FaultKind};
use crate::rng::{SplitMix64, mix};

/// The seeded state behind fault decisions, and the counters.
#[derive(Debug)]
pub(crate) struct FaultState {
    rng: SplitMix64,
    jitter_rng: SplitMix64,
    rate_limits: u64,
    pub(crate) counts: BTreeMap<FaultKind, u64>,
}

/// What happens to one request.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Decision {
    /// The fault that replaces or delays the normal answer.
    pub(crate) fault: Option<FaultKind>,
    /// Whether `detail` drifts before this page.
    pub(crate) drift: bool,
    /// Latency plus jitter.
    pub(crate) delay: Duration,
    /// For `ratelimit`: which of the two answers (even: 403, odd: 200).
    pub(crate) variant: u64,
}

impl FaultState {
    pub(crate) fn new(seed: u64) -> Self {
        FaultState {
            rng: SplitMix64::new(mix(seed, 1)),
            jitter_rng: SplitMix64::new(mix(seed, 2)),
            rate_limits: 0,
            counts: BTreeMap::new(),
        }
    }

    /// Rolls once per kind, in [`FaultKind::ALL`] order; the first hit wins. `drift` is
    /// rolled only when `drift_possible` (the `detail` endpoint).
    pub(crate) fn decide(&mut self, config: &FaultConfig, drift_possible: bool) -> Decision {
        let mut decision = Decision::default();
        for kind in FaultKind::ALL {
            let roll = self.rng.unit();
            let hit = roll < config.rate(kind);
            if kind == FaultKind::Drift {
                if hit && drift_possible {
                    decision.drift = true;
                    *self.counts.entry(kind).or_insert(0) += 1;
                }
            } else if hit && decision.fault.is_none() {
                decision.fault = Some(kind);
                *self.counts.entry(kind).or_insert(0) += 1;
            }
        }
        if decision.fault == Some(FaultKind::RateLimit) {
            decision.variant = self.rate_limits;
            self.rate_limits += 1;
        }
        let jitter = u64::try_from(config.jitter.as_micros()).unwrap_or(u64::MAX);
        decision.delay = config.latency
            + if jitter == 0 {
                Duration::ZERO
            } else {
                Duration::from_micros(self.jitter_rng.range(0, jitter))
            };
        decision
    }

    /// The status of a `5xx` fault: 500, 502 or 503.
    pub(crate) fn server_error_status(&mut self) -> u16 {
        self.jitter_rng.pick(&[500u16, 502, 503])
    }
}

fn json_response(status: StatusCode, body: &'static str) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp
}

/// `5xx`: a small HTML body, as a proxy in front of the API would send.
pub(crate) fn server_error(status: u16) -> Response {
    let (code, text) = match status {
        502 => (
            StatusCode::BAD_GATEWAY,
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n",
        ),
        503 => (
            StatusCode::SERVICE_UNAVAILABLE,
            "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal Server Error</h1></center></body></html>\n",
        ),
    };
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = code;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    resp
}

/// `429`: with `Retry-After`.
pub(crate) fn too_many_requests(retry_after_secs: u64) -> Response {
    let mut resp = json_response(
        StatusCode::TOO_MANY_REQUESTS,
        r#"{"error":{"code":429,"message":"Too many requests"}}"#,
    );
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// The rate-limit body sent with HTTP 403.
pub(crate) const RATE_LIMIT_403_BODY: &str = r#"{"error":{"code":403,"message":"You have reached the maximum per-second rate limit for this API."}}"#;
/// The rate-limit body sent with HTTP 200.
pub(crate) const RATE_LIMIT_200_BODY: &str =
    r#"{"error":{"code":429,"message":"rate limit exceeded"}}"#;

/// `ratelimit`: alternately HTTP 403 and HTTP 200, each with an `{"error"}` body.
pub(crate) fn rate_limit(variant: u64) -> Response {
    if variant.is_multiple_of(2) {
        json_response(StatusCode::FORBIDDEN, RATE_LIMIT_403_BODY)
    } else {
        json_response(StatusCode::OK, RATE_LIMIT_200_BODY)
    }
}

fn broken() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "meeting-sim: injected fault",
    )
}

/// `drop`: a body that fails at once, so the server aborts the connection.
pub(crate) fn dropped() -> Response {
    let stream = futures::stream::iter([Err::<Bytes, _>(broken())]);
    Response::new(Body::from_stream(stream))
}

/// `truncate`: HTTP 200 announcing the full length of `body`, sending half of it, then
/// failing, so the server closes the connection mid-body.
pub(crate) fn truncated(body: &Bytes, content_type: HeaderValue) -> Response {
    use futures::StreamExt as _;
    let half = body.slice(..body.len() / 2);
    // Fail only after a pause, so the head and the first half are flushed to the client.
    let stream = futures::stream::iter([Ok::<Bytes, std::io::Error>(half)]).chain(
        futures::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(broken())
        }),
    );
    let mut resp = Response::new(Body::from_stream(stream));
    if let Ok(v) = HeaderValue::from_str(&body.len().to_string()) {
        resp.headers_mut().insert(header::CONTENT_LENGTH, v);
    }
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    resp
}
