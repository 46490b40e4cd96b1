//! Snapshots of the normalised form of every vendor fixture (and of the errors of error
//! fixtures), each validated against the committed JSON Schema.

use crate::common::{json_files, root};
use meeting_core::json_schema::{meeting_schema, validate};
use meeting_core::{DumpErrorKind, DumpOptions, Source, read_dump};
use serde_json::{Value, json};

/// Whether a fixture is not a vendor response (documentation records, fragments).
fn is_non_response(path: &std::path::Path, bytes: &[u8]) -> bool {
    if path.components().any(|c| c.as_os_str() == "fragments") {
        return true;
    }
    let text = String::from_utf8_lossy(meeting_wire::strip_bom(bytes));
    serde_json::from_str::<Value>(&text)
        .ok()
        .is_some_and(|v| v.get("doc").is_some())
}

/// The endpoint a fixture's name suggests, for shapes that cannot tell.
fn hint(name: &str) -> Option<Source> {
    if name.starts_with("reports") {
        Some(Source::SystecReports)
    } else if name.starts_with("his-meeting") {
        Some(Source::SystecHisMeeting)
    } else {
        None
    }
}

fn normalise_fixture(bytes: &[u8], name: &str) -> Value {
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    let mut ambiguous = false;
    for item in read_dump(bytes, DumpOptions::default()) {
        match item {
            Ok(m) => meetings.push(m),
            Err(e) if matches!(e.kind(), DumpErrorKind::Ambiguous) => ambiguous = true,
            Err(e) => errors.push(e.to_string()),
        }
    }
    if ambiguous {
        let options =
            DumpOptions::default().endpoint(hint(name).expect("a hint for an ambiguous fixture"));
        for item in read_dump(bytes, options) {
            match item {
                Ok(m) => meetings.push(m),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    let schema = meeting_schema();
    for m in &meetings {
        let v = serde_json::to_value(m).unwrap();
        let problems = validate(&schema, &v);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    json!({"meetings": meetings, "errors": errors})
}

fn snapshot_vendor(vendor: &str) -> usize {
    let mut n = 0;
    for path in json_files(&root().join("fixtures").join(vendor)) {
        let bytes = std::fs::read(&path).unwrap();
        if is_non_response(&path, &bytes) {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let value = normalise_fixture(&bytes, &name);
        let rel = path
            .strip_prefix(root().join("fixtures"))
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        insta::assert_json_snapshot!(rel, value);
        n += 1;
    }
    n
}

#[test]
fn systec_fixtures() {
    assert!(snapshot_vendor("systec") >= 20);
}

#[test]
fn quanshi_fixtures() {
    assert!(snapshot_vendor("quanshi") >= 20);
}
