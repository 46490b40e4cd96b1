//! The manifest of a run (a fetch with `--save-raw`, a sync): what was asked, which windows
//! are done, failed or still pending, and whether the run completed. A save-raw directory
//! holds it as [`MANIFEST_FILE`], written when the run starts and rewritten atomically after
//! every window; the archive keeps the same record per run.
//!
//! A replay of a run whose manifest is not complete is partial, and says so.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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
        assert_eq!(serde_json::from_str::<RunManifest>(&json).ok(), Some(m));
    }
}
