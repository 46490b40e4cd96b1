//! Integration tests of `systec-model`, one binary (see `fixtures/systec/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod props;
mod quirks;
mod requests;
mod robustness;
mod round_trip;
mod snapshots;

use std::path::{Path, PathBuf};

/// `fixtures/systec/` of the workspace.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/systec")
}

/// The bytes of a fixture, by path relative to `fixtures/systec/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Which endpoint a fixture file belongs to, from its name; `None` for fixtures that are not
/// response bodies.
pub fn endpoint_of(name: &str) -> Option<systec_model::Endpoint> {
    use systec_model::Endpoint;
    let base = name.rsplit('/').next().unwrap_or(name);
    if base.starts_with("reports") && !base.contains("uuid-separators") {
        Some(Endpoint::Reports)
    } else if base.starts_with("detail") || base == "undocumented-fields.json" {
        Some(Endpoint::Detail)
    } else if base.starts_with("his-meeting") || base == "bom.json" {
        Some(Endpoint::HisMeeting)
    } else {
        None
    }
}

/// Every `.json` file under `fixtures/systec/`, relative paths, sorted.
pub fn all_fixtures() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let base = fixtures_dir();
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}
