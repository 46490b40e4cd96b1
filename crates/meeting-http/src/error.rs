//! Errors: what failed, where (endpoint, window, page), and why.

use meeting_wire::{Source, Vendor};
use std::fmt;
use std::time::Duration;
use systec_model::DateWindow;

/// Which call failed: the endpoint and, for range calls, the window and page.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallContext {
    /// The vendor.
    pub vendor: Vendor,
    /// The endpoint called; `None` for a client's configuration refused at build time.
    pub endpoint: Option<Source>,
    /// The date window, for `detail` and `hisMeeting`.
    pub window: Option<DateWindow>,
    /// The page, for `detail`.
    pub page: Option<u64>,
    /// The batch (0-based), for `reports`.
    pub batch: Option<usize>,
}

impl CallContext {
    /// The context of a call to `endpoint`.
    pub(crate) fn new(endpoint: Source) -> Self {
        CallContext {
            vendor: endpoint.vendor(),
            endpoint: Some(endpoint),
            window: None,
            page: None,
            batch: None,
        }
    }

    /// The context of building a client of `vendor` (no endpoint called yet).
    pub(crate) fn build(vendor: Vendor) -> Self {
        CallContext {
            vendor,
            endpoint: None,
            window: None,
            page: None,
            batch: None,
        }
    }

    pub(crate) fn window(mut self, window: DateWindow) -> Self {
        self.window = Some(window);
        self
    }

    pub(crate) fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    pub(crate) fn batch(mut self, batch: usize) -> Self {
        self.batch = Some(batch);
        self
    }
}

impl CallContext {
    /// The endpoint's source name (`systec.detail`), or the vendor's name for a configuration
    /// error.
    pub fn label(&self) -> &'static str {
        match self.endpoint {
            Some(e) => e.source_name(),
            None => self.vendor.name(),
        }
    }
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())?;
        let mut parts = Vec::new();
        if let Some(w) = self.window {
            parts.push(format!("{}..{}", w.from(), w.to()));
        }
        if let Some(p) = self.page {
            parts.push(format!("page {p}"));
        }
        if let Some(b) = self.batch {
            parts.push(format!("batch {}", b + 1));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

/// What went wrong. Match on it to decide what to do; new kinds may be added.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request never got an answer: connection refused or reset, DNS, TLS, a body cut
    /// off. Retried while attempts last.
    Transport {
        /// What the transport said (URLs stripped).
        message: String,
    },
    /// No answer within the timeout. Retried while attempts last.
    Timeout,
    /// An HTTP status that is not success and not one of the vendor's own answers.
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The start of the body, secrets masked.
        body_excerpt: String,
    },
    /// The vendor answered with its own failure status and message.
    Vendor {
        /// The envelope's status (Systec: HTTP-like, e.g. 500; Quanshi: non-zero).
        status: Option<i64>,
        /// A Zoom-v1-style error code, when the body was `{"error": {...}}`.
        code: Option<i64>,
        /// The vendor's message, verbatim.
        message: String,
        /// The vendor's request id (Quanshi), for support tickets.
        request_id: Option<String>,
    },
    /// The vendor said it is rate limiting, and the attempts ran out.
    RateLimited {
        /// The vendor's message.
        message: String,
    },
    /// The credentials or token were refused. Never retried.
    Authentication {
        /// The vendor's message (or the HTTP status when it sent none).
        message: String,
    },
    /// The answer is not a valid response of this endpoint.
    Decode {
        /// JSON path of the failure (`data.meetings[3].join_time`).
        path: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What was wrong.
        message: String,
        /// The body around the failure, secrets masked.
        excerpt: String,
    },
    /// The request was refused before sending: a bad parameter or configuration.
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// The server's own counts say records are missing (page drift that re-fetching did not
    /// cure): never a silent gap.
    Incomplete {
        /// Records the server said it has.
        expected: u64,
        /// Distinct records received.
        received: u64,
    },
}

/// A failed call: what went wrong ([`Error::kind`]), where ([`Error::context`]) and after
/// how many attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    context: CallContext,
    attempts: u32,
    elapsed: Duration,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, context: CallContext) -> Self {
        Error(Box::new(Inner {
            kind,
            context,
            attempts: 0,
            elapsed: Duration::ZERO,
        }))
    }

    pub(crate) fn with_attempts(mut self, attempts: u32, elapsed: Duration) -> Self {
        self.0.attempts = attempts;
        self.0.elapsed = elapsed;
        self
    }

    pub(crate) fn invalid(context: CallContext, message: impl Into<String>) -> Self {
        Error::new(
            ErrorKind::InvalidRequest {
                message: message.into(),
            },
            context,
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Which call failed.
    pub fn context(&self) -> &CallContext {
        &self.0.context
    }

    /// How many attempts were made (0: refused before sending).
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// Whether the failure was transient (transport, timeout, rate limit) and the attempts
    /// ran out, as opposed to a permanent refusal.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::Transport { .. } | ErrorKind::Timeout | ErrorKind::RateLimited { .. }
        ) || matches!(self.0.kind, ErrorKind::HttpStatus { status, .. } if status == 408 || status == 429 || status >= 500)
    }

    /// Whether the credentials or token were refused.
    pub fn is_authentication(&self) -> bool {
        matches!(self.0.kind, ErrorKind::Authentication { .. })
    }

    /// Whether the vendor said it does not know what was asked for: HTTP 404, a vendor
    /// status or code 404, or a vendor message saying "not found" (`不存在`, `未找到`, ...).
    pub fn is_not_found(&self) -> bool {
        match &self.0.kind {
            ErrorKind::HttpStatus { status, .. } => *status == 404,
            ErrorKind::Vendor {
                status,
                code,
                message,
                ..
            } => *status == Some(404) || *code == Some(404) || says_not_found(message),
            _ => false,
        }
    }

    /// Whether the vendor answered and refused the request (its own failure status, or an
    /// HTTP status that is neither transient nor about credentials): the vendor was
    /// reached, so this is not "unreachable", and the same request will fail again.
    pub fn is_refusal(&self) -> bool {
        match &self.0.kind {
            ErrorKind::Vendor { .. } => true,
            ErrorKind::HttpStatus { .. } => !self.is_transient(),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.0.context)?;
        match &self.0.kind {
            ErrorKind::Transport { message } => write!(f, "transport error: {message}")?,
            ErrorKind::Timeout => f.write_str("timed out")?,
            ErrorKind::HttpStatus {
                status,
                body_excerpt,
            } => {
                write!(f, "HTTP {status}")?;
                if !body_excerpt.is_empty() {
                    write!(f, ": {body_excerpt}")?;
                }
            }
            ErrorKind::Vendor {
                status,
                code,
                message,
                request_id,
            } => {
                f.write_str("the vendor answered")?;
                if let Some(s) = status {
                    write!(f, " status {s}")?;
                }
                if let Some(c) = code {
                    write!(f, " code {c}")?;
                }
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                if let Some(id) = request_id {
                    write!(f, " (request id {id})")?;
                }
            }
            ErrorKind::RateLimited { message } => {
                write!(f, "rate limited by the vendor: {message}")?;
            }
            ErrorKind::Authentication { message } => {
                write!(f, "authentication failed: {message}")?;
            }
            ErrorKind::Decode {
                path,
                line,
                column,
                message,
                excerpt,
            } => {
                f.write_str("invalid response")?;
                if !path.is_empty() {
                    write!(f, " at `{path}`")?;
                }
                if *line > 0 {
                    write!(f, " (line {line}, column {column})")?;
                }
                write!(f, ": {message}")?;
                if !excerpt.is_empty() {
                    write!(f, " near `{excerpt}`")?;
                }
            }
            ErrorKind::InvalidRequest { message } => write!(f, "invalid request: {message}")?,
            ErrorKind::Incomplete { expected, received } => write!(
                f,
                "incomplete: the server reports {expected} records but only {received} distinct ones could be fetched (records shifted between pages); retry later"
            )?,
        }
        if self.0.attempts > 1 {
            write!(
                f,
                " (after {} attempts over {:.1}s)",
                self.0.attempts,
                self.0.elapsed.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Keys whose values are secrets wherever they appear in a body or a form.
const SECRET_KEYS: &[&str] = &[
    "api_key",
    "api_secret",
    "token",
    "pcode1",
    "pcode2",
    "hostJoinUrl",
    "wcallurl",
    "livePullPwd",
    "eventWatchword",
    "attendeeJoinUrl",
    "webRTCUrl",
];

/// At most `max` characters of `text` around byte `at`, with the string value after every
/// secret key masked. Used for error excerpts, which end up in logs and terminals.
pub(crate) fn excerpt(text: &[u8], at: usize, max: usize) -> String {
    let text = String::from_utf8_lossy(text);
    let masked = mask_secrets(&text);
    let chars: Vec<char> = masked.chars().collect();
    let at = at.min(chars.len());
    let start = at.saturating_sub(max / 2);
    let end = (start + max).min(chars.len());
    chars
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|c| if c.is_control() { ' ' } else { *c })
        .collect()
}

/// Replaces the value after each `"secret_key":` (a JSON string) or `secret_key=` (a form
/// value) with `<redacted>`.
pub(crate) fn mask_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for key in SECRET_KEYS {
        for pattern in [format!("\"{key}\""), format!("{key}=")] {
            let mut from = 0;
            while let Some(pos) = out.get(from..).and_then(|s| s.find(&pattern)) {
                let value_start = from + pos + pattern.len();
                let rest = out.get(value_start..).unwrap_or_default();
                let (skip, end) = if pattern.ends_with('=') {
                    (0, rest.find(['&', ' ', '\n']).unwrap_or(rest.len()))
                } else {
                    // `"key"` then spaces, `:`, spaces, then a JSON string.
                    let trimmed = rest.trim_start_matches([' ', ':', '\t']);
                    let skip = rest.len() - trimmed.len();
                    match trimmed.strip_prefix('"') {
                        Some(s) => {
                            let mut end = 0;
                            let mut escaped = false;
                            for (i, c) in s.char_indices() {
                                if escaped {
                                    escaped = false;
                                } else if c == '\\' {
                                    escaped = true;
                                } else if c == '"' {
                                    end = i;
                                    break;
                                }
                                end = i + c.len_utf8();
                            }
                            (skip + 1, end)
                        }
                        None => {
                            from = value_start;
                            continue;
                        }
                    }
                };
                let a = value_start + skip;
                out.replace_range(a..a + end, "<redacted>");
                from = a + "<redacted>".len();
            }
        }
    }
    out
}

/// Whether a vendor message says the thing asked for does not exist.
pub(crate) fn says_not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "not found",
        "not exist",
        "no such",
        "unknown conference",
        "does not exist",
    ]
    .iter()
    .any(|w| m.contains(w))
        || ["不存在", "未找到", "找不到", "查无", "没有找到"]
            .iter()
            .any(|w| message.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_excerpts() {
        let body = br#"{"status":0,"result":[{"pcode1":"201501000037434973","pcode2" : "x\"y","title":"t"}]} api_key=K1&api_secret=S2"#;
        let e = excerpt(body, 0, 400);
        assert!(
            !e.contains("2015010")
                && !e.contains("x\\\"y")
                && !e.contains("K1")
                && !e.contains("S2"),
            "{e}"
        );
        assert!(e.contains(r#""title":"t""#), "{e}");
    }

    #[test]
    fn answers_are_not_found_refused_or_transient() {
        let ctx = CallContext::build(Vendor::Quanshi);
        let vendor = |status, message: &str| {
            Error::new(
                ErrorKind::Vendor {
                    status,
                    code: None,
                    message: message.to_owned(),
                    request_id: None,
                },
                ctx.clone(),
            )
        };
        let e = vendor(Some(7), "会议不存在");
        assert!(e.is_not_found() && e.is_refusal() && !e.is_transient());
        let e = vendor(Some(3), "conference not found");
        assert!(e.is_not_found());
        let e = vendor(Some(12), "参数错误");
        assert!(!e.is_not_found() && e.is_refusal());
        let http = |status| {
            Error::new(
                ErrorKind::HttpStatus {
                    status,
                    body_excerpt: String::new(),
                },
                ctx.clone(),
            )
        };
        assert!(http(404).is_not_found() && http(400).is_refusal());
        assert!(!http(503).is_refusal() && !http(503).is_not_found());
        let t = Error::new(ErrorKind::Timeout, ctx.clone());
        assert!(!t.is_refusal() && !t.is_not_found());
    }
}
