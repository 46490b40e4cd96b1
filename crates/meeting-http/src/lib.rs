//! Async clients for the **Systec Cloud UMeeting** and **Quanshi (全时)** meeting-usage APIs,
//! on reqwest (rustls with the ring provider) and tokio. They return the model crates' types
//! (`systec-model`, `quanshi-model`); normalising is the caller's choice (`meeting-core`).
//!
//! - **One engine, two vendors.** Every request of either vendor is a model type implementing
//!   [`meeting_wire::ApiRequest`] (endpoint id, encoding, body with secrets, public parameters,
//!   response parser) and goes through one call path: one retry loop, one classifier table
//!   from a vendor answer to retry/fail (Systec's HTTP-like 5xx envelope statuses are retried,
//!   Quanshi's own codes are not), one base-URL normalisation. Endpoints are the typed
//!   [`meeting_wire::Source`], matched exhaustively.
//! - **Whole ranges, not pages.** [`SystecClient::detail`] and
//!   [`SystecClient::his_meetings`] split any date range into windows of at most one calendar
//!   month (the vendor silently truncates longer ones), follow every page with bounded
//!   concurrency, stop on the server's own signals (never looping on a server that lies), drop
//!   the duplicates page drift creates and detect the records it would make them miss
//!   (re-fetch, then a clear [`ErrorKind::Incomplete`] — never a silent gap).
//!   [`SystecClient::reports`] batches UUIDs and keeps order and stubs. "Today" (a `detail`
//!   query without dates) is today in the vendor's zone
//!   ([`SystecClientBuilder::vendor_tz`], default `Asia/Shanghai`).
//! - **Partial failure keeps everything received.** [`SystecClient::detail_windows`] and
//!   [`SystecClient::his_meeting_windows`] yield one [`WindowFetch`] per month window, in date
//!   order: every record received and each page that failed (with its window and page), so a
//!   caller can commit window by window. [`SystecClient::reports_batches`] yields one
//!   [`ReportsBatch`] per request. The flat streams are built on them and yield the records
//!   received *and* the errors.
//! - **Retries for what is transient, and only that**: connect errors, timeouts, dropped
//!   connections and truncated bodies, 408, 429, 5xx and answers that say "rate limit" —
//!   exponential backoff with full jitter, `Retry-After` honoured, bounded attempts and an
//!   overall deadline, per page. Bad credentials, bad parameters and other vendor errors fail
//!   at once with the vendor's status and message.
//! - **Rate limits**: a client-side limit (governor), conservative by default: 10 requests/s
//!   overall and 1/s for the report-style calls (`reports` and `hisMeeting`), as the Zoom v1
//!   API this one mirrors allowed.
//! - **Transport**: HTTPS required except for loopback; every endpoint URL is checked at build
//!   time (a configured path must be relative; an absolute one is accepted only over HTTPS on
//!   the base URL's host); redirects to another host not followed; a loopback base URL never
//!   goes through a proxy (neither a configured one nor `HTTP_PROXY`), any other honours the
//!   configured proxy or the environment's; no `Referer`; connect, read and overall timeouts;
//!   gzip.
//! - **Secrets**: credentials and tokens are never in `Debug`, `Display`, tracing output or
//!   errors; the Quanshi `token` header is marked sensitive; error excerpts mask secret
//!   fields; attendee join links are masked in logs.
//! - **Observability**: a `tracing` span per attempt (`meeting_http.call`: endpoint, window,
//!   page, attempt, status, latency).
//! - **Raw capture**: [`SystecClientBuilder::raw_capture`] receives every body with its
//!   endpoint and parameters (secrets removed), so a caller can save what it fetched.
//!
//! ```no_run
//! # async fn run() -> Result<(), meeting_http::Error> {
//! use futures::TryStreamExt;
//! let client = meeting_http::SystecClient::builder()
//!     .credentials("key", "secret")
//!     .build()?;
//! let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
//! let to = chrono::NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
//! let history: Vec<_> = client.his_meetings(from, to).try_collect().await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod classify;
mod error;
mod quanshi;
mod systec;
mod transport;
mod windows;

pub use error::{CallContext, Error, ErrorKind};
pub use quanshi::{QuanshiClient, QuanshiClientBuilder};
pub use systec::{ReportsBatch, SystecClient, SystecClientBuilder};
pub use transport::{RateLimit, RawCapture, RawResponse, RetryPolicy};
pub use windows::WindowFetch;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
