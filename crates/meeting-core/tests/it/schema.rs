//! The committed JSON Schema is current, and the validator works.

use crate::common::root;
use meeting_core::json_schema::{meeting_schema, meeting_schema_text, validate};
use serde_json::json;

#[test]
fn committed_schema_is_current() {
    // Version 1 stays committed beside it, unchanged: it describes what older builds wrote.
    assert!(root().join("schema/meeting.v1.json").is_file());
    let path = root().join("schema/meeting.v2.json");
    let generated = meeting_schema_text();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/meeting.v2.json is out of date; regenerate it with\n    UPDATE_SCHEMA=1 cargo test -p meeting-core committed_schema_is_current"
    );
}

#[test]
fn validator_catches_violations() {
    let schema = meeting_schema();
    let bad = json!({
        "schema_version": 3,
        "vendor": "systec",
        "sources": ["systec.nope"],
        "key": "k",
        "status": "done",
        "participants": [{"kind": "alien", "join": 5}],
        "phone_calls": [{"cost": {"amount": "1.2.3", "currency": "CNY"}}],
        "vendor_extra": {"zoom.api": {}},
    });
    let errors = validate(&schema, &bad);
    let text = errors.join("\n");
    for needle in [
        "$.schema_version",
        "$.sources[0]",
        "$.status",
        "$.participants[0].kind",
        "$.participants[0].join",
        "$.phone_calls[0].cost",
        "$.vendor_extra.zoom.api",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
    // Version 1 lines stay valid (readers accept them), and unknown fields are ignored.
    let v1 = json!({"schema_version": 1, "vendor": "systec", "sources": ["systec.detail"],
        "key": "systec:a", "status": "ended", "later_field": true});
    assert_eq!(validate(&schema, &v1), Vec::<String>::new());
    let missing = validate(&schema, &json!({}));
    assert_eq!(missing.len(), 5, "{missing:#?}");
}
