//! Observation records as stored: the canonical JSON of a normalised
//! [`Meeting`](meeting_core::Meeting), compressed with zstd and a dictionary embedded in
//! the binary, with a hash of the uncompressed JSON.
//!
//! - **Canonical JSON** is `serde_json`'s output of the record: struct field order and
//!   `BTreeMap` key order, no whitespace. The same record always gives the same bytes.
//! - **The hash** ([`record_hash`]) is SipHash-1-3 (128 bits, fixed zero key) of those
//!   bytes: ties between two observations of one `(key, source)` fetched at the same time
//!   are broken by it (so the load order never matters), and "unchanged" compares it.
//! - **The dictionary** ([`DICTIONARY_ID`]) was trained with `zstd --train` on the
//!   normalised records of simulator output (`meeting-sim gen`, every endpoint; no
//!   personal data), so compression works from the first record. Each stored record names
//!   the dictionary it was compressed with: a later dictionary is added beside this one
//!   under a new id, and records compressed with the old one stay readable.

use std::cell::RefCell;

use siphasher::sip128::{Hasher128 as _, SipHasher13};

use meeting_core::Meeting;

use crate::error::{Result, StoreError};

/// The id of the embedded dictionary records are compressed with (stored beside each one).
pub const DICTIONARY_ID: i64 = 1;

/// Dictionary 1: trained on the simulator's normalised records (see the module docs).
const DICTIONARY_1: &[u8] = include_bytes!("../dict/records-1.zdict");

/// The zstd level records are compressed at: fast, and with the dictionary close to the
/// higher levels on records of a few kilobytes.
const LEVEL: i32 = 3;

/// The largest record decompressed: a record is a few kilobytes; anything claiming more is
/// damage, not data.
const MAX_RECORD: usize = 64 << 20;

thread_local! {
    /// The compressor and the buffer it compresses into (kept: a record's bound is a few
    /// kilobytes, its compressed bytes a few hundred, copied out at their size).
    static COMPRESSOR: RefCell<Option<(zstd::bulk::Compressor<'static>, Vec<u8>)>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The 128-bit hash of a record's canonical JSON (see the module docs), little-endian.
pub(crate) fn record_hash(json: &[u8]) -> [u8; 16] {
    let mut h = SipHasher13::new_with_keys(0, 0);
    std::hash::Hasher::write(&mut h, json);
    h.finish128().as_u128().to_le_bytes()
}

/// A record's canonical JSON from ONE serialisation, with its [`record_hash`], and what
/// gives the content hash ([`crate::codec::content_hash`]) of the meeting merged from it
/// alone without serialising that meeting again.
///
/// The record's last four members are `report`, `profile`, `observed_at` and
/// `vendor_extra` (struct field order). The record is serialised without them (the
/// *head*), and each is appended on its own; the merge of one record changes its report
/// state (a Systec occurrence's report is settled), and may change its rooms and host. When
/// the head is unchanged, the merged meeting's JSON without its observation times is the
/// head followed by the merged meeting's own last members, and its hash continues the
/// head's hash state.
pub(crate) struct RecordJson {
    /// The record's canonical JSON.
    pub(crate) json: Vec<u8>,
    /// Its [`record_hash`].
    pub(crate) hash: [u8; 16],
    /// The hash state after the head.
    head: SipHasher13,
    /// Whether the head has no member (never: `schema_version` is always written).
    empty_head: bool,
}

/// The members after the head ([`RecordJson`]) of `m`, with or without `observed_at`, and
/// the closing brace.
fn tail(m: &Meeting, observed: bool, empty_head: bool, out: &mut Vec<u8>) -> Result<()> {
    let mut first = empty_head;
    let mut member = |out: &mut Vec<u8>, name: &[u8]| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.push(b'"');
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":");
    };
    let bad =
        |e: serde_json::Error| StoreError::bad_record(format!("{}: cannot serialise: {e}", m.key));
    if let Some(report) = &m.report {
        member(out, b"report");
        serde_json::to_writer(&mut *out, report).map_err(bad)?;
    }
    if let Some(profile) = &m.profile {
        member(out, b"profile");
        serde_json::to_writer(&mut *out, profile).map_err(bad)?;
    }
    if observed && !m.observed_at.is_empty() {
        member(out, b"observed_at");
        serde_json::to_writer(&mut *out, &m.observed_at).map_err(bad)?;
    }
    if !m.vendor_extra.is_empty() {
        member(out, b"vendor_extra");
        serde_json::to_writer(&mut *out, &m.vendor_extra).map_err(bad)?;
    }
    out.push(b'}');
    Ok(())
}

impl RecordJson {
    /// Serialises `m` (its last four members taken out for the head and put back).
    pub(crate) fn of(m: &mut Meeting) -> Result<RecordJson> {
        let report = m.report.take();
        let profile = m.profile.take();
        let observed = std::mem::take(&mut m.observed_at);
        let extra = std::mem::take(&mut m.vendor_extra);
        let mut json = Vec::with_capacity(4096);
        let head = serde_json::to_writer(&mut json, &*m);
        m.report = report;
        m.profile = profile;
        m.observed_at = observed;
        m.vendor_extra = extra;
        head.map_err(|e| StoreError::bad_record(format!("{}: cannot serialise: {e}", m.key)))?;
        if json.pop() != Some(b'}') {
            return Err(StoreError::bad_record(format!(
                "{}: cannot serialise: not a JSON object",
                m.key
            )));
        }
        let head_len = json.len();
        tail(m, true, json.last() == Some(&b'{'), &mut json)?;
        RecordJson::hashed(json, head_len, &m.key)
    }

    /// The record of `json`, whose first `head_len` bytes are its head (the object open,
    /// its members before the last four): hashed once, keeping the hash state after the
    /// head for [`RecordJson::content_hash_with_head`].
    fn hashed(json: Vec<u8>, head_len: usize, key: &str) -> Result<RecordJson> {
        let (Some(head_bytes), Some(rest)) = (json.get(..head_len), json.get(head_len..)) else {
            return Err(StoreError::bad_record(format!(
                "{key}: the JSON written for it has no head"
            )));
        };
        let empty_head = head_bytes.last() == Some(&b'{');
        let mut h = SipHasher13::new_with_keys(0, 0);
        std::hash::Hasher::write(&mut h, head_bytes);
        let head = h;
        std::hash::Hasher::write(&mut h, rest);
        Ok(RecordJson {
            hash: h.finish128().as_u128().to_le_bytes(),
            json,
            head,
            empty_head,
        })
    }

    /// The record JSON of `m` from the JSON the dump reader wrote for it (its head and members
    /// as [`MeetingJson::head_len`](meeting_core::dump::MeetingJson::head_len) says), hashed
    /// without serialising `m`, which came without its participant rows (they are in the
    /// JSON). The caller has checked that `m` is as read (one source, and none of the last
    /// members but `vendor_extra`); debug builds compare with [`RecordJson::of`] of `m` with
    /// the JSON's rows.
    pub(crate) fn written(
        json: meeting_core::dump::MeetingJson,
        m: &Meeting,
    ) -> Result<RecordJson> {
        let head_len = json.head_len();
        let record = RecordJson::hashed(json.into_bytes(), head_len, &m.key)?;
        #[cfg(debug_assertions)]
        {
            // `m` came without its rows (they are in the JSON only): with them back, the
            // JSON is its canonical JSON.
            debug_assert!(m.participants.is_empty(), "{}: rows beside its JSON", m.key);
            let mut full = m.clone();
            full.participants = serde_json::from_slice::<Meeting>(&record.json)
                .map_err(|e| StoreError::bad_record(format!("{}: {e}", m.key)))?
                .participants;
            let serialised = RecordJson::of(&mut full)?;
            debug_assert_eq!(
                String::from_utf8_lossy(&record.json),
                String::from_utf8_lossy(&serialised.json),
                "the JSON written for {} is not its canonical JSON",
                m.key
            );
            debug_assert_eq!(record.hash, serialised.hash);
            debug_assert_eq!(record.empty_head, serialised.empty_head);
        }
        Ok(record)
    }

    /// The content hash of `merged`, a meeting whose members before its report are this
    /// record's (see the type's docs): the hash of the head and `merged`'s last members
    /// without its observation times.
    pub(crate) fn content_hash_with_head(&self, merged: &Meeting) -> Result<[u8; 16]> {
        let mut rest = Vec::with_capacity(256);
        tail(merged, false, self.empty_head, &mut rest)?;
        let mut h = self.head;
        std::hash::Hasher::write(&mut h, &rest);
        Ok(h.finish128().as_u128().to_le_bytes())
    }
}

fn zstd_error(what: &str, e: &std::io::Error) -> StoreError {
    StoreError::bad_record(format!("{what}: {e}"))
}

/// Compresses a record's canonical JSON with the current dictionary ([`DICTIONARY_ID`]).
///
/// The compressed bytes are returned in a block of their size: they cross to the writer's
/// thread, which frees them (a small block, not the bound of the input's compression).
pub(crate) fn compress_record(json: &[u8]) -> Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let c = zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY_1)
                .map_err(|e| zstd_error("cannot load the record dictionary", &e))?;
            *slot = Some((c, Vec::new()));
        }
        let Some((c, buffer)) = slot.as_mut() else {
            return Err(StoreError::bad_record("no record compressor"));
        };
        buffer.clear();
        buffer.reserve(zstd::zstd_safe::compress_bound(json.len()));
        c.compress_to_buffer(json, buffer)
            .map_err(|e| zstd_error("cannot compress a record", &e))?;
        Ok(buffer.as_slice().to_vec())
    })
}

/// Decompresses a stored record compressed with dictionary `dictionary`.
pub(crate) fn decompress_record(dictionary: i64, bytes: &[u8], what: &str) -> Result<Vec<u8>> {
    if dictionary != DICTIONARY_ID {
        return Err(StoreError::bad_record(format!(
            "{what}: compressed with dictionary {dictionary}, which this build does not have \
             (a newer build wrote it)"
        )));
    }
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let d = zstd::bulk::Decompressor::with_dictionary(DICTIONARY_1)
                .map_err(|e| zstd_error("cannot load the record dictionary", &e))?;
            *slot = Some(d);
        }
        let Some(d) = slot.as_mut() else {
            return Err(StoreError::bad_record("no record decompressor"));
        };
        let size = zstd::zstd_safe::get_frame_content_size(bytes)
            .ok()
            .flatten()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n <= MAX_RECORD)
            .ok_or_else(|| StoreError::bad_record(format!("{what}: not a compressed record")))?;
        d.decompress(bytes, size)
            .map_err(|e| zstd_error(&format!("{what}: cannot decompress"), &e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One serialisation gives the record's canonical JSON and hash, and the content hash
    /// of a meeting with the same head, whichever of the last members are present.
    #[test]
    fn the_record_json_is_the_canonical_json_and_its_head_gives_the_content_hash() {
        use meeting_core::{ReportState, Source, Vendor};
        let at: chrono::DateTime<chrono::Utc> = "2024-05-06T07:08:09Z".parse().unwrap();
        for n in 0..16u8 {
            let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:k==");
            m.topic = Some("Weekly \"sync\"".into());
            if n & 1 != 0 {
                m.report = Some(ReportState::None);
            }
            if n & 2 != 0 {
                m.profile = Some("acme".into());
            }
            if n & 4 != 0 {
                m.observe(at);
            }
            if n & 8 != 0 {
                let mut extra = std::collections::BTreeMap::new();
                extra.insert("x".to_owned(), serde_json::json!({"a": [1, "b"]}));
                m.vendor_extra.insert(Source::SystecDetail, extra);
            }
            let json = RecordJson::of(&mut m).unwrap();
            let text = crate::codec::record_text(&m).unwrap();
            assert_eq!(
                String::from_utf8(json.json.clone()).unwrap(),
                text,
                "case {n}"
            );
            assert_eq!(json.hash, record_hash(text.as_bytes()));
            let mut merged = m.clone();
            merged.report = Some(ReportState::Full);
            assert_eq!(
                json.content_hash_with_head(&merged).unwrap(),
                crate::codec::content_hash(&mut merged).unwrap(),
                "case {n}"
            );
        }
    }

    #[test]
    fn records_round_trip_and_the_dictionary_pays() {
        let json = br#"{"schema_version":2,"vendor":"systec","sources":["systec.detail"],"key":"systec:abc==","occurrence_id":"abc==","meeting_number":"1571106323","topic":"Weekly","room":{"id":"ROOM-7"},"status":"ended","start":"2018-05-08T02:32:00Z","end":"2018-05-08T02:40:00Z","duration_seconds":480,"participants":[{"name":"Ann","join":"2018-05-08T02:32:00Z","leave":"2018-05-08T02:40:00Z","duration_seconds":480,"kind":"unknown"}]}"#;
        let packed = compress_record(json).unwrap_or_default();
        assert!(!packed.is_empty());
        let back = decompress_record(DICTIONARY_ID, &packed, "test").unwrap_or_default();
        assert_eq!(back, json);
        let plain = zstd::bulk::compress(json, LEVEL).unwrap_or_default();
        assert!(
            packed.len() < plain.len(),
            "with the dictionary {} bytes, without {}",
            packed.len(),
            plain.len()
        );
        assert!(decompress_record(2, &packed, "test").is_err());
        assert!(decompress_record(DICTIONARY_ID, b"not zstd", "test").is_err());
        assert_eq!(record_hash(json), record_hash(json));
        assert_ne!(record_hash(json), record_hash(b"{}"));
    }
}
