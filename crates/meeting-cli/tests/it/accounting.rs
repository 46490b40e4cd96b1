//! Reconciliation: `meeting stats` over what the CLI fetched from the simulator (with its
//! accounting cases and faults on) equals the simulator's ground truth exactly, per room and
//! in total, cost to the cent; live, through a save-raw replay, through several inputs
//! given together, and in a report zone far from the vendor's.

use std::collections::BTreeMap;
use std::path::Path;

use meeting_sim::{FaultConfig, FaultKind, Figures, RoomKey, SimConfig};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{TestSim, stderr, stdout};

/// The simulator of these tests: 300 meetings over January–March 2024 with the accounting
/// cases, and faults the retries get through.
fn faulty_sim() -> TestSim {
    let faults = FaultConfig::none()
        .with(FaultKind::ServerError, 0.05)
        .with(FaultKind::TooManyRequests, 0.02)
        .with(FaultKind::Drop, 0.02)
        .with(FaultKind::Truncate, 0.02)
        .with(FaultKind::Drift, 0.05);
    TestSim::start(
        SimConfig::new(11, 300)
            .with_accounting_cases(true)
            .with_faults(faults),
    )
}

/// One group's figures as `meeting stats -o json` writes them.
fn figures_of(t: &Value) -> Figures {
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k} in {t}"));
    let mut f = Figures::default();
    f.meetings_held = n("meetings");
    f.measured_seconds = n("duration_seconds");
    f.billed_minutes = n("billed_minutes");
    f.attendees = n("attendees");
    f.phone_calls = n("phone_calls");
    f.phone_minutes = n("phone_minutes");
    f.phone_cost = t["phone_cost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["currency"], "CNY", "{t}");
            m["amount"].as_str().unwrap().parse::<Decimal>().unwrap()
        })
        .sum();
    f.scheduled = n("scheduled");
    f.cancelled = n("cancelled");
    f.unknown = n("unknown");
    f
}

/// `meeting stats --by room -o json` over `inputs`, as (per room id, total).
fn stats(
    s: &TestSim,
    dir: &Path,
    inputs: &[&Path],
    tz: &str,
) -> (BTreeMap<String, Figures>, Figures) {
    let out = s
        .meeting(dir)
        .arg("stats")
        .args(inputs)
        .args(["--by", "room", "-o", "json", "--tz", tz])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rooms = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let id = g["id"].as_str().or(g["group"].as_str()).unwrap();
            (id.to_owned(), figures_of(g))
        })
        .collect();
    (rooms, figures_of(&doc["total"]))
}

/// Fetches the whole simulated span (in `tz`'s days) and every Quanshi record into `dir`:
/// `systec.jsonl` (the live output), `systec/` (its save-raw run) and `quanshi/` (one
/// save-raw run per lookup).
fn fetch_all(s: &TestSim, dir: &Path, tz: &str) {
    // Wider than the data in any zone: the totals are then everything the simulator holds.
    let out = s
        .meeting(dir)
        .args([
            "systec",
            "fetch",
            "--from",
            "2023-12-30",
            "--to",
            "2024-04-02",
        ])
        .args(["-o", "jsonl", "--tz", tz, "--save-raw"])
        .arg(dir.join("systec"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(dir.join("systec.jsonl"), &out.stdout).unwrap();
    let truth = s.handle.truth();
    let lookups = truth
        .quanshi_join_urls()
        .into_iter()
        .map(|u| ("conference", u))
        .chain(truth.dashboard_ids().into_iter().map(|i| ("info", i)));
    for (i, (command, id)) in lookups.enumerate() {
        let out = s
            .meeting(dir)
            .args(["quanshi", command, &id, "-o", "jsonl", "--save-raw"])
            .arg(dir.join("quanshi").join(format!("{i:03}")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{command} {id}: {}", stderr(&out));
    }
}

/// The truth's rooms by the id `stats` gives them: `systec:<room id>` (the truth knows a
/// Systec room by its account name), `quanshi:<DeviceId>`, `(unknown)`.
fn truth_rooms(s: &TestSim, acc: &meeting_sim::Accounting) -> BTreeMap<String, Figures> {
    let systec_ids: BTreeMap<String, String> = s
        .handle
        .truth()
        .rooms()
        .into_iter()
        .map(|r| (r.name.trim().to_owned(), r.host_id))
        .collect();
    let mut rooms: BTreeMap<String, Figures> = acc
        .rooms
        .iter()
        .map(|(key, room)| {
            let id = match key {
                RoomKey::Systec(name) => format!("systec:{}", systec_ids[name]),
                RoomKey::Quanshi(id) => format!("quanshi:{id}"),
                other => panic!("{other:?}"),
            };
            (id, room.figures.clone())
        })
        .collect();
    if acc.without_room != Figures::default() {
        rooms.insert(String::from("(unknown)"), acc.without_room.clone());
    }
    rooms
}

#[test]
fn stats_reconcile_with_the_ground_truth_live_replayed_combined_and_far_away() {
    let s = faulty_sim();
    for tz in ["Asia/Shanghai", "Pacific/Kiritimati"] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fetch_all(&s, d, tz);
        // The truth after the fetch: a drifted meeting became real while it ran.
        let acc = s.handle.truth().accounting();
        assert!(acc.stubs > 0 && acc.unmatched_stubs > 0, "{acc:?}");
        let want_rooms = truth_rooms(&s, &acc);
        let quanshi = d.join("quanshi");
        let live = d.join("systec.jsonl");
        let raw = d.join("systec");
        for (what, inputs) in [
            ("live output", vec![live.as_path(), quanshi.as_path()]),
            ("save-raw replay", vec![raw.as_path(), quanshi.as_path()]),
            (
                "several inputs together",
                vec![live.as_path(), raw.as_path(), quanshi.as_path()],
            ),
        ] {
            let (rooms, total) = stats(&s, d, &inputs, tz);
            assert_eq!(total, acc.total, "{what} ({tz}): total");
            let differ: Vec<String> = rooms
                .keys()
                .chain(want_rooms.keys())
                .filter(|k| rooms.get(*k) != want_rooms.get(*k))
                .map(|k| format!("{k}: {:?} != truth {:?}", rooms.get(k), want_rooms.get(k)))
                .collect();
            assert!(
                differ.is_empty(),
                "{what} ({tz}): per room:\n{}",
                differ.join("\n")
            );
        }
    }
}
