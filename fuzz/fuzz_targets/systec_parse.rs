//! Any bytes as a response of each Systec endpoint: no panic; what parses serialises.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = systec_model::reports::parse_response(data) {
        let _ = serde_json::to_vec(&r);
    }
    if let Ok(r) = systec_model::detail::parse_response(data) {
        let _ = serde_json::to_vec(&r);
        let _ = r.data.is_last_page();
        let _ = r.data.next_page();
    }
    if let Ok(r) = systec_model::his_meeting::parse_response(data) {
        let _ = serde_json::to_vec(&r);
    }
});
