//! Saved-response records: the CLI's `--save-raw` format, one JSON object per HTTP response.
//!
//! ```json
//! {"saved_response": 1, "endpoint": "systec.detail",
//!  "params": {"from": "2024-01-01", "to": "2024-01-31", "page_number": "1"},
//!  "fetched_at": "2026-11-22T01:02:03Z", "http_status": 200,
//!  "body": {"status": 200, "message": "OK", "data": {...}}}
//! ```
//!
//! When the body is not JSON, `"body_text": "<verbatim text>"` replaces `body`. The
//! parameters never hold secrets: [`SavedResponse::new`] drops credentials and masks join
//! links. [`read_dump`](crate::read_dump) reads these records and parses their body as the
//! endpoint they name, so a replay gives exactly what the live run gave.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Source;

/// The `saved_response` format version this crate writes.
pub const SAVED_RESPONSE_VERSION: u32 = 1;

/// One saved HTTP response.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedResponse {
    /// The record format version (1).
    pub saved_response: u32,
    /// The endpoint that answered.
    pub endpoint: Source,
    /// The request parameters, secrets removed.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// When the response was received.
    pub fetched_at: DateTime<Utc>,
    /// The HTTP status.
    pub http_status: u16,
    /// The body, when it is JSON: its exact text (BOM stripped), never re-encoded, so a
    /// number keeps every digit the vendor sent (money included) and a replay reads exactly
    /// what the live run read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Box<serde_json::value::RawValue>>,
    /// The body verbatim, when it is not JSON (lossily decoded when not UTF-8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

impl PartialEq for SavedResponse {
    /// Equal when every field is, the body compared as its exact text.
    fn eq(&self, other: &Self) -> bool {
        self.saved_response == other.saved_response
            && self.endpoint == other.endpoint
            && self.params == other.params
            && self.fetched_at == other.fetched_at
            && self.http_status == other.http_status
            && self.body.as_ref().map(|b| b.get()) == other.body.as_ref().map(|b| b.get())
            && self.body_text == other.body_text
    }
}

/// Parameter names dropped from saved records: credentials.
const DROPPED_PARAMS: &[&str] = &["api_key", "api_secret", "token"];

/// Parameter names whose value is masked: links that admit anyone to a meeting.
const MASKED_PARAMS: &[&str] = &["attendeeJoinUrl"];

impl SavedResponse {
    /// A record of one response: `body` is stored as JSON when it parses as JSON (a leading
    /// BOM ignored), otherwise verbatim as `body_text`. Credentials (`api_key`, `api_secret`,
    /// `token` and any parameter whose name says password/secret/token) are dropped from
    /// `params`; join links are masked to their host and a short prefix.
    ///
    /// ```
    /// use meeting_core::{SavedResponse, Source};
    /// let rec = SavedResponse::new(
    ///     Source::SystecDetail,
    ///     [("from", "2024-01-01"), ("api_key", "k"), ("api_secret", "s")],
    ///     "2026-11-22T01:02:03Z".parse().unwrap(),
    ///     200,
    ///     br#"{"status":200,"message":"OK","data":{"meetings":[]}}"#,
    /// );
    /// let json = serde_json::to_string(&rec)?;
    /// assert_eq!(json, r#"{"saved_response":1,"endpoint":"systec.detail","params":{"from":"2024-01-01"},"fetched_at":"2026-11-22T01:02:03Z","http_status":200,"body":{"status":200,"message":"OK","data":{"meetings":[]}}}"#);
    /// // The body's numbers keep every digit: money never goes through f64.
    /// let exact = SavedResponse::new(Source::SystecDetail, [("from", "2024-01-01")],
    ///     "2026-11-22T01:02:03Z".parse().unwrap(), 200, br#"{"total":18446744073709551616.10}"#);
    /// assert!(serde_json::to_string(&exact)?.contains("18446744073709551616.10"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new<I, K, V>(
        endpoint: Source,
        params: I,
        fetched_at: DateTime<Utc>,
        http_status: u16,
        body: &[u8],
    ) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let params = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(k, _)| {
                !DROPPED_PARAMS.contains(&k.as_str()) && !meeting_wire::secret_key::is_secret_key(k)
                    || MASKED_PARAMS.contains(&k.as_str())
            })
            .map(|(k, v)| {
                if MASKED_PARAMS.contains(&k.as_str()) {
                    let masked = quanshi_model::JoinLink::new(v).masked();
                    (k, masked)
                } else {
                    (k, v)
                }
            })
            .collect();
        let stripped = meeting_wire::strip_bom(body);
        let text = std::str::from_utf8(stripped).ok().map(str::trim);
        let raw = text.and_then(|t| serde_json::value::RawValue::from_string(t.to_owned()).ok());
        let (body, body_text) = match raw {
            Some(raw) => (Some(raw), None),
            None => (None, Some(String::from_utf8_lossy(body).into_owned())),
        };
        SavedResponse {
            saved_response: SAVED_RESPONSE_VERSION,
            endpoint,
            params,
            fetched_at,
            http_status,
            body,
            body_text,
        }
    }
}
