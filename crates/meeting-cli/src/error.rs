//! Errors and exit codes.
//!
//! Every failure becomes one [`CliError`]: a paragraph for a person (what failed, where,
//! what to do next) and an exit code from the documented table below.

use std::fmt;

use meeting_sync::failure::FailureClass;

/// The process exit code of a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 1: the output could not be written.
    Write,
    /// 2: usage or configuration.
    Usage,
    /// 3: bad input data.
    Data,
    /// 4: authentication.
    Auth,
    /// 5: the vendor could not be reached or gave up.
    Unavailable,
    /// 6: partial failure.
    Partial,
    /// 7: the vendor does not know what was asked for.
    NotFound,
    /// 8: another run holds the archive.
    Busy,
    /// 9: the vendor answered with its own failure (not a credential error, not "not
    /// found"): it refused the request; retrying the same request will not help.
    Refused,
    /// 10: nothing matched and the span is not covered (or the input was files): nothing
    /// was written, existing outputs are untouched.
    NothingMatched,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl Exit {
    /// The numeric code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Write => 1,
            Exit::Usage => 2,
            Exit::Data => 3,
            Exit::Auth => 4,
            Exit::Unavailable => 5,
            Exit::Partial => 6,
            Exit::NotFound => 7,
            Exit::Busy => 8,
            Exit::Refused => 9,
            Exit::NothingMatched => 10,
            Exit::Interrupted => 130,
        }
    }
}

/// A failure to report: its exit code and its message paragraph.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) exit: Exit,
    pub(crate) message: String,
}

impl CliError {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError::new(Exit::Usage, message)
    }

    pub(crate) fn data(message: impl Into<String>) -> Self {
        CliError::new(Exit::Data, message)
    }

    /// Writing the output failed (a closed pipe is not an error).
    pub(crate) fn io(what: &str, e: &std::io::Error) -> Self {
        CliError::new(Exit::Write, format!("cannot write {what}: {e}"))
    }

    /// Ctrl-C.
    pub(crate) fn interrupted(what: &str) -> Self {
        CliError::new(Exit::Interrupted, format!("interrupted: {what}"))
    }

    /// A vendor call failed: the exit code from its class
    /// ([`meeting_sync::failure::FailureClass::of_http`]), and what to do next.
    pub(crate) fn http(e: &meeting_http::Error) -> Self {
        let quanshi = e.context().vendor == meeting_core::Vendor::Quanshi;
        let class = FailureClass::of_http(e);
        let hint = match class {
            FailureClass::Auth if quanshi => {
                "Check QUANSHI_TOKEN (or the profile's quanshi_token) and run `meeting config check`."
            }
            FailureClass::Auth => {
                "Check SYSTEC_API_KEY/SYSTEC_API_SECRET (or the profile's systec_api_key/systec_api_secret) and run `meeting config check`."
            }
            FailureClass::Usage => {
                "Check the command's arguments and the configured base URLs and paths (`meeting config check`)."
            }
            FailureClass::NotFound => {
                "The vendor says it does not know what was asked for: check the id or link, and the configured base URL and paths (`meeting config check`). Retrying will not help."
            }
            FailureClass::Data => {
                "The vendor sent something this version cannot read; rerun with --save-raw DIR and report the saved response."
            }
            FailureClass::Refused => {
                "The vendor refused the request (its status and text are quoted); check the arguments and the account's permissions. Retrying the same request will not help."
            }
            _ => {
                "The vendor could not be reached or kept failing; check the network, HTTPS_PROXY and the base URL, then try again later (-v shows each attempt)."
            }
        };
        let vendor = if quanshi { "Quanshi" } else { "Systec" };
        CliError::new(class.into(), format!("{vendor} call failed: {e}. {hint}"))
    }
}

/// The exit code of each class of failure (the table of `meeting --help`).
impl From<FailureClass> for Exit {
    fn from(class: FailureClass) -> Self {
        match class {
            FailureClass::Output => Exit::Write,
            FailureClass::Usage => Exit::Usage,
            FailureClass::Data => Exit::Data,
            FailureClass::Auth => Exit::Auth,
            FailureClass::Unavailable => Exit::Unavailable,
            FailureClass::NotFound => Exit::NotFound,
            FailureClass::Busy => Exit::Busy,
            FailureClass::Refused => Exit::Refused,
            FailureClass::NothingMatched => Exit::NothingMatched,
            FailureClass::Interrupted => Exit::Interrupted,
            _ => Exit::Partial,
        }
    }
}

/// A store error as an exit code ([`FailureClass::of_store`]) and a message with what to
/// do next.
pub(crate) fn store_error(e: &meeting_store::StoreError) -> CliError {
    use meeting_store::ErrorKind;
    let exit = FailureClass::of_store(e).into();
    if let ErrorKind::NeedsMigration { found, supported } = e.kind() {
        let at = e
            .path()
            .map(|p| format!("archive {}: ", p.display()))
            .unwrap_or_default();
        return CliError::new(
            exit,
            format!(
                "{at}the archive has schema {found}, older than this build's {supported}. Upgrade it with `meeting archive migrate` (it makes a backup first); it was not modified"
            ),
        );
    }
    let hint = match e.kind() {
        ErrorKind::NotFound => {
            " Create it with `meeting sync --since DATE` or `meeting archive import FILE|DIR...` (or give another with --archive PATH)."
        }
        ErrorKind::Busy => " Another run is writing to it: try again when it has finished.",
        ErrorKind::NotAnArchive => {
            " If it is your archive, it is damaged: restore it from a backup (`meeting archive backup FILE` makes one), or point --archive (MEETING_ARCHIVE) at the right file."
        }
        _ => "",
    };
    // The cause the archive kept (the operating system's or SQLite's words).
    let cause = match e.kind() {
        ErrorKind::Io | ErrorKind::Database => std::error::Error::source(e)
            .map(|c| format!(": {c}"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    CliError::new(exit, format!("{e}{cause}{hint}"))
}

impl From<meeting_sync::offline::OfflineError> for CliError {
    fn from(e: meeting_sync::offline::OfflineError) -> Self {
        use meeting_sync::offline::OfflineError as E;
        match &e {
            E::Input(_) => CliError::usage(e.to_string()),
            E::Store(s) => store_error(s),
            E::TempFile(_) | E::Write(_) => CliError::new(Exit::Write, e.to_string()),
            _ => CliError::data(e.to_string()),
        }
    }
}

impl From<meeting_sync::inputs::ResolveError> for CliError {
    fn from(e: meeting_sync::inputs::ResolveError) -> Self {
        use meeting_sync::inputs::ResolveError as E;
        match &e {
            E::Archive(s) => store_error(s),
            _ => CliError::usage(e.to_string()),
        }
    }
}

impl From<meeting_sync::outputs::OutputError> for CliError {
    fn from(e: meeting_sync::outputs::OutputError) -> Self {
        use meeting_sync::outputs::OutputError as E;
        match &e {
            E::NotOurs { .. } | E::NotADirectory { .. } | E::NoDirectory { .. } => {
                CliError::usage(e.to_string())
            }
            _ => CliError::new(Exit::Write, e.to_string()),
        }
    }
}

impl From<meeting_sync::dates::DateError> for CliError {
    fn from(e: meeting_sync::dates::DateError) -> Self {
        CliError::usage(e.to_string())
    }
}

impl From<meeting_sync::config::ConfigError> for CliError {
    fn from(e: meeting_sync::config::ConfigError) -> Self {
        use meeting_sync::config::ConfigError as E;
        match e {
            // The value comes from the environment or the file: shown, not obeyed.
            E::NotAUrl { var, key, value } => {
                let lines: Vec<_> = value
                    .split('\n')
                    .map(meeting_report::pii::escape_control)
                    .collect();
                let value = lines.join("\n");
                CliError::usage(E::NotAUrl { var, key, value }.to_string())
            }
            e => CliError::usage(e.to_string()),
        }
    }
}

impl From<meeting_sync::quanshi::LookupsError> for CliError {
    fn from(e: meeting_sync::quanshi::LookupsError) -> Self {
        CliError::usage(e.to_string())
    }
}

impl From<meeting_sync::clients::ClientError> for CliError {
    fn from(e: meeting_sync::clients::ClientError) -> Self {
        use meeting_sync::clients::ClientError as E;
        match e {
            E::Config(c) => c.into(),
            E::Http(h) => CliError::http(&h),
            e => CliError::usage(e.to_string()),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;
