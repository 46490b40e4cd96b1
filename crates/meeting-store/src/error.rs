//! The archive's error: a kind a caller can match on, the archive's path, the cause chained.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong; match on it to choose an exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The archive does not exist (read commands never create it).
    NotFound,
    /// The archive was written by a newer version of this program: it is left untouched.
    NewerVersion {
        /// The archive's schema version (`PRAGMA user_version`).
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// The archive is older than this build: only [`crate::migrate`] upgrades it (a backup
    /// first); it was not modified.
    NeedsMigration {
        /// The archive's schema version.
        found: i64,
        /// The schema version this build writes.
        supported: i64,
    },
    /// The archive is in a place this process cannot write (a read-only file or directory)
    /// and its write-ahead log (`-wal`) holds commits not yet folded in: reading it without
    /// SQLite's shared-memory index could miss them, so it is not read.
    ReadOnlyWithLog,
    /// The file is not a SQLite database, is damaged, or is a SQLite database that is not a
    /// meeting archive.
    NotAnArchive,
    /// Another process holds the archive's write lock.
    Busy,
    /// Reading or writing the file system failed.
    Io,
    /// SQLite reported an error.
    Database,
    /// A stored or given record is not what it should be (the message says where).
    BadRecord,
    /// A caller gave an argument the archive cannot use.
    InvalidInput,
    /// The writer thread stopped (it panicked or was shut down).
    WriterGone,
}

/// An error of the archive.
#[derive(Debug)]
pub struct StoreError {
    kind: ErrorKind,
    path: Option<PathBuf>,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl StoreError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        StoreError {
            kind,
            path: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn at(mut self, path: &Path) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn io(what: impl Into<String>, err: std::io::Error) -> Self {
        let kind = if err.kind() == std::io::ErrorKind::NotFound {
            ErrorKind::NotFound
        } else {
            ErrorKind::Io
        };
        StoreError::new(kind, what).with_source(err)
    }

    /// An `Io` error (a `NotFound` one for a missing file) with its cause kept: for callers
    /// whose closures handed to the archive fail on their own I/O (a dump's output).
    #[must_use]
    pub fn from_io(what: impl Into<String>, err: std::io::Error) -> Self {
        StoreError::io(what, err)
    }

    #[allow(clippy::needless_pass_by_value)] // used as `map_err(|e| sqlite(.., e))`
    pub(crate) fn sqlite(what: impl Into<String>, err: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        let kind = match err.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => ErrorKind::NotAnArchive,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => ErrorKind::Busy,
            Some(ErrorCode::CannotOpen | ErrorCode::SystemIoFailure) => ErrorKind::Io,
            // The disk is full (SQLite's SQLITE_FULL: the OS said ENOSPC, or the database
            // reached its page limit): an I/O failure with the operating system's words,
            // not a database error.
            Some(ErrorCode::DiskFull) => {
                return StoreError::new(ErrorKind::Io, what).with_source(Detail(format!(
                    "no space left on device: free some space and run it again ({err})"
                )));
            }
            _ => ErrorKind::Database,
        };
        // rusqlite's errors are not part of this crate's API: keep their text only.
        StoreError::new(kind, what).with_source(Detail(err.to_string()))
    }

    pub(crate) fn bad_record(message: impl Into<String>) -> Self {
        StoreError::new(ErrorKind::BadRecord, message)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The archive (or backup) file concerned, when known.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "archive {}: ", path.display())?;
        }
        f.write_str(&self.message)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// The text of an underlying library error (its type stays private).
#[derive(Debug)]
struct Detail(String);

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for Detail {}

/// The crate's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk (SQLITE_FULL) is an I/O failure that names it, not a database error.
    #[test]
    fn a_full_disk_is_an_io_error_with_its_cause() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            None,
        );
        let e = StoreError::sqlite("cannot commit", full);
        assert_eq!(e.kind(), &ErrorKind::Io);
        let cause = e.source().map(ToString::to_string).unwrap_or_default();
        assert!(cause.contains("no space left on device"), "{cause}");
        assert!(cause.contains("database or disk is full"), "{cause}");
        let io = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR_WRITE),
            None,
        );
        assert_eq!(
            StoreError::sqlite("cannot commit", io).kind(),
            &ErrorKind::Io
        );
    }
}
