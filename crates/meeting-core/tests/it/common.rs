//! Helpers shared by the tests.

use meeting_core::{Context, DumpOptions, Meeting, Normalize, read_dump};
use std::path::{Path, PathBuf};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file under `fixtures/` (documented samples, quirks, fragments, the bad corpus).
pub(crate) fn fixture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p
                .extension()
                .is_some_and(|e| e == "md" || e == "py" || e == "snap")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every `*.json` file under `dir`, sorted.
pub(crate) fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Normalises a Systec detail body.
pub(crate) fn detail(body: &str, ctx: &Context) -> Vec<Meeting> {
    systec_model::detail::parse_response(body.as_bytes())
        .unwrap()
        .normalize(ctx)
}

/// Normalises a Systec reports body.
pub(crate) fn reports(body: &str) -> Vec<Meeting> {
    systec_model::reports::parse_response(body.as_bytes())
        .unwrap()
        .normalize(&Context::default())
}

/// Normalises a Systec hisMeeting body.
pub(crate) fn his(body: &str) -> Vec<Meeting> {
    systec_model::his_meeting::parse_response(body.as_bytes())
        .unwrap()
        .normalize(&Context::default())
}

/// Normalises a Quanshi join-link body.
pub(crate) fn conference(body: &str) -> Vec<Meeting> {
    quanshi_model::conference_by_join_url::parse_response(body.as_bytes())
        .unwrap()
        .normalize(&Context::default())
}

/// Normalises a Quanshi dashboard body.
pub(crate) fn dashboard(body: &str) -> Vec<Meeting> {
    quanshi_model::dashboard_conference_info::parse_response(body.as_bytes())
        .unwrap()
        .normalize(&Context::default())
}

/// Reads a dump fully: meetings and error messages.
pub(crate) fn read_all(
    input: &[u8],
    options: DumpOptions,
) -> (Vec<Meeting>, Vec<String>, meeting_core::DumpStats) {
    let mut reader = read_dump(input, options);
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(m) => ok.push(m),
            Err(e) => bad.push(e.to_string()),
        }
    }
    (ok, bad, reader.stats())
}

/// One detail page with one meeting (local times), for building dumps.
pub(crate) fn detail_page(uuid: &str) -> String {
    format!(
        r#"{{"status":200,"message":"OK","data":{{"from":"2017-08-31","to":"2017-08-31","total_record":1,"total_page":1,"page_number":1,"page_size":30,"has_previous_page":false,"has_next_page":false,"meetings":[{{"uuid":"{uuid}","host_id":"ROOM-A","meeting_id":"1790001234","topic":"T","start_time":"2017-08-31 08:00:00","duration":60,"end_time":"2017-08-31 09:00:00","is_extra":0}}]}}}}"#
    )
}
