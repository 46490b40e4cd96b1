//! The archive from the operator's side: import saved runs, get the same numbers as from the
//! files (and the simulator's ground truth), check, info, backup, purge.

use crate::common::{imported, meeting, saved_quarter, sim, stderr, stdout};

#[test]
fn an_imported_quarter_gives_the_same_numbers_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.sqlite");
    let s = sim();
    let raw = saved_quarter(dir.path());
    let import = imported(dir.path(), &raw, &db);
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
    imported(dir.path(), &f, &db);
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
    imported(dir.path(), &file, &db);
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
    imported(dir.path(), &jsonl, &db);
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

/// Whether `needle` occurs in `hay` (bytes, as `grep -a`; the needles are UTF-8, so a
/// lossy view of the bytes finds them where they are whole).
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    String::from_utf8_lossy(hay).contains(&*String::from_utf8_lossy(needle))
}

/// A purge leaves no byte of a purged meeting: not in the file, not in its `-wal`, not in
/// any decompressed record, stub or raw body (the January `systec.reports` bodies with
/// participant lists and IPs included): its uuid, and the IPs and names seen only in
/// purged meetings.
#[test]
fn purge_leaves_no_byte_of_a_purged_meeting() {
    use meeting_store::{Archive, Query};
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let db = dir.path().join("kept.sqlite");
    let import = meeting(dir.path())
        .args(["archive", "import", "--keep-raw"])
        .arg(&raw)
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let all: Vec<meeting_core::Meeting> = Archive::open_read_only(&db)
        .unwrap()
        .meetings(&Query::all())
        .collect::<Result<_, _>>()
        .unwrap();
    let cut = chrono::DateTime::parse_from_rfc3339("2024-02-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let (gone, kept): (Vec<_>, Vec<_>) = all
        .iter()
        .partition(|m| m.start.or(m.scheduled_start).is_some_and(|s| s < cut));
    assert!(!gone.is_empty() && !kept.is_empty());
    let people = |ms: &[&meeting_core::Meeting]| -> std::collections::BTreeSet<String> {
        ms.iter()
            .flat_map(|m| &m.participants)
            .flat_map(|p| [p.ip.clone(), p.name.clone()])
            .flatten()
            .filter(|s| s.len() >= 4)
            .collect()
    };
    // What the kept meetings name, in their merged records and in every observation.
    let mut still = people(&kept);
    {
        let archive = Archive::open_read_only(&db).unwrap();
        let observed: Vec<meeting_core::Meeting> = kept
            .iter()
            .flat_map(|m| archive.observations(&m.key).unwrap())
            .map(|o| o.meeting)
            .collect();
        still.extend(people(&observed.iter().collect::<Vec<_>>()));
        let stubs = archive.stubs().unwrap();
        still.extend(people(&stubs.iter().collect::<Vec<_>>()));
    }
    // A sample (every fifth), so that the search stays quick in a debug build.
    let mut needles: Vec<String> = people(&gone)
        .difference(&still)
        .step_by(5)
        .cloned()
        .collect();
    assert!(
        gone.iter()
            .flat_map(|m| &m.participants)
            .any(|p| p.ip.as_ref().is_some_and(|ip| needles.contains(ip))),
        "a purged meeting's participant IP to look for"
    );
    let uuids: Vec<String> = gone
        .iter()
        .filter_map(|m| m.key.strip_prefix("systec:"))
        .filter(|id| !id.starts_with("stub:"))
        .step_by(3)
        .map(str::to_owned)
        .collect();
    assert!(!uuids.is_empty());
    needles.extend(uuids);
    // Before the purge the bytes are there (the raw bodies are zlib: the keys are plain).
    let file = std::fs::read(&db).unwrap();
    assert!(needles.iter().any(|n| contains(&file, n.as_bytes())));

    let purge = meeting(dir.path())
        .args([
            "archive",
            "purge",
            "--yes",
            "--before",
            "2024-02-01",
            "--tz",
            "UTC",
        ])
        .arg("--archive")
        .arg(&db)
        .output()
        .unwrap();
    assert!(purge.status.success(), "{}", stderr(&purge));

    let mut haystacks: Vec<(String, Vec<u8>)> =
        vec![("the archive".into(), std::fs::read(&db).unwrap())];
    let wal = dir.path().join("kept.sqlite-wal");
    if wal.exists() {
        haystacks.push(("the -wal".into(), std::fs::read(&wal).unwrap()));
    }
    let archive = Archive::open_read_only(&db).unwrap();
    let left: Vec<meeting_core::Meeting> = archive
        .meetings(&Query::all())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(left.len(), kept.len());
    for m in &left {
        for o in archive.observations(&m.key).unwrap() {
            haystacks.push((
                format!("an observation of {}", m.key),
                serde_json::to_vec(&o.meeting).unwrap(),
            ));
        }
    }
    for s in archive.stubs().unwrap() {
        haystacks.push((format!("stub {}", s.key), serde_json::to_vec(&s).unwrap()));
    }
    let bodies = archive.raw_responses().unwrap();
    assert!(!bodies.is_empty(), "the bodies of later meetings are kept");
    for (i, r) in bodies.iter().enumerate() {
        haystacks.push((
            format!("raw body {i} ({})", r.response.endpoint),
            serde_json::to_vec(&r.response).unwrap(),
        ));
    }
    for (what, hay) in &haystacks {
        for n in &needles {
            assert!(!contains(hay, n.as_bytes()), "{n} survives in {what}");
        }
    }
    let check = meeting(dir.path())
        .args(["archive", "check", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}

/// `archive dump` of the archive at `db`.
fn dump(dir: &std::path::Path, db: &std::path::Path) -> String {
    let out = meeting(dir)
        .args(["archive", "dump", "-o", "jsonl", "--archive"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// Any load order gives the same archive: the records of a saved run imported one by one
/// in reverse, in two halves the other way round, or as the directory, dump to the same
/// bytes; every meeting of the simulator once, in key order. Their `stats` are the same.
#[test]
fn shuffled_imports_give_identical_dumps() {
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let mut records: Vec<std::path::PathBuf> = std::fs::read_dir(&raw)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "meeting-run.json")
        .collect();
    records.sort();
    let import = |db: &std::path::Path, inputs: &[std::path::PathBuf]| {
        let out = meeting(dir.path())
            .args(["archive", "import"])
            .args(inputs)
            .arg("--archive")
            .arg(db)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let whole = dir.path().join("whole.sqlite");
    import(&whole, std::slice::from_ref(&raw));
    let reversed = dir.path().join("reversed.sqlite");
    let mut backwards = records.clone();
    backwards.reverse();
    import(&reversed, &backwards);
    let halves = dir.path().join("halves.sqlite");
    let (a, b) = records.split_at(records.len() / 2);
    import(&halves, b);
    import(&halves, a);
    let expected = dump(dir.path(), &whole);
    let lines: Vec<&str> = expected.lines().collect();
    assert_eq!(lines.len(), sim().handle.truth().meeting_count());
    let keys: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "key order");
    assert_eq!(dump(dir.path(), &reversed), expected);
    assert_eq!(dump(dir.path(), &halves), expected);
    // `stats` reads the rows in the order they are stored, which is the order of loading:
    // its figures and labels are the same whatever that was.
    for by in ["room", "host", "day", "room,month"] {
        let stats = |db: &std::path::Path| {
            let out = meeting(dir.path())
                .args(["stats", "--by", by, "-o", "json", "--archive"])
                .arg(db)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            String::from_utf8(out.stdout).unwrap()
        };
        let expected = stats(&whole);
        assert!(expected.contains("\"meetings\""), "{expected}");
        assert_eq!(stats(&reversed), expected, "--by {by}");
        assert_eq!(stats(&halves), expected, "--by {by}");
    }
    // To a file as well.
    let file = dir.path().join("all.jsonl");
    let out = meeting(dir.path())
        .args(["archive", "dump", "--out"])
        .arg(&file)
        .arg("--archive")
        .arg(&whole)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
}

/// A save-raw run imported equals what the run printed live: the live output (neutral
/// JSON Lines) imported into one archive, the run's saved bodies into another, dump to the
/// same bytes.
#[test]
fn an_imported_save_raw_run_equals_the_live_run() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("run");
    let fetch = sim()
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-29",
            "-o",
            "jsonl",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(fetch.status.success(), "{}", stderr(&fetch));
    let live = dir.path().join("live.jsonl");
    std::fs::write(&live, &fetch.stdout).unwrap();
    let mut dumps = Vec::new();
    for (name, input) in [("live.sqlite", &live), ("saved.sqlite", &raw)] {
        let db = dir.path().join(name);
        imported(dir.path(), input, &db);
        dumps.push(dump(dir.path(), &db));
    }
    assert!(!dumps[0].is_empty());
    assert_same_lines(&dumps[0], &dumps[1]);
}

/// A damaged archive's `check` says what is wrong, in text and in `-o json` (exit 3): a
/// record that does not decompress, one that does not match its hash, a summary row that
/// differs from the merge of its observations.
#[test]
fn check_says_what_is_wrong_in_a_damaged_archive() {
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let db = dir.path().join("a.sqlite");
    imported(dir.path(), &raw, &db);
    let keys: Vec<String> = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let mut s = c
            .prepare("SELECT key FROM summaries ORDER BY key LIMIT 3")
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "UPDATE observations SET record = x'28b52ffd00' WHERE key = ?1",
            [&keys[0]],
        )
        .unwrap();
        c.execute(
            "UPDATE observations SET hash = zeroblob(16) WHERE key = ?1",
            [&keys[1]],
        )
        .unwrap();
        c.execute(
            "UPDATE summaries SET attendees = attendees + 1 WHERE key = ?1",
            [&keys[2]],
        )
        .unwrap();
    }
    let check = meeting(dir.path())
        .args(["archive", "check", "-o", "json", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(3), "{}", stderr(&check));
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().unwrap();
    let about = |key: &str| -> Vec<String> {
        problems
            .iter()
            .filter(|p| p["key"] == key)
            .map(|p| p["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert!(!about(&keys[0]).is_empty(), "{problems:?}");
    assert!(
        about(&keys[1]).iter().any(|p| p.contains("hash")),
        "{problems:?}"
    );
    assert!(
        about(&keys[2])
            .iter()
            .any(|p| p.contains("summary row differs")),
        "{problems:?}"
    );
    let text = meeting(dir.path())
        .args(["archive", "check", "--archive"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(3));
    assert!(stdout(&text).contains(&keys[2]), "{}", stdout(&text));
}

/// A schema-3 archive (plain JSON observations; made here by raw SQL from the rows of a
/// current one) is refused by every other command, which names `meeting archive migrate`;
/// migrated, its `stats` are byte-identical to those of the archive it was made from.
#[test]
fn a_schema_3_archive_is_migrated_explicitly_and_stats_do_not_change() {
    use meeting_store::Archive;
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let db = dir.path().join("current.sqlite");
    imported(dir.path(), &raw, &db);
    let old = dir.path().join("v3.sqlite");
    {
        let archive = Archive::open_read_only(&db).unwrap();
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(
            "CREATE TABLE observations (key TEXT NOT NULL, source TEXT NOT NULL,
                 profile TEXT NOT NULL, fetched_at TEXT NOT NULL, record TEXT NOT NULL);
             CREATE UNIQUE INDEX observations_key ON observations (key, source);
             CREATE TABLE report_stubs (key TEXT NOT NULL, record TEXT NOT NULL,
                 profile TEXT NOT NULL, fetched_at TEXT NOT NULL, start_at TEXT,
                 PRIMARY KEY (key, record)) WITHOUT ROWID;
             CREATE TABLE runs (id TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL,
                 started_at TEXT NOT NULL, finished_at TEXT, complete INTEGER NOT NULL,
                 manifest TEXT NOT NULL) WITHOUT ROWID;
             CREATE TABLE sync_cursors (profile TEXT NOT NULL, vendor TEXT NOT NULL,
                 through TEXT NOT NULL, run_id TEXT NOT NULL,
                 PRIMARY KEY (profile, vendor)) WITHOUT ROWID;
             CREATE TABLE raw_responses (id INTEGER PRIMARY KEY, profile TEXT NOT NULL,
                 endpoint TEXT NOT NULL, fetched_at TEXT NOT NULL, window_end TEXT,
                 http_status INTEGER NOT NULL, params TEXT NOT NULL, body BLOB NOT NULL);
             CREATE TABLE quanshi_links (key TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL,
                 join_link TEXT NOT NULL, fetched_at TEXT NOT NULL) WITHOUT ROWID;",
        )
        .unwrap();
        let meetings: Vec<meeting_core::Meeting> = archive
            .meetings(&meeting_store::Query::all())
            .collect::<Result<_, _>>()
            .unwrap();
        for m in &meetings {
            for o in archive.observations(&m.key).unwrap() {
                let source = if o.meeting.sources.len() == 1 {
                    o.meeting.sources[0].source_name().to_owned()
                } else {
                    "neutral".to_owned()
                };
                conn.execute(
                    "INSERT INTO observations VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![
                        m.key,
                        source,
                        o.profile,
                        o.fetched_at
                            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                        serde_json::to_string(&o.meeting).unwrap()
                    ],
                )
                .unwrap();
            }
        }
        conn.execute("ATTACH ?1 AS src", [db.to_str().unwrap()])
            .unwrap();
        for table in [
            "report_stubs",
            "runs",
            "sync_cursors",
            "raw_responses",
            "quanshi_links",
        ] {
            conn.execute_batch(&format!(
                "INSERT INTO main.{table} SELECT * FROM src.{table}"
            ))
            .unwrap();
        }
        conn.execute_batch("DETACH src; PRAGMA user_version = 3;")
            .unwrap();
    }
    let stats = |db: &std::path::Path, by: &str, format: &str| {
        meeting(dir.path())
            .args([
                "stats",
                "--by",
                by,
                "-o",
                format,
                "--tz",
                "Asia/Shanghai",
                "--archive",
            ])
            .arg(db)
            .output()
            .unwrap()
    };
    for args in [
        vec!["stats", "--archive"],
        vec!["list", "--archive"],
        vec!["archive", "info", "--archive"],
        vec!["archive", "import", "--archive"],
    ] {
        let mut cmd = meeting(dir.path());
        cmd.args(&args).arg(&old);
        if args[1] == "import" {
            cmd.arg(&raw);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("meeting archive migrate"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let migrate = meeting(dir.path())
        .args(["archive", "migrate", "--archive"])
        .arg(&old)
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    assert!(
        stderr(&migrate).contains("from schema 3 to 4"),
        "{}",
        stderr(&migrate)
    );
    assert!(dir.path().join("v3.sqlite.schema-3.backup").exists());
    for by in ["room", "host", "day", "month"] {
        for format in ["table", "json", "csv"] {
            let want = stats(&db, by, format);
            let got = stats(&old, by, format);
            assert!(got.status.success(), "{}", stderr(&got));
            assert!(!want.stdout.is_empty());
            assert_eq!(stdout(&got), stdout(&want), "stats --by {by} -o {format}");
        }
    }
    assert_eq!(dump(dir.path(), &old), dump(dir.path(), &db));
    let again = meeting(dir.path())
        .args(["archive", "migrate", "--archive"])
        .arg(&old)
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("nothing to do"),
        "{}",
        stderr(&again)
    );
}

/// The two texts are equal; else the first line that differs, around its first difference.
fn assert_same_lines(a: &str, b: &str) {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let at = x.bytes().zip(y.bytes()).take_while(|(p, q)| p == q).count();
            let from = at.saturating_sub(80);
            let cut =
                |s: &str| -> String { s.bytes().skip(from).take(240).map(char::from).collect() };
            panic!("line {i} differs at byte {at}:\n{}\n{}", cut(x), cut(y));
        }
    }
    assert_eq!(a.lines().count(), b.lines().count(), "line counts");
}

/// The read commands work on a read-only archive in a read-only directory (another user's,
/// a mounted backup), and create nothing there. As root no permission stops the normal
/// open; the `immutable=1` fallback is then tested in meeting-store.
#[cfg(unix)]
#[test]
fn read_commands_work_on_a_read_only_archive_in_a_read_only_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("archive.sqlite");
    imported(dir.path(), &raw, &db);
    let names = || -> Vec<std::ffi::OsString> {
        let mut n: Vec<_> = std::fs::read_dir(&ro)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        n.sort();
        n
    };
    let before = names();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anyway: then only the commands' success is checked.
    let moot = std::fs::File::create(ro.join("probe")).is_ok();
    let _ = std::fs::remove_file(ro.join("probe"));
    let mut failures = Vec::new();
    for args in [
        vec!["stats", "--by", "room"],
        vec!["list", "--month", "2024-02"],
        vec!["archive", "info"],
        vec!["archive", "check"],
        vec!["archive", "dump"],
    ] {
        let out = meeting(dir.path())
            .args(&args)
            .arg("--archive")
            .arg(&db)
            .output()
            .unwrap();
        // `check` prints problems only.
        if !out.status.success() || (out.stdout.is_empty() && args[1] != "check") {
            failures.push(format!(
                "{args:?}: {:?} {}",
                out.status.code(),
                stderr(&out)
            ));
        }
    }
    let after = names();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    if !moot {
        assert_eq!(after, before, "nothing created beside the archive");
    }
}
