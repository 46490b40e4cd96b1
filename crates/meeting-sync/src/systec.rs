//! Systec jobs: the main job ([`fetch_range`]: history, detail with participants and phone
//! calls, then the reports of every occurrence seen) and the single-endpoint ranges.

use std::collections::BTreeSet;

use chrono::NaiveDate;
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
}

impl FetchRange {
    /// The range `from..=to` (vendor-zone dates).
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        FetchRange {
            from,
            to,
            room: None,
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
            if range.room.is_none()
                && let Some(u) = &h.uuid
            {
                uuids.insert(u.as_str().to_owned());
            }
            batch.meetings.push(normalize_his_meeting(h, ctx));
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
                if let Some(u) = &d.uuid {
                    uuids.insert(u.as_str().to_owned());
                }
                batch.meetings.push(normalize_detail_meeting(d, ctx));
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
    batch
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
        on_batch(batch);
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
        on_batch(batch);
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
