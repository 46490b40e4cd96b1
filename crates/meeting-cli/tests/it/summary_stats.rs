//! `meeting stats` over files holds a compact summary per meeting; its figures are those of
//! the whole merged meetings (`meeting parse --merge`, aggregated here), for every grouping
//! and zone: over dumps of every simulated endpoint given together (the Systec ones
//! describe the same meetings, so reports, hisMeeting and detail merge, stubs included) and
//! over a saved run.

use std::path::{Path, PathBuf};

use meeting_core::Meeting;
use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_report::allocation::Allocation;
use meeting_sim::dump::{DumpEndpoint, write_dump};
use serde_json::Value;

use crate::common::{fixture, meeting, saved_quarter, stderr, stdout};

/// One dump per simulated endpoint, the same seed (so the Systec ones overlap).
fn dumps(dir: &Path) -> Vec<PathBuf> {
    DumpEndpoint::ALL
        .iter()
        .map(|e| {
            let path = dir.join(format!("{}.jsonl", e.name()));
            let file = std::fs::File::create(&path).unwrap();
            write_dump(*e, 150_000, 5, file).unwrap();
            path
        })
        .collect()
}

/// The whole merged meetings, as `parse --merge` writes them.
fn merged(dir: &Path, inputs: &[PathBuf], tz: &str) -> Vec<Meeting> {
    let out = meeting(dir)
        .args(["parse", "--merge", "-o", "jsonl", "--tz", tz])
        .args(inputs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn assert_stats_match(dir: &Path, inputs: &[PathBuf]) {
    let alloc_path = fixture("allocation/example.csv");
    let alloc = Allocation::parse(
        "example.csv",
        &std::fs::read_to_string(&alloc_path).unwrap(),
    )
    .unwrap();
    for tz in ["UTC", "Asia/Shanghai"] {
        let zone: chrono_tz::Tz = tz.parse().unwrap();
        let whole = merged(dir, inputs, tz);
        assert!(whole.len() > 50, "{} meetings", whole.len());
        for (by, name) in [
            (GroupBy::Room, "room"),
            (GroupBy::Host, "host"),
            (GroupBy::Day, "day"),
            (GroupBy::Department, "department"),
            (GroupBy::Month, "month"),
            (GroupBy::RoomMonth, "room,month"),
        ] {
            let out = meeting(dir)
                .arg("stats")
                .args(inputs)
                .args(["--by", name, "-o", "json", "--tz", tz, "--allocation"])
                .arg(&alloc_path)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
            let agg = Aggregate::compute_allocated(&whole, by, zone, Some(&alloc));
            assert!(agg.total.meetings > 0);
            assert_eq!(
                doc["groups"],
                serde_json::to_value(&agg.groups).unwrap(),
                "--by {name} --tz {tz}"
            );
            assert_eq!(
                doc["total"],
                serde_json::to_value(&agg.total).unwrap(),
                "--by {name} --tz {tz}"
            );
        }
    }
}

#[test]
fn stats_over_every_endpoints_dumps_gives_the_figures_of_the_whole_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dumps(dir.path());
    assert_stats_match(dir.path(), &inputs);
    // One job or several: the same output.
    let run = |jobs: &str| {
        let out = meeting(dir.path())
            .arg("stats")
            .args(&inputs)
            .args(["--by", "room", "-o", "csv", "--tz", "UTC", "--jobs", jobs])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        out.stdout
    };
    assert_eq!(run("1"), run("3"));
}

/// `stats` labels (`-o json` groups) over `inputs` with `args`.
fn labels(dir: &Path, inputs: &[PathBuf], args: &[&str]) -> (Vec<String>, Value) {
    let out = meeting(dir)
        .arg("stats")
        .args(inputs)
        .args(["-o", "json", "--tz", "UTC"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let labels = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap().to_owned())
        .collect();
    (labels, doc["total"].clone())
}

#[test]
fn masked_stats_by_host_keep_room_accounts_and_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dumps(dir.path());
    let (rooms, _) = labels(dir.path(), &inputs, &["--by", "room"]);
    let (hosts, total) = labels(dir.path(), &inputs, &["--by", "host"]);
    let (masked, masked_total) = labels(dir.path(), &inputs, &["--by", "host", "--mask-pii"]);
    assert_eq!(total, masked_total, "masking never changes a figure");
    assert_eq!(hosts.len(), masked.len());
    // A Systec host is its room's account: a room's name is not a person's, so it stays.
    let accounts: Vec<&String> = hosts.iter().filter(|h| rooms.contains(h)).collect();
    assert!(!accounts.is_empty(), "{hosts:?} {rooms:?}");
    for h in accounts {
        assert!(masked.contains(h), "{h} masked: {masked:?}");
    }
    // Persons are masked.
    let persons: Vec<&String> = hosts
        .iter()
        .filter(|h| !rooms.contains(h) && h.as_str() != "(unknown)")
        .collect();
    for h in persons {
        assert!(!masked.contains(h), "{h} not masked");
    }
}

#[test]
fn stats_over_a_saved_run_gives_the_figures_of_the_whole_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    assert_stats_match(dir.path(), &[raw]);
}
