//! Systec jobs: the main job ([`fetch_range`]: history, detail with participants and phone
//! calls, then the reports of every occurrence seen) and the single-endpoint ranges.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::StreamExt;
use meeting_core::normalize::{normalize_detail_meeting, normalize_his_meeting};
use meeting_core::{Context, Normalize, Source};
use meeting_http::SystecClient;
use systec_model::DateWindow;
use systec_model::detail::DetailQuery;

use crate::job::{Batch, Progress, RunSummary};

/// A job that cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// The range is empty (`from` after `to`).
    #[error("the range {from}..{to} is empty: the first day is after the last")]
    EmptyRange {
        /// First day asked.
        from: NaiveDate,
        /// Last day asked.
        to: NaiveDate,
    },
}

/// The main job's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchRange {
    /// First day (inclusive, vendor zone).
    pub from: NaiveDate,
    /// Last day (inclusive, vendor zone).
    pub to: NaiveDate,
    /// Only this shared room (detail's `host_id`); history is then not used for the reports.
    pub room: Option<String>,
    /// Only the meetings starting in `[from, to)` (UTC) are kept (and have their reports
    /// asked): the days asked in the report zone, when the vendor windows were widened to
    /// cover them ([`FetchRange::for_days`]).
    pub keep: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl FetchRange {
    /// The range `from..=to` (vendor-zone dates).
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        FetchRange {
            from,
            to,
            room: None,
            keep: None,
        }
    }

    /// The fetch for the days `from..=to` of the report zone `report_zone`: the vendor
    /// windows cover those days in `vendor_zone`, widened by a day on each side (the
    /// vendor's own date zone is not documented) and never past today there, and exactly
    /// the meetings starting on the days asked are kept.
    ///
    /// ```
    /// use meeting_sync::systec::FetchRange;
    /// let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let r = FetchRange::for_days(day("2024-01-01"), day("2024-01-31"),
    ///     chrono_tz::UTC, chrono_tz::Asia::Shanghai);
    /// assert_eq!((r.from, r.to), (day("2023-12-31"), day("2024-02-02")));
    /// assert_eq!(r.keep.unwrap().0.to_rfc3339(), "2024-01-01T00:00:00+00:00");
    /// ```
    pub fn for_days(from: NaiveDate, to: NaiveDate, report_zone: Tz, vendor_zone: Tz) -> Self {
        let (start, end) = meeting_core::query::day_span(from, to, report_zone);
        let today = Utc::now().with_timezone(&vendor_zone).date_naive();
        let vendor_day = |t: DateTime<Utc>| t.with_timezone(&vendor_zone).date_naive();
        let first = vendor_day(start).pred_opt().unwrap_or(from);
        let last = vendor_day(end - chrono::Duration::seconds(1))
            .succ_opt()
            .unwrap_or(to)
            .min(today.max(first));
        FetchRange {
            from: first,
            to: last,
            room: None,
            keep: Some((start, end)),
        }
    }

    /// Whether a record is kept (see [`FetchRange::keep`]); records without a time are.
    pub fn keeps(&self, m: &meeting_core::Meeting) -> bool {
        match (self.keep, meeting_core::query::sort_time(m)) {
            (Some((start, end)), Some(t)) => t >= start && t < end,
            _ => true,
        }
    }

    /// Only this shared room.
    #[must_use]
    pub fn room(mut self, room: impl Into<String>) -> Self {
        self.room = Some(room.into());
        self
    }

    /// The month windows of the range; an error when it is empty.
    pub fn windows(&self) -> Result<Vec<DateWindow>, JobError> {
        DateWindow::new(self.from, self.to)
            .map(|w| w.split_by_month().collect())
            .map_err(|_| JobError::EmptyRange {
                from: self.from,
                to: self.to,
            })
    }
}

/// Hands batches to the caller and counts them.
struct Sink<'a> {
    summary: RunSummary,
    auth_failed: bool,
    progress: &'a dyn Progress,
    on_batch: &'a mut (dyn FnMut(Batch) + Send),
}

impl Sink<'_> {
    fn push(&mut self, batch: Batch) {
        let batch = batch.observed_now();
        tracing::info!(
            endpoint = %batch.endpoint,
            window = %batch.window.map(|w| format!("{}..{}", w.from(), w.to())).unwrap_or_default(),
            records = batch.meetings.len(),
            failures = batch.failures.len(),
            "batch done"
        );
        self.summary.count(&batch);
        self.auth_failed |= batch
            .failures
            .iter()
            .any(meeting_http::Error::is_authentication);
        self.progress.batch(&batch);
        (self.on_batch)(batch);
    }
}

/// One `meeting systec ...` command as a job: which endpoint, for what.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SystecCall {
    /// [`fetch_range`].
    Fetch(FetchRange),
    /// [`detail`].
    Detail(DetailQuery),
    /// [`history`] of these vendor days.
    History(NaiveDate, NaiveDate),
    /// [`reports`] of these occurrences.
    Reports(Vec<String>),
}

impl SystecCall {
    /// Runs the call, handing over each batch as it arrives.
    ///
    /// # Errors
    /// The [`JobError`] of [`fetch_range`] and [`history`]; failed calls are in the batches.
    pub async fn run(
        &self,
        client: &SystecClient,
        ctx: &Context,
        progress: &dyn Progress,
        on_batch: &mut (dyn FnMut(Batch) + Send),
    ) -> Result<(), JobError> {
        match self {
            SystecCall::Fetch(range) => fetch_range(client, ctx, range, progress, on_batch)
                .await
                .map(|_| ()),
            SystecCall::Detail(query) => {
                detail(client, ctx, query.clone(), on_batch).await;
                Ok(())
            }
            SystecCall::History(from, to) => history(client, ctx, *from, *to, on_batch).await,
            SystecCall::Reports(uuids) => {
                reports(client, ctx, uuids, on_batch).await;
                Ok(())
            }
        }
    }
}

/// The main job: for the whole range, the history (`hisMeeting`), the details with
/// participants and phone calls (`detail`), then the reports of every occurrence seen, each
/// handed to `on_batch` as soon as it is done (history and detail one month window at a
/// time, in date order). Records are normalised, not merged: merge them by key
/// ([`meeting_core::query::merge_sorted`]) for one record per occurrence.
///
/// A failed window or call is reported in its batch and the job goes on; a refusal of the
/// credentials stops it after the phase it happened in.
pub async fn fetch_range(
    client: &SystecClient,
    ctx: &Context,
    range: &FetchRange,
    progress: &dyn Progress,
    on_batch: &mut (dyn FnMut(Batch) + Send),
) -> Result<RunSummary, JobError> {
    let windows = range.windows()?.len() as u64;
    let requests_before = client.requests_sent();
    let mut sink = Sink {
        summary: RunSummary {
            span: Some((range.from, range.to)),
            ..RunSummary::default()
        },
        auth_failed: false,
        progress,
        on_batch,
    };
    let mut uuids: BTreeSet<String> = BTreeSet::new();

    tracing::info!(from = %range.from, to = %range.to, windows, "systec fetch: history");
    progress.phase("systec history", Some(windows));
    let history = client.his_meeting_windows(range.from, range.to);
    futures::pin_mut!(history);
    while let Some(w) = history.next().await {
        let mut batch = Batch::new(Source::SystecHisMeeting, Some(w.window));
        for h in w.records {
            let m = normalize_his_meeting(h, ctx);
            if !range.keeps(&m) {
                continue;
            }
            if range.room.is_none()
                && let Some(u) = &m.occurrence_id
            {
                uuids.insert(u.clone());
            }
            batch.meetings.push(m);
        }
        batch.failures = w.failures;
        sink.push(batch);
        progress.advance(1);
    }

    if !sink.auth_failed {
        tracing::info!("systec fetch: detail");
        progress.phase("systec detail", Some(windows));
        let mut query = DetailQuery::new()
            .from(range.from)
            .to(range.to)
            .show_participants(true)
            .show_telephony_usage(true);
        if let Some(room) = &range.room {
            query = query.host_id(room.clone());
        }
        let detail = client.detail_windows(query);
        futures::pin_mut!(detail);
        while let Some(w) = detail.next().await {
            let mut batch = Batch::new(Source::SystecDetail, Some(w.window));
            for d in w.records {
                let m = normalize_detail_meeting(d, ctx);
                if !range.keeps(&m) {
                    continue;
                }
                if let Some(u) = &m.occurrence_id {
                    uuids.insert(u.clone());
                }
                batch.meetings.push(m);
            }
            batch.failures = w.failures;
            sink.push(batch);
            progress.advance(1);
        }
    }

    if !sink.auth_failed {
        tracing::info!(uuids = uuids.len(), "systec fetch: reports");
        progress.phase("systec reports", Some(uuids.len() as u64));
        let reports = client.reports_batches(uuids.iter().map(String::as_str));
        futures::pin_mut!(reports);
        while let Some(r) = reports.next().await {
            let asked = r.uuids.len() as u64;
            sink.push(reports_batch(r, ctx));
            progress.advance(asked);
        }
    }
    let mut summary = sink.summary;
    summary.requests = client.requests_sent().saturating_sub(requests_before);
    tracing::info!(
        records = summary.total_records(),
        requests = summary.requests,
        batches_done = summary.batches_done,
        batches_failed = summary.batches_failed,
        "systec fetch done"
    );
    Ok(summary)
}

/// One reports request as a batch: its entries normalised, or its failure.
fn reports_batch(r: meeting_http::ReportsBatch, ctx: &Context) -> Batch {
    let mut batch = Batch::new(Source::SystecReports, None);
    match r.result {
        Ok(entries) => entries.normalize_into(ctx, &mut batch.meetings),
        Err(e) => batch.failures.push(e),
    }
    // A stub attaches only to the occurrences this request asked about.
    let asked: Vec<String> = r.uuids.iter().map(ToString::to_string).collect();
    for m in batch.meetings.iter_mut().filter(|m| m.is_stub()) {
        m.set_stub_scope(asked.clone());
    }
    batch.observed_now()
}

/// `detail` for a query (all pages), one batch per month window of its range (in date
/// order; without dates, today in the vendor zone).
pub async fn detail(
    client: &SystecClient,
    ctx: &Context,
    query: DetailQuery,
    on_batch: &mut (dyn FnMut(Batch) + Send),
) {
    let detail = client.detail_windows(query);
    futures::pin_mut!(detail);
    while let Some(w) = detail.next().await {
        let mut batch = Batch::new(Source::SystecDetail, Some(w.window));
        batch.meetings.extend(
            w.records
                .into_iter()
                .map(|d| normalize_detail_meeting(d, ctx)),
        );
        batch.failures = w.failures;
        on_batch(batch.observed_now());
    }
}

/// `hisMeeting` for a range, one batch per month window (in date order).
pub async fn history(
    client: &SystecClient,
    ctx: &Context,
    from: NaiveDate,
    to: NaiveDate,
    on_batch: &mut (dyn FnMut(Batch) + Send),
) -> Result<(), JobError> {
    FetchRange::new(from, to).windows()?;
    let history = client.his_meeting_windows(from, to);
    futures::pin_mut!(history);
    while let Some(w) = history.next().await {
        let mut batch = Batch::new(Source::SystecHisMeeting, Some(w.window));
        batch
            .meetings
            .extend(w.records.into_iter().map(|h| normalize_his_meeting(h, ctx)));
        batch.failures = w.failures;
        on_batch(batch.observed_now());
    }
    Ok(())
}

/// `reports` for these UUIDs, one batch per request (a failed request does not lose the
/// others).
pub async fn reports(
    client: &SystecClient,
    ctx: &Context,
    uuids: &[String],
    on_batch: &mut (dyn FnMut(Batch) + Send),
) {
    let reports = client.reports_batches(uuids.iter().map(String::as_str));
    futures::pin_mut!(reports);
    while let Some(r) = reports.next().await {
        on_batch(reports_batch(r, ctx));
    }
}
