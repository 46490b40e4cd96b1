//! Snapshots of the renderers over the vendors' documented samples.

use crate::common::{fixture, meeting, stdout};

fn run(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = meeting(dir.path()).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

#[test]
fn detail_table() {
    let f = fixture("systec/detail.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        f.to_str().unwrap(),
        "-o",
        "table",
        "--tz",
        "Asia/Shanghai"
    ]));
}

#[test]
fn detail_csv_calls() {
    let f = fixture("systec/detail.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        f.to_str().unwrap(),
        "-o",
        "csv",
        "--rows",
        "calls",
        "--tz",
        "Asia/Shanghai"
    ]));
}

#[test]
fn detail_json() {
    let f = fixture("systec/detail.sample.json");
    insta::assert_snapshot!(run(&["parse", f.to_str().unwrap(), "-o", "json"]));
}

#[test]
fn reports_table_participants() {
    let f = fixture("systec/reports.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        f.to_str().unwrap(),
        "-o",
        "table",
        "--rows",
        "participants",
        "--tz",
        "Asia/Shanghai"
    ]));
}

#[test]
fn reports_csv_masked() {
    let f = fixture("systec/reports.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        f.to_str().unwrap(),
        "-o",
        "csv",
        "--rows",
        "participants",
        "--tz",
        "UTC",
        "--mask-pii",
        "--mask-key",
        "fixture"
    ]));
}

#[test]
fn his_meeting_csv() {
    let f = fixture("systec/his-meeting.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        f.to_str().unwrap(),
        "-o",
        "csv",
        "--tz",
        "Asia/Shanghai"
    ]));
}

#[test]
fn quanshi_table_and_jsonl() {
    let a = fixture("quanshi/conference-by-join-url.sample.json");
    let b = fixture("quanshi/dashboard-conference-info.sample.json");
    insta::assert_snapshot!(run(&[
        "parse",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        "table",
        "--tz",
        "Asia/Shanghai"
    ]));
    insta::assert_snapshot!(run(&[
        "parse",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        "jsonl"
    ]));
}

#[test]
fn merged_stats_table() {
    let dir = fixture("systec");
    let files: Vec<String> = [
        "detail.sample.json",
        "his-meeting.sample.json",
        "reports.sample.json",
    ]
    .iter()
    .map(|f| dir.join(f).display().to_string())
    .collect();
    let mut args = vec![
        "stats",
        "--by",
        "room",
        "-o",
        "table",
        "--tz",
        "Asia/Shanghai",
    ];
    args.extend(files.iter().map(String::as_str));
    insta::assert_snapshot!(run(&args));
}

/// The vendor zone reads zone-less times; the display zone only shows them.
#[test]
fn zones_never_mixed() {
    let f = fixture("systec/detail.sample.json");
    let f = f.to_str().unwrap();
    let json_sh = run(&[
        "parse",
        f,
        "-o",
        "jsonl",
        "--vendor-tz",
        "Asia/Shanghai",
        "--tz",
        "America/New_York",
    ]);
    let json_sh_utc = run(&[
        "parse",
        f,
        "-o",
        "jsonl",
        "--vendor-tz",
        "Asia/Shanghai",
        "--tz",
        "UTC",
    ]);
    assert_eq!(
        json_sh, json_sh_utc,
        "--tz must not change the neutral (UTC) output"
    );
    let json_ny = run(&["parse", f, "-o", "jsonl", "--vendor-tz", "America/New_York"]);
    assert_ne!(json_sh, json_ny, "--vendor-tz reads zone-less detail times");

    let utc = run(&[
        "parse",
        f,
        "-o",
        "csv",
        "--vendor-tz",
        "Asia/Shanghai",
        "--tz",
        "UTC",
    ]);
    let ny = run(&[
        "parse",
        f,
        "-o",
        "csv",
        "--vendor-tz",
        "Asia/Shanghai",
        "--tz",
        "America/New_York",
    ]);
    let sh = run(&[
        "parse",
        f,
        "-o",
        "csv",
        "--vendor-tz",
        "Asia/Shanghai",
        "--tz",
        "Asia/Shanghai",
    ]);
    // CSV headers never change with a flag; the times carry their offset.
    for csv in [&utc, &ny, &sh] {
        assert!(csv.lines().next().unwrap().contains(",start,end,"), "{csv}");
    }
    // The sample's first meeting starts 2017-08-31 00:00:00 Shanghai time (zone-less).
    assert!(sh.contains("2017-08-31T00:00:00+08:00"), "{sh}");
    assert!(utc.contains("2017-08-30T16:00:00+00:00"), "{utc}");
    assert!(ny.contains("2017-08-30T12:00:00-04:00"), "{ny}");
}
