//! The archive from the operator's side: import saved runs, get the same numbers as from the
//! files (and the simulator's ground truth), check, info, backup, purge.

use crate::common::{meeting, saved_quarter, sim, stderr, stdout};

#[test]
fn an_imported_quarter_gives_the_same_numbers_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.sqlite");
    let s = sim();
    let raw = saved_quarter(dir.path());

    let import = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&raw)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let held = s.handle.truth().meeting_count();
    assert!(
        stderr(&import).contains(&format!(": {held} new, ")),
        "{held}: {}",
        stderr(&import)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    for by in ["room", "host", "day"] {
        let files = meeting(dir.path())
            .args(["stats", "--by", by, "-o", "json", "--tz", "Asia/Shanghai"])
            .arg(&raw)
            .output()
            .unwrap();
        let archived = meeting(dir.path())
            .args([
                "stats",
                "--by",
                by,
                "-o",
                "json",
                "--tz",
                "Asia/Shanghai",
                "--archive",
            ])
            .arg(&db)
            .output()
            .unwrap();
        assert!(archived.status.success(), "{}", stderr(&archived));
        assert_eq!(stdout(&files), stdout(&archived), "stats --by {by}");
    }
    // The total is the simulator's: every occurrence once, no report stub counted.
    let total = meeting(dir.path())
        .args(["stats", "-o", "json", "--tz", "UTC", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    let total: serde_json::Value = serde_json::from_slice(&total.stdout).unwrap();
    assert_eq!(
        total["total"]["meetings"].as_u64(),
        Some(s.handle.truth().meeting_count() as u64)
    );
    // Filters give the same meetings from either side.
    let args = ["--month", "2024-02", "--room", "room04", "-o", "jsonl"];
    let from_files = meeting(dir.path())
        .arg("list")
        .arg(&raw)
        .args(args)
        .output()
        .unwrap();
    let from_archive = meeting(dir.path())
        .arg("list")
        .args(args)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(!from_files.stdout.is_empty());
    assert_eq!(stdout(&from_files), stdout(&from_archive));

    // Importing the same run again changes nothing.
    let again = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&raw)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        stderr(&again).contains(": 0 new, 0 updated"),
        "{}",
        stderr(&again)
    );

    let check = meeting(dir.path())
        .args(["archive", "check", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let info = meeting(dir.path())
        .args(["archive", "info", "--json", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["schema_version"], meeting_store::SCHEMA_VERSION);
    assert_eq!(info["raw_responses"], 0, "bodies are kept only when asked");
    // With --keep-raw, every saved body is kept (secrets removed) beside the observations.
    let kept_db = dir.path().join("kept.sqlite");
    let kept = meeting(dir.path())
        .args(["archive", "import", "--keep-raw"])
        .arg(&raw)
        .arg("--archive")
        .arg(&kept_db)
        .output()
        .unwrap();
    assert!(kept.status.success(), "{}", stderr(&kept));
    let records = std::fs::read_dir(&raw).unwrap().count() as u64 - 1; // the manifest
    let info = meeting(dir.path())
        .args(["archive", "info", "--json", "--archive"])
        .arg(&kept_db)
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["raw_responses"].as_u64(), Some(records));
    let backup = dir.path().join("backup.sqlite");
    let out = meeting(dir.path())
        .args(["archive", "backup"])
        .arg(&backup)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let purge = meeting(dir.path())
        .args([
            "archive",
            "purge",
            "--yes",
            "--before",
            "2024-02-01",
            "--archive",
        ])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(purge.status.success(), "{}", stderr(&purge));
    let jan = meeting(dir.path())
        .args([
            "list",
            "--month",
            "2024-01",
            "-o",
            "jsonl",
            "--tz",
            "UTC",
            "--archive",
        ])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        jan.status.success() && jan.stdout.is_empty(),
        "{}",
        stderr(&jan)
    );
}

#[test]
fn read_commands_never_create_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite");
    for args in [
        vec!["stats", "--archive"],
        vec!["list", "--archive"],
        vec!["archive", "info", "--archive"],
        vec!["archive", "check", "--archive"],
    ] {
        let out = meeting(dir.path()).args(&args).arg(&db).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("archive import"), "{}", stderr(&out));
        assert!(!db.exists());
    }
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, "not a database at all, just text").unwrap();
    let out = meeting(dir.path())
        .args(["stats", "--archive"])
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&junk).unwrap(),
        "not a database at all, just text"
    );
}

/// A second writer waits a bounded time, then exits 8 with a clear message.
#[test]
fn eight_when_another_run_holds_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.sqlite");
    let f = crate::common::fixture("systec/his-meeting.sample.json");
    let first = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&f)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    // Another program holds the write lock.
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let second = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&f)
        .arg("--archive")
        .arg(&db)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(second.status.code(), Some(8), "{}", stderr(&second));
    assert!(stderr(&second).contains("try again"), "{}", stderr(&second));
}

/// The effective start (start, else scheduled start) drives date filters from the archive
/// as from files: a Quanshi booking of June 2022 (scheduled, no start) is found by
/// `--month 2022-06` either way, with the same figures.
#[test]
fn a_booking_is_found_by_its_month_from_the_archive_as_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.sqlite");
    let file = crate::common::fixture("quanshi/conference-by-join-url.sample.json");
    let import = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&file)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let args = [
        "stats",
        "--month",
        "2022-06",
        "-o",
        "json",
        "--tz",
        "Asia/Shanghai",
    ];
    let from_file = meeting(dir.path()).args(args).arg(&file).output().unwrap();
    let from_archive = meeting(dir.path())
        .args(args)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    assert!(from_archive.status.success(), "{}", stderr(&from_archive));
    assert_eq!(stdout(&from_file), stdout(&from_archive));
    let json: serde_json::Value = serde_json::from_slice(&from_archive.stdout).unwrap();
    assert!(
        !json["groups"].as_array().unwrap().is_empty(),
        "the booking is not found: {json}"
    );
}

/// The project's own neutral JSON Lines (merged records: several sources each) import as
/// one `neutral` observation per key, and give the numbers of the file.
#[test]
fn merged_neutral_json_lines_import_and_give_the_numbers_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.sqlite");
    let jsonl = dir.path().join("q1.jsonl");
    let systec = crate::common::fixture("systec");
    let parsed = meeting(dir.path())
        .args(["parse", "--merge", "-o", "jsonl"])
        .arg(systec.join("detail.sample.json"))
        .arg(systec.join("his-meeting.sample.json"))
        .arg(systec.join("reports.sample.json"))
        .output()
        .unwrap();
    assert!(parsed.status.success(), "{}", stderr(&parsed));
    // As `meeting systec fetch -o jsonl` writes them: records merged from several sources.
    let merged = stdout(&parsed)
        .replace(
            r#""sources":["systec.detail"]"#,
            r#""sources":["systec.detail","systec.his_meeting","systec.reports"]"#,
        )
        .replace(
            r#""sources":["systec.reports"]"#,
            r#""sources":["systec.his_meeting","systec.reports"]"#,
        );
    assert!(merged.contains(r#""systec.detail","systec.his_meeting""#));
    std::fs::write(&jsonl, merged).unwrap();
    let import = meeting(dir.path())
        .args(["archive", "import"])
        .arg(&jsonl)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let args = [
        "stats",
        "--by",
        "room",
        "-o",
        "json",
        "--tz",
        "Asia/Shanghai",
    ];
    let from_file = meeting(dir.path()).args(args).arg(&jsonl).output().unwrap();
    let from_archive = meeting(dir.path())
        .args(args)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(from_archive.status.success(), "{}", stderr(&from_archive));
    assert_eq!(stdout(&from_file), stdout(&from_archive));
    let check = meeting(dir.path())
        .args(["archive", "check", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}
