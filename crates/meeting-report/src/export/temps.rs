//! The export's temporary directories beside `DIR`: `.NAME.tmp-PID-N` (the export being
//! written) and `.NAME.old-PID-N` (an earlier export's entries moved aside while the new
//! one is swapped in).
//!
//! - A failed export removes its temporaries (on drop of the [`super::Exporter`]).
//! - An interrupted one: the Ctrl-C handler of the program calls [`remove_temporaries`]
//!   before it exits (drop does not run on `exit`).
//! - A killed one leaves them; the next export to the same `DIR` removes them
//!   ([`remove_stale`]). A temporary is stale when it is a directory of exactly this
//!   pattern, its `PID` is not this process, and that process is gone: where the system
//!   lists its processes in `/proc` (Linux), `/proc/PID` does not exist; elsewhere, it has
//!   not been modified for [`STALE_AFTER`]. A process id reused by another program keeps
//!   a stale temporary until that program ends (never a live export removed). Nothing
//!   else in the parent directory is looked at.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::ExportError;

/// The age of a stale temporary where the system gives no list of processes.
///
/// A later export to the same `DIR` removes a temporary (`.DIR.tmp-PID-N`, `.DIR.old-PID-N`,
/// a directory of exactly that pattern beside `DIR`) when its `PID` is not the running
/// process and that process is gone: where the system lists its processes in `/proc`
/// (Linux), `/proc/PID` does not exist; elsewhere, it has not been modified for this long.
/// A process id reused by another program keeps a stale temporary until that program ends
/// (a live export's temporary is never removed). Nothing else beside `DIR` is touched.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The two kinds of temporaries.
const KINDS: [&str; 2] = ["tmp", "old"];

/// The temporaries of this process that exist now.
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Held while something is created in a temporary, and while an export is swapped in (a
/// few renames); `true` once [`remove_temporaries`] ran. So an interruption never races a
/// directory being created again after it was removed, and never removes the earlier
/// export's entries moved aside during a swap.
static GATE: Mutex<bool> = Mutex::new(false);

/// Holds off [`remove_temporaries`] until dropped.
///
/// # Errors
/// [`super::ExportErrorKind::Io`] (interrupted) once the temporaries were removed.
pub(super) fn gate(path: &Path) -> Result<MutexGuard<'static, bool>, ExportError> {
    let gate = GATE.lock().unwrap_or_else(PoisonError::into_inner);
    if *gate {
        return Err(ExportError::io(
            "writing",
            path,
            io::Error::new(io::ErrorKind::Interrupted, "interrupted"),
        ));
    }
    Ok(gate)
}

fn live() -> MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every export temporary this process holds (for a Ctrl-C handler that exits
/// next): the export it was to replace stays as it was.
pub fn remove_temporaries() {
    let mut gate = GATE.lock().unwrap_or_else(PoisonError::into_inner);
    *gate = true;
    let paths = std::mem::take(&mut *live());
    for p in paths {
        // Files may still appear while another thread writes: a second pass.
        if std::fs::remove_dir_all(&p).is_err() {
            let _ = std::fs::remove_dir_all(&p);
        }
    }
}

/// Removes the stale temporaries of an export to `out` (see the module docs). Returns how
/// many were removed.
pub(super) fn remove_stale(out: &Path) -> usize {
    let (parent, Some(name)) = (parent_of(out), out.file_name()) else {
        return 0;
    };
    let name = name.to_string_lossy();
    let Ok(entries) = std::fs::read_dir(&parent) else {
        return 0;
    };
    let own = std::process::id();
    let mut removed = 0;
    for entry in entries.flatten() {
        let Some(pid) = temporary_pid(&entry.file_name().to_string_lossy(), &name) else {
            continue;
        };
        let path = entry.path();
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir && pid != own && is_stale(&path, pid) && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id of `entry` when it is named `.NAME.tmp-PID-N` or `.NAME.old-PID-N`.
fn temporary_pid(entry: &str, name: &str) -> Option<u32> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix('.')?;
    let rest = KINDS
        .iter()
        .find_map(|k| rest.strip_prefix(k).and_then(|r| r.strip_prefix('-')))?;
    let (pid, n) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

fn is_stale(path: &Path, pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return !proc.join(pid.to_string()).exists();
    }
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_AFTER)
}

/// The directory of `path` (`.` for a bare name).
pub(super) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new directory `.<name>.<what>-<pid>-<n>` in `parent`, held until [`remove`] or
/// [`forget`].
pub(super) fn create(parent: &Path, name: &str, what: &str) -> Result<PathBuf, ExportError> {
    let pid = std::process::id();
    let mut n = 0u32;
    // Created and listed under the lock: an interruption sees it as soon as it exists.
    let mut live = live();
    loop {
        let path = parent.join(format!(".{name}.{what}-{pid}-{n}"));
        match std::fs::create_dir(&path) {
            Ok(()) => {
                live.insert(path.clone());
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(e) => return Err(ExportError::io("creating", &path, e)),
        }
    }
}

/// Removes a temporary of this process.
pub(super) fn remove(path: &Path) -> io::Result<()> {
    live().remove(path);
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A temporary renamed into place: no longer one to remove.
pub(super) fn forget(path: &Path) {
    live().remove(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_pattern_is_a_temporary() {
        assert_eq!(temporary_pid(".lake.tmp-123-0", "lake"), Some(123));
        assert_eq!(temporary_pid(".lake.old-7-12", "lake"), Some(7));
        for other in [
            "lake",
            ".lake.tmp-123",
            ".lake.tmp-12a-0",
            ".lake.tmp--0",
            ".lakes.tmp-1-0",
            ".lake.new-1-0",
            ".lake.tmp-1-0.bak",
            "MY_NOTES.txt",
        ] {
            assert_eq!(temporary_pid(other, "lake"), None, "{other}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_ones_of_dead_processes_are_removed_live_and_other_entries_kept() {
        let Ok(dir) = meeting_sync::tempdir::TempDir::new("meeting-report-temps") else {
            return;
        };
        let out = dir.path().join("lake");
        // No process has an id this high (the Linux maximum is 2^22).
        let stale = dir.path().join(".lake.tmp-4294967290-0");
        let mine = dir
            .path()
            .join(format!(".lake.tmp-{}-0", std::process::id()));
        let parent = dir.path().join(format!(".lake.old-{}-3", 1));
        let notes = dir.path().join("MY_NOTES.txt");
        let other = dir.path().join(".other.tmp-4294967290-0");
        for d in [&stale, &mine, &parent, &other] {
            assert!(std::fs::create_dir(d).is_ok());
        }
        assert!(std::fs::write(stale.join("part-0.csv"), "x").is_ok());
        assert!(std::fs::write(&notes, "mine").is_ok());
        assert_eq!(remove_stale(&out), 1);
        assert!(!stale.exists());
        // This process and process 1 (init) are alive; other names are not looked at.
        assert!(mine.is_dir() && parent.is_dir() && other.is_dir() && notes.is_file());
    }
}
