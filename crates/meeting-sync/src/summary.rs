//! The run summary of a job (`--summary FILE|-` of `sync`, `report` and `export`): one JSON
//! object for cron and CI with `command`, `exit_code`, `error` (the message, or `null`) and
//! the job's own figures. serde_json's map keeps keys sorted, so the object is in name order.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

/// A job's run summary: what ran, how it ended, and its figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunRecord {
    /// The command (`sync`, `report`, `export`).
    pub command: String,
    /// The process exit code (0 on success).
    pub exit_code: u8,
    /// The failure's message, if any.
    pub error: Option<String>,
    /// The job's figures by name (a figure never replaces `command`, `exit_code` or `error`).
    pub fields: BTreeMap<String, Value>,
}

impl RunRecord {
    /// An empty summary of `command`.
    #[must_use]
    pub fn new(command: impl Into<String>) -> Self {
        RunRecord {
            command: command.into(),
            ..RunRecord::default()
        }
    }

    /// Records one figure (a later value of the same name replaces it; a value that does not
    /// serialise is `null`).
    pub fn set(&mut self, name: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.fields.insert(name.to_owned(), value);
    }

    /// The summary as pretty JSON and a line break.
    ///
    /// # Errors
    ///
    /// Serialisation failed (it does not, for these values).
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut object = serde_json::Map::new();
        object.insert(String::from("command"), Value::from(self.command.clone()));
        object.insert(String::from("exit_code"), Value::from(self.exit_code));
        object.insert(
            String::from("error"),
            self.error.clone().map_or(Value::Null, Value::from),
        );
        for (k, v) in &self.fields {
            object.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let mut text = serde_json::to_vec_pretty(&Value::Object(object))?;
        text.push(b'\n');
        Ok(text)
    }

    /// Writes the summary to `path`: to a temporary file beside it (`PATH.tmp`), then
    /// renamed, so a reader never sees half of it.
    ///
    /// # Errors
    ///
    /// The file cannot be written (the temporary file is removed).
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        let text = self.to_json().map_err(std::io::Error::other)?;
        let tmp = {
            let mut name = path.as_os_str().to_owned();
            name.push(".tmp");
            std::path::PathBuf::from(name)
        };
        std::fs::write(&tmp, &text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
    }
}

#[cfg(test)]
mod tests {
    use super::RunRecord;

    #[test]
    fn the_job_cannot_overwrite_the_outcome() {
        let mut r = RunRecord::new("sync");
        r.set("exit_code", 99);
        r.set("records", 3);
        r.exit_code = 6;
        let v: serde_json::Value =
            serde_json::from_slice(&r.to_json().unwrap_or_default()).unwrap_or_default();
        assert_eq!(v["exit_code"], 6);
        assert_eq!(v["records"], 3);
        assert!(v["error"].is_null());
    }
}
