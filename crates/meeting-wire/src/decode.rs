//! Parsing with located errors.

use serde::Deserialize;
use std::fmt;

/// The UTF-8 byte order mark some Windows tools put at the start of a saved file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Returns `bytes` without a leading UTF-8 byte order mark, if it has one.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// A JSON document that could not be parsed into the expected type, with where and why.
///
/// `Display` reads like
/// ``at `data.meetings[3].join_time` (line 1, column 345): invalid value: ..., expected ...``.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct DecodeError {
    path: String,
    line: usize,
    column: usize,
    message: String,
    kind: DecodeErrorKind,
}

/// What kind of failure a [`DecodeError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes are not valid JSON (or not valid UTF-8).
    Syntax,
    /// Valid JSON, but a value does not have the expected type or form.
    Data,
    /// The document ends early: truncated or empty.
    Eof,
}

impl DecodeError {
    /// The JSON path of the failing value, e.g. `data.meetings[3].join_time`; empty for the
    /// document itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// 1-based line of the failure in the parsed text (0 when unknown).
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column of the failure in the parsed text (0 when unknown).
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was wrong and what was expected, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Syntax, data or end-of-input.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// Builds an error from serde_json's, with the path found by the caller.
    fn new(path: String, err: &serde_json::Error) -> Self {
        let kind = match err.classify() {
            serde_json::error::Category::Eof => DecodeErrorKind::Eof,
            serde_json::error::Category::Data => DecodeErrorKind::Data,
            _ => DecodeErrorKind::Syntax,
        };
        let (line, column) = (err.line(), err.column());
        let mut message = err.to_string();
        // serde_json appends " at line L column C"; the position has its own fields.
        let suffix = format!(" at line {line} column {column}");
        if message.ends_with(&suffix) {
            message.truncate(message.len() - suffix.len());
        }
        let (mut line, mut column) = (line, column);
        if kind == DecodeErrorKind::Eof && line <= 1 && column == 0 {
            message = String::from("empty document: expected a JSON value");
            (line, column) = (0, 0);
        }
        DecodeError {
            path,
            line,
            column,
            message,
            kind,
        }
    }

    /// An error found after parsing (a value that is valid JSON of the right type but not
    /// acceptable), at `path`, with no line or column.
    pub fn custom(path: impl Into<String>, message: impl Into<String>) -> Self {
        DecodeError {
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            kind: DecodeErrorKind::Data,
        }
    }

    /// Adds a hint for the commonest wrong bodies: an HTML page (a proxy or gateway error)
    /// or binary data where JSON was expected.
    fn hint(mut self, bytes: &[u8]) -> Self {
        if self.kind != DecodeErrorKind::Syntax || !self.path.is_empty() {
            return self;
        }
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        let head = bytes.get(start..).unwrap_or_default();
        if head.first() == Some(&b'<') {
            let preview: String = String::from_utf8_lossy(head.get(..40).unwrap_or(head))
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            self.message = format!(
                "{}: this looks like an HTML page, not JSON (starts with `{preview}`)",
                self.message
            );
        } else if std::str::from_utf8(head.get(..64).unwrap_or(head)).is_err()
            || head.iter().take(64).any(|b| *b < 0x09)
        {
            self.message = format!("{}: this looks like binary data, not JSON", self.message);
        }
        self
    }

    /// Returns the same error with `prefix` put in front of its path (for a document that
    /// was itself found inside a larger one).
    #[must_use]
    pub fn with_path_prefix(mut self, prefix: &str) -> Self {
        self.path = match (prefix.is_empty(), self.path.is_empty()) {
            (true, _) => self.path,
            (false, true) => prefix.to_owned(),
            (false, false) if self.path.starts_with('[') => format!("{prefix}{}", self.path),
            (false, false) => format!("{prefix}.{}", self.path),
        };
        self
    }

    fn render(&self) -> String {
        let at = if self.path.is_empty() {
            String::from("at the top level")
        } else {
            format!("at `{}`", self.path)
        };
        if self.line == 0 {
            format!("{at}: {}", self.message)
        } else {
            format!(
                "{at} (line {}, column {}): {}",
                self.line, self.column, self.message
            )
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecodeErrorKind::Syntax => "syntax",
            DecodeErrorKind::Data => "data",
            DecodeErrorKind::Eof => "end of input",
        })
    }
}

/// Parses `bytes` (a leading UTF-8 BOM is ignored) as `T`.
///
/// The success path is plain `serde_json::from_slice`; only on failure is the document
/// parsed a second time, through `serde_path_to_error`, to find the JSON path of the
/// failing value. Trailing non-whitespace after the value is an error.
///
/// # Errors
/// A [`DecodeError`] naming the JSON path, line and column, and what was expected.
pub fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, DecodeError> {
    let bytes = strip_bom(bytes);
    serde_json::from_slice(bytes).map_err(|fast| locate::<T>(bytes, &fast).hint(bytes))
}

/// Parses `text` (a leading BOM is ignored) as `T`; see [`from_slice`].
///
/// # Errors
/// A [`DecodeError`] naming the JSON path, line and column, and what was expected.
pub fn from_str<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T, DecodeError> {
    from_slice(text.as_bytes())
}

/// The slow path: parse again, tracking the path, to describe a failure.
#[cold]
fn locate<'a, T: Deserialize<'a>>(bytes: &'a [u8], fast: &serde_json::Error) -> DecodeError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = serde_path_to_error::deserialize::<_, T>(&mut de);
    match result {
        Err(err) => {
            let path = render_path(err.path());
            DecodeError::new(path, err.inner())
        }
        // The value parsed, so the failure was after it (trailing characters).
        Ok(_) => match de.end() {
            Err(err) => DecodeError::new(String::new(), &err),
            Ok(()) => DecodeError::new(String::new(), fast),
        },
    }
}

/// Renders a path as `data.meetings[3].join_time` (serde_path_to_error writes `.` for the
/// root).
fn render_path(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." { String::new() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        data: BTreeMap<String, Vec<u32>>,
    }

    #[test]
    fn error_names_path_line_and_column() {
        let err = from_slice::<Doc>(b"{\"data\": {\"a\": [1, 2,\n \"x\"]}}").unwrap_err();
        assert_eq!(err.path(), "data.a[2]");
        assert_eq!(err.line(), 2);
        assert_eq!(err.column(), 4);
        assert_eq!(err.kind(), DecodeErrorKind::Data);
        assert_eq!(
            err.to_string(),
            "at `data.a[2]` (line 2, column 4): invalid type: string \"x\", expected u32"
        );
    }

    #[test]
    fn bom_is_ignored_and_trailing_junk_is_reported() {
        let doc: Doc = from_slice(b"\xEF\xBB\xBF{\"data\":{}}").unwrap();
        assert!(doc.data.is_empty());
        let err = from_slice::<Doc>(b"{\"data\":{}} x").unwrap_err();
        assert_eq!(err.path(), "");
        assert!(err.message().contains("trailing"), "{err}");
    }

    #[test]
    fn empty_and_truncated_documents() {
        let err = from_slice::<Doc>(b"").unwrap_err();
        assert_eq!(err.kind(), DecodeErrorKind::Eof);
        assert_eq!(err.message(), "empty document: expected a JSON value");
        let err = from_slice::<Doc>(b"{\"data\": {\"a\": [1").unwrap_err();
        assert_eq!(err.kind(), DecodeErrorKind::Eof);
        assert_eq!(err.path(), "data.a");
    }

    #[test]
    fn path_prefix() {
        let err = from_slice::<Doc>(b"{\"data\": 1}").unwrap_err();
        assert_eq!(err.with_path_prefix("[4]").path(), "[4].data");
    }
}
