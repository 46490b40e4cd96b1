//! Reading: the read-only [`Archive`], its streaming query and its maintenance reports.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use meeting_core::{Meeting, SavedResponse, Source, Vendor};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::codec::{decompress, exact_time_text, parse_date, parse_record, parse_time};
use crate::error::{ErrorKind, Result, StoreError};
use crate::model::{
    Cursor, Info, MonthCount, Observation, Problem, PurgeSummary, Query, RawResponse, Refresh,
    RunManifest, SecretText,
};
use crate::summary_row::{self, StoredSummary, SummaryBatch};
use crate::{schema, write};

/// Quanshi bookings are refreshed until this many days after their scheduled end.
pub const REFRESH_GRACE_DAYS: i64 = 7;

/// Rows fetched per page by [`Meetings`]: what bounds its memory.
const PAGE: i64 = 256;

/// The order in which [`Archive::each_summary`] hands out summary rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SummaryOrder {
    /// Output order: effective start ascending, meetings without one last, then key (as
    /// [`Archive::summaries`]).
    Output,
    /// Key order.
    Key,
    /// The order the rows are stored in: the cheapest to read (a walk of the table, no
    /// index and no seek per row), but it depends on the order they were written in; for
    /// readers whose result does not depend on the order (`stats`' passes).
    Stored,
}

/// A summary row as [`Archive::summaries_inner`] hands it over: as read (of the current
/// rules), or recomputed from its observations (of older rules).
enum Row<'s, 'r> {
    Current(&'r rusqlite::Row<'s>),
    Rebuilt(Box<StoredSummary>),
}

/// Which fields of the summary rows [`Archive::each_summary_fields`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SummaryFields {
    /// Every field.
    All,
    /// What room identity and the report stubs read, and no more: the key, vendor, report
    /// state, observation time, meeting number, occurrence id, the room (and booked rooms)
    /// and the event id. The rest is not read: the summary's other fields are as in
    /// [`MeetingSummary::empty`](meeting_core::MeetingSummary::empty) (the event kind the
    /// key's), the row's profile is empty and its fetch time the Unix epoch.
    Identity,
}

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
            out.push(if o.source == crate::model::NEUTRAL {
                Observation::neutral(o.profile, fetched, meeting)
            } else {
                Observation::new(o.profile, fetched, meeting)
            });
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
                "SELECT s.key, s.status, s.scheduled_end, s.occurrence_id, l.join_link
                 FROM summaries s LEFT JOIN quanshi_links l ON l.key = s.key
                 WHERE s.vendor = 'quanshi' AND s.profile = ?1 ORDER BY s.key",
            )
            .map_err(|e| self.err(StoreError::sqlite("cannot read Quanshi records", e)))?;
        type Row = (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = stmt
            .query_map([profile], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(StoreError::sqlite("cannot read Quanshi records", e)))?;
        let grace = chrono::TimeDelta::days(REFRESH_GRACE_DAYS);
        let mut out = Vec::new();
        for (key, status, scheduled_end, occurrence_id, link) in rows {
            let scheduled_end = scheduled_end
                .map(|t| parse_time(&t, &key))
                .transpose()
                .map_err(|e| self.err(e))?;
            let over = matches!(status.as_str(), "ended" | "cancelled");
            if key.starts_with("quanshi:conference:") {
                let open = scheduled_end.is_none_or(|end| now < end + grace);
                if let (true, Some(link)) = (open, link) {
                    out.push(Refresh::Reservation {
                        key,
                        join_link: SecretText::new(link),
                    });
                }
            } else if key.starts_with("quanshi:temp:")
                && !over
                && let Some(id) = occurrence_id
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

    /// The rooms known (with an id), by id: every name a room id was seen under (the
    /// Systec room of a meeting, or a booked room with an id) is an alias; the room's name
    /// is the alias of the meeting observed last (ties: the greater name). Read from the
    /// summary rows, so a purge forgets names seen only in purged meetings.
    ///
    /// # Errors
    /// `Database`.
    pub fn rooms(&self) -> Result<Vec<RoomRecord>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, name, max(fetched_at) FROM ({ALIASES}) GROUP BY id, name ORDER BY id, name"
            ))
            .map_err(|e| self.err(StoreError::sqlite("cannot read rooms", e)))?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(|e| self.err(StoreError::sqlite("cannot read rooms", e)))?;
        let mut out: Vec<(RoomRecord, String)> = Vec::new();
        for (id, name, seen) in rows {
            match out.last_mut() {
                Some((last, last_seen)) if last.id == id => {
                    if (&seen, &name) > (&*last_seen, &last.name) {
                        last.name.clone_from(&name);
                        *last_seen = seen;
                    }
                    last.aliases.push(name);
                }
                _ => out.push((
                    RoomRecord {
                        id,
                        name: name.clone(),
                        aliases: vec![name],
                    },
                    seen,
                )),
            }
        }
        Ok(out.into_iter().map(|(r, _)| r).collect())
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
    /// the archive is sound. The invariants: no stub key among summary rows or
    /// observations; every summary row has observations and every observed key a summary
    /// row; every observation's record decompresses with its dictionary, parses, and
    /// matches its stored hash; each summary row equals the one recomputed from the merge
    /// of its key's observations (every column, the profile and fetch time of the newest
    /// observation, the content hash) under the current rules; each cursor names a stored
    /// run with a completed window of its vendor ending on the cursor's day.
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
        keyed(
            "SELECT key FROM summaries WHERE key LIKE 'systec:stub:%'
             UNION SELECT key FROM observations WHERE key LIKE 'systec:stub:%' ORDER BY 1",
            "a report stub stored as a meeting",
            &mut problems,
        )?;
        keyed(
            "SELECT DISTINCT key FROM observations WHERE key NOT IN (SELECT key FROM summaries) ORDER BY key",
            "observations without a summary row",
            &mut problems,
        )?;
        keyed(
            "SELECT key FROM summaries WHERE key NOT IN (SELECT key FROM observations) ORDER BY key",
            "a summary row without observations",
            &mut problems,
        )?;
        self.check_observations(&mut problems)?;
        self.check_summaries(&mut problems)?;
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
        crate::purge::plan(&self.conn, before)
            .map(|p| p.summary())
            .map_err(|e| self.err(e))
    }

    /// Every observation: its record decompresses, is UTF-8 JSON of a meeting, and hashes
    /// to its stored hash.
    fn check_observations(&self, problems: &mut Vec<Problem>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT key, source, hash, dict, record FROM observations ORDER BY key, source",
            )
            .map_err(db("invariant check"))?;
        let mut rows = stmt.query([]).map_err(db("invariant check"))?;
        while let Some(r) = rows.next().map_err(db("invariant check"))? {
            type Obs = (String, String, Vec<u8>, i64, Vec<u8>);
            let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Obs> {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            };
            let (key, source, hash, dict, packed) = read(r).map_err(db("invariant check"))?;
            let what = format!("observation {source}");
            let json = match crate::record::decompress_record(dict, &packed, &what) {
                Ok(j) => j,
                Err(e) => {
                    problems.push(Problem::new(Some(&key), e.to_string()));
                    continue;
                }
            };
            if crate::record::record_hash(&json)[..] != hash[..] {
                problems.push(Problem::new(
                    Some(&key),
                    format!("{what}: the record does not match its hash"),
                ));
            }
            let parsed = std::str::from_utf8(&json)
                .map_err(|e| StoreError::bad_record(format!("{what}: not UTF-8: {e}")))
                .and_then(|t| parse_record(t, &what));
            if let Err(e) = parsed {
                problems.push(Problem::new(Some(&key), e.to_string()));
            }
        }
        Ok(())
    }

    /// Every summary row against the one recomputed from its key's observations.
    fn check_summaries(&self, problems: &mut Vec<Problem>) -> Result<()> {
        let c = &self.conn;
        let mut after = String::new();
        loop {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {}, content_hash FROM summaries WHERE key > ?1 ORDER BY key LIMIT ?2",
                    summary_row::COLUMNS
                ))
                .map_err(db("invariant check"))?;
            // Each row decoded where it is read (the raw row borrows from it): its key,
            // whether it is of the current rules, the summary or why it does not decode.
            type Checked = (String, bool, Option<Result<StoredSummary>>, Vec<u8>);
            let page: Vec<Checked> = stmt
                .query_map(params![after, PAGE], |r| {
                    let raw = summary_row::read_row(&r, SummaryFields::All)?;
                    let key = raw.key().to_owned();
                    let current = summary_row::is_current(&raw);
                    let decoded = current.then(|| summary_row::decode(raw));
                    Ok((key, current, decoded, r.get(34)?))
                })
                .and_then(Iterator::collect)
                .map_err(db("invariant check"))?;
            let Some((last, ..)) = page.last() else { break };
            after.clone_from(last);
            for (key, current, decoded, hash) in page {
                if !current {
                    problems.push(Problem::new(
                        Some(&key),
                        "a summary row of older rules (the next writer rewrites it)",
                    ));
                    continue;
                }
                let stored = match decoded {
                    Some(Ok(s)) => s,
                    Some(Err(e)) => {
                        problems.push(Problem::new(Some(&key), e.to_string()));
                        continue;
                    }
                    None => continue,
                };
                let merged = match write::merged_of(c, &key, true) {
                    Ok(Some(m)) => m,
                    Ok(None) => continue, // reported above: no observations
                    Err(e) => {
                        problems.push(Problem::new(Some(&key), e.to_string()));
                        continue;
                    }
                };
                let want =
                    summary_row::of_meeting(&merged.meeting, &merged.profile, &merged.observed)?;
                if want != stored {
                    problems.push(Problem::new(
                        Some(&key),
                        "the summary row differs from the merge of its observations",
                    ));
                }
                if merged.content_hash[..] != hash[..] {
                    problems.push(Problem::new(
                        Some(&key),
                        "the summary row's content hash differs from the merge of its observations",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The archive's key for the pseudonyms of masked reports: random, made by the first
    /// writer, kept by purge, so that a person keeps one pseudonym across every report of
    /// this archive. `None` for an archive no writer of this build has opened yet.
    ///
    /// # Errors
    /// `Database`.
    pub fn pseudonym_key(&self) -> Result<Option<[u8; 16]>> {
        let has_table: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'",
                [],
                |r| r.get::<_, i64>(0).map(|n| n > 0),
            )
            .map_err(db("cannot read the archive's settings"))?;
        if !has_table {
            return Ok(None);
        }
        let value: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE name = 'pseudonym_key'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(db("cannot read the archive's settings"))?;
        Ok(value.and_then(|v| <[u8; 16]>::try_from(v.as_slice()).ok()))
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
                "SELECT profile, vendor, substr(start_at, 1, 7) AS month, count(*) FROM summaries
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

/// Every `(room id, name, fetch time)` the summary rows name: the Systec room of a
/// meeting, and each booked room with an id and a name.
const ALIASES: &str = "SELECT room_id AS id, room_name AS name, fetched_at FROM summaries
        WHERE room_id IS NOT NULL AND room_name IS NOT NULL
    UNION ALL
    SELECT json_extract(b.value, '$[0]'), json_extract(b.value, '$[1]'), s.fetched_at
        FROM summaries s, json_each(s.booked_rooms) b
        WHERE s.booked_rooms IS NOT NULL AND json_extract(b.value, '$[0]') IS NOT NULL
            AND json_extract(b.value, '$[1]') IS NOT NULL";

/// The WHERE clause (over `summaries`) and its parameters for a query.
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
        let p = push(&mut params, SqlValue::Text(exact_time_text(from)));
        clauses.push(format!("effective_start >= {p}"));
    }
    if let Some(to) = q.to {
        let p = push(&mut params, SqlValue::Text(exact_time_text(to)));
        clauses.push(format!("effective_start < {p}"));
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
        // The room ids named by id, name or alias; then every name of those rooms.
        let ids = format!(
            "(SELECT value FROM json_each({p}) UNION SELECT id FROM ({ALIASES})
                 WHERE name IN (SELECT value FROM json_each({p})))"
        );
        clauses.push(format!(
            "(room_id IN {ids} OR room_name IN (SELECT value FROM json_each({p}))
              OR room_name IN (SELECT name FROM ({ALIASES}) WHERE id IN {ids})
              OR EXISTS (SELECT 1 FROM json_each(summaries.booked_rooms) b
                  WHERE json_extract(b.value, '$[0]') IN {ids}
                      OR json_extract(b.value, '$[1]') IN (SELECT value FROM json_each({p}))))"
        ));
    }
    let filter = if clauses.is_empty() {
        "1".to_owned()
    } else {
        clauses.join(" AND ")
    };
    (filter, params)
}

impl Archive {
    /// The summary rows of the meetings matching `query`, in output order (effective start
    /// ascending, meetings without one last, then key), read in one snapshot. A row built
    /// under older rules ([`meeting_core::RULES_VERSION`]) is recomputed from its
    /// observations here (never served stale); the next writer stores it again. Nothing is
    /// decompressed otherwise: this is what `stats` reads.
    ///
    /// # Errors
    /// `BadRecord` for a row that does not decode, `Database`.
    pub fn summaries(&self, query: &Query) -> Result<Vec<StoredSummary>> {
        let mut out = Vec::new();
        self.each_summary(query, SummaryOrder::Output, &mut |s| {
            out.push(s);
            Ok(())
        })?;
        Ok(out)
    }

    /// The summary rows of the meetings matching `query`, as [`Archive::summaries`] reads
    /// them, handed one at a time to `each` in `order`, without holding them: the caller
    /// keeps what it needs. How many were handed.
    ///
    /// # Errors
    /// `BadRecord` for a row that does not decode, `Database`, or the first error of `each`
    /// (which stops the read).
    pub fn each_summary(
        &self,
        query: &Query,
        order: SummaryOrder,
        each: &mut dyn FnMut(StoredSummary) -> Result<()>,
    ) -> Result<u64> {
        self.each_summary_fields(query, order, SummaryFields::All, each)
    }

    /// [`Archive::each_summary`], reading only `fields` of each row (a row built under
    /// older rules is recomputed whole).
    ///
    /// # Errors
    /// As [`Archive::each_summary`].
    pub fn each_summary_fields(
        &self,
        query: &Query,
        order: SummaryOrder,
        fields: SummaryFields,
        each: &mut dyn FnMut(StoredSummary) -> Result<()>,
    ) -> Result<u64> {
        self.summaries_inner(query, order, fields, &mut |row| match row {
            Row::Current(r) => {
                let raw =
                    summary_row::read_row(&r, fields).map_err(db("cannot read summary rows"))?;
                each(summary_row::decode(raw)?)
            }
            Row::Rebuilt(s) => each(*s),
        })
        .map_err(|e| self.err(e))
    }

    /// [`Archive::each_summary_fields`], the rows handed over `rows` at a time as read and
    /// not yet decoded ([`SummaryBatch::decode_each`]): for a reader on one thread and a
    /// decoder on another. How many rows were handed.
    ///
    /// # Errors
    /// As [`Archive::each_summary`].
    pub fn each_summary_batch(
        &self,
        query: &Query,
        order: SummaryOrder,
        fields: SummaryFields,
        rows: usize,
        each: &mut dyn FnMut(SummaryBatch) -> Result<()>,
    ) -> Result<u64> {
        let rows = rows.max(1);
        let mut batch = SummaryBatch::new(fields, rows);
        let n = self
            .summaries_inner(query, order, fields, &mut |row| {
                match row {
                    Row::Current(r) => batch.push_row(r).map_err(db("cannot read summary rows"))?,
                    Row::Rebuilt(s) => batch.push_rebuilt(*s),
                }
                if batch.len() >= rows {
                    each(std::mem::replace(
                        &mut batch,
                        SummaryBatch::new(fields, rows),
                    ))?;
                }
                Ok(())
            })
            .map_err(|e| self.err(e))?;
        if !batch.is_empty() {
            each(batch).map_err(|e| self.err(e))?;
        }
        Ok(n)
    }

    /// Runs `f` in one read transaction: every read `f` makes of this archive sees one
    /// snapshot, so that several passes over the summary rows
    /// ([`Archive::each_summary`]) read the same rows while a writer works.
    ///
    /// # Errors
    /// `Database` when the read cannot start; `f`'s own result otherwise.
    pub fn in_snapshot<T>(&self, f: impl FnOnce(&Archive) -> T) -> Result<T> {
        let c = &self.conn;
        let snapshot = c.is_autocommit();
        if snapshot {
            c.execute_batch("BEGIN")
                .map_err(|e| self.err(StoreError::sqlite("cannot start a read", e)))?;
        }
        let out = f(self);
        if snapshot {
            // A read transaction: ending it cannot lose anything.
            let _ = c.execute_batch("COMMIT");
        }
        Ok(out)
    }

    /// How many summary rows match `query` (as [`Archive::summaries`] would read).
    ///
    /// # Errors
    /// `Database`.
    pub fn summary_count(&self, query: &Query) -> Result<u64> {
        let (filter, params) = filter_sql(query);
        self.conn
            .query_row(
                &format!("SELECT count(*) FROM summaries WHERE ({filter})"),
                params_from_iter(params),
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| self.err(StoreError::sqlite("cannot count summary rows", e)))
    }

    /// The rows of `query` in `order` (their `fields`), each handed to `each` as read or,
    /// of older rules, recomputed from its observations.
    fn summaries_inner(
        &self,
        query: &Query,
        order: SummaryOrder,
        fields: SummaryFields,
        each: &mut dyn FnMut(Row<'_, '_>) -> Result<()>,
    ) -> Result<u64> {
        let (filter, params) = filter_sql(query);
        let c = &self.conn;
        let snapshot = c.is_autocommit();
        if snapshot {
            c.execute_batch("BEGIN")
                .map_err(|e| StoreError::sqlite("cannot start a read", e))?;
        }
        let order_by = match order {
            SummaryOrder::Output => "(effective_start IS NULL), effective_start, key",
            SummaryOrder::Key => "key",
            SummaryOrder::Stored => "rowid",
        };
        let result = (|| {
            let mut stmt = c
                .prepare(&format!(
                    "SELECT {} FROM summaries WHERE ({filter}) ORDER BY {order_by}",
                    match fields {
                        SummaryFields::All => summary_row::COLUMNS,
                        SummaryFields::Identity => summary_row::IDENTITY_COLUMNS,
                    }
                ))
                .map_err(db("cannot read summary rows"))?;
            let mut rows = stmt
                .query(params_from_iter(params))
                .map_err(db("cannot read summary rows"))?;
            let mut n = 0u64;
            while let Some(r) = rows.next().map_err(db("cannot read summary rows"))? {
                let at = |field| summary_row::column(fields, field).unwrap_or(field);
                let rules_version: i64 = r
                    .get(at(summary_row::RULES_FIELD))
                    .map_err(db("cannot read summary rows"))?;
                if rules_version == i64::from(meeting_core::RULES_VERSION) {
                    each(Row::Current(r))?;
                    n += 1;
                    continue;
                }
                let key: String = r
                    .get(at(summary_row::KEY_FIELD))
                    .map_err(db("cannot read summary rows"))?;
                if let Some(m) = write::merged_of(c, &key, false)? {
                    each(Row::Rebuilt(Box::new(summary_row::of_meeting(
                        &m.meeting,
                        &m.profile,
                        &m.observed,
                    )?)))?;
                    n += 1;
                }
            }
            Ok(n)
        })();
        if snapshot {
            let _ = c.execute_batch("COMMIT");
        }
        result
    }

    /// Every meeting of the archive, merged from its observations and decompressed, in
    /// key order (a canonical order: it depends only on what the archive holds, never on
    /// the order of loading), read in one snapshot a page of keys at a time, each handed to
    /// `each`: what `meeting archive dump` writes. Report stubs are not meetings and are
    /// not included ([`Archive::stubs`]).
    ///
    /// # Errors
    /// `BadRecord` for a stored record that does not decompress or parse, `Database`, or
    /// the first error of `each` (which stops the walk).
    pub fn dump(&self, each: &mut dyn FnMut(Meeting) -> Result<()>) -> Result<u64> {
        let c = &self.conn;
        let snapshot = c.is_autocommit();
        if snapshot {
            c.execute_batch("BEGIN")
                .map_err(|e| self.err(StoreError::sqlite("cannot start a read", e)))?;
        }
        let result = (|| {
            let mut after = String::new();
            let mut n = 0u64;
            loop {
                let keys: Vec<String> = c
                    .prepare_cached(
                        "SELECT key FROM summaries WHERE key > ?1 ORDER BY key LIMIT ?2",
                    )
                    .and_then(|mut s| {
                        s.query_map(params![after, PAGE], |r| r.get(0))
                            .and_then(Iterator::collect)
                    })
                    .map_err(db("cannot read the meetings' keys"))?;
                let Some(last) = keys.last() else { break };
                after.clone_from(last);
                for key in &keys {
                    if let Some(m) = write::merged_of(c, key, false)? {
                        each(m.meeting)?;
                        n += 1;
                    }
                }
            }
            Ok(n)
        })();
        if snapshot {
            let _ = c.execute_batch("COMMIT");
        }
        result.map_err(|e| self.err(e))
    }

    /// The meetings of `keys`, each merged from its observations on read, in the order
    /// given (keys without observations are left out).
    ///
    /// # Errors
    /// `BadRecord` for a stored record that does not decompress or parse, `Database`.
    pub fn merged(&self, keys: &[String]) -> Result<Vec<Meeting>> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(m) = write::merged_of(&self.conn, key, false).map_err(|e| self.err(e))? {
                out.push(m.meeting);
            }
        }
        Ok(out)
    }
}

/// The streaming result of [`Archive::meetings`]: an iterator of meetings, read a page of
/// summary rows at a time (keyset pagination on effective start, key) inside one read
/// transaction, each meeting merged from its observations.
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

/// Where the next page of [`Meetings`] starts: the meetings with an effective start come
/// first, by (effective start, key), then those without, by key. Each page seeks the
/// `summaries_order` index (`(effective_start IS NULL), effective_start, key`) to its first
/// row, so reading the archive is linear.
#[derive(Debug)]
enum After {
    /// Nothing read yet.
    Start,
    /// The last meeting read had this effective start and key.
    Started(String, String),
    /// Every meeting with an effective start is read; the last one without had this key
    /// (`None`: none read yet).
    Unstarted(Option<String>),
}

/// The query of one page of [`Meetings`] after `after`, and its parameters.
fn page_sql(filter: &str, params: &[SqlValue], after: &After) -> (String, Vec<SqlValue>) {
    let mut params = params.to_vec();
    let n = params.len();
    let mut sql =
        format!("SELECT coalesce(effective_start, ''), key FROM summaries WHERE ({filter})");
    match after {
        After::Start => sql.push_str(" AND (effective_start IS NULL) = 0"),
        After::Started(start, key) => {
            sql.push_str(&format!(
                " AND (effective_start IS NULL) = 0 AND (effective_start, key) > (?{}, ?{})",
                n + 1,
                n + 2
            ));
            params.push(SqlValue::Text(start.clone()));
            params.push(SqlValue::Text(key.clone()));
        }
        After::Unstarted(None) => {
            sql.push_str(" AND (effective_start IS NULL) = 1 AND effective_start IS NULL");
        }
        After::Unstarted(Some(key)) => {
            sql.push_str(&format!(
                " AND (effective_start IS NULL) = 1 AND effective_start IS NULL AND key > ?{}",
                n + 1
            ));
            params.push(SqlValue::Text(key.clone()));
        }
    }
    sql.push_str(&format!(" ORDER BY effective_start, key LIMIT {PAGE}"));
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
            let page: Vec<(String, String)> = {
                let mut stmt = conn
                    .prepare_cached(&sql)
                    .map_err(|e| StoreError::sqlite("cannot query meetings", e))?;
                stmt.query_map(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))
                    .and_then(Iterator::collect)
                    .map_err(|e| StoreError::sqlite("cannot query meetings", e))?
            };
            let got = page.len();
            for (start, key) in page {
                if let Some(m) = write::merged_of(conn, &key, false)? {
                    self.buffer.push_back(m.meeting);
                }
                self.after = if unstarted {
                    After::Unstarted(Some(key))
                } else {
                    After::Started(start, key)
                };
            }
            if i64::try_from(got).unwrap_or(i64::MAX) == PAGE {
                return Ok(());
            }
            if unstarted {
                self.done = true;
                return Ok(());
            }
            // The meetings with an effective start are all read: those without, next.
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
        while self.buffer.is_empty() && !self.done {
            if let Err(e) = self.fill() {
                self.done = true;
                self.end_snapshot();
                return Some(Err(e.at(&self.archive.path)));
            }
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

    /// The fallback of a read-only file or directory (`immutable=1`) reads the archive as
    /// the normal open does, when the `-wal` is empty; a non-empty `-wal` is refused with
    /// the reason. (Tests may run as root, for whom no permission stops the normal open:
    /// the fallback is opened directly here; `tests/it/open.rs` makes the real directory
    /// read-only when not root.)
    #[test]
    fn the_immutable_fallback_reads_only_without_a_pending_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sqlite");
        let writer = crate::Writer::open(&path).unwrap();
        let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:u1==");
        m.start = chrono::DateTime::from_timestamp(1_700_000_000, 0);
        let at = chrono::DateTime::from_timestamp(1_700_000_100, 0).unwrap();
        writer.load(vec![Observation::new("acme", at, m)]).unwrap();
        writer.close().unwrap();
        let normal = Archive::open_read_only(&path).unwrap();
        let immutable = Archive {
            path: path.clone(),
            conn: schema::open_immutable(&path).unwrap(),
        };
        assert_eq!(
            immutable.summaries(&Query::all()).unwrap(),
            normal.summaries(&Query::all()).unwrap()
        );
        assert_eq!(immutable.check().unwrap(), []);
        drop((normal, immutable));

        // A connection that keeps its commits in the WAL (no checkpoint while it is open).
        let other = Connection::open(&path).unwrap();
        other
            .execute_batch("PRAGMA wal_autocheckpoint=0; DELETE FROM summaries;")
            .unwrap();
        let [wal, _] = schema::sidecars(&path);
        assert!(fs::metadata(&wal).unwrap().len() > 0);
        let err = schema::open_immutable(&path).unwrap_err();
        assert_eq!(*err.kind(), ErrorKind::ReadOnlyWithLog);
        assert!(err.to_string().contains("write-ahead log"), "{err}");
        drop(other);
    }

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
                    text.contains("SEARCH summaries USING")
                        && text.contains("INDEX summaries_order"),
                    "{after:?}: {text}"
                );
                assert!(
                    !text.contains("SCAN summaries") && !text.contains("TEMP B-TREE"),
                    "{after:?}: {text}"
                );
            }
        }
    }
}
