//! The one classifier: from a vendor's answer to the call's result, or a failure and whether
//! another attempt may succeed. Both vendors go through [`classify`]; where they differ, the
//! difference is a row of its table.

use bytes::Bytes;
use meeting_wire::{ResponseError, Vendor, VendorAnswer};
use reqwest::StatusCode;

use crate::error::{ErrorKind, excerpt};

/// How an answer was judged.
pub(crate) enum Verdict<T> {
    /// The call's result.
    Ok(T),
    /// A failure, and whether another attempt may succeed.
    Fail {
        /// What went wrong.
        kind: ErrorKind,
        /// Whether to try again (while the retry policy allows).
        retry: bool,
    },
}

/// Judges one answer: its HTTP status and the endpoint's parse of its body.
///
/// The table, top row first (the first row that matches decides):
///
/// | HTTP  | body                                               | vendor  | result          | retry |
/// |-------|----------------------------------------------------|---------|-----------------|-------|
/// | 200   | a success                                          | both    | the result      | –     |
/// | any   | status or code 429, or a message saying "rate limit" (`频繁`, `限流`, ...) | both | `RateLimited` | yes |
/// | 429   | anything                                           | both    | `RateLimited`   | yes   |
/// | 401, 403 | anything else                                   | both    | `Authentication`| no    |
/// | 408, 5xx | anything else                                   | both    | `HttpStatus`    | yes   |
/// | other non-200 | anything else                              | both    | `HttpStatus`    | no    |
/// | 200   | vendor failure, status or code 401/403, or a message about credentials/token | both | `Authentication` | no |
/// | 200   | vendor failure, envelope status 500–599            | Systec  | `Vendor`        | yes   |
/// | 200   | any other vendor failure                           | both    | `Vendor`        | no    |
/// | 200   | a body that ends early (cut off in transit)        | both    | `Decode`        | yes   |
/// | 200   | any other undecodable body                         | both    | `Decode`        | no    |
///
/// The vendors differ in one row. Systec's envelope `status` is HTTP-like (200 = success),
/// so an envelope saying 500–599 is the server's own transient failure, answered with HTTP
/// 200: it is retried. Quanshi's `status` is its own code (0 = success, anything else the
/// vendor's verdict, e.g. a bad `tempConferenceId`): it is never taken for an HTTP status
/// and never retried, except as a rate limit (429 or a message saying so) or refused
/// credentials (401/403 or a message about the token), as for Systec.
pub(crate) fn classify<T>(
    vendor: Vendor,
    status: StatusCode,
    parsed: Result<T, ResponseError>,
    body: &Bytes,
) -> Verdict<T> {
    let fail = |kind, retry| Verdict::Fail { kind, retry };
    let (answer_rate_limit, answer_message) = match &parsed {
        Err(ResponseError::Vendor(v)) => (says_answer_rate_limit(v), Some(v.message.clone())),
        _ => (false, None),
    };
    let rate_limited = answer_rate_limit
        || (status != StatusCode::OK && says_rate_limit(&String::from_utf8_lossy(body)));
    let code = status.as_u16();
    let body_excerpt = || excerpt(body, 0, 200);
    if status == StatusCode::OK
        && let Ok(value) = parsed
    {
        return Verdict::Ok(value);
    }
    if rate_limited || code == 429 {
        let message = match answer_message {
            Some(m) if !m.is_empty() => m,
            _ if body.is_empty() => format!("HTTP {code}"),
            _ => body_excerpt(),
        };
        return fail(ErrorKind::RateLimited { message }, true);
    }
    if status != StatusCode::OK {
        let http = |status, body_excerpt| ErrorKind::HttpStatus {
            status,
            body_excerpt,
        };
        return match code {
            401 | 403 => {
                let e = body_excerpt();
                let message = if e.is_empty() {
                    format!("HTTP {code}")
                } else {
                    format!("HTTP {code}: {e}")
                };
                fail(ErrorKind::Authentication { message }, false)
            }
            408 | 500..=599 => fail(http(code, body_excerpt()), true),
            _ => fail(http(code, body_excerpt()), false),
        };
    }
    match parsed {
        Ok(value) => Verdict::Ok(value),
        Err(ResponseError::Vendor(v)) => {
            let refused = matches!(v.status, Some(401 | 403))
                || matches!(v.code, Some(401 | 403))
                || says_bad_credentials(&v.message);
            if refused {
                return fail(
                    ErrorKind::Authentication {
                        message: answer_text(&v),
                    },
                    false,
                );
            }
            let retry = match vendor {
                Vendor::Systec => matches!(v.status, Some(500..=599)),
                Vendor::Quanshi => false,
            };
            fail(
                ErrorKind::Vendor {
                    status: v.status,
                    code: v.code,
                    message: v.message,
                    request_id: v.request_id,
                },
                retry,
            )
        }
        Err(ResponseError::Decode(e)) => judge_decode(&e, body),
        // `ResponseError` may grow: an unknown failure is permanent, reported verbatim.
        Err(other) => fail(
            ErrorKind::Vendor {
                status: None,
                code: None,
                message: other.to_string(),
                request_id: None,
            },
            false,
        ),
    }
}

/// Whether the vendor's answer says it is rate limiting.
fn says_answer_rate_limit(v: &VendorAnswer) -> bool {
    v.status == Some(429) || v.code == Some(429) || says_rate_limit(&v.message)
}

/// `status S code C: message`, for an authentication failure.
fn answer_text(v: &VendorAnswer) -> String {
    let mut parts = Vec::new();
    if let Some(s) = v.status {
        parts.push(format!("status {s}"));
    }
    if let Some(c) = v.code {
        parts.push(format!("code {c}"));
    }
    match (parts.is_empty(), v.message.is_empty()) {
        (true, _) => v.message.clone(),
        (false, true) => parts.join(" "),
        (false, false) => format!("{}: {}", parts.join(" "), v.message),
    }
}

/// The verdict for a located decode error: a body that ends early was cut off in transit
/// (retry); anything else is the vendor's shape changing (do not).
fn judge_decode<T>(error: &meeting_wire::DecodeError, body: &Bytes) -> Verdict<T> {
    let truncated = error.kind() == meeting_wire::DecodeErrorKind::Eof;
    let at = line_col_offset(body, error.line(), error.column());
    Verdict::Fail {
        kind: ErrorKind::Decode {
            path: error.path().to_owned(),
            line: error.line(),
            column: error.column(),
            message: error.message().to_owned(),
            excerpt: excerpt(body, at, 80),
        },
        retry: truncated,
    }
}

/// Byte offset of a 1-based line and column.
fn line_col_offset(body: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (i, l) in body.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1).min(l.len());
        }
        offset += l.len() + 1;
    }
    offset
}

/// Whether a vendor message says "rate limit" in any of the ways the vendors do.
pub(crate) fn says_rate_limit(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("rate limit")
        || m.contains("rate-limit")
        || m.contains("ratelimit")
        || m.contains("too many requests")
        || ["频繁", "限流", "频率", "超过限制"]
            .iter()
            .any(|w| message.contains(w))
}

/// Whether a vendor message says the credentials or token are wrong.
pub(crate) fn says_bad_credentials(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "api_key",
        "api_secret",
        "apikey",
        "api key",
        "secret",
        "credential",
        "unauthori",
        "token",
        "authentication",
    ]
    .iter()
    .any(|w| m.contains(w))
        || ["认证", "鉴权", "密钥", "未授权", "未登录", "签名"]
            .iter()
            .any(|w| message.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(status: Option<i64>, code: Option<i64>, message: &str) -> Result<(), ResponseError> {
        Err(ResponseError::Vendor(VendorAnswer::new(
            status, code, message, None,
        )))
    }

    fn decode(body: &str) -> Result<(), ResponseError> {
        meeting_wire::from_str::<serde_json::Value>(body)
            .map(|_| ())
            .map_err(ResponseError::Decode)
    }

    /// One row per line of the table in [`classify`]'s docs: (vendor, HTTP status, parse,
    /// body, expected kind name, retry).
    #[test]
    fn the_table() {
        use Vendor::{Quanshi, Systec};
        type Row = (
            Vendor,
            u16,
            Result<(), ResponseError>,
            &'static str,
            &'static str,
            bool,
        );
        let rows: Vec<Row> = vec![
            (Systec, 200, Ok(()), "{}", "ok", false),
            (Quanshi, 200, Ok(()), "{}", "ok", false),
            (Systec, 200, vendor(Some(429), None, ""), "", "rate", true),
            (
                Systec,
                200,
                vendor(None, Some(403), "Rate limit exceeded"),
                "",
                "rate",
                true,
            ),
            (
                Quanshi,
                200,
                vendor(Some(7), None, "请求过于频繁"),
                "",
                "rate",
                true,
            ),
            (Systec, 403, Ok(()), "too many requests", "rate", true),
            (Quanshi, 429, Ok(()), "", "rate", true),
            (Systec, 401, Ok(()), "", "auth", false),
            (Quanshi, 403, Ok(()), "forbidden", "auth", false),
            (Systec, 408, Ok(()), "", "http", true),
            (Quanshi, 502, Ok(()), "bad gateway", "http", true),
            (Systec, 404, Ok(()), "", "http", false),
            (
                Systec,
                200,
                vendor(Some(401), None, "invalid"),
                "",
                "auth",
                false,
            ),
            (
                Systec,
                200,
                vendor(Some(400), None, "api_secret is wrong"),
                "",
                "auth",
                false,
            ),
            (
                Quanshi,
                200,
                vendor(Some(1), None, "token expired"),
                "",
                "auth",
                false,
            ),
            (
                Systec,
                200,
                vendor(Some(503), None, "busy"),
                "",
                "vendor",
                true,
            ),
            (
                Quanshi,
                200,
                vendor(Some(503), None, "busy"),
                "",
                "vendor",
                false,
            ),
            (
                Systec,
                200,
                vendor(Some(400), None, "bad date"),
                "",
                "vendor",
                false,
            ),
            (
                Quanshi,
                200,
                vendor(Some(10001), None, "no such conference"),
                "",
                "vendor",
                false,
            ),
            (
                Systec,
                200,
                decode(r#"{"status":200,"da"#),
                r#"{"status":200,"da"#,
                "decode",
                true,
            ),
            (
                Quanshi,
                200,
                decode(r#"{"status":0]"#),
                r#"{"status":0]"#,
                "decode",
                false,
            ),
        ];
        for (i, (v, status, parsed, body, want, want_retry)) in rows.into_iter().enumerate() {
            let status = StatusCode::from_u16(status).unwrap();
            let verdict = classify(v, status, parsed, &Bytes::from(body.to_owned()));
            let (got, retry) = match verdict {
                Verdict::Ok(()) => ("ok", false),
                Verdict::Fail { kind, retry } => (
                    match kind {
                        ErrorKind::RateLimited { .. } => "rate",
                        ErrorKind::Authentication { .. } => "auth",
                        ErrorKind::HttpStatus { .. } => "http",
                        ErrorKind::Vendor { .. } => "vendor",
                        ErrorKind::Decode { .. } => "decode",
                        other => panic!("row {i}: {other:?}"),
                    },
                    retry,
                ),
            };
            assert_eq!((got, retry), (want, want_retry), "row {i} ({v}, {status})");
        }
    }
}
