//! `meeting sync` as a job: bring an archive up to today, window by window, resumable.
//!
//! For one profile, [`sync_profile`]:
//!
//! 1. **Systec** (when a client is given): the month windows (vendor zone) from the
//!    profile's cursor minus the look-back ([`SyncOptions::lookback_days`], default 7:
//!    reports and late changes arrive after the meeting) up to [`SyncOptions::until`]
//!    (today in the vendor zone); the first run of a profile needs [`SyncOptions::since`]
//!    (given with a cursor, `since` wins: a deliberate re-sync from that day; with neither,
//!    the start asked by the profile's last sync, so a first sync that failed or was killed
//!    before its first window completed resumes without `--since`). Each window
//!    is fetched whole ([`crate::systec::fetch_range`] on that window: history, detail with
//!    participants and phone calls, then the reports of the occurrences seen) and
//!    committed in ONE transaction ([`Writer::commit_window`]) with its observations, the
//!    run manifest as it stands and, when the window is complete and every window before it
//!    in this run was too, the cursor (the window's last day). A window with a failed call
//!    commits what it got, is recorded as failed in the manifest, and stops the cursor for
//!    the rest of the run, so the next sync fetches it again. A killed sync loses at most
//!    the window in flight.
//! 2. **Quanshi** (when a client is given): the reservations and occurrences the archive
//!    holds that are not over ([`Archive::quanshi_to_refresh`]: bookings until 7 days after
//!    their scheduled end, by their kept join link; occurrences not ended, by temporary id),
//!    then the new ids and links of [`SyncOptions::quanshi_ids`]; one transaction, with the
//!    join links kept in the archive's secret column.
//! 3. A last commit marks the run finished (complete when nothing failed and it was not
//!    stopped).
//!
//! **Stopping.** The `stop` flag is watched while a Systec window is fetched (every 100 ms)
//! and read between Quanshi lookups: set it (on Ctrl-C) and the job drops the window in
//! flight (nothing of it is committed: a window is one transaction, whole or absent) and
//! returns within a moment, with [`SyncReport::interrupted`] set; the windows committed
//! before stay, and the next sync resumes at the first one missing.
//!
//! **Exclusive.** The caller holds the archive's [`meeting_store::RunLock`] for the whole
//! sync (the CLI does), so two syncs never interleave.
//!
//! Every observation keeps its profile; the cursor is per (profile, vendor).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Days, NaiveDate, Utc};
use meeting_core::run::Span;
use meeting_core::{Context, Source, Vendor};
use meeting_http::{QuanshiClient, SystecClient};
use meeting_store::{
    Archive, Cursor, JoinLink, LoadSummary, Observation, Refresh, RunManifest, Window,
    WindowCommit, Writer,
};
use serde::Serialize;
use systec_model::DateWindow;

use crate::failure::FailureClass;
use crate::job::{Batch, Progress};
use crate::quanshi::Lookup;
use crate::systec::FetchRange;

mod profiles;
mod trial;
pub use profiles::{
    PlanError, ProfileSync, ProfilesError, ProfilesRequest, SyncArchive, SyncAsk, SyncPlan,
    SyncTotals, plan, prepare, profile_names, sync_profiles,
};
pub use trial::{Trial, TrialError, sync_trial};

/// How the ids of sync runs start in the archive (`sync <profile> <started>`).
pub const RUN_PREFIX: &str = "sync ";

/// The default look-back, in days.
pub const DEFAULT_LOOKBACK_DAYS: u32 = 7;

/// What to sync for one profile.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SyncOptions {
    /// The profile (vendor account) the records are kept under.
    pub profile: String,
    /// The first day to fetch (vendor zone); required when the profile has no cursor yet.
    pub since: Option<NaiveDate>,
    /// Days fetched again before the cursor.
    pub lookback_days: u32,
    /// The last day to fetch (vendor zone): today there, for `meeting sync`.
    pub until: NaiveDate,
    /// New Quanshi ids and join links to look up (besides the refresh).
    pub quanshi_ids: Vec<Lookup>,
}

impl SyncOptions {
    /// A sync of `profile` up to `until` (today in the vendor zone), with the default
    /// look-back and no start day.
    pub fn new(profile: impl Into<String>, until: NaiveDate) -> Self {
        SyncOptions {
            profile: profile.into(),
            since: None,
            lookback_days: DEFAULT_LOOKBACK_DAYS,
            until,
            quanshi_ids: Vec::new(),
        }
    }

    /// Starts at `since` (required for a profile's first sync).
    #[must_use]
    pub fn since(mut self, since: Option<NaiveDate>) -> Self {
        self.since = since;
        self
    }

    /// The look-back in days.
    #[must_use]
    pub fn lookback_days(mut self, days: u32) -> Self {
        self.lookback_days = days;
        self
    }

    /// New Quanshi ids and links to look up.
    #[must_use]
    pub fn quanshi_ids(mut self, ids: Vec<Lookup>) -> Self {
        self.quanshi_ids = ids;
        self
    }
}

/// The vendor clients of one profile (either may be absent: that vendor is skipped).
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct SyncClients<'a> {
    /// Systec.
    pub systec: Option<&'a SystecClient>,
    /// Quanshi.
    pub quanshi: Option<&'a QuanshiClient>,
}

impl<'a> SyncClients<'a> {
    /// The clients given.
    pub fn new(systec: Option<&'a SystecClient>, quanshi: Option<&'a QuanshiClient>) -> Self {
        SyncClients { systec, quanshi }
    }
}

/// A sync that cannot start or cannot write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The profile has no cursor and no start day was given.
    #[error(
        "profile `{profile}` has never been synced into this archive: give the first day with --since DATE (later syncs resume from the archive's cursor)"
    )]
    NoStart {
        /// The profile.
        profile: String,
    },
    /// The start is after the end.
    #[error("nothing to sync for profile `{profile}`: the first day {from} is after the last {to}")]
    EmptyRange {
        /// The profile.
        profile: String,
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// The archive refused a read or a write (what was committed before stays).
    #[error(transparent)]
    Store(#[from] meeting_store::StoreError),
    /// The writer's thread could not be reached from the runtime.
    #[error("the archive writer task failed: {0}")]
    Writer(String),
}

/// What a sync of one profile did: for people (a one-line summary) and for cron
/// (`--summary FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SyncReport {
    /// The profile.
    pub profile: String,
    /// The run's id in the archive.
    pub run_id: String,
    /// The Systec days fetched (vendor zone), when Systec was synced.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// The Systec cursor before the sync.
    pub cursor_before: Option<NaiveDate>,
    /// The Systec cursor after it.
    pub cursor_after: Option<NaiveDate>,
    /// Month windows (and the Quanshi refresh, as one) to do.
    pub windows_total: u64,
    /// Windows committed complete.
    pub windows_done: u64,
    /// Windows committed with a failed call (what they got is kept; fetched again next time).
    pub windows_failed: u64,
    /// The failed windows and calls, with the reason.
    pub failures: Vec<String>,
    /// Whether a vendor refused the credentials (the sync stopped there).
    pub auth_failed: bool,
    /// HTTP requests sent (retries included).
    pub requests: u64,
    /// Records received.
    pub records: u64,
    /// What the commits changed.
    pub changes: LoadSummary,
    /// Whether the sync was stopped (Ctrl-C) before its last window.
    pub interrupted: bool,
    /// The classes of the failed calls (a vendor's refusal, "not found", unreachable...).
    #[serde(skip)]
    pub failure_classes: BTreeSet<FailureClass>,
}

impl SyncReport {
    /// Whether something failed (a window, a call) or the sync was stopped.
    pub fn is_partial(&self) -> bool {
        self.windows_failed > 0 || self.interrupted || self.auth_failed
    }
}

/// The one line that says what the sync of a profile changed and where its cursor is.
impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sync {}: ", self.profile)?;
        if let Some((from, to)) = self.span {
            write!(f, "Systec {from}..{to}, ")?;
        }
        write!(
            f,
            "{} of {} windows complete",
            self.windows_done, self.windows_total
        )?;
        if self.windows_failed > 0 {
            write!(f, " ({} failed)", self.windows_failed)?;
        }
        write!(
            f,
            "; {} records in {} requests; meetings: {} new, {} updated, {} unchanged",
            self.records,
            self.requests,
            self.changes.new,
            self.changes.updated,
            self.changes.unchanged
        )?;
        if let Some(c) = self.cursor_after {
            write!(f, "; cursor {c}")?;
        }
        if self.interrupted {
            f.write_str("; interrupted")?;
        }
        Ok(())
    }
}

/// How the sync of one or more profiles ended ([`verdict`]), for the caller to word and to
/// map to its own codes.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncVerdict<'a> {
    /// Every window of every profile is complete.
    Complete,
    /// A vendor refused the credentials of this profile (its sync stopped there).
    AuthRefused(&'a SyncReport),
    /// Stopped (Ctrl-C) before the last window of this profile.
    Interrupted(&'a SyncReport),
    /// Calls failed: the class of the whole (see [`verdict`]) and every failure, in order
    /// (each names its window or lookup, and quotes the vendor's status and text).
    Failed {
        /// [`FailureClass::Refused`], [`FailureClass::NotFound`] or
        /// [`FailureClass::Partial`].
        class: FailureClass,
        /// The failures.
        failures: Vec<&'a str>,
    },
}

/// The verdict of the reports of one sync: refused credentials first, then Ctrl-C, then
/// failed calls, classed [`FailureClass::Refused`] when a vendor answered a request with
/// its own failure, else [`FailureClass::NotFound`] when it said it does not know what was
/// asked for, else [`FailureClass::Partial`] (transport failures after the retries
/// included: what the windows got is kept, the cursor did not move past them, and the next
/// sync fetches them again).
#[must_use]
pub fn verdict(reports: &[SyncReport]) -> SyncVerdict<'_> {
    if let Some(r) = reports.iter().find(|r| r.auth_failed) {
        return SyncVerdict::AuthRefused(r);
    }
    if let Some(r) = reports.iter().find(|r| r.interrupted) {
        return SyncVerdict::Interrupted(r);
    }
    let failures: Vec<&str> = reports
        .iter()
        .flat_map(|r| &r.failures)
        .map(String::as_str)
        .collect();
    if failures.is_empty() {
        return SyncVerdict::Complete;
    }
    let classes: BTreeSet<FailureClass> = reports
        .iter()
        .flat_map(|r| r.failure_classes.iter().copied())
        .collect();
    let class = if classes.contains(&FailureClass::Refused) {
        FailureClass::Refused
    } else if classes.contains(&FailureClass::NotFound) {
        FailureClass::NotFound
    } else {
        FailureClass::Partial
    };
    SyncVerdict::Failed { class, failures }
}

/// How often a window in flight looks at the stop flag.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Resolves once `stop` is set.
async fn stopped(stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(STOP_POLL).await;
    }
}

/// Syncs one profile into the archive written by `writer` (at `archive`): Systec windows
/// from the cursor, then the Quanshi refresh and lookups; see the module docs.
///
/// `now` is the observation time base (each batch is stamped when it arrives); `stop` is
/// watched while a window is fetched (see the module docs).
///
/// # Errors
/// [`SyncError::NoStart`] and [`SyncError::EmptyRange`] before any call;
/// [`SyncError::Store`] when the archive cannot be read or written (what was committed
/// stays committed). Vendor failures are not errors: they are in the report.
pub async fn sync_profile(
    writer: &Arc<Writer>,
    clients: SyncClients<'_>,
    ctx: &Context,
    options: &SyncOptions,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> Result<SyncReport, SyncError> {
    let profile = options.profile.clone();
    let started_at = Utc::now();
    let run_id = format!(
        "{RUN_PREFIX}{profile} {}",
        started_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    let archive = Archive::open_read_only(writer.path())?;
    let mut report = SyncReport {
        profile: profile.clone(),
        run_id: run_id.clone(),
        ..SyncReport::default()
    };
    let mut run = RunManifest::in_archive("sync", run_id.clone(), profile.clone(), started_at);
    run.zone = Some(ctx.vendor_zone().name().to_owned());

    // The Systec windows, decided before any call.
    let mut windows: Vec<DateWindow> = Vec::new();
    if clients.systec.is_some() {
        let cursor = archive.cursor(&profile, Vendor::Systec)?;
        report.cursor_before = cursor.as_ref().map(|c| c.through);
        report.cursor_after = report.cursor_before;
        // Without a cursor (the first sync failed or was killed before its first window
        // completed), the start asked by the last sync of the profile.
        let asked = if cursor.is_none() && options.since.is_none() {
            archive
                .runs()?
                .into_iter()
                .rev()
                .filter(|r| {
                    r.profile.as_deref() == Some(profile.as_str())
                        && r.id.as_deref().is_some_and(|id| id.starts_with(RUN_PREFIX))
                })
                .find_map(|r| r.span.map(|s| s.from))
        } else {
            None
        };
        let from = match (options.since.or(asked), &cursor) {
            (Some(since), _) => since,
            (None, Some(c)) => c
                .through
                .checked_sub_days(Days::new(u64::from(options.lookback_days)))
                .unwrap_or(c.through),
            (None, None) => return Err(SyncError::NoStart { profile }),
        };
        let to = options.until;
        let range = DateWindow::new(from, to).map_err(|_| SyncError::EmptyRange {
            profile: profile.clone(),
            from,
            to,
        })?;
        windows = range.split_by_month().collect();
        report.span = Some((from, to));
        run.span = Some(Span { from, to });
    }
    let quanshi_refresh = match clients.quanshi {
        Some(_) => archive.quanshi_to_refresh(&profile, started_at)?,
        None => Vec::new(),
    };
    drop(archive);
    let quanshi_work = clients.quanshi.is_some()
        && (!quanshi_refresh.is_empty() || !options.quanshi_ids.is_empty());
    report.windows_total = windows.len() as u64 + u64::from(quanshi_work);

    // The run is recorded before the first call, so that even a sync killed in its first
    // window leaves its asked span behind (and `archive info` shows it as a gap).
    let mut first = WindowCommit::new(Vec::new());
    first.run = Some(run.clone());
    commit_blocking(writer, first).await?;

    progress.phase(&format!("sync {profile}"), Some(report.windows_total));
    if let Some(client) = clients.systec {
        let mut unbroken = true;
        for w in &windows {
            if stop.load(Ordering::SeqCst) {
                report.interrupted = true;
                break;
            }
            let requests_before = client.requests_sent();
            let mut batches: Vec<(DateTime<Utc>, Batch)> = Vec::new();
            let range = FetchRange::new(w.from(), w.to());
            let mut on_batch = |b| batches.push((Utc::now(), b));
            let fetch =
                crate::systec::fetch_range(client, ctx, &range, &crate::Quiet, &mut on_batch);
            // Ctrl-C drops the window in flight (nothing of it is committed, so the archive
            // stays whole) rather than waiting for it: a month window can take minutes.
            let fetched = tokio::select! {
                biased;
                () = stopped(stop) => None,
                r = fetch => Some(r),
            };
            let Some(fetched) = fetched else {
                report.interrupted = true;
                break;
            };
            if fetched.is_err() {
                // A month window is never empty; kept as a failure rather than a panic.
                report
                    .failures
                    .push(format!("systec {}..{}: empty window", w.from(), w.to()));
                report.failure_classes.insert(FailureClass::Partial);
            }
            report.requests += client.requests_sent().saturating_sub(requests_before);
            let mut failures: Vec<String> = Vec::new();
            let mut observations = Vec::new();
            for (at, batch) in batches {
                report.auth_failed |= batch
                    .failures
                    .iter()
                    .any(meeting_http::Error::is_authentication);
                report
                    .failure_classes
                    .extend(batch.failures.iter().map(FailureClass::of_http));
                failures.extend(batch.failures.iter().map(ToString::to_string));
                report.records += batch.meetings.len() as u64;
                observations.extend(
                    batch
                        .meetings
                        .into_iter()
                        .map(|m| Observation::new(profile.clone(), at, m)),
                );
            }
            let window = Window::new(Vendor::Systec, w.from(), w.to());
            let complete = failures.is_empty() && fetched.is_ok();
            let mut commit = WindowCommit::new(observations);
            let label = format!("systec {}..{}", w.from(), w.to());
            if complete {
                run.done.push(label);
                run.windows_done.push(window);
                report.windows_done += 1;
                let forward = report.cursor_after.is_none_or(|c| w.to() >= c);
                if unbroken && forward {
                    commit.cursor = Some(Cursor::new(
                        profile.clone(),
                        Vendor::Systec,
                        w.to(),
                        run_id.clone(),
                    ));
                    report.cursor_after = Some(w.to());
                }
            } else {
                unbroken = false;
                run.windows_failed.push(window);
                run.failed
                    .push(format!("{label}: {}", failures.join(" / ")));
                report.windows_failed += 1;
                for f in &failures {
                    report
                        .failures
                        .push(format!("systec {}..{}: {f}", w.from(), w.to()));
                }
            }
            run.updated_at = Utc::now();
            commit.run = Some(run.clone());
            let summary = commit_blocking(writer, commit).await?;
            run.counts.add(&summary);
            report.changes.add(&summary);
            progress.note(&format!(
                "{} records, {} requests, {} new meetings{}",
                report.records,
                report.requests,
                report.changes.new,
                if report.windows_failed > 0 {
                    format!(", {} window(s) failed", report.windows_failed)
                } else {
                    String::new()
                }
            ));
            progress.advance(1);
            if report.auth_failed {
                break;
            }
        }
    }

    if let Some(client) = clients.quanshi
        && quanshi_work
        && !report.auth_failed
        && !stop.load(Ordering::SeqCst)
    {
        let mut lookups: Vec<Lookup> = quanshi_refresh
            .into_iter()
            .map(|r| match r {
                Refresh::Reservation { join_link, .. } => {
                    Lookup::JoinLink(join_link.expose().to_owned())
                }
                Refresh::Occurrence { temp_id, .. } => Lookup::TempId(temp_id),
                // A kind a newer store adds is looked up by nothing we know.
                _ => Lookup::TempId(String::new()),
            })
            .filter(|l| !matches!(l, Lookup::TempId(id) if id.is_empty()))
            .collect();
        for l in &options.quanshi_ids {
            if !lookups.contains(l) {
                lookups.push(l.clone());
            }
        }
        let requests_before = client.requests_sent();
        let mut commit = WindowCommit::new(Vec::new());
        let mut failed = 0u64;
        for lookup in &lookups {
            if stop.load(Ordering::SeqCst) {
                report.interrupted = true;
                break;
            }
            let batch = match lookup {
                Lookup::JoinLink(link) => crate::quanshi::conference(client, ctx, link).await,
                Lookup::TempId(id) => crate::quanshi::info(client, ctx, id).await,
            };
            let at = Utc::now();
            if !batch.is_complete() {
                failed += 1;
                report.auth_failed |= batch
                    .failures
                    .iter()
                    .any(meeting_http::Error::is_authentication);
                report
                    .failure_classes
                    .extend(batch.failures.iter().map(FailureClass::of_http));
                report.failures.extend(
                    batch
                        .failures
                        .iter()
                        .map(|f| format!("quanshi {}: {f}", lookup_label(lookup))),
                );
            }
            report.records += batch.meetings.len() as u64;
            for m in batch.meetings {
                if let Lookup::JoinLink(link) = lookup
                    && m.sources.contains(&Source::QuanshiConference)
                {
                    commit
                        .join_links
                        .push(JoinLink::new(m.key.clone(), profile.clone(), link, at));
                }
                commit
                    .observations
                    .push(Observation::new(profile.clone(), at, m));
            }
        }
        report.requests += client.requests_sent().saturating_sub(requests_before);
        let window = Window::new(Vendor::Quanshi, options.until, options.until);
        if failed == 0 {
            run.done.push(String::from("quanshi lookups"));
            run.windows_done.push(window);
            report.windows_done += 1;
        } else {
            run.failed.push(format!(
                "quanshi lookups: {failed} of {} failed",
                lookups.len()
            ));
            run.windows_failed.push(window);
            report.windows_failed += 1;
        }
        run.updated_at = Utc::now();
        commit.run = Some(run.clone());
        let summary = commit_blocking(writer, commit).await?;
        run.counts.add(&summary);
        report.changes.add(&summary);
        progress.advance(1);
    }

    if !report.interrupted && stop.load(Ordering::SeqCst) {
        let done = report.windows_done + report.windows_failed;
        report.interrupted = done < report.windows_total;
    }
    run.finished_at = Some(Utc::now());
    run.updated_at = Utc::now();
    run.complete = !report.is_partial();
    let mut last = WindowCommit::new(Vec::new());
    last.run = Some(run);
    commit_blocking(writer, last).await?;
    Ok(report)
}

/// A lookup named without its secret.
fn lookup_label(l: &Lookup) -> String {
    match l {
        Lookup::JoinLink(_) => String::from("reservation by join link"),
        Lookup::TempId(id) => format!("conference {id}"),
        #[allow(unreachable_patterns)]
        _ => String::from("lookup"),
    }
}

/// Commits on the writer's own thread without blocking the runtime's workers.
async fn commit_blocking(
    writer: &Arc<Writer>,
    commit: WindowCommit,
) -> Result<LoadSummary, SyncError> {
    let w = Arc::clone(writer);
    tokio::task::spawn_blocking(move || w.commit_window(commit))
        .await
        .map_err(|e| SyncError::Writer(e.to_string()))?
        .map_err(SyncError::from)
}
