//! Usage totals per room, host or day: the typed API behind `meeting stats` (and the
//! reports), shared by every output so that every renderer shows the same numbers.
//!
//! Give it merged meetings (one record per occurrence: [`crate::query::merge_sorted`]) so
//! nothing counts twice. Its only input is [`MeetingSummary`] (one per merged meeting, for
//! files and the archive alike); the functions taking a [`Meeting`] summarise it first
//! ([`MeetingSummary::from_meeting`]). The design's accounting rules:
//!
//! - **Meetings** are occurrences held (`live` or `ended`). Bookings still `scheduled`,
//!   `cancelled` ones and records whose status is `unknown` are counted in their own
//!   columns, never in the meetings, minutes or attendance. Report stubs are not meetings.
//! - A Quanshi occurrence (`quanshi:temp:`) and its reservation (`quanshi:conference:`, the
//!   same `eventId`) count once: the occurrence is the meeting and the reservation lends it
//!   its rooms and invitees. A reservation alone counts as held only when its status says it
//!   took place.
//! - **Measured** seconds are `duration_seconds` (end − start; Quanshi `confDuration` where
//!   the end is missing), summed exactly. **Minutes** are rounded per meeting (its seconds
//!   rounded half up: [`minutes_of`]) and then summed, so a total always equals the sum of
//!   the rows that partition it (days, months, hosts, departments); **billed** minutes are
//!   the vendor's own figure, summed.
//! - **Attendees** are distinct persons per meeting (by user id, else trimmed name): a
//!   person who rejoins is one attendee, their seconds the union of their intervals, and a
//!   meeting's attendee minutes its attendee seconds rounded half up, summed like minutes. Rows
//!   the vendor did not list (a truncated report) count as persons of their own. Where the
//!   vendor lists no one it gives a count (Quanshi `attendeeCnt`, Systec `participants`).
//!   Invitees (Quanshi `attendList`, participants with an invitation answer) are counted as
//!   invitees, never as attendees.
//! - **Per room**, a meeting in several rooms (a multi-room Quanshi booking) counts once in
//!   each room; the total counts it once. Then the rows do not partition the total: it is
//!   the distinct total ([`Aggregate::total_is_sum`] is `false`), and every output says so.
//! - Phone calls, their billed minutes and their exact cost (a decimal sum per currency,
//!   never a float) of the meetings held.
//! - Nothing depends on the order the meetings come in (a reader may hand them over in any
//!   order): sums, sets and, for a group its meetings label differently, the least label.
//!
//! ```
//! use meeting_core::aggregate::{Aggregate, GroupBy};
//! use meeting_core::{Meeting, Source, Status, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:a");
//! m.status = Status::Ended;
//! m.duration_seconds = Some(90);
//! let agg = Aggregate::compute(&[m], GroupBy::Room, chrono_tz::Asia::Shanghai);
//! assert_eq!(agg.groups[0].group, "(unknown)");
//! assert_eq!(agg.total.meetings, 1);
//! assert_eq!(agg.total.minutes, 2); // 90 s rounds to 2 minutes
//! ```

use std::collections::BTreeMap;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::meeting_summary::EventKind;
pub use crate::meeting_summary::minutes_of;
use crate::{Meeting, MeetingSummary, Money, Status};

/// What meetings are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum GroupBy {
    /// The room ([`crate::query::room_labels`]: a meeting in several rooms is in each).
    Room,
    /// The host ([`crate::query::host_label`]).
    Host,
    /// The start day in the aggregate's zone (`YYYY-MM-DD`).
    Day,
    /// The department of the meeting's room in a cost allocation
    /// ([`Departments`]), else [`UNALLOCATED`]: see
    /// [`Aggregate::compute_allocated`].
    Department,
    /// The start month in the aggregate's zone (`YYYY-MM`).
    Month,
    /// The room and the start month, labelled `<room> · <YYYY-MM>` ([`ROOM_MONTH_SEPARATOR`]).
    RoomMonth,
}

/// Between the room and the month in a [`GroupBy::RoomMonth`] label.
pub const ROOM_MONTH_SEPARATOR: &str = " · ";

/// The department of meetings whose room no cost allocation line covers (or of every
/// meeting without an allocation).
pub const UNALLOCATED: &str = "(unallocated)";

/// A cost allocation as aggregation sees it: the department a meeting is charged to.
/// `meeting-report`'s `Allocation` (the `--allocation` file) implements it; a program may
/// bring its own (a directory service, a database).
pub trait Departments: std::fmt::Debug {
    /// The department `m` is charged to at its (effective) start day in `zone`, or `None`
    /// when no line covers it (it then counts under [`UNALLOCATED`]).
    fn department_of(&self, m: &MeetingSummary, zone: Tz) -> Option<&str>;
}

impl GroupBy {
    /// The name: `room`, `host`, `day`.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Room => "room",
            GroupBy::Host => "host",
            GroupBy::Day => "day",
            GroupBy::Department => "department",
            GroupBy::Month => "month",
            GroupBy::RoomMonth => "room,month",
        }
    }

    /// The group of a meeting; `(unknown)` when the meeting does not say. A meeting in
    /// several rooms is in the first one here; [`GroupBy::groups_of`] gives them all.
    pub fn group_of(self, m: &Meeting, zone: Tz) -> String {
        self.groups_of(m, zone)
            .into_iter()
            .next()
            .unwrap_or_else(|| String::from(UNKNOWN_GROUP))
    }

    /// Every group a meeting counts in (several rooms for a multi-room booking), each once;
    /// `(unknown)` when the meeting does not say.
    pub fn groups_of(self, m: &Meeting, zone: Tz) -> Vec<String> {
        self.keys_of(&MeetingSummary::identity(m), zone, None)
            .into_iter()
            .map(|k| k.label)
            .collect()
    }

    /// Every group a meeting counts in, by identity (a room is its id; two rooms with one
    /// name stay two groups), each once.
    fn keys_of(
        self,
        m: &MeetingSummary,
        zone: Tz,
        allocation: Option<&dyn Departments>,
    ) -> Vec<GroupKey> {
        let local = |format: &str| {
            m.effective_start
                .map(|t| t.with_timezone(&zone).format(format).to_string())
                .unwrap_or_default()
        };
        let mut keys: Vec<GroupKey> = match self {
            GroupBy::Room => room_keys(m),
            GroupBy::Host => vec![GroupKey::plain(m.host_label())],
            GroupBy::Day => vec![GroupKey::plain(local("%Y-%m-%d"))],
            GroupBy::Month => vec![GroupKey::plain(local("%Y-%m"))],
            GroupBy::Department => vec![GroupKey::plain(
                allocation
                    .and_then(|a| a.department_of(m, zone))
                    .unwrap_or(UNALLOCATED)
                    .to_owned(),
            )],
            GroupBy::RoomMonth => {
                let month = local("%Y-%m");
                let mut rooms = room_keys(m);
                if rooms.is_empty() {
                    rooms.push(GroupKey::plain(String::from(UNKNOWN_GROUP)));
                }
                rooms
                    .into_iter()
                    .map(|k| GroupKey {
                        id: format!("{}{ROOM_MONTH_SEPARATOR}{month}", k.id),
                        label: format!("{}{ROOM_MONTH_SEPARATOR}{month}", k.label),
                        shown_id: k.shown_id,
                    })
                    .collect()
            }
        };
        keys.retain(|k| !k.label.is_empty());
        keys.sort();
        keys.dedup();
        if keys.is_empty() {
            keys.push(GroupKey::plain(String::from(UNKNOWN_GROUP)));
        }
        keys
    }
}

/// A group's identity and its label.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct GroupKey {
    /// What the group is (`systec:<room id>`, `quanshi:<DeviceId>`, or the label itself).
    id: String,
    /// What it is called.
    label: String,
    /// The id shown beside the label when two groups share it.
    shown_id: Option<String>,
}

impl GroupKey {
    fn plain(label: String) -> Self {
        GroupKey {
            id: label.clone(),
            label,
            shown_id: None,
        }
    }
}

/// A meeting's rooms by identity: the Systec room by its id (else name), each booked room by
/// its `DeviceId` (else name); labelled by name, else id.
fn room_keys(m: &MeetingSummary) -> Vec<GroupKey> {
    let key = |vendor: &str, id: Option<&String>, name: Option<&String>| -> Option<GroupKey> {
        let label = name.or(id)?.clone();
        Some(GroupKey {
            id: format!("{vendor}:{}", id.or(name)?),
            label,
            shown_id: id.cloned(),
        })
    };
    if m.has_room
        && let Some(k) = key("systec", m.room_id.as_ref(), m.room_name.as_ref())
    {
        return vec![k];
    }
    m.booked_rooms
        .iter()
        .filter_map(|r| key("quanshi", r.id.as_ref(), r.name.as_ref()))
        .collect()
}

/// The group of meetings that do not say which room, host or day they belong to.
pub const UNKNOWN_GROUP: &str = "(unknown)";

/// The label of the grand total.
pub const TOTAL_GROUP: &str = "TOTAL";

/// One group's totals (serialised as in `meeting stats -o json`). See the module docs for
/// what each figure counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Totals {
    /// The group's label.
    pub group: String,
    /// The group's identity, when it is not its label: a room's `systec:<room id>` or
    /// `quanshi:<DeviceId>` (labels can change when a room is renamed; ids do not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Meetings held (`live` or `ended`).
    pub meetings: u64,
    /// Measured minutes: each meeting's measured seconds rounded half up, summed.
    pub minutes: u64,
    /// Measured seconds (end − start).
    pub duration_seconds: u64,
    /// The vendor's billed minutes of the meetings.
    pub billed_minutes: u64,
    /// Attendees: distinct persons per meeting, summed.
    pub attendees: u64,
    /// Attendee minutes: each meeting's attendee seconds (each person's intervals united)
    /// rounded half up, summed.
    pub attendee_minutes: u64,
    /// Invitees (Quanshi `attendList`).
    pub invitees: u64,
    /// Phone calls.
    pub phone_calls: u64,
    /// The vendor's billed minutes of the phone calls.
    pub phone_minutes: u64,
    /// The exact phone cost per currency, in currency order.
    pub phone_cost: Vec<Money>,
    /// Bookings still scheduled (not counted as meetings).
    pub scheduled: u64,
    /// Cancelled bookings (not counted as meetings).
    pub cancelled: u64,
    /// Records whose status is not known (not counted as meetings).
    pub unknown: u64,
    #[serde(skip)]
    cost: BTreeMap<String, Decimal>,
    #[serde(skip)]
    attendee_seconds: u64,
}

impl Totals {
    /// Empty totals for a group.
    pub fn new(group: impl Into<String>) -> Self {
        Totals {
            group: group.into(),
            ..Totals::default()
        }
    }

    /// Adds one meeting (call [`Totals::finish`] after the last). A Quanshi reservation
    /// counted with its occurrence is not added on its own: see [`Aggregate::compute`].
    pub fn add(&mut self, m: &Meeting) {
        self.add_summary(&MeetingSummary::from_meeting(m));
    }

    /// [`Totals::add`] of a meeting's summary.
    pub fn add_summary(&mut self, m: &MeetingSummary) {
        self.add_with(m, &Lent::default());
    }

    fn add_with(&mut self, m: &MeetingSummary, lent: &Lent) {
        match m.status {
            Status::Live | Status::Ended => {}
            Status::Scheduled => {
                self.scheduled += 1;
                return;
            }
            Status::Cancelled => {
                self.cancelled += 1;
                return;
            }
            Status::Unknown => {
                self.unknown += 1;
                return;
            }
        }
        self.meetings += 1;
        self.duration_seconds += m.measured_seconds.unwrap_or(0);
        self.minutes += m.measured_minutes();
        self.attendee_minutes += m.attendee_minutes();
        self.billed_minutes += m.billed_minutes.unwrap_or(0);
        self.attendees += m.attendees;
        self.attendee_seconds += m.attendee_seconds;
        self.invitees += m.invitees + lent.invitees;
        self.phone_calls += m.phone_calls;
        self.phone_minutes += m.phone_minutes;
        for cost in &m.phone_cost {
            let sum = self.cost.entry(cost.currency.clone()).or_default();
            *sum = sum.saturating_add(cost.amount);
        }
    }

    /// The exact phone cost per currency.
    pub fn cost(&self) -> &BTreeMap<String, Decimal> {
        &self.cost
    }

    /// Attendee seconds: each meeting's persons' intervals united, summed (exact).
    pub fn attendee_seconds(&self) -> u64 {
        self.attendee_seconds
    }

    /// Computes the derived figure `phone_cost` from the exact sums (minutes are summed per
    /// meeting as they are added).
    pub fn finish(&mut self) {
        self.phone_cost = self
            .cost
            .iter()
            .map(|(cur, amount)| Money {
                amount: *amount,
                currency: cur.clone(),
            })
            .collect();
    }
}

/// What a Quanshi reservation lends the occurrence of its event.
#[derive(Clone, Debug, Default)]
struct Lent {
    rooms: Vec<GroupKey>,
    invitees: u64,
}

/// Distinct persons of a meeting and their united attendance (computed with its summary).
pub use crate::meeting_summary::attendance;

/// Totals per group and in all, for one grouping and zone.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Aggregate {
    /// What the meetings were grouped by.
    pub by: GroupBy,
    /// The zone days are read in.
    pub zone: Tz,
    /// One entry per group, in label order.
    pub groups: Vec<Totals>,
    /// The grand total (labelled [`TOTAL_GROUP`]).
    pub total: Totals,
    /// Whether the groups partition the meetings (each counted meeting in exactly one
    /// group), so that every figure of the total is the sum of the groups'. `false` when a
    /// meeting counts in several groups (a multi-room booking per room): the total is then
    /// the distinct total, and outputs label it so.
    pub total_is_sum: bool,
}

impl Aggregate {
    /// Groups and totals `meetings` (which should be merged: see the module docs). Report
    /// stubs ([`crate::query::is_report_stub`]) are not meetings and are not counted; a
    /// Quanshi reservation whose event has an occurrence among `meetings` is counted through
    /// that occurrence.
    pub fn compute<'a>(
        meetings: impl IntoIterator<Item = &'a Meeting>,
        by: GroupBy,
        zone: Tz,
    ) -> Self {
        Aggregate::compute_allocated(meetings, by, zone, None)
    }

    /// [`Aggregate::compute`] with a cost allocation, so that meetings can be grouped by
    /// [`GroupBy::Department`] (with `None`, every meeting is [`UNALLOCATED`]). The grand
    /// total is the same whatever the grouping.
    pub fn compute_allocated<'a>(
        meetings: impl IntoIterator<Item = &'a Meeting>,
        by: GroupBy,
        zone: Tz,
        allocation: Option<&dyn Departments>,
    ) -> Self {
        let summaries: Vec<MeetingSummary> = meetings
            .into_iter()
            .map(MeetingSummary::from_meeting)
            .collect();
        Aggregate::of_summaries(&summaries, by, zone, allocation)
    }

    /// [`Aggregate::compute_allocated`] over the meetings' summaries: what every other way
    /// of aggregating comes down to.
    pub fn of_summaries<'a>(
        summaries: impl IntoIterator<Item = &'a MeetingSummary> + Clone,
        by: GroupBy,
        zone: Tz,
        allocation: Option<&dyn Departments>,
    ) -> Self {
        let mut acc = Accumulator::new(by, zone, allocation);
        for s in summaries.clone() {
            acc.learn(s);
        }
        for s in summaries {
            acc.add(s);
        }
        acc.finish()
    }
}

/// [`Aggregate::compute_allocated`] one meeting at a time, for callers that do not hold
/// every meeting at once: show it every meeting through [`Accumulator::learn`] first (what
/// Quanshi reservations lend their occurrences), then through [`Accumulator::add`], then
/// [`Accumulator::finish`]. Report stubs are skipped.
#[derive(Debug)]
pub struct Accumulator<'a> {
    by: GroupBy,
    zone: Tz,
    allocation: Option<&'a dyn Departments>,
    /// Events with an occurrence.
    occurring: std::collections::BTreeSet<String>,
    /// What each event's reservations lend.
    lent: BTreeMap<String, Lent>,
    groups: BTreeMap<String, (GroupKey, Totals)>,
    total: Totals,
    /// Whether some meeting counted in more than one group.
    overlapping: bool,
}

impl<'a> Accumulator<'a> {
    /// An empty accumulator for one grouping, zone and allocation.
    pub fn new(by: GroupBy, zone: Tz, allocation: Option<&'a dyn Departments>) -> Self {
        Accumulator {
            by,
            zone,
            allocation,
            occurring: std::collections::BTreeSet::new(),
            lent: BTreeMap::new(),
            groups: BTreeMap::new(),
            total: Totals::new(TOTAL_GROUP),
            overlapping: false,
        }
    }

    /// First pass: learns what a Quanshi reservation lends its event's occurrence.
    pub fn learn(&mut self, m: &MeetingSummary) {
        if m.stub {
            return;
        }
        let Some(e) = &m.event_id else { return };
        if is_occurrence(m) && !self.occurring.contains(e) {
            self.occurring.insert(e.clone());
        }
        if is_reservation(m) {
            let lent = self.lent.entry(e.clone()).or_default();
            lent.rooms.extend(room_keys(m));
            lent.rooms.sort();
            lent.rooms.dedup_by(|a, b| a.id == b.id);
            lent.invitees += m.invitees;
        }
    }

    /// Second pass: counts one meeting (see [`Aggregate::compute`]).
    pub fn add(&mut self, m: &MeetingSummary) {
        if m.stub {
            return;
        }
        let lends_to_occurrence = |e: &String| self.occurring.contains(e);
        if is_reservation(m) && m.event_id.as_ref().is_some_and(lends_to_occurrence) {
            return;
        }
        let none = Lent::default();
        let lends = match (is_occurrence(m), &m.event_id) {
            (true, Some(e)) => self.lent.get(e).unwrap_or(&none),
            _ => &none,
        };
        let mut keys = self.by.keys_of(m, self.zone, self.allocation);
        if self.by == GroupBy::Room && !lends.rooms.is_empty() {
            keys.retain(|k| k.label != UNKNOWN_GROUP);
            keys.extend(lends.rooms.iter().cloned());
            keys.sort();
            keys.dedup_by(|a, b| a.id == b.id);
        }
        if keys.len() > 1 {
            self.overlapping = true;
        }
        for k in keys {
            let label = |t: &mut Totals, k: &GroupKey| {
                t.group.clone_from(&k.label);
                t.id = (k.id != k.label).then(|| k.id.clone());
            };
            match self.groups.get_mut(&k.id) {
                Some((held, t)) => {
                    // One group's meetings can name it differently (a room id that is
                    // another room's name): the least name is its label, whatever the
                    // order the meetings come in.
                    if k < *held {
                        label(t, &k);
                        *held = k;
                    }
                    t.add_with(m, lends);
                }
                None => {
                    let mut t = Totals::default();
                    label(&mut t, &k);
                    t.add_with(m, lends);
                    self.groups.insert(k.id.clone(), (k, t));
                }
            }
        }
        self.total.add_with(m, lends);
    }

    /// The totals per group and in all.
    pub fn finish(self) -> Aggregate {
        let Accumulator {
            by,
            zone,
            groups,
            mut total,
            overlapping,
            ..
        } = self;
        // One label per group: two rooms with one name are told apart by their ids.
        let mut uses: BTreeMap<String, usize> = BTreeMap::new();
        for (k, _) in groups.values() {
            *uses.entry(k.label.clone()).or_default() += 1;
        }
        let groups: BTreeMap<String, Totals> = groups
            .into_values()
            .map(|(k, mut t)| {
                if uses.get(&k.label).copied().unwrap_or(0) > 1
                    && let Some(id) = &k.shown_id
                    && *id != k.label
                {
                    t.group = format!("{} ({id})", k.label);
                }
                (format!("{}\u{0}{}", t.group, k.id), t)
            })
            .collect();
        total.finish();
        let mut groups: Vec<Totals> = groups.into_values().collect();
        groups.iter_mut().for_each(Totals::finish);
        Aggregate {
            by,
            zone,
            groups,
            total,
            total_is_sum: !overlapping,
        }
    }
}

/// Whether [`Accumulator::learn`] reads `m`'s participants (a Quanshi reservation lends
/// its invitees); for other records their outline is enough.
pub fn lends_participants(m: &Meeting) -> bool {
    EventKind::of_key(&m.key) == EventKind::Reservation
}

/// Whether `m` is a Quanshi reservation (a booking).
fn is_reservation(m: &MeetingSummary) -> bool {
    m.event_kind == EventKind::Reservation
}

/// Whether `m` is a Quanshi occurrence.
fn is_occurrence(m: &MeetingSummary) -> bool {
    m.event_kind == EventKind::Occurrence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PhoneCall, Room, Source, Vendor};

    #[test]
    fn totals_are_exact_and_grouped() {
        let mut a = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
        a.status = Status::Ended;
        a.room = Some(Room {
            name: Some("room04".into()),
            ..Room::default()
        });
        a.duration_seconds = Some(29);
        let call = |amount: &str| PhoneCall {
            billed_minutes: Some(2),
            cost: amount.parse().ok().map(|amount| Money {
                amount,
                currency: "CNY".into(),
            }),
            ..PhoneCall::default()
        };
        a.phone_calls = vec![call("0.10"), call("0.20")];
        let mut b = a.clone();
        b.key = "systec:b".into();
        b.duration_seconds = Some(31);
        let agg = Aggregate::compute([&a, &b], GroupBy::Room, chrono_tz::UTC);
        assert_eq!(agg.groups.len(), 1);
        let t = &agg.total;
        assert_eq!(
            (t.meetings, t.minutes, t.phone_calls, t.phone_minutes),
            (2, 1, 4, 8)
        );
        assert_eq!(
            t.cost().get("CNY").map(ToString::to_string).as_deref(),
            Some("0.60")
        );
        assert_eq!(agg.groups[0].group, "room04");
        assert_eq!(agg.groups[0].phone_cost, t.phone_cost);
    }

    /// Minutes are rounded per meeting, then summed: the days add up to the total, and a
    /// meeting in two rooms makes the room total the distinct total.
    #[test]
    fn minutes_add_up_per_meeting() {
        let day = |key: &str, start: &str, secs: u64| {
            let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, key);
            m.status = Status::Ended;
            m.start = start.parse().ok();
            m.duration_seconds = Some(secs);
            m
        };
        // 90 s on each of two days: 2 + 2 minutes, not (180 + 30) / 60 = 3.
        let a = day("systec:a", "2024-01-01T01:00:00Z", 90);
        let b = day("systec:b", "2024-01-02T01:00:00Z", 90);
        let agg = Aggregate::compute([&a, &b], GroupBy::Day, chrono_tz::UTC);
        assert_eq!(agg.total.minutes, 4);
        assert_eq!(agg.total.duration_seconds, 180);
        assert_eq!(agg.groups.iter().map(|g| g.minutes).sum::<u64>(), 4);
        assert!(agg.total_is_sum);
        assert_eq!((minutes_of(29), minutes_of(30), minutes_of(89)), (0, 1, 1));

        let mut q = Meeting::new(Vendor::Quanshi, Source::QuanshiDashboard, "quanshi:temp:1");
        q.status = Status::Ended;
        q.duration_seconds = Some(600);
        q.rooms = ["6701", "6702"]
            .map(|id| crate::BookedRoom {
                id: Some(id.into()),
                ..crate::BookedRoom::default()
            })
            .to_vec();
        let rooms = Aggregate::compute([&q, &a], GroupBy::Room, chrono_tz::UTC);
        assert!(!rooms.total_is_sum);
        assert_eq!(rooms.total.minutes, 12);
        assert_eq!(rooms.groups.iter().map(|g| g.minutes).sum::<u64>(), 22);
    }

    /// Attendees are the distinct person keys plus the persons no row stands for.
    #[test]
    fn person_keys_make_the_attendees() {
        use crate::meeting_summary::{person_keys, unlisted_attendees};
        let person = |id: Option<&str>, name: &str| crate::Participant {
            user_id: id.map(Into::into),
            name: Some(name.into()),
            ..crate::Participant::default()
        };
        let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
        m.participants = vec![
            person(None, "Ann"),
            person(None, " Ann "),
            person(None, "  "),
            person(Some("u1"), "Bob"),
        ];
        let mut invited = person(None, "Cy");
        invited.invitation = Some(crate::Invitation::Accepted);
        m.participants.push(invited);
        let keys = person_keys(&m);
        assert_eq!(
            keys,
            [
                Some("name:Ann".to_owned()),
                Some("name:Ann".to_owned()),
                Some("row:2".to_owned()),
                Some("id:u1".to_owned()),
                None
            ]
        );
        assert_eq!(attendance(&m).0, 3);
        assert_eq!(unlisted_attendees(&m), 0);
        // A full Systec report counts rows without a user id through its count.
        m.report = Some(crate::ReportState::Full);
        m.participant_count = Some(5);
        assert_eq!(person_keys(&m)[0], None);
        assert_eq!(attendance(&m).0, 1 + 4);
        assert_eq!(unlisted_attendees(&m), 4);
    }

    #[test]
    fn department_month_and_room_month() {
        let mut a = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
        a.status = Status::Ended;
        a.room = Some(Room {
            name: Some("room04".into()),
            ..Room::default()
        });
        a.start = "2024-01-31T17:00:00Z".parse().ok(); // 2024-02-01 in Shanghai
        a.duration_seconds = Some(600);
        let mut b = a.clone();
        b.key = "systec:b".into();
        b.room = Some(Room {
            name: Some("room05".into()),
            ..Room::default()
        });
        /// room04 is the finance department's; nothing else is allocated.
        #[derive(Debug)]
        struct Finance;
        impl Departments for Finance {
            fn department_of(&self, m: &MeetingSummary, _zone: Tz) -> Option<&str> {
                (m.room_name.as_deref() == Some("room04")).then_some("财务部")
            }
        }
        let sh = chrono_tz::Asia::Shanghai;
        let dept = Aggregate::compute_allocated([&a, &b], GroupBy::Department, sh, Some(&Finance));
        let labels: Vec<&str> = dept.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(labels, ["(unallocated)", "财务部"]);
        assert_eq!(
            dept.total,
            Aggregate::compute([&a, &b], GroupBy::Room, sh).total
        );
        let month = Aggregate::compute([&a, &b], GroupBy::Month, sh);
        assert_eq!(month.groups[0].group, "2024-02");
        assert_eq!(month.groups[0].meetings, 2);
        let utc = Aggregate::compute([&a], GroupBy::RoomMonth, chrono_tz::UTC);
        assert_eq!(utc.groups[0].group, "room04 · 2024-01");
        let none = Aggregate::compute_allocated([&a], GroupBy::Department, sh, None);
        assert_eq!(none.groups[0].group, UNALLOCATED);
    }

    use proptest::strategy::Strategy as _;

    /// A generated meeting: kind (Systec with or without a room, Quanshi occurrence or
    /// reservation), room id, room name, status, seconds, invitees, phone cost.
    type Row = (
        u8,
        Option<&'static str>,
        Option<&'static str>,
        u8,
        u64,
        u64,
        Option<u8>,
    );

    proptest::proptest! {
        /// Every grouping gives the same aggregate whatever the order of the summaries:
        /// rooms whose id is another room's name (one group, two labels), Quanshi
        /// occurrences with their reservations, several statuses and costs.
        #[test]
        fn the_order_of_the_meetings_does_not_matter(
            (rows, shuffled) in crate::test_order::both_orders(proptest::collection::vec(
                (
                    0u8..4,
                    proptest::option::of(proptest::sample::select(vec!["foo", "R1"])),
                    proptest::option::of(proptest::sample::select(vec!["foo", "Foo", "R1"])),
                    0u8..3,
                    0u64..4000,
                    0u64..3,
                    proptest::option::of(0u8..3),
                ),
                0..12,
            ).prop_map(|rows| rows.into_iter().enumerate().collect::<Vec<_>>())),
        ) {
            let summary = |(n, (kind, id, name, status, seconds, invitees, cost)): (usize, Row)| {
                let (vendor, key) = match kind {
                    0 | 1 => (Vendor::Systec, format!("systec:{n}")),
                    2 => (Vendor::Quanshi, format!("quanshi:temp:{n}")),
                    _ => (Vendor::Quanshi, format!("quanshi:conference:{n}")),
                };
                let mut s = MeetingSummary::empty(vendor, key);
                s.status = [Status::Ended, Status::Live, Status::Cancelled][usize::from(status)];
                s.start = chrono::DateTime::from_timestamp(1_700_000_000 + i64::try_from(n).unwrap_or(0) * 7_000, 0);
                s.effective_start = s.start;
                s.measured_seconds = Some(seconds);
                s.invitees = invitees;
                s.host_name = name.map(str::to_owned);
                if vendor == Vendor::Systec {
                    s.has_room = kind == 0;
                    s.room_id = id.map(str::to_owned);
                    s.room_name = name.map(str::to_owned);
                } else {
                    s.event_id = Some(String::from("e1"));
                    s.booked_rooms = vec![crate::meeting_summary::RoomRef::new(
                        id.map(str::to_owned),
                        name.map(str::to_owned),
                    )];
                }
                if let Some(c) = cost {
                    s.phone_calls = 1;
                    s.phone_cost = vec![Money {
                        amount: Decimal::new(i64::from(c) * 15, 2),
                        currency: if c == 2 { "USD" } else { "CNY" }.into(),
                    }];
                }
                s
            };
            let rows: Vec<MeetingSummary> = rows.into_iter().map(summary).collect();
            let shuffled: Vec<MeetingSummary> = shuffled.into_iter().map(summary).collect();
            for by in [GroupBy::Room, GroupBy::Host, GroupBy::Day, GroupBy::RoomMonth] {
                let sh = chrono_tz::Asia::Shanghai;
                proptest::prop_assert_eq!(
                    Aggregate::of_summaries(&rows, by, sh, None),
                    Aggregate::of_summaries(&shuffled, by, sh, None),
                    "{:?}",
                    by
                );
            }
        }
    }
}
