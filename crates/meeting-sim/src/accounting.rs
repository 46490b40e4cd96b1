//! The accounting ground truth: meetings held, minutes, attendees and phone costs, per room
//! and in total, computed from what the simulator holds by the design's accounting rules.
//! The definitions are in the crate docs ("Ground truth for accounting") and on [`Figures`].

use quanshi_model::{ConferenceStatus, DashboardStatus};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};

use crate::quanshi::data::QuanshiData;
use crate::systec::data::{Listing, Occurrence, SystecData};

/// One room's identity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum RoomKey {
    /// A Systec shared room, by its account name (the `host` of `reports`/`hisMeeting`),
    /// trimmed (`"7 "` is `"7"`). `detail`'s `host_id` resolves to the same room.
    Systec(String),
    /// A Quanshi room, by its `DeviceId` as the vendor wrote it.
    Quanshi(String),
}

/// Figures of a set of meetings. Every field counts what the accounting rules count; see the
/// crate docs ("Ground truth for accounting") for where each comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Figures {
    /// Occurrences held (`live` or `ended`).
    pub meetings_held: u64,
    /// Measured seconds of the meetings held (end − start; Quanshi `confDuration` where the
    /// end is missing; nothing for a Systec meeting still live or a Quanshi reservation
    /// counted without its occurrence).
    pub measured_seconds: u64,
    /// The vendor's billed minutes (Systec `"N分钟"`, rounded up) of the meetings held,
    /// where the vendor gives one (`hisMeeting`/`reports`); Quanshi gives none.
    pub billed_minutes: u64,
    /// Attendees: distinct persons per meeting (by user id where the vendor lists one, else
    /// by trimmed name; Quanshi: the dashboard's `attendeeCnt`), summed over meetings.
    pub attendees: u64,
    /// Phone calls (Systec `telephony_usage` rows) of the meetings held.
    pub phone_calls: u64,
    /// Their billed minutes (the vendor's `duration`, rounded up).
    pub phone_minutes: u64,
    /// Their exact cost in yuan (CNY).
    pub phone_cost: Decimal,
    /// Bookings still scheduled (Quanshi reservations with status 1 and no occurrence).
    pub scheduled: u64,
    /// Cancelled bookings (Quanshi reservations with status 0 and no occurrence).
    pub cancelled: u64,
    /// Records whose status cannot be classified (an unknown vendor code).
    pub unknown: u64,
}

impl Figures {
    /// [`Figures::measured_seconds`] in minutes, rounded half away from zero to two decimal
    /// places (the seconds are the exact figure).
    pub fn measured_minutes(&self) -> Decimal {
        (Decimal::from(self.measured_seconds) / Decimal::from(60))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    fn add(&mut self, other: &Figures) {
        self.meetings_held += other.meetings_held;
        self.measured_seconds += other.measured_seconds;
        self.billed_minutes += other.billed_minutes;
        self.attendees += other.attendees;
        self.phone_calls += other.phone_calls;
        self.phone_minutes += other.phone_minutes;
        self.phone_cost += other.phone_cost;
        self.scheduled += other.scheduled;
        self.cancelled += other.cancelled;
        self.unknown += other.unknown;
    }
}

/// One room's figures and its label.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoomAccount {
    /// The room's label: the trimmed Systec account name; the Quanshi `DeviceName`
    /// (`detailHouseList` wins over `houseList`).
    pub name: Option<String>,
    /// The figures of the meetings and bookings in this room.
    pub figures: Figures,
}

/// The accounting ground truth of everything the simulator holds (see
/// [`Truth::accounting`](crate::Truth::accounting)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accounting {
    /// Every meeting and booking counted once.
    pub total: Figures,
    /// Per room. A meeting in several rooms (a multi-room Quanshi booking) counts in each of
    /// them, so the rooms can add up to more than [`Accounting::total`].
    pub rooms: BTreeMap<RoomKey, RoomAccount>,
    /// Meetings and bookings in no known room (a Quanshi occurrence without a reservation,
    /// or whose reservation booked no room).
    pub without_room: Figures,
    /// Systec report stubs `reports` answers (ended with fewer than two participants, or
    /// live). They annotate occurrences and are never meetings.
    pub stubs: u64,
    /// Stubs that match no occurrence: no occurrence listed by `detail` or `hisMeeting` has
    /// the stub's meeting number and lacks a full report.
    pub unmatched_stubs: u64,
}

impl Accounting {
    fn count(&mut self, figures: &Figures, rooms: &BTreeMap<RoomKey, Option<String>>) {
        self.total.add(figures);
        if rooms.is_empty() {
            self.without_room.add(figures);
        }
        for (key, name) in rooms {
            let room = self.rooms.entry(key.clone()).or_default();
            if name.is_some() {
                room.name.clone_from(name);
            }
            room.figures.add(figures);
        }
    }
}

fn seconds(a: i64, b: i64) -> u64 {
    u64::try_from(b.saturating_sub(a)).unwrap_or(0)
}

fn non_negative(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Whether `reports` answers a full report for `o`.
fn full_report(o: &Occurrence) -> bool {
    o.has_report() && o.listing != Listing::DetailOnly
}

fn systec(data: &SystecData, out: &mut Accounting) {
    // Meeting numbers a stub can attach to: listed occurrences without a full report.
    let open: BTreeSet<u64> = data
        .meetings
        .iter()
        .filter(|o| o.listing != Listing::ReportsOnly && !full_report(o))
        .map(|o| o.number)
        .collect();
    for o in &data.meetings {
        if o.listing != Listing::DetailOnly && !o.has_report() {
            out.stubs += 1;
            if !open.contains(&o.number) {
                out.unmatched_stubs += 1;
            }
        }
        // An occurrence only `reports` knows, as a stub, is not a meeting to any reader.
        if o.listing == Listing::ReportsOnly && !o.has_report() {
            continue;
        }
        let mut f = Figures {
            meetings_held: 1,
            measured_seconds: o.seconds(),
            ..Figures::default()
        };
        if o.end.is_some() && o.listing != Listing::DetailOnly {
            f.billed_minutes = systec_model::billed_minutes(o.seconds());
        }
        f.attendees = if full_report(o) {
            o.participants
                .iter()
                .map(|p| p.user_id)
                .collect::<BTreeSet<_>>()
                .len() as u64
        } else {
            o.participants
                .iter()
                .map(|p| p.name.trim())
                .collect::<BTreeSet<_>>()
                .len() as u64
        };
        for call in &o.calls {
            f.phone_calls += 1;
            f.phone_minutes += call.minutes();
            f.phone_cost += call.cost();
        }
        let mut rooms = BTreeMap::new();
        if let Some(room) = data.rooms.get(o.room) {
            let name = room.name.trim().to_owned();
            rooms.insert(RoomKey::Systec(name.clone()), Some(name));
        }
        out.count(&f, &rooms);
    }
}

fn quanshi(data: &QuanshiData, out: &mut Accounting) {
    let event = |id: Option<&meeting_wire::Id>| id.map(ToString::to_string);
    let occurrence_events: BTreeSet<String> = data
        .temp_ids
        .iter()
        .filter_map(|t| data.dashboards.get(t))
        .filter_map(|d| event(d.event_id.as_ref()))
        .collect();
    // Rooms lent by reservations to the occurrences of their event.
    let mut lent: BTreeMap<String, BTreeMap<RoomKey, Option<String>>> = BTreeMap::new();
    for c in data
        .join_urls
        .iter()
        .filter_map(|u| data.conferences.get(u))
    {
        let mut rooms: BTreeMap<RoomKey, Option<String>> = BTreeMap::new();
        for d in c.house_list.iter().flatten() {
            if let Some(id) = &d.device_id {
                let name = rooms.entry(RoomKey::Quanshi(id.to_string())).or_default();
                if d.device_name.is_some() {
                    name.clone_from(&d.device_name);
                }
            }
        }
        for d in c.detail_house_list.iter().flatten() {
            if let Some(id) = &d.device_id {
                let name = rooms.entry(RoomKey::Quanshi(id.to_string())).or_default();
                if d.device_name.is_some() {
                    name.clone_from(&d.device_name);
                }
            }
        }
        let key = event(c.event_id.as_ref());
        if let Some(key) = key.filter(|k| occurrence_events.contains(k)) {
            lent.entry(key).or_default().extend(rooms);
            continue;
        }
        let mut f = Figures::default();
        match c.status {
            Some(ConferenceStatus::Ended) => f.meetings_held = 1,
            Some(ConferenceStatus::Created) => f.scheduled = 1,
            Some(ConferenceStatus::Cancelled) => f.cancelled = 1,
            _ => f.unknown = 1,
        }
        out.count(&f, &rooms);
    }
    for d in data.temp_ids.iter().filter_map(|t| data.dashboards.get(t)) {
        let mut f = Figures::default();
        match d.status {
            Some(DashboardStatus::Running | DashboardStatus::Ended) => {
                f.meetings_held = 1;
                let start = d.start_time.as_ref().and_then(|t| t.value());
                let stop = d.stop_time.as_ref().and_then(|t| t.value());
                f.measured_seconds = match (start, stop) {
                    (Some(a), Some(b)) if b > 0 => seconds(a, b),
                    _ => d.conf_duration.map_or(0, non_negative),
                };
                f.attendees = d.attendee_cnt.map_or(0, non_negative);
            }
            _ => f.unknown = 1,
        }
        let rooms = event(d.event_id.as_ref())
            .and_then(|k| lent.get(&k))
            .cloned()
            .unwrap_or_default();
        out.count(&f, &rooms);
    }
}

/// The accounting of both vendors' data.
pub(crate) fn compute(systec_data: &SystecData, quanshi_data: &QuanshiData) -> Accounting {
    let mut out = Accounting::default();
    systec(systec_data, &mut out);
    quanshi(quanshi_data, &mut out);
    out
}
