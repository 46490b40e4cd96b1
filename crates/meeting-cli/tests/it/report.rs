//! `meeting report` and `meeting stats --by department|month|room,month`: the report of a
//! month fetched from the simulator equals `meeting stats` and the simulator's ground
//! truth; the three formats are written; bad allocation files fail clearly.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::common::{fixture, meeting, sim, stderr, stdout};

/// January 2024 fetched from the shared simulator, as neutral JSON Lines in `dir`.
fn january(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("jan.jsonl");
    let out = sim()
        .meeting(dir)
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
        ])
        .args(["-o", "jsonl", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

/// The CSV file of a sheet as rows of fields (BOM stripped).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn summary(dir: &Path) -> std::collections::BTreeMap<String, String> {
    csv_rows(&dir.join("summary.csv"))
        .into_iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

#[test]
fn report_equals_stats_and_the_simulators_truth() {
    let dir = tempfile::tempdir().unwrap();
    let input = january(dir.path());
    let csv_dir = dir.path().join("jan-csv");
    let out = meeting(dir.path())
        .args(["report", "--month", "2024-01", "-o", "csv", "--out"])
        .arg(&csv_dir)
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote the report of 2024-01-01 .. 2024-01-31 (Asia/Shanghai)"));
    let s = summary(&csv_dir);
    assert_eq!(s["Zone"], "Asia/Shanghai");

    // meeting stats over the same file (dates and days in the same zone).
    let out = meeting(dir.path())
        .args([
            "stats",
            "--month",
            "2024-01",
            "--tz",
            "Asia/Shanghai",
            "-o",
            "json",
        ])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let total = &stats["total"];
    for (item, field) in [
        ("Meetings", "meetings"),
        ("Minutes", "minutes"),
        ("Billed minutes", "billed_minutes"),
        ("Attendees", "attendees"),
        ("Phone calls", "phone_calls"),
        ("Phone minutes", "phone_minutes"),
    ] {
        assert_eq!(s[item], total[field].to_string(), "{item}");
    }
    let stats_cost: Decimal = total["phone_cost"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let report_cost: Decimal = s["Phone cost (CNY)"].parse().unwrap();
    assert_eq!(report_cost, stats_cost);
    // Per room: the Rooms sheet is `stats --by room`, row by row.
    let rooms = csv_rows(&csv_dir.join("rooms.csv"));
    let groups = stats["groups"].as_array().unwrap();
    assert_eq!(rooms.len() - 1, groups.len());
    for g in groups {
        let row = rooms
            .iter()
            .find(|r| r[0] == g["group"].as_str().unwrap())
            .unwrap();
        assert_eq!(row[1], g["meetings"].to_string());
        assert_eq!(row[2], g["minutes"].to_string());
    }

    // The simulator's ground truth: what `detail` served for January (vendor zone =
    // report zone), calls and their exact cost, to the cent.
    let window = systec_model::DateWindow::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
    )
    .unwrap();
    let truth = sim().handle.truth().detail(&window, None);
    let calls: Vec<_> = truth
        .iter()
        .flat_map(|m| m.telephony_usage().to_vec())
        .collect();
    let cost: Decimal = calls
        .iter()
        .map(|c| c.total.as_ref().map(|y| y.amount()).unwrap_or_default())
        .sum();
    assert_eq!(s["Meetings"], truth.len().to_string());
    assert_eq!(s["Phone calls"], calls.len().to_string());
    assert_eq!(report_cost, cost);
    let call_rows = csv_rows(&csv_dir.join("calls.csv"));
    assert_eq!(call_rows.len() - 1, calls.len());
    let sheet_cost: Decimal = call_rows
        .iter()
        .skip(1)
        .map(|r| r[9].parse::<Decimal>().unwrap())
        .sum();
    assert_eq!(sheet_cost, cost);
}

#[test]
fn xlsx_and_html_are_written_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("report/month.jsonl");
    for (name, magic) in [
        ("jan.xlsx", &b"PK\x03\x04"[..]),
        ("jan.html", &b"<!DOCTYPE html>"[..]),
    ] {
        let path = dir.path().join(name);
        let out = meeting(dir.path())
            .args(["report", "--month", "2024-01", "--allocation"])
            .arg(fixture("allocation/example.csv"))
            .arg("--out")
            .arg(&path)
            .arg(&input)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(magic), "{name}");
        let err = stderr(&out);
        assert!(
            err.contains("note: 2 meeting(s) of the input start outside"),
            "{err}"
        );
        assert!(
            err.contains("counted as (unallocated): (unknown), room06, room08"),
            "{err}"
        );
    }
    let page = std::fs::read_to_string(dir.path().join("jan.html")).unwrap();
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("财务部"));
    // No extension to go by: a usage error that says what to do.
    let out = meeting(dir.path())
        .args(["report", "--month", "2024-01", "--out", "jan.txt"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give -o xlsx|html|csv"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mask_pii_reaches_every_csv_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("masked");
    let out = meeting(dir.path())
        .args([
            "report",
            "--month",
            "2024-01",
            "--mask-pii",
            "--mask-key",
            "k",
            "-o",
            "csv",
        ])
        .arg("--out")
        .arg(&out_dir)
        .arg(fixture("report/month.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let all: String = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for secret in [
        "黄芳的 iPhone",
        "Alice Li",
        "+861832520797",
        "58.217.151.142",
        "何芳",
    ] {
        assert!(!all.contains(secret), "{secret}");
    }
    assert!(all.contains("person-"));
}

#[test]
fn bad_allocation_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("report/month.jsonl");
    let run = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = meeting(dir.path())
            .args(["report", "--month", "2024-01", "--allocation"])
            .arg(&path)
            .arg("--out")
            .arg(dir.path().join("r.html"))
            .arg(&input)
            .output()
            .unwrap();
        (
            out.status.code(),
            stderr(&out).replace(&*dir.path().to_string_lossy(), "DIR"),
        )
    };
    let (code, err) = run(
        "dup.csv",
        "room,department\n1,财务部\nroom04,研发中心\n1,市场部\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("bad allocation file: DIR/dup.csv, line 4: the room `1` is listed twice: line 2 already allocates it"),
        "{err}"
    );
    let (code, err) = run(
        "bad.toml",
        "[[room]]\nroom = \"1\"\ndepartment = \"财务部\"\n\n[[room]]\nroom = \"3\"\ndepartment = \"销售部\"\nto = \"2024-13-01\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("DIR/bad.toml, line 5: `to` is `2024-13-01`: expected a date YYYY-MM-DD"),
        "{err}"
    );
    let (code, err) = run("short.csv", "room,department,cost_centre\n1,财务部\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("DIR/short.csv, line 2: 2 fields, but the header names 3 columns"),
        "{err}"
    );
    // An unknown room is a warning, the report is written.
    let (code, err) = run(
        "unknown.csv",
        "room,department\n1,财务部\nroom99,研发中心\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("name a room with no meeting in the report: room99 (line 3)"),
        "{err}"
    );
    let (code, err) = run("missing.csv", "");
    assert_eq!(code, Some(2));
    assert!(err.contains("DIR/missing.csv: empty"), "{err}");
}

#[test]
fn stats_by_department_month_and_room_month() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("report/month.jsonl");
    let run = |args: &[&str]| {
        let out = meeting(dir.path())
            .args(["stats", "--tz", "Asia/Shanghai", "-o", "csv"])
            .args(args)
            .arg(&input)
            .output()
            .unwrap();
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let (code, out, err) = run(&[
        "--by",
        "department",
        "--allocation",
        &fixture("allocation/example.toml").to_string_lossy(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    insta::assert_snapshot!("stats_by_department", out);
    assert!(err.contains("counted as (unallocated)"), "{err}");
    let (code, out, _) = run(&["--by", "month"]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("stats_by_month", out);
    let (code, out, _) = run(&["--by", "room,month"]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("stats_by_room_month", out);
    let (code, _, err) = run(&["--by", "department"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--by department needs --allocation FILE"),
        "{err}"
    );
}

#[test]
fn report_from_the_archive_equals_the_report_from_files() {
    let dir = tempfile::tempdir().unwrap();
    // A save-raw run of January from the simulator, and the same run imported.
    let raw = dir.path().join("runs-jan");
    let input = dir.path().join("jan.jsonl");
    let out = sim()
        .meeting(dir.path())
        .args(["systec", "fetch", "--month", "2024-01", "--save-raw"])
        .arg(&raw)
        .args(["-o", "jsonl", "--out"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let archive = dir.path().join("a.sqlite");
    let out = meeting(dir.path())
        .args(["archive", "import", "--archive"])
        .arg(&archive)
        .arg(&raw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |name: &str, from_archive: bool, offline: bool| {
        let out_dir = dir.path().join(name);
        let mut cmd = meeting(dir.path());
        cmd.args(["report", "--month", "2024-01", "-o", "csv", "--out"])
            .arg(&out_dir);
        if from_archive {
            cmd.arg("--archive").arg(&archive);
        } else {
            cmd.arg(&input);
        }
        if offline {
            cmd.arg("--offline");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        (summary(&out_dir), stderr(&out))
    };
    let (files, _) = run("files", false, false);
    let (archived, err) = run("archived", true, true);
    let (_, note) = run("archived2", true, false);
    assert!(files["Meetings"].parse::<u64>().unwrap() > 50);
    for item in [
        "Meetings",
        "Minutes",
        "Billed minutes",
        "Attendees",
        "Phone calls",
        "Phone minutes",
        "Phone cost (CNY)",
    ] {
        assert_eq!(files[item], archived[item], "{item}");
    }
    // The one call site of "sync first" says what it does not do yet; --offline is quiet.
    // Imported, never synced: read as it is, and said so (--offline is quiet).
    assert!(!err.contains("never synced"), "{err}");
    assert!(
        note.contains("was never synced into this archive"),
        "{note}"
    );
}

/// Masking is the default (no flag), stable for one --mask-key; --include-pii shows the
/// data and conflicts with --mask-pii; the page says which it is.
#[test]
fn personal_data_is_masked_by_default_and_include_pii_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, flags: &[&str]| {
        let path = dir.path().join(name);
        let out = meeting(dir.path())
            .args(["report", "--month", "2024-01", "-o", "csv"])
            .args(flags)
            .arg("--out")
            .arg(&path)
            .arg(fixture("report/month.jsonl"))
            .output()
            .unwrap();
        let all: String = std::fs::read_dir(&path)
            .map(|d| {
                d.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        (out, all)
    };
    let (out, masked) = run("default", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pseudonyms that differ from run to run"),
        "{}",
        stderr(&out)
    );
    for secret in [
        "黄芳的 iPhone",
        "+861832520797",
        "58.217.151.142",
        "58.217.*.*",
    ] {
        assert!(!masked.contains(secret), "{secret}");
    }
    assert!(masked.contains("Personal data,\"masked — "));
    let stable = |flags: &[&str], name: &str| -> String {
        let (_, all) = run(name, flags);
        all.lines()
            .filter(|l| !l.starts_with("Generated,"))
            .collect()
    };
    assert_eq!(
        stable(&["--mask-key", "k"], "a"),
        stable(&["--mask-key", "k"], "b"),
        "one key, the same pseudonyms"
    );

    let (out, shown) = run("shown", &["--include-pii"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(shown.contains("58.217.151.142") && shown.contains("Personal data,\"INCLUDED"));

    let (out, _) = run("both", &["--include-pii", "--mask-pii"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot be used with"),
        "{}",
        stderr(&out)
    );
}

/// From an archive, masked reports use the archive's own pseudonym key: two runs without
/// --mask-key give every person the same pseudonym (and say nothing about run-to-run
/// pseudonyms); the key survives in the archive, not in the output.
#[test]
fn pseudonyms_are_stable_per_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let out = meeting(dir.path())
        .args(["archive", "import", "--archive"])
        .arg(&archive)
        .arg(fixture("report/month.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = meeting(dir.path())
            .args([
                "report",
                "--month",
                "2024-01",
                "--offline",
                "-o",
                "csv",
                "--archive",
            ])
            .arg(&archive)
            .arg("--out")
            .arg(&path)
            .write_stdin("")
            .output()
            .unwrap();
        let participants =
            std::fs::read_to_string(path.join("participants.csv")).unwrap_or_default();
        (out, participants)
    };
    let (a, first) = run("a");
    let (b, second) = run("b");
    for out in [&a, &b] {
        assert!(
            !stderr(out).contains("pseudonyms that differ from run to run"),
            "{}",
            stderr(out)
        );
    }
    assert!(first.contains("person-"), "{first}");
    assert!(!first.contains("黄芳"), "{first}");
    assert_eq!(first, second, "one archive, the same pseudonyms");
}
