//! Merging: one Systec occurrence seen through several endpoints becomes one [`Meeting`].
//!
//! Merging is an explicit step, separate from reading: feed meetings to a [`Merger`] (or
//! call [`merge`]) and take the result. Memory grows with the number of distinct meetings
//! (at most one record per key and per source set is held), not with the input.
//!
//! # What is merged
//!
//! Records with the same [`Meeting::key`] are merged. Quanshi reservations
//! (`quanshi:conference:`) and occurrences (`quanshi:temp:`) have different keys and are
//! never merged with each other: how they are counted together is the aggregate's rule
//! ([`crate::aggregate`]).
//!
//! # Observations
//!
//! Every record is an observation of its `(key, sources)` with the time it was fetched
//! ([`Meeting::observed_at`]). The newest observation replaces the older ones; records
//! observed at the same time (or both without a time, as bare vendor bodies are) keep the
//! "most complete": the greatest by (status is final, number of participants, number of
//! phone calls, number of warnings, its JSON text). So a corrected topic wins, a warning
//! clears when a complete page is fetched later, and the result does not depend on the
//! order of the input.
//!
//! # Report stubs
//!
//! A Systec report stub (`systec:stub:<meeting number>`: the vendor has no report, because
//! the meeting had fewer than two participants or had not ended) is never a meeting. It
//! annotates the occurrences of the input set with its meeting number that lack a full
//! report, restricted to the UUIDs of the request that answered it when known
//! ([`Meeting::stub_scope`]: a live fetch, a save-raw record); never by position. An
//! annotated occurrence gets `report: none` and `systec.reports` in its `sources`. A stub
//! that matches no occurrence is counted ([`Merged::unmatched_stubs`]) and not output.
//! Every other Systec occurrence says `report: full` when a full report is merged in, else
//! `not_fetched`.
//!
//! # Rooms
//!
//! After merging, rooms are resolved to one identity and one label across the input set
//! ([`crate::identity::resolve_rooms`]).
//!
//! # Conflict rules, field by field
//!
//! The sources of one key are ranked per field; the first source in the field's order that
//! has a value wins. `R` = `systec.reports`, `H` = `systec.his_meeting`, `D` =
//! `systec.detail` (Quanshi records only ever meet records of their own source).
//!
//! | field | rule |
//! |---|---|
//! | `schema_version`, `vendor`, `key` | equal by construction |
//! | `sources` | union, sorted, deduplicated |
//! | `occurrence_id` | R, H, D (the same uuid) |
//! | `meeting_number` | R, H, D |
//! | `event_id` | first present (Quanshi only) |
//! | `topic` | D only has one: D, then R, H |
//! | `host.*` | R, H, then D, field by field (reports and hisMeeting carry the room account) |
//! | `room.id` | D (`host_id`), then R, H |
//! | `room.name`, `room.email` | R, H, then D |
//! | `status` | R, H, D, skipping `unknown` |
//! | `scheduled_*` | D, then R, H |
//! | `start`, `end` | R, H, then D: the UTC instants of reports/hisMeeting win over detail's zone-less local times |
//! | `duration_seconds` | recomputed from the merged `start`/`end`; else R, H, D |
//! | `billed_minutes` | R, H, then D |
//! | `participant_count` | the maximum of the counts given |
//! | `participants` | R's list, then each D participant matched to an unmatched R one when the trimmed names are equal **and** the join times are equal to the second (the match fills R's missing fields from D); unmatched D participants appended; H has no list. Sources ordered R, D, H, others. |
//! | `phone_calls` | D, then R, H: the first non-empty list |
//! | `rooms` | first non-empty list |
//! | `features.*` | `true` if any source says true, else `false` if any says false, else absent |
//! | `connections.*` | the maximum of the counts given |
//! | `warnings` | union, sorted, deduplicated |
//! | `report` | `full` over `none` over `not_fetched` |
//! | `profile` | R, H, D |
//! | `observed_at` | per source, the newest |
//! | `vendor_extra` | per source: each source keeps its own map; for the same source the higher-ranked record's map wins key by key |

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::model::seconds_between;
use crate::{Connections, Features, Host, Meeting, Participant, ReportState, Room, Source, Status};

/// A record the merge holds per key and source set (a whole [`Meeting`], [`Merger`]). The rules (which observation wins,
/// how records of one key combine, how stubs attach) are written once, over this trait.
pub(crate) trait Record: Sized {
    /// The key records merge by.
    fn record_key(&self) -> &str;
    /// The key's UTF-8 bytes (ordered as the key).
    fn key_bytes(&self) -> &[u8] {
        self.record_key().as_bytes()
    }
    /// The sources, sorted and deduplicated.
    fn sources(&self) -> &[Source];
    /// The newest observation time.
    fn last_observed(&self) -> Option<DateTime<Utc>>;
    /// Completeness before the last tie-break: (status is final, participants, phone
    /// calls, warnings).
    fn completeness(&self) -> (bool, usize, usize, usize);
    /// The last tie-break between two records equal in everything else.
    fn tie_cmp(&self, other: &Self) -> Ordering;
    /// Whether this is a Systec occurrence (not a stub).
    fn is_systec_occurrence(&self) -> bool;
    /// The Systec meeting number.
    fn meeting_number(&self) -> Option<&str>;
    /// The occurrence's UUID.
    fn occurrence_id(&self) -> Option<&str>;
    /// The report state.
    fn report(&self) -> Option<ReportState>;
    /// Sets the report state.
    fn set_report(&mut self, report: ReportState);
    /// Adds `source` (kept sorted) and its observation time (the newest is kept).
    fn add_source(&mut self, source: Source, at: Option<DateTime<Utc>>);
    /// Sets the profile when it has none.
    fn fill_profile(&mut self, profile: Option<&String>);
}

impl Record for Meeting {
    fn record_key(&self) -> &str {
        &self.key
    }
    fn sources(&self) -> &[Source] {
        &self.sources
    }
    fn last_observed(&self) -> Option<DateTime<Utc>> {
        Meeting::last_observed(self)
    }
    fn completeness(&self) -> (bool, usize, usize, usize) {
        (
            status_is_final(self.status),
            self.participants.len(),
            self.phone_calls.len(),
            self.warnings.len(),
        )
    }
    fn tie_cmp(&self, other: &Self) -> Ordering {
        let ja = serde_json::to_string(self).unwrap_or_default();
        let jb = serde_json::to_string(other).unwrap_or_default();
        ja.cmp(&jb)
    }
    fn is_systec_occurrence(&self) -> bool {
        self.vendor == crate::Vendor::Systec && !self.is_stub()
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
            let slot = self.observed_at.entry(source).or_insert(at);
            if *slot < at {
                *slot = at;
            }
        }
    }
    fn fill_profile(&mut self, profile: Option<&String>) {
        if self.profile.is_none() {
            self.profile = profile.cloned();
        }
    }
}

/// What a merge holds: per key, one record per distinct sources list (sorted by it), and
/// the report stubs per (meeting number, request scope), the newest.
#[derive(Debug)]
pub(crate) struct Held<T> {
    by_key: BTreeSet<Slot<T>>,
    stubs: BTreeMap<(String, Option<Vec<String>>), Meeting>,
}

impl<T> Default for Held<T> {
    fn default() -> Self {
        Held {
            by_key: BTreeSet::new(),
            stubs: BTreeMap::new(),
        }
    }
}

/// The records of one key (never empty), one per distinct sources list, sorted by it;
/// ordered by the key, which the records hold (so it is not held twice).
#[derive(Debug)]
struct Slot<T>(Vec<T>);

impl<T: Record> Slot<T> {
    fn key(&self) -> &[u8] {
        self.0.first().map_or(&[], Record::key_bytes)
    }
}

impl<T: Record> std::borrow::Borrow<[u8]> for Slot<T> {
    fn borrow(&self) -> &[u8] {
        self.key()
    }
}

impl<T: Record> PartialEq for Slot<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T: Record> Eq for Slot<T> {}

impl<T: Record> PartialOrd for Slot<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Record> Ord for Slot<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

/// Sorts and deduplicates a record's sources, as the merge compares them.
pub(crate) fn normalize_sources(sources: &mut Vec<Source>) {
    sources.sort();
    sources.dedup();
}

impl<T: Record> Held<T> {
    /// Adds a report stub (sources normalised).
    pub(crate) fn push_stub(&mut self, meeting: Meeting) {
        let id = (
            meeting.meeting_number.clone().unwrap_or_default(),
            meeting.stub_scope().map(<[String]>::to_vec),
        );
        match self.stubs.get_mut(&id) {
            Some(held) => {
                if observation_cmp(&meeting, held) == Ordering::Greater {
                    *held = meeting;
                }
            }
            None => {
                self.stubs.insert(id, meeting);
            }
        }
    }

    /// Adds one record (sources normalised): the newer or more complete observation of its
    /// key and sources is kept.
    pub(crate) fn push(&mut self, record: T) {
        let Some(mut slot) = self.by_key.take(record.key_bytes()) else {
            self.by_key.insert(Slot(vec![record]));
            return;
        };
        let slots = &mut slot.0;
        match slots.binary_search_by(|r| r.sources().cmp(record.sources())) {
            Ok(i) => {
                if let Some(held) = slots.get_mut(i)
                    && observation_cmp(&record, held) == Ordering::Greater
                {
                    *held = record;
                }
            }
            Err(i) => {
                // Exactly one more: a key has a record per distinct sources list (two or
                // three at most in practice), and amortised growth would reserve four.
                slots.reserve_exact(1);
                slots.insert(i, record);
            }
        }
        self.by_key.insert(slot);
    }

    /// The number of distinct records held (keys plus distinct stubs).
    pub(crate) fn len(&self) -> usize {
        self.by_key.len() + self.stubs.len()
    }

    /// One record per key (the records of a key given to `combine`, sorted by their
    /// sources), sorted by key, stubs attached; the number of stubs and the unmatched
    /// stubs' meeting numbers.
    pub(crate) fn finish(
        self,
        combine: impl FnMut(Vec<T>) -> Option<T>,
    ) -> (Vec<T>, u64, Vec<String>) {
        let mut out: Vec<T> = self
            .by_key
            .into_iter()
            .map(|slot| slot.0)
            .filter_map(combine)
            .collect();
        let (stubs, unmatched) = attach_stubs(&mut out, self.stubs.into_values());
        (out, stubs, unmatched)
    }
}

/// Collects meetings and merges those with the same key; see the module docs for the rules.
///
/// ```
/// use meeting_core::{merge::Merger, Meeting, Source, Vendor};
/// let mut a = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:u1==");
/// a.topic = Some("Standup".into());
/// let mut b = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:u1==");
/// b.participant_count = Some(3);
/// let mut merger = Merger::new();
/// merger.push(a);
/// merger.push(b);
/// let merged = merger.finish();
/// assert_eq!(merged.len(), 1);
/// assert_eq!(merged[0].sources, [Source::SystecDetail, Source::SystecReports]);
/// assert_eq!(merged[0].topic.as_deref(), Some("Standup"));
/// assert_eq!(merged[0].participant_count, Some(3));
/// ```
#[derive(Debug, Default)]
pub struct Merger {
    held: Held<Meeting>,
}

/// What [`Merger::finish_with_stubs`] returns: the meetings and what became of the stubs.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Merged {
    /// One record per key, sorted by key; stubs are not among them.
    pub meetings: Vec<Meeting>,
    /// Distinct report stubs read.
    pub stubs: u64,
    /// The meeting numbers of the stubs that matched no occurrence.
    pub unmatched_stubs: Vec<String>,
}

impl Merger {
    /// An empty merger.
    pub fn new() -> Self {
        Merger::default()
    }

    /// Adds one meeting (or report stub).
    pub fn push(&mut self, mut meeting: Meeting) {
        normalize_sources(&mut meeting.sources);
        if meeting.is_stub() {
            self.held.push_stub(meeting);
        } else {
            self.held.push(meeting);
        }
    }

    /// The number of distinct records held (keys plus distinct stubs).
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The merged meetings, sorted by key, stubs attached (see the module docs).
    pub fn finish(self) -> Vec<Meeting> {
        self.finish_with_stubs().meetings
    }

    /// The merged meetings, sorted by key, stubs attached, with what became of the stubs.
    pub fn finish_with_stubs(self) -> Merged {
        let (mut out, stubs, unmatched_stubs) = self.held.finish(combine);
        crate::identity::resolve_rooms(&mut out);
        Merged {
            meetings: out,
            stubs,
            unmatched_stubs,
        }
    }
}

/// Attaches stubs to the occurrences of `records` (sorted by key) and settles every Systec
/// occurrence's report state; returns the number of stubs and the unmatched ones' numbers.
fn attach_stubs<T: Record>(
    records: &mut [T],
    stubs: impl Iterator<Item = Meeting>,
) -> (u64, Vec<String>) {
    for m in records.iter_mut().filter(|m| m.is_systec_occurrence()) {
        if m.report().is_none() && m.sources().contains(&R) {
            m.set_report(ReportState::Full);
        }
    }
    // The occurrences by meeting number, for the stubs (without stubs, none is looked up).
    let mut stubs = stubs.peekable();
    let mut by_number: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    if stubs.peek().is_some() {
        for (i, m) in records.iter().enumerate() {
            if m.is_systec_occurrence()
                && let Some(n) = m.meeting_number()
            {
                by_number.entry(n.to_owned()).or_default().push(i);
            }
        }
    }
    let mut count = 0;
    let mut unmatched = Vec::new();
    for stub in stubs {
        count += 1;
        let number = stub.meeting_number.clone().unwrap_or_default();
        let scope = stub.stub_scope();
        let targets: Vec<usize> = by_number
            .get(&number)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| {
                records.get(i).is_some_and(|m| {
                    m.report() != Some(ReportState::Full)
                        && scope.is_none_or(|uuids| {
                            m.occurrence_id()
                                .is_some_and(|u| uuids.iter().any(|x| x == u))
                        })
                })
            })
            .collect();
        if targets.is_empty() {
            unmatched.push(number);
            continue;
        }
        for i in targets {
            if let Some(m) = records.get_mut(i) {
                m.set_report(ReportState::None);
                m.add_source(R, stub.observed_at.get(&R).copied());
                m.fill_profile(stub.profile.as_ref());
            }
        }
    }
    for m in records.iter_mut().filter(|m| m.is_systec_occurrence()) {
        if m.report().is_none() {
            m.set_report(ReportState::NotFetched);
        }
    }
    unmatched.sort();
    (count, unmatched)
}

impl Extend<Meeting> for Merger {
    fn extend<T: IntoIterator<Item = Meeting>>(&mut self, iter: T) {
        for m in iter {
            self.push(m);
        }
    }
}

/// Merges `meetings`; see the module docs for the rules.
pub fn merge<I: IntoIterator<Item = Meeting>>(meetings: I) -> Vec<Meeting> {
    let mut meetings = meetings.into_iter();
    let (first, second) = (meetings.next(), meetings.next());
    match (first, second) {
        // One record (the archive summarises each new observation merged alone): nothing
        // to merge it with, so no map of keys; its report and rooms settled as below.
        (Some(mut one), None) if !one.is_stub() => {
            normalize_sources(&mut one.sources);
            let mut out = vec![one];
            attach_stubs(&mut out, std::iter::empty());
            crate::identity::resolve_rooms(&mut out);
            out
        }
        (first, second) => {
            let mut merger = Merger::new();
            merger.extend(first.into_iter().chain(second).chain(meetings));
            merger.finish()
        }
    }
}

pub(crate) fn status_is_final(s: Status) -> bool {
    matches!(s, Status::Ended | Status::Cancelled)
}

/// Orders two observations of the same key and sources: the newer first, then the more
/// complete (see the module docs).
pub(crate) fn observation_cmp<T: Record>(a: &T, b: &T) -> Ordering {
    a.last_observed()
        .cmp(&b.last_observed())
        .then_with(|| completeness_cmp(a, b))
}

/// Orders two records of the same key and sources by completeness (see the module docs).
fn completeness_cmp<T: Record>(a: &T, b: &T) -> Ordering {
    a.completeness()
        .cmp(&b.completeness())
        .then_with(|| a.tie_cmp(b))
}

const R: Source = Source::SystecReports;
const H: Source = Source::SystecHisMeeting;
const D: Source = Source::SystecDetail;

/// The rank of a record under a field's source order: the best position of any of its
/// sources (records with none of them rank last, in their own order).
fn rank(m: &Meeting, order: &[Source]) -> usize {
    m.sources
        .iter()
        .filter_map(|s| order.iter().position(|o| o == s))
        .min()
        .unwrap_or(order.len())
}

/// The records sorted for a field's source order (stable for equal ranks: records were
/// already sorted by their sources list).
fn ordered<'a>(records: &'a [Meeting], order: &[Source]) -> Vec<&'a Meeting> {
    let mut v: Vec<&Meeting> = records.iter().collect();
    v.sort_by_key(|m| rank(m, order));
    v
}

/// The first value present, in the field's source order.
fn pick<T: Clone>(
    records: &[Meeting],
    order: &[Source],
    f: impl Fn(&Meeting) -> Option<T>,
) -> Option<T> {
    ordered(records, order).into_iter().find_map(f)
}

fn max_of(records: &[Meeting], f: impl Fn(&Meeting) -> Option<u64>) -> Option<u64> {
    records.iter().filter_map(f).max()
}

fn any_flag(records: &[Meeting], f: impl Fn(&Features) -> Option<bool>) -> Option<bool> {
    let values: Vec<bool> = records.iter().filter_map(|m| f(&m.features)).collect();
    if values.is_empty() {
        None
    } else {
        Some(values.contains(&true))
    }
}

fn same_second(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.timestamp() == b.timestamp(),
        _ => false,
    }
}

fn trimmed(name: Option<&String>) -> Option<&str> {
    name.map(|n| n.trim())
}

/// Fills `a`'s missing fields from `b`.
fn fill_participant(a: &mut Participant, b: &Participant) {
    macro_rules! fill {
        ($($f:ident),*) => { $( if a.$f.is_none() { a.$f.clone_from(&b.$f); } )* };
    }
    fill!(
        id, user_id, name, device, ip, country, city, network, join, leave, invitation
    );
    if a.kind == crate::ParticipantKind::Unknown {
        a.kind = b.kind;
    }
    a.duration_seconds = seconds_between(a.join, a.leave)
        .or(a.duration_seconds)
        .or(b.duration_seconds);
}

/// Combines the records of one key (one per distinct source list).
pub(crate) fn combine(mut records: Vec<Meeting>) -> Option<Meeting> {
    if records.len() <= 1 {
        return records.pop();
    }
    let host_order = [R, H, D];
    let detail_first = [D, R, H];
    let first = records.first()?;
    let mut m = Meeting::new(first.vendor, R, first.key.clone());
    m.sources = records
        .iter()
        .flat_map(|r| r.sources.iter().copied())
        .collect();
    m.sources.sort();
    m.sources.dedup();

    m.occurrence_id = pick(&records, &host_order, |r| r.occurrence_id.clone());
    m.meeting_number = pick(&records, &host_order, |r| r.meeting_number.clone());
    m.event_id = pick(&records, &host_order, |r| r.event_id.clone());
    m.topic = pick(&records, &detail_first, |r| r.topic.clone());
    let host = Host {
        id: pick(&records, &host_order, |r| r.host.as_ref()?.id.clone()),
        name: pick(&records, &host_order, |r| r.host.as_ref()?.name.clone()),
        email: pick(&records, &host_order, |r| r.host.as_ref()?.email.clone()),
        account_type: pick(&records, &host_order, |r| {
            r.host.as_ref()?.account_type.clone()
        }),
    };
    m.host = (!host.is_empty()).then_some(host);
    let room = Room {
        id: pick(&records, &detail_first, |r| r.room.as_ref()?.id.clone()),
        name: pick(&records, &host_order, |r| r.room.as_ref()?.name.clone()),
        email: pick(&records, &host_order, |r| r.room.as_ref()?.email.clone()),
    };
    m.room = (!room.is_empty()).then_some(room);
    m.status = pick(&records, &host_order, |r| {
        (r.status != Status::Unknown).then_some(r.status)
    })
    .unwrap_or(Status::Unknown);
    m.scheduled_start = pick(&records, &detail_first, |r| r.scheduled_start);
    m.scheduled_end = pick(&records, &detail_first, |r| r.scheduled_end);
    m.scheduled_duration_seconds = pick(&records, &detail_first, |r| r.scheduled_duration_seconds);
    m.start = pick(&records, &host_order, |r| r.start);
    m.end = pick(&records, &host_order, |r| r.end);
    m.duration_seconds = seconds_between(m.start, m.end)
        .or_else(|| pick(&records, &host_order, |r| r.duration_seconds));
    m.billed_minutes = pick(&records, &host_order, |r| r.billed_minutes);
    m.participant_count = max_of(&records, |r| r.participant_count);

    // Participants: R first, then D, then the rest; match by trimmed name and join second.
    let mut participants: Vec<Participant> = Vec::new();
    let mut matched: Vec<bool> = Vec::new();
    for r in ordered(&records, &[R, D, H]) {
        let base_len = participants.len();
        for p in &r.participants {
            let found = (0..base_len).find(|&i| {
                !matched.get(i).copied().unwrap_or(true)
                    && participants.get(i).is_some_and(|q| {
                        trimmed(q.name.as_ref()).is_some()
                            && trimmed(q.name.as_ref()) == trimmed(p.name.as_ref())
                            && same_second(q.join, p.join)
                    })
            });
            match found {
                Some(i) => {
                    if let (Some(q), Some(flag)) = (participants.get_mut(i), matched.get_mut(i)) {
                        fill_participant(q, p);
                        *flag = true;
                    }
                }
                None => {
                    participants.push(p.clone());
                    matched.push(false);
                }
            }
        }
        // Each later source may match each earlier participant once.
        matched.iter_mut().for_each(|f| *f = false);
    }
    m.participants = participants;
    m.phone_calls = ordered(&records, &detail_first)
        .into_iter()
        .find(|r| !r.phone_calls.is_empty())
        .map(|r| r.phone_calls.clone())
        .unwrap_or_default();
    m.rooms = ordered(&records, &detail_first)
        .into_iter()
        .find(|r| !r.rooms.is_empty())
        .map(|r| r.rooms.clone())
        .unwrap_or_default();
    m.features = Features {
        voip: any_flag(&records, |f| f.voip),
        pstn: any_flag(&records, |f| f.pstn),
        video: any_flag(&records, |f| f.video),
        screen_share: any_flag(&records, |f| f.screen_share),
        recording: any_flag(&records, |f| f.recording),
        third_party_audio: any_flag(&records, |f| f.third_party_audio),
        secure: any_flag(&records, |f| f.secure),
    };
    let connections = Connections {
        voip: max_of(&records, |r| r.connections?.voip),
        pstn: max_of(&records, |r| r.connections?.pstn),
        video: max_of(&records, |r| r.connections?.video),
        screen_share: max_of(&records, |r| r.connections?.screen_share),
        hardware: max_of(&records, |r| r.connections?.hardware),
        r#box: max_of(&records, |r| r.connections?.r#box),
    };
    m.connections = (!connections.is_empty()).then_some(connections);
    let mut warnings: Vec<String> = records
        .iter()
        .flat_map(|r| r.warnings.iter().cloned())
        .collect();
    warnings.sort();
    warnings.dedup();
    m.warnings = warnings;
    m.report = records
        .iter()
        .filter_map(|r| r.report)
        .min_by_key(|r| match r {
            ReportState::Full => 0,
            ReportState::None => 1,
            ReportState::NotFetched => 2,
        });
    m.profile = pick(&records, &host_order, |r| r.profile.clone());
    for r in &records {
        for (source, at) in &r.observed_at {
            let slot = m.observed_at.entry(*source).or_insert(*at);
            if *slot < *at {
                *slot = *at;
            }
        }
    }
    // vendor_extra: lowest-ranked first, so higher-ranked records overwrite key by key.
    for r in ordered(&records, &host_order).into_iter().rev() {
        for (source, fields) in &r.vendor_extra {
            let slot = m.vendor_extra.entry(*source).or_default();
            for (k, v) in fields {
                slot.insert(k.clone(), v.clone());
            }
        }
    }
    Some(m)
}
