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
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The 128-bit hash of a record's canonical JSON (see the module docs), little-endian.
pub(crate) fn record_hash(json: &[u8]) -> [u8; 16] {
    let mut h = SipHasher13::new_with_keys(0, 0);
    std::hash::Hasher::write(&mut h, json);
    h.finish128().as_u128().to_le_bytes()
}

fn zstd_error(what: &str, e: &std::io::Error) -> StoreError {
    StoreError::bad_record(format!("{what}: {e}"))
}

/// Compresses a record's canonical JSON with the current dictionary ([`DICTIONARY_ID`]).
pub(crate) fn compress_record(json: &[u8]) -> Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let c = zstd::bulk::Compressor::with_dictionary(LEVEL, DICTIONARY_1)
                .map_err(|e| zstd_error("cannot load the record dictionary", &e))?;
            *slot = Some(c);
        }
        match slot.as_mut() {
            Some(c) => c
                .compress(json)
                .map_err(|e| zstd_error("cannot compress a record", &e)),
            None => Err(StoreError::bad_record("no record compressor")),
        }
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
