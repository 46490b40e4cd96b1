//! Locating and loading fixtures.

use quanshi_model::{ConferenceByJoinUrlResponse, DashboardConferenceInfoResponse};
use std::path::{Path, PathBuf};

/// The fixtures directory of this crate.
pub(crate) const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/quanshi");

/// The bytes of a fixture, by path relative to `fixtures/quanshi`.
pub(crate) fn bytes(rel: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A fixture parsed as a join-link response (must succeed).
pub(crate) fn conference(rel: &str) -> ConferenceByJoinUrlResponse {
    quanshi_model::conference_by_join_url::parse_response(&bytes(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A fixture parsed as a dashboard response (must succeed).
pub(crate) fn dashboard(rel: &str) -> DashboardConferenceInfoResponse {
    quanshi_model::dashboard_conference_info::parse_response(&bytes(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The conferences of a join-link fixture.
pub(crate) fn conferences(rel: &str) -> Vec<quanshi_model::Conference> {
    conference(rel).result.expect("result").into_value()
}

/// The result of a dashboard fixture.
pub(crate) fn dashboard_result(rel: &str) -> quanshi_model::DashboardConference {
    dashboard(rel).result.expect("result")
}

/// Every `*.json` under `fixtures/quanshi`, sorted, as paths relative to it.
pub(crate) fn all_json() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = Path::new(FIXTURES);
    let mut out = Vec::new();
    walk(root, &mut out);
    let mut rel: Vec<String> = out
        .iter()
        .map(|p| {
            p.strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    rel.sort();
    rel
}

/// What a fixture is, from its location and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `fragments/house-list*`: a bare `houseList`/`equipList` array.
    HouseList,
    /// `fragments/detail-house-list*`: a bare `detailHouseList` array.
    DetailHouseList,
    /// A join-link response.
    Conference,
    /// A dashboard response.
    Dashboard,
    /// `error-*`: a non-zero status; both parsers must give `Error::Vendor`.
    VendorError,
    /// `invalid-*`: bad on purpose; both parsers must give `Error::Decode`.
    Invalid,
}

/// Classifies a fixture: by directory and name prefix, else by the shape of `result`
/// (an object is the dashboard's; an array, a string or null the join-link endpoint's).
pub(crate) fn kind(rel: &str) -> Kind {
    let name = rel.rsplit('/').next().unwrap();
    if rel.starts_with("fragments/") {
        return if name.starts_with("detail-house-list") {
            Kind::DetailHouseList
        } else if name.starts_with("house-list") {
            Kind::HouseList
        } else {
            panic!("unclassified fragment {rel}")
        };
    }
    if name.starts_with("error-") {
        return Kind::VendorError;
    }
    if name.starts_with("invalid-") {
        return Kind::Invalid;
    }
    let value: serde_json::Value = serde_json::from_slice(&bytes(rel)).unwrap();
    match value.get("result") {
        Some(serde_json::Value::Object(_)) => Kind::Dashboard,
        _ => Kind::Conference,
    }
}
