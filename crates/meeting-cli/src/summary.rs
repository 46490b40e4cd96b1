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

/// Writes the summary of a command that ended with `result` to `path` (`-`: stdout): to a
/// temporary file beside it, then renamed.
pub(crate) fn write(path: &Path, command: &str, result: &Result<()>) -> Result<()> {
    let mut object = serde_json::Map::new();
    object.insert(String::from("command"), Value::from(command));
    let (code, error) = match result {
        Ok(()) => (0, Value::Null),
        Err(e) => (e.exit.code(), Value::from(e.message.clone())),
    };
    object.insert(String::from("exit_code"), Value::from(code));
    object.insert(String::from("error"), error);
    if let Ok(fields) = FIELDS.lock() {
        for (k, v) in fields.iter() {
            object.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut text = serde_json::to_vec_pretty(&Value::Object(object))
        .map_err(|e| CliError::io("the summary", &std::io::Error::other(e)))?;
    text.push(b'\n');
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&text)
            .and_then(|()| out.flush())
            .or_else(crate::app::ignore_broken_pipe)
            .map_err(|e| CliError::io("the summary", &e));
    }
    let tmp = {
        let mut name = path.as_os_str().to_owned();
        name.push(".tmp");
        std::path::PathBuf::from(name)
    };
    std::fs::write(&tmp, &text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CliError::io(&format!("the summary {}", path.display()), &e)
        })
}
