//! A compact summary of a meeting: what merging ([`crate::merge`]), room identity
//! ([`crate::identity`]), the filters and the aggregates ([`crate::aggregate`]) read, and
//! nothing else. `meeting stats` over files holds one per distinct meeting instead of the
//! whole record, so its memory grows with the number of meetings, not with their size.
//!
//! A [`Summary`] keeps the identity and merge fields (key, sources, observation times,
//! completeness), the times, status, host, rooms, counts, billed minutes, the phone calls
//! reduced to their number, billed minutes and cost per currency, and the participant rows
//! reduced to what the merge and the attendance rules compare: a 64-bit hash of the user
//! id and of the trimmed name, the join and leave instants, and whether the row is an
//! invitation, packed in a few bytes per row.
//!
//! Every rule is the [`Meeting`] path's own: a summary turns back into a [`Meeting`]
//! ([`Summary::meeting`]: hashed ids and names stand for the originals, phone calls carry
//! the totals) on which the merge's `combine`, [`crate::identity::RoomDirectory`],
//! [`crate::query::Filter`] and [`crate::aggregate::Accumulator`] run unchanged, so the
//! figures are those of the whole records.
//!
//! One difference: two observations of the same key and sources observed at the same time
//! and equally complete are told apart by a hash of their JSON text where the [`Meeting`]
//! path compares the text itself (a summary does not keep it); both choices do not depend
//! on the input order, and they differ only when such twin observations differ.
//!
//! ```
//! use meeting_core::summary::SummaryMerger;
//! use meeting_core::aggregate::{Aggregate, GroupBy};
//! use meeting_core::{Meeting, Participant, Source, Status, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
//! m.status = Status::Ended;
//! m.duration_seconds = Some(600);
//! let mut p = Participant::default();
//! p.name = Some("Ann".into());
//! m.participants = vec![p.clone(), p];
//! let whole = Aggregate::compute([&m], GroupBy::Room, chrono_tz::UTC);
//! let mut merger = SummaryMerger::new();
//! merger.push_meeting(m);
//! let merged = merger.finish_with_stubs();
//! let agg = meeting_core::summary::aggregate(&merged.summaries, GroupBy::Room, chrono_tz::UTC, None);
//! assert_eq!(agg, whole);
//! assert_eq!(agg.total.attendees, 1);
//! ```

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::aggregate::{Accumulator, Aggregate, GroupBy};
use crate::merge::{Held, Record, normalize_sources, status_is_final};
use crate::{
    BookedRoom, Host, Invitation, Meeting, Money, Participant, PhoneCall, ReportState, Room,
    Source, Status, Vendor,
};

/// A compact summary of one meeting (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    key: Box<str>,
    vendor: Vendor,
    status: Status,
    report: Option<ReportState>,
    sources: Vec<Source>,
    observed_at: Vec<(Source, DateTime<Utc>)>,
    occurrence_id: Option<Box<str>>,
    meeting_number: Option<Box<str>>,
    event_id: Option<Box<str>>,
    host: Option<Box<Host>>,
    room: Option<Box<Room>>,
    rooms: Box<[(Option<Box<str>>, Option<Box<str>>)]>,
    scheduled_start: Option<DateTime<Utc>>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    duration_seconds: Option<u64>,
    billed_minutes: Option<u64>,
    participant_count: Option<u64>,
    /// Participant rows, phone calls and warnings (the completeness counts).
    counts: (u32, u32, u32),
    /// A hash of the observation's JSON text: the last tie-break.
    digest: u64,
    /// The phone calls' billed minutes (`None`: no call gave any).
    phone_minutes: Option<u64>,
    /// The phone calls' exact cost per currency, in currency order.
    phone_cost: Box<[(Box<str>, Decimal)]>,
    /// The participant rows, packed (see [`pack_rows`]).
    rows: Box<[u8]>,
}

fn boxed(s: Option<&String>) -> Option<Box<str>> {
    s.map(|s| Box::from(s.as_str()))
}

fn unboxed(s: Option<&Box<str>>) -> Option<String> {
    s.map(|s| String::from(&**s))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A [`Hasher`] fed through [`std::io::Write`], so a record's JSON text is hashed without
/// being held.
struct HashWriter(DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hash_str(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl Summary {
    /// The summary of one record (its sources sorted and deduplicated first).
    pub fn of(m: &Meeting) -> Summary {
        let mut sources = m.sources.clone();
        normalize_sources(&mut sources);
        sources.shrink_to_fit();
        let mut w = HashWriter(DefaultHasher::new());
        // Hashing never fails to write; a serialisation error leaves a partial hash, which
        // is still a deterministic function of the record.
        let _ = serde_json::to_writer(&mut w, m);
        let phone_minutes = m
            .phone_calls
            .iter()
            .filter_map(|c| c.billed_minutes)
            .reduce(|a, b| a.saturating_add(b));
        Summary {
            key: Box::from(m.key.as_str()),
            vendor: m.vendor,
            status: m.status,
            report: m.report,
            sources,
            observed_at: m.observed_at.iter().map(|(s, t)| (*s, *t)).collect(),
            occurrence_id: boxed(m.occurrence_id.as_ref()),
            meeting_number: boxed(m.meeting_number.as_ref()),
            event_id: boxed(m.event_id.as_ref()),
            host: m.host.as_ref().map(|h| Box::new(h.clone())),
            room: m.room.as_ref().map(|r| Box::new(r.clone())),
            rooms: m
                .rooms
                .iter()
                .map(|r| (boxed(r.id.as_ref()), boxed(r.name.as_ref())))
                .collect(),
            scheduled_start: m.scheduled_start,
            start: m.start,
            end: m.end,
            duration_seconds: m.duration_seconds,
            billed_minutes: m.billed_minutes,
            participant_count: m.participant_count,
            counts: (
                count(m.participants.len()),
                count(m.phone_calls.len()),
                count(m.warnings.len()),
            ),
            digest: w.0.finish(),
            phone_minutes,
            phone_cost: m
                .phone_cost()
                .into_iter()
                .map(|(c, a)| (Box::from(c.as_str()), a))
                .collect(),
            rows: pack_rows(&m.participants),
        }
    }

    /// The meeting's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The record without its participants and phone calls: what the merge's identity
    /// steps, the filters and the groupings read.
    pub fn outline(&self) -> Meeting {
        let first = self
            .sources
            .first()
            .copied()
            .unwrap_or(Source::SystecDetail);
        let mut m = Meeting::new(self.vendor, first, String::from(&*self.key));
        m.sources.clone_from(&self.sources);
        m.observed_at = self.observed_at.iter().copied().collect();
        m.occurrence_id = unboxed(self.occurrence_id.as_ref());
        m.meeting_number = unboxed(self.meeting_number.as_ref());
        m.event_id = unboxed(self.event_id.as_ref());
        m.host = self.host.as_deref().cloned();
        m.room = self.room.as_deref().cloned();
        m.rooms = self
            .rooms
            .iter()
            .map(|(id, name)| BookedRoom {
                id: unboxed(id.as_ref()),
                name: unboxed(name.as_ref()),
                ..BookedRoom::default()
            })
            .collect();
        m.status = self.status;
        m.report = self.report;
        m.scheduled_start = self.scheduled_start;
        m.start = self.start;
        m.end = self.end;
        m.duration_seconds = self.duration_seconds;
        m.billed_minutes = self.billed_minutes;
        m.participant_count = self.participant_count;
        m
    }

    /// The record as the aggregates read it: [`Summary::outline`] with the participant
    /// rows (hashes standing for user ids and names) and the phone calls (as many as there
    /// were; the first carries the billed minutes, one per currency carries its cost).
    pub fn meeting(&self) -> Meeting {
        let mut m = self.outline();
        m.participants = unpack_rows(&self.rows);
        let calls = usize::try_from(self.counts.1).unwrap_or(usize::MAX);
        let mut costs = self.phone_cost.iter();
        m.phone_calls = (0..calls)
            .map(|i| PhoneCall {
                billed_minutes: if i == 0 { self.phone_minutes } else { None },
                cost: costs.next().map(|(currency, amount)| Money {
                    amount: *amount,
                    currency: String::from(&**currency),
                }),
                ..PhoneCall::default()
            })
            .collect();
        m
    }

    /// Takes the room, rooms and host of `m` (after room identity is resolved).
    fn take_rooms(&mut self, m: Meeting) {
        self.host = m.host.map(Box::new);
        self.room = m.room.map(Box::new);
        self.rooms = m
            .rooms
            .iter()
            .map(|r| (boxed(r.id.as_ref()), boxed(r.name.as_ref())))
            .collect();
    }
}

impl Record for Summary {
    fn key(&self) -> &str {
        &self.key
    }
    fn sources(&self) -> &[Source] {
        &self.sources
    }
    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.observed_at.iter().map(|(_, t)| *t).max()
    }
    fn completeness(&self) -> (bool, usize, usize, usize) {
        let n = |c: u32| usize::try_from(c).unwrap_or(usize::MAX);
        (
            status_is_final(self.status),
            n(self.counts.0),
            n(self.counts.1),
            n(self.counts.2),
        )
    }
    fn tie_cmp(&self, other: &Self) -> Ordering {
        self.digest.cmp(&other.digest)
    }
    fn combine(records: Vec<Self>) -> Option<Self> {
        if records.len() <= 1 {
            return records.into_iter().next();
        }
        let meetings: Vec<Meeting> = records.iter().map(Summary::meeting).collect();
        let combined = <Meeting as Record>::combine(meetings)?;
        Some(Summary::of(&combined))
    }
    fn is_systec_occurrence(&self) -> bool {
        self.vendor == Vendor::Systec && !self.key.starts_with("systec:stub:")
    }
    fn meeting_number(&self) -> Option<&str> {
        self.meeting_number.as_deref()
    }
    fn occurrence_id(&self) -> Option<&str> {
        self.occurrence_id.as_deref()
    }
    fn report(&self) -> Option<ReportState> {
        self.report
    }
    fn set_report(&mut self, report: ReportState) {
        self.report = Some(report);
    }
    fn add_source(&mut self, source: Source, at: Option<DateTime<Utc>>) {
        if !self.sources.contains(&source) {
            self.sources.push(source);
            self.sources.sort();
        }
        if let Some(at) = at {
            match self.observed_at.iter_mut().find(|(s, _)| *s == source) {
                Some((_, slot)) => {
                    if *slot < at {
                        *slot = at;
                    }
                }
                None => {
                    self.observed_at.push((source, at));
                    self.observed_at.sort();
                }
            }
        }
    }
    fn fill_profile(&mut self, _profile: Option<&String>) {
        // The profile is not summarised: no filter or figure reads it.
    }
}

/// One record read, ready for a [`SummaryMerger`]: summarised where it was read (a worker
/// thread), or a report stub kept whole (stubs are small and few).
#[derive(Clone, Debug)]
pub enum Observation {
    /// A meeting's summary.
    Summary(Box<Summary>),
    /// A report stub.
    Stub(Box<Meeting>),
}

impl Observation {
    /// Summarises a record (a stub is kept, without its vendor fields).
    pub fn of(mut m: Meeting) -> Observation {
        if m.is_stub() {
            normalize_sources(&mut m.sources);
            m.vendor_extra.clear();
            m.participants = Vec::new();
            return Observation::Stub(Box::new(m));
        }
        Observation::Summary(Box::new(Summary::of(&m)))
    }
}

/// [`crate::merge::Merger`] over summaries: the same rules, a compact record per distinct
/// meeting.
#[derive(Debug, Default)]
pub struct SummaryMerger {
    held: Held<Summary>,
}

/// What [`SummaryMerger::finish_with_stubs`] returns.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Summarized {
    /// One summary per key, sorted by key, rooms resolved; stubs are not among them.
    pub summaries: Vec<Summary>,
    /// Distinct report stubs read.
    pub stubs: u64,
    /// The meeting numbers of the stubs that matched no occurrence.
    pub unmatched_stubs: Vec<String>,
}

impl SummaryMerger {
    /// An empty merger.
    pub fn new() -> Self {
        SummaryMerger::default()
    }

    /// Adds one observation.
    pub fn push(&mut self, o: Observation) {
        match o {
            Observation::Summary(s) => self.held.push(*s),
            Observation::Stub(m) => self.held.push_stub(*m),
        }
    }

    /// Summarises and adds one record.
    pub fn push_meeting(&mut self, m: Meeting) {
        self.push(Observation::of(m));
    }

    /// The number of distinct records held (keys plus distinct stubs).
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The merged summaries, sorted by key, stubs attached, rooms resolved, with what
    /// became of the stubs (as [`crate::merge::Merger::finish_with_stubs`]).
    pub fn finish_with_stubs(self) -> Summarized {
        let (mut summaries, stubs, unmatched_stubs) = self.held.finish();
        let mut dir = crate::identity::RoomDirectory::new();
        for s in &summaries {
            dir.learn(&s.outline());
        }
        for s in &mut summaries {
            let mut m = s.outline();
            dir.resolve(&mut m);
            s.take_rooms(m);
        }
        Summarized {
            summaries,
            stubs,
            unmatched_stubs,
        }
    }
}

/// [`Aggregate::compute_allocated`] over summaries.
pub fn aggregate(
    summaries: &[Summary],
    by: GroupBy,
    zone: Tz,
    allocation: Option<&crate::allocation::Allocation>,
) -> Aggregate {
    let mut acc = Accumulator::new(by, zone, allocation);
    for s in summaries {
        // Reservations lend their invitees: the rows are read here too.
        acc.learn(&s.meeting());
    }
    for s in summaries {
        acc.add(&s.meeting());
    }
    acc.finish()
}

const ROW_USER_ID: u8 = 1;
const ROW_NAME: u8 = 1 << 1;
const ROW_NAME_EMPTY: u8 = 1 << 2;
const ROW_JOIN: u8 = 1 << 3;
const ROW_LEAVE: u8 = 1 << 4;
const ROW_INVITATION: u8 = 1 << 5;
const ROW_JOIN_NANOS: u8 = 1 << 6;
const ROW_LEAVE_NANOS: u8 = 1 << 7;

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Packs participant rows: per row a flags byte, the user id's and the trimmed name's
/// 64-bit hashes when present, the join as seconds after the previous row's join (zigzag
/// varint), the leave as seconds after the join, and sub-second parts when not zero.
fn pack_rows(rows: &[Participant]) -> Box<[u8]> {
    let mut out = Vec::new();
    put_varint(&mut out, rows.len() as u64);
    let mut previous: i64 = 0;
    for p in rows {
        let name = p.name.as_deref().map(str::trim);
        let mut flags = 0u8;
        if p.user_id.is_some() {
            flags |= ROW_USER_ID;
        }
        match name {
            Some("") => flags |= ROW_NAME_EMPTY,
            Some(_) => flags |= ROW_NAME,
            None => {}
        }
        if p.join.is_some() {
            flags |= ROW_JOIN;
        }
        if p.leave.is_some() {
            flags |= ROW_LEAVE;
        }
        if p.invitation.is_some() {
            flags |= ROW_INVITATION;
        }
        if p.join.is_some_and(|t| t.timestamp_subsec_nanos() != 0) {
            flags |= ROW_JOIN_NANOS;
        }
        if p.leave.is_some_and(|t| t.timestamp_subsec_nanos() != 0) {
            flags |= ROW_LEAVE_NANOS;
        }
        out.push(flags);
        if let Some(id) = &p.user_id {
            out.extend_from_slice(&hash_str(id).to_le_bytes());
        }
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            out.extend_from_slice(&hash_str(name).to_le_bytes());
        }
        let mut base = previous;
        if let Some(j) = p.join {
            put_varint(&mut out, zigzag(j.timestamp().wrapping_sub(previous)));
            if flags & ROW_JOIN_NANOS != 0 {
                put_varint(&mut out, u64::from(j.timestamp_subsec_nanos()));
            }
            previous = j.timestamp();
            base = previous;
        }
        if let Some(l) = p.leave {
            put_varint(&mut out, zigzag(l.timestamp().wrapping_sub(base)));
            if flags & ROW_LEAVE_NANOS != 0 {
                put_varint(&mut out, u64::from(l.timestamp_subsec_nanos()));
            }
        }
    }
    out.into_boxed_slice()
}

/// Reads packed rows back ([`pack_rows`]).
struct Unpacker<'a> {
    bytes: &'a [u8],
}

impl Unpacker<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(*b)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn hash(&mut self) -> Option<u64> {
        let (head, rest) = self.bytes.split_first_chunk::<8>()?;
        self.bytes = rest;
        Some(u64::from_le_bytes(*head))
    }
    fn instant(&mut self, base: i64, nanos: bool) -> Option<DateTime<Utc>> {
        let secs = base.wrapping_add(unzigzag(self.varint()?));
        let nanos = if nanos {
            u32::try_from(self.varint()?).ok()?
        } else {
            0
        };
        DateTime::from_timestamp(secs, nanos)
    }
}

/// The rows of [`pack_rows`], hashes written as 16 hex digits in place of user ids and
/// names: equal where the originals were equal (the merge and the attendance rules only
/// compare them).
fn unpack_rows(bytes: &[u8]) -> Vec<Participant> {
    let mut r = Unpacker { bytes };
    let n = r.varint().unwrap_or(0);
    let mut rows = Vec::with_capacity(usize::try_from(n).unwrap_or(0).min(bytes.len()));
    let mut previous: i64 = 0;
    for _ in 0..n {
        let Some(flags) = r.byte() else { break };
        let mut p = Participant::default();
        if flags & ROW_USER_ID != 0 {
            p.user_id = r.hash().map(|h| format!("{h:016x}"));
        }
        if flags & ROW_NAME != 0 {
            p.name = r.hash().map(|h| format!("{h:016x}"));
        } else if flags & ROW_NAME_EMPTY != 0 {
            p.name = Some(String::new());
        }
        let mut base = previous;
        if flags & ROW_JOIN != 0 {
            p.join = r.instant(previous, flags & ROW_JOIN_NANOS != 0);
            if let Some(j) = p.join {
                previous = j.timestamp();
                base = previous;
            }
        }
        if flags & ROW_LEAVE != 0 {
            p.leave = r.instant(base, flags & ROW_LEAVE_NANOS != 0);
        }
        if flags & ROW_INVITATION != 0 {
            p.invitation = Some(Invitation::Unknown);
        }
        rows.push(p);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pack_and_unpack() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().ok();
        let rows = vec![
            Participant {
                user_id: Some("u1".into()),
                name: Some(" Ann ".into()),
                join: t("2024-01-01T10:00:00Z"),
                leave: t("2024-01-01T10:30:00.5Z"),
                ..Participant::default()
            },
            Participant {
                name: Some("  ".into()),
                join: t("2024-01-01T09:00:00Z"),
                invitation: Some(Invitation::Accepted),
                ..Participant::default()
            },
            Participant {
                leave: t("1969-12-31T23:59:59Z"),
                ..Participant::default()
            },
        ];
        let back = unpack_rows(&pack_rows(&rows));
        assert_eq!(back.len(), 3);
        assert_eq!(back[0].join, rows[0].join);
        assert_eq!(back[0].leave, rows[0].leave);
        assert_eq!(back[0].name, Some(format!("{:016x}", hash_str("Ann"))));
        assert_eq!(back[0].user_id, Some(format!("{:016x}", hash_str("u1"))));
        assert_eq!(back[1].name.as_deref(), Some(""));
        assert_eq!(back[1].join, rows[1].join);
        assert_eq!(back[1].leave, None);
        assert!(back[1].invitation.is_some());
        assert_eq!(back[2].join, None);
        assert_eq!(back[2].leave, rows[2].leave);
        assert_eq!(back[2].name, None);
    }
}
