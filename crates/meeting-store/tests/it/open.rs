//! Opening: paths, modes, versions, corrupt files, read-only never creates.

use std::ffi::OsStr;
use std::path::Path;

use meeting_store::{Archive, ErrorKind, Writer, resolve_archive_path};
use rusqlite::Connection;

use crate::common::*;

#[test]
fn the_flag_wins_over_the_environment_which_wins_over_the_default() {
    let flag =
        resolve_archive_path(Some(Path::new("/x/a.sqlite")), Some(OsStr::new("/y/b"))).unwrap();
    assert_eq!(flag, Path::new("/x/a.sqlite"));
    let env = resolve_archive_path(None, Some(OsStr::new("/y/b"))).unwrap();
    assert_eq!(env, Path::new("/y/b"));
    // An empty variable is unset.
    let default = resolve_archive_path(None, Some(OsStr::new(""))).unwrap();
    assert!(
        default.ends_with("meeting/archive.sqlite"),
        "{}",
        default.display()
    );
    assert_eq!(default, meeting_store::default_archive_path().unwrap());
}

#[test]
fn read_only_never_creates_the_archive() {
    let (dir, path) = temp_archive();
    let err = Archive::open_read_only(&path).unwrap_err();
    assert_eq!(*err.kind(), ErrorKind::NotFound);
    assert_eq!(err.path(), Some(path.as_path()));
    insta::assert_snapshot!(redact(&err.to_string(), dir.path()), @"archive [DIR]/archive.sqlite: not found: no archive there (it is created by `meeting sync` or `meeting archive import`)");
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn read_only_opening_writes_nothing() {
    let (_dir, path) = temp_archive();
    load(&path, observe(&sim_all(60_000, 1)[..20], "acme", 0));
    let before = std::fs::read(&path).unwrap();
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.meetings(&meeting_store::Query::all()).count(), 20);
    assert_eq!(archive.check().unwrap(), []);
    drop(archive);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn the_archive_and_its_sidecars_are_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("archive.sqlite");
    let writer = Writer::open(&path).unwrap();
    writer
        .load(observe(&sim_all(60_000, 1)[..5], "acme", 0))
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    for suffix in ["-wal", "-shm"] {
        let sidecar = dir
            .path()
            .join("nested")
            .join(format!("archive.sqlite{suffix}"));
        assert!(sidecar.exists(), "{suffix} exists while the writer is open");
        assert_eq!(mode(&sidecar), 0o600, "{suffix}");
    }
    assert_eq!(mode(&dir.path().join("nested")), 0o700);
    let backup = dir.path().join("backup.sqlite");
    Archive::open_read_only(&path)
        .unwrap()
        .backup(&backup)
        .unwrap();
    assert_eq!(mode(&backup), 0o600);
    writer.close().unwrap();
}

#[test]
fn wal_and_synchronous_full() {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    writer.close().unwrap();
}

/// An archive whose schema is newer than this build: refused, bytes unchanged.
#[test]
fn a_newer_archive_is_refused_and_left_untouched() {
    let (dir, path) = temp_archive();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE meetings (key TEXT PRIMARY KEY, future TEXT);
             INSERT INTO meetings VALUES ('systec:x', 'from the future');
             PRAGMA user_version = 99;",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    #[cfg(unix)]
    let mode_before = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::metadata(&path).unwrap().permissions().mode()
    };
    let err = Writer::open(&path).unwrap_err();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode(),
            mode_before
        );
    }
    assert_eq!(
        *err.kind(),
        ErrorKind::NewerVersion {
            found: 99,
            supported: meeting_store::SCHEMA_VERSION
        }
    );
    insta::assert_snapshot!(redact(&err.to_string(), dir.path()), @"archive [DIR]/archive.sqlite: written by a newer version of this program (schema 99; this build knows up to 4): refusing to use it; it was not modified");
    let err = Archive::open_read_only(&path).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NewerVersion { .. }));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_that_is_not_sqlite_gets_a_clear_error_naming_it() {
    let (dir, path) = temp_archive();
    std::fs::write(&path, b"meeting dump, not a database\n".repeat(200)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let write = Writer::open(&path).unwrap_err();
    let read = Archive::open_read_only(&path).unwrap_err();
    assert_eq!(*write.kind(), ErrorKind::NotAnArchive);
    assert_eq!(*read.kind(), ErrorKind::NotAnArchive);
    assert_eq!(write.to_string(), read.to_string());
    insta::assert_snapshot!(redact(&write.to_string(), dir.path()), @"archive [DIR]/archive.sqlite: not a meeting archive: the file is not a SQLite database or is damaged");
    assert_eq!(std::fs::read(&path).unwrap(), before, "never re-created");
}

#[test]
fn a_damaged_archive_is_an_error_or_a_check_problem_never_a_panic() {
    let (_dir, path) = temp_archive();
    load(&path, observe(&sim_all(60_000, 1), "acme", 0));
    let mut bytes = std::fs::read(&path).unwrap();
    // Garble everything after the first page (the header stays valid).
    for b in bytes.iter_mut().skip(4096) {
        *b = b.wrapping_mul(31).wrapping_add(7);
    }
    std::fs::write(&path, &bytes).unwrap();
    match Archive::open_read_only(&path) {
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::NotAnArchive | ErrorKind::Database),
            "{e}"
        ),
        Ok(archive) => match archive.check() {
            Ok(problems) => assert!(!problems.is_empty()),
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::NotAnArchive | ErrorKind::Database),
                "{e}"
            ),
        },
    }
}

#[test]
fn another_programs_sqlite_database_is_not_an_archive() {
    let (dir, path) = temp_archive();
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Writer::open(&path).unwrap_err();
    insta::assert_snapshot!(redact(&err.to_string(), dir.path()), @"archive [DIR]/archive.sqlite: not a meeting archive: a SQLite database without a meeting-archive schema version");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// A version-1 archive written by raw SQL (the frozen v1 schema in `fixtures/v1.sql`) is
/// opened, migrated to the current version, and its data read back.
#[test]
fn a_v1_archive_made_by_raw_sql_is_migrated_and_read() {
    let (_dir, path) = temp_archive();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../fixtures/v1.sql"))
            .unwrap();
        // A sync run and its cursor in the v1 manifest format (span_from/span_to, no
        // version, job or updated_at).
        conn.execute_batch(
            r#"INSERT INTO runs VALUES ('run-1', 'acme', '2024-02-01T00:00:00.000000Z',
                 '2024-02-01T00:01:00.000000Z', 1,
                 '{"id":"run-1","profile":"acme","span_from":"2024-01-01","span_to":"2024-01-31","zone":"Asia/Shanghai","windows_done":[{"vendor":"systec","from":"2024-01-01","to":"2024-01-31"}],"windows_failed":[],"counts":{"new":1},"complete":true,"started_at":"2024-02-01T00:00:00Z","finished_at":"2024-02-01T00:01:00Z"}');
               INSERT INTO sync_cursors VALUES ('acme', 'systec', '2024-01-31', 'run-1');"#,
        )
        .unwrap();
    }
    // Read-only opening of an older archive refuses (it would have to migrate).
    let err = Archive::open_read_only(&path).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NeedsMigration { found: 1, .. }),
        "{err}"
    );
    // A writer does not migrate either: the migration is explicit, with a backup first.
    let untouched = std::fs::read(&path).unwrap();
    let err = Writer::open(&path).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NeedsMigration { found: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("meeting archive migrate"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), untouched);
    // A cursor past the day the migration runs on is set back to it.
    let today = chrono::NaiveDate::from_ymd_opt(2024, 1, 20).unwrap();
    let mut steps = Vec::new();
    let migration = meeting_store::migrate(&path, today, &mut |step, done, total| {
        steps.push((step, done, total));
    })
    .unwrap();
    assert_eq!(
        (migration.from, migration.to),
        (1, meeting_store::SCHEMA_VERSION)
    );
    assert_eq!(migration.cursors_clamped, 1);
    let backup = migration.backup.unwrap();
    assert_eq!(
        backup.file_name().unwrap().to_str().unwrap(),
        "archive.sqlite.schema-1.backup"
    );
    // The backup is the archive as it was (schema 1), private.
    let b = Connection::open(&backup).unwrap();
    let v: i64 = b
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    for step in [
        meeting_store::MigrationStep::Backup,
        meeting_store::MigrationStep::Migrate,
        meeting_store::MigrationStep::Vacuum,
    ] {
        assert!(steps.iter().any(|s| s.0 == step), "{step:?}: {steps:?}");
    }
    // The WAL is folded in and cut to nothing.
    let wal = std::fs::metadata(path.with_file_name("archive.sqlite-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0);
    // Migrating again does nothing.
    let again = meeting_store::migrate(&path, today, &mut |_, _, _| {}).unwrap();
    assert_eq!(again.backup, None);
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, meeting_store::SCHEMA_VERSION);
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(
        archive
            .cursor("acme", meeting_core::Vendor::Systec)
            .unwrap()
            .unwrap()
            .through,
        today
    );
    let got = all_meetings(&path);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].key, "systec:v1==");
    assert_eq!(got[0].topic.as_deref(), Some("Weekly"));
    // The run reads in the one manifest format; the cursor still checks against it.
    let runs = archive.runs().unwrap();
    assert_eq!(runs.len(), 1);
    let span = runs[0].span.unwrap();
    assert_eq!(span.from.to_string(), "2024-01-01");
    assert_eq!(runs[0].id.as_deref(), Some("run-1"));
    assert_eq!(runs[0].counts.new, 1);
    // The clamped cursor names a run whose window ended later: `check` says so.
    let problems = archive.check().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
}

/// A new archive is created at the current version, whole: a process killed while creating
/// it leaves no archive without its schema (the kill loop of `meeting sync` found one).
#[test]
fn a_new_archive_gets_the_current_version() {
    let (dir, path) = temp_archive();
    Writer::open(&path).unwrap().close().unwrap();
    // Created whole (schema written in a temporary file, then linked): nothing else left.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("archive.sqlite"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, meeting_store::SCHEMA_VERSION);
}

/// Every row of `table` in `conn`, as text, sorted (so the physical order does not count).
fn rows_of(conn: &Connection, table: &str) -> Vec<String> {
    let names: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let quoted: Vec<String> = names.iter().map(|n| format!("quote({n})")).collect();
    let mut rows: Vec<String> = conn
        .prepare(&format!(
            "SELECT {} FROM {table}",
            quoted.join(" || '|' || ")
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    rows.sort();
    rows
}

/// The tables schema 3 lays out again, and the ones it leaves as they were.
const TABLES: &[&str] = &[
    "observations",
    "report_stubs",
    "runs",
    "sync_cursors",
    "quanshi_links",
    "raw_responses",
];

/// The observations of an archive as schema 3 held them (`key, source, profile,
/// fetched_at, record` with the record as JSON text), sorted; from schema 4 (compressed
/// records) or older.
fn plain_observations(conn: &Connection) -> Vec<(String, String, String, String, String)> {
    let compressed = conn
        .prepare("SELECT dict FROM observations LIMIT 0")
        .is_ok();
    let mut d =
        zstd::bulk::Decompressor::with_dictionary(include_bytes!("../../dict/records-1.zdict"))
            .unwrap();
    let mut out: Vec<_> = if compressed {
        conn.prepare("SELECT key, source, profile, fetched_at, record FROM observations")
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                ))
            })
            .unwrap()
            .map(|r| {
                let (k, s, p, f, b) = r.unwrap();
                let json = String::from_utf8(d.decompress(&b, 1 << 24).unwrap()).unwrap();
                (k, s, p, f, json)
            })
            .collect()
    } else {
        conn.prepare("SELECT key, source, profile, fetched_at, record FROM observations")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    out.sort();
    out
}

/// A schema-2 archive holding real data (every endpoint's simulator records, stubs) is
/// migrated to schema 4 with every row of every kept table kept (observations: the same
/// records, now compressed), the merged copies and their child and room tables replaced by
/// summary rows; it reads the same meetings, and passes `check`; its tables are then rowid
/// tables whose former keys are unique indexes (a duplicate is refused).
#[test]
fn a_v2_archive_with_data_is_migrated_to_v4_row_for_row() {
    let (dir, current) = temp_archive();
    load(&current, observe(&sim_all(60_000, 3), "acme", 0));
    let expected = all_meetings(&current);
    assert!(expected.len() > 50, "{}", expected.len());

    // The frozen v1 schema, then v2's one new table: a schema-2 archive made by raw SQL,
    // filled with the rows of the current archive (the columns did not change).
    let v1 = include_str!("../fixtures/v1.sql");
    let v1_schema = v1.split("INSERT INTO").next().unwrap();
    let old = dir.path().join("v2.sqlite");
    {
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch(v1_schema).unwrap();
        conn.execute_batch(
            "CREATE TABLE quanshi_links (
                 key TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL,
                 join_link TEXT NOT NULL, fetched_at TEXT NOT NULL) WITHOUT ROWID;",
        )
        .unwrap();
        for o in plain_observations(&Connection::open(&current).unwrap()) {
            conn.execute(
                "INSERT INTO observations VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![o.0, o.1, o.2, o.3, o.4],
            )
            .unwrap();
        }
        conn.execute("ATTACH ?1 AS src", [current.to_str().unwrap()])
            .unwrap();
        for table in TABLES.iter().skip(1) {
            conn.execute_batch(&format!(
                "INSERT INTO main.{table} SELECT * FROM src.{table}"
            ))
            .unwrap();
        }
        conn.execute_batch("DETACH src; PRAGMA user_version = 2;")
            .unwrap();
    }
    let (before, observations): (Vec<Vec<String>>, _) = {
        let conn = Connection::open(&old).unwrap();
        (
            TABLES.iter().skip(1).map(|t| rows_of(&conn, t)).collect(),
            plain_observations(&conn),
        )
    };
    assert!(!observations.is_empty());
    assert!(before.iter().take(1).all(|rows| !rows.is_empty()));

    migrate_now(&old);
    let conn = Connection::open(&old).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 4);
    assert_eq!(plain_observations(&conn), observations);
    for (table, rows) in TABLES.iter().skip(1).zip(&before) {
        assert_eq!(&rows_of(&conn, table), rows, "{table}");
    }
    for table in ["observations", "summaries"] {
        let sql: String = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!sql.contains("WITHOUT ROWID"), "{table}: {sql}");
    }
    for gone in [
        "meetings",
        "participants",
        "phone_calls",
        "booked_rooms",
        "rooms",
        "room_aliases",
    ] {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                [gone],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0, "{gone} is still there");
    }
    let dup = conn.execute_batch("INSERT INTO observations SELECT * FROM observations LIMIT 1;");
    assert!(dup.is_err(), "a duplicate (key, source) was accepted");
    drop(conn);
    assert_eq!(all_meetings(&old), expected);
    assert_eq!(Archive::open_read_only(&old).unwrap().check().unwrap(), []);
}

/// A new archive is created with 16 KiB pages (a record sits in its page).
#[test]
fn a_new_archive_has_16k_pages() {
    let (_dir, path) = temp_archive();
    Writer::open(&path).unwrap().close().unwrap();
    let conn = Connection::open(&path).unwrap();
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(size, 16_384);
}

/// An archive in a read-only directory, itself read-only, is read (through `immutable=1`
/// when this user cannot write there: its `-wal` is empty after the writer's end), and
/// nothing is created beside it. Run as root, permissions stop nothing and the normal open
/// is used; the fallback itself is tested in the crate (`read.rs`).
#[cfg(unix)]
#[test]
fn a_read_only_archive_in_a_read_only_directory_is_read() {
    use std::os::unix::fs::PermissionsExt;
    let records = sim_meetings(meeting_sim::dump::DumpEndpoint::Detail, 30_000, 3);
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let path = ro.join("archive.sqlite");
    load(&path, observe(&records, "acme", 0));
    let before = all_meetings(&path);
    let listing = |d: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files = listing(&ro);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    let moot = std::fs::File::create(ro.join("probe")).is_ok();
    let read = std::panic::catch_unwind(|| {
        let archive = Archive::open_read_only(&path).unwrap();
        assert_eq!(archive.check().unwrap(), []);
        assert!(archive.info().unwrap().observations > 0);
        all_meetings(&path)
    });
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    if moot {
        let _ = std::fs::remove_file(ro.join("probe"));
    }
    assert_eq!(read.unwrap(), before);
    if !moot {
        assert_eq!(listing(&ro), files, "nothing created beside the archive");
    }
}

/// Migrates the archive at `path` (explicitly, as `meeting archive migrate`), today.
fn migrate_now(path: &Path) -> meeting_store::Migration {
    meeting_store::migrate(path, chrono::Utc::now().date_naive(), &mut |_, _, _| {}).unwrap()
}

/// A schema-3 archive (plain JSON observations in a rowid table, the stored merged copies
/// beside them) made by raw SQL from a current archive's rows: the explicit migration
/// reads the same meetings, summary rows and stubs as the archive it was made from, and
/// its backup is the schema-3 file.
#[test]
fn a_v3_archive_is_migrated_explicitly_and_reads_the_same() {
    let (dir, current) = temp_archive();
    load(&current, observe(&sim_all(60_000, 5), "acme", 0));
    let expected = all_meetings(&current);
    let summaries = Archive::open_read_only(&current)
        .unwrap()
        .summaries(&meeting_store::Query::all())
        .unwrap();
    let old = dir.path().join("v3.sqlite");
    {
        let v1 = include_str!("../fixtures/v1.sql");
        let v1_schema = v1.split("INSERT INTO").next().unwrap();
        let conn = Connection::open(&old).unwrap();
        conn.execute_batch(v1_schema).unwrap();
        conn.execute_batch(
            "DROP TABLE observations;
             CREATE TABLE observations (key TEXT NOT NULL, source TEXT NOT NULL,
                 profile TEXT NOT NULL, fetched_at TEXT NOT NULL, record TEXT NOT NULL);
             CREATE UNIQUE INDEX observations_key ON observations (key, source);
             CREATE TABLE quanshi_links (
                 key TEXT PRIMARY KEY NOT NULL, profile TEXT NOT NULL,
                 join_link TEXT NOT NULL, fetched_at TEXT NOT NULL) WITHOUT ROWID;",
        )
        .unwrap();
        for o in plain_observations(&Connection::open(&current).unwrap()) {
            conn.execute(
                "INSERT INTO observations VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![o.0, o.1, o.2, o.3, o.4],
            )
            .unwrap();
        }
        conn.execute("ATTACH ?1 AS src", [current.to_str().unwrap()])
            .unwrap();
        for table in TABLES.iter().skip(1) {
            conn.execute_batch(&format!(
                "INSERT INTO main.{table} SELECT * FROM src.{table}"
            ))
            .unwrap();
        }
        conn.execute_batch("DETACH src; PRAGMA user_version = 3;")
            .unwrap();
    }
    let err = Archive::open_read_only(&old).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NeedsMigration { found: 3, .. }),
        "{err}"
    );
    let plain = plain_observations(&Connection::open(&old).unwrap());
    let migration = migrate_now(&old);
    assert_eq!(migration.from, 3);
    let backup = Connection::open(migration.backup.unwrap()).unwrap();
    let v: i64 = backup
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 3);
    assert_eq!(plain_observations(&backup), plain);
    assert_eq!(all_meetings(&old), expected);
    let archive = Archive::open_read_only(&old).unwrap();
    assert_eq!(
        archive.summaries(&meeting_store::Query::all()).unwrap(),
        summaries
    );
    assert_eq!(
        archive.stubs().unwrap(),
        Archive::open_read_only(&current).unwrap().stubs().unwrap()
    );
    assert_eq!(archive.check().unwrap(), []);
}
