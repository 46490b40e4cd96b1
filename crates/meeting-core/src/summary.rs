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
//! invitation, packed in a few bytes per row. The rows are written to an unnamed
//! temporary file as they are read (memory if none can be made) and read back once per
//! meeting when the figures are computed, so what stays in memory per meeting is a few
//! hundred bytes.
//!
//! Every rule is the [`Meeting`] path's own: a summary turns back into a [`Meeting`]
//! (hashed ids and names stand for the originals, phone calls carry
//! the totals) on which the merge's `combine`, [`crate::identity::RoomDirectory`],
//! [`crate::query::Filter`] and [`crate::aggregate::Accumulator`] run unchanged, so the
//! figures are those of the whole records.
//!
//! One difference: two observations of the same key and sources observed at the same time
//! and equally complete are told apart by a hash of their summaries where the [`Meeting`]
//! path compares their JSON texts (a summary does not keep them). Neither choice depends
//! on the input order; twins whose summaries are equal give the same figures whichever is
//! kept, and only twins that differ in a summarised field may be chosen differently.
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
//! let merged = merger.finish_with_stubs()?;
//! let agg = meeting_core::summary::aggregate(&merged, GroupBy::Room, chrono_tz::UTC, None)?;
//! assert_eq!(agg, whole);
//! assert_eq!(agg.total.attendees, 1);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::cmp::Ordering;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

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
    vendor: Vendor,
    status: Status,
    report: Option<ReportState>,
    /// The sources, sorted: the first `n_sources`.
    sources: [Source; 5],
    n_sources: u8,
    /// Participant rows, phone calls and warnings (the completeness counts).
    counts: [u32; 3],
    /// A hash of the summary's content ([`Summary::content_hash`]): the last tie-break.
    digest: u64,
    /// The participant rows: packed, or where the [`RowStore`] keeps them.
    rows: Rows,
    /// Every other field, packed (see [`Parts`]).
    packed: Box<[u8]>,
}

/// Where a summary's packed participant rows are.
#[derive(Clone, Debug, PartialEq)]
enum Rows {
    /// Here (a summary not yet given to a merger).
    Packed(Box<[u8]>),
    /// In the merger's [`RowStore`], at this offset and length.
    Stored(u64, u32),
}

/// The fields of a summary other than the inline ones, unpacked.
#[derive(Clone, Debug, Default, PartialEq)]
struct Parts {
    key: String,
    observed_at: Vec<(Source, DateTime<Utc>)>,
    occurrence_id: Option<String>,
    meeting_number: Option<String>,
    event_id: Option<String>,
    host: Option<Host>,
    room: Option<Room>,
    rooms: Vec<(Option<String>, Option<String>)>,
    scheduled_start: Option<DateTime<Utc>>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    duration_seconds: Option<u64>,
    billed_minutes: Option<u64>,
    participant_count: Option<u64>,
    /// The phone calls' billed minutes (`None`: no call gave any).
    phone_minutes: Option<u64>,
    /// The phone calls' exact cost per currency, in currency order.
    phone_cost: Vec<(String, Decimal)>,
}

fn source_index(s: Source) -> u8 {
    Source::ALL
        .iter()
        .position(|x| *x == s)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

fn source_at(i: u8) -> Source {
    Source::ALL
        .get(usize::from(i))
        .copied()
        .unwrap_or(Source::SystecDetail)
}

/// How many of a summary's first strings a later one can refer to.
const STRING_REFS: usize = 16;

/// A string no shorter than this is written as a reference to the end of an earlier one
/// it ends (the occurrence id that ends the key); an equal string always is.
const SUFFIX_MIN: usize = 8;

/// Writes the packed form.
///
/// A string is `0` (none), `2 × len + 1` and its bytes (a literal), or `2 × (i + 1)` and a
/// byte offset: the end of the summary's `i`-th literal from that offset. A summary repeats
/// its strings often (a Systec occurrence id ends its key; a room account's name and
/// mailbox are the host's too), and the summaries of a large input are most of the memory
/// `stats` holds.
#[derive(Default)]
struct Packer(Vec<u8>, Vec<(usize, usize)>);

impl Packer {
    fn varint(&mut self, v: u64) {
        put_varint(&mut self.0, v);
    }
    fn str(&mut self, s: Option<&str>) {
        let Some(s) = s else {
            self.varint(0);
            return;
        };
        let earlier = self.1.iter().enumerate().find_map(|(i, &(start, len))| {
            let prev = self.0.get(start..start + len)?;
            (prev.ends_with(s.as_bytes()) && (prev.len() == s.len() || s.len() >= SUFFIX_MIN))
                .then(|| (i, prev.len() - s.len()))
        });
        match earlier {
            Some((i, offset)) => {
                self.varint(2 * (i as u64 + 1));
                self.varint(offset as u64);
            }
            None => {
                self.varint(2 * s.len() as u64 + 1);
                if self.1.len() < STRING_REFS {
                    self.1.push((self.0.len(), s.len()));
                }
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }
    fn u64(&mut self, v: Option<u64>) {
        match v {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                self.varint(v);
            }
        }
    }
    fn time(&mut self, t: Option<DateTime<Utc>>) {
        match t {
            None => self.0.push(0),
            Some(t) if t.timestamp_subsec_nanos() == 0 => {
                self.0.push(1);
                self.varint(zigzag(t.timestamp()));
            }
            Some(t) => {
                self.0.push(2);
                self.varint(zigzag(t.timestamp()));
                self.varint(u64::from(t.timestamp_subsec_nanos()));
            }
        }
    }
}

/// Reads the packed form back; `None` past its end.
struct Unpacker<'a> {
    bytes: &'a [u8],
    /// The first literals read, which later strings may refer to.
    strings: [&'a str; STRING_REFS],
    n_strings: usize,
}

impl<'a> Unpacker<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Unpacker {
            bytes,
            strings: [""; STRING_REFS],
            n_strings: 0,
        }
    }
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
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.bytes.get(..n)?;
        self.bytes = self.bytes.get(n..)?;
        Some(head)
    }
    fn str_ref(&mut self) -> Option<Option<&'a str>> {
        let n = self.varint()?;
        if n == 0 {
            return Some(None);
        }
        if n % 2 == 1 {
            let bytes = self.take(usize::try_from(n / 2).ok()?)?;
            let s = std::str::from_utf8(bytes).ok()?;
            if let Some(slot) = self.strings.get_mut(self.n_strings) {
                *slot = s;
                self.n_strings += 1;
            }
            return Some(Some(s));
        }
        let i = usize::try_from(n / 2 - 1).ok()?;
        let offset = usize::try_from(self.varint()?).ok()?;
        let earlier: &'a str = self.strings.get(..self.n_strings)?.get(i)?;
        earlier.get(offset..).map(Some)
    }
    fn str(&mut self) -> Option<Option<String>> {
        Some(self.str_ref()?.map(str::to_owned))
    }
    fn u64(&mut self) -> Option<Option<u64>> {
        match self.byte()? {
            0 => Some(None),
            _ => Some(Some(self.varint()?)),
        }
    }
    fn time(&mut self) -> Option<Option<DateTime<Utc>>> {
        let tag = self.byte()?;
        if tag == 0 {
            return Some(None);
        }
        let secs = unzigzag(self.varint()?);
        let nanos = if tag == 2 {
            u32::try_from(self.varint()?).ok()?
        } else {
            0
        };
        DateTime::from_timestamp(secs, nanos).map(Some)
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

impl Parts {
    fn of(m: &Meeting) -> Parts {
        let phone_minutes = m
            .phone_calls
            .iter()
            .filter_map(|c| c.billed_minutes)
            .reduce(|a, b| a.saturating_add(b));
        Parts {
            key: m.key.clone(),
            observed_at: m.observed_at.iter().map(|(s, t)| (*s, *t)).collect(),
            occurrence_id: m.occurrence_id.clone(),
            meeting_number: m.meeting_number.clone(),
            event_id: m.event_id.clone(),
            host: m.host.clone(),
            room: m.room.clone(),
            rooms: m
                .rooms
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect(),
            scheduled_start: m.scheduled_start,
            start: m.start,
            end: m.end,
            duration_seconds: m.duration_seconds,
            billed_minutes: m.billed_minutes,
            participant_count: m.participant_count,
            phone_minutes,
            phone_cost: m.phone_cost().into_iter().collect(),
        }
    }

    /// The packed form: the key first (read alone by [`Summary::key`]).
    fn pack(&self) -> Box<[u8]> {
        let mut p = Packer::default();
        p.str(Some(&self.key));
        p.varint(self.observed_at.len() as u64);
        for (s, t) in &self.observed_at {
            p.0.push(source_index(*s));
            p.time(Some(*t));
        }
        p.str(self.occurrence_id.as_deref());
        p.str(self.meeting_number.as_deref());
        p.str(self.event_id.as_deref());
        match &self.host {
            None => p.0.push(0),
            Some(h) => {
                p.0.push(1);
                for f in [&h.id, &h.name, &h.email, &h.account_type] {
                    p.str(f.as_deref());
                }
            }
        }
        match &self.room {
            None => p.0.push(0),
            Some(r) => {
                p.0.push(1);
                for f in [&r.id, &r.name, &r.email] {
                    p.str(f.as_deref());
                }
            }
        }
        p.varint(self.rooms.len() as u64);
        for (id, name) in &self.rooms {
            p.str(id.as_deref());
            p.str(name.as_deref());
        }
        for t in [self.scheduled_start, self.start, self.end] {
            p.time(t);
        }
        for v in [
            self.duration_seconds,
            self.billed_minutes,
            self.participant_count,
            self.phone_minutes,
        ] {
            p.u64(v);
        }
        p.varint(self.phone_cost.len() as u64);
        for (currency, amount) in &self.phone_cost {
            p.str(Some(currency));
            p.0.extend_from_slice(&amount.serialize());
        }
        p.0.into_boxed_slice()
    }

    fn unpack(bytes: &[u8]) -> Parts {
        Parts::try_unpack(bytes).unwrap_or_default()
    }

    fn try_unpack(bytes: &[u8]) -> Option<Parts> {
        let mut u = Unpacker::new(bytes);
        let key = u.str()?.unwrap_or_default();
        let n = u.varint()?;
        let mut observed_at = Vec::new();
        for _ in 0..n {
            let s = source_at(u.byte()?);
            if let Some(t) = u.time()? {
                observed_at.push((s, t));
            }
        }
        let occurrence_id = u.str()?;
        let meeting_number = u.str()?;
        let event_id = u.str()?;
        let host = match u.byte()? {
            0 => None,
            _ => Some(Host {
                id: u.str()?,
                name: u.str()?,
                email: u.str()?,
                account_type: u.str()?,
            }),
        };
        let room = match u.byte()? {
            0 => None,
            _ => Some(Room {
                id: u.str()?,
                name: u.str()?,
                email: u.str()?,
            }),
        };
        let n = u.varint()?;
        let mut rooms = Vec::new();
        for _ in 0..n {
            rooms.push((u.str()?, u.str()?));
        }
        let scheduled_start = u.time()?;
        let start = u.time()?;
        let end = u.time()?;
        let duration_seconds = u.u64()?;
        let billed_minutes = u.u64()?;
        let participant_count = u.u64()?;
        let phone_minutes = u.u64()?;
        let n = u.varint()?;
        let mut phone_cost = Vec::new();
        for _ in 0..n {
            let currency = u.str()?.unwrap_or_default();
            let amount = Decimal::deserialize(*u.take(16)?.first_chunk::<16>()?);
            phone_cost.push((currency, amount));
        }
        Some(Parts {
            key,
            observed_at,
            occurrence_id,
            meeting_number,
            event_id,
            host,
            room,
            rooms,
            scheduled_start,
            start,
            end,
            duration_seconds,
            billed_minutes,
            participant_count,
            phone_minutes,
            phone_cost,
        })
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn hash_str(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

impl Summary {
    /// The summary of one record (its sources sorted and deduplicated first).
    pub fn of(m: &Meeting) -> Summary {
        let mut list = m.sources.clone();
        normalize_sources(&mut list);
        let mut sources = [Source::SystecDetail; 5];
        let mut n_sources = 0u8;
        for (slot, s) in sources.iter_mut().zip(&list) {
            *slot = *s;
            n_sources += 1;
        }
        let mut s = Summary {
            vendor: m.vendor,
            status: m.status,
            report: m.report,
            sources,
            n_sources,
            counts: [
                count(m.participants.len()),
                count(m.phone_calls.len()),
                count(m.warnings.len()),
            ],
            digest: 0,
            rows: Rows::Packed(pack_rows(&m.participants)),
            packed: Parts::of(m).pack(),
        };
        s.digest = s.content_hash();
        s
    }

    /// A hash of everything the summary holds: two observations whose summaries are equal
    /// give the same figures whichever is kept.
    fn content_hash(&self) -> u64 {
        let mut h = DefaultHasher::new();
        (self.vendor, self.status, self.report).hash(&mut h);
        self.source_list().hash(&mut h);
        self.counts.hash(&mut h);
        self.packed.hash(&mut h);
        if let Rows::Packed(rows) = &self.rows {
            rows.hash(&mut h);
        }
        h.finish()
    }

    /// The meeting's key.
    pub fn key(&self) -> &str {
        Unpacker::new(&self.packed)
            .str_ref()
            .flatten()
            .unwrap_or("")
    }

    fn source_list(&self) -> &[Source] {
        self.sources
            .get(..usize::from(self.n_sources))
            .unwrap_or(&[])
    }

    /// The record without its participants and phone calls: what the merge's identity
    /// steps, the filters and the groupings read.
    pub fn outline(&self) -> Meeting {
        self.outline_of(Parts::unpack(&self.packed))
    }

    fn outline_of(&self, p: Parts) -> Meeting {
        let first = self
            .source_list()
            .first()
            .copied()
            .unwrap_or(Source::SystecDetail);
        let mut m = Meeting::new(self.vendor, first, p.key);
        m.sources = self.source_list().to_vec();
        m.observed_at = p.observed_at.into_iter().collect();
        m.occurrence_id = p.occurrence_id;
        m.meeting_number = p.meeting_number;
        m.event_id = p.event_id;
        m.host = p.host;
        m.room = p.room;
        m.rooms = p
            .rooms
            .into_iter()
            .map(|(id, name)| BookedRoom {
                id,
                name,
                ..BookedRoom::default()
            })
            .collect();
        m.status = self.status;
        m.report = self.report;
        m.scheduled_start = p.scheduled_start;
        m.start = p.start;
        m.end = p.end;
        m.duration_seconds = p.duration_seconds;
        m.billed_minutes = p.billed_minutes;
        m.participant_count = p.participant_count;
        m
    }

    /// The record as the aggregates read it: [`Summary::outline`] with the participant
    /// rows (hashes standing for user ids and names) and the phone calls (as many as there
    /// were; the first carries the billed minutes, one per currency carries its cost).
    ///
    /// # Errors
    /// The row store's (a temporary file's) errors.
    pub fn meeting(&self, store: &RowStore) -> io::Result<Meeting> {
        let parts = Parts::unpack(&self.packed);
        let phone_minutes = parts.phone_minutes;
        let phone_cost = parts.phone_cost.clone();
        let mut m = self.outline_of(parts);
        m.participants = match &self.rows {
            Rows::Packed(bytes) => unpack_rows(bytes),
            Rows::Stored(at, len) => unpack_rows(&store.get(*at, *len)?),
        };
        let calls = usize::try_from(self.counts[1]).unwrap_or(usize::MAX);
        let mut costs = phone_cost.into_iter();
        m.phone_calls = (0..calls)
            .map(|i| PhoneCall {
                billed_minutes: if i == 0 { phone_minutes } else { None },
                cost: costs
                    .next()
                    .map(|(currency, amount)| Money { amount, currency }),
                ..PhoneCall::default()
            })
            .collect();
        Ok(m)
    }

    /// Moves packed rows into `store`.
    fn store_rows(&mut self, store: &mut RowStore) -> io::Result<()> {
        if let Rows::Packed(bytes) = &self.rows {
            self.rows = store.put(bytes)?;
        }
        Ok(())
    }

    /// Changes the packed fields.
    fn edit(&mut self, f: impl FnOnce(&mut Parts)) {
        let mut parts = Parts::unpack(&self.packed);
        f(&mut parts);
        self.packed = parts.pack();
    }
}

impl Record for Summary {
    fn record_key(&self) -> &str {
        Summary::key(self)
    }
    fn key_bytes(&self) -> &[u8] {
        let mut u = Unpacker::new(&self.packed);
        // The key is the first string: always a literal.
        u.varint()
            .filter(|n| n % 2 == 1)
            .and_then(|n| usize::try_from(n / 2).ok())
            .and_then(|n| u.take(n))
            .unwrap_or(&[])
    }
    fn sources(&self) -> &[Source] {
        self.source_list()
    }
    fn last_observed(&self) -> Option<DateTime<Utc>> {
        Parts::unpack(&self.packed)
            .observed_at
            .iter()
            .map(|(_, t)| *t)
            .max()
    }
    fn completeness(&self) -> (bool, usize, usize, usize) {
        let n = |c: u32| usize::try_from(c).unwrap_or(usize::MAX);
        (
            status_is_final(self.status),
            n(self.counts[0]),
            n(self.counts[1]),
            n(self.counts[2]),
        )
    }
    fn tie_cmp(&self, other: &Self) -> Ordering {
        self.digest.cmp(&other.digest)
    }
    fn is_systec_occurrence(&self) -> bool {
        self.vendor == Vendor::Systec && !self.key().starts_with("systec:stub:")
    }
    fn meeting_number(&self) -> Option<&str> {
        let mut u = Unpacker::new(&self.packed);
        u.str_ref()?;
        for _ in 0..u.varint()? {
            u.byte()?;
            u.time()?;
        }
        u.str_ref()?;
        u.str_ref()?
    }
    fn occurrence_id(&self) -> Option<&str> {
        let mut u = Unpacker::new(&self.packed);
        u.str_ref()?;
        for _ in 0..u.varint()? {
            u.byte()?;
            u.time()?;
        }
        u.str_ref()?
    }
    fn report(&self) -> Option<ReportState> {
        self.report
    }
    fn set_report(&mut self, report: ReportState) {
        self.report = Some(report);
    }
    fn add_source(&mut self, source: Source, at: Option<DateTime<Utc>>) {
        if !self.source_list().contains(&source) {
            let mut list = self.source_list().to_vec();
            list.push(source);
            list.sort();
            for (slot, s) in self.sources.iter_mut().zip(&list) {
                *slot = *s;
            }
            self.n_sources = u8::try_from(list.len().min(5)).unwrap_or(5);
        }
        if let Some(at) = at {
            self.edit(
                |p| match p.observed_at.iter_mut().find(|(s, _)| *s == source) {
                    Some((_, slot)) => {
                        if *slot < at {
                            *slot = at;
                        }
                    }
                    None => {
                        p.observed_at.push((source, at));
                        p.observed_at.sort();
                    }
                },
            );
        }
    }
    fn fill_profile(&mut self, _profile: Option<&String>) {
        // The profile is not summarised: no filter or figure reads it.
    }
}

/// Where the packed participant rows of a merge are kept: an unnamed temporary file, so
/// that memory does not grow with the participants; memory when no file can be made.
#[derive(Debug, Default)]
pub struct RowStore {
    file: Option<Spill>,
    memory: Vec<u8>,
}

#[derive(Debug)]
struct Spill {
    writer: BufWriter<std::fs::File>,
    reader: std::fs::File,
    len: u64,
    /// Removed at once where the system allows it (an open file stays readable), else
    /// when the store is dropped.
    path: Option<std::path::PathBuf>,
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl RowStore {
    /// A store in a new temporary file (memory if none can be made).
    pub fn new() -> RowStore {
        RowStore {
            file: Spill::new().ok(),
            memory: Vec::new(),
        }
    }

    /// A store in memory.
    pub fn in_memory() -> RowStore {
        RowStore::default()
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<Rows> {
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        match &mut self.file {
            Some(spill) => {
                let at = spill.len;
                spill.writer.write_all(bytes)?;
                spill.len += u64::from(len);
                Ok(Rows::Stored(at, len))
            }
            None => {
                let at = self.memory.len() as u64;
                self.memory.extend_from_slice(bytes);
                Ok(Rows::Stored(at, len))
            }
        }
    }

    /// Makes what was put readable.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(spill) => spill.writer.flush(),
            None => Ok(()),
        }
    }

    fn get(&self, at: u64, len: u32) -> io::Result<Vec<u8>> {
        let n = usize::try_from(len).map_err(io::Error::other)?;
        match &self.file {
            Some(spill) => {
                let mut buf = vec![0; n];
                let mut reader = &spill.reader;
                reader.seek(SeekFrom::Start(at))?;
                reader.read_exact(&mut buf)?;
                Ok(buf)
            }
            None => {
                let start = usize::try_from(at).map_err(io::Error::other)?;
                self.memory
                    .get(start..start.saturating_add(n))
                    .map(<[u8]>::to_vec)
                    .ok_or_else(|| io::Error::other("participant rows out of range"))
            }
        }
    }
}

impl Spill {
    fn new() -> io::Result<Spill> {
        use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        let path = std::env::temp_dir().join(format!(
            "meeting-rows-{}-{}-{:016x}",
            std::process::id(),
            NEXT.fetch_add(1, AtomicOrdering::Relaxed),
            u64::from_le_bytes(nonce)
        ));
        let writer = std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let reader = std::fs::File::open(&path);
        let reader = match reader {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
        };
        let path = match std::fs::remove_file(&path) {
            Ok(()) => None,
            Err(_) => Some(path),
        };
        Ok(Spill {
            writer: BufWriter::with_capacity(1 << 16, writer),
            reader,
            len: 0,
            path,
        })
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
    /// Summarises a record (a stub is kept as it is).
    pub fn of(mut m: Meeting) -> Observation {
        if m.is_stub() {
            normalize_sources(&mut m.sources);
            return Observation::Stub(Box::new(m));
        }
        Observation::Summary(Box::new(Summary::of(&m)))
    }
}

/// [`crate::merge::Merger`] over summaries: the same rules, a compact record per distinct
/// meeting, the participant rows in a [`RowStore`].
#[derive(Debug, Default)]
pub struct SummaryMerger {
    held: Held<Summary>,
    rows: RowStore,
    error: Option<io::Error>,
}

/// What [`SummaryMerger::finish_with_stubs`] returns.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Summarized {
    /// One summary per key, sorted by key, rooms resolved; stubs are not among them.
    pub summaries: Vec<Summary>,
    /// Distinct report stubs read.
    pub stubs: u64,
    /// The meeting numbers of the stubs that matched no occurrence.
    pub unmatched_stubs: Vec<String>,
    /// The summaries' participant rows.
    pub rows: RowStore,
}

impl SummaryMerger {
    /// An empty merger, its rows in a temporary file ([`RowStore::new`]).
    pub fn new() -> Self {
        SummaryMerger::with_rows(RowStore::new())
    }

    /// An empty merger keeping its rows in `rows`.
    pub fn with_rows(rows: RowStore) -> Self {
        SummaryMerger {
            held: Held::default(),
            rows,
            error: None,
        }
    }

    /// Adds one observation.
    pub fn push(&mut self, o: Observation) {
        match o {
            Observation::Summary(mut s) => {
                if let Err(e) = s.store_rows(&mut self.rows) {
                    self.error.get_or_insert(e);
                }
                // Held from here on: allocated by this thread, not the reading one, so
                // what the readers free is theirs to reuse.
                s.packed = Box::from(&*s.packed);
                self.held.push(*s);
            }
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
    ///
    /// # Errors
    /// The temporary file's errors.
    pub fn finish_with_stubs(self) -> io::Result<Summarized> {
        let SummaryMerger {
            held,
            mut rows,
            error,
        } = self;
        if let Some(e) = error {
            return Err(e);
        }
        rows.flush()?;
        let mut error = None;
        let (mut summaries, stubs, unmatched_stubs) =
            held.finish(|records| match combine(records, &mut rows) {
                Ok(s) => s,
                Err(e) => {
                    error.get_or_insert(e);
                    None
                }
            });
        if let Some(e) = error {
            return Err(e);
        }
        rows.flush()?;
        let mut dir = crate::identity::RoomDirectory::new();
        for s in &summaries {
            dir.learn(&crate::MeetingSummary::identity(&s.outline()));
        }
        for s in &mut summaries {
            let mut m = s.outline();
            let before = (m.host.clone(), m.room.clone(), m.rooms.clone());
            dir.resolve(&mut m);
            if before == (m.host.clone(), m.room.clone(), m.rooms.clone()) {
                continue;
            }
            s.edit(|p| {
                p.host = m.host;
                p.room = m.room;
                p.rooms = m.rooms.into_iter().map(|r| (r.id, r.name)).collect();
            });
        }
        Ok(Summarized {
            summaries,
            stubs,
            unmatched_stubs,
            rows,
        })
    }
}

/// The merge's `combine` over the records of one key, through whole meetings.
fn combine(records: Vec<Summary>, rows: &mut RowStore) -> io::Result<Option<Summary>> {
    if records.len() <= 1 {
        return Ok(records.into_iter().next());
    }
    let meetings = records
        .iter()
        .map(|s| s.meeting(rows))
        .collect::<io::Result<Vec<Meeting>>>()?;
    let Some(combined) = crate::merge::combine(meetings) else {
        return Ok(None);
    };
    let mut s = Summary::of(&combined);
    s.store_rows(rows)?;
    Ok(Some(s))
}

/// [`Aggregate::compute_allocated`] over merged summaries.
///
/// # Errors
/// The temporary file's errors.
pub fn aggregate(
    merged: &Summarized,
    by: GroupBy,
    zone: Tz,
    allocation: Option<&dyn crate::aggregate::Departments>,
) -> io::Result<Aggregate> {
    use crate::MeetingSummary;
    let mut acc = Accumulator::new(by, zone, allocation);
    for s in &merged.summaries {
        let outline = s.outline();
        if crate::aggregate::lends_participants(&outline) {
            acc.learn(&MeetingSummary::from_meeting(&s.meeting(&merged.rows)?));
        } else {
            acc.learn(&MeetingSummary::identity(&outline));
        }
    }
    for s in &merged.summaries {
        acc.add(&MeetingSummary::from_meeting(&s.meeting(&merged.rows)?));
    }
    Ok(acc.finish())
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
        out.push(low_byte(v) | 0x80);
        v >>= 7;
    }
    out.push(low_byte(v));
}

/// The low 7 bits of `v`.
fn low_byte(v: u64) -> u8 {
    u8::try_from(v & 0x7f).unwrap_or(0)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)).cast_unsigned()
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1).cast_signed() ^ -(v & 1).cast_signed()
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

/// The rows of [`pack_rows`], hashes written as 16 hex digits in place of user ids and
/// names: equal where the originals were equal (the merge and the attendance rules only
/// compare them).
fn unpack_rows(bytes: &[u8]) -> Vec<Participant> {
    let mut r = Unpacker::new(bytes);
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
    fn repeated_strings_pack_as_references_and_unpack_the_same() {
        let parts = Parts {
            key: "systec:RQ0K7TQwWW3H7TB7GVntYQ==".into(),
            occurrence_id: Some("RQ0K7TQwWW3H7TB7GVntYQ==".into()),
            meeting_number: Some("6428142179".into()),
            // Short suffixes are literals; equal strings and non-ASCII ends are references.
            event_id: Some("Q==".into()),
            host: Some(Host {
                id: None,
                name: Some("会议室六号room06".into()),
                email: Some("shareroom6@systec.com.cn".into()),
                account_type: Some("Corp".into()),
            }),
            room: Some(Room {
                id: Some(String::new()),
                name: Some("会议室六号room06".into()),
                email: Some("shareroom6@systec.com.cn".into()),
            }),
            rooms: vec![(Some("六号room06".into()), Some("room06".into()))],
            ..Parts::default()
        };
        let packed = parts.pack();
        assert_eq!(Parts::unpack(&packed), parts);
        // Each repeated string is held once.
        let count = |needle: &str| {
            packed
                .windows(needle.len())
                .filter(|w| *w == needle.as_bytes())
                .count()
        };
        assert_eq!(count("RQ0K7TQwWW3H7TB7GVntYQ=="), 1);
        assert_eq!(count("shareroom6@systec.com.cn"), 1);
        assert_eq!(count("会议室六号room06"), 1);
        assert_eq!(count("六号room06"), 1);
        let mut u = Unpacker::new(&packed);
        assert_eq!(u.str_ref(), Some(Some(parts.key.as_str())));
        // A reference past the literals read, or into the middle of a character, is `None`.
        let bad = [4u8, 0];
        assert_eq!(Unpacker::new(&bad).str_ref(), None);
        let mut p = Packer::default();
        p.str(Some("会议室"));
        p.0.extend_from_slice(&[2, 1]);
        let mut u = Unpacker::new(&p.0);
        assert_eq!(u.str_ref(), Some(Some("会议室")));
        assert_eq!(u.str_ref(), None);
    }

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
