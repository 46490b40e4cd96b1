//! A trial sync ([`sync_trial`]): one profile's settings synced into a new private
//! temporary archive, then its meetings read back as `meeting list --archive` reads them
//! (`meeting demo` against the simulator; a check of new credentials before the real
//! archive).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use meeting_core::Context;
use meeting_store::{StoreError, Writer};

use super::{SyncClients, SyncError, SyncOptions, SyncReport, sync_profile};
use crate::Capture;
use crate::clients::{self, ClientError, Tuning};
use crate::config::Settings;
use crate::job::Progress;
use crate::offline::{OfflineError, Reading};
use crate::tempdir::TempDir;

/// A trial sync done: its report and what the temporary archive holds. The archive and its
/// directory are removed when this is dropped.
#[derive(Debug)]
#[non_exhaustive]
pub struct Trial {
    /// What the sync did.
    pub report: SyncReport,
    /// The archive's meetings, merged (stubs attached, rooms resolved), in output order,
    /// in the UTC days of the context's vendor zone (no filter).
    pub reading: Reading,
    _dir: TempDir,
}

/// Why a trial sync failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrialError {
    /// The private temporary directory could not be created.
    #[error("cannot create a private directory in {}: {}", std::env::temp_dir().display(), .0)]
    TempDir(#[source] std::io::Error),
    /// A client could not be built from the settings.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The sync could not start or write.
    #[error(transparent)]
    Sync(SyncError),
    /// The temporary archive failed (opened, closed).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The archive could not be read back.
    #[error(transparent)]
    Read(#[from] OfflineError),
}

/// Syncs the profile of `settings` (both vendors it configures, calls seen by `capture`,
/// with `tuning`) into a new temporary archive as [`sync_profile`] does with `options`,
/// then reads its meetings back (the report stubs attached) with days in `zone`.
///
/// # Errors
/// See [`TrialError`]; a sync whose calls failed is not an error (its report says so).
#[allow(clippy::too_many_arguments)]
pub async fn sync_trial(
    settings: &Settings,
    tuning: Tuning,
    capture: &Capture,
    ctx: &Context,
    zone: chrono_tz::Tz,
    options: &SyncOptions,
    progress: &dyn Progress,
    stop: &AtomicBool,
) -> Result<Trial, TrialError> {
    let dir = TempDir::new("meeting-demo").map_err(TrialError::TempDir)?;
    let archive = dir.path().join("demo.sqlite");
    let writer = Arc::new(Writer::open(&archive)?);
    let systec = clients::systec_client(settings, tuning, capture, ctx.vendor_zone())?;
    let quanshi = clients::quanshi_client(settings, tuning, capture)?;
    let report = sync_profile(
        &writer,
        SyncClients::new(Some(&systec), Some(&quanshi)),
        ctx,
        options,
        progress,
        stop,
    )
    .await
    .map_err(|e| match e {
        SyncError::Store(e) => TrialError::Store(e),
        e => TrialError::Sync(e),
    })?;
    if let Ok(w) = Arc::try_unwrap(writer) {
        w.close()?;
    }
    let reading = crate::offline::read(&archive, &meeting_core::query::Filter::new(zone))?;
    Ok(Trial {
        report,
        reading,
        _dir: dir,
    })
}
