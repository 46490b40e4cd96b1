//! The error of the offline jobs ([`crate::offline`], [`crate::import`]), in a module of
//! its own so that both use it without importing each other.

use meeting_core::run::ManifestError;
use meeting_store::StoreError;

/// An offline job that could not run (bad documents are not errors: they are counted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// An input could not be opened.
    #[error(transparent)]
    Input(#[from] crate::inputs::InputError),
    /// A saved run's manifest could not be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The archive failed (missing, busy, newer, a database error).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The private temporary directory of the input files' archive could not be created.
    #[error("cannot create the temporary archive of the input files: {0}")]
    TempFile(#[source] std::io::Error),
    /// The output could not be written (its cause kept: a closed pipe, a full disk).
    #[error("cannot write the output: {0}")]
    Write(#[source] std::io::Error),
    /// The thread reading the archive stopped without a result.
    #[error("the archive reader stopped unexpectedly")]
    ReaderStopped,
}
