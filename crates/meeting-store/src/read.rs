//! Reading: the read-only [`Archive`], its streaming query and its maintenance reports.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use meeting_core::{Meeting, SavedResponse, Source, Status, Vendor};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::codec::{decompress, parse_date, parse_record, parse_time, record_text, time_text};
use crate::error::{ErrorKind, Result, StoreError};
use crate::model::{
    Cursor, Info, MonthCount, Observation, Problem, PurgeSummary, Query, RawResponse, Refresh,
    RunManifest, SecretText,
};
use crate::{schema, write};

/// Quanshi bookings are refreshed until this many days after their scheduled end.
pub const REFRESH_GRACE_DAYS: i64 = 7;

/// Rows fetched per page by [`Meetings`]: what bounds its memory.
const PAGE: i64 = 256;

/// A read-only view of an archive. Opening never creates the file and never writes to it.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    conn: Connection,
}

/// A stored raw response row.
type RawRow = (i64, String, String, String, u16, String, Vec<u8>);

/// A room as the archive knows it: the latest name and every name it was seen under.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct RoomRecord {
    /// The room id (Systec `host_id`, or a booked room's id).
    pub id: String,
    /// The name observed last.
    pub name: String,
    /// Every name observed, the current one included, sorted.
    pub aliases: Vec<String>,
}

fn db(what: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::sqlite(what, e)
}

impl Archive {
    /// Opens an existing archive read-only.
    ///
    /// # Errors
    /// `NotFound` when there is no file; `NotAnArchive` when it is not SQLite, damaged or
    /// another program's database; `NewerVersion`; `NeedsMigration` (older schema: open a
    /// [`Writer`](crate::Writer) once to migrate it).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Archive> {
        let path = path.as_ref().to_path_buf();
        let conn = schema::open_read_only(&path)?;
        Ok(Archive { path, conn })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: StoreError) -> StoreError {
        e.at(&self.path)
    }

    /// The meetings matching `query`, streamed in pages (memory bounded by a page), in
    /// output order: start ascending, meetings without a start last, then key. The stream
    /// reads one snapshot of the archive (a read transaction held until it is dropped).
    ///
    /// # Errors
    /// Each item: `BadRecord` for a stored record that does not parse, `Database`.
    pub fn meetings(&self, query: &Query) -> Meetings<'_> {
        let (filter, params) = filter_sql(query);
        Meetings {
            archive: self,
            filter,
            params,
            after: After::Start,
            buffer: VecDeque::new(),
            done: false,
            snapshot: false,
        }
    }

    /// The current observations of `key`, one per source.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn observations(&self, key: &str) -> Result<Vec<Observation>> {
        let mut out = Vec::new();
        for o in write::observations_of(&self.conn, key).map_err(|e| self.err(e))? {
            let meeting = parse_record(&o.record, key).map_err(|e| self.err(e))?;
            let fetched = parse_time(&o.fetched_at, key).map_err(|e| self.err(e))?;
            out.push(Observation::new(o.profile, fetched, meeting));
        }
        Ok(out)
    }

    /// The report stubs held, by key then record.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn stubs(&self) -> Result<Vec<Meeting>> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, record FROM report_stubs ORDER BY key, record")
            .map_err(|e| self.err(StoreError::sqlite("cannot read stubs", e)))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(StoreError::sqlite("cannot read stubs", e)))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, record) =
                row.map_err(|e| self.err(StoreError::sqlite("cannot read stubs", e)))?;
            out.push(parse_record(&record, &key).map_err(|e| self.err(e))?);
        }
        Ok(out)
    }

    /// The sync cursor of `profile` and `vendor`.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn cursor(&self, profile: &str, vendor: Vendor) -> Result<Option<Cursor>> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT through, run_id FROM sync_cursors WHERE profile = ?1 AND vendor = ?2",
                params![profile, vendor.name()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(StoreError::sqlite("cannot read a cursor", e)))?;
        row.map(|(through, run)| {
            let through = parse_date(&through, "sync cursor").map_err(|e| self.err(e))?;
            Ok(Cursor::new(profile, vendor, through, run))
        })
        .transpose()
    }

    /// The Quanshi records of `profile` that are not over yet, to look up again: the
    /// reservations (`quanshi:conference:`) whose join link is kept, until 7 days after
    /// their scheduled end (or while it is unknown); the occurrences (`quanshi:temp:`) that
    /// are not ended or cancelled. By key. The links are secret: never print them.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn quanshi_to_refresh(
        &self,
        profile: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Refresh>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.key, m.record, l.join_link FROM meetings m
                 LEFT JOIN quanshi_links l ON l.key = m.key
                 WHERE m.vendor = 'quanshi' AND m.profile = ?1 ORDER BY m.key",
            )
            .map_err(|e| self.err(StoreError::sqlite("cannot read Quanshi records", e)))?;
        let rows = stmt
            .query_map([profile], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| self.err(StoreError::sqlite("cannot read Quanshi records", e)))?;
        let grace = chrono::TimeDelta::days(REFRESH_GRACE_DAYS);
        let mut out = Vec::new();
        for row in rows {
            let (key, record, link) =
                row.map_err(|e| self.err(StoreError::sqlite("cannot read Quanshi records", e)))?;
            let m = parse_record(&record, &key).map_err(|e| self.err(e))?;
            if key.starts_with("quanshi:conference:") {
                let open = m.scheduled_end.is_none_or(|end| now < end + grace);
                if let (true, Some(link)) = (open, link) {
                    out.push(Refresh::Reservation {
                        key,
                        join_link: SecretText::new(link),
                    });
                }
            } else if key.starts_with("quanshi:temp:")
                && !matches!(m.status, Status::Ended | Status::Cancelled)
                && let Some(id) = m.occurrence_id.clone()
            {
                out.push(Refresh::Occurrence { key, temp_id: id });
            }
        }
        Ok(out)
    }

    /// Every run manifest, by start time.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn runs(&self) -> Result<Vec<RunManifest>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, manifest, profile FROM runs ORDER BY started_at, id")
            .map_err(|e| self.err(StoreError::sqlite("cannot read runs", e)))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(StoreError::sqlite("cannot read runs", e)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, manifest, profile) =
                row.map_err(|e| self.err(StoreError::sqlite("cannot read runs", e)))?;
            let mut run: RunManifest = serde_json::from_str(&manifest).map_err(|e| {
                self.err(StoreError::bad_record(format!(
                    "run {id}: manifest does not parse: {e}"
                )))
            })?;
            run.id.get_or_insert(id);
            run.profile.get_or_insert(profile);
            out.push(run);
        }
        Ok(out)
    }

    /// The rooms known (with an id), by id.
    ///
    /// # Errors
    /// `Database`.
    pub fn rooms(&self) -> Result<Vec<RoomRecord>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, r.name, a.name FROM rooms r JOIN room_aliases a ON a.room_id = r.id
                 ORDER BY r.id, a.name",
            )
            .map_err(|e| self.err(StoreError::sqlite("cannot read rooms", e)))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(StoreError::sqlite("cannot read rooms", e)))?;
        let mut out: Vec<RoomRecord> = Vec::new();
        for row in rows {
            let (id, name, alias) =
                row.map_err(|e| self.err(StoreError::sqlite("cannot read rooms", e)))?;
            match out.last_mut() {
                Some(last) if last.id == id => last.aliases.push(alias),
                _ => out.push(RoomRecord {
                    id,
                    name,
                    aliases: vec![alias],
                }),
            }
        }
        Ok(out)
    }

    /// The raw responses held (bodies inflated, secrets already removed), by fetch time.
    ///
    /// # Errors
    /// `BadRecord`, `Database`.
    pub fn raw_responses(&self) -> Result<Vec<RawResponse>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, profile, endpoint, fetched_at, http_status, params, body
                 FROM raw_responses ORDER BY fetched_at, id",
            )
            .map_err(|e| self.err(StoreError::sqlite("cannot read raw responses", e)))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| self.err(StoreError::sqlite("cannot read raw responses", e)))?;
        let mut out = Vec::new();
        while let Some(row) = rows
            .next()
            .map_err(|e| self.err(StoreError::sqlite("cannot read raw responses", e)))?
        {
            let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<RawRow> {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            };
            let (id, profile, endpoint, fetched, status, params, body) = read(row)
                .map_err(|e| self.err(StoreError::sqlite("cannot read raw responses", e)))?;
            let what = format!("raw response {id}");
            let endpoint = Source::from_name(&endpoint).ok_or_else(|| {
                self.err(StoreError::bad_record(format!(
                    "{what}: unknown endpoint `{endpoint}`"
                )))
            })?;
            let fetched = parse_time(&fetched, &what).map_err(|e| self.err(e))?;
            let params: BTreeMap<String, String> = serde_json::from_str(&params).map_err(|e| {
                self.err(StoreError::bad_record(format!("{what}: parameters: {e}")))
            })?;
            let body = decompress(&body, &what).map_err(|e| self.err(e))?;
            let mut saved = SavedResponse::new(endpoint, params, fetched, status, b"");
            saved.body = None;
            saved.body_text = None;
            match body.split_first() {
                Some((b'j', json)) => {
                    saved.body = Some(
                        serde_json::from_slice::<Box<serde_json::value::RawValue>>(json).map_err(
                            |e| self.err(StoreError::bad_record(format!("{what}: body: {e}"))),
                        )?,
                    );
                }
                Some((b't', text)) => {
                    saved.body_text = Some(String::from_utf8_lossy(text).into_owned());
                }
                _ => {
                    return Err(
                        self.err(StoreError::bad_record(format!("{what}: unknown body tag")))
                    );
                }
            }
            out.push(RawResponse::new(profile, saved));
        }
        Ok(out)
    }

    /// Runs SQLite's `integrity_check` and the archive's invariants; an empty list means
    /// the archive is sound. The invariants: every participant, call and booked room
    /// belongs to a meeting; no stub key among meetings or observations; every meeting has
    /// observations and every observed key a meeting; each meeting equals the merge of its
    /// observations (record, profile, last observation time) and its child rows match its
    /// record; each cursor names a stored run with a completed window of its vendor ending
    /// on the cursor's day.
    ///
    /// # Errors
    /// `Database` when the checks themselves cannot run.
    pub fn check(&self) -> Result<Vec<Problem>> {
        self.check_inner().map_err(|e| self.err(e))
    }

    fn check_inner(&self) -> Result<Vec<Problem>> {
        let c = &self.conn;
        let mut problems = Vec::new();
        let mut stmt = c
            .prepare("PRAGMA integrity_check")
            .map_err(db("integrity check"))?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(db("integrity check"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(db("integrity check"))?;
        for row in rows.into_iter().filter(|r| r != "ok") {
            problems.push(Problem::new(None, format!("SQLite integrity check: {row}")));
        }
        let keyed = |sql: &str, message: &str, problems: &mut Vec<Problem>| -> Result<()> {
            let mut stmt = c.prepare(sql).map_err(db("invariant check"))?;
            let keys: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .map_err(db("invariant check"))?
                .collect::<rusqlite::Result<_>>()
                .map_err(db("invariant check"))?;
            problems.extend(keys.iter().map(|k| Problem::new(Some(k), message)));
            Ok(())
        };
        for table in ["participants", "phone_calls", "booked_rooms"] {
            keyed(
                &format!(
                    "SELECT DISTINCT key FROM {table} WHERE key NOT IN (SELECT key FROM meetings) ORDER BY key"
                ),
                &format!("{table} rows without a meeting"),
                &mut problems,
            )?;
        }
        keyed(
            "SELECT key FROM meetings WHERE key LIKE 'systec:stub:%'
             UNION SELECT key FROM observations WHERE key LIKE 'systec:stub:%' ORDER BY 1",
            "a report stub stored as a meeting",
            &mut problems,
        )?;
        keyed(
            "SELECT DISTINCT key FROM observations WHERE key NOT IN (SELECT key FROM meetings) ORDER BY key",
            "observations without a meeting",
            &mut problems,
        )?;
        keyed(
            "SELECT key FROM meetings WHERE key NOT IN (SELECT key FROM observations) ORDER BY key",
            "a meeting without observations",
            &mut problems,
        )?;
        // Each meeting against the merge of its observations, one key at a time.
        let mut after = String::new();
        loop {
            let mut stmt = c
                .prepare_cached(
                    "SELECT key, record, profile, observed_at,
                         (SELECT count(*) FROM participants p WHERE p.key = m.key),
                         (SELECT count(*) FROM phone_calls p WHERE p.key = m.key),
                         (SELECT count(*) FROM booked_rooms p WHERE p.key = m.key)
                     FROM meetings m WHERE key > ?1 ORDER BY key LIMIT ?2",
                )
                .map_err(db("invariant check"))?;
            type Row = (String, String, String, String, i64, i64, i64);
            let page: Vec<Row> = stmt
                .query_map(params![after, PAGE], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })
                .map_err(db("invariant check"))?
                .collect::<rusqlite::Result<_>>()
                .map_err(db("invariant check"))?;
            let Some(last) = page.last() else { break };
            after.clone_from(&last.0);
            for (key, record, profile, observed, np, nc, nr) in page {
                let rebuilt = match write::merged_of(c, &key) {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(Problem::new(Some(&key), e.to_string()));
                        continue;
                    }
                };
                let Some(write::Merged {
                    meeting: merged,
                    profile: want_profile,
                    observed: want_observed,
                    ..
                }) = rebuilt
                else {
                    continue; // reported above: no observations
                };
                if record_text(&merged)? != record {
                    problems.push(Problem::new(
                        Some(&key),
                        "the stored meeting differs from the merge of its observations",
                    ));
                }
                if profile != want_profile || observed != want_observed {
                    problems.push(Problem::new(
                        Some(&key),
                        format!("profile/observed_at {profile}/{observed} should be {want_profile}/{want_observed}"),
                    ));
                }
                let len = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                if (np, nc, nr)
                    != (
                        len(merged.participants.len()),
                        len(merged.phone_calls.len()),
                        len(merged.rooms.len()),
                    )
                {
                    problems.push(Problem::new(
                        Some(&key),
                        format!(
                            "child rows (participants, calls, booked rooms) {np}/{nc}/{nr} do not match the record's {}/{}/{}",
                            merged.participants.len(),
                            merged.phone_calls.len(),
                            merged.rooms.len()
                        ),
                    ));
                }
            }
        }
        // Cursors against runs.
        let runs: BTreeMap<String, RunManifest> = self
            .runs()?
            .into_iter()
            .map(|r| (r.id.clone().unwrap_or_default(), r))
            .collect();
        let mut stmt = c
            .prepare("SELECT profile, vendor, through, run_id FROM sync_cursors ORDER BY 1, 2")
            .map_err(db("invariant check"))?;
        let cursors: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(db("invariant check"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(db("invariant check"))?;
        for (profile, vendor, through, run_id) in cursors {
            let name = format!("sync cursor {profile}/{vendor}");
            let Some(run) = runs.get(&run_id) else {
                problems.push(Problem::new(
                    None,
                    format!("{name}: its run {run_id} is not stored"),
                ));
                continue;
            };
            if run.profile.as_deref() != Some(profile.as_str()) {
                problems.push(Problem::new(
                    None,
                    format!(
                        "{name}: its run {run_id} is of profile {}",
                        run.profile.as_deref().unwrap_or("(none)")
                    ),
                ));
            }
            let ok = run
                .windows_done
                .iter()
                .any(|w| w.vendor.name() == vendor && w.to.to_string() == through);
            if !ok {
                problems.push(Problem::new(
                    None,
                    format!("{name}: at {through}, but run {run_id} completed no {vendor} window ending then"),
                ));
            }
        }
        Ok(problems)
    }

    /// What [`Writer::purge`](crate::Writer::purge) with the same `before` would delete,
    /// deleting nothing (`archive purge --dry-run`, and the question before a purge).
    ///
    /// # Errors
    /// `Database`.
    pub fn purge_preview(&self, before: chrono::DateTime<chrono::Utc>) -> Result<PurgeSummary> {
        let c = &self.conn;
        let cut = time_text(before);
        let day = before.date_naive().to_string();
        let count = |sql: &str, args: &[&str]| -> Result<u64> {
            c.query_row(sql, params_from_iter(args.iter()), |r| r.get::<_, i64>(0))
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(db("cannot count what a purge would delete"))
        };
        Ok(PurgeSummary {
            meetings: count(
                "SELECT count(*) FROM meetings WHERE coalesce(start_at, scheduled_start_at) < ?1",
                &[&cut],
            )?,
            observations: count(
                "SELECT count(*) FROM observations WHERE key IN
                 (SELECT key FROM meetings WHERE coalesce(start_at, scheduled_start_at) < ?1)",
                &[&cut],
            )?,
            stubs: count(
                "SELECT count(*) FROM report_stubs WHERE start_at < ?1",
                &[&cut],
            )?,
            raw_responses: count(
                "SELECT count(*) FROM raw_responses WHERE window_end < ?1
                     OR (window_end IS NULL AND fetched_at < ?2)",
                &[&day, &cut],
            )?,
        })
    }

    /// What the archive holds: size, schema version, meetings per profile, vendor and
    /// month, the last sync, cursors, runs with gaps.
    ///
    /// # Errors
    /// `Io`, `Database`, `BadRecord`.
    pub fn info(&self) -> Result<Info> {
        self.info_inner().map_err(|e| self.err(e))
    }

    fn info_inner(&self) -> Result<Info> {
        let c = &self.conn;
        let mut size = fs::metadata(&self.path)
            .map_err(|e| StoreError::io("cannot read the archive's size", e))?
            .len();
        if let Some(wal) = schema::sidecars(&self.path).first() {
            size += fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
        }
        let schema_version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db("info"))?;
        let mut stmt = c
            .prepare(
                "SELECT profile, vendor, substr(start_at, 1, 7) AS month, count(*) FROM meetings
                 GROUP BY profile, vendor, month ORDER BY profile, vendor, (month IS NULL), month",
            )
            .map_err(db("info"))?;
        let meetings = stmt
            .query_map([], |r| {
                Ok(MonthCount {
                    profile: r.get(0)?,
                    vendor: r.get(1)?,
                    month: r.get(2)?,
                    meetings: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                })
            })
            .map_err(db("info"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(db("info"))?;
        let count = |table: &str| -> Result<u64> {
            c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(db("info"))
        };
        let last: Option<String> = c
            .query_row("SELECT max(finished_at) FROM runs", [], |r| r.get(0))
            .map_err(db("info"))?;
        let last_sync = last.map(|t| parse_time(&t, "runs")).transpose()?;
        let mut stmt = c
            .prepare("SELECT profile, vendor, through FROM sync_cursors ORDER BY 1, 2")
            .map_err(db("info"))?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(db("info"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(db("info"))?;
        let mut cursors = BTreeMap::new();
        for (profile, vendor, through) in rows {
            cursors.insert(
                format!("{profile}/{vendor}"),
                parse_date(&through, "sync cursor")?,
            );
        }
        Ok(Info {
            path: self.path.clone(),
            size_bytes: size,
            schema_version,
            meetings,
            stubs: count("report_stubs")?,
            observations: count("observations")?,
            raw_responses: count("raw_responses")?,
            last_sync,
            cursors,
            runs_with_gaps: self
                .runs()?
                .into_iter()
                .filter(RunManifest::has_gaps)
                .collect(),
        })
    }

    /// Writes one consistent copy of the archive to `dest` (`VACUUM INTO`), created with
    /// mode 0600. `dest` must not exist.
    ///
    /// # Errors
    /// `InvalidInput` when `dest` exists or is not UTF-8; `Io`; `Database`.
    pub fn backup(&self, dest: impl AsRef<Path>) -> Result<()> {
        let dest = dest.as_ref();
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
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                StoreError::new(
                    ErrorKind::InvalidInput,
                    "backup: the file already exists; choose a new name",
                )
                .at(dest)
            } else {
                StoreError::io("backup: cannot create the file", e).at(dest)
            }
        })?;
        let result = self
            .conn
            .execute("VACUUM INTO ?1", [text])
            .map_err(|e| StoreError::sqlite("backup failed", e).at(dest))
            .and_then(|_| schema::set_private(dest));
        if result.is_err() {
            let _ = fs::remove_file(dest);
        }
        result
    }
}

/// The WHERE clause and its parameters for a query.
fn filter_sql(q: &Query) -> (String, Vec<SqlValue>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let push = |params: &mut Vec<SqlValue>, v: SqlValue| -> String {
        params.push(v);
        format!("?{}", params.len())
    };
    let list = |items: &[String]| -> SqlValue {
        SqlValue::Text(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
    };
    if let Some(from) = q.from {
        let p = push(&mut params, SqlValue::Text(time_text(from)));
        clauses.push(format!("start_at >= {p}"));
    }
    if let Some(to) = q.to {
        let p = push(&mut params, SqlValue::Text(time_text(to)));
        clauses.push(format!("start_at < {p}"));
    }
    if let Some(vendor) = q.vendor {
        let p = push(&mut params, SqlValue::Text(vendor.name().into()));
        clauses.push(format!("vendor = {p}"));
    }
    if !q.profiles.is_empty() {
        let p = push(&mut params, list(&q.profiles));
        clauses.push(format!("profile IN (SELECT value FROM json_each({p}))"));
    }
    if !q.hosts.is_empty() {
        let p = push(&mut params, list(&q.hosts));
        clauses.push(format!(
            "(host_name IN (SELECT value FROM json_each({p})) OR host_id IN (SELECT value FROM json_each({p}))
              OR host_email IN (SELECT value FROM json_each({p})))"
        ));
    }
    if !q.rooms.is_empty() {
        let p = push(&mut params, list(&q.rooms));
        // The room ids named by id, current name or alias; then every name of those rooms.
        let ids = format!(
            "(SELECT value FROM json_each({p}) UNION SELECT room_id FROM room_aliases
                 WHERE name IN (SELECT value FROM json_each({p})))"
        );
        clauses.push(format!(
            "(room_id IN {ids} OR room_name IN (SELECT value FROM json_each({p}))
              OR room_name IN (SELECT name FROM room_aliases WHERE room_id IN {ids})
              OR EXISTS (SELECT 1 FROM booked_rooms b WHERE b.key = meetings.key
                  AND (b.id IN {ids} OR b.name IN (SELECT value FROM json_each({p})))))"
        ));
    }
    let filter = if clauses.is_empty() {
        "1".to_owned()
    } else {
        clauses.join(" AND ")
    };
    (filter, params)
}

/// The streaming result of [`Archive::meetings`]: an iterator of meetings, read a page at a
/// time (keyset pagination on start, key) inside one read transaction.
#[derive(Debug)]
pub struct Meetings<'a> {
    archive: &'a Archive,
    filter: String,
    params: Vec<SqlValue>,
    /// Where the next page starts.
    after: After,
    buffer: VecDeque<Meeting>,
    done: bool,
    snapshot: bool,
}

/// Where the next page of [`Meetings`] starts: the meetings with a start come first, by
/// (start, key), then those without, by key. Each page seeks the `meetings_order` index
/// (`(start_at IS NULL), start_at, key`) to its first row, so reading the archive is linear
/// (a row-value comparison over `coalesce(start_at, '')` cannot seek and made every page
/// scan the archive from its first row).
#[derive(Debug)]
enum After {
    /// Nothing read yet.
    Start,
    /// The last meeting read had this start and key.
    Started(String, String),
    /// Every meeting with a start is read; the last one without had this key (`None`: none
    /// read yet).
    Unstarted(Option<String>),
}

/// The query of one page of [`Meetings`] after `after`, and its parameters.
fn page_sql(filter: &str, params: &[SqlValue], after: &After) -> (String, Vec<SqlValue>) {
    let mut params = params.to_vec();
    let n = params.len();
    let mut sql =
        format!("SELECT coalesce(start_at, ''), key, record FROM meetings WHERE ({filter})");
    match after {
        After::Start => sql.push_str(" AND (start_at IS NULL) = 0"),
        After::Started(start, key) => {
            sql.push_str(&format!(
                " AND (start_at IS NULL) = 0 AND (start_at, key) > (?{}, ?{})",
                n + 1,
                n + 2
            ));
            params.push(SqlValue::Text(start.clone()));
            params.push(SqlValue::Text(key.clone()));
        }
        After::Unstarted(None) => {
            sql.push_str(" AND (start_at IS NULL) = 1 AND start_at IS NULL");
        }
        After::Unstarted(Some(key)) => {
            sql.push_str(&format!(
                " AND (start_at IS NULL) = 1 AND start_at IS NULL AND key > ?{}",
                n + 1
            ));
            params.push(SqlValue::Text(key.clone()));
        }
    }
    sql.push_str(&format!(" ORDER BY start_at, key LIMIT {PAGE}"));
    (sql, params)
}

impl Meetings<'_> {
    fn fill(&mut self) -> Result<()> {
        let conn = &self.archive.conn;
        if !self.snapshot && conn.is_autocommit() {
            conn.execute_batch("BEGIN")
                .map_err(|e| StoreError::sqlite("cannot start a read", e))?;
            self.snapshot = true;
        }
        loop {
            let (sql, params) = page_sql(&self.filter, &self.params, &self.after);
            let unstarted = matches!(self.after, After::Unstarted(_));
            let mut stmt = conn
                .prepare_cached(&sql)
                .map_err(|e| StoreError::sqlite("cannot query meetings", e))?;
            let mut rows = stmt
                .query(params_from_iter(params))
                .map_err(|e| StoreError::sqlite("cannot query meetings", e))?;
            let mut got = 0;
            while let Some(row) = rows
                .next()
                .map_err(|e| StoreError::sqlite("cannot query meetings", e))?
            {
                let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<(String, String, String)> {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                };
                let (start, key, record) =
                    read(row).map_err(|e| StoreError::sqlite("cannot query meetings", e))?;
                let meeting = parse_record(&record, &key)?;
                self.after = if unstarted {
                    After::Unstarted(Some(key))
                } else {
                    After::Started(start, key)
                };
                self.buffer.push_back(meeting);
                got += 1;
            }
            if got == PAGE {
                return Ok(());
            }
            if unstarted {
                self.done = true;
                return Ok(());
            }
            // The meetings with a start are all read: those without, next.
            self.after = After::Unstarted(None);
            if got > 0 {
                return Ok(());
            }
        }
    }

    fn end_snapshot(&mut self) {
        if self.snapshot {
            let _ = self.archive.conn.execute_batch("COMMIT");
            self.snapshot = false;
        }
    }
}

impl Iterator for Meetings<'_> {
    type Item = Result<Meeting>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty()
            && !self.done
            && let Err(e) = self.fill()
        {
            self.done = true;
            self.end_snapshot();
            return Some(Err(e.at(&self.archive.path)));
        }
        match self.buffer.pop_front() {
            Some(m) => Some(Ok(m)),
            None => {
                self.end_snapshot();
                None
            }
        }
    }
}

impl Drop for Meetings<'_> {
    fn drop(&mut self) {
        self.end_snapshot();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan of every page's query: a seek into `meetings_order`, no scan of the table
    /// and no sort (either makes each page cost the whole archive, and a read quadratic).
    #[test]
    fn every_page_seeks_the_order_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        crate::Writer::open(&path).unwrap().close().unwrap();
        let archive = Archive::open_read_only(&path).unwrap();
        let mut timed = Query::all();
        timed.from = chrono::DateTime::from_timestamp(1_700_000_000, 0);
        timed.to = chrono::DateTime::from_timestamp(1_800_000_000, 0);
        timed.vendor = Some(Vendor::Systec);
        for query in [Query::all(), timed] {
            let (filter, params) = filter_sql(&query);
            for after in [
                After::Start,
                After::Started("2024-01-01T00:00:00Z".into(), "systec:x".into()),
                After::Unstarted(None),
                After::Unstarted(Some("quanshi:y".into())),
            ] {
                let (sql, params) = page_sql(&filter, &params, &after);
                let mut stmt = archive
                    .conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .unwrap();
                let plan: Vec<String> = stmt
                    .query_map(params_from_iter(params), |r| r.get::<_, String>(3))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                let text = plan.join(" | ");
                assert!(
                    text.contains("SEARCH meetings USING INDEX meetings_order"),
                    "{after:?}: {text}"
                );
                assert!(
                    !text.contains("SCAN meetings") && !text.contains("TEMP B-TREE"),
                    "{after:?}: {text}"
                );
            }
        }
    }
}
