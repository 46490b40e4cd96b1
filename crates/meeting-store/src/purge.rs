//! Purge: what goes (one plan for the preview and the purge), the deletion, and the bytes:
//! a free-space check first, `VACUUM` and `wal_checkpoint(TRUNCATE)` after.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior, params};

use crate::codec::{decompress, exact_time_text, time_text};
use crate::error::{ErrorKind, Result, StoreError};
use crate::model::PurgeSummary;
use crate::summary_row;

fn db(what: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::sqlite(what, e)
}

/// What a purge before a cut deletes.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The meetings' keys (their summary rows, observations and join links go).
    pub(crate) keys: Vec<String>,
    /// Observations of those meetings.
    pub(crate) observations: u64,
    /// Report stubs, by `(key, record)`.
    pub(crate) stubs: Vec<(String, String)>,
    /// Raw responses, by id.
    pub(crate) raw: Vec<i64>,
}

impl Plan {
    pub(crate) fn summary(&self) -> PurgeSummary {
        PurgeSummary {
            meetings: self.keys.len() as u64,
            observations: self.observations,
            stubs: self.stubs.len() as u64,
            raw_responses: self.raw.len() as u64,
        }
    }
}

/// The vendor's own id inside a meeting key (`systec:<uuid>`, `quanshi:conference:<id>`,
/// `quanshi:temp:<id>`, `systec:stub:<number>`): the text after the last `:`.
fn vendor_id(key: &str) -> &str {
    key.rsplit_once(':').map_or(key, |(_, id)| id)
}

/// The plan of a purge before `before`:
/// - the meetings whose effective start (start, else scheduled start) is before it;
/// - the report stubs that started before it, those without a time fetched before it, and
///   those without a time that have a purged meeting's number;
/// - the raw responses whose request window ended before its day, those without a window
///   fetched before it, and every other one that names a purged meeting (its uuid or
///   conference id, as a value of its parameters or of its body):
///   a verbatim body cannot be cut, so a body naming a purged meeting goes whole.
pub(crate) fn plan(conn: &Connection, before: DateTime<Utc>) -> Result<Plan> {
    let cut = time_text(before);
    let exact = exact_time_text(before);
    let day = before.date_naive().to_string();
    let mut plan = Plan::default();
    // The purged meetings' own ids (unique to a meeting: what names it in a raw body) and
    // their meeting numbers (shared by a series' occurrences: what a stub is keyed by).
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut numbers: BTreeSet<String> = BTreeSet::new();
    {
        let mut stmt = conn
            .prepare(
                "SELECT key, meeting_number FROM summaries
                 WHERE effective_start < ?1 ORDER BY key",
            )
            .map_err(db("cannot select meetings to purge"))?;
        let rows: Vec<(String, Option<String>)> = stmt
            .query_map([&exact], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(db("cannot select meetings to purge"))?;
        for (key, number) in rows {
            ids.insert(vendor_id(&key).to_owned());
            numbers.extend(number);
            plan.keys.push(key);
        }
    }
    plan.observations = conn
        .query_row(
            "SELECT count(*) FROM observations WHERE key IN
             (SELECT key FROM summaries WHERE effective_start < ?1)",
            [&exact],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| u64::try_from(n).unwrap_or(0))
        .map_err(db("cannot count observations to purge"))?;
    {
        let mut stmt = conn
            .prepare(
                "SELECT key, record, start_at, fetched_at FROM report_stubs ORDER BY key, record",
            )
            .map_err(db("cannot select report stubs to purge"))?;
        let rows: Vec<(String, String, Option<String>, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(Iterator::collect)
            .map_err(db("cannot select report stubs to purge"))?;
        for (key, record, start, fetched) in rows {
            // A stub with a time goes by it; one without, when fetched before the cut or
            // when a purged meeting has its number.
            let old = match &start {
                Some(s) => *s < cut,
                None => fetched < cut || numbers.contains(vendor_id(&key)),
            };
            if old {
                plan.stubs.push((key, record));
            }
        }
    }
    ids.retain(|id| !id.is_empty());
    let mut stmt = conn
        .prepare(
            "SELECT id, coalesce(window_end < ?1 OR (window_end IS NULL AND fetched_at < ?2), 0),
                 params, body
             FROM raw_responses ORDER BY id",
        )
        .map_err(db("cannot select raw responses to purge"))?;
    let mut rows = stmt
        .query(params![day, cut])
        .map_err(db("cannot select raw responses to purge"))?;
    while let Some(r) = rows
        .next()
        .map_err(db("cannot select raw responses to purge"))?
    {
        let id: i64 = r
            .get(0)
            .map_err(db("cannot select raw responses to purge"))?;
        let old: bool = r
            .get(1)
            .map_err(db("cannot select raw responses to purge"))?;
        if old {
            plan.raw.push(id);
            continue;
        }
        if ids.is_empty() {
            continue;
        }
        let params: String = r
            .get(2)
            .map_err(db("cannot select raw responses to purge"))?;
        let body: Vec<u8> = r
            .get(3)
            .map_err(db("cannot select raw responses to purge"))?;
        let body = decompress(&body, &format!("raw response {id}"))?;
        if names_any(&params, &body, &ids) {
            plan.raw.push(id);
        }
    }
    Ok(plan)
}

/// Whether a raw response's parameters (a JSON object of strings; lists comma-separated)
/// or its tagged body (`j` JSON: any string or number value; `t` text: anywhere) name one
/// of `ids`.
fn names_any(params: &str, body: &[u8], ids: &BTreeSet<String>) -> bool {
    let params: std::collections::BTreeMap<String, String> =
        serde_json::from_str(params).unwrap_or_default();
    if params
        .values()
        .flat_map(|v| v.split([',', '，']))
        .any(|v| ids.contains(v.trim()))
    {
        return true;
    }
    match body.split_first() {
        Some((b'j', json)) => match serde_json::from_slice::<serde_json::Value>(json) {
            Ok(v) => value_names_any(&v, ids),
            // Not JSON after all: look for the ids as text.
            Err(_) => text_names_any(json, ids),
        },
        Some((_, text)) => text_names_any(text, ids),
        None => false,
    }
}

fn value_names_any(v: &serde_json::Value, ids: &BTreeSet<String>) -> bool {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            ids.contains(s.as_str())
                // JSON held in a string (some vendor fields are).
                || ((s.starts_with('{') || s.starts_with('['))
                    && serde_json::from_str::<Value>(s).is_ok_and(|inner| value_names_any(&inner, ids)))
        }
        Value::Number(n) => ids.contains(&n.to_string()),
        Value::Array(items) => items.iter().any(|i| value_names_any(i, ids)),
        Value::Object(map) => map.values().any(|i| value_names_any(i, ids)),
        Value::Null | Value::Bool(_) => false,
    }
}

fn text_names_any(text: &[u8], ids: &BTreeSet<String>) -> bool {
    ids.iter().any(|id| {
        let id = id.as_bytes();
        text.windows(id.len()).any(|w| w == id)
    })
}

/// Deletes what `plan` names, in the caller's transaction.
fn delete(conn: &Connection, plan: &Plan) -> Result<PurgeSummary> {
    let mut summary = PurgeSummary::default();
    for key in &plan.keys {
        summary_row::delete(conn, key)?;
        let n = conn
            .prepare_cached("DELETE FROM observations WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map_err(db("cannot purge observations"))?;
        summary.observations += n as u64;
        conn.prepare_cached("DELETE FROM quanshi_links WHERE key = ?1")
            .and_then(|mut s| s.execute([key]))
            .map_err(db("cannot purge join links"))?;
        summary.meetings += 1;
    }
    for (key, record) in &plan.stubs {
        summary.stubs += conn
            .prepare_cached("DELETE FROM report_stubs WHERE key = ?1 AND record = ?2")
            .and_then(|mut s| s.execute([key, record]))
            .map_err(db("cannot purge report stubs"))? as u64;
    }
    for id in &plan.raw {
        summary.raw_responses += conn
            .prepare_cached("DELETE FROM raw_responses WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(db("cannot purge raw responses"))? as u64;
    }
    Ok(summary)
}

/// The bytes of the archive's pages in use: what `VACUUM` rewrites (through the WAL).
pub(crate) fn used_bytes(conn: &Connection) -> Result<u64> {
    let pragma = |name: &str| -> Result<u64> {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(db("cannot read the archive's size"))
    };
    let pages = pragma("page_count")?.saturating_sub(pragma("freelist_count")?);
    Ok(pages.saturating_mul(pragma("page_size")?))
}

/// Free bytes (for an unprivileged user) on the file system holding `path`; `None` where
/// it cannot be known (not Unix).
pub(crate) fn free_bytes(path: &Path) -> Result<Option<u64>> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let stat = rustix::fs::statvfs(dir).map_err(|e| {
            StoreError::io(
                "cannot read the free space of the archive's file system",
                std::io::Error::from(e),
            )
            .at(path)
        })?;
        Ok(Some(stat.f_bavail.saturating_mul(stat.f_frsize)))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// Fails with a clear error (kind `Io`) naming the space needed when the archive's file
/// system has less than `needed` bytes free. `what` names the operation.
pub(crate) fn ensure_free_space(path: &Path, needed: u64, what: &str) -> Result<()> {
    if let Some(free) = free_bytes(path)?
        && free < needed
    {
        return Err(StoreError::new(
            ErrorKind::Io,
            format!(
                "not enough free space to {what}: it needs about {} MB beside the archive, and {} MB are free; nothing was changed",
                needed.div_ceil(1_000_000),
                free / 1_000_000
            ),
        )
        .at(path));
    }
    Ok(())
}

/// Space a `VACUUM` of an archive using `used` bytes needs beside it: the rewritten pages
/// pass through the WAL (a frame header each) before the checkpoint folds them in.
pub(crate) fn vacuum_space(used: u64) -> u64 {
    used + used / 16 + (1 << 20)
}

/// Folds the WAL into the archive and cuts it to nothing. Fails when a reader's snapshot
/// keeps part of it.
pub(crate) fn checkpoint_truncate(conn: &Connection, path: &Path) -> Result<()> {
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|e| StoreError::sqlite("cannot checkpoint the archive", e).at(path))?;
    if busy != 0 {
        return Err(StoreError::new(
            ErrorKind::Busy,
            "cannot fold the write-ahead log into the archive: another process is reading it",
        )
        .at(path));
    }
    Ok(())
}

/// The purge on the writer's connection: free space checked first (the `VACUUM` after
/// rewrites every page in use), the deletion in one transaction, then `VACUUM` and
/// `wal_checkpoint(TRUNCATE)`, so the deleted bytes are in neither the file nor its
/// `-wal` (the writer runs with `secure_delete=ON` as well).
pub(crate) fn run(
    conn: &mut Connection,
    path: &Path,
    before: DateTime<Utc>,
) -> Result<PurgeSummary> {
    let used = used_bytes(conn).map_err(|e| e.at(path))?;
    ensure_free_space(
        path,
        vacuum_space(used),
        "purge (VACUUM rewrites the archive)",
    )?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| StoreError::sqlite("cannot start a write (another writer?)", e).at(path))?;
    let plan = plan(&tx, before).map_err(|e| e.at(path))?;
    let summary = delete(&tx, &plan).map_err(|e| e.at(path))?;
    tx.commit()
        .map_err(|e| StoreError::sqlite("cannot commit", e).at(path))?;
    // The WAL holds the deletion's pages: folded in first, so VACUUM's frames replace them.
    checkpoint_truncate(conn, path)?;
    conn.execute_batch("VACUUM")
        .map_err(|e| StoreError::sqlite("cannot VACUUM the archive after the purge", e).at(path))?;
    checkpoint_truncate(conn, path)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Too little free space is a clear error naming the space needed, before anything.
    #[cfg(unix)]
    #[test]
    fn too_little_free_space_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        assert!(free_bytes(&path).unwrap().unwrap() > 0);
        ensure_free_space(&path, 1, "purge").unwrap();
        let err = ensure_free_space(&path, u64::MAX / 2, "purge").unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::Io);
        let text = err.to_string();
        assert!(text.contains("not enough free space to purge"), "{text}");
        assert!(text.contains("MB are free; nothing was changed"), "{text}");
    }

    /// A raw body names a meeting by a parameter value (a list too), a body value (a
    /// number, or inside JSON held in a string), or in a text body.
    #[test]
    fn a_raw_body_names_a_meeting_by_any_value() {
        let ids: BTreeSet<String> = ["u1==", "4242"].iter().map(|s| (*s).to_owned()).collect();
        assert!(names_any(r#"{"uuids":"a==, u1=="}"#, b"j{}", &ids));
        assert!(names_any(
            "{}",
            br#"j{"data":[{"conferenceId":4242}]}"#,
            &ids
        ));
        assert!(names_any("{}", br#"j{"x":"{\"uuid\":\"u1==\"}"}"#, &ids));
        assert!(names_any("{}", b"t<html>u1==</html>", &ids));
        assert!(!names_any(
            r#"{"to":"2024-01-31"}"#,
            br#"j{"data":[{"uuid":"u2=="}],"n":424}"#,
            &ids
        ));
    }
}
