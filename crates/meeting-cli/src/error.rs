//! Errors and exit codes.
//!
//! Every failure becomes one [`CliError`]: a paragraph for a person (what failed, where,
//! what to do next) and an exit code from the documented table below.

use std::fmt;

use meeting_sync::failure::FailureClass;

/// The process exit code of each class of failure (the table of `meeting --help`): the
/// classes are `meeting_sync`'s, the numbers the command's.
pub(crate) fn exit_code(class: FailureClass) -> u8 {
    match class {
        FailureClass::Output => 1,
        FailureClass::Usage => 2,
        FailureClass::Data => 3,
        FailureClass::Auth => 4,
        FailureClass::Unavailable => 5,
        FailureClass::NotFound => 7,
        FailureClass::Busy => 8,
        FailureClass::Refused => 9,
        FailureClass::NothingMatched => 10,
        FailureClass::Interrupted => 130,
        _ => 6,
    }
}

/// A failure to report: its class (the exit code, [`exit_code`]) and its message paragraph.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) exit: FailureClass,
    pub(crate) message: String,
}

impl CliError {
    pub(crate) fn new(exit: FailureClass, message: impl Into<String>) -> Self {
        CliError {
            exit,
            message: message.into(),
        }
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CliError::new(FailureClass::Usage, message)
    }

    pub(crate) fn data(message: impl Into<String>) -> Self {
        CliError::new(FailureClass::Data, message)
    }

    /// Writing the output failed (a closed pipe is not an error).
    pub(crate) fn io(what: &str, e: &std::io::Error) -> Self {
        CliError::new(FailureClass::Output, format!("cannot write {what}: {e}"))
    }

    /// Ctrl-C.
    pub(crate) fn interrupted(what: &str) -> Self {
        CliError::new(FailureClass::Interrupted, format!("interrupted: {what}"))
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
        CliError::new(class, format!("{vendor} call failed: {e}. {hint}"))
    }
}

/// A store error as an exit code ([`FailureClass::of_store`]) and a message with what to
/// do next.
pub(crate) fn store_error(e: &meeting_store::StoreError) -> CliError {
    use meeting_store::ErrorKind;
    let exit = FailureClass::of_store(e);
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
        match &e {
            meeting_sync::offline::OfflineError::Store(s) => store_error(s),
            _ => CliError::new(FailureClass::of_offline(&e), e.to_string()),
        }
    }
}

impl From<meeting_sync::inputs::ResolveError> for CliError {
    fn from(e: meeting_sync::inputs::ResolveError) -> Self {
        match &e {
            meeting_sync::inputs::ResolveError::Archive(s) => store_error(s),
            _ => CliError::new(FailureClass::of_resolve(&e), e.to_string()),
        }
    }
}

impl From<meeting_sync::outputs::OutputError> for CliError {
    fn from(e: meeting_sync::outputs::OutputError) -> Self {
        CliError::new(FailureClass::of_output(&e), e.to_string())
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
