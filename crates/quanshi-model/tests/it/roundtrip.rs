//! Every fixture parses, serialises back, and the JSON value is unchanged.

use crate::common::{Kind, all_json, bytes, kind};
use meeting_wire::diff::diff;
use quanshi_model::{
    DetailHouse, Device, Envelope, Error, conference_by_join_url, dashboard_conference_info,
};
use serde::Serialize;
use serde_json::Value;

fn check<T: Serialize>(rel: &str, original: &Value, parsed: &T, failures: &mut Vec<String>) {
    let back = serde_json::to_value(parsed).unwrap();
    let d = diff(original, &back);
    if !d.is_empty() {
        failures.push(format!("{rel}:\n  {}", d.join("\n  ")));
    }
}

#[test]
fn every_fixture_round_trips() {
    let files = all_json();
    assert!(files.len() >= 30, "fixtures not found: {files:?}");
    let mut failures = Vec::new();
    for rel in &files {
        let raw = bytes(rel);
        let original: Value = serde_json::from_slice(&raw).unwrap();
        match kind(rel) {
            Kind::HouseList => {
                let v: Vec<Device> = meeting_wire::from_slice(&raw).unwrap();
                check(rel, &original, &v, &mut failures);
            }
            Kind::DetailHouseList => {
                let v: Vec<DetailHouse> = meeting_wire::from_slice(&raw).unwrap();
                check(rel, &original, &v, &mut failures);
            }
            Kind::Conference => match conference_by_join_url::parse_response(&raw) {
                Ok(v) => check(rel, &original, &v, &mut failures),
                Err(e) => failures.push(format!("{rel}: {e}")),
            },
            Kind::Dashboard => match dashboard_conference_info::parse_response(&raw) {
                Ok(v) => check(rel, &original, &v, &mut failures),
                Err(e) => failures.push(format!("{rel}: {e}")),
            },
            k @ (Kind::VendorError | Kind::Invalid) => {
                for result in [
                    conference_by_join_url::parse_response(&raw).map(|_| ()),
                    dashboard_conference_info::parse_response(&raw).map(|_| ()),
                ] {
                    let ok = matches!(
                        (k, &result),
                        (Kind::VendorError, Err(Error::Vendor(_)))
                            | (Kind::Invalid, Err(Error::Decode { .. }))
                    );
                    if !ok {
                        failures.push(format!("{rel}: expected {k:?}, got {result:?}"));
                    }
                }
                // The envelope itself is still lossless.
                let env: Envelope<Value> = serde_json::from_slice(&raw).unwrap();
                check(rel, &original, &env, &mut failures);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "round-trip failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn classification_covers_both_endpoints_and_errors() {
    let kinds: Vec<Kind> = all_json().iter().map(|f| kind(f)).collect();
    for k in [
        Kind::HouseList,
        Kind::DetailHouseList,
        Kind::Conference,
        Kind::Dashboard,
        Kind::VendorError,
        Kind::Invalid,
    ] {
        assert!(kinds.contains(&k), "no fixture of kind {k:?}");
    }
}
