//! `--save-raw DIR` then `parse DIR`: exactly the live output, empty pages included.

use crate::common::{sim, stderr, stdout};

fn replay(range: [&str; 4], format: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let s = sim();
    let live = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--save-raw"])
        .arg(&raw)
        .args(range)
        .args(format)
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    let replayed = s
        .meeting(dir.path())
        .arg("parse")
        .arg(&raw)
        .args(format)
        .output()
        .unwrap();
    assert!(replayed.status.success(), "{}", stderr(&replayed));
    assert!(!live.stdout.is_empty());
    assert_eq!(
        stdout(&live),
        stdout(&replayed),
        "replay differs for {format:?}"
    );
}

#[test]
fn replay_is_byte_identical() {
    replay(
        ["--from", "2024-01-20", "--to", "2024-02-10"],
        &["-o", "jsonl"],
    );
    replay(
        ["--from", "2024-01-20", "--to", "2024-02-10"],
        &["-o", "table", "--tz", "UTC"],
    );
    replay(
        ["--from", "2024-01-20", "--to", "2024-02-10"],
        &["-o", "csv", "--rows", "calls", "--tz", "Asia/Shanghai"],
    );
}

/// April has no meetings: its history window and detail page are empty, and still saved.
#[test]
fn replay_with_empty_window() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let s = sim();
    let live = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-03-28",
            "--to",
            "2024-04-03",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    let mut names: Vec<String> = std::fs::read_dir(&raw)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "meeting-run.json")
        .collect();
    names.sort();
    assert_eq!(names[0], "000001-systec.his_meeting.json");
    let mut empty_pages = 0;
    for name in &names {
        let text = std::fs::read_to_string(raw.join(name)).unwrap();
        let rec: meeting_core::SavedResponse = serde_json::from_str(&text).unwrap();
        let body: serde_json::Value = serde_json::from_str(rec.body.unwrap().get()).unwrap();
        let empty = body["data"].as_array().is_some_and(Vec::is_empty)
            || body["data"]["meetings"]
                .as_array()
                .is_some_and(Vec::is_empty);
        if empty {
            empty_pages += 1;
            assert!(
                rec.params
                    .get("from")
                    .is_some_and(|f| f.starts_with("2024-04")),
                "{text}"
            );
        }
    }
    assert!(empty_pages >= 2, "{names:?}");
    let replayed = s
        .meeting(dir.path())
        .arg("parse")
        .arg(&raw)
        .output()
        .unwrap();
    assert!(replayed.status.success());
    assert_eq!(stdout(&live), stdout(&replayed));
    assert!(stderr(&replayed).contains(&format!("parsed {} documents", names.len())));
    // A second run into the same directory is refused.
    let again = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-03-28",
            "--to",
            "2024-04-03",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
}
