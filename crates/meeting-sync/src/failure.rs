//! What kind of failure a job ended with: the classes a program embedding the jobs acts on
//! (retry later, fix the credentials, give up on this id). The `meeting` command maps each
//! class to its exit code and wording; the classification itself lives here.
//!
//! ```
//! use meeting_sync::failure::FailureClass;
//! // A vendor's own failure answer is a refusal, not "unreachable".
//! assert!(FailureClass::Refused.vendor_answered());
//! assert!(!FailureClass::Unavailable.vendor_answered());
//! ```

use serde::Serialize;

/// The class of a failure. Ordered from the least to the most telling for a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureClass {
    /// An output could not be written.
    Output,
    /// The arguments or the configuration are wrong.
    Usage,
    /// The input data (or a vendor's answer) cannot be read.
    Data,
    /// The vendor refused the credentials.
    Auth,
    /// The vendor could not be reached, or kept failing after the retries (transport
    /// errors, timeouts, 5xx, rate limits).
    Unavailable,
    /// Part of the work failed (what was done is kept).
    Partial,
    /// The vendor says it does not know what was asked for.
    NotFound,
    /// Another run holds the archive.
    Busy,
    /// The vendor answered with its own failure (not about credentials, not "not found"):
    /// the same request will fail again.
    Refused,
    /// Nothing matched and nothing was written.
    NothingMatched,
    /// The run was stopped (Ctrl-C).
    Interrupted,
}

impl FailureClass {
    /// Whether the vendor was reached and answered with a failure of its own.
    #[must_use]
    pub fn vendor_answered(self) -> bool {
        matches!(
            self,
            FailureClass::Auth | FailureClass::NotFound | FailureClass::Refused
        )
    }

    /// The class of a vendor call's failure: credentials, a bad request of ours (usage),
    /// not found, an answer that cannot be read (data), a refusal (the vendor's status and
    /// text), else unreachable.
    #[cfg(feature = "live")]
    #[must_use]
    pub fn of_http(e: &meeting_http::Error) -> Self {
        use meeting_http::ErrorKind as K;
        match e.kind() {
            K::Authentication { .. } => FailureClass::Auth,
            K::InvalidRequest { .. } => FailureClass::Usage,
            _ if e.is_not_found() => FailureClass::NotFound,
            K::Decode { .. } => FailureClass::Data,
            _ if e.is_refusal() => FailureClass::Refused,
            _ => FailureClass::Unavailable,
        }
    }

    /// The class of an archive error: busy, a missing archive or one of another schema
    /// (usage: the next step is the user's), else data.
    #[must_use]
    pub fn of_store(e: &meeting_store::StoreError) -> Self {
        use meeting_store::ErrorKind;
        match e.kind() {
            ErrorKind::Busy => FailureClass::Busy,
            // The file system failed (a full disk): as any output that cannot be written.
            ErrorKind::Io => FailureClass::Output,
            ErrorKind::NotFound
            | ErrorKind::NewerVersion { .. }
            | ErrorKind::NeedsMigration { .. }
            | ErrorKind::ReadOnlyWithLog => FailureClass::Usage,
            _ => FailureClass::Data,
        }
    }

    /// The class of an offline job's failure: an input that cannot be opened (usage), the
    /// archive's ([`FailureClass::of_store`]), an output or temporary file that cannot be
    /// written, else data.
    #[must_use]
    pub fn of_offline(e: &crate::offline::OfflineError) -> Self {
        use crate::offline::OfflineError as E;
        match e {
            E::Input(_) => FailureClass::Usage,
            E::Store(s) => FailureClass::of_store(s),
            E::TempFile(_) | E::Write(_) => FailureClass::Output,
            _ => FailureClass::Data,
        }
    }

    /// The class of an input resolution's failure: the archive's, else usage.
    #[must_use]
    pub fn of_resolve(e: &crate::inputs::ResolveError) -> Self {
        match e {
            crate::inputs::ResolveError::Archive(s) => FailureClass::of_store(s),
            _ => FailureClass::Usage,
        }
    }

    /// The class of an output's failure: a directory that is not ours or missing is usage
    /// (the next step is the user's), else the output could not be written.
    #[must_use]
    pub fn of_output(e: &crate::outputs::OutputError) -> Self {
        use crate::outputs::OutputError as E;
        match e {
            E::NotOurs { .. } | E::NotADirectory { .. } | E::NoDirectory { .. } => {
                FailureClass::Usage
            }
            _ => FailureClass::Output,
        }
    }
}
