//! The archive's public data: observations, runs, cursors, summaries, queries, reports.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use meeting_core::{Meeting, SavedResponse, Source, Vendor};
use serde::Serialize;

use crate::error::{Result, StoreError};

/// One record from a vendor: a single-source [`Meeting`] (or report stub) as normalised,
/// the profile it was fetched under and when it was fetched.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Observation {
    /// The profile (vendor account) it was fetched under.
    pub profile: String,
    /// When the vendor's response was received.
    pub fetched_at: DateTime<Utc>,
    /// The normalised record; it has exactly one source (unless it is
    /// [neutral](Observation::neutral)). Without its participant rows when it came with
    /// its JSON ([`Observation::with_json`]).
    pub meeting: Meeting,
    /// A record of the neutral JSON Lines (see [`Observation::neutral`]).
    pub(crate) neutral: bool,
    /// The meeting's JSON as the dump reader wrote it ([`Observation::with_json`]).
    pub(crate) json: Option<meeting_core::dump::MeetingJson>,
}

/// The source name under which a neutral record is kept (one per key).
pub(crate) const NEUTRAL: &str = "neutral";

impl Observation {
    /// An observation of `meeting` (one source) fetched under `profile` at `fetched_at`.
    pub fn new(profile: impl Into<String>, fetched_at: DateTime<Utc>, meeting: Meeting) -> Self {
        Observation {
            profile: profile.into(),
            fetched_at,
            meeting,
            neutral: false,
            json: None,
        }
    }

    /// The observation with its meeting's JSON as the dump reader wrote it
    /// ([`ChunkReader::next_with_json`](meeting_core::dump::ChunkReader::next_with_json)),
    /// for a meeting unchanged since it was read: [`Observation::prepare`] then stores that
    /// JSON instead of serialising the meeting, and summarises the meeting with the JSON's
    /// [persons](meeting_core::dump::MeetingJson::persons) (the meeting came without its
    /// participant rows). The JSON stands for the record only while the meeting is as read:
    /// one source, and no report state, profile or observation times (a vendor answer's
    /// record); a meeting changed since is an error, as it cannot be stored without its
    /// rows. `None` prepares the meeting as it is.
    #[must_use]
    pub fn with_json(mut self, json: Option<meeting_core::dump::MeetingJson>) -> Self {
        self.json = json;
        self
    }

    /// A record of the project's own neutral JSON Lines (schema v1 or v2, merged or not:
    /// any number of sources), kept as ONE `neutral` observation of its key, observed at
    /// `observed_at` (the newest of its sources' times, else when the file was written).
    /// It ranks below any vendor observation: a key with a vendor observation is merged
    /// from its vendor observations only; the neutral one stands for the key until then.
    pub fn neutral(
        profile: impl Into<String>,
        observed_at: DateTime<Utc>,
        meeting: Meeting,
    ) -> Self {
        Observation {
            profile: profile.into(),
            fetched_at: observed_at,
            meeting,
            neutral: true,
            json: None,
        }
    }

    /// Whether the record is a neutral one ([`Observation::neutral`]).
    pub fn is_neutral(&self) -> bool {
        self.neutral
    }

    /// The observation's single source.
    ///
    /// # Errors
    /// `BadRecord` when the meeting has no source or several (a merged record is not an
    /// observation).
    pub fn source(&self) -> Result<Source> {
        source_of(&self.meeting)
    }
}

/// An [`Observation`] made ready for the writer on the caller's thread
/// ([`Observation::prepare`]): its stored JSON, hashed and compressed, and the summary row
/// of the meeting it would be alone (the merge of this one observation) with that
/// meeting's content hash. The writer thread then does not serialise, compress, merge or
/// summarise a meeting seen for the first time (observations can be prepared on every
/// core, the writer only writes), so a caller that prepares the next window while the
/// writer commits this one (see [`Writer::send_window`](crate::Writer::send_window))
/// spreads that work over several threads. What is stored is the same as for the
/// observation.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedObservation {
    /// The source name stored (`neutral` for a neutral record).
    pub(crate) source: &'static str,
    /// The profile, the fetch time as stored and the record's key: empty when
    /// [`PreparedObservation::alone`] holds them (a prepared observation is dropped on the
    /// writer's thread, and each block allocated elsewhere costs a free on its arena's lock
    /// there; [`PreparedObservation::identity`] gives them either way).
    pub(crate) profile: String,
    pub(crate) fetched: String,
    pub(crate) key: String,
    /// For a report stub: its start (else scheduled start) as stored. `None` for a meeting.
    pub(crate) stub: Option<Option<String>>,
    /// The record, its sources reduced to its one source, when the writer prepared it
    /// (kept so that a merge does not parse it back); prepared elsewhere, the writer parses
    /// [`PreparedObservation::record`] (or decompresses [`PreparedObservation::packed`])
    /// when, rarely, it merges the record with others.
    pub(crate) meeting: Option<Meeting>,
    /// The record's stored JSON (canonical, UTF-8): kept for a report stub (stored as JSON)
    /// and when the writer prepared it; else dropped where it was prepared, with the summary
    /// row made (the writer decompresses [`PreparedObservation::packed`] when, rarely, it
    /// merges the record with others).
    pub(crate) record: Option<Vec<u8>>,
    /// The length of the record's JSON.
    pub(crate) json_len: usize,
    /// The hash of the record's JSON (`record::record_hash`).
    pub(crate) hash: [u8; 16],
    /// The record's JSON compressed with the current dictionary (none for a report stub,
    /// which is stored as JSON).
    pub(crate) packed: Option<Vec<u8>>,
    /// The summary row of the merge of this observation alone, with its content hash (none
    /// for a report stub, or when the writer prepared it).
    pub(crate) alone: Option<crate::summary_row::RowValues>,
}

impl PreparedObservation {
    /// Takes the key, profile and fetch time out (see [`PreparedObservation::profile`]).
    pub(crate) fn identity(&mut self) -> (String, String, String) {
        let own = (
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.profile),
            std::mem::take(&mut self.fetched),
        );
        match &self.alone {
            Some(row) if own.0.is_empty() => row.identity(),
            _ => own,
        }
    }

    /// The length of the record's canonical JSON: a measure of the memory it holds (or
    /// held, before it was compressed).
    #[must_use]
    pub fn json_len(&self) -> usize {
        self.json_len
    }
}

impl Observation {
    /// Prepares the observation for the writer (see [`PreparedObservation`]).
    ///
    /// # Errors
    /// `BadRecord`: the meeting has no source or several (as [`Observation::source`]), or
    /// does not serialise.
    pub fn prepare(self) -> Result<PreparedObservation> {
        self.prepare_with(true)
    }

    /// As [`Observation::prepare`]. `with_alone`: the summary row of the merge alone, and
    /// the record not kept (another thread prepares for the writer); without it (the writer
    /// thread, preparing for itself, merges only what it has to) the record is kept.
    pub(crate) fn prepare_with(self, with_alone: bool) -> Result<PreparedObservation> {
        let mut meeting = self.meeting;
        let source = if self.neutral {
            meeting.sources.sort();
            meeting.sources.dedup();
            NEUTRAL
        } else {
            let one = source_of(&meeting)?;
            meeting.sources.clear();
            meeting.sources.push(one);
            one.source_name()
        };
        // A meeting read with its JSON has no participant rows (they are in the JSON,
        // counted in its persons): it is stored as read, or not at all.
        let persons = self.json.as_ref().map(|j| *j.persons());
        let written = self.json.filter(|_| {
            !self.neutral
                && meeting.sources.len() == 1
                && meeting.report.is_none()
                && meeting.profile.is_none()
                && meeting.observed_at.is_empty()
        });
        let json = match (written, persons) {
            (Some(w), _) => crate::record::RecordJson::written(w, &meeting)?,
            (None, None) => crate::record::RecordJson::of(&mut meeting)?,
            (None, Some(_)) => {
                return Err(StoreError::bad_record(format!(
                    "observation of {}: read with its JSON (its rows in the JSON only) but \
                     changed since it was read",
                    meeting.key
                )));
            }
        };
        let hash = json.hash;
        let json_len = json.json.len();
        let fetched = crate::codec::time_text(self.fetched_at);
        let key = meeting.key.clone();
        if meeting.is_stub() {
            return Ok(PreparedObservation {
                source,
                profile: self.profile,
                fetched,
                key,
                stub: Some(
                    meeting
                        .start
                        .or(meeting.scheduled_start)
                        .map(crate::codec::time_text),
                ),
                meeting: None,
                record: Some(json.json),
                json_len,
                hash,
                packed: None,
                alone: None,
            });
        }
        let packed = Some(crate::record::compress_record(&json.json)?);
        if !with_alone {
            return Ok(PreparedObservation {
                source,
                profile: self.profile,
                fetched,
                key,
                stub: None,
                // Without its rows, the writer merges the record from its JSON.
                meeting: persons.is_none().then_some(meeting),
                record: Some(json.json),
                json_len,
                hash,
                packed,
                alone: None,
            });
        }
        let alone = alone_row(meeting, persons, &self.profile, &fetched, &json)?;
        // Kept only if the row could not be made here (the writer then merges the record);
        // the row holds the key, profile and fetch time (see `PreparedObservation::profile`).
        let record = alone.is_none().then_some(json.json);
        let (profile, fetched, key) = match alone {
            Some(_) => (String::new(), String::new(), String::new()),
            None => (self.profile, fetched, key),
        };
        Ok(PreparedObservation {
            source,
            profile,
            fetched,
            key,
            stub: None,
            meeting: None,
            record,
            json_len,
            hash,
            packed,
            alone,
        })
    }
}

/// The single source of an observation's record (as [`Observation::source`]).
fn source_of(meeting: &Meeting) -> Result<Source> {
    let mut sources = meeting.sources.clone();
    sources.sort();
    sources.dedup();
    match sources.as_slice() {
        [one] => Ok(*one),
        other => Err(StoreError::bad_record(format!(
            "observation of {}: expected exactly one source, found {} ({})",
            meeting.key,
            other.len(),
            other
                .iter()
                .map(|s| s.source_name())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The summary row of `meeting` merged alone, observed under `profile` at `fetched`;
/// `json` is the record's. The merge of one record changes its report state and at most
/// its rooms and host (the merge's stub rule and room identity): when those are unchanged,
/// the merged meeting's content hash continues the hash of the record's head
/// ([`RecordJson::content_hash_with_head`](crate::record::RecordJson)); otherwise it is
/// serialised.
fn alone_row(
    meeting: Meeting,
    persons: Option<meeting_core::Persons>,
    profile: &str,
    fetched: &str,
    json: &crate::record::RecordJson,
) -> Result<Option<crate::summary_row::RowValues>> {
    // A meeting read without its rows (`persons` counts them) has them back from its JSON
    // where its whole content is needed.
    let with_rows = |m: &mut Meeting| -> Result<()> {
        if persons.is_some() {
            let text = std::str::from_utf8(&json.json)
                .map_err(|e| StoreError::bad_record(format!("{}: {e}", m.key)))?;
            m.participants = crate::codec::parse_record(text, &m.key)?.participants;
        }
        Ok(())
    };
    let before = (
        meeting.room.clone(),
        meeting.host.clone(),
        meeting.rooms.clone(),
    );
    #[cfg(debug_assertions)]
    let original = meeting.clone();
    let mut merged = meeting_core::merge::merge([meeting]);
    let (Some(m), true) = (merged.pop(), merged.is_empty()) else {
        return Ok(None);
    };
    let content_hash = if before.0 == m.room && before.1 == m.host && before.2 == m.rooms {
        let hash = json.content_hash_with_head(&m)?;
        #[cfg(debug_assertions)]
        {
            let mut o = original;
            o.report = m.report;
            o.profile.clone_from(&m.profile);
            o.vendor_extra.clone_from(&m.vendor_extra);
            debug_assert_eq!(
                crate::codec::record_text(&o)?,
                crate::codec::record_text(&{
                    let mut c = m.clone();
                    c.observed_at.clone_from(&o.observed_at);
                    c
                })?,
                "the merge of one record changed more than its last members, rooms and host"
            );
            let mut full = m.clone();
            with_rows(&mut full)?;
            debug_assert_eq!(
                crate::codec::content_hash(&mut full)?,
                hash,
                "the content hash from the record's head differs"
            );
            if let Some(p) = &persons {
                debug_assert_eq!(
                    &meeting_core::Persons::of(&full),
                    p,
                    "the persons counted as {} was read differ from its rows",
                    m.key
                );
            }
        }
        hash
    } else {
        let mut full = m.clone();
        with_rows(&mut full)?;
        crate::codec::content_hash(&mut full)?
    };
    let persons = persons.unwrap_or_else(|| meeting_core::Persons::of(&m));
    Ok(Some(crate::summary_row::RowValues::of(
        &m,
        &persons,
        profile,
        fetched,
        &content_hash,
    )))
}

/// A vendor response kept verbatim (secrets removed, compressed) for audit and replay.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RawResponse {
    /// The profile it was fetched under.
    pub profile: String,
    /// The saved response (its body is scrubbed of secrets before it is stored).
    pub response: SavedResponse,
}

impl RawResponse {
    /// A raw response fetched under `profile`.
    pub fn new(profile: impl Into<String>, response: SavedResponse) -> Self {
        RawResponse {
            profile: profile.into(),
            response,
        }
    }
}

/// One vendor date window of a run: the run manifest's own type.
pub use meeting_core::run::Window;

/// The manifest of a run (a sync, a fetch with `--save-raw`, an import): the one format of
/// [`meeting_core::run`], with `id` and `profile` set (the archive fills them from its
/// columns when reading a manifest that lacks them).
pub use meeting_core::run::RunManifest;

/// What a load changed, counted in meetings (distinct keys) and stubs: the run manifest's
/// [`Counts`](meeting_core::run::Counts).
pub type LoadSummary = meeting_core::run::Counts;

/// A sync cursor: for one (profile, vendor), the last vendor day of the unbroken run of
/// complete windows, and the run that moved it there.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cursor {
    /// The profile.
    pub profile: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The last fully committed vendor day.
    pub through: NaiveDate,
    /// The run whose window ends at `through`.
    pub run_id: String,
}

impl Cursor {
    /// A cursor of `profile` and `vendor` at `through`, set by run `run_id`.
    pub fn new(
        profile: impl Into<String>,
        vendor: Vendor,
        through: NaiveDate,
        run_id: impl Into<String>,
    ) -> Self {
        Cursor {
            profile: profile.into(),
            vendor,
            through,
            run_id: run_id.into(),
        }
    }
}

/// What one window commits, in one transaction.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct WindowCommit {
    /// The observations fetched.
    pub observations: Vec<Observation>,
    /// The verbatim responses to keep (optional).
    pub raw: Vec<RawResponse>,
    /// The run manifest as it stands after this window.
    pub run: Option<RunManifest>,
    /// The cursor to set (only when the window completed).
    pub cursor: Option<Cursor>,
    /// Quanshi join links to keep (secret: never output) for later refreshes.
    pub join_links: Vec<JoinLink>,
    /// Observations prepared on the caller's thread ([`WindowCommit::prepared`]), stored
    /// as `observations` are.
    pub(crate) prepared: Vec<PreparedObservation>,
}

impl WindowCommit {
    /// A commit of `observations` alone.
    pub fn new(observations: Vec<Observation>) -> Self {
        WindowCommit {
            observations,
            ..WindowCommit::default()
        }
    }

    /// A commit of prepared observations alone ([`Observation::prepare`]): the same as
    /// [`WindowCommit::new`] of the observations, with less work on the writer thread.
    pub fn prepared(observations: Vec<PreparedObservation>) -> Self {
        WindowCommit {
            prepared: observations,
            ..WindowCommit::default()
        }
    }
}

/// A Quanshi reservation's attendee join link, kept in the archive's secret column so that
/// sync can look the reservation up again. It admits whoever holds it: `Debug` never
/// prints it, and no output of the archive includes it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JoinLink {
    /// The reservation's key (`quanshi:conference:<conferenceId>`).
    pub key: String,
    /// The profile it was fetched under.
    pub profile: String,
    /// The link.
    pub join_link: SecretText,
    /// When the reservation was fetched by it.
    pub fetched_at: DateTime<Utc>,
}

impl JoinLink {
    /// The link of the reservation `key`, fetched under `profile` at `fetched_at`.
    pub fn new(
        key: impl Into<String>,
        profile: impl Into<String>,
        join_link: impl Into<String>,
        fetched_at: DateTime<Utc>,
    ) -> Self {
        JoinLink {
            key: key.into(),
            profile: profile.into(),
            join_link: SecretText(join_link.into()),
            fetched_at,
        }
    }
}

impl std::fmt::Debug for JoinLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinLink")
            .field("key", &self.key)
            .field("profile", &self.profile)
            .field("join_link", &self.join_link)
            .field("fetched_at", &self.fetched_at)
            .finish()
    }
}

/// Secret text (a join link): `Debug` and `Display` print `[redacted]`; [`SecretText::expose`]
/// gives the text to the one call that needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl SecretText {
    pub(crate) fn new(text: String) -> Self {
        SecretText(text)
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A Quanshi record the archive holds that is not over yet, to be looked up again by sync:
/// see [`Archive::quanshi_to_refresh`](crate::Archive::quanshi_to_refresh).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refresh {
    /// A reservation (`quanshi:conference:`), by its kept join link.
    Reservation {
        /// The key.
        key: String,
        /// The join link.
        join_link: SecretText,
    },
    /// An occurrence (`quanshi:temp:`), by its temporary conference id.
    Occurrence {
        /// The key.
        key: String,
        /// The temporary conference id.
        temp_id: String,
    },
}

/// What a purge deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PurgeSummary {
    /// Meetings deleted (with their observations, participants, calls and booked rooms).
    pub meetings: u64,
    /// Observations deleted.
    pub observations: u64,
    /// Report stubs deleted.
    pub stubs: u64,
    /// Raw responses deleted.
    pub raw_responses: u64,
}

/// Which meetings a read returns. Empty lists and `None` mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Query {
    /// Meetings whose effective start (the start, else the scheduled start) is at or after
    /// this instant (meetings with neither are excluded when `from` or `to` is set).
    pub from: Option<DateTime<Utc>>,
    /// Meetings whose effective start is before this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Rooms, each matched against the room id, its current name, any of its aliases, and
    /// the id or name of a booked (Quanshi) room.
    pub rooms: Vec<String>,
    /// Hosts, each matched against the host's name, id or e-mail.
    pub hosts: Vec<String>,
    /// Only this vendor.
    pub vendor: Option<Vendor>,
    /// Only these profiles.
    pub profiles: Vec<String>,
}

impl Query {
    /// Every meeting.
    pub fn all() -> Self {
        Query::default()
    }
}

/// One problem found by [`Archive::check`](crate::Archive::check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Problem {
    /// The meeting concerned, if any.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(key: Option<&str>, message: impl Into<String>) -> Self {
        Problem {
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{key}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Meetings of one (profile, vendor, month of the start in UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MonthCount {
    /// The profile.
    pub profile: String,
    /// The vendor (`systec`, `quanshi`).
    pub vendor: String,
    /// `YYYY-MM` of the start in UTC; `None` for meetings without a start.
    pub month: Option<String>,
    /// Meetings.
    pub meetings: u64,
}

/// What [`Archive::info`](crate::Archive::info) reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Info {
    /// The archive file.
    pub path: PathBuf,
    /// Bytes on disk: the file plus its `-wal` sidecar.
    pub size_bytes: u64,
    /// The schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    /// Meetings per profile, vendor and month.
    pub meetings: Vec<MonthCount>,
    /// Report stubs held.
    pub stubs: u64,
    /// Observations held.
    pub observations: u64,
    /// Raw responses held.
    pub raw_responses: u64,
    /// When the last run finished.
    pub last_sync: Option<DateTime<Utc>>,
    /// The sync cursors.
    pub cursors: BTreeMap<String, NaiveDate>,
    /// Runs that are not complete or have failed windows.
    pub runs_with_gaps: Vec<RunManifest>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record without its rows (`persons` counting them) whose merge alone changes its
    /// host (a Systec room known by id and name lends them to a meeting without a host)
    /// gets the summary row of the record with its rows: its content hash from the whole
    /// record, its attendance from the persons.
    #[test]
    fn a_record_without_its_rows_whose_merge_changes_it_is_summarised_whole() {
        let mut full = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:lean");
        let mut room = meeting_core::Room::default();
        room.id = Some("R1".into());
        room.name = Some("Room 1".into());
        full.room = Some(room);
        let at = |s: &str| s.parse::<DateTime<Utc>>().ok();
        for (name, join, leave) in [
            ("Ann", "2024-01-02T03:00:00Z", "2024-01-02T03:10:00Z"),
            ("Bo", "2024-01-02T03:05:00Z", "2024-01-02T03:20:00Z"),
            ("Ann", "2024-01-02T03:08:00Z", "2024-01-02T03:12:00Z"),
        ] {
            let mut p = meeting_core::Participant::default();
            p.name = Some(name.into());
            p.join = at(join);
            p.leave = at(leave);
            full.participants.push(p);
        }
        // The merge alone gives it a host: the branch that needs the whole record.
        let merged = meeting_core::merge::merge([full.clone()]);
        assert!(full.host.is_none() && merged.first().is_some_and(|m| m.host.is_some()));
        let json = crate::record::RecordJson::of(&mut full.clone()).unwrap();
        let persons = meeting_core::Persons::of(&full);
        let mut lean = full.clone();
        lean.participants.clear();
        let whole = alone_row(full, None, "acme", "2024-06-01T00:00:00.000000Z", &json)
            .unwrap()
            .unwrap();
        let without = alone_row(
            lean,
            Some(persons),
            "acme",
            "2024-06-01T00:00:00.000000Z",
            &json,
        )
        .unwrap()
        .unwrap();
        assert_eq!(without, whole);
        // Ann 03:00–03:12, Bo 03:05–03:20.
        assert_eq!(whole.counts()[..2], [2, 1620]);
    }
}
