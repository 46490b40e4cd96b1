//! The explicit migration of an older archive (`meeting archive migrate`): free space
//! checked, a `VACUUM INTO` backup first, the schema steps, cursors clamped to today, a
//! `VACUUM` after.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::error::{ErrorKind, Result, StoreError};
use crate::purge::{checkpoint_truncate, ensure_free_space, used_bytes, vacuum_space};
use crate::schema::{self, MigrationHooks, SCHEMA_VERSION};

/// A step of [`migrate`], as its progress reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MigrationStep {
    /// The backup copy is being written (`VACUUM INTO`).
    Backup,
    /// The schema steps run; the summary rows are rebuilt (`done` of `total` meetings).
    Migrate,
    /// The archive is rewritten compactly (`VACUUM`).
    Vacuum,
}

/// What [`migrate`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Migration {
    /// The archive's schema version before (equal to `to` when there was nothing to do).
    pub from: i64,
    /// Its schema version now ([`SCHEMA_VERSION`]).
    pub to: i64,
    /// The backup made first (`None` when there was nothing to do).
    pub backup: Option<PathBuf>,
    /// Sync cursors that were past `today`, set back to it.
    pub cursors_clamped: u64,
    /// The archive's size before and after (bytes, the `-wal` included).
    pub size_before: u64,
    /// See `size_before`.
    pub size_after: u64,
}

/// The archive's size with its `-wal`.
fn size_of(path: &Path) -> u64 {
    let main = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let [wal, _] = schema::sidecars(path);
    main + fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// A backup path beside the archive that does not exist yet:
/// `NAME.schema-N.backup`, else `NAME.schema-N.backup-2`, ...
fn backup_path(path: &Path, from: i64) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "archive".into(), |n| n.to_string_lossy().into_owned());
    let base = path.with_file_name(format!("{name}.schema-{from}.backup"));
    if !base.exists() {
        return base;
    }
    (2..)
        .map(|i| path.with_file_name(format!("{name}.schema-{from}.backup-{i}")))
        .find(|p| !p.exists())
        .unwrap_or(base)
}

/// Migrates the archive at `path` to [`SCHEMA_VERSION`], explicitly (no other opening
/// migrates: a writer or reader of an older archive fails with
/// [`ErrorKind::NeedsMigration`]):
///
/// 1. the version is read; a current archive is left as it is, a newer one refused;
/// 2. free space is checked: a backup, the migration's writes and a `VACUUM` need about
///    three times the pages in use beside the archive;
/// 3. a backup is written beside it with `VACUUM INTO` (`NAME.schema-N.backup`, mode
///    0600), before anything is written to the archive;
/// 4. the schema steps run in one transaction (observations compressed, summary rows
///    built: `progress(MigrationStep::Migrate, done, total)`);
/// 5. sync cursors past `today` (the vendor's today) are set back to it;
/// 6. `VACUUM` and `wal_checkpoint(TRUNCATE)`.
///
/// A failure before step 4 commits leaves the archive as it was (the backup, if written,
/// stays).
///
/// # Errors
/// `NotFound`, `NotAnArchive`, `NewerVersion`, `Io` (not enough free space: the message
/// names it), `Busy` (another writer, or a reader keeping the WAL), `Database`.
pub fn migrate(
    path: impl AsRef<Path>,
    today: NaiveDate,
    progress: &mut dyn FnMut(MigrationStep, u64, u64),
) -> Result<Migration> {
    let path = path.as_ref();
    if !path.is_file() {
        return Err(StoreError::new(
            ErrorKind::NotFound,
            "not found: no archive there to migrate",
        )
        .at(path));
    }
    let size_before = size_of(path);
    let mut from = SCHEMA_VERSION;
    let mut backup: Option<PathBuf> = None;
    let progress = std::cell::RefCell::new(progress);
    let conn = {
        let mut before = |conn: &Connection, version: i64| -> Result<()> {
            from = version;
            if version == 0 {
                return Err(StoreError::new(
                    ErrorKind::NotAnArchive,
                    "not a meeting archive: an empty SQLite file",
                )
                .at(path));
            }
            if version >= SCHEMA_VERSION {
                return Ok(());
            }
            let used = used_bytes(conn).map_err(|e| e.at(path))?;
            ensure_free_space(
                path,
                used + 2 * vacuum_space(used),
                "migrate (a backup, the migration and a VACUUM)",
            )?;
            (progress.borrow_mut())(MigrationStep::Backup, 0, 1);
            let dest = backup_path(path, version);
            write_backup(conn, &dest)?;
            (progress.borrow_mut())(MigrationStep::Backup, 1, 1);
            backup = Some(dest);
            Ok(())
        };
        let mut step =
            |done: u64, total: u64| (progress.borrow_mut())(MigrationStep::Migrate, done, total);
        schema::open_writable_with(
            path,
            Some(MigrationHooks {
                before: &mut before,
                progress: &mut step,
            }),
        )?
    };
    if backup.is_none() {
        return Ok(Migration {
            from,
            to: SCHEMA_VERSION,
            backup: None,
            cursors_clamped: 0,
            size_before,
            size_after: size_before,
        });
    }
    let clamped = conn
        .execute(
            "UPDATE sync_cursors SET through = ?1 WHERE through > ?1",
            [today.to_string()],
        )
        .map_err(|e| StoreError::sqlite("cannot clamp the sync cursors", e).at(path))?;
    let progress = progress.into_inner();
    progress(MigrationStep::Vacuum, 0, 1);
    checkpoint_truncate(&conn, path)?;
    conn.execute_batch("VACUUM")
        .map_err(|e| StoreError::sqlite("cannot VACUUM the migrated archive", e).at(path))?;
    checkpoint_truncate(&conn, path)?;
    progress(MigrationStep::Vacuum, 1, 1);
    conn.close()
        .map_err(|(_, e)| StoreError::sqlite("cannot close the archive", e).at(path))?;
    Ok(Migration {
        from,
        to: SCHEMA_VERSION,
        backup,
        cursors_clamped: clamped as u64,
        size_before,
        size_after: size_of(path),
    })
}

/// `VACUUM INTO dest` (a new file, mode 0600; removed again on failure).
fn write_backup(conn: &Connection, dest: &Path) -> Result<()> {
    let text = dest.to_str().ok_or_else(|| {
        StoreError::new(ErrorKind::InvalidInput, "the backup path is not UTF-8").at(dest)
    })?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(dest).map_err(|e| {
        StoreError::io("backup before the migration: cannot create the file", e).at(dest)
    })?;
    let result = conn
        .execute("VACUUM INTO ?1", [text])
        .map_err(|e| StoreError::sqlite("backup before the migration failed", e).at(dest))
        .and_then(|_| schema::set_private(dest));
    if result.is_err() {
        let _ = fs::remove_file(dest);
    }
    result
}
