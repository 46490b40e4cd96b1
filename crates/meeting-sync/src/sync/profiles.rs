//! `meeting sync` over several profiles: which profiles, each resolved and checked before
//! the archive is opened, then [`sync_profile`] for each in turn under one writer, and the
//! figures of the whole run ([`SyncTotals`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use meeting_core::Context;
use meeting_store::Writer;
use serde::Serialize;

use super::{SyncClients, SyncError, SyncOptions, SyncReport, sync_profile};
use crate::Capture;
use crate::clients::{self, ClientError, Tuning};
use crate::config::{ConfigError, ConfigFile, Settings, Zones, resolve};
use crate::job::Progress;
use crate::quanshi::Lookup;

/// A profile that failed to sync: its clients could not be built, or the job failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfilesError {
    /// A client could not be built from the profile's settings.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The sync could not start or write.
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// The names of the profiles to sync: every profile of the config file at `path` when
/// `all`, else `given` (duplicates dropped, order kept), else `active`.
///
/// # Errors
///
/// The config file cannot be read, or `all` and it has no profile.
pub fn profile_names(
    path: &Path,
    all: bool,
    given: &[String],
    active: &str,
) -> Result<Vec<String>, ConfigError> {
    if all {
        let names: Vec<String> = ConfigFile::load(path)?.profiles.into_keys().collect();
        if names.is_empty() {
            return Err(ConfigError::NoProfiles(path.to_path_buf()));
        }
        return Ok(names);
    }
    let mut names: Vec<String> = Vec::new();
    for p in given {
        if !names.contains(p) {
            names.push(p.clone());
        }
    }
    if names.is_empty() {
        names.push(active.to_owned());
    }
    Ok(names)
}

/// One profile ready to sync: its settings and zones.
#[derive(Clone)]
pub struct ProfileSync {
    /// The resolved settings.
    pub settings: Settings,
    /// The zones (the vendor zone reads the vendor's times and bounds its today).
    pub zones: Zones,
}

/// Resolves every profile of `names` (`active` is reused for its own name) with the zone
/// flags, and checks that each can sync (a vendor configured; Quanshi when `with_lookups`):
/// done before the archive is opened, so a sync that cannot run creates no archive.
///
/// # Errors
///
/// An unknown profile, an unknown zone, or a profile with nothing to sync.
pub fn prepare(
    names: &[String],
    active: &Settings,
    zone_flags: (Option<&str>, Option<&str>),
    with_lookups: bool,
) -> Result<Vec<ProfileSync>, ConfigError> {
    names
        .iter()
        .map(|name| {
            let settings = if *name == active.profile_name {
                active.clone()
            } else {
                resolve(active.path.clone(), Some(name.as_str()))?
            };
            settings.check_vendors(with_lookups)?;
            let zones = settings.zones(zone_flags.0, zone_flags.1)?;
            Ok(ProfileSync { settings, zones })
        })
        .collect()
}

/// What a sync is asked, as an operator gives it (flags, environment): resolved by
/// [`plan`].
#[derive(Clone, Debug, Default)]
pub struct SyncAsk<'a> {
    /// Every profile of the config file.
    pub all_profiles: bool,
    /// The profiles named (none: the active one).
    pub profiles: &'a [String],
    /// A file of Quanshi ids and join links to look up (`-` is standard input).
    pub lookups: Option<&'a Path>,
    /// The archive (else `MEETING_ARCHIVE`, else the default path).
    pub archive: Option<&'a Path>,
    /// The zone flags: vendor, report.
    pub zones: (Option<&'a str>, Option<&'a str>),
    /// As [`ProfilesRequest`].
    pub since: Option<NaiveDate>,
    /// As [`ProfilesRequest`].
    pub until: Option<NaiveDate>,
    /// As [`ProfilesRequest`].
    pub lookback_days: u32,
}

/// A sync ready to run: every profile resolved and able to sync, the request they share,
/// and the archive's path (not opened yet: a sync that cannot run creates no archive).
#[derive(Clone)]
#[non_exhaustive]
pub struct SyncPlan {
    /// The profiles, in order.
    pub profiles: Vec<ProfileSync>,
    /// What they share.
    pub request: ProfilesRequest,
    /// The archive.
    pub archive: PathBuf,
}

/// Why a sync cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// A profile or the config file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The file of lookups.
    #[error(transparent)]
    Lookups(#[from] crate::quanshi::LookupsError),
    /// The archive's path.
    #[error(transparent)]
    Store(#[from] meeting_store::StoreError),
}

/// Resolves what a sync is asked ([`profile_names`], the lookups file, the archive's path,
/// [`prepare`]) with `active` the settings of the active profile.
///
/// # Errors
/// See [`PlanError`].
pub fn plan(active: &Settings, ask: &SyncAsk<'_>) -> Result<SyncPlan, PlanError> {
    let names = profile_names(
        &active.path,
        ask.all_profiles,
        ask.profiles,
        &active.profile_name,
    )?;
    let lookups = match ask.lookups {
        Some(path) => crate::quanshi::read_lookups(path)?,
        None => Vec::new(),
    };
    let archive = crate::archive::path(ask.archive)?;
    let profiles = prepare(&names, active, ask.zones, !lookups.is_empty())?;
    Ok(SyncPlan {
        profiles,
        request: ProfilesRequest {
            since: ask.since,
            until: ask.until,
            lookback_days: ask.lookback_days,
            lookups,
        },
        archive,
    })
}

/// The archive of a sync, opened (or created) with its run lock held for the whole sync.
#[derive(Debug)]
pub struct SyncArchive {
    writer: Arc<Writer>,
    _lock: meeting_store::RunLock,
}

impl SyncArchive {
    /// Takes the run lock of `path` (waiting up to `wait` for another run), then opens
    /// the writer.
    ///
    /// # Errors
    /// [`meeting_store::ErrorKind::Busy`] after `wait`; the archive cannot be opened.
    pub fn open(path: &Path, wait: std::time::Duration) -> Result<Self, meeting_store::StoreError> {
        let lock = meeting_store::RunLock::acquire(path, wait)?;
        Ok(SyncArchive {
            writer: Arc::new(Writer::open(path)?),
            _lock: lock,
        })
    }

    /// The writer to sync into.
    #[must_use]
    pub fn writer(&self) -> &Arc<Writer> {
        &self.writer
    }

    /// Closes the writer (its last checkpoint), then releases the lock.
    ///
    /// # Errors
    /// The archive's close failed.
    pub fn close(self) -> Result<(), meeting_store::StoreError> {
        match Arc::try_unwrap(self.writer) {
            Ok(w) => w.close(),
            Err(_) => Ok(()),
        }
    }
}

/// What every profile's sync shares.
#[derive(Clone, Debug)]
pub struct ProfilesRequest {
    /// The first day, for a profile never synced (or a deliberate re-sync).
    pub since: Option<NaiveDate>,
    /// The last day asked (else today); clamped to each vendor's today (a cursor never
    /// passes it).
    pub until: Option<NaiveDate>,
    /// Days re-fetched before each cursor.
    pub lookback_days: u32,
    /// New Quanshi ids and join links to look up.
    pub lookups: Vec<Lookup>,
}

/// Syncs each profile in turn into `writer`, pushing each report as it finishes; stops
/// after a profile whose credentials were refused, or when `stop` is set. `note` receives
/// what an operator should know (an `until` clamped to today).
///
/// # Errors
///
/// The first profile whose clients cannot be built or whose sync fails; the reports of the
/// profiles before stay in `reports`.
pub async fn sync_profiles(
    writer: &Arc<Writer>,
    profiles: &[ProfileSync],
    request: &ProfilesRequest,
    progress: &dyn Progress,
    note: &mut dyn FnMut(&str),
    stop: &AtomicBool,
    reports: &mut Vec<SyncReport>,
) -> Result<(), ProfilesError> {
    for p in profiles {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let s = &p.settings;
        let capture = Capture::none();
        let tuning = Tuning::from_settings(s);
        let systec = if s.has_systec() {
            Some(clients::systec_client(s, tuning, &capture, p.zones.vendor)?)
        } else {
            None
        };
        let quanshi = if s.has_quanshi() {
            Some(clients::quanshi_client(s, tuning, &capture)?)
        } else {
            None
        };
        // The vendor's today: a cursor can never pass it.
        let today = chrono::Utc::now()
            .with_timezone(&p.zones.vendor)
            .date_naive();
        let (until, clamped) = crate::dates::clamp_until(request.until, today);
        if let Some(text) = clamped {
            note(&text);
        }
        let options = SyncOptions::new(s.profile_name.clone(), until)
            .since(request.since)
            .lookback_days(request.lookback_days)
            .quanshi_ids(request.lookups.clone());
        let report = sync_profile(
            writer,
            SyncClients::new(systec.as_ref(), quanshi.as_ref()),
            &Context::new(p.zones.vendor),
            &options,
            progress,
            stop,
        )
        .await?;
        let auth = report.auth_failed;
        reports.push(report);
        if auth {
            break;
        }
    }
    Ok(())
}

/// The figures of a sync over every profile (`--summary`): the sums, and each profile's
/// report.
#[derive(Debug, Serialize)]
pub struct SyncTotals<'a> {
    /// The days fetched (vendor zone), over every profile.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// Windows planned.
    pub windows_total: u64,
    /// Windows complete.
    pub windows_done: u64,
    /// Windows with a failed call.
    pub windows_failed: u64,
    /// Requests sent.
    pub requests: u64,
    /// Records received.
    pub records: u64,
    /// Meetings new to the archive.
    pub new: u64,
    /// Meetings changed.
    pub updated: u64,
    /// Meetings seen again unchanged.
    pub unchanged: u64,
    /// Whether the run was stopped.
    pub interrupted: bool,
    /// Per profile.
    pub profiles: &'a [SyncReport],
}

impl<'a> SyncTotals<'a> {
    /// The totals of `reports`.
    #[must_use]
    pub fn new(reports: &'a [SyncReport]) -> Self {
        let span = reports
            .iter()
            .filter_map(|r| r.span)
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
        let sum = |f: fn(&SyncReport) -> u64| reports.iter().map(f).sum::<u64>();
        SyncTotals {
            span,
            windows_total: sum(|r| r.windows_total),
            windows_done: sum(|r| r.windows_done),
            windows_failed: sum(|r| r.windows_failed),
            requests: sum(|r| r.requests),
            records: sum(|r| r.records),
            new: sum(|r| r.changes.new),
            updated: sum(|r| r.changes.updated),
            unchanged: sum(|r| r.changes.unchanged),
            interrupted: reports.iter().any(|r| r.interrupted),
            profiles: reports,
        }
    }
}
