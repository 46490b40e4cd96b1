//! Where the archive is: `--archive PATH` > `MEETING_ARCHIVE` > the user data directory.

use std::ffi::OsStr;
use std::path::PathBuf;

use crate::error::{ErrorKind, Result, StoreError};

/// The environment variable naming the archive when `--archive` is not given.
pub const ARCHIVE_ENV: &str = "MEETING_ARCHIVE";

/// The archive's file name inside the data directory.
pub const ARCHIVE_FILE_NAME: &str = "archive.sqlite";

/// The default archive: `<user data dir>/meeting/archive.sqlite`
/// (`$XDG_DATA_HOME/meeting/archive.sqlite`, else `~/.local/share/meeting/archive.sqlite`
/// on Linux; `etcetera`'s base strategy elsewhere).
///
/// # Errors
/// `NotFound` when the home directory cannot be determined.
pub fn default_archive_path() -> Result<PathBuf> {
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().map_err(|e| {
        StoreError::new(
            ErrorKind::NotFound,
            format!("cannot find the user data directory for the default archive: {e}; give --archive PATH or set {ARCHIVE_ENV}"),
        )
    })?;
    Ok(strategy.data_dir().join("meeting").join(ARCHIVE_FILE_NAME))
}

/// Resolves the archive path: the `--archive` flag if given, else the `MEETING_ARCHIVE`
/// value if set and not empty, else [`default_archive_path`]. A pure function: the caller
/// passes the flag and the environment value (`std::env::var_os(ARCHIVE_ENV)`).
///
/// ```
/// use std::ffi::OsStr;
/// use std::path::Path;
/// use meeting_store::resolve_archive_path;
/// let p = resolve_archive_path(Some(Path::new("a.sqlite")), Some(OsStr::new("b.sqlite")))?;
/// assert_eq!(p, Path::new("a.sqlite"));
/// let p = resolve_archive_path(None, Some(OsStr::new("b.sqlite")))?;
/// assert_eq!(p, Path::new("b.sqlite"));
/// # Ok::<(), meeting_store::StoreError>(())
/// ```
///
/// # Errors
/// As [`default_archive_path`], when neither is given.
pub fn resolve_archive_path(
    flag: Option<&std::path::Path>,
    env: Option<&OsStr>,
) -> Result<PathBuf> {
    if let Some(flag) = flag {
        return Ok(flag.to_path_buf());
    }
    match env {
        Some(value) if !value.is_empty() => Ok(PathBuf::from(value)),
        _ => default_archive_path(),
    }
}
