//! Opening the file, the schema and its forward migrations.

use std::fs;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{ErrorKind, Result, StoreError};

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

/// How long a writer waits for another writer's lock before failing with `Busy`.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Forward migrations: entry `i` takes the schema from version `i` to `i + 1`. A version
/// is added by appending its SQL here; each runs in the migration transaction.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// Version 4: observations are the compressed records of `crate::record` (a Rust step,
/// `write::compress_observations`, run after the SQL steps), and the meetings are merged
/// on read: the stored merged copy and its per-participant, per-call and booked-room rows
/// give way to one summary row per meeting (`crate::summary_row`, built from the
/// observations by a Rust step); the room tables go too (rooms are read from the summary
/// rows).
const V4: &str = "
DROP TABLE IF EXISTS participants;
DROP TABLE IF EXISTS phone_calls;
DROP TABLE IF EXISTS booked_rooms;
DROP TABLE IF EXISTS room_aliases;
DROP TABLE IF EXISTS rooms;
DROP TABLE IF EXISTS meetings;
";

/// The page size of a new archive (SQLite's default is 4 KiB). A meeting's record is
/// about 2.6 KB of JSON: in 16 KiB pages several sit in one leaf, without overflow pages.
/// An existing archive keeps the page size it was created with (WAL mode cannot change it).
pub(crate) const PAGE_SIZE: u32 = 16_384;

/// Version 3: the same tables and columns, physically laid out for appending. The tables
/// whose rows are large or many (observations, meetings and their lists) become rowid
/// tables, with their former primary key as a unique index: a row is appended to the
/// table's last page instead of being inserted into a random leaf of a B-tree keyed by the
/// meeting's (random) key, and a 2.6 KB record stays in its leaf instead of spilling into
/// overflow pages (`WITHOUT ROWID` tables keep rows over about a twentieth of a page out of
/// line). Import then writes far fewer pages to the WAL and at checkpoints. What the
/// archive holds is unchanged: every row is copied.
const V3: &str = r"
CREATE TABLE observations_v3 (
    key         TEXT NOT NULL,
    source      TEXT NOT NULL,
    profile     TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    record      TEXT NOT NULL
);
INSERT INTO observations_v3 (key, source, profile, fetched_at, record)
    SELECT key, source, profile, fetched_at, record FROM observations ORDER BY key, source;
DROP TABLE observations;
ALTER TABLE observations_v3 RENAME TO observations;
CREATE UNIQUE INDEX observations_key ON observations (key, source);

CREATE TABLE meetings_v3 (
    key                 TEXT NOT NULL,
    vendor              TEXT NOT NULL,
    profile             TEXT NOT NULL,
    observed_at         TEXT NOT NULL,
    status              TEXT NOT NULL,
    start_at            TEXT,
    end_at              TEXT,
    scheduled_start_at  TEXT,
    topic               TEXT,
    host_id             TEXT,
    host_name           TEXT,
    host_email          TEXT,
    room_id             TEXT,
    room_name           TEXT,
    duration_seconds    INTEGER,
    billed_minutes      INTEGER,
    participant_count   INTEGER,
    phone_cost          TEXT,
    phone_cost_currency TEXT,
    record              TEXT NOT NULL
);
INSERT INTO meetings_v3 SELECT key, vendor, profile, observed_at, status, start_at, end_at,
    scheduled_start_at, topic, host_id, host_name, host_email, room_id, room_name,
    duration_seconds, billed_minutes, participant_count, phone_cost, phone_cost_currency,
    record FROM meetings ORDER BY key;
DROP TABLE meetings;
ALTER TABLE meetings_v3 RENAME TO meetings;
CREATE UNIQUE INDEX meetings_key ON meetings (key);
CREATE INDEX meetings_order ON meetings ((start_at IS NULL), start_at, key);
CREATE INDEX meetings_room ON meetings (room_id);
CREATE INDEX meetings_room_name ON meetings (room_name);

CREATE TABLE participants_v3 (
    key              TEXT NOT NULL,
    idx              INTEGER NOT NULL,
    id               TEXT,
    user_id          TEXT,
    name             TEXT,
    kind             TEXT NOT NULL,
    join_at          TEXT,
    leave_at         TEXT,
    duration_seconds INTEGER
);
INSERT INTO participants_v3 SELECT key, idx, id, user_id, name, kind, join_at, leave_at,
    duration_seconds FROM participants ORDER BY key, idx;
DROP TABLE participants;
ALTER TABLE participants_v3 RENAME TO participants;
CREATE UNIQUE INDEX participants_key ON participants (key, idx);

CREATE TABLE phone_calls_v3 (
    key              TEXT NOT NULL,
    idx              INTEGER NOT NULL,
    number           TEXT,
    direction        TEXT,
    start_at         TEXT,
    end_at           TEXT,
    duration_seconds INTEGER,
    billed_minutes   INTEGER,
    cost             TEXT,
    cost_currency    TEXT
);
INSERT INTO phone_calls_v3 SELECT key, idx, number, direction, start_at, end_at,
    duration_seconds, billed_minutes, cost, cost_currency FROM phone_calls ORDER BY key, idx;
DROP TABLE phone_calls;
ALTER TABLE phone_calls_v3 RENAME TO phone_calls;
CREATE UNIQUE INDEX phone_calls_key ON phone_calls (key, idx);

CREATE TABLE booked_rooms_v3 (
    key      TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    id       TEXT,
    name     TEXT,
    role     TEXT,
    approval TEXT
);
INSERT INTO booked_rooms_v3 SELECT key, idx, id, name, role, approval FROM booked_rooms
    ORDER BY key, idx;
DROP TABLE booked_rooms;
ALTER TABLE booked_rooms_v3 RENAME TO booked_rooms;
CREATE UNIQUE INDEX booked_rooms_key ON booked_rooms (key, idx);
CREATE INDEX booked_rooms_id ON booked_rooms (id);
";

/// Version 2: the Quanshi join links (a secret column, never output), so sync can look a
/// reservation up again; run manifests rewritten in the one manifest format of
/// `meeting_core::run` (`span_from`/`span_to` become `span`, `version`, `job` and
/// `updated_at` added).
const V2: &str = r"
CREATE TABLE quanshi_links (
    key         TEXT PRIMARY KEY NOT NULL,
    profile     TEXT NOT NULL,
    join_link   TEXT NOT NULL,
    fetched_at  TEXT NOT NULL
) WITHOUT ROWID;

UPDATE runs SET manifest = json_remove(
    json_set(manifest,
        '$.version', 1,
        '$.job', 'archive run',
        '$.updated_at', coalesce(json_extract(manifest, '$.finished_at'), json_extract(manifest, '$.started_at')),
        '$.span', CASE WHEN json_extract(manifest, '$.span_from') IS NULL THEN NULL
                       ELSE json_object('from', json_extract(manifest, '$.span_from'),
                                        'to', json_extract(manifest, '$.span_to')) END),
    '$.span_from', '$.span_to')
WHERE json_extract(manifest, '$.version') IS NULL;
UPDATE runs SET manifest = json_remove(manifest, '$.span') WHERE json_type(manifest, '$.span') = 'null';
";

/// Version 1.
const V1: &str = r"
CREATE TABLE observations (
    key         TEXT NOT NULL,
    source      TEXT NOT NULL,
    profile     TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (key, source)
) WITHOUT ROWID;

CREATE TABLE meetings (
    key                 TEXT PRIMARY KEY NOT NULL,
    vendor              TEXT NOT NULL,
    profile             TEXT NOT NULL,
    observed_at         TEXT NOT NULL,
    status              TEXT NOT NULL,
    start_at            TEXT,
    end_at              TEXT,
    scheduled_start_at  TEXT,
    topic               TEXT,
    host_id             TEXT,
    host_name           TEXT,
    host_email          TEXT,
    room_id             TEXT,
    room_name           TEXT,
    duration_seconds    INTEGER,
    billed_minutes      INTEGER,
    participant_count   INTEGER,
    phone_cost          TEXT,
    phone_cost_currency TEXT,
    record              TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX meetings_order ON meetings ((start_at IS NULL), start_at, key);
CREATE INDEX meetings_room ON meetings (room_id);
CREATE INDEX meetings_room_name ON meetings (room_name);

CREATE TABLE participants (
    key              TEXT NOT NULL,
    idx              INTEGER NOT NULL,
    id               TEXT,
    user_id          TEXT,
    name             TEXT,
    kind             TEXT NOT NULL,
    join_at          TEXT,
    leave_at         TEXT,
    duration_seconds INTEGER,
    PRIMARY KEY (key, idx)
) WITHOUT ROWID;

CREATE TABLE phone_calls (
    key              TEXT NOT NULL,
    idx              INTEGER NOT NULL,
    number           TEXT,
    direction        TEXT,
    start_at         TEXT,
    end_at           TEXT,
    duration_seconds INTEGER,
    billed_minutes   INTEGER,
    cost             TEXT,
    cost_currency    TEXT,
    PRIMARY KEY (key, idx)
) WITHOUT ROWID;

CREATE TABLE booked_rooms (
    key      TEXT NOT NULL,
    idx      INTEGER NOT NULL,
    id       TEXT,
    name     TEXT,
    role     TEXT,
    approval TEXT,
    PRIMARY KEY (key, idx)
) WITHOUT ROWID;
CREATE INDEX booked_rooms_id ON booked_rooms (id);

CREATE TABLE rooms (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE room_aliases (
    room_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    PRIMARY KEY (room_id, name)
) WITHOUT ROWID;
CREATE INDEX room_aliases_name ON room_aliases (name);

CREATE TABLE report_stubs (
    key         TEXT NOT NULL,
    record      TEXT NOT NULL,
    profile     TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    start_at    TEXT,
    PRIMARY KEY (key, record)
) WITHOUT ROWID;

CREATE TABLE runs (
    id          TEXT PRIMARY KEY NOT NULL,
    profile     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    complete    INTEGER NOT NULL,
    manifest    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sync_cursors (
    profile     TEXT NOT NULL,
    vendor      TEXT NOT NULL,
    through     TEXT NOT NULL,
    run_id      TEXT NOT NULL,
    PRIMARY KEY (profile, vendor)
) WITHOUT ROWID;

CREATE TABLE raw_responses (
    id          INTEGER PRIMARY KEY,
    profile     TEXT NOT NULL,
    endpoint    TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    window_end  TEXT,
    http_status INTEGER NOT NULL,
    params      TEXT NOT NULL,
    body        BLOB NOT NULL
);
";

/// Creates `path` with mode 0600 if it does not exist (its parent directory with 0700),
/// so the archive's mode does not depend on the umask.
fn create_private(path: &Path) -> Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(parent)
            .map_err(|e| StoreError::io("cannot create the archive's directory", e).at(path))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        // The umask may have taken bits away: set the mode itself.
        Ok(_) => set_private(path),
        // An existing file is not touched (not even its mode) before its version is checked.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::io("cannot create the archive", e).at(path)),
    }
}

/// Creates a new archive at `path` whole or not at all: the schema is written into a
/// private temporary file beside it (`.NAME.new-PID`), which is then linked to `path` (never
/// replacing a file another process created meanwhile) and removed. So a process killed
/// while creating the archive leaves no file, or a temporary one, never an archive
/// without its schema.
fn create_initialised(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| String::from("archive"));
    let tmp = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
    let cleanup = |tmp: &Path| {
        let _ = fs::remove_file(tmp);
        for sidecar in sidecars(tmp) {
            let _ = fs::remove_file(sidecar);
        }
    };
    cleanup(&tmp);
    create_private(&tmp)?;
    let result = (|| {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&tmp, flags)
            .map_err(|e| StoreError::sqlite("cannot create the archive", e).at(path))?;
        // Before the first page is written (and WAL mode is on): it cannot change later.
        conn.execute_batch(&format!("PRAGMA page_size={PAGE_SIZE};"))
            .map_err(|e| StoreError::sqlite("cannot create the archive", e).at(path))?;
        let _: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| StoreError::sqlite("cannot create the archive", e).at(path))?;
        conn.execute_batch("PRAGMA synchronous=FULL;")
            .map_err(|e| StoreError::sqlite("cannot create the archive", e).at(path))?;
        migrate(&conn, path, 0, &mut |_, _| {})?;
        conn.close()
            .map_err(|(_, e)| StoreError::sqlite("cannot create the archive", e).at(path))?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            // Another process created it first: theirs is used.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(StoreError::io("cannot create the archive", e).at(path)),
        }
    })();
    cleanup(&tmp);
    result
}

/// Sets mode 0600 on `path` (no-op off Unix).
pub(crate) fn set_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| StoreError::io("cannot make the file private (0600)", e).at(path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The `-wal` and `-shm` sidecars of `path`.
pub(crate) fn sidecars(path: &Path) -> [std::path::PathBuf; 2] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    [with("-wal"), with("-shm")]
}

fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| not_an_archive(e, path))
}

fn table_count(conn: &Connection, path: &Path) -> Result<i64> {
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|e| not_an_archive(e, path))
}

fn not_an_archive(e: rusqlite::Error, path: &Path) -> StoreError {
    let err = StoreError::sqlite("cannot read the archive", e);
    if *err.kind() == ErrorKind::NotAnArchive {
        StoreError::new(
            ErrorKind::NotAnArchive,
            "not a meeting archive: the file is not a SQLite database or is damaged",
        )
        .at(path)
    } else {
        err.at(path)
    }
}

/// The error of an archive older than this build, outside the migration.
fn needs_migration(version: i64) -> StoreError {
    StoreError::new(
        ErrorKind::NeedsMigration {
            found: version,
            supported: SCHEMA_VERSION,
        },
        format!(
            "schema {version} is older than this build's {SCHEMA_VERSION}: migrate it explicitly (`meeting archive migrate`: a backup first); it was not modified"
        ),
    )
}

/// Checks the schema version of an open archive. `Ok(version)` when this build can use it.
pub(crate) fn check_version(conn: &Connection, path: &Path, writable: bool) -> Result<i64> {
    let version = archive_version(conn, path)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::new(
            ErrorKind::NewerVersion {
                found: version,
                supported: SCHEMA_VERSION,
            },
            format!(
                "written by a newer version of this program (schema {version}; this build knows up to {SCHEMA_VERSION}): refusing to use it; it was not modified"
            ),
        )
        .at(path));
    }
    if version == 0 && table_count(conn, path)? > 0 {
        return Err(StoreError::new(
            ErrorKind::NotAnArchive,
            "not a meeting archive: a SQLite database without a meeting-archive schema version",
        )
        .at(path));
    }
    if version < SCHEMA_VERSION && !writable {
        if version == 0 {
            return Err(StoreError::new(
                ErrorKind::NotAnArchive,
                "not a meeting archive: an empty SQLite file",
            )
            .at(path));
        }
        return Err(needs_migration(version).at(path));
    }
    Ok(version)
}

/// Whether `table` has a column `column`.
fn has_column(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(|e| StoreError::sqlite("cannot read the schema", e))
}

/// The schema version of an archive, an archive of the first part of schema 4 (compressed
/// observations beside a stored merged copy, without summary rows) read as 3: it has the
/// rest of the step to go.
fn archive_version(conn: &Connection, path: &Path) -> Result<i64> {
    let version = user_version(conn, path)?;
    if version == 4 && !has_table(conn, "summaries").map_err(|e| e.at(path))? {
        return Ok(3);
    }
    Ok(version)
}

/// Whether the archive has a table `name`.
fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
    .map_err(|e| StoreError::sqlite("cannot read the schema", e))
}

/// Opens (creating if missing) the archive for writing: version checked before anything
/// is written, then WAL, `synchronous=FULL`, migrations, modes 0600.
pub(crate) fn open_writable(path: &Path) -> Result<Connection> {
    open_writable_with(path, None)
}

/// What [`crate::migrate`] does inside [`open_writable_with`]: once the version is read (and
/// before anything is written), `before` is told it (the backup is made there); the
/// migration reports its progress to `progress`.
pub(crate) struct MigrationHooks<'a> {
    pub(crate) before: &'a mut dyn FnMut(&Connection, i64) -> Result<()>,
    pub(crate) progress: &'a mut dyn FnMut(u64, u64),
}

/// [`open_writable`], or with `hooks` the explicit migration of an older archive.
pub(crate) fn open_writable_with(
    path: &Path,
    mut hooks: Option<MigrationHooks<'_>>,
) -> Result<Connection> {
    if hooks.is_none() && !path.exists() {
        create_initialised(path)?;
    }
    create_private(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::sqlite("cannot open the archive", e).at(path))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| StoreError::sqlite("cannot configure the archive", e).at(path))?;
    // Read-only checks first: nothing is written to a file we refuse. An older archive is
    // migrated only by `crate::migrate` (explicit: a backup first).
    let version = check_version(&conn, path, true)?;
    match hooks.as_mut() {
        Some(h) => (h.before)(&conn, version)?,
        None if version > 0 && version < SCHEMA_VERSION => {
            return Err(needs_migration(version).at(path));
        }
        None => {}
    }
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(|e| not_an_archive(e, path))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::new(
            ErrorKind::Database,
            format!("cannot switch the archive to WAL (journal mode is {mode})"),
        )
        .at(path));
    }
    // Every statement of the write path stays prepared.
    conn.set_prepared_statement_cache_capacity(64);
    // A 16 MiB page cache for the writer: a window's rebuild touches the same pages again
    // and again, and the default 2 MiB spills and re-reads them; more does not make the
    // import of a 200 MB dump faster (64 MiB measured the same), it only grows its memory
    // with the archive (from 57 MiB for 20 MB to 128 MiB for 200 MB; with 16 MiB, 63 and
    // 74-80 MiB: flat). Statement journals (the
    // upserts and multi-row inserts keep one) in memory, not in a temporary file. A
    // checkpoint every 8,192 pages rather than every 1,000: a page written by several
    // commits in between is copied into the archive once, and the WAL is cut back to
    // 64 MiB after each.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16384;
         PRAGMA secure_delete=ON;
         PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=8192;
         PRAGMA journal_size_limit=67108864;",
    )
    .map_err(|e| StoreError::sqlite("cannot configure the archive", e).at(path))?;
    match hooks {
        Some(h) => migrate(&conn, path, version, h.progress)?,
        None => migrate(&conn, path, version, &mut |_, _| {})?,
    }
    rewrite_outdated(&conn, path)?;
    ensure_settings(&conn, path)?;
    set_private(path)?;
    for sidecar in sidecars(path) {
        if sidecar.exists() {
            set_private(&sidecar)?;
        }
    }
    Ok(conn)
}

/// The page cache of a temporary archive's writer (KiB): its indexes' pages in memory,
/// the rest of a bulk load's pages written out as the cache fills.
const TEMPORARY_CACHE_KIB: u32 = 16_384;

/// A [temporary](crate::WriterOptions::temporary) archive: no journal (its writes are not
/// undone; a failed one leaves the archive to be thrown away), no `fsync`, a smaller page
/// cache. Before anything is written into it.
pub(crate) fn make_temporary(conn: &Connection, path: &Path) -> Result<()> {
    let mode: String = conn
        .query_row("PRAGMA journal_mode=OFF", [], |r| r.get(0))
        .map_err(|e| StoreError::sqlite("cannot configure the archive", e).at(path))?;
    if !mode.eq_ignore_ascii_case("off") {
        return Err(StoreError::new(
            ErrorKind::Database,
            format!("cannot switch a temporary archive's journal off (journal mode is {mode})"),
        )
        .at(path));
    }
    conn.execute_batch(&format!(
        "PRAGMA synchronous=OFF; PRAGMA cache_size=-{TEMPORARY_CACHE_KIB};"
    ))
    .map_err(|e| StoreError::sqlite("cannot configure the archive", e).at(path))
}

/// The archive's own settings, made by the first writer of any archive (no schema change:
/// older builds ignore the table): a random 16-byte key for the pseudonyms of masked
/// reports, so that a person keeps one pseudonym across every report of this archive
/// ([`crate::Archive::pseudonym_key`]). Purge keeps it; a backup carries it.
pub(crate) fn ensure_settings(conn: &Connection, path: &Path) -> Result<()> {
    // Read first: an archive that has its key needs no write (and opening a writer must not
    // wait for another connection's write lock).
    let has_key = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .and_then(|n| {
            if n == 0 {
                return Ok(false);
            }
            conn.query_row(
                "SELECT count(*) FROM settings WHERE name = 'pseudonym_key'",
                [],
                |r| r.get::<_, i64>(0).map(|k| k > 0),
            )
        })
        .map_err(|e| StoreError::sqlite("cannot read the archive's settings", e).at(path))?;
    if has_key {
        return Ok(());
    }
    match conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
         INSERT OR IGNORE INTO settings (name, value) VALUES ('pseudonym_key', randomblob(16));",
    ) {
        Ok(()) => Ok(()),
        // Another connection holds the write lock: the key is made by the next writer (until
        // then, masked reports use a key of their own run).
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(StoreError::sqlite("cannot write the archive's settings", e).at(path)),
    }
}

/// Rewrites the summary rows of older rules ([`meeting_core::RULES_VERSION`]) from their
/// observations, in one transaction: readers recompute such rows on read, the next writer
/// stores them again.
fn rewrite_outdated(conn: &Connection, path: &Path) -> Result<()> {
    let outdated: i64 = conn
        .query_row(
            "SELECT count(*) FROM summaries WHERE rules_version <> ?1",
            [i64::from(meeting_core::RULES_VERSION)],
            |r| r.get(0),
        )
        .map_err(|e| StoreError::sqlite("cannot read the summary rows", e).at(path))?;
    if outdated == 0 {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| StoreError::sqlite("cannot lock the archive", e).at(path))?;
    match crate::write::rebuild_summaries(conn, true, &mut |_, _| {}) {
        Ok(_) => conn
            .execute_batch("COMMIT")
            .map_err(|e| StoreError::sqlite("cannot commit the summary rows", e).at(path)),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.at(path))
        }
    }
}

/// Applies the migrations from `from` to [`SCHEMA_VERSION`] in one transaction (taken
/// with the write lock, and the version read again under it).
pub(crate) fn migrate(
    conn: &Connection,
    path: &Path,
    from: i64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    if from >= SCHEMA_VERSION {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| StoreError::sqlite("cannot lock the archive to migrate it", e).at(path))?;
    let result = (|| {
        let now = check_version(conn, path, true)?;
        let start = usize::try_from(now).unwrap_or(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            conn.execute_batch(sql).map_err(|e| {
                StoreError::sqlite(format!("migration to schema {} failed", i + 1), e).at(path)
            })?;
        }
        if now < 4 {
            conn.execute_batch(crate::summary_row::CREATE)
                .map_err(|e| StoreError::sqlite("migration to schema 4 failed", e).at(path))?;
            if !has_column(conn, "observations", "hash").map_err(|e| e.at(path))? {
                crate::write::compress_observations(conn).map_err(|e| e.at(path))?;
            }
            crate::write::rebuild_summaries(conn, false, progress).map_err(|e| e.at(path))?;
        }
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
            .map_err(|e| StoreError::sqlite("cannot set the schema version", e).at(path))
    })();
    match result {
        Ok(()) => conn
            .execute_batch("COMMIT")
            .map_err(|e| StoreError::sqlite("cannot commit the migration", e).at(path)),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Opens an existing archive read-only; never creates it.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => {
            return Err(StoreError::new(ErrorKind::NotAnArchive, "not a file").at(path));
        }
        Err(e) => {
            let err = StoreError::io("cannot open the archive", e);
            let err = if *err.kind() == ErrorKind::NotFound {
                StoreError::new(
                    ErrorKind::NotFound,
                    "not found: no archive there (it is created by `meeting sync` or `meeting archive import`)",
                )
            } else {
                err
            };
            return Err(err.at(path));
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let probe = Connection::open_with_flags(path, flags).and_then(|c| {
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map(|_| c)
    });
    let conn = match probe {
        Ok(conn) => conn,
        // A read-only file or directory: SQLite cannot make the `-shm` index of the WAL.
        Err(e) if cannot_share(&e) => open_immutable(path)?,
        Err(e) => return Err(not_an_archive(e, path)),
    };
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| StoreError::sqlite("cannot configure the archive", e).at(path))?;
    check_version(&conn, path, false)?;
    Ok(conn)
}

/// Whether opening failed because this process cannot write beside the archive (the WAL's
/// shared-memory index cannot be made or opened).
fn cannot_share(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::ErrorCode;
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::SystemIoFailure)
    )
}

/// Opens the archive as an immutable file (`immutable=1`: no locks, no `-shm`, the `-wal`
/// ignored), for a read-only file or directory. Only when the `-wal` is absent or empty:
/// otherwise committed windows held in it would vanish silently, and this fails with
/// [`ErrorKind::ReadOnlyWithLog`].
pub(crate) fn open_immutable(path: &Path) -> Result<Connection> {
    let [wal, _] = sidecars(path);
    match fs::metadata(&wal) {
        Ok(m) if m.len() > 0 => {
            return Err(StoreError::new(
                ErrorKind::ReadOnlyWithLog,
                format!(
                    "cannot be read here: it is read-only for this user (or in a read-only directory) and its write-ahead log {} holds {} bytes not yet folded into it, which a read-only reader would miss; let the user who writes it run any write command once (e.g. `meeting archive import` of nothing, or `meeting sync`), or copy the archive with its -wal to a writable place",
                    wal.display(),
                    m.len()
                ),
            )
            .at(path));
        }
        _ => {}
    }
    let text = path.to_str().ok_or_else(|| {
        StoreError::new(
            ErrorKind::InvalidInput,
            "the archive's path is not UTF-8: it cannot be opened read-only here",
        )
        .at(path)
    })?;
    let mut uri = String::from("file:");
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(&uri, flags)
        .map_err(|e| StoreError::sqlite("cannot open the archive read-only", e).at(path))?;
    user_version(&conn, path)?;
    Ok(conn)
}
