//! Any bytes as a response of each Quanshi endpoint: no panic; what parses serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = quanshi_model::conference_by_join_url::parse_response(data) {
        let _ = serde_json::to_vec(&r);
        let _ = format!("{r:?}");
    }
    if let Ok(r) = quanshi_model::dashboard_conference_info::parse_response(data) {
        let _ = serde_json::to_vec(&r);
        let _ = format!("{r:?}");
    }
});
