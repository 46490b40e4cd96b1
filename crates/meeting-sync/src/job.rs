//! What every job yields: batches of normalised records as they arrive (a month window, a
//! reports call, one lookup), and a run summary at the end.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use meeting_core::{Meeting, Source};
use systec_model::DateWindow;

/// One unit of a job's work, handed over as soon as it is done: the records of one
/// endpoint for one window (or one call), normalised, and what failed in it.
///
/// An archive commits per batch; the CLI collects them, merges and renders.
#[derive(Debug)]
#[non_exhaustive]
pub struct Batch {
    /// The endpoint the records came from.
    pub endpoint: Source,
    /// The month window, for windowed endpoints (`detail`, `hisMeeting`).
    pub window: Option<DateWindow>,
    /// The records received, normalised (one per vendor record; not merged).
    pub meetings: Vec<Meeting>,
    /// Calls that failed after retries; the records above are what was received anyway.
    pub failures: Vec<meeting_http::Error>,
}

impl Batch {
    /// Stamps every record as observed at `at`, a run's start: a replay of its saved
    /// records observes them at the manifest's `started_at`, the same instant, so both
    /// give the same output.
    pub fn observed_at(&mut self, at: chrono::DateTime<chrono::Utc>) {
        for m in &mut self.meetings {
            m.observed_at_only(at);
        }
    }

    /// A batch of `endpoint`.
    pub fn new(endpoint: Source, window: Option<DateWindow>) -> Self {
        Batch {
            endpoint,
            window,
            meetings: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// Whether nothing failed.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// Warns on every record of a window that had failures: it is incomplete (see
    /// [`meeting_core::run::incomplete_window_warning`]).
    pub(crate) fn warn_if_incomplete(&mut self) {
        if let (Some(w), false) = (self.window, self.failures.is_empty()) {
            let warning =
                meeting_core::run::incomplete_window_warning(self.endpoint, w.from(), w.to());
            for m in &mut self.meetings {
                m.warn(warning.clone());
            }
        }
    }

    /// Records that the batch's records were observed now (their fetch time), which also
    /// settles what depends on it (a `detail` meeting without an end is live once started):
    /// see [`meeting_core::normalize::observe`]; the records of a window with failures are
    /// warned incomplete.
    #[must_use]
    pub fn observed_now(mut self) -> Self {
        meeting_core::normalize::observe(&mut self.meetings, chrono::Utc::now());
        self.warn_if_incomplete();
        self
    }
}

/// What a job did, for people and for cron (`--summary FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// The dates asked (vendor zone), for range jobs.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// Batches (windows or calls) completed without a failure.
    pub batches_done: u64,
    /// Batches with at least one failed call.
    pub batches_failed: u64,
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Records received per endpoint.
    pub records: BTreeMap<Source, u64>,
    /// Calls that failed after retries.
    pub failures: u64,
}

impl RunSummary {
    /// Counts a batch.
    pub fn count(&mut self, batch: &Batch) {
        if batch.is_complete() {
            self.batches_done += 1;
        } else {
            self.batches_failed += 1;
        }
        *self.records.entry(batch.endpoint).or_default() += batch.meetings.len() as u64;
        self.failures += batch.failures.len() as u64;
    }

    /// Records received in all.
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }
}

/// A whole job's result, collected: every record (not merged) and every failed call.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Fetched {
    /// The records received, normalised, in arrival order.
    pub meetings: Vec<Meeting>,
    /// Calls that failed after retries.
    pub errors: Vec<meeting_http::Error>,
    /// The run summary.
    pub summary: RunSummary,
}

impl Fetched {
    /// Adds a batch.
    pub fn push(&mut self, batch: Batch) {
        self.summary.count(&batch);
        for e in &batch.failures {
            tracing::warn!(error = %e, "call failed");
        }
        self.meetings.extend(batch.meetings);
        self.errors.extend(batch.failures);
    }

    /// Whether a call was refused for its credentials (everything else is then moot).
    pub fn auth_failed(&self) -> bool {
        self.errors
            .iter()
            .any(meeting_http::Error::is_authentication)
    }
}

/// What a job tells the person waiting: the phase it is in (`systec history`, ...), how
/// much of it there is, and how much is done.
pub trait Progress: Send + Sync {
    /// A new phase starts, with its size in units when known (month windows, or UUIDs for
    /// reports).
    fn phase(&self, name: &str, total: Option<u64>) {
        let _ = (name, total);
    }
    /// `units` more of the phase are done.
    fn advance(&self, units: u64) {
        let _ = units;
    }
    /// A batch is done.
    fn batch(&self, batch: &Batch) {
        let _ = batch;
    }
    /// A running tally for the person waiting (`1234 records, 56 requests`).
    fn note(&self, text: &str) {
        let _ = text;
    }
}

/// A [`Progress`] that shows nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Progress for Quiet {}

/// The windows (or calls) done before an ETA is shown: one window says little about the
/// others (the first month of a sync can be empty, the next one full).
pub const ETA_AFTER: u64 = 2;

/// The time left of a job's progress, as a person reads it (`37s`, `1m 08s`, `3h 18m`): at
/// the steady rate so far (elapsed / done x left), once [`ETA_AFTER`] units
/// are done and at least a second has passed; `None` before (no "ETA 0s" at the start, no
/// "ETA 2w" from one slow unit, as an exponentially weighted estimate gives).
pub fn eta_text(done: u64, total: Option<u64>, elapsed: std::time::Duration) -> Option<String> {
    let total = total?;
    if done < ETA_AFTER || done >= total || elapsed.as_secs() < 1 {
        return None;
    }
    let per_unit = elapsed.as_secs_f64() / done as f64;
    let left = (per_unit * (total - done) as f64).round();
    if !left.is_finite() || left < 0.0 {
        return None;
    }
    // Whole seconds; a float this size converts exactly enough.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = left as u64;
    Some(match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {:02}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
    })
}

#[cfg(test)]
mod tests {
    use super::eta_text;
    use std::time::Duration;

    #[test]
    fn no_eta_until_enough_is_done_then_the_steady_rate() {
        assert_eq!(eta_text(0, Some(36), Duration::from_secs(74)), None);
        assert_eq!(eta_text(1, Some(36), Duration::from_secs(74)), None);
        assert_eq!(eta_text(2, Some(36), Duration::from_millis(10)), None);
        assert_eq!(eta_text(36, Some(36), Duration::from_secs(74)), None);
        assert_eq!(eta_text(3, None, Duration::from_secs(74)), None);
        assert_eq!(
            eta_text(2, Some(36), Duration::from_secs(4)).as_deref(),
            Some("1m 08s")
        );
        assert_eq!(
            eta_text(18, Some(36), Duration::from_secs(37)).as_deref(),
            Some("37s")
        );
        assert_eq!(
            eta_text(2, Some(200), Duration::from_secs(120)).as_deref(),
            Some("3h 18m")
        );
    }
}
