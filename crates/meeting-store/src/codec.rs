//! How values are stored: fixed-width UTC times, record JSON, scrubbed compressed bodies.

use std::io::{Read, Write};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use meeting_core::Meeting;
use serde_json::Value;

use crate::error::{Result, StoreError};

/// A UTC instant as stored: RFC 3339 with six fractional digits and `Z`
/// (`2024-01-02T03:04:05.000000Z`), so text order is time order.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored instant.
pub(crate) fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::bad_record(format!("{what}: invalid stored time `{text}`: {e}")))
}

/// Parses a stored date.
pub(crate) fn parse_date(text: &str, what: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|e| StoreError::bad_record(format!("{what}: invalid stored date `{text}`: {e}")))
}

/// A record's stored JSON text (canonical: struct field order, `BTreeMap` keys).
pub(crate) fn record_text(m: &Meeting) -> Result<String> {
    serde_json::to_string(m)
        .map_err(|e| StoreError::bad_record(format!("{}: cannot serialise: {e}", m.key)))
}

/// Parses a stored record.
pub(crate) fn parse_record(text: &str, what: &str) -> Result<Meeting> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::bad_record(format!("{what}: stored record does not parse: {e}")))
}

/// Whether a field of a raw vendor body is removed before it is stored: any name
/// [`meeting_core::normalize::is_secret_field`] flags (passwords, `pcode*`, passcodes,
/// secrets, tokens, credentials, join links), and any name ending in `url` (any case) that
/// also says `join`, `host`, `live`, `call` or `webrtc` (host, live-stream and
/// phone-bridge links).
pub fn is_raw_secret_field(name: &str) -> bool {
    if meeting_core::normalize::is_secret_field(name) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    lower.ends_with("url")
        && ["join", "host", "live", "call", "webrtc"]
            .iter()
            .any(|w| lower.contains(w))
}

/// Removes secret fields ([`is_raw_secret_field`]) at any depth.
pub(crate) fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !is_raw_secret_field(k));
            map.values_mut().for_each(scrub);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// zlib-compresses `bytes`.
pub(crate) fn compress(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)
        .and_then(|()| enc.finish())
        .map_err(|e| StoreError::io("cannot compress a raw response", e))
}

/// Inflates a stored body.
pub(crate) fn decompress(bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| {
            StoreError::bad_record(format!("{what}: stored body does not inflate: {e}"))
        })?;
    Ok(out)
}
