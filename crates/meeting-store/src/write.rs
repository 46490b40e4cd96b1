//! The write path: what one transaction does with a [`WindowCommit`] or a purge.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use meeting_core::Meeting;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::codec::{compress, parse_record, record_text, scrub, time_text};
use crate::error::{Result, StoreError};
use crate::model::{
    Cursor, JoinLink, LoadSummary, PreparedObservation, PurgeSummary, RawResponse, RunManifest,
    WindowCommit,
};
use crate::record::{DICTIONARY_ID, compress_record, decompress_record, record_hash};

fn db(what: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::sqlite(what, e)
}

/// The lower-case word a serde enum serialises to.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

/// How a rebuilt meeting compares with what was stored.
enum Change {
    New,
    Updated,
    Unchanged,
}

/// An observation this commit stored (the current one of its `(key, source)`), kept in
/// memory so that the meeting is rebuilt without reading and parsing it back.
pub(crate) struct Written {
    fetched_at: String,
    profile: String,
    /// The record's stored JSON.
    record: String,
    meeting: Meeting,
    /// The merge of this observation alone and its JSON, when prepared before.
    alone: Option<(Meeting, String)>,
}

/// The observations a commit stored, by key, then by source name (the order in which
/// [`observations_of`] reads them).
type WrittenByKey = BTreeMap<String, BTreeMap<&'static str, Written>>;

/// Applies one commit inside the caller's transaction.
pub(crate) fn apply(conn: &Connection, commit: WindowCommit) -> Result<LoadSummary> {
    let mut summary = LoadSummary::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut written: WrittenByKey = BTreeMap::new();
    let WindowCommit {
        observations,
        raw,
        run,
        cursor,
        join_links,
        prepared,
    } = commit;
    let all = observations
        .into_iter()
        .map(|o| o.prepare_with(false))
        .chain(prepared.into_iter().map(Ok));
    for obs in all {
        let PreparedObservation {
            source,
            profile,
            fetched,
            meeting,
            record,
            alone,
        } = obs?;
        if meeting.is_stub() {
            if store_stub(conn, &meeting, &record, &profile, &fetched)? {
                summary.stubs_new += 1;
            }
            continue;
        }
        seen.insert(meeting.key.clone());
        // Stored when it is the greater observation of its `(key, source)` by
        // `(fetched_at, hash of the record's JSON, profile)` (compared bytewise, as in
        // Rust), or the first: the record compressed with the embedded dictionary.
        let hash = record_hash(record.as_bytes());
        let packed = compress_record(record.as_bytes())?;
        let stored = conn
            .prepare_cached(
                "INSERT INTO observations (key, source, profile, fetched_at, hash, dict, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (key, source) DO UPDATE SET profile = excluded.profile,
                     fetched_at = excluded.fetched_at, hash = excluded.hash,
                     dict = excluded.dict, record = excluded.record
                 WHERE (excluded.fetched_at, excluded.hash, excluded.profile)
                     > (observations.fetched_at, observations.hash, observations.profile)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    meeting.key,
                    source.source_name(),
                    profile,
                    fetched,
                    &hash[..],
                    DICTIONARY_ID,
                    packed
                ])
            })
            .map_err(db("cannot store an observation"))?
            > 0;
        if stored {
            written.entry(meeting.key.clone()).or_default().insert(
                source.source_name(),
                Written {
                    fetched_at: fetched,
                    profile,
                    record,
                    meeting,
                    alone,
                },
            );
            continue;
        }
        // Not newer: the same observation again, or an older one.
        let same = conn
            .prepare_cached(
                "SELECT 1 FROM observations WHERE key = ?1 AND source = ?2
                     AND fetched_at = ?3 AND hash = ?4 AND profile = ?5",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        meeting.key,
                        source.source_name(),
                        fetched,
                        &hash[..],
                        profile
                    ],
                    |_| Ok(()),
                )
                .optional()
            })
            .map_err(db("cannot read an observation"))?
            .is_some();
        if !same {
            summary.stale_observations += 1;
        }
    }
    let mut rooms = RoomChanges::default();
    for key in &seen {
        let Some(fresh) = written.remove(key) else {
            summary.unchanged += 1;
            continue;
        };
        match rebuild(conn, key, &mut rooms, Some(fresh))? {
            Change::New => summary.new += 1,
            Change::Updated => summary.updated += 1,
            Change::Unchanged => summary.unchanged += 1,
        }
    }
    rooms.apply(conn)?;
    for raw in &raw {
        store_raw(conn, raw)?;
        summary.raw_responses += 1;
    }
    if let Some(run) = &run {
        store_run(conn, run)?;
    }
    for link in &join_links {
        store_join_link(conn, link)?;
    }
    if let Some(cursor) = &cursor {
        store_cursor(conn, cursor)?;
    }
    Ok(summary)
}

/// Keeps a reservation's join link (the newest fetch wins; ties: the greater link).
fn store_join_link(conn: &Connection, link: &JoinLink) -> Result<()> {
    conn.execute(
        "INSERT INTO quanshi_links (key, profile, join_link, fetched_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET profile = excluded.profile,
             join_link = excluded.join_link, fetched_at = excluded.fetched_at
         WHERE (excluded.fetched_at, excluded.join_link)
             > (quanshi_links.fetched_at, quanshi_links.join_link)",
        params![
            link.key,
            link.profile,
            link.join_link.expose(),
            time_text(link.fetched_at)
        ],
    )
    .map_err(db("cannot store a join link"))?;
    Ok(())
}

/// Stores a stub; `true` when it was not held.
fn store_stub(
    conn: &Connection,
    stub: &Meeting,
    record: &str,
    profile: &str,
    fetched: &str,
) -> Result<bool> {
    let exists = conn
        .query_row(
            "SELECT 1 FROM report_stubs WHERE key = ?1 AND record = ?2",
            params![stub.key, record],
            |_| Ok(()),
        )
        .optional()
        .map_err(db("cannot read a report stub"))?
        .is_some();
    conn.execute(
        "INSERT INTO report_stubs (key, record, profile, fetched_at, start_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key, record) DO UPDATE SET profile = excluded.profile,
             fetched_at = excluded.fetched_at
         WHERE (excluded.fetched_at, excluded.profile)
             > (report_stubs.fetched_at, report_stubs.profile)",
        params![
            stub.key,
            record,
            profile,
            fetched,
            stub.start.or(stub.scheduled_start).map(time_text)
        ],
    )
    .map_err(db("cannot store a report stub"))?;
    Ok(!exists)
}

/// One stored observation.
pub(crate) struct StoredObservation {
    pub(crate) source: String,
    pub(crate) profile: String,
    pub(crate) fetched_at: String,
    pub(crate) record: String,
}

/// The current observations of `key`, by source, their records decompressed.
pub(crate) fn observations_of(conn: &Connection, key: &str) -> Result<Vec<StoredObservation>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT source, profile, fetched_at, dict, record FROM observations WHERE key = ?1
             ORDER BY source",
        )
        .map_err(db("cannot read observations"))?;
    let rows = stmt
        .query_map([key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })
        .map_err(db("cannot read observations"))?;
    let mut out = Vec::new();
    for row in rows {
        let (source, profile, fetched_at, dict, packed) =
            row.map_err(db("cannot read observations"))?;
        let what = format!("observation {source} of {key}");
        let json = decompress_record(dict, &packed, &what)?;
        let record = String::from_utf8(json)
            .map_err(|e| StoreError::bad_record(format!("{what}: not UTF-8: {e}")))?;
        out.push(StoredObservation {
            source,
            profile,
            fetched_at,
            record,
        });
    }
    Ok(out)
}

/// Schema 4: every observation's record (JSON text until schema 3) compressed with the
/// embedded dictionary, with the hash of its JSON, into a new table that replaces the old.
pub(crate) fn compress_observations(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE observations_v4 (
             key         TEXT NOT NULL,
             source      TEXT NOT NULL,
             profile     TEXT NOT NULL,
             fetched_at  TEXT NOT NULL,
             hash        BLOB NOT NULL,
             dict        INTEGER NOT NULL,
             record      BLOB NOT NULL
         );",
    )
    .map_err(db("cannot create the compressed observations"))?;
    {
        let mut read = conn
            .prepare(
                "SELECT key, source, profile, fetched_at, record FROM observations
                 ORDER BY key, source",
            )
            .map_err(db("cannot read observations"))?;
        let mut insert = conn
            .prepare(
                "INSERT INTO observations_v4 (key, source, profile, fetched_at, hash, dict, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(db("cannot compress observations"))?;
        let mut rows = read.query([]).map_err(db("cannot read observations"))?;
        while let Some(r) = rows.next().map_err(db("cannot read observations"))? {
            let key: String = r.get(0).map_err(db("cannot read observations"))?;
            let source: String = r.get(1).map_err(db("cannot read observations"))?;
            let profile: String = r.get(2).map_err(db("cannot read observations"))?;
            let fetched: String = r.get(3).map_err(db("cannot read observations"))?;
            let record: String = r.get(4).map_err(db("cannot read observations"))?;
            let packed = compress_record(record.as_bytes())?;
            insert
                .execute(params![
                    key,
                    source,
                    profile,
                    fetched,
                    &record_hash(record.as_bytes())[..],
                    DICTIONARY_ID,
                    packed
                ])
                .map_err(db("cannot compress observations"))?;
        }
    }
    conn.execute_batch(
        "DROP TABLE observations;
         ALTER TABLE observations_v4 RENAME TO observations;
         CREATE UNIQUE INDEX observations_key ON observations (key, source);",
    )
    .map_err(db("cannot replace the observations"))
}

/// The meeting `key` rebuilt from its observations: the merged record, its profile (of the
/// newest observation; ties by profile name) and when it was last observed.
pub(crate) fn merged_of(conn: &Connection, key: &str) -> Result<Option<Merged>> {
    merge_current(key, current_observations(conn, key, None)?)
}

/// The current observations of `key` as stored, in source order; those this commit wrote
/// (`fresh`, when they are still the stored ones) taken from memory instead of parsed.
fn current_observations(
    conn: &Connection,
    key: &str,
    mut fresh: Option<BTreeMap<&'static str, Written>>,
) -> Result<Vec<Written>> {
    let stored = observations_of(conn, key)?;
    let mut out = Vec::with_capacity(stored.len());
    for o in stored {
        let kept = fresh
            .as_mut()
            .and_then(|f| f.remove(o.source.as_str()))
            .filter(|w| w.fetched_at == o.fetched_at && w.profile == o.profile);
        if let Some(w) = kept {
            out.push(w);
            continue;
        }
        let meeting = parse_record(&o.record, &format!("observation of {key}"))?;
        out.push(Written {
            fetched_at: o.fetched_at,
            profile: o.profile,
            record: o.record,
            meeting,
            alone: None,
        });
    }
    Ok(out)
}

/// Merges the current observations of `key` (in source order): the merged record, the
/// profile of the newest observation (ties by profile name) and its fetch time.
fn merge_current(key: &str, observations: Vec<Written>) -> Result<Option<Merged>> {
    let Some(newest) = observations
        .iter()
        .max_by(|a, b| (&a.fetched_at, &a.profile).cmp(&(&b.fetched_at, &b.profile)))
    else {
        return Ok(None);
    };
    let profile = newest.profile.clone();
    let observed = newest.fetched_at.clone();
    // A single observation that the merge leaves as it is keeps its JSON: not written twice.
    let mut single_record = None;
    let mut records = Vec::with_capacity(observations.len());
    let single = observations.len() == 1;
    for o in observations {
        if single {
            if let Some((meeting, record)) = o.alone {
                // Merged on the caller's thread (`Observation::prepare`).
                return Ok(Some(Merged {
                    meeting,
                    record,
                    profile,
                    observed,
                }));
            }
            single_record = Some(o.record);
        }
        records.push(o.meeting);
    }
    let original = match (single, records.first()) {
        (true, Some(m)) => Some(m.clone()),
        _ => None,
    };
    let mut merged = meeting_core::merge::merge(records);
    if merged.len() != 1 {
        return Err(StoreError::bad_record(format!(
            "{key}: its observations merge into {} records, expected one",
            merged.len()
        )));
    }
    let Some(meeting) = merged.pop() else {
        return Ok(None);
    };
    let record = match (original, single_record) {
        (Some(o), Some(r)) if o == meeting => r,
        _ => record_text(&meeting)?,
    };
    Ok(Some(Merged {
        meeting,
        record,
        profile,
        observed,
    }))
}

/// A meeting rebuilt from its observations.
pub(crate) struct Merged {
    /// The merged record.
    pub(crate) meeting: Meeting,
    /// Its stored JSON ([`record_text`]).
    pub(crate) record: String,
    /// The profile of its newest observation (ties: the greater profile name).
    pub(crate) profile: String,
    /// When its newest observation was fetched.
    pub(crate) observed: String,
}

/// Rebuilds every meeting from its observations (after a migration that changed the merge
/// rules: schema 2 follows the neutral schema v2's).
pub(crate) fn rebuild_every_meeting(conn: &Connection) -> Result<()> {
    let keys: Vec<String> = conn
        .prepare("SELECT DISTINCT key FROM observations ORDER BY key")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(db("cannot list the observed meetings"))?;
    let mut rooms = RoomChanges::default();
    for key in &keys {
        rebuild(conn, key, &mut rooms, None)?;
    }
    rooms.apply(conn)
}

/// Whether the record held (`old`, its JSON) says what `new` says, apart from when it was
/// observed: observed again, it is unchanged.
fn same_but_observed(old: &str, new: &Meeting) -> bool {
    let Ok(mut old) = serde_json::from_str::<Meeting>(old) else {
        return false;
    };
    let mut new = new.clone();
    old.observed_at.clear();
    new.observed_at.clear();
    old == new
}

/// Rebuilds the meeting `key` and its child rows from its current observations (`fresh`:
/// those this commit stored, in memory); records the rooms it touches.
fn rebuild(
    conn: &Connection,
    key: &str,
    rooms: &mut RoomChanges,
    fresh: Option<BTreeMap<&'static str, Written>>,
) -> Result<Change> {
    let held: Option<String> = conn
        .prepare_cached("SELECT record FROM meetings WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .map_err(db("cannot read a meeting"))?;
    if held.is_some() {
        room_ids_of(conn, key, &mut rooms.rebuild)?;
    }
    let current = match (&held, fresh) {
        // A key without a meeting had no observations before this commit (every
        // observation belongs to a meeting, an invariant `check` verifies): the ones this
        // commit stored are all there are, so nothing is read back.
        (None, Some(fresh)) => fresh.into_values().collect(),
        (_, fresh) => current_observations(conn, key, fresh)?,
    };
    let Some(Merged {
        meeting,
        record,
        profile,
        observed,
    }) = merge_current(key, current)?
    else {
        delete_meeting(conn, key)?;
        return Ok(Change::Updated);
    };
    if held.is_some() {
        delete_meeting(conn, key)?;
    }
    // A key without a meeting has no child rows either (`check` verifies it); if one had,
    // inserting them fails with a constraint error, never a silent mix.
    insert_meeting(conn, &meeting, &record, &profile, &observed)?;
    if held.is_some() {
        room_ids_of(conn, key, &mut rooms.rebuild)?;
    } else {
        rooms.add(&meeting, &observed);
    }
    Ok(match held {
        None => Change::New,
        Some(old) if old == record || same_but_observed(&old, &meeting) => Change::Unchanged,
        Some(_) => Change::Updated,
    })
}

/// The room ids a stored meeting refers to (its room and its booked rooms).
fn room_ids_of(conn: &Connection, key: &str, rooms: &mut BTreeSet<String>) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT room_id FROM meetings WHERE key = ?1 AND room_id IS NOT NULL
             UNION SELECT id FROM booked_rooms WHERE key = ?1 AND id IS NOT NULL",
        )
        .map_err(db("cannot read rooms"))?;
    let ids = stmt
        .query_map([key], |r| r.get::<_, String>(0))
        .map_err(db("cannot read rooms"))?;
    for id in ids {
        rooms.insert(id.map_err(db("cannot read rooms"))?);
    }
    Ok(())
}

/// What a write did to the rooms: ids whose aliases are derived again from every meeting
/// that refers to them (a stored meeting was replaced or deleted: its old names may be
/// gone), and names only added (new meetings: each `(room id, name)` seen, with the first
/// and last observation time among them), which are folded into the aliases held.
#[derive(Default)]
pub(crate) struct RoomChanges {
    rebuild: BTreeSet<String>,
    added: BTreeMap<(String, String), (String, String)>,
    touched: BTreeSet<String>,
}

impl RoomChanges {
    /// A new meeting observed at `observed`: its room and booked rooms with an id.
    fn add(&mut self, m: &Meeting, observed: &str) {
        let room = m.room.as_ref().map(|r| (&r.id, &r.name));
        for (id, name) in room
            .into_iter()
            .chain(m.rooms.iter().map(|r| (&r.id, &r.name)))
        {
            let Some(id) = id else { continue };
            if !self.touched.contains(id) {
                self.touched.insert(id.clone());
            }
            let Some(name) = name else { continue };
            let span = self
                .added
                .entry((id.clone(), name.clone()))
                .or_insert_with(|| (observed.to_owned(), observed.to_owned()));
            if observed < span.0.as_str() {
                observed.clone_into(&mut span.0);
            }
            if observed > span.1.as_str() {
                observed.clone_into(&mut span.1);
            }
        }
    }

    /// Brings `rooms` and `room_aliases` up to date with the meetings held.
    fn apply(self, conn: &Connection) -> Result<()> {
        rebuild_rooms(conn, &self.rebuild)?;
        for ((id, name), (first, last)) in &self.added {
            if self.rebuild.contains(id) {
                continue; // derived again from every meeting above
            }
            conn.prepare_cached(
                "INSERT INTO room_aliases (room_id, name, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (room_id, name) DO UPDATE SET
                     first_seen = min(first_seen, excluded.first_seen),
                     last_seen = max(last_seen, excluded.last_seen)",
            )
            .and_then(|mut s| s.execute(params![id, name, first, last]))
            .map_err(db("cannot update room aliases"))?;
        }
        for id in self.touched.difference(&self.rebuild) {
            room_from_aliases(conn, id)?;
        }
        Ok(())
    }
}

/// Deletes a meeting row and its child rows.
pub(crate) fn delete_meeting(conn: &Connection, key: &str) -> Result<()> {
    for sql in [
        "DELETE FROM meetings WHERE key = ?1",
        "DELETE FROM participants WHERE key = ?1",
        "DELETE FROM phone_calls WHERE key = ?1",
        "DELETE FROM booked_rooms WHERE key = ?1",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.execute([key]))
            .map_err(db("cannot delete a meeting"))?;
    }
    Ok(())
}

fn u64_sql(v: Option<u64>) -> Option<i64> {
    v.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn insert_meeting(
    conn: &Connection,
    m: &Meeting,
    record: &str,
    profile: &str,
    observed: &str,
) -> Result<()> {
    let cost = m.phone_cost();
    let (cost_amount, cost_currency) = match cost.iter().next() {
        Some((currency, amount)) if cost.len() == 1 => {
            (Some(amount.to_string()), Some(currency.clone()))
        }
        _ => (None, None),
    };
    let host = m.host.as_ref();
    let room = m.room.as_ref();
    conn.prepare_cached(
        "INSERT INTO meetings (key, vendor, profile, observed_at, status, start_at, end_at,
             scheduled_start_at, topic, host_id, host_name, host_email, room_id, room_name,
             duration_seconds, billed_minutes, participant_count, phone_cost,
             phone_cost_currency, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20)",
    )
    .and_then(|mut s| {
        s.execute(params![
            m.key,
            m.vendor.name(),
            profile,
            observed,
            enum_text(&m.status),
            m.start.map(time_text),
            m.end.map(time_text),
            m.scheduled_start.map(time_text),
            m.topic,
            host.and_then(|h| h.id.clone()),
            host.and_then(|h| h.name.clone()),
            host.and_then(|h| h.email.clone()),
            room.and_then(|r| r.id.clone()),
            room.and_then(|r| r.name.clone()),
            u64_sql(m.duration_seconds),
            u64_sql(m.billed_minutes),
            u64_sql(m.participant_count),
            cost_amount,
            cost_currency,
            record,
        ])
    })
    .map_err(db("cannot store a meeting"))?;
    insert_participants(conn, m)?;
    for (i, c) in m.phone_calls.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO phone_calls (key, idx, number, direction, start_at, end_at,
                 duration_seconds, billed_minutes, cost, cost_currency)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                m.key,
                i64::try_from(i).unwrap_or(i64::MAX),
                c.number,
                c.direction.as_ref().and_then(enum_text),
                c.start.map(time_text),
                c.end.map(time_text),
                u64_sql(c.duration_seconds),
                u64_sql(c.billed_minutes),
                c.cost.as_ref().map(|m| m.amount.to_string()),
                c.cost.as_ref().map(|m| m.currency.clone()),
            ])
        })
        .map_err(db("cannot store a phone call"))?;
    }
    for (i, r) in m.rooms.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO booked_rooms (key, idx, id, name, role, approval)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut s| {
            s.execute(params![
                m.key,
                i64::try_from(i).unwrap_or(i64::MAX),
                r.id,
                r.name,
                r.role.as_ref().and_then(enum_text),
                r.approval.as_ref().and_then(enum_text),
            ])
        })
        .map_err(db("cannot store a booked room"))?;
    }
    Ok(())
}

/// Participants per `INSERT` statement: a meeting's list goes in blocks of this many rows
/// (one statement per block, the last one shorter), not one statement per row.
const PARTICIPANT_BLOCK: usize = 16;

/// The `INSERT` of `rows` participants.
fn participants_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO participants (key, idx, id, user_id, name, kind, join_at, leave_at,
             duration_seconds) VALUES ",
    );
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?)");
    }
    sql
}

/// Inserts the participant rows of `m`, `PARTICIPANT_BLOCK` rows per statement.
fn insert_participants(conn: &Connection, m: &Meeting) -> Result<()> {
    let mut first = 0usize;
    for block in m.participants.chunks(PARTICIPANT_BLOCK) {
        let mut stmt = conn
            .prepare_cached(&participants_sql(block.len()))
            .map_err(db("cannot store a participant"))?;
        let mut n = 0usize;
        let mut bind = |value: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
            n += 1;
            stmt.raw_bind_parameter(n, value)
        };
        let bound = (|| -> rusqlite::Result<()> {
            for (i, p) in block.iter().enumerate() {
                bind(&m.key)?;
                bind(&i64::try_from(first + i).unwrap_or(i64::MAX))?;
                bind(&p.id)?;
                bind(&p.user_id)?;
                bind(&p.name)?;
                bind(&enum_text(&p.kind).unwrap_or_default())?;
                bind(&p.join.map(time_text))?;
                bind(&p.leave.map(time_text))?;
                bind(&u64_sql(p.duration_seconds))?;
            }
            Ok(())
        })();
        bound
            .and_then(|()| stmt.raw_execute())
            .map_err(db("cannot store a participant"))?;
        first += block.len();
    }
    Ok(())
}

/// Rebuilds `rooms` and `room_aliases` of the given room ids from the meetings held: every
/// name a room was seen under is an alias (with the first and last observation time of
/// the meetings carrying it); the room's name is the alias seen last (ties: the greater
/// name).
pub(crate) fn rebuild_rooms(conn: &Connection, ids: &BTreeSet<String>) -> Result<()> {
    for id in ids {
        conn.prepare_cached("DELETE FROM room_aliases WHERE room_id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(db("cannot update room aliases"))?;
        conn.prepare_cached(
            "INSERT INTO room_aliases (room_id, name, first_seen, last_seen)
             SELECT ?1, name, min(observed_at), max(observed_at) FROM (
                 SELECT room_name AS name, observed_at FROM meetings
                     WHERE room_id = ?1 AND room_name IS NOT NULL
                 UNION ALL
                 SELECT b.name, m.observed_at FROM booked_rooms b JOIN meetings m ON m.key = b.key
                     WHERE b.id = ?1 AND b.name IS NOT NULL)
             GROUP BY name",
        )
        .and_then(|mut s| s.execute([id]))
        .map_err(db("cannot update room aliases"))?;
        room_from_aliases(conn, id)?;
    }
    Ok(())
}

/// Derives the `rooms` row of `id` from its aliases: the name seen last (ties: the greater
/// name), the first and last time seen; no row without an alias.
fn room_from_aliases(conn: &Connection, id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM rooms WHERE id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(db("cannot update rooms"))?;
    conn.prepare_cached(
        "INSERT INTO rooms (id, name, first_seen, last_seen)
         SELECT ?1,
             (SELECT name FROM room_aliases WHERE room_id = ?1
                 ORDER BY last_seen DESC, name DESC LIMIT 1),
             min(first_seen), max(last_seen)
         FROM room_aliases WHERE room_id = ?1 HAVING count(*) > 0",
    )
    .and_then(|mut s| s.execute([id]))
    .map_err(db("cannot update rooms"))?;
    Ok(())
}

/// The last day of the request window named by a raw response's parameters, if any.
fn window_end(raw: &RawResponse) -> Option<String> {
    ["to", "end_date", "endDate", "date"].iter().find_map(|k| {
        raw.response
            .params
            .get(*k)
            .and_then(|v| v.trim().parse::<NaiveDate>().ok())
            .map(|d| d.to_string())
    })
}

fn store_raw(conn: &Connection, raw: &RawResponse) -> Result<()> {
    let saved = &raw.response;
    let body = match (&saved.body, &saved.body_text) {
        (Some(raw_body), _) => {
            // Secrets removed; a body without any keeps its exact text.
            let mut v: serde_json::Value = serde_json::from_str(raw_body.get())
                .map_err(|e| StoreError::bad_record(format!("raw response: {e}")))?;
            let before = v.clone();
            scrub(&mut v);
            if v == before {
                raw_body.get().as_bytes().to_vec()
            } else {
                serde_json::to_vec(&v)
                    .map_err(|e| StoreError::bad_record(format!("raw response: {e}")))?
            }
        }
        (None, Some(t)) => t.as_bytes().to_vec(),
        (None, None) => Vec::new(),
    };
    // The kind of body is kept in the first byte: `j` JSON, `t` text.
    let mut tagged = Vec::with_capacity(body.len() + 1);
    tagged.push(if saved.body.is_some() { b'j' } else { b't' });
    tagged.extend_from_slice(&body);
    let params = serde_json::to_string(&saved.params)
        .map_err(|e| StoreError::bad_record(format!("raw response parameters: {e}")))?;
    conn.execute(
        "INSERT INTO raw_responses (profile, endpoint, fetched_at, window_end, http_status,
             params, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            raw.profile,
            saved.endpoint.source_name(),
            time_text(saved.fetched_at),
            window_end(raw),
            saved.http_status,
            params,
            compress(&tagged)?,
        ],
    )
    .map_err(db("cannot store a raw response"))?;
    Ok(())
}

fn store_run(conn: &Connection, run: &RunManifest) -> Result<()> {
    let (Some(id), Some(profile)) = (&run.id, &run.profile) else {
        return Err(StoreError::bad_record(format!(
            "run manifest of `{}` started {}: an archived run needs an id and a profile",
            run.job, run.started_at
        )));
    };
    let manifest =
        serde_json::to_string(run).map_err(|e| StoreError::bad_record(format!("run {id}: {e}")))?;
    conn.execute(
        "INSERT OR REPLACE INTO runs (id, profile, started_at, finished_at, complete, manifest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            profile,
            time_text(run.started_at),
            run.finished_at.map(time_text),
            run.complete,
            manifest
        ],
    )
    .map_err(db("cannot store a run manifest"))?;
    Ok(())
}

fn store_cursor(conn: &Connection, cursor: &Cursor) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO sync_cursors (profile, vendor, through, run_id)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            cursor.profile,
            cursor.vendor.name(),
            cursor.through.to_string(),
            cursor.run_id
        ],
    )
    .map_err(db("cannot store a sync cursor"))?;
    Ok(())
}

/// Deletes meetings (by their start, else their scheduled start) before `before`, their
/// observations and child rows, stubs before it and raw responses whose window ended
/// before its day (or, without a window, fetched before it).
pub(crate) fn purge(conn: &Connection, before: DateTime<Utc>) -> Result<PurgeSummary> {
    let cut = time_text(before);
    let day = before.date_naive().to_string();
    let mut summary = PurgeSummary::default();
    let keys: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT key FROM meetings WHERE coalesce(start_at, scheduled_start_at) < ?1")
            .map_err(db("cannot select meetings to purge"))?;
        let rows = stmt
            .query_map([&cut], |r| r.get(0))
            .map_err(db("cannot select meetings to purge"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(db("cannot select meetings to purge"))?
    };
    let mut rooms = BTreeSet::new();
    for key in &keys {
        room_ids_of(conn, key, &mut rooms)?;
        delete_meeting(conn, key)?;
        let n = conn
            .execute("DELETE FROM observations WHERE key = ?1", [key])
            .map_err(db("cannot purge observations"))?;
        summary.observations += n as u64;
        conn.execute("DELETE FROM quanshi_links WHERE key = ?1", [key])
            .map_err(db("cannot purge join links"))?;
        summary.meetings += 1;
    }
    rebuild_rooms(conn, &rooms)?;
    summary.stubs = conn
        .execute("DELETE FROM report_stubs WHERE start_at < ?1", [&cut])
        .map_err(db("cannot purge report stubs"))? as u64;
    summary.raw_responses = conn
        .execute(
            "DELETE FROM raw_responses WHERE window_end < ?1
                 OR (window_end IS NULL AND fetched_at < ?2)",
            [&day, &cut],
        )
        .map_err(db("cannot purge raw responses"))? as u64;
    Ok(summary)
}
