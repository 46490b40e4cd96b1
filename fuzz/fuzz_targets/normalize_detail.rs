//! Any bytes as a Systec `detail` page, normalised in a zone without DST and in one with
//! it (ambiguous and skipped local times): no panic, durations consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meeting_core::{Context, Normalize};

fuzz_target!(|data: &[u8]| {
    let Ok(page) = systec_model::detail::parse_response(data) else {
        return;
    };
    for ctx in [
        Context::default(),
        Context::new(chrono_tz::America::New_York),
    ] {
        for m in page.clone().normalize(&ctx) {
            if let (Some(s), Some(e), Some(d)) = (m.start, m.end, m.duration_seconds) {
                assert_eq!(i64::try_from(d).ok(), Some((e - s).num_seconds()));
            }
            let _ = serde_json::to_string(&m);
        }
    }
});
