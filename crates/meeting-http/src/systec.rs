//! The Systec Cloud UMeeting client.

use futures::stream::{self, Stream, StreamExt};
use meeting_wire::{ApiRequest, Source, Vendor};
use std::sync::Arc;
use systec_model::{
    Credentials, DateWindow, DetailMeeting, DetailPage, DetailQuery, HisMeeting, HisMeetingQuery,
    ReportEntry, ReportsQuery,
};

use crate::error::{CallContext, Error, ErrorKind};
use crate::transport::{self, RateLimit, Transport, TransportConfig};
use crate::windows::{self, WindowFetch};

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
    vendor_tz: chrono_tz::Tz,
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
            vendor_tz: systec_model::DEFAULT_VENDOR_ZONE,
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

    /// The vendor's zone (default `Asia/Shanghai`): "today", the default date of a `detail`
    /// query without `from`/`to`, is today in this zone, as the vendor reads its dates.
    pub fn vendor_tz(mut self, tz: chrono_tz::Tz) -> Self {
        self.vendor_tz = tz;
        self
    }

    /// The extra limit on the report-style calls, `reports` and `hisMeeting`, together
    /// (default 1/s, Zoom v1's limit on report calls, which `hisMeeting` belongs to as well);
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
        let ctx = CallContext::build(Vendor::Systec);
        let credentials = self.credentials.ok_or_else(|| {
            Error::invalid(ctx.clone(), "no credentials: set api_key and api_secret")
        })?;
        if credentials.api_key.is_empty() || credentials.api_secret.is_empty() {
            return Err(Error::invalid(
                ctx,
                "api_key and api_secret must not be empty",
            ));
        }
        let base = transport::base_url(&self.base_url, &ctx)?;
        let url = |e: Source| {
            let ctx = CallContext::new(e);
            let path = e.default_path().ok_or_else(|| {
                Error::invalid(ctx.clone(), "the endpoint has no documented path")
            })?;
            transport::endpoint_url(&base, path, &ctx)
        };
        let urls = Urls {
            reports: url(Source::SystecReports)?,
            detail: url(Source::SystecDetail)?,
            his_meeting: url(Source::SystecHisMeeting)?,
        };
        let transport =
            Transport::new(self.transport, &base).map_err(|m| Error::invalid(ctx, m))?;
        Ok(SystecClient {
            inner: Arc::new(Inner {
                transport,
                credentials,
                base,
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
                vendor_tz: self.vendor_tz,
            }),
        })
    }
}

/// An async client for the Systec shared-room API. Cheap to clone (shared state).
///
/// Range calls split the range into windows of at most one calendar month
/// (`systec_model::month_windows`), so the vendor never silently truncates. The window calls
/// ([`detail_windows`](Self::detail_windows), [`his_meeting_windows`](Self::his_meeting_windows))
/// yield each window with everything received and what failed; the flat calls
/// ([`detail`](Self::detail), [`his_meetings`](Self::his_meetings)) are built on them.
#[derive(Clone)]
pub struct SystecClient {
    inner: Arc<Inner>,
}

/// The URL of each endpoint, checked at build time.
struct Urls {
    reports: reqwest::Url,
    detail: reqwest::Url,
    his_meeting: reqwest::Url,
}

struct Inner {
    transport: Transport,
    credentials: Credentials,
    base: reqwest::Url,
    urls: Urls,
    concurrency: usize,
    /// Requests in flight across every range call of this client: windows run concurrently
    /// and share these permits, so no window waits on another's slow tail.
    in_flight: tokio::sync::Semaphore,
    page_size: u32,
    reports_batch: usize,
    reports_limiter: Option<governor::DefaultDirectRateLimiter>,
    vendor_tz: chrono_tz::Tz,
}

impl std::fmt::Debug for SystecClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystecClient")
            .field("base_url", &self.inner.base.as_str())
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

/// A batch of the `reports` call: the UUIDs asked, and the answer or why it failed.
#[non_exhaustive]
#[derive(Debug)]
pub struct ReportsBatch {
    /// The UUIDs sent in this request, in order.
    pub uuids: Vec<String>,
    /// The entries (a full report or a stub per UUID), or the failure after retries, with
    /// its context (batch). The vendor may answer fewer entries than UUIDs sent (it leaves
    /// out occurrences it keeps no usage for): what it answered is kept, and the meetings
    /// it left out have no report (`not_fetched`).
    pub result: Result<Vec<ReportEntry>, Error>,
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

    /// Today in the vendor's zone (see [`SystecClientBuilder::vendor_tz`]).
    fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.inner.vendor_tz)
            .date_naive()
    }

    /// The URL of a Systec endpoint; `None` for another vendor's.
    fn url(&self, endpoint: Source) -> Option<&reqwest::Url> {
        match endpoint {
            Source::SystecReports => Some(&self.inner.urls.reports),
            Source::SystecDetail => Some(&self.inner.urls.detail),
            Source::SystecHisMeeting => Some(&self.inner.urls.his_meeting),
            Source::QuanshiConference | Source::QuanshiDashboard => None,
        }
    }

    /// Sends one request through the shared call path, under the in-flight limit.
    async fn call<R>(&self, context: CallContext, request: &R) -> Result<R::Response, Error>
    where
        R: ApiRequest<Auth = Credentials>,
    {
        let url = self.url(R::ENDPOINT).ok_or_else(|| {
            Error::invalid(context.clone(), "not an endpoint of the Systec client")
        })?;
        // Closed only when the client is dropped, which cannot happen while `self` lives.
        let _permit = self.inner.in_flight.acquire().await.ok();
        self.inner
            .transport
            .call(context, url, &self.inner.credentials, request)
            .await
    }

    /// One page of `detail`, exactly as asked.
    ///
    /// # Errors
    /// See [`ErrorKind`]; an invalid query fails before sending.
    pub async fn detail_page(&self, query: &DetailQuery) -> Result<DetailPage, Error> {
        let mut ctx = CallContext::new(Source::SystecDetail);
        if let (Some(f), Some(t)) = (query.from, query.to)
            && let Ok(w) = DateWindow::new(f, t)
        {
            ctx = ctx.window(w);
        }
        ctx = ctx.page(u64::from(query.page_number.unwrap_or(1)));
        self.call(ctx, query).await
    }

    /// `detail` over the query's whole range (`from`/`to`, default today in the vendor's
    /// zone), one [`WindowFetch`] per month window, in date order, each yielded when all its
    /// pages are done.
    ///
    /// The query's `page_number` is ignored; its `page_size` (else the client's) is used.
    /// Windows and their pages are fetched concurrently under the client's one in-flight
    /// limit. A failed page (after retries) is listed in the window's `failures` with its page;
    /// the other pages' records are kept. Page drift (records inserted or removed between
    /// page fetches) is handled: duplicates are dropped by `uuid`; when every page arrived but
    /// the server's own `total_record` shows records slipped past, the window is walked again,
    /// and if that does not cure it, [`ErrorKind::Incomplete`] is listed — never a silent gap.
    pub fn detail_windows(
        &self,
        query: DetailQuery,
    ) -> impl Stream<Item = WindowFetch<DetailMeeting>> + Send + '_ {
        self.detail_windows_owned(query)
    }

    fn detail_windows_owned(
        &self,
        query: DetailQuery,
    ) -> impl Stream<Item = WindowFetch<DetailMeeting>> + Send + 'static {
        let today = self.today();
        let (from, to) = (query.from.unwrap_or(today), query.to.unwrap_or(today));
        let this = self.clone();
        windows::fetch_windows(
            Source::SystecDetail,
            from,
            to,
            self.inner.concurrency,
            move |window| {
                let this = this.clone();
                let query = query.clone();
                async move { this.detail_window(&query, window).await }
            },
        )
    }

    /// Every meeting of `detail` over the query's whole range, flattened from
    /// [`detail_windows`](Self::detail_windows): each window's records, in order, then an
    /// `Err` for each of its failures (a failed page, or [`ErrorKind::Incomplete`]). On a
    /// partial failure the stream yields everything received *and* the errors; later windows
    /// are still fetched.
    pub fn detail(
        &self,
        query: DetailQuery,
    ) -> impl Stream<Item = Result<DetailMeeting, Error>> + Send + 'static {
        windows::flatten(self.detail_windows_owned(query))
    }

    /// All records of one compliant window, with the pages that failed.
    ///
    /// A first walk fetches page 1, then the other pages with bounded concurrency. If every
    /// page arrived and the server's latest `total_record` is larger than the distinct records
    /// received (records were inserted between page fetches and slipped past), recovery walks
    /// re-fetch pages from the first, one at a time, until the count is reached; at most
    /// [`DRIFT_REFETCHES`] walks, then [`ErrorKind::Incomplete`].
    async fn detail_window(
        &self,
        template: &DetailQuery,
        window: DateWindow,
    ) -> WindowFetch<DetailMeeting> {
        let mut fetch = WindowFetch::new(Source::SystecDetail, window);
        let page_size = template.page_size.unwrap_or(self.inner.page_size);
        let query = |page: u64| {
            template
                .clone()
                .window(window)
                .page_size(page_size)
                .page_number(u32::try_from(page).unwrap_or(u32::MAX))
        };
        let mut acc = Accumulator::default();
        let first = match self.detail_page(&query(1)).await {
            Ok(page) => page,
            Err(e) => {
                fetch.failures.push(e);
                return fetch;
            }
        };
        let mut expected = first.total_record.unwrap_or(0);
        let mut planned = planned_pages(&first);
        acc.integrate(first.meetings, true);
        let mut fetched_to = 1u64;
        while fetched_to < planned {
            let numbers: Vec<u64> = (fetched_to + 1..=planned).collect();
            fetched_to = planned;
            let pages: Vec<Result<DetailPage, Error>> = stream::iter(numbers)
                .map(|n| {
                    let q = query(n);
                    async move { self.detail_page(&q).await }
                })
                .buffered(self.inner.concurrency)
                .collect()
                .await;
            for page in pages {
                match page {
                    Ok(page) => {
                        expected = page.total_record.unwrap_or(expected);
                        planned = planned.max(planned_pages(&page));
                        acc.integrate(page.meetings, true);
                    }
                    Err(e) => fetch.failures.push(e),
                }
            }
        }
        let mut walks = 0;
        while fetch.failures.is_empty() && acc.len() < expected && walks < DRIFT_REFETCHES {
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
                match self.detail_page(&query(n)).await {
                    Ok(page) => {
                        expected = page.total_record.unwrap_or(expected);
                        planned = planned.max(planned_pages(&page));
                        acc.integrate(page.meetings, false);
                    }
                    Err(e) => {
                        fetch.failures.push(e);
                        break;
                    }
                }
                n += 1;
            }
        }
        if fetch.failures.is_empty() && acc.len() < expected {
            fetch.failures.push(Error::new(
                ErrorKind::Incomplete {
                    expected,
                    received: acc.len(),
                },
                CallContext::new(Source::SystecDetail).window(window),
            ));
        }
        fetch.records = acc.into_records();
        fetch
    }

    /// Past meetings of one window, exactly as asked.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`] for a window longer than one calendar month (the vendor
    /// would silently return only its last month: use [`his_meetings`](Self::his_meetings)).
    pub async fn his_meeting_window(&self, window: DateWindow) -> Result<Vec<HisMeeting>, Error> {
        let ctx = CallContext::new(Source::SystecHisMeeting).window(window);
        if !window.is_compliant() {
            return Err(Error::invalid(
                ctx,
                "the window spans more than one calendar month; the vendor would silently return only its last month",
            ));
        }
        if let Some(limiter) = &self.inner.reports_limiter {
            limiter.until_ready().await;
        }
        self.call(ctx, &HisMeetingQuery::new(window)).await
    }

    /// `hisMeeting` from `from` to `to` (inclusive dates in the vendor's zone), one
    /// [`WindowFetch`] per month window, in date order (windows fetched concurrently under
    /// the client's in-flight limit). A failed window has no records and its failure listed.
    pub fn his_meeting_windows(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> impl Stream<Item = WindowFetch<HisMeeting>> + Send + '_ {
        self.his_meeting_windows_owned(from, to)
    }

    fn his_meeting_windows_owned(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> impl Stream<Item = WindowFetch<HisMeeting>> + Send + 'static {
        let this = self.clone();
        windows::fetch_windows(
            Source::SystecHisMeeting,
            from,
            to,
            self.inner.concurrency,
            move |window| {
                let this = this.clone();
                async move {
                    let mut fetch = WindowFetch::new(Source::SystecHisMeeting, window);
                    match this.his_meeting_window(window).await {
                        Ok(records) => fetch.records = records,
                        Err(e) => fetch.failures.push(e),
                    }
                    fetch
                }
            },
        )
    }

    /// Every past meeting from `from` to `to`, flattened from
    /// [`his_meeting_windows`](Self::his_meeting_windows): records in order, and an `Err` in
    /// place of each failed window; later windows are still fetched.
    pub fn his_meetings(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> impl Stream<Item = Result<HisMeeting, Error>> + Send + 'static {
        windows::flatten(self.his_meeting_windows_owned(from, to))
    }

    /// `reports` for these UUIDs, one [`ReportsBatch`] per request, in order. UUIDs are sent
    /// in batches (the client's batch size; at most `concurrency` in flight, and at most the
    /// reports rate limit per second). A failed batch does not stop the others.
    pub fn reports_batches<I, U>(&self, uuids: I) -> impl Stream<Item = ReportsBatch> + Send + '_
    where
        I: IntoIterator<Item = U>,
        U: Into<systec_model::MeetingUuid>,
    {
        let uuids: Vec<systec_model::MeetingUuid> = uuids.into_iter().map(Into::into).collect();
        let batches: Vec<Vec<systec_model::MeetingUuid>> = uuids
            .chunks(self.inner.reports_batch)
            .map(<[_]>::to_vec)
            .collect();
        stream::iter(batches.into_iter().enumerate())
            .map(move |(i, batch)| async move {
                let asked = batch.iter().map(|u| u.as_str().to_owned()).collect();
                ReportsBatch {
                    uuids: asked,
                    result: self.reports_batch(i, batch).await,
                }
            })
            .buffered(self.inner.concurrency)
    }

    /// Reports for these UUIDs, in order: a full report, or a stub for a meeting without one.
    /// Built on [`reports_batches`](Self::reports_batches).
    ///
    /// # Errors
    /// On a partial failure, the error of the first failed batch (in order; the other
    /// batches' entries are not returned: use [`reports_batches`](Self::reports_batches) to
    /// keep them).
    pub async fn reports<I, U>(&self, uuids: I) -> Result<Vec<ReportEntry>, Error>
    where
        I: IntoIterator<Item = U>,
        U: Into<systec_model::MeetingUuid>,
    {
        let batches: Vec<ReportsBatch> = self.reports_batches(uuids).collect().await;
        let mut entries = Vec::new();
        for batch in batches {
            entries.extend(batch.result?);
        }
        Ok(entries)
    }

    /// One `reports` request.
    async fn reports_batch(
        &self,
        index: usize,
        batch: Vec<systec_model::MeetingUuid>,
    ) -> Result<Vec<ReportEntry>, Error> {
        let ctx = CallContext::new(Source::SystecReports).batch(index);
        let sent = batch.len() as u64;
        let query = ReportsQuery::new(batch);
        if let Some(limiter) = &self.inner.reports_limiter {
            limiter.until_ready().await;
        }
        let entries: Vec<ReportEntry> = self.call(ctx.clone(), &query).await?;
        if (entries.len() as u64) < sent {
            // Not a failure: retrying gets the same answer. The occurrences it left out keep
            // no report (`not_fetched`), visible on each of them.
            tracing::warn!(
                batch = index,
                sent,
                answered = entries.len(),
                "systec reports: the vendor answered fewer entries than UUIDs sent"
            );
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
