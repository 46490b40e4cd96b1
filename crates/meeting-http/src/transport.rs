//! The shared HTTP layer: one configured `reqwest::Client`, the retry loop, the rate limit,
//! raw capture and tracing, the base-URL and endpoint-URL checks. Both vendor clients are thin
//! layers over it: every call of either goes through [`Transport::call`].

use bytes::Bytes;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tracing::Instrument;

use meeting_wire::ApiRequest;

use crate::classify::{Verdict, classify};
use crate::error::{CallContext, Error, ErrorKind};

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
    /// The endpoint called.
    pub endpoint: meeting_wire::Source,
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

/// Whether `url`'s host is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Whether `url` is HTTPS, or HTTP to a loopback address (for tests and the simulator).
pub(crate) fn check_scheme(url: &reqwest::Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(format!(
            "refusing plain HTTP to {}: credentials would travel unencrypted (HTTPS is required except for loopback addresses)",
            url.host_str().unwrap_or("?")
        )),
        other => Err(format!("unsupported URL scheme `{other}` (use https)")),
    }
}

/// The one base-URL normalisation both clients use: a trailing `/` added (so endpoint paths
/// are joined below it, never in place of its last segment), parsed, HTTPS required except
/// for loopback.
pub(crate) fn base_url(raw: &str, ctx: &CallContext) -> Result<reqwest::Url, Error> {
    let mut base = raw.trim().to_owned();
    if !base.ends_with('/') {
        base.push('/');
    }
    let base: reqwest::Url = base
        .parse()
        .map_err(|e| Error::invalid(ctx.clone(), format!("invalid base URL: {e}")))?;
    if base.cannot_be_a_base() || base.host().is_none() {
        return Err(Error::invalid(
            ctx.clone(),
            "invalid base URL: it has no host",
        ));
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::invalid(
            ctx.clone(),
            "the base URL must not carry a user name or password",
        ));
    }
    check_scheme(&base).map_err(|m| Error::invalid(ctx.clone(), m))?;
    Ok(base)
}

/// The URL of one endpoint: `path` joined to `base`, checked like every URL the client calls.
///
/// `path` must be relative (a leading `/` is ignored, so `/a/b` stays under the base's
/// prefix). An absolute URL (or a scheme-relative `//host/...`) is accepted only when it is
/// HTTPS on the base's own host and port; anything else is refused, so a configured path can
/// never send the credentials to another host or in plain text.
pub(crate) fn endpoint_url(
    base: &reqwest::Url,
    path: &str,
    ctx: &CallContext,
) -> Result<reqwest::Url, Error> {
    let what = ctx.label();
    let path = path.trim();
    let shown = crate::error::mask_secrets(path);
    let absolute = path.starts_with("//") || reqwest::Url::parse(path).is_ok();
    let url = if absolute {
        let url = base.join(path).map_err(|e| {
            Error::invalid(
                ctx.clone(),
                format!("invalid path for {what} `{shown}`: {e}"),
            )
        })?;
        let same_host = url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if url.scheme() != "https" || !same_host {
            return Err(Error::invalid(
                ctx.clone(),
                format!(
                    "the path for {what} must be relative to the base URL, got the absolute URL `{}`: an absolute URL is accepted only over https on the base URL's host ({})",
                    shown,
                    base.host_str().unwrap_or("?")
                ),
            ));
        }
        url
    } else {
        base.join(path.trim_start_matches('/')).map_err(|e| {
            Error::invalid(
                ctx.clone(),
                format!("invalid path for {what} `{shown}`: {e}"),
            )
        })?
    };
    check_scheme(&url).map_err(|m| Error::invalid(ctx.clone(), m))?;
    if url.host_str() != base.host_str() {
        return Err(Error::invalid(
            ctx.clone(),
            format!("the path for {what} leaves the base URL's host"),
        ));
    }
    Ok(url)
}

/// The configured HTTP client and the per-client state around it.
pub(crate) struct Transport {
    client: reqwest::Client,
    config: TransportConfig,
    limiter: Option<DefaultDirectRateLimiter>,
    requests: AtomicU64,
    seed: AtomicU64,
}

impl Transport {
    /// The client for a base URL: one on loopback is built with `.no_proxy()` (reqwest would
    /// otherwise send loopback traffic, credentials included, through `HTTP_PROXY` or a
    /// configured proxy); any other honours the configured proxy, else the environment's.
    pub(crate) fn new(config: TransportConfig, base: &reqwest::Url) -> Result<Self, String> {
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
        if is_loopback(base) {
            builder = builder.no_proxy();
        } else if let Some(proxy) = &config.proxy {
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

    /// The one call path of both clients: encodes `request`, POSTs it to `url` until
    /// [`classify`] accepts an answer, a permanent failure occurs, or the retry policy is
    /// exhausted. Every attempt's body goes to the raw-capture hook with the public
    /// parameters only.
    pub(crate) async fn call<R: ApiRequest>(
        &self,
        context: CallContext,
        url: &reqwest::Url,
        auth: &R::Auth,
        request: &R,
    ) -> Result<R::Response, Error> {
        let encoded = request
            .encode(auth)
            .map_err(|e| Error::invalid(context.clone(), e.to_string()))?;
        let mut headers = header::HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static(encoded.body().content_type()),
        );
        headers.insert(
            header::ACCEPT,
            header::HeaderValue::from_static("application/json"),
        );
        for (name, value) in encoded.secret_headers() {
            let mut v = header::HeaderValue::from_str(value.expose()).map_err(|_| {
                Error::invalid(
                    context.clone(),
                    format!("the `{name}` value is not a valid header value"),
                )
            })?;
            v.set_sensitive(true);
            let name = header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::invalid(
                    context.clone(),
                    format!("`{name}` is not a valid header name"),
                )
            })?;
            headers.insert(name, v);
        }
        let body = Bytes::copy_from_slice(encoded.body().expose());
        let vendor = R::ENDPOINT.vendor();
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
                endpoint = R::ENDPOINT.source_name(),
                window = context.window.map(|w| format!("{}..{}", w.from(), w.to())),
                page = context.page,
                batch = context.batch,
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let sent = Instant::now();
            self.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = async {
                let send = self
                    .client
                    .post(url.clone())
                    .headers(headers.clone())
                    .body(body.clone())
                    .send()
                    .await;
                match send {
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
                // A host name that does not resolve will not resolve on the next attempt:
                // fail at once instead of waiting through the retries.
                Err(kind) => {
                    let retry = !is_unresolved(&kind);
                    (kind, retry, None)
                }
                Ok((status, after, body)) => {
                    span.record("status", status.as_u16());
                    tracing::trace!(parent: &span, bytes = body.len(), "body received");
                    let verdict = classify(vendor, status, R::parse_response(&body), &body);
                    let accepted = matches!(verdict, Verdict::Ok(_));
                    if let Some(capture) = &self.config.capture {
                        capture(&RawResponse {
                            endpoint: R::ENDPOINT,
                            params: encoded.public_params().to_vec(),
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

/// Whether a transport failure is a host name that does not resolve (DNS): permanent for
/// this call, so never retried.
fn is_unresolved(kind: &ErrorKind) -> bool {
    match kind {
        ErrorKind::Transport { message } => {
            let m = message.to_ascii_lowercase();
            m.contains("dns error")
                || m.contains("failed to lookup address")
                || m.contains("name or service not known")
                || m.contains("no such host")
        }
        _ => false,
    }
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

    #[test]
    fn endpoint_urls_stay_under_the_base() {
        let ctx = CallContext::new(meeting_wire::Source::QuanshiConference);
        let base = base_url("https://api.example.com/gateway/v1", &ctx).unwrap();
        assert_eq!(base.as_str(), "https://api.example.com/gateway/v1/");
        let join = |p: &str| endpoint_url(&base, p, &ctx).map(|u| u.to_string());
        assert_eq!(
            join("conf/byJoinUrl").unwrap(),
            "https://api.example.com/gateway/v1/conf/byJoinUrl"
        );
        assert_eq!(
            join("/conf/byJoinUrl").unwrap(),
            "https://api.example.com/gateway/v1/conf/byJoinUrl"
        );
        assert_eq!(
            join("https://api.example.com/other").unwrap(),
            "https://api.example.com/other"
        );
        for refused in [
            "http://api.example.com/other",
            "https://api.example.com:8443/other",
            "https://elsewhere.example.com/other",
            "//elsewhere.example.com/other",
            "http://127.0.0.1/other",
            "ftp://api.example.com/other",
        ] {
            let err = join(refused).unwrap_err();
            assert!(
                err.to_string().contains("must be relative"),
                "{refused}: {err}"
            );
        }
        for bad in [
            "",
            "not a url",
            "http://user:pw@127.0.0.1/",
            "http://10.0.0.1/",
        ] {
            assert!(base_url(bad, &ctx).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod dns_tests {
    use super::*;

    #[test]
    fn unresolved_hosts_are_not_retried() {
        let dns = ErrorKind::Transport {
            message: String::from(
                "could not connect: dns error: failed to lookup address information: Name or service not known",
            ),
        };
        assert!(is_unresolved(&dns));
        let refused = ErrorKind::Transport {
            message: String::from("could not connect: Connection refused (os error 111)"),
        };
        assert!(!is_unresolved(&refused));
        assert!(!is_unresolved(&ErrorKind::Timeout));
    }
}
