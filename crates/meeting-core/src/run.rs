//! The manifest of a run (a fetch with `--save-raw`, a sync): what was asked, which windows
//! are done, failed or still pending, and whether the run completed. A save-raw directory
//! holds it as [`MANIFEST_FILE`], written when the run starts and rewritten atomically after
//! every window; the archive keeps the same record per run.
//!
//! A replay of a run whose manifest is not complete is partial, and says so.
//!
//! **One format.** The archive (`meeting-store`) keeps this same record per run, a sync's
//! and an imported save-raw run's alike: it fills [`RunManifest::id`] and
//! [`RunManifest::profile`], and a sync records its month windows as typed [`Window`]s
//! ([`RunManifest::windows_done`], [`RunManifest::windows_failed`]; the archive's cursors
//! are checked against them) and what its commits changed ([`RunManifest::counts`]). The
//! fields added for the archive are optional, so the save-raw file keeps its shape.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Vendor;

/// The manifest's file name in a save-raw directory.
pub const MANIFEST_FILE: &str = "meeting-run.json";

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// A run's manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunManifest {
    /// [`MANIFEST_VERSION`].
    pub version: u32,
    /// What ran: `systec fetch`, `systec history`, `quanshi info`, ...
    pub job: String,
    /// The dates asked (inclusive, in [`RunManifest::zone`]), for range jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The zone of the dates: the report zone the days were asked in (older runs: the
    /// vendor zone, which was the same thing then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// When the manifest was last written.
    pub updated_at: DateTime<Utc>,
    /// When the run ended (absent while it runs, or when it was killed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Whether every window and call succeeded and the run ended normally.
    pub complete: bool,
    /// Windows (or calls) done, as `endpoint window` (`systec.detail 2024-01-01..2024-01-31`).
    #[serde(default)]
    pub done: Vec<String>,
    /// Windows (or calls) that failed after retries, with the reason.
    #[serde(default)]
    pub failed: Vec<String>,
    /// Responses saved.
    #[serde(default)]
    pub responses: u64,
    /// The run's id in an archive (unique there; a sync's `sync <profile> <started>`, an
    /// imported run's directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The profile (vendor account) it ran under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Month windows committed complete (a sync).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows_done: Vec<Window>,
    /// Month windows committed with a failed call (what they got is kept; the cursor did
    /// not move past them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows_failed: Vec<Window>,
    /// What the run's commits changed in the archive, summed.
    #[serde(default, skip_serializing_if = "Counts::is_zero")]
    pub counts: Counts,
}

/// One vendor date window of a run (vendor-zone dates, both inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Window {
    /// The vendor fetched.
    pub vendor: Vendor,
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl Window {
    /// A window of `vendor` from `from` to `to`.
    pub fn new(vendor: Vendor, from: NaiveDate, to: NaiveDate) -> Self {
        Window { vendor, from, to }
    }
}

/// What loads into an archive changed, counted in meetings (distinct keys) and stubs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Counts {
    /// Meetings that were not in the archive.
    pub new: u64,
    /// Meetings whose merged record changed.
    pub updated: u64,
    /// Meetings given whose merged record did not change.
    pub unchanged: u64,
    /// Report stubs not seen before.
    pub stubs_new: u64,
    /// Observations ignored because the archive holds a newer one of the same (key, source).
    pub stale_observations: u64,
    /// Raw responses stored.
    pub raw_responses: u64,
}

impl Counts {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Counts) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.stubs_new += other.stubs_new;
        self.stale_observations += other.stale_observations;
        self.raw_responses += other.raw_responses;
    }

    /// Whether every count is zero.
    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

/// The warning on every record of a window some of whose pages failed: the window may lack
/// meetings, and its records may lack what a later page would have merged in. It clears
/// when a later, complete observation of the record replaces this one.
pub fn incomplete_window_warning(
    endpoint: crate::Source,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    format!("incomplete: part of the {endpoint} window {from}..{to} failed; fetch it again")
}

/// Inclusive dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl RunManifest {
    /// A manifest for a run of `job` starting now: not complete.
    pub fn start(job: impl Into<String>, now: DateTime<Utc>) -> Self {
        RunManifest {
            version: MANIFEST_VERSION,
            job: job.into(),
            started_at: now,
            updated_at: now,
            ..RunManifest::default()
        }
    }

    /// The instants `[from, to)` (UTC) of the days asked in the manifest's zone, when it
    /// names both and the job keeps exactly those days (`systec fetch`, `systec history`): what a replay
    /// keeps.
    pub fn kept_instants(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !matches!(self.job.as_str(), "systec fetch" | "systec history") {
            return None;
        }
        let span = self.span?;
        let zone: chrono_tz::Tz = self.zone.as_deref()?.parse().ok()?;
        Some(crate::query::day_span(span.from, span.to, zone))
    }

    /// The windows that failed (`systec.detail 2024-01-01..2024-01-31: reason`), as
    /// (endpoint, first day, last day): their records are incomplete
    /// ([`incomplete_window_warning`]).
    pub fn failed_windows(&self) -> Vec<(crate::Source, NaiveDate, NaiveDate)> {
        self.failed
            .iter()
            .filter_map(|f| {
                let (what, _) = f.split_once(':')?;
                let (endpoint, window) = what.trim().split_once(' ')?;
                let (from, to) = window.split_once("..")?;
                Some((
                    crate::Source::from_name(endpoint)?,
                    from.parse().ok()?,
                    to.parse().ok()?,
                ))
            })
            .collect()
    }

    /// The manifest of a run kept in an archive: `id`, under `profile`, started at `now`.
    #[must_use]
    pub fn in_archive(
        job: impl Into<String>,
        id: impl Into<String>,
        profile: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Self {
        RunManifest {
            id: Some(id.into()),
            profile: Some(profile.into()),
            ..RunManifest::start(job, now)
        }
    }

    /// Whether the run has a gap: not complete, or a failed window or call.
    pub fn has_gaps(&self) -> bool {
        !self.complete || !self.failed.is_empty() || !self.windows_failed.is_empty()
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Self, ManifestError> {
        let bytes = std::fs::read(path).map_err(|source| ManifestError::Io {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| ManifestError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// What is missing, for a person: the failed windows, or that the run never finished.
    pub fn gaps(&self) -> Option<String> {
        if self.complete {
            return None;
        }
        let mut parts = Vec::new();
        if !self.failed.is_empty() {
            parts.push(format!("failed: {}", self.failed.join("; ")));
        }
        if self.finished_at.is_none() {
            parts.push(String::from(
                "the run never finished (interrupted or killed): later windows are missing",
            ));
        }
        if parts.is_empty() {
            parts.push(String::from("the run did not complete"));
        }
        Some(parts.join("; "))
    }
}

/// A manifest that cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Reading failed.
    #[error("cannot read the run manifest {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a manifest.
    #[error("{path} is not a valid run manifest: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What serde said.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_name_what_is_missing() {
        let mut m = RunManifest::start("systec fetch", DateTime::<Utc>::MIN_UTC);
        assert!(m.gaps().is_some_and(|g| g.contains("never finished")));
        m.finished_at = Some(m.started_at);
        m.failed
            .push("systec.detail 2024-01-01..2024-01-31: HTTP 500".into());
        assert!(m.gaps().is_some_and(|g| g.contains("HTTP 500")));
        m.complete = true;
        assert_eq!(m.gaps(), None);
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert!(
            !json.contains("windows_done") && !json.contains("counts"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<RunManifest>(&json).ok(), Some(m));
    }

    #[test]
    fn an_archive_run_round_trips_with_windows_and_counts() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        let mut m =
            RunManifest::in_archive("sync", "sync acme 1", "acme", DateTime::<Utc>::MIN_UTC);
        m.windows_done.push(Window::new(
            Vendor::Systec,
            day("2024-01-01"),
            day("2024-01-31"),
        ));
        m.windows_failed.push(Window::new(
            Vendor::Systec,
            day("2024-02-01"),
            day("2024-02-29"),
        ));
        m.counts.add(&Counts {
            new: 3,
            ..Counts::default()
        });
        m.complete = true;
        assert!(m.has_gaps(), "a failed window is a gap");
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(serde_json::from_str::<RunManifest>(&json).ok(), Some(m));
    }
}
