//! The shared HTTP layer: one configured `reqwest::Client`, the retry loop, the rate limit,
//! raw capture and tracing. Both vendor clients are thin layers over it.

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{StatusCode, header};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tracing::Instrument;

use crate::error::{CallContext, Error, ErrorKind, excerpt};

/// How transient failures are retried: exponential backoff with full jitter, `Retry-After`
/// honoured, bounded attempts and an overall deadline, per call (one page, one batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The first backoff's upper bound; doubled each retry.
    pub base_delay: Duration,
    /// The largest backoff bound.
    pub max_delay: Duration,
    /// The longest `Retry-After` obeyed; a server asking for more fails the call instead.
    pub max_retry_after: Duration,
    /// No new attempt starts after this much time since the first.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of attempts (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the base and maximum backoff.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Sets the overall deadline of one call.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The backoff before attempt `attempt + 1`: uniformly random in
    /// `[0, min(max_delay, base_delay * 2^(attempt-1))]` ("full jitter").
    fn backoff_for(&self, attempt: u32, random: f64) -> Duration {
        let exp = 2u32.saturating_pow(attempt.saturating_sub(1));
        let cap = self.base_delay.saturating_mul(exp).min(self.max_delay);
        cap.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// A client-side rate limit: at most `per_second` requests each second, with bursts up to
/// `burst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second.
    pub per_second: NonZeroU32,
    /// Requests allowed at once after a quiet spell.
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// `n` requests per second, bursts of `n`. `None` when `n` is 0.
    pub fn per_second(n: u32) -> Option<Self> {
        let n = NonZeroU32::new(n)?;
        Some(RateLimit {
            per_second: n,
            burst: n,
        })
    }

    fn limiter(self) -> DefaultDirectRateLimiter {
        RateLimiter::direct(Quota::per_second(self.per_second).allow_burst(self.burst))
    }
}

/// One response body as received, for callers that keep what they fetched (the CLI's
/// `--save-raw`). Parameters never include credentials or tokens.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RawResponse {
    /// `systec.detail`, `quanshi.dashboard`, ...
    pub endpoint: &'static str,
    /// The request parameters, secrets removed, in request order.
    pub params: Vec<(String, String)>,
    /// When the body arrived.
    pub fetched_at: chrono::DateTime<chrono::Utc>,
    /// The HTTP status.
    pub http_status: u16,
    /// The body, verbatim (after gzip decoding).
    pub body: Bytes,
    /// Whether the client accepted it as the call's result (`false` for failed attempts
    /// that were retried or reported as errors).
    pub accepted: bool,
}

/// A hook that receives every response body (see [`RawResponse`]).
pub type RawCapture = Arc<dyn Fn(&RawResponse) + Send + Sync>;

/// The transport setters both client builders share (each builder has a
/// `transport: TransportConfig` field).
macro_rules! transport_setters {
    () => {
        /// Connect, read and overall timeouts of one request (defaults 10 s, 30 s, 60 s).
        pub fn timeouts(
            mut self,
            connect: std::time::Duration,
            read: std::time::Duration,
            overall: std::time::Duration,
        ) -> Self {
            self.transport.connect_timeout = connect;
            self.transport.read_timeout = read;
            self.transport.timeout = overall;
            self
        }

        /// The retry policy (default: 6 attempts, 250 ms base, full jitter, 2 min deadline).
        pub fn retry(mut self, policy: $crate::RetryPolicy) -> Self {
            self.transport.retry = policy;
            self
        }

        /// The overall client-side rate limit (default 10 requests/s, the overall limit of
        /// the Zoom v1 API these vendors mirror); `None` turns it off.
        pub fn rate_limit(mut self, limit: Option<$crate::RateLimit>) -> Self {
            self.transport.rate_limit = limit;
            self
        }

        /// The `User-Agent` header.
        pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
            self.transport.user_agent = agent.into();
            self
        }

        /// A proxy for every request (`HTTPS_PROXY` and friends are honoured without this).
        pub fn proxy(mut self, url: impl Into<String>) -> Self {
            self.transport.proxy = Some(url.into());
            self
        }

        /// An extra root certificate (PEM) to trust, e.g. a corporate TLS proxy's.
        pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
            self.transport.extra_root_certs.push(pem.into());
            self
        }

        /// A hook that receives every response body (for saving what was fetched).
        pub fn raw_capture(mut self, capture: $crate::RawCapture) -> Self {
            self.transport.capture = Some(capture);
            self
        }
    };
}
pub(crate) use transport_setters;

/// Transport settings shared by both clients.
#[derive(Clone)]
pub(crate) struct TransportConfig {
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) user_agent: String,
    pub(crate) proxy: Option<String>,
    pub(crate) extra_root_certs: Vec<Vec<u8>>,
    pub(crate) capture: Option<RawCapture>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            rate_limit: RateLimit::per_second(10),
            user_agent: format!("meeting-http/{}", env!("CARGO_PKG_VERSION")),
            proxy: None,
            extra_root_certs: Vec::new(),
            capture: None,
        }
    }
}

/// Installs ring as the process's rustls crypto provider (reqwest is built without one).
/// Idempotent; an application's own provider, installed first, is kept.
fn install_crypto_provider() {
    // `Err` means a provider is already installed, which is the goal.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Whether `url` is HTTPS, or HTTP to a loopback address (for tests and the simulator).
pub(crate) fn check_scheme(url: &reqwest::Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(format!(
                    "refusing plain HTTP to {}: credentials would travel unencrypted (HTTPS is required except for loopback addresses)",
                    url.host_str().unwrap_or("?")
                ))
            }
        }
        other => Err(format!("unsupported URL scheme `{other}` (use https)")),
    }
}

/// The configured HTTP client and the per-client state around it.
pub(crate) struct Transport {
    client: reqwest::Client,
    config: TransportConfig,
    limiter: Option<DefaultDirectRateLimiter>,
    requests: AtomicU64,
    seed: AtomicU64,
}

/// How a body was judged by the endpoint's parser.
pub(crate) enum Verdict<T> {
    /// The call's result.
    Ok(T),
    /// A failure, and whether another attempt may succeed.
    Fail { kind: ErrorKind, retry: bool },
}

impl Transport {
    pub(crate) fn new(config: TransportConfig) -> Result<Self, String> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .referer(false)
            .gzip(true)
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                // Follow a redirect only to the same scheme, host and port; never leak the
                // form (with its credentials) to another host.
                let same = attempt.previous().first().is_some_and(|first| {
                    first.scheme() == attempt.url().scheme()
                        && first.host_str() == attempt.url().host_str()
                        && first.port_or_known_default() == attempt.url().port_or_known_default()
                });
                if !same || attempt.previous().len() >= 5 {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }));
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy)
                .map_err(|e| format!("invalid proxy: {}", e.without_url()))?;
            builder = builder.proxy(proxy);
        }
        for pem in &config.extra_root_certs {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| format!("invalid CA certificate: {e}"))?;
            builder = builder.add_root_certificate(cert);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        let limiter = config.rate_limit.map(RateLimit::limiter);
        let seed = u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(7),
        );
        Ok(Transport {
            client,
            config,
            limiter,
            requests: AtomicU64::new(0),
            seed: AtomicU64::new(seed | 1),
        })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Requests sent so far (every attempt counts).
    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// A uniform random number in [0, 1) for jitter (splitmix64; no cryptographic need).
    fn random(&self) -> f64 {
        let mut z = self
            .seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        #[allow(clippy::cast_precision_loss)]
        let r = (z >> 11) as f64 / (1u64 << 53) as f64;
        r
    }

    /// Sends the request `make()` builds until `judge` accepts an answer, a permanent failure
    /// occurs, or the retry policy is exhausted.
    pub(crate) async fn execute<T>(
        &self,
        context: CallContext,
        params: &[(String, String)],
        make: impl Fn() -> reqwest::RequestBuilder,
        judge: impl Fn(StatusCode, &Bytes) -> Verdict<T>,
    ) -> Result<T, Error> {
        let policy = self.config.retry;
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(limiter) = &self.limiter {
                limiter.until_ready().await;
            }
            let span = tracing::debug_span!(
                "meeting_http.call",
                endpoint = context.endpoint,
                window = context.window.map(|w| format!("{}..{}", w.from(), w.to())),
                page = context.page,
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let sent = Instant::now();
            self.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = async {
                match make().send().await {
                    Err(e) => Err(transport_kind(&e)),
                    Ok(resp) => {
                        let status = resp.status();
                        let retry_after = retry_after(resp.headers());
                        match resp.bytes().await {
                            Ok(body) => Ok((status, retry_after, body)),
                            Err(e) => Err(transport_kind(&e)),
                        }
                    }
                }
            }
            .instrument(span.clone())
            .await;
            let latency = sent.elapsed();
            span.record(
                "latency_ms",
                u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            );
            let (kind, retry, after) = match outcome {
                Err(kind) => (kind, true, None),
                Ok((status, after, body)) => {
                    span.record("status", status.as_u16());
                    let verdict = judge(status, &body);
                    let accepted = matches!(verdict, Verdict::Ok(_));
                    if let Some(capture) = &self.config.capture {
                        capture(&RawResponse {
                            endpoint: context.endpoint,
                            params: params.to_vec(),
                            fetched_at: chrono::Utc::now(),
                            http_status: status.as_u16(),
                            body: body.clone(),
                            accepted,
                        });
                    }
                    match verdict {
                        Verdict::Ok(value) => {
                            tracing::debug!(parent: &span, "ok");
                            return Ok(value);
                        }
                        Verdict::Fail { kind, retry } => (kind, retry, after),
                    }
                }
            };
            let elapsed = started.elapsed();
            let fail =
                |kind| Err(Error::new(kind, context.clone()).with_attempts(attempt, elapsed));
            if !retry || attempt >= policy.max_attempts {
                tracing::debug!(parent: &span, error = ?kind, "giving up");
                return fail(kind);
            }
            let delay = match after {
                Some(after) if after > policy.max_retry_after => return fail(kind),
                Some(after) => after,
                None => policy.backoff_for(attempt, self.random()),
            };
            if elapsed + delay > policy.deadline {
                return fail(kind);
            }
            tracing::debug!(parent: &span, error = ?kind, delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), "retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

/// Classifies a reqwest error (URL stripped: it may carry parameters).
fn transport_kind(e: &reqwest::Error) -> ErrorKind {
    if e.is_timeout() {
        return ErrorKind::Timeout;
    }
    let mut message = String::from(if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off"
    } else {
        "the connection failed"
    });
    // The innermost cause names the real problem (refused, reset, TLS, ...).
    let mut source = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    if let Some(cause) = last {
        message.push_str(": ");
        message.push_str(&cause);
    }
    ErrorKind::Transport { message }
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The verdict for an HTTP status other than 200 (the body may still say "rate limit").
pub(crate) fn judge_http_status<T>(
    status: StatusCode,
    body: &Bytes,
    says_rate_limit: bool,
) -> Verdict<T> {
    let code = status.as_u16();
    let body_excerpt = excerpt(body, 0, 200);
    if says_rate_limit || code == 429 {
        return Verdict::Fail {
            kind: ErrorKind::RateLimited {
                message: if body_excerpt.is_empty() {
                    format!("HTTP {code}")
                } else {
                    body_excerpt
                },
            },
            retry: true,
        };
    }
    match code {
        401 | 403 => Verdict::Fail {
            kind: ErrorKind::Authentication {
                message: if body_excerpt.is_empty() {
                    format!("HTTP {code}")
                } else {
                    format!("HTTP {code}: {body_excerpt}")
                },
            },
            retry: false,
        },
        408 | 500..=599 => Verdict::Fail {
            kind: ErrorKind::HttpStatus {
                status: code,
                body_excerpt,
            },
            retry: true,
        },
        _ => Verdict::Fail {
            kind: ErrorKind::HttpStatus {
                status: code,
                body_excerpt,
            },
            retry: false,
        },
    }
}

/// The verdict for a located decode error: a body that ends early was cut off in transit
/// (retry); anything else is the vendor's shape changing (do not).
pub(crate) fn judge_decode<T>(error: &meeting_wire::DecodeError, body: &Bytes) -> Verdict<T> {
    let truncated = error.kind() == meeting_wire::DecodeErrorKind::Eof;
    let at = line_col_offset(body, error.line(), error.column());
    Verdict::Fail {
        kind: ErrorKind::Decode {
            path: error.path().to_owned(),
            line: error.line(),
            column: error.column(),
            message: error.message().to_owned(),
            excerpt: excerpt(body, at, 80),
        },
        retry: truncated,
    }
}

/// Byte offset of a 1-based line and column.
fn line_col_offset(body: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len() + 1;
    }
    offset
}

/// Whether a vendor message says "rate limit" in any of the ways the vendors do.
pub(crate) fn says_rate_limit(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("rate limit")
        || m.contains("rate-limit")
        || m.contains("ratelimit")
        || m.contains("too many requests")
        || ["频繁", "限流", "频率", "超过限制"]
            .iter()
            .any(|w| message.contains(w))
}

/// Whether a vendor message says the credentials or token are wrong.
pub(crate) fn says_bad_credentials(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "api_key",
        "api_secret",
        "apikey",
        "api key",
        "secret",
        "credential",
        "unauthori",
        "token",
        "authentication",
    ]
    .iter()
    .any(|w| m.contains(w))
        || ["认证", "鉴权", "密钥", "未授权", "未登录", "签名"]
            .iter()
            .any(|w| message.contains(w))
}

/// Shared by the clients' tests.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_is_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_for(1, 1.0), Duration::from_millis(250));
        assert_eq!(p.backoff_for(3, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff_for(30, 1.0), Duration::from_secs(10));
        assert_eq!(p.backoff_for(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn https_is_required_off_loopback() {
        let ok = [
            "https://api.systeccloud.com/x",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://localhost/",
            "http://127.9.9.9/",
        ];
        for u in ok {
            assert!(check_scheme(&u.parse().unwrap()).is_ok(), "{u}");
        }
        for u in [
            "http://api.systeccloud.com/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "http://localhost.evil.com/",
        ] {
            assert!(check_scheme(&u.parse().unwrap()).is_err(), "{u}");
        }
    }
}
