//! The archive's offline jobs: where it is ([`path`]), `meeting archive purge` ([`purge`])
//! and `migrate` ([`migrate`]; `import` is [`crate::import`], `dump` is
//! [`crate::offline::dump`]), whether a report should sync first ([`freshness`]) and its
//! coverage of a span ([`coverage`]). Its meetings as the input of a merge are read by the
//! offline jobs (`offline::each`, `offline::read`). Thin jobs over `meeting-store`; no
//! printing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use meeting_core::Vendor;
use meeting_store::{Archive, Migration, MigrationStep, PurgeSummary, RunLock, StoreError, Writer};

/// The archive's path: `flag` (an empty path means the default), else `MEETING_ARCHIVE`,
/// else the user data directory (defined with input resolution, [`crate::inputs`]).
pub use crate::inputs::archive_path as path;

/// How long `import` and `purge` wait for a sync holding the archive before giving up
/// ([`meeting_store::ErrorKind::Busy`]).
pub const RUN_LOCK_WAIT: Duration = Duration::from_secs(10);

/// `meeting archive purge`: deletes the meetings that started before `cut`, with their
/// records and raw bodies, under the archive's run lock.
pub fn purge(
    path: &Path,
    cut: DateTime<Utc>,
    lock_wait: Duration,
) -> Result<PurgeSummary, StoreError> {
    let _lock = RunLock::acquire(path, lock_wait)?;
    let writer = Writer::open(path)?;
    let summary = writer.purge(cut)?;
    writer.close()?;
    Ok(summary)
}

/// What `meeting archive purge --before DAY` would delete ([`purge_plan`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PurgePlan {
    /// Where the first day kept begins (midnight in the report zone).
    pub cut: DateTime<Utc>,
    /// The meetings, observations, stubs and raw responses that started before it.
    pub preview: PurgeSummary,
}

/// Why a purge cannot be planned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PurgeError {
    /// There is no archive at the path.
    #[error("no archive at {}: nothing to purge", .0.display())]
    NoArchive(std::path::PathBuf),
    /// The day has no midnight, nor any instant, in the zone.
    #[error("--before {0}: not a valid day")]
    NotADay(NaiveDate),
    /// The archive cannot be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The plan of `meeting archive purge`: the meetings that started before `before` (a day
/// in `zone`, kept) and what they hold, read without changing anything; [`purge`] deletes
/// them.
///
/// # Errors
/// No archive at `path`; a day with no start in `zone`; the archive cannot be read.
pub fn purge_plan(
    path: &Path,
    before: NaiveDate,
    zone: chrono_tz::Tz,
) -> Result<PurgePlan, PurgeError> {
    if !path.exists() {
        return Err(PurgeError::NoArchive(path.to_path_buf()));
    }
    let cut = crate::dates::day_start(before, zone).ok_or(PurgeError::NotADay(before))?;
    let preview = Archive::open_read_only(path)?.purge_preview(cut)?;
    Ok(PurgePlan { cut, preview })
}

/// `meeting archive migrate`: migrates an older archive explicitly (free space checked,
/// a backup first, `VACUUM` after, cursors clamped to `today`, the vendor's today) under
/// the archive's run lock; see [`meeting_store::migrate`].
///
/// # Errors
/// As [`meeting_store::migrate`]; `Busy` when a sync holds the archive past `lock_wait`.
pub fn migrate(
    path: &Path,
    today: NaiveDate,
    lock_wait: Duration,
    progress: &mut dyn FnMut(MigrationStep, u64, u64),
) -> Result<Migration, StoreError> {
    if !path.is_file() {
        // Not created by the lock file either.
        return meeting_store::migrate(path, today, progress);
    }
    let _lock = RunLock::acquire(path, lock_wait)?;
    meeting_store::migrate(path, today, progress)
}

/// How current the archive is for a report that ends on a day.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Freshness {
    /// The profile's Systec cursor reaches the day.
    Current,
    /// The cursor is behind: synced through this day.
    Behind(NaiveDate),
    /// The profile was never synced into this archive (imported only).
    NeverSynced,
    /// The archive could not be read (the report's own reading will say why).
    Unknown,
}

/// Whether the profile's Systec data in the archive reaches `to`: `meeting report` syncs
/// first when it is [`Freshness::Behind`].
#[must_use]
pub fn freshness(path: &Path, profile: &str, to: NaiveDate) -> Freshness {
    match Archive::open_read_only(path).and_then(|a| a.cursor(profile, Vendor::Systec)) {
        Ok(Some(c)) if c.through >= to => Freshness::Current,
        Ok(Some(c)) => Freshness::Behind(c.through),
        Ok(None) => Freshness::NeverSynced,
        Err(_) => Freshness::Unknown,
    }
}

/// How much of a report's span the archive's syncs cover (see [`coverage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CoverageState {
    /// Every synced profile's Systec windows reach from the span's first day to its last
    /// (the cursor past its end): what the archive holds is all there is.
    Covered,
    /// Some of the span is synced, not all of it, or windows inside it failed.
    Partial,
    /// No synced profile reaches the span's first day.
    NotCovered,
    /// The archive was never synced (imported only): nothing says what is missing.
    Unknown,
}

/// One synced profile's reach.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProfileCoverage {
    /// The profile.
    pub profile: String,
    /// The first day of its earliest complete Systec window.
    pub systec_since: Option<NaiveDate>,
    /// Its Systec cursor: the last vendor day of the unbroken run of complete windows.
    pub systec_through: Option<NaiveDate>,
    /// The last day its Quanshi records were looked up (Quanshi has no list endpoint:
    /// "looked up as of DATE", not a cursor).
    pub quanshi_as_of: Option<NaiveDate>,
}

/// The archive's coverage of a span: per synced profile, how far its syncs reach, and the
/// failed windows inside the span that no later sync redid. Its [`fmt::Display`] is the line
/// a report states under its title.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Coverage {
    /// The span's first day.
    pub from: NaiveDate,
    /// The span's last day.
    pub to: NaiveDate,
    /// The synced profiles, by name (import-only profiles have no sync and are not listed).
    pub profiles: Vec<ProfileCoverage>,
    /// Systec windows inside the span that failed and lie beyond their profile's cursor.
    pub failed: Vec<meeting_core::run::Window>,
    /// The verdict.
    pub state: CoverageState,
}

impl Coverage {
    /// The coverage of files (no archive, no cursor): [`CoverageState::Unknown`].
    #[must_use]
    pub fn unknown(from: NaiveDate, to: NaiveDate) -> Self {
        Coverage {
            from,
            to,
            profiles: Vec::new(),
            failed: Vec::new(),
            state: CoverageState::Unknown,
        }
    }

    /// Whether the span is covered.
    #[must_use]
    pub fn is_covered(&self) -> bool {
        self.state == CoverageState::Covered
    }

    fn compute_state(&mut self) {
        let (from, to) = (self.from, self.to);
        let whole = |p: &ProfileCoverage| {
            p.systec_since.is_some_and(|s| s <= from) && p.systec_through.is_some_and(|t| t >= to)
        };
        let some = |p: &ProfileCoverage| {
            p.systec_since.is_some_and(|s| s <= to) && p.systec_through.is_some_and(|t| t >= from)
        };
        self.state = if self.profiles.is_empty() {
            CoverageState::Unknown
        } else if self.failed.is_empty() && self.profiles.iter().all(whole) {
            CoverageState::Covered
        } else if self.failed.is_empty() && !self.profiles.iter().any(some) {
            CoverageState::NotCovered
        } else {
            CoverageState::Partial
        };
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = (self.from, self.to);
        match self.state {
            CoverageState::Covered => write!(f, "coverage of {from} .. {to}: complete")?,
            CoverageState::Partial => write!(f, "coverage of {from} .. {to}: partial")?,
            CoverageState::NotCovered => write!(f, "coverage of {from} .. {to}: not synced")?,
            CoverageState::Unknown => {
                return write!(
                    f,
                    "coverage of {from} .. {to}: unknown (imported, not synced: nothing says what is missing)"
                );
            }
        }
        let mut parts = Vec::new();
        for p in &self.profiles {
            let systec = match (p.systec_since, p.systec_through) {
                (Some(s), Some(t)) => format!("Systec synced {s} .. {t}"),
                (_, Some(t)) => format!("Systec synced through {t}"),
                _ => String::from("Systec never synced"),
            };
            let quanshi = p
                .quanshi_as_of
                .map(|d| format!(", Quanshi looked up as of {d}"))
                .unwrap_or_default();
            parts.push(format!("{}: {systec}{quanshi}", p.profile));
        }
        write!(f, " ({})", parts.join("; "))?;
        if !self.failed.is_empty() {
            let windows: Vec<String> = self
                .failed
                .iter()
                .map(|w| format!("{} .. {}", w.from, w.to))
                .collect();
            write!(
                f,
                "; failed windows not redone: {} (`meeting sync` retries them)",
                windows.join(", ")
            )?;
        }
        Ok(())
    }
}

/// The archive's coverage of `from ..= to` (vendor days): for every profile that was ever
/// synced into it, the first day of its Systec windows, its Systec cursor and the last day
/// its Quanshi records were looked up;
/// the failed Systec windows inside the span beyond the cursor. Covered when every synced
/// profile's synced days reach from `from` to `to` (see [`CoverageState`]).
///
/// # Errors
/// The archive cannot be opened or read.
pub fn coverage(path: &Path, from: NaiveDate, to: NaiveDate) -> Result<Coverage, StoreError> {
    let archive = Archive::open_read_only(path)?;
    let runs = archive.runs()?;
    let mut profiles: BTreeMap<String, ProfileCoverage> = BTreeMap::new();
    let mut failed = Vec::new();
    for run in runs.iter().filter(|r| r.job == "sync") {
        let Some(profile) = run.profile.clone() else {
            continue;
        };
        let entry = profiles
            .entry(profile.clone())
            .or_insert_with(|| ProfileCoverage {
                profile,
                systec_since: None,
                systec_through: None,
                quanshi_as_of: None,
            });
        for w in &run.windows_done {
            if w.vendor == Vendor::Quanshi && entry.quanshi_as_of.is_none_or(|d| w.to > d) {
                entry.quanshi_as_of = Some(w.to);
            }
            if w.vendor == Vendor::Systec && entry.systec_since.is_none_or(|d| w.from < d) {
                entry.systec_since = Some(w.from);
            }
        }
        for w in &run.windows_failed {
            if w.vendor == Vendor::Systec && w.from <= to && w.to >= from {
                failed.push((entry.profile.clone(), *w));
            }
        }
    }
    for p in profiles.values_mut() {
        p.systec_through = archive
            .cursor(&p.profile, Vendor::Systec)?
            .map(|c| c.through);
    }
    // A failed window a later sync redid lies behind its profile's cursor.
    let mut failed: Vec<meeting_core::run::Window> = failed
        .into_iter()
        .filter(|(profile, w)| {
            profiles
                .get(profile)
                .and_then(|p| p.systec_through)
                .is_none_or(|t| w.to > t)
        })
        .map(|(_, w)| w)
        .collect();
    failed.sort_by_key(|w| (w.from, w.to));
    failed.dedup();
    let mut coverage = Coverage {
        from,
        to,
        profiles: profiles.into_values().collect(),
        failed,
        state: CoverageState::Unknown,
    };
    coverage.compute_state();
    Ok(coverage)
}

#[cfg(test)]
mod purge_tests {
    #[test]
    fn no_archive_nothing_to_purge() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("none.sqlite");
        let day = "2024-01-01".parse().expect("a day");
        let e = super::purge_plan(&path, day, chrono_tz::UTC).expect_err("no archive");
        assert!(matches!(e, super::PurgeError::NoArchive(_)), "{e}");
        assert!(e.to_string().ends_with(": nothing to purge"));
    }
}
