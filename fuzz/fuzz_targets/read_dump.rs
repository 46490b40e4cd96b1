//! Any bytes as a dump (gzip or not): every document parsed and every meeting normalised
//! (`read_dump` normalises), serialised and merged; no panic, and the counts add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meeting_core::{DumpOptions, read_dump};

fuzz_target!(|data: &[u8]| {
    let mut reader = read_dump(data, DumpOptions::default());
    let mut meetings = Vec::new();
    let mut errors = 0u64;
    for item in reader.by_ref() {
        match item {
            Ok(m) => meetings.push(m),
            Err(e) => {
                errors += 1;
                let _ = e.to_string();
            }
        }
    }
    let stats = reader.stats();
    assert_eq!(stats.meetings, meetings.len() as u64);
    assert_eq!(stats.bad_documents, errors);
    for m in &meetings {
        let _ = serde_json::to_string(m);
    }
    let _ = meeting_core::merge::merge(meetings);
});
