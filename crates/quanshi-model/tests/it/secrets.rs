//! No secret or attendee link of the samples reaches `Debug`.

use crate::common::{conference, dashboard};

const SECRETS: &[&str] = &[
    "201501000037434973",                          // pcode1
    "201501000037434974",                          // pcode2
    "mkIW3H0GXqq",                                 // hostJoinUrl
    "64f8da5973e4e4798414ea4c929a66242d10e20865e", // wcallurl
    "b775327d595bea61f77a6041cf63a612",            // wcallurl billing code hash
    "mkIW3Txa0Uk",                                 // attendeeJoinUrl / webRTCUrl path
];

#[test]
fn join_url_sample_debug_has_no_secrets() {
    let parsed = conference("conference-by-join-url.sample.json");
    let shown = format!("{parsed:?}");
    let pretty = format!("{parsed:#?}");
    for s in SECRETS {
        assert!(!shown.contains(s), "{s} leaked in Debug");
        assert!(!pretty.contains(s), "{s} leaked in pretty Debug");
    }
    assert!(shown.contains("<redacted>"));
    assert!(shown.contains("https://mtest.qsh1.cn/k/mk…"));
    // …but serialisation is exact.
    let json = serde_json::to_string(&parsed).unwrap();
    for s in SECRETS {
        assert!(json.contains(s), "{s} missing from the serialised form");
    }
}

#[test]
fn encoded_result_debug_has_no_secrets() {
    let parsed = conference("quirks/result-as-json-string.json");
    assert!(!format!("{parsed:?}").contains("201501000037434973"));
}

#[test]
fn watchword_and_dashboard_password_are_redacted() {
    let parsed = conference("quirks/calextrainfo-labels.json");
    assert!(!format!("{parsed:?}").contains("8848"));
    let parsed = dashboard("dashboard-conference-info.sample.json");
    assert!(!format!("{parsed:?}").contains("\"123456\""));
}
