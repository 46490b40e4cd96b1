//! `--summary FILE|-` of `sync`, `report` and `export`: one JSON object for cron and CI,
//! written on every exit once the arguments have parsed (busy, failures, interruptions
//! included; a clap parse error writes none).
//!
//! The command records its figures as it goes ([`set`]); `main` writes them with the exit
//! code and the error ([`write()`]), so an early failure (an unknown profile, a busy archive)
//! still leaves a summary saying what happened. Fields: `command`, `exit_code`, `error`
//! (the message, or `null`), then the command's own (sorted by name).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use meeting_sync::summary::RunRecord;
use serde::Serialize;
use serde_json::Value;

use crate::error::{CliError, Result};

/// The figures recorded so far.
static FIELDS: Mutex<BTreeMap<String, Value>> = Mutex::new(BTreeMap::new());

/// Records one figure of the summary (a later value of the same name replaces it).
pub(crate) fn set(name: &str, value: impl Serialize) {
    let value = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Ok(mut fields) = FIELDS.lock() {
        fields.insert(name.to_owned(), value);
    }
}

/// Whether `path` means standard output.
pub(crate) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes the summary of a command that ended with `result` to `path` (`-`: stdout; a
/// file is written atomically by `meeting_sync::summary::RunRecord`).
pub(crate) fn write(path: &Path, command: &str, result: &Result<()>) -> Result<()> {
    let mut record = RunRecord::new(command);
    if let Err(e) = result {
        record.exit_code = crate::error::exit_code(e.exit);
        record.error = Some(e.message.clone());
    }
    if let Ok(fields) = FIELDS.lock() {
        record.fields.clone_from(&fields);
    }
    if is_stdout(path) {
        let text = record
            .to_json()
            .map_err(|e| CliError::io("the summary", &std::io::Error::other(e)))?;
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&text)
            .and_then(|()| out.flush())
            .or_else(crate::app::ignore_broken_pipe)
            .map_err(|e| CliError::io("the summary", &e));
    }
    record
        .write_to(path)
        .map_err(|e| CliError::io(&format!("the summary {}", path.display()), &e))
}
