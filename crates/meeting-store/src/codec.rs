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

/// A UTC instant as the summary rows store it: RFC 3339 with nine fractional digits and
/// `Z` (`2024-01-02T03:04:05.000000000Z`): exact, and text order is time order. Compare
/// summary columns only with instants in this form.
pub(crate) fn exact_time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
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

/// Removes secrets at any depth, JSON held in strings included
/// ([`meeting_wire::secret_key::strip_secrets`]: the one secret-key rule).
pub(crate) fn scrub(value: &mut Value) {
    meeting_wire::secret_key::strip_secrets(value);
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

/// The lower-case word a serde enum serialises to.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The hash of a merged meeting's content: its canonical JSON without the observation
/// times (observed again, a meeting is unchanged).
pub(crate) fn content_hash(m: &mut Meeting) -> Result<[u8; 16]> {
    let observed = std::mem::take(&mut m.observed_at);
    let text = record_text(m);
    m.observed_at = observed;
    Ok(crate::record::record_hash(text?.as_bytes()))
}
