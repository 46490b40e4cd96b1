//! The write path: what one transaction does with a [`WindowCommit`] or a purge.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use meeting_core::Meeting;
use rusqlite::{Connection, OptionalExtension, params};

use crate::codec::{compress, content_hash, scrub, time_text};
use crate::error::{Result, StoreError};
use crate::model::{
    Cursor, JoinLink, LoadSummary, PreparedObservation, RawResponse, RunManifest, WindowCommit,
};
use crate::record::{DICTIONARY_ID, compress_record, decompress_record, record_hash};
use crate::summary_row;

fn db(what: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::sqlite(what, e)
}

/// How a rebuilt meeting compares with what was stored.
enum Change {
    New,
    Updated,
    Unchanged,
}

/// An observation this commit stored (the current one of its `(key, source)`), kept in
/// memory so that the meeting is rebuilt without reading it back.
pub(crate) struct Written {
    fetched_at: String,
    profile: String,
    /// A neutral record ([`crate::Observation::neutral`]).
    neutral: bool,
    /// The record, or its JSON (parsed only if it is merged with others).
    meeting: Record,
    /// The summary row of this observation merged alone, when prepared before.
    alone: Option<summary_row::RowValues>,
}

/// A record held as a meeting, as its stored JSON, or compressed as stored.
enum Record {
    Meeting(Box<Meeting>),
    Json(Vec<u8>),
    Packed(Vec<u8>),
}

impl Record {
    fn into_meeting(self, key: &str) -> Result<Meeting> {
        let json = match self {
            Record::Meeting(m) => return Ok(*m),
            Record::Json(json) => json,
            Record::Packed(packed) => {
                decompress_record(DICTIONARY_ID, &packed, &format!("observation of {key}"))?
            }
        };
        serde_json::from_slice(&json).map_err(|e| {
            StoreError::bad_record(format!(
                "observation of {key}: stored record does not parse: {e}"
            ))
        })
    }
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
    let prepare = |sql: &str| {
        conn.prepare_cached(sql)
            .map_err(db("cannot prepare the observations' statements"))
    };
    let mut store = prepare(
        "INSERT INTO observations (key, source, profile, fetched_at, hash, dict, record)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (key, source) DO UPDATE SET profile = excluded.profile,
             fetched_at = excluded.fetched_at, hash = excluded.hash,
             dict = excluded.dict, record = excluded.record
         WHERE (excluded.fetched_at, excluded.hash, excluded.profile)
             > (observations.fetched_at, observations.hash, observations.profile)",
    )?;
    let mut same_stored = prepare(
        "SELECT 1 FROM observations WHERE key = ?1 AND source = ?2
             AND fetched_at = ?3 AND hash = ?4 AND profile = ?5",
    )?;
    for obs in all {
        let mut obs = obs?;
        let (key, profile, fetched) = obs.identity();
        let PreparedObservation {
            source,
            stub,
            meeting,
            record,
            hash,
            packed,
            alone,
            ..
        } = obs;
        if let Some(start) = stub {
            let record = std::str::from_utf8(record.as_deref().unwrap_or_default())
                .map_err(|e| StoreError::bad_record(format!("report stub {key}: {e}")))?;
            if store_stub(conn, &key, record, &profile, &fetched, start.as_deref())? {
                summary.stubs_new += 1;
            }
            continue;
        }
        // Stored when it is the greater observation of its `(key, source)` by
        // `(fetched_at, hash of the record's JSON, profile)` (compared bytewise, as in
        // Rust), or the first: the record compressed with the embedded dictionary (hashed
        // and compressed when it was prepared).
        let packed = match (packed, &record) {
            (Some(p), _) => p,
            (None, Some(json)) => compress_record(json)?,
            (None, None) => {
                return Err(StoreError::bad_record(format!(
                    "observation of {key}: prepared without its record"
                )));
            }
        };
        let stored = store
            .execute(params![
                key,
                source,
                profile,
                fetched,
                &hash[..],
                DICTIONARY_ID,
                packed
            ])
            .map_err(db("cannot store an observation"))?
            > 0;
        if stored {
            let meeting = match (meeting, record) {
                (Some(m), _) => Record::Meeting(Box::new(m)),
                (None, Some(json)) => Record::Json(json),
                (None, None) => Record::Packed(packed),
            };
            written.entry(key.clone()).or_default().insert(
                source,
                Written {
                    fetched_at: fetched,
                    profile,
                    neutral: source == crate::model::NEUTRAL,
                    meeting,
                    alone,
                },
            );
            seen.insert(key);
            continue;
        }
        seen.insert(key.clone());
        // Not newer: the same observation again, or an older one.
        let same = same_stored
            .query_row(
                params![key, source, fetched, &hash[..], profile],
                |_| Ok(()),
            )
            .optional()
            .map_err(db("cannot read an observation"))?
            .is_some();
        if !same {
            summary.stale_observations += 1;
        }
    }
    let mut statements = summary_row::Statements::new(conn)?;
    for key in &seen {
        let Some(fresh) = written.remove(key) else {
            summary.unchanged += 1;
            continue;
        };
        match rebuild(conn, &mut statements, key, Some(fresh))? {
            Change::New => summary.new += 1,
            Change::Updated => summary.updated += 1,
            Change::Unchanged => summary.unchanged += 1,
        }
    }
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
    key: &str,
    record: &str,
    profile: &str,
    fetched: &str,
    start: Option<&str>,
) -> Result<bool> {
    let exists = conn
        .query_row(
            "SELECT 1 FROM report_stubs WHERE key = ?1 AND record = ?2",
            params![key, record],
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
        params![key, record, profile, fetched, start],
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
/// The meeting `key` merged from its observations; its content hash only when `hash`.
pub(crate) fn merged_of(conn: &Connection, key: &str, hash: bool) -> Result<Option<Merged>> {
    merge_current(key, current_observations(conn, key, None)?, hash)
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
        out.push(Written {
            neutral: o.source == crate::model::NEUTRAL,
            fetched_at: o.fetched_at,
            profile: o.profile,
            meeting: Record::Json(o.record.into_bytes()),
            alone: None,
        });
    }
    Ok(out)
}

/// Merges the current observations of `key` (in source order): the merged record, the
/// profile of the newest observation (ties by profile name) and its fetch time; with
/// `hash`, the merged record's [`content_hash`](crate::codec::content_hash) (else zeros).
fn merge_current(key: &str, observations: Vec<Written>, hash: bool) -> Result<Option<Merged>> {
    let observations = effective(observations);
    let Some(newest) = newest(&observations) else {
        return Ok(None);
    };
    let profile = newest.profile.clone();
    let observed = newest.fetched_at.clone();
    let mut records = Vec::with_capacity(observations.len());
    for o in observations {
        records.push(o.meeting.into_meeting(key)?);
    }
    let mut merged = meeting_core::merge::merge(records);
    if merged.len() != 1 {
        return Err(StoreError::bad_record(format!(
            "{key}: its observations merge into {} records, expected one",
            merged.len()
        )));
    }
    let Some(mut meeting) = merged.pop() else {
        return Ok(None);
    };
    let content_hash = if hash {
        content_hash(&mut meeting)?
    } else {
        [0; 16]
    };
    Ok(Some(Merged {
        meeting,
        content_hash,
        profile,
        observed,
    }))
}

/// The observations a meeting is merged from: a neutral record ranks below the vendor's
/// observations, so it stands for the key only while there are none.
fn effective(mut observations: Vec<Written>) -> Vec<Written> {
    if observations.iter().any(|o| !o.neutral) {
        observations.retain(|o| !o.neutral);
    }
    observations
}

/// The newest observation (ties: the greater profile name).
fn newest(observations: &[Written]) -> Option<&Written> {
    observations
        .iter()
        .max_by(|a, b| (&a.fetched_at, &a.profile).cmp(&(&b.fetched_at, &b.profile)))
}

/// A meeting merged from its observations.
pub(crate) struct Merged {
    /// The merged record.
    pub(crate) meeting: Meeting,
    /// Its [`content_hash`] (zeros when merged for reading).
    pub(crate) content_hash: [u8; 16],
    /// The profile of its newest observation (ties: the greater profile name).
    pub(crate) profile: String,
    /// When its newest observation was fetched.
    pub(crate) observed: String,
}

/// Builds the summary row of every observed key again from its observations (a migration,
/// or rows of older rules: `only_outdated`).
pub(crate) fn rebuild_summaries(
    conn: &Connection,
    only_outdated: bool,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let sql = if only_outdated {
        "SELECT key FROM summaries WHERE rules_version <> ?1 ORDER BY key"
    } else {
        "SELECT DISTINCT key FROM observations WHERE ?1 = ?1 ORDER BY key"
    };
    let keys: Vec<String> = conn
        .prepare(sql)
        .and_then(|mut s| {
            s.query_map([i64::from(meeting_core::RULES_VERSION)], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(db("cannot list the observed meetings"))?;
    let total = keys.len() as u64;
    let mut statements = summary_row::Statements::new(conn)?;
    for (i, key) in keys.iter().enumerate() {
        rebuild(conn, &mut statements, key, None)?;
        if i % 1024 == 0 {
            progress(i as u64, total);
        }
    }
    progress(total, total);
    Ok(total)
}

/// Rebuilds the summary row of `key` from its current observations (`fresh`: those this
/// commit stored, in memory).
fn rebuild(
    conn: &Connection,
    statements: &mut summary_row::Statements<'_>,
    key: &str,
    fresh: Option<BTreeMap<&'static str, Written>>,
) -> Result<Change> {
    let held = statements.held(key)?;
    let current = match (&held, fresh) {
        // A key without a summary row had no observations before this commit (every
        // observation belongs to a summary row, an invariant `check` verifies): the ones
        // this commit stored are all there are, so nothing is read back.
        (None, Some(fresh)) => fresh.into_values().collect(),
        (_, fresh) => current_observations(conn, key, fresh)?,
    };
    let current = effective(current);
    if let [only] = current.as_slice()
        && let Some(row) = &only.alone
    {
        // One observation, merged and summarised on the caller's thread
        // (`Observation::prepare`).
        row.write(statements)?;
        return Ok(match held {
            None => Change::New,
            Some(old) if old.as_slice() == row.content_hash().as_slice() => Change::Unchanged,
            Some(_) => Change::Updated,
        });
    }
    let Some(Merged {
        meeting,
        content_hash,
        profile,
        observed,
    }) = merge_current(key, current, true)?
    else {
        summary_row::delete(conn, key)?;
        return Ok(Change::Updated);
    };
    summary_row::write(statements, &meeting, &profile, &observed, &content_hash)?;
    Ok(match held {
        None => Change::New,
        Some(old) if old.as_slice() == content_hash.as_slice() => Change::Unchanged,
        Some(_) => Change::Updated,
    })
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
