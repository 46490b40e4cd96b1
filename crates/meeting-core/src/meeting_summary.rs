//! [`MeetingSummary`]: the one record that aggregation ([`crate::aggregate`]), filtering
//! ([`crate::query::Filter`]) and room identity ([`crate::identity::RoomDirectory`]) read,
//! for files and the archive alike.
//!
//! A summary is built from a **merged** [`Meeting`] ([`MeetingSummary::from_meeting`]) and
//! holds what those queries need and nothing else: the identity and time columns, the host
//! and room, the Quanshi event and its kind, and the figures already reduced by the
//! accounting rules (distinct attendees and the union of their intervals, invitees, phone
//! calls, their billed minutes and exact cost). The archive keeps one per meeting as its
//! summary row; over files one is built per merged meeting.
//!
//! [`RULES_VERSION`] names the version of the merge and summary rules a summary was built
//! with: a stored summary of another version is outdated and must be rebuilt from its
//! meeting (never served stale).
//!
//! ```
//! use meeting_core::{Meeting, MeetingSummary, Participant, Source, Status, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
//! m.status = Status::Ended;
//! m.scheduled_start = "2024-01-31T16:30:00Z".parse().ok();
//! let mut ann = Participant::default();
//! ann.name = Some("Ann".into());
//! m.participants = vec![ann.clone(), ann]; // rejoined: one attendee
//! let s = MeetingSummary::from_meeting(&m);
//! assert_eq!(s.attendees, 1);
//! assert_eq!(s.effective_start, m.scheduled_start); // no start: the scheduled one
//! ```

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::{Meeting, Money, ReportState, Status, Vendor};

/// The version of the merge and summary rules: a summary built under another version is
/// outdated. Raise it whenever what [`MeetingSummary::from_meeting`] computes, or the merge
/// that makes its input, changes.
pub const RULES_VERSION: u32 = 1;

/// What a record is to its Quanshi event: a reservation lends its rooms and invitees to the
/// occurrence of the same `eventId`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// Not part of an event (every Systec record).
    #[default]
    None,
    /// A Quanshi reservation (`quanshi:conference:`): a booking.
    Reservation,
    /// A Quanshi occurrence (`quanshi:temp:`): the meeting.
    Occurrence,
}

impl EventKind {
    /// The kind of a key.
    pub fn of_key(key: &str) -> EventKind {
        if key.starts_with("quanshi:conference:") {
            EventKind::Reservation
        } else if key.starts_with("quanshi:temp:") {
            EventKind::Occurrence
        } else {
            EventKind::None
        }
    }

    /// The stored name: `none`, `reservation`, `occurrence`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::None => "none",
            EventKind::Reservation => "reservation",
            EventKind::Occurrence => "occurrence",
        }
    }

    /// The kind named `name` ([`EventKind::name`]).
    pub fn from_name(name: &str) -> Option<EventKind> {
        [
            EventKind::None,
            EventKind::Reservation,
            EventKind::Occurrence,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A booked room of a summary: its `DeviceId` and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub struct RoomRef {
    /// The room's id (Quanshi `DeviceId`).
    pub id: Option<String>,
    /// The room's name.
    pub name: Option<String>,
}

impl RoomRef {
    /// A booked room.
    pub fn new(id: Option<String>, name: Option<String>) -> Self {
        RoomRef { id, name }
    }
}

/// What the queries read of one merged meeting (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeetingSummary {
    /// The meeting's key.
    pub key: String,
    /// The vendor.
    pub vendor: Vendor,
    /// The profile (vendor account) it was synced under, when known.
    pub profile: Option<String>,
    /// The status.
    pub status: Status,
    /// Whether a report exists (Systec).
    pub report: Option<ReportState>,
    /// The newest observation of any of its sources: the latest name of a room wins.
    pub observed_at: Option<DateTime<Utc>>,
    /// The measured start.
    pub start: Option<DateTime<Utc>>,
    /// The measured end.
    pub end: Option<DateTime<Utc>>,
    /// The start, else the scheduled start: what dates filter and buckets read.
    pub effective_start: Option<DateTime<Utc>>,
    /// The Systec room's id (`detail`'s `host_id`).
    pub room_id: Option<String>,
    /// The Systec room's name.
    pub room_name: Option<String>,
    /// The Systec room's mailbox.
    pub room_email: Option<String>,
    /// Whether the meeting has a Systec room at all (even one with no id, name or mailbox).
    pub has_room: bool,
    /// The host's id.
    pub host_id: Option<String>,
    /// The host's name.
    pub host_name: Option<String>,
    /// The host's e-mail.
    pub host_email: Option<String>,
    /// Whether the meeting has a host record at all.
    pub has_host: bool,
    /// The Quanshi `eventId`.
    pub event_id: Option<String>,
    /// What the record is to its event.
    pub event_kind: EventKind,
    /// Whether it is a Systec report stub (never a meeting).
    pub stub: bool,
    /// Measured seconds (end − start; Quanshi `confDuration` where the end is missing).
    pub measured_seconds: Option<u64>,
    /// The vendor's billed minutes.
    pub billed_minutes: Option<u64>,
    /// Distinct attendees ([`crate::aggregate::attendance`]).
    pub attendees: u64,
    /// Their attendance in seconds, each person's intervals united.
    pub attendee_seconds: u64,
    /// Invitees (participants with an invitation answer: Quanshi `attendList`).
    pub invitees: u64,
    /// Phone calls.
    pub phone_calls: u64,
    /// The phone calls' billed minutes.
    pub phone_minutes: u64,
    /// The phone calls' exact cost per currency, in currency order.
    pub phone_cost: Vec<Money>,
    /// The booked rooms (Quanshi), in the record's order.
    pub booked_rooms: Vec<RoomRef>,
    /// The rules version it was built with ([`RULES_VERSION`]).
    pub rules_version: u32,
}

impl MeetingSummary {
    /// The summary of a merged meeting, under the current [`RULES_VERSION`].
    pub fn from_meeting(m: &Meeting) -> MeetingSummary {
        MeetingSummary::from_meeting_and_persons(m, &Persons::of(m))
    }

    /// The summary of a merged meeting whose participant rows `persons` counts ([`Persons`]:
    /// a record read from a vendor answer, its rows counted as they were read); `m`'s own
    /// rows are not read. With [`Persons::of`] this is [`MeetingSummary::from_meeting`].
    pub fn from_meeting_and_persons(m: &Meeting, persons: &Persons) -> MeetingSummary {
        let mut s = MeetingSummary::identity(m);
        let (attendees, attendee_seconds) = persons.attendance(m);
        s.attendees = attendees;
        s.attendee_seconds = attendee_seconds;
        s.invitees = persons.invitees();
        s.phone_calls = m.phone_calls.len() as u64;
        s.phone_minutes = m
            .phone_calls
            .iter()
            .filter_map(|c| c.billed_minutes)
            .sum::<u64>();
        s.phone_cost = m
            .phone_cost()
            .into_iter()
            .map(|(currency, amount)| Money { amount, currency })
            .collect();
        s
    }

    /// The identity, time and room fields only, the figures left at zero: what
    /// [`crate::query::Filter`] and [`crate::identity::RoomDirectory`] read, without counting
    /// attendance.
    pub(crate) fn identity(m: &Meeting) -> MeetingSummary {
        MeetingSummary {
            key: m.key.clone(),
            vendor: m.vendor,
            profile: m.profile.clone(),
            status: m.status,
            report: m.report,
            observed_at: m.last_observed(),
            start: m.start,
            end: m.end,
            effective_start: m.start.or(m.scheduled_start),
            room_id: m.room.as_ref().and_then(|r| r.id.clone()),
            room_name: m.room.as_ref().and_then(|r| r.name.clone()),
            room_email: m.room.as_ref().and_then(|r| r.email.clone()),
            has_room: m.room.is_some(),
            host_id: m.host.as_ref().and_then(|h| h.id.clone()),
            host_name: m.host.as_ref().and_then(|h| h.name.clone()),
            host_email: m.host.as_ref().and_then(|h| h.email.clone()),
            has_host: m.host.is_some(),
            event_id: m.event_id.clone(),
            event_kind: EventKind::of_key(&m.key),
            stub: m.is_stub(),
            measured_seconds: m.duration_seconds,
            billed_minutes: m.billed_minutes,
            attendees: 0,
            attendee_seconds: 0,
            invitees: 0,
            phone_calls: 0,
            phone_minutes: 0,
            phone_cost: Vec::new(),
            booked_rooms: m
                .rooms
                .iter()
                .map(|r| RoomRef::new(r.id.clone(), r.name.clone()))
                .collect(),
            rules_version: RULES_VERSION,
        }
    }

    /// An empty summary of a key (every field absent or zero), for readers that fill the
    /// fields themselves (the archive's summary rows).
    pub fn empty(vendor: Vendor, key: impl Into<String>) -> MeetingSummary {
        let key = key.into();
        MeetingSummary {
            event_kind: EventKind::of_key(&key),
            stub: crate::model::is_stub_key(&key),
            key,
            vendor,
            profile: None,
            status: Status::Unknown,
            report: None,
            observed_at: None,
            start: None,
            end: None,
            effective_start: None,
            room_id: None,
            room_name: None,
            room_email: None,
            has_room: false,
            host_id: None,
            host_name: None,
            host_email: None,
            has_host: false,
            event_id: None,
            attendees: 0,
            attendee_seconds: 0,
            invitees: 0,
            phone_calls: 0,
            phone_minutes: 0,
            phone_cost: Vec::new(),
            booked_rooms: Vec::new(),
            measured_seconds: None,
            billed_minutes: None,
            rules_version: RULES_VERSION,
        }
    }

    /// The meeting's measured minutes: its measured seconds rounded half up
    /// ([`minutes_of`]). Every minutes figure is a sum of these.
    pub fn measured_minutes(&self) -> u64 {
        minutes_of(self.measured_seconds.unwrap_or(0))
    }

    /// The meeting's attendee minutes: its attendee seconds rounded half up
    /// ([`minutes_of`]). Every attendee minutes figure is a sum of these.
    pub fn attendee_minutes(&self) -> u64 {
        minutes_of(self.attendee_seconds)
    }

    /// Whether it was built under the current rules ([`RULES_VERSION`]).
    pub fn is_current(&self) -> bool {
        self.rules_version == RULES_VERSION
    }

    /// Whether the meeting was held (`live` or `ended`): counted as a meeting.
    pub fn is_held(&self) -> bool {
        matches!(self.status, Status::Live | Status::Ended)
    }

    /// The room shown for the meeting (as [`crate::query::room_label`]).
    pub fn room_label(&self) -> String {
        self.room_labels().join(", ")
    }

    /// Every room the meeting was in, each once (as [`crate::query::room_labels`]).
    pub fn room_labels(&self) -> Vec<String> {
        labels_of_rooms(
            self.has_room
                .then_some((self.room_name.as_ref(), self.room_id.as_ref())),
            self.booked_rooms
                .iter()
                .map(|r| (r.name.as_ref(), r.id.as_ref())),
        )
    }

    /// The host shown: its name, else e-mail, else id; empty when unknown.
    pub fn host_label(&self) -> String {
        self.host_name
            .as_ref()
            .or(self.host_email.as_ref())
            .or(self.host_id.as_ref())
            .cloned()
            .unwrap_or_default()
    }

    /// The phone cost of one currency in integer micro-units (millionths), when it is
    /// exact at that precision and fits.
    pub fn phone_cost_micros(amount: Decimal) -> Option<i64> {
        let micros = amount.checked_mul(Decimal::from(1_000_000))?;
        if micros.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(micros.trunc()).ok()
    }

    /// An amount of money from micro-units written with `scale` decimals (the scale the
    /// exact sum had: `0.30` stays `0.30`, never `0.300000`).
    pub fn amount_from_micros(micros: i64, scale: u32) -> Decimal {
        let mut d = Decimal::new(micros, 6);
        if scale <= 6 {
            d.rescale(scale);
        }
        d
    }
}

/// Seconds as whole minutes, rounded half up (`29` → 0, `30` → 1, `90` → 2): the one
/// rounding of a meeting's minutes, applied per meeting before any sum.
pub const fn minutes_of(seconds: u64) -> u64 {
    seconds.saturating_add(30) / 60
}

/// Whether a participant row is an invitation (Quanshi `attendList`), not attendance.
fn is_invitee(p: &crate::Participant) -> bool {
    p.invitation.is_some()
}

/// Distinct persons of a meeting and their united attendance in seconds (see the module
/// docs).
pub fn attendance(m: &Meeting) -> (u64, u64) {
    Persons::of(m).attendance(m)
}

/// A participant row as [`Persons`] reads it.
pub(crate) struct PersonRow<'a> {
    pub(crate) user_id: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
    pub(crate) join: Option<DateTime<Utc>>,
    pub(crate) leave: Option<DateTime<Utc>>,
    pub(crate) invitation: bool,
}

/// The persons a meeting's participant rows name, counted: the first step of
/// [`attendance`], which [`Persons::attendance`] completes with the meeting's vendor,
/// report state and count. A record read from a vendor answer has its rows counted as they
/// are read ([`crate::dump::MeetingJson::persons`]), so that its summary
/// ([`MeetingSummary::from_meeting_and_persons`]) needs no owned rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Persons {
    /// Rows that are attendance (not invitations).
    rows: u64,
    /// Distinct persons among them.
    persons: u64,
    /// Those persons known by user id.
    by_id: u64,
    /// The rows with a user id.
    with_id: u64,
    /// Each person's spans united, summed.
    seconds: u64,
    /// Invitation rows (Quanshi `attendList`).
    invitees: u64,
}

impl Persons {
    /// The persons of `m`'s participant rows.
    pub fn of(m: &Meeting) -> Persons {
        Persons::of_rows(
            m.participants.iter().map(|p| PersonRow {
                user_id: p.user_id.as_deref(),
                name: p.name.as_deref(),
                join: p.join,
                leave: p.leave,
                invitation: is_invitee(p),
            }),
            m.participants.len(),
        )
    }

    /// The persons of `rows` (`len` of them, to reserve room once).
    pub(crate) fn of_rows<'a>(rows: impl Iterator<Item = PersonRow<'a>>, len: usize) -> Persons {
        /// A person: by user id, else by trimmed name, else the row is a person of its own.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        enum Who<'a> {
            Id(&'a str),
            Name(&'a str),
            Row(usize),
        }
        /// A row as sorted: `order` first, a cheap key that orders as `(who, span)` does
        /// where it differs (the variant, then the first eight bytes of the id or name, or
        /// the row), so that most comparisons read no string.
        #[derive(Clone, Copy)]
        struct Sorted<'a> {
            order: (u8, u64),
            who: Who<'a>,
            span: Option<(i64, i64)>,
        }
        /// The first eight bytes of `s`, big-endian, zero-padded: ordered as `s` is where
        /// they differ.
        fn prefix(s: &str) -> u64 {
            let mut bytes = [0u8; 8];
            let n = s.len().min(8);
            if let (Some(to), Some(from)) = (bytes.get_mut(..n), s.as_bytes().get(..n)) {
                to.copy_from_slice(from);
            }
            u64::from_be_bytes(bytes)
        }
        // Each row that is attendance (not an invitation) as its person and its span (if
        // it has one), sorted: each person's rows together, its spans in order (one
        // allocation, however many persons).
        let mut counted = Persons::default();
        let mut spans: Vec<Sorted<'_>> = Vec::with_capacity(len);
        for p in rows {
            if p.invitation {
                counted.invitees += 1;
                continue;
            }
            let i = spans.len();
            let (order, who) = match (p.user_id, p.name.map(str::trim)) {
                (Some(id), _) => ((0, prefix(id)), Who::Id(id)),
                (None, Some(name)) if !name.is_empty() => ((1, prefix(name)), Who::Name(name)),
                _ => ((2, i as u64), Who::Row(i)),
            };
            let span = match (p.join, p.leave) {
                (Some(j), Some(l)) if l >= j => Some((j.timestamp(), l.timestamp())),
                _ => None,
            };
            spans.push(Sorted { order, who, span });
        }
        counted.rows = spans.len() as u64;
        spans.sort_unstable_by(|a, b| {
            a.order
                .cmp(&b.order)
                .then_with(|| (a.who, a.span).cmp(&(b.who, b.span)))
        });
        let mut total = 0i64;
        // The person being united, and its current union of spans.
        let mut current: Option<(Who<'_>, Option<(i64, i64)>)> = None;
        for &Sorted { who, span, .. } in &spans {
            let is_id = matches!(who, Who::Id(_));
            counted.with_id += u64::from(is_id);
            let (same, open) = match current {
                Some((w, open)) if w == who => (true, open),
                Some((_, open)) => (false, open),
                None => (false, None),
            };
            if !same {
                counted.persons += 1;
                counted.by_id += u64::from(is_id);
            }
            let open = if same {
                open
            } else {
                if let Some((s, e)) = open {
                    total += e - s;
                }
                None
            };
            let open = match (open, span) {
                (Some((s, e)), Some((a, b))) if a <= e => Some((s, e.max(b))),
                (Some((s, e)), Some(next)) => {
                    total += e - s;
                    Some(next)
                }
                (open, None) => open,
                (None, next) => next,
            };
            current = Some((who, open));
        }
        if let Some((_, Some((s, e)))) = current {
            total += e - s;
        }
        counted.seconds = u64::try_from(total).unwrap_or(0);
        counted
    }

    /// The attendance of `m` (distinct persons and their united seconds, as [`attendance`])
    /// when these are the persons of its rows: `m`'s vendor, report state and participant
    /// count complete them; its rows are not read.
    pub fn attendance(&self, m: &Meeting) -> (u64, u64) {
        if self.rows == 0 {
            return (m.participant_count.unwrap_or(0), 0);
        }
        if m.vendor == Vendor::Systec && m.report == Some(ReportState::Full) {
            // The report's rows carry user ids; it lists at most 100 of them, and its count
            // is of every row. Rows it did not list count as persons of their own
            // (`detail`'s rows beyond the report's have names only and are not told apart
            // by them).
            let unlisted = m
                .participant_count
                .unwrap_or(self.with_id)
                .saturating_sub(self.with_id);
            return (self.by_id + unlisted, self.seconds);
        }
        (self.persons, self.seconds)
    }

    /// Invitation rows (Quanshi `attendList`): not attendance.
    pub fn invitees(&self) -> u64 {
        self.invitees
    }
}

/// The person each participant row of `m` is, in row order, as [`attendance`] tells
/// persons apart: `id:<user id>`, else `name:<trimmed name>`, else `row:<ordinal>` (a row of
/// its own). `None` for a row that is not counted as a person: an invitation (Quanshi
/// `attendList`), or, in a Systec meeting with a full report, a row without a user id (the
/// report's count stands for those: see [`unlisted_attendees`]).
///
/// The distinct keys of a meeting plus its [`unlisted_attendees`] are its attendees.
pub fn person_keys(m: &Meeting) -> Vec<Option<String>> {
    let by_id_only = m.vendor == Vendor::Systec && m.report == Some(ReportState::Full);
    m.participants
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if is_invitee(p) {
                return None;
            }
            match (&p.user_id, p.name.as_deref().map(str::trim)) {
                (Some(id), _) => Some(format!("id:{id}")),
                _ if by_id_only => None,
                (None, Some(name)) if !name.is_empty() => Some(format!("name:{name}")),
                _ => Some(format!("row:{i}")),
            }
        })
        .collect()
}

/// The attendees of `m` that no participant row stands for: the vendor's count beyond the
/// persons its rows name (a count without rows, a truncated report). Its
/// [`attendance`] count is the distinct [`person_keys`] plus these.
pub fn unlisted_attendees(m: &Meeting) -> u64 {
    let keys: std::collections::BTreeSet<String> = person_keys(m).into_iter().flatten().collect();
    attendance(m).0.saturating_sub(keys.len() as u64)
}

/// The rule of [`crate::query::room_labels`], for a meeting and its summary alike: the room's name (else
/// id); else each booked room's name (else id), one per id.
pub(crate) fn labels_of_rooms<'a>(
    room: Option<(Option<&'a String>, Option<&'a String>)>,
    booked: impl Iterator<Item = (Option<&'a String>, Option<&'a String>)>,
) -> Vec<String> {
    if let Some(label) = room.and_then(|(name, id)| name.or(id)) {
        return vec![label.clone()];
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (name, id) in booked {
        if let Some(id) = id.map(String::as_str) {
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
        }
        if let Some(label) = name.or(id) {
            out.push(label.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`attendance`] as it was first written: a map of persons to their spans, each
    /// person's united on its own.
    fn attendance_by_map(m: &Meeting) -> (u64, u64) {
        let rows: Vec<&crate::Participant> =
            m.participants.iter().filter(|p| !is_invitee(p)).collect();
        if rows.is_empty() {
            return (m.participant_count.unwrap_or(0), 0);
        }
        let mut persons: std::collections::BTreeMap<String, Vec<(i64, i64)>> =
            std::collections::BTreeMap::new();
        for (i, p) in rows.iter().enumerate() {
            let who = match (&p.user_id, p.name.as_deref().map(str::trim)) {
                (Some(id), _) => format!("0{id}"),
                (None, Some(name)) if !name.is_empty() => format!("1{name}"),
                _ => format!("2{i}"),
            };
            let spans = persons.entry(who).or_default();
            if let (Some(j), Some(l)) = (p.join, p.leave)
                && l >= j
            {
                spans.push((j.timestamp(), l.timestamp()));
            }
        }
        let mut seconds = 0u64;
        for spans in persons.values_mut() {
            spans.sort_unstable();
            let (mut total, mut current) = (0i64, None::<(i64, i64)>);
            for &(a, b) in spans.iter() {
                current = match current {
                    Some((s, e)) if a <= e => Some((s, e.max(b))),
                    Some((s, e)) => {
                        total += e - s;
                        Some((a, b))
                    }
                    None => Some((a, b)),
                };
            }
            if let Some((s, e)) = current {
                total += e - s;
            }
            seconds += u64::try_from(total).unwrap_or(0);
        }
        if m.vendor == Vendor::Systec && m.report == Some(ReportState::Full) {
            // The persons the report lists by user id, and the rows its count has beyond
            // those that carry one.
            let with_id = rows.iter().filter(|p| p.user_id.is_some()).count() as u64;
            let by_id = persons.keys().filter(|k| k.starts_with('0')).count() as u64;
            let unlisted = m
                .participant_count
                .unwrap_or(with_id)
                .saturating_sub(with_id);
            return (by_id + unlisted, seconds);
        }
        (persons.len() as u64, seconds)
    }

    proptest::proptest! {
        /// Persons told apart by user id, else trimmed name, else row, each one's spans
        /// united: the sorted sweep counts what the map of persons counted.
        #[test]
        fn attendance_is_the_map_of_persons_united(
            rows in proptest::collection::vec(
                (
                    // Ids and names that differ only after their first eight bytes, or
                    // by a trailing NUL, as well as short ones.
                    proptest::option::of(proptest::sample::select(vec![
                        "u0", "u1", "user-0001", "user-0001-b", "user-0001\0", "用户甲乙丙",
                    ])),
                    proptest::option::of(proptest::sample::select(vec![
                        "a", " a", "b ", "", "  ", "participant one", " participant two",
                        "participant", "participant\0",
                    ])),
                    proptest::option::of(0i64..100),
                    proptest::option::of(0i64..100),
                    proptest::bool::ANY,
                ),
                0..12,
            ),
            count in proptest::option::of(0u64..20),
            full in proptest::bool::ANY,
        ) {
            let at = |n: i64| DateTime::from_timestamp(1_700_000_000 + n * 60, 0);
            let mut m = Meeting::new(Vendor::Systec, crate::Source::SystecDetail, "systec:k");
            m.participant_count = count;
            if full {
                m.report = Some(ReportState::Full);
            }
            for (id, name, join, leave, invited) in rows {
                m.participants.push(crate::Participant {
                    user_id: id.map(str::to_owned),
                    name: name.map(str::to_owned),
                    join: join.and_then(at),
                    leave: leave.and_then(at),
                    invitation: invited.then_some(crate::Invitation::Accepted),
                    ..Default::default()
                });
            }
            proptest::prop_assert_eq!(attendance(&m), attendance_by_map(&m));
        }
    }

    #[test]
    fn micros_keep_the_scale() {
        let d: Decimal = "0.30".parse().unwrap_or_default();
        let micros = MeetingSummary::phone_cost_micros(d);
        assert_eq!(micros, Some(300_000));
        let back = MeetingSummary::amount_from_micros(300_000, d.scale());
        assert_eq!(back.to_string(), "0.30");
        let fine: Decimal = "0.0000001".parse().unwrap_or_default();
        assert_eq!(MeetingSummary::phone_cost_micros(fine), None);
        assert_eq!(
            EventKind::from_name("occurrence"),
            Some(EventKind::Occurrence)
        );
        assert_eq!(EventKind::of_key("quanshi:temp:1"), EventKind::Occurrence);
    }
}
