//! The archive's run lock: one sync (or import) at a time, for the whole run.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, Result, StoreError};

/// An exclusive, whole-run hold on an archive: an OS advisory lock on the sidecar file
/// `<archive>.lock` (mode 0600), released when the value is dropped or the process dies
/// (the kernel releases it, so a killed sync never leaves a stale lock behind).
///
/// SQLite's own lock covers one transaction; this one covers a whole run, so two syncs on
/// one archive never interleave their windows. [`RunLock::acquire`] waits a bounded time,
/// then fails with [`ErrorKind::Busy`].
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    _file: fs::File,
}

/// How often a waiting [`RunLock::acquire`] tries again.
const POLL: Duration = Duration::from_millis(50);

impl RunLock {
    /// The lock file of the archive at `archive`: `<archive>.lock`.
    pub fn lock_path(archive: &Path) -> PathBuf {
        let mut name = archive.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the run lock of the archive at `archive`, waiting at most `wait` for another
    /// run to release it. The archive itself is neither created nor opened.
    ///
    /// # Errors
    /// `Busy` when another run still holds it after `wait` (the message names the lock
    /// file); `Io` when the lock file cannot be created.
    pub fn acquire(archive: &Path, wait: Duration) -> Result<RunLock> {
        let path = Self::lock_path(archive);
        if let Some(parent) = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && !p.exists())
        {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(parent).map_err(|e| {
                StoreError::io("cannot create the archive's directory", e).at(archive)
            })?;
        }
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| StoreError::io("cannot open the archive's lock file", e).at(&path))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(RunLock { path, _file: file }),
                Err(fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        return Err(StoreError::new(
                            ErrorKind::Busy,
                            format!(
                                "busy: another run (a sync or an import) holds the archive; waited {:.1} s for its lock file {}",
                                wait.as_secs_f64(),
                                path.display()
                            ),
                        )
                        .at(archive));
                    }
                    std::thread::sleep(POLL.min(wait.saturating_sub(started.elapsed())));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(StoreError::io("cannot lock the archive's lock file", e).at(&path));
                }
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
