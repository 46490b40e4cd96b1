//! The Systec Cloud UMeeting client.

use bytes::Bytes;
use futures::stream::{self, Stream, StreamExt, TryStreamExt};
use reqwest::{StatusCode, header};
use std::sync::Arc;
use systec_model::{
    Credentials, DateWindow, DetailMeeting, DetailPage, DetailQuery, EndpointData, Envelope,
    HisMeeting, HisMeetingQuery, ReportEntry, ReportsQuery,
};

use crate::error::{CallContext, Error, ErrorKind};
use crate::transport::{self, RateLimit, Transport, TransportConfig, Verdict};

/// How many recovery walks a `detail` window gets when the server's counts show that page
/// drift made records slip past (then the window fails with [`ErrorKind::Incomplete`]).
const DRIFT_REFETCHES: u32 = 3;

/// The distinct records of one window, in the vendor's order.
///
/// Page drift (records inserted or removed while a window is walked) shifts records between
/// pages but never changes the relative order of the records that stay, so a record first
/// seen in a later walk is placed next to its neighbour on the page where it was seen: after
/// the record before it there, or else before the record after it.
#[derive(Default)]
struct Accumulator {
    /// Keys in order; `None` for records without a `uuid` (kept, never deduplicated).
    order: Vec<Option<String>>,
    records: std::collections::BTreeMap<String, DetailMeeting>,
    anonymous: Vec<DetailMeeting>,
}

impl Accumulator {
    fn len(&self) -> u64 {
        self.order.len() as u64
    }

    /// Adds a page's records. Records without a `uuid` cannot be recognised again, so they
    /// are taken from the first walk only (`first_walk`).
    fn integrate(&mut self, meetings: Option<Vec<DetailMeeting>>, first_walk: bool) {
        let Some(meetings) = meetings else { return };
        let keys: Vec<Option<String>> = meetings
            .iter()
            .map(|m| m.uuid.as_ref().map(|u| u.as_str().to_owned()))
            .collect();
        for (i, m) in meetings.into_iter().enumerate() {
            let Some(Some(key)) = keys.get(i) else {
                if first_walk {
                    self.anonymous.push(m);
                    self.order.push(None);
                }
                continue;
            };
            if self.records.contains_key(key) {
                continue;
            }
            let position = if first_walk {
                self.order.len()
            } else {
                self.position_for(&keys, i)
            };
            self.order.insert(position, Some(key.clone()));
            self.records.insert(key.clone(), m);
        }
    }

    /// Where a record seen at `i` on a page (with these keys) belongs in `order`.
    fn position_for(&self, keys: &[Option<String>], i: usize) -> usize {
        let find = |k: &Option<String>| {
            k.as_ref()
                .filter(|k| self.records.contains_key(*k))
                .and_then(|k| self.order.iter().position(|o| o.as_ref() == Some(k)))
        };
        if let Some(after) = keys
            .get(..i)
            .and_then(|before| before.iter().rev().find_map(find))
        {
            return after + 1;
        }
        keys.get(i + 1..)
            .and_then(|rest| rest.iter().find_map(find))
            .unwrap_or(self.order.len())
    }

    fn into_records(mut self) -> Vec<DetailMeeting> {
        let mut anonymous = self.anonymous.into_iter();
        self.order
            .into_iter()
            .filter_map(|k| match k {
                Some(k) => self.records.remove(&k),
                None => anonymous.next(),
            })
            .collect()
    }
}

/// The most pages one window may grow to while following a server's `total_page`: a server
/// that keeps raising it cannot make the client loop forever.
const MAX_PAGES_PER_WINDOW: u64 = 100_000;

/// Builds a [`SystecClient`].
///
/// ```no_run
/// # async fn run() -> Result<(), meeting_http::Error> {
/// use futures::TryStreamExt;
/// let client = meeting_http::SystecClient::builder()
///     .credentials(std::env::var("SYSTEC_API_KEY").unwrap(), std::env::var("SYSTEC_API_SECRET").unwrap())
///     .build()?;
/// let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
/// let to = chrono::NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
/// let meetings: Vec<_> = client
///     .detail(systec_model::DetailQuery::new().from(from).to(to).show_participants(true))
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct SystecClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    transport: TransportConfig,
    concurrency: usize,
    page_size: u32,
    reports_batch: usize,
    reports_rate_limit: Option<RateLimit>,
}

impl Default for SystecClientBuilder {
    fn default() -> Self {
        SystecClientBuilder {
            base_url: systec_model::DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            transport: TransportConfig::default(),
            concurrency: 4,
            page_size: systec_model::detail::DEFAULT_PAGE_SIZE,
            reports_batch: 10,
            reports_rate_limit: RateLimit::per_second(1),
        }
    }
}

impl SystecClientBuilder {
    /// The base URL the endpoint names are joined to (default
    /// `https://api.systeccloud.com/umeeting/share/`). HTTPS is required except for loopback.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// `api_key` and `api_secret`.
    pub fn credentials(
        mut self,
        api_key: impl Into<String>,
        api_secret: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::new(api_key, api_secret));
        self
    }

    /// Credentials already wrapped.
    pub fn credentials_from(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The extra limit on `reports` calls (default 1/s, Zoom v1's limit on report calls);
    /// `None` turns it off.
    pub fn reports_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.reports_rate_limit = limit;
        self
    }

    /// Requests in flight at once for this client, across every call (the pages of all the
    /// windows of a range, batches of reports); default 4, at least 1.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The `page_size` sent to `detail` (default 30, the vendor's own default).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// UUIDs per `reports` request (default 10).
    pub fn reports_batch_size(mut self, n: usize) -> Self {
        self.reports_batch = n.max(1);
        self
    }

    crate::transport::transport_setters!();

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`]: no credentials, a bad or non-HTTPS base URL, a bad
    /// proxy or certificate.
    pub fn build(self) -> Result<SystecClient, Error> {
        let ctx = CallContext::new("systec");
        let credentials = self.credentials.ok_or_else(|| {
            Error::invalid(ctx.clone(), "no credentials: set api_key and api_secret")
        })?;
        if credentials.api_key.is_empty() || credentials.api_secret.is_empty() {
            return Err(Error::invalid(
                ctx,
                "api_key and api_secret must not be empty",
            ));
        }
        let mut base = self.base_url;
        if !base.ends_with('/') {
            base.push('/');
        }
        let base: reqwest::Url = base
            .parse()
            .map_err(|e| Error::invalid(ctx.clone(), format!("invalid base URL: {e}")))?;
        transport::check_scheme(&base).map_err(|m| Error::invalid(ctx.clone(), m))?;
        let url = |e: systec_model::Endpoint| {
            base.join(e.path())
                .map_err(|err| Error::invalid(ctx.clone(), format!("invalid base URL: {err}")))
        };
        let urls = [
            url(systec_model::Endpoint::Reports)?,
            url(systec_model::Endpoint::Detail)?,
            url(systec_model::Endpoint::HisMeeting)?,
        ];
        let transport = Transport::new(self.transport).map_err(|m| Error::invalid(ctx, m))?;
        Ok(SystecClient {
            inner: Arc::new(Inner {
                transport,
                credentials,
                urls,
                concurrency: self.concurrency,
                in_flight: tokio::sync::Semaphore::new(self.concurrency),
                page_size: self.page_size,
                reports_batch: self.reports_batch,
                reports_limiter: self.reports_rate_limit.map(|l| {
                    governor::RateLimiter::direct(
                        governor::Quota::per_second(l.per_second).allow_burst(l.burst),
                    )
                }),
            }),
        })
    }
}

/// An async client for the Systec shared-room API. Cheap to clone (shared state).
///
/// Range calls ([`detail`](Self::detail), [`his_meetings`](Self::his_meetings)) split the
/// range into windows of at most one calendar month (`systec_model::month_windows`), so the
/// vendor never silently truncates; `detail` follows every page with bounded concurrency.
#[derive(Clone)]
pub struct SystecClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    credentials: Credentials,
    /// reports, detail, hisMeeting.
    urls: [reqwest::Url; 3],
    concurrency: usize,
    /// Requests in flight across every range call of this client: windows run concurrently
    /// and share these permits, so no window waits on another's slow tail.
    in_flight: tokio::sync::Semaphore,
    page_size: u32,
    reports_batch: usize,
    reports_limiter: Option<governor::DefaultDirectRateLimiter>,
}

impl std::fmt::Debug for SystecClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystecClient")
            .field(
                "base_url",
                &self.inner.urls[1].as_str().trim_end_matches("detail"),
            )
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl SystecClient {
    /// A builder with the documented defaults.
    pub fn builder() -> SystecClientBuilder {
        SystecClientBuilder::default()
    }

    /// Requests sent by this client so far (every attempt counts).
    pub fn requests_sent(&self) -> u64 {
        self.inner.transport.requests_sent()
    }

    /// POSTs a form and parses the answer as `T`'s envelope.
    async fn call<T: EndpointData>(
        &self,
        context: CallContext,
        form: systec_model::Form,
    ) -> Result<T, Error> {
        let url = match T::ENDPOINT {
            systec_model::Endpoint::Reports => &self.inner.urls[0],
            systec_model::Endpoint::Detail => &self.inner.urls[1],
            _ => &self.inner.urls[2],
        };
        let params: Vec<(String, String)> = form
            .public_pairs()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let body = form.encode();
        let client = self.inner.transport.client();
        // Closed only when the client is dropped, which cannot happen while `self` lives.
        let _permit = self.inner.in_flight.acquire().await.ok();
        self.inner
            .transport
            .execute(
                context,
                &params,
                || {
                    client
                        .post(url.clone())
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(header::ACCEPT, "application/json")
                        .body(body.clone())
                },
                judge::<T>,
            )
            .await
    }

    /// One page of `detail`, exactly as asked.
    ///
    /// # Errors
    /// See [`ErrorKind`]; an invalid query fails before sending.
    pub async fn detail_page(&self, query: &DetailQuery) -> Result<DetailPage, Error> {
        let mut ctx = CallContext::new("systec.detail");
        if let (Some(f), Some(t)) = (query.from, query.to)
            && let Ok(w) = DateWindow::new(f, t)
        {
            ctx = ctx.window(w);
        }
        ctx = ctx.page(u64::from(query.page_number.unwrap_or(1)));
        let form = query
            .to_form(&self.inner.credentials)
            .map_err(|e| Error::invalid(ctx.clone(), e.to_string()))?;
        self.call::<DetailPage>(ctx, form).await
    }

    /// Every meeting of `detail` over the query's whole range (`from`/`to`, default today),
    /// window by window and page by page, in the vendor's order, without duplicates.
    ///
    /// The query's `page_number` is ignored; its `page_size` (else the client's) is used.
    /// Pages of a window are fetched with bounded concurrency. Page drift (records inserted or
    /// removed between page fetches) is handled: duplicates are dropped by `uuid`; when the
    /// server's own `total_record` shows records slipped past, the window is fetched again, and
    /// if that does not cure it, the stream yields [`ErrorKind::Incomplete`] for that window —
    /// never a silent gap. An error for one window is yielded in its place; later windows
    /// are still fetched.
    pub fn detail(
        &self,
        query: DetailQuery,
    ) -> impl Stream<Item = Result<DetailMeeting, Error>> + Send + 'static {
        let today = chrono::Utc::now().date_naive();
        let (from, to) = (query.from.unwrap_or(today), query.to.unwrap_or(today));
        let this = self.clone();
        let windows = match DateWindow::new(from, to) {
            Ok(w) => Ok(w.split_by_month().collect::<Vec<_>>()),
            Err(e) => Err(Error::invalid(
                CallContext::new("systec.detail"),
                e.to_string(),
            )),
        };
        let concurrency = self.inner.concurrency;
        flatten_windows(windows, concurrency, move |window| {
            let this = this.clone();
            let query = query.clone();
            async move { this.detail_window(&query, window).await }
        })
    }

    /// All records of one compliant window, verified against the server's counts.
    ///
    /// A first walk fetches page 1, then the other pages with bounded concurrency. If the
    /// server's latest `total_record` is larger than the distinct records received (records
    /// were inserted between page fetches and slipped past), recovery walks re-fetch pages
    /// from the first, one at a time, until the count is reached; at most
    /// [`DRIFT_REFETCHES`] walks, then [`ErrorKind::Incomplete`].
    async fn detail_window(
        &self,
        template: &DetailQuery,
        window: DateWindow,
    ) -> Result<Vec<DetailMeeting>, Error> {
        let page_size = template.page_size.unwrap_or(self.inner.page_size);
        let query = |page: u64| {
            template
                .clone()
                .window(window)
                .page_size(page_size)
                .page_number(u32::try_from(page).unwrap_or(u32::MAX))
        };
        let mut acc = Accumulator::default();
        let first = self.detail_page(&query(1)).await?;
        let mut expected = first.total_record.unwrap_or(0);
        let mut planned = planned_pages(&first);
        acc.integrate(first.meetings, true);
        let mut fetched_to = 1u64;
        while fetched_to < planned {
            let numbers: Vec<u64> = (fetched_to + 1..=planned).collect();
            fetched_to = planned;
            let batch: Vec<DetailPage> = stream::iter(numbers)
                .map(|n| {
                    let q = query(n);
                    async move { self.detail_page(&q).await }
                })
                .buffered(self.inner.concurrency)
                .try_collect()
                .await?;
            for page in batch {
                expected = page.total_record.unwrap_or(expected);
                planned = planned.max(planned_pages(&page));
                acc.integrate(page.meetings, true);
            }
        }
        let mut walks = 0;
        while acc.len() < expected && walks < DRIFT_REFETCHES {
            walks += 1;
            tracing::debug!(
                window = %format!("{}..{}", window.from(), window.to()),
                expected,
                received = acc.len(),
                walk = walks,
                "page drift: records slipped past; walking the window again"
            );
            let mut n = 1;
            while n <= planned && acc.len() < expected {
                let page = self.detail_page(&query(n)).await?;
                expected = page.total_record.unwrap_or(expected);
                planned = planned.max(planned_pages(&page));
                acc.integrate(page.meetings, false);
                n += 1;
            }
        }
        if acc.len() >= expected {
            Ok(acc.into_records())
        } else {
            Err(Error::new(
                ErrorKind::Incomplete {
                    expected,
                    received: acc.len(),
                },
                CallContext::new("systec.detail").window(window),
            ))
        }
    }

    /// Past meetings of one window, exactly as asked.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`] for a window longer than one calendar month (the vendor
    /// would silently return only its last month: use [`his_meetings`](Self::his_meetings)).
    pub async fn his_meeting_window(&self, window: DateWindow) -> Result<Vec<HisMeeting>, Error> {
        let ctx = CallContext::new("systec.his_meeting").window(window);
        if !window.is_compliant() {
            return Err(Error::invalid(
                ctx,
                "the window spans more than one calendar month; the vendor would silently return only its last month",
            ));
        }
        let form = HisMeetingQuery::new(window)
            .to_form(&self.inner.credentials)
            .map_err(|e| Error::invalid(ctx.clone(), e.to_string()))?;
        self.call::<Vec<HisMeeting>>(ctx, form).await
    }

    /// Every past meeting from `from` to `to` (inclusive dates in the vendor's zone), window
    /// by window (at most `concurrency` windows in flight), in order.
    pub fn his_meetings(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> impl Stream<Item = Result<HisMeeting, Error>> + Send + 'static {
        let this = self.clone();
        let windows = DateWindow::new(from, to)
            .map(|w| w.split_by_month().collect::<Vec<_>>())
            .map_err(|e| Error::invalid(CallContext::new("systec.his_meeting"), e.to_string()));
        let concurrency = self.inner.concurrency;
        match windows {
            Err(e) => stream::once(async { Err(e) }).boxed(),
            Ok(windows) => stream::iter(windows)
                .map(move |w| {
                    let this = this.clone();
                    async move { this.his_meeting_window(w).await }
                })
                .buffered(concurrency)
                .flat_map(|r| match r {
                    Ok(v) => stream::iter(v.into_iter().map(Ok)).boxed(),
                    Err(e) => stream::once(async { Err(e) }).boxed(),
                })
                .boxed(),
        }
    }

    /// Reports for these UUIDs, in order: a full report, or a stub for a meeting without one.
    /// UUIDs are sent in batches (at most `concurrency` in flight, and at most the reports
    /// rate limit per second).
    ///
    /// # Errors
    /// The first failing batch's error; [`ErrorKind::Incomplete`] when a batch comes back
    /// with fewer entries than UUIDs sent.
    pub async fn reports<I, U>(&self, uuids: I) -> Result<Vec<ReportEntry>, Error>
    where
        I: IntoIterator<Item = U>,
        U: Into<systec_model::MeetingUuid>,
    {
        let uuids: Vec<systec_model::MeetingUuid> = uuids.into_iter().map(Into::into).collect();
        let batches: Vec<Vec<systec_model::MeetingUuid>> = uuids
            .chunks(self.inner.reports_batch)
            .map(<[_]>::to_vec)
            .collect();
        let results: Vec<Vec<ReportEntry>> = stream::iter(batches.into_iter().enumerate())
            .map(|(i, batch)| async move { self.reports_batch(i, batch).await })
            .buffered(self.inner.concurrency)
            .try_collect()
            .await?;
        Ok(results.into_iter().flatten().collect())
    }

    /// One `reports` request.
    async fn reports_batch(
        &self,
        index: usize,
        batch: Vec<systec_model::MeetingUuid>,
    ) -> Result<Vec<ReportEntry>, Error> {
        let ctx = CallContext::new("systec.reports").batch(index);
        let sent = batch.len() as u64;
        let form = ReportsQuery::new(batch)
            .to_form(&self.inner.credentials)
            .map_err(|e| Error::invalid(ctx.clone(), e.to_string()))?;
        if let Some(limiter) = &self.inner.reports_limiter {
            limiter.until_ready().await;
        }
        let entries = self.call::<Vec<ReportEntry>>(ctx.clone(), form).await?;
        if (entries.len() as u64) < sent {
            return Err(Error::new(
                ErrorKind::Incomplete {
                    expected: sent,
                    received: entries.len() as u64,
                },
                ctx,
            ));
        }
        Ok(entries)
    }
}

/// Pages the server says the window has: `total_page` when sent (it is believed over
/// `has_next_page`, which a lying or drifting server may leave `true`); otherwise one more
/// than this page while `has_next_page` says so. Any shortfall shows in `total_record`.
fn planned_pages(page: &DetailPage) -> u64 {
    let current = page.page_number.unwrap_or(1);
    let planned = match page.total_page {
        Some(total) => total,
        None if page.has_next_page == Some(true) => current.saturating_add(1),
        None => current,
    };
    planned.clamp(1, MAX_PAGES_PER_WINDOW)
}

/// Runs `fetch` for the windows (up to `concurrency` at once; their requests share the
/// client's in-flight permits) and flattens the records in window order; an error for a
/// window is yielded in its place.
fn flatten_windows<F, Fut>(
    windows: Result<Vec<DateWindow>, Error>,
    concurrency: usize,
    fetch: F,
) -> impl Stream<Item = Result<DetailMeeting, Error>> + Send + 'static
where
    F: Fn(DateWindow) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<DetailMeeting>, Error>> + Send + 'static,
{
    match windows {
        Err(e) => stream::once(async { Err(e) }).boxed(),
        Ok(windows) => stream::iter(windows)
            .map(fetch)
            .buffered(concurrency)
            .flat_map(|r| match r {
                Ok(v) => stream::iter(v.into_iter().map(Ok)).boxed(),
                Err(e) => stream::once(async { Err(e) }).boxed(),
            })
            .boxed(),
    }
}

/// Judges a Systec answer.
fn judge<T: EndpointData>(status: StatusCode, body: &Bytes) -> Verdict<T> {
    if status != StatusCode::OK {
        // The vendor family answers rate limits with 403 and a message saying so.
        let vendor = match Envelope::<T>::from_slice(body) {
            Err(systec_model::Error::Vendor { error, .. }) => Some(error),
            _ => None,
        };
        let says = vendor
            .as_ref()
            .is_some_and(|v| v.is_rate_limit() || transport::says_rate_limit(&v.message))
            || transport::says_rate_limit(&String::from_utf8_lossy(body));
        return transport::judge_http_status(status, body, says);
    }
    match Envelope::<T>::from_slice(body) {
        Ok(envelope) => Verdict::Ok(envelope.data),
        Err(systec_model::Error::Vendor { error, .. }) => {
            if error.is_rate_limit() || transport::says_rate_limit(&error.message) {
                Verdict::Fail {
                    kind: ErrorKind::RateLimited {
                        message: error.message,
                    },
                    retry: true,
                }
            } else if matches!(error.status, Some(401 | 403))
                || matches!(error.code, Some(401 | 403))
                || transport::says_bad_credentials(&error.message)
            {
                Verdict::Fail {
                    kind: ErrorKind::Authentication {
                        message: error.to_string(),
                    },
                    retry: false,
                }
            } else {
                Verdict::Fail {
                    kind: ErrorKind::Vendor {
                        status: error.status,
                        code: error.code,
                        message: error.message,
                        request_id: None,
                    },
                    // The vendor's own 5xx-like statuses are transient too.
                    retry: matches!(error.status, Some(500..=599)),
                }
            }
        }
        Err(systec_model::Error::Decode { error, .. }) => transport::judge_decode(&error, body),
        Err(other) => Verdict::Fail {
            kind: ErrorKind::Vendor {
                status: None,
                code: None,
                message: other.to_string(),
                request_id: None,
            },
            retry: false,
        },
    }
}
