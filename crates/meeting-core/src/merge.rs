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
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::seconds_between;
use crate::{Connections, Features, Host, Meeting, Participant, ReportState, Room, Source, Status};

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
    /// Per key, one record per distinct `sources` list.
    by_key: BTreeMap<String, BTreeMap<Vec<Source>, Meeting>>,
    /// Report stubs, per (meeting number, request scope): the newest.
    stubs: BTreeMap<(String, Option<Vec<String>>), Meeting>,
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
        meeting.sources.sort();
        meeting.sources.dedup();
        if meeting.is_stub() {
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
            return;
        }
        let slots = self.by_key.entry(meeting.key.clone()).or_default();
        match slots.get_mut(&meeting.sources) {
            Some(held) => {
                if observation_cmp(&meeting, held) == Ordering::Greater {
                    *held = meeting;
                }
            }
            None => {
                slots.insert(meeting.sources.clone(), meeting);
            }
        }
    }

    /// The number of distinct records held (keys plus distinct stubs).
    pub fn len(&self) -> usize {
        self.by_key.len() + self.stubs.len()
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
        let mut out: Vec<Meeting> = self
            .by_key
            .into_values()
            .filter_map(|slots| combine(slots.into_values().collect()))
            .collect();
        let (stubs, unmatched_stubs) = attach_stubs(&mut out, self.stubs.into_values());
        crate::identity::resolve_rooms(&mut out);
        Merged {
            meetings: out,
            stubs,
            unmatched_stubs,
        }
    }
}

/// Whether `m` is a Systec occurrence (not a stub).
fn is_systec_occurrence(m: &Meeting) -> bool {
    m.vendor == crate::Vendor::Systec && !m.is_stub()
}

/// Attaches stubs to the occurrences of `meetings` (sorted by key) and settles every Systec
/// occurrence's report state; returns the number of stubs and the unmatched ones' numbers.
fn attach_stubs(
    meetings: &mut [Meeting],
    stubs: impl Iterator<Item = Meeting>,
) -> (u64, Vec<String>) {
    for m in meetings.iter_mut().filter(|m| is_systec_occurrence(m)) {
        if m.report.is_none() && m.sources.contains(&R) {
            m.report = Some(ReportState::Full);
        }
    }
    let mut by_number: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in meetings.iter().enumerate() {
        if is_systec_occurrence(m)
            && let Some(n) = m.meeting_number.as_deref()
        {
            by_number.entry(n).or_default().push(i);
        }
    }
    let by_number: BTreeMap<String, Vec<usize>> = by_number
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
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
                meetings.get(i).is_some_and(|m| {
                    m.report != Some(ReportState::Full)
                        && scope.is_none_or(|uuids| {
                            m.occurrence_id
                                .as_deref()
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
            if let Some(m) = meetings.get_mut(i) {
                m.report = Some(ReportState::None);
                if !m.sources.contains(&R) {
                    m.sources.push(R);
                    m.sources.sort();
                }
                if let Some(at) = stub.observed_at.get(&R) {
                    let slot = m.observed_at.entry(R).or_insert(*at);
                    if *slot < *at {
                        *slot = *at;
                    }
                }
                if m.profile.is_none() {
                    m.profile.clone_from(&stub.profile);
                }
            }
        }
    }
    for m in meetings.iter_mut().filter(|m| is_systec_occurrence(m)) {
        if m.report.is_none() {
            m.report = Some(ReportState::NotFetched);
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
    let mut merger = Merger::new();
    merger.extend(meetings);
    merger.finish()
}

fn status_is_final(s: Status) -> bool {
    matches!(s, Status::Ended | Status::Cancelled)
}

/// Orders two observations of the same key and sources: the newer first, then the more
/// complete (see the module docs).
fn observation_cmp(a: &Meeting, b: &Meeting) -> Ordering {
    a.last_observed()
        .cmp(&b.last_observed())
        .then_with(|| completeness_cmp(a, b))
}

/// Orders two records of the same key and sources by completeness (see the module docs).
fn completeness_cmp(a: &Meeting, b: &Meeting) -> Ordering {
    status_is_final(a.status)
        .cmp(&status_is_final(b.status))
        .then(a.participants.len().cmp(&b.participants.len()))
        .then(a.phone_calls.len().cmp(&b.phone_calls.len()))
        .then(a.warnings.len().cmp(&b.warnings.len()))
        .then_with(|| {
            let ja = serde_json::to_string(a).unwrap_or_default();
            let jb = serde_json::to_string(b).unwrap_or_default();
            ja.cmp(&jb)
        })
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
fn combine(mut records: Vec<Meeting>) -> Option<Meeting> {
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
