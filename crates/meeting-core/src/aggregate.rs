//! Usage totals per room, host or day: the typed API behind `meeting stats` (and the coming
//! reports), shared by every output so that every renderer shows the same numbers.
//!
//! Give it merged meetings (one record per occurrence: [`crate::query::merge_sorted`]) so
//! nothing counts twice. `minutes` is the measured length (end − start) summed in seconds,
//! then rounded to the nearest minute; `phone_minutes` is the vendor's billed minutes of the
//! calls; the phone cost is an exact decimal sum per currency (never a float).
//!
//! ```
//! use meeting_core::aggregate::{Aggregate, GroupBy};
//! use meeting_core::{Meeting, Source, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:a");
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

use crate::query::{host_label, participant_count, room_label, sort_time};
use crate::{Meeting, Money};

/// What meetings are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum GroupBy {
    /// The room ([`room_label`]).
    Room,
    /// The host ([`host_label`]).
    Host,
    /// The start day in the aggregate's zone (`YYYY-MM-DD`).
    Day,
    /// The department of the meeting's room in a cost allocation
    /// ([`crate::allocation::Allocation`]), else [`UNALLOCATED`]: see
    /// [`Aggregate::compute_allocated`].
    Department,
    /// The start month in the aggregate's zone (`YYYY-MM`).
    Month,
    /// The room and the start month, labelled `<room> · <YYYY-MM>` ([`ROOM_MONTH_SEPARATOR`]).
    RoomMonth,
}

/// Between the room and the month in a [`GroupBy::RoomMonth`] label.
pub const ROOM_MONTH_SEPARATOR: &str = " · ";

pub use crate::allocation::UNALLOCATED;

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

    /// The group of a meeting with a cost allocation: [`GroupBy::Department`] is the
    /// department of its room at its start day ([`UNALLOCATED`] when no line covers it, or
    /// without an allocation); any other grouping is [`GroupBy::group_of`].
    pub fn group_of_allocated(
        self,
        m: &Meeting,
        zone: Tz,
        allocation: Option<&crate::allocation::Allocation>,
    ) -> String {
        match (self, allocation) {
            (GroupBy::Department, Some(a)) => a.department_of(m, zone).to_owned(),
            (GroupBy::Department, None) => String::from(UNALLOCATED),
            _ => self.group_of(m, zone),
        }
    }

    /// The group of a meeting; `(unknown)` when the meeting does not say.
    pub fn group_of(self, m: &Meeting, zone: Tz) -> String {
        let label = match self {
            GroupBy::Room => room_label(m),
            GroupBy::Host => host_label(m),
            GroupBy::Day => sort_time(m)
                .map(|t| t.with_timezone(&zone).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            GroupBy::Department => String::from(UNALLOCATED),
            GroupBy::Month => sort_time(m)
                .map(|t| t.with_timezone(&zone).format("%Y-%m").to_string())
                .unwrap_or_default(),
            GroupBy::RoomMonth => {
                let room = GroupBy::Room.group_of(m, zone);
                let month = GroupBy::Month.group_of(m, zone);
                format!("{room}{ROOM_MONTH_SEPARATOR}{month}")
            }
        };
        if label.is_empty() {
            String::from(UNKNOWN_GROUP)
        } else {
            label
        }
    }
}

/// The group of meetings that do not say which room, host or day they belong to.
pub const UNKNOWN_GROUP: &str = "(unknown)";

/// The label of the grand total.
pub const TOTAL_GROUP: &str = "TOTAL";

/// One group's totals (serialised as in `meeting stats -o json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Totals {
    /// The group's label.
    pub group: String,
    /// Meetings counted.
    pub meetings: u64,
    /// Measured minutes: `duration_seconds` rounded to the nearest minute.
    pub minutes: u64,
    /// Measured seconds.
    pub duration_seconds: u64,
    /// Participants ([`participant_count`] summed).
    pub participants: u64,
    /// Phone calls.
    pub phone_calls: u64,
    /// The vendor's billed minutes of the phone calls.
    pub phone_minutes: u64,
    /// The exact phone cost per currency, in currency order.
    pub phone_cost: Vec<Money>,
    #[serde(skip)]
    cost: BTreeMap<String, Decimal>,
}

impl Totals {
    /// Empty totals for a group.
    pub fn new(group: impl Into<String>) -> Self {
        Totals {
            group: group.into(),
            ..Totals::default()
        }
    }

    /// Adds one meeting (call [`Totals::finish`] after the last).
    pub fn add(&mut self, m: &Meeting) {
        self.meetings += 1;
        self.duration_seconds += m.duration_seconds.unwrap_or(0);
        self.participants += participant_count(m);
        self.phone_calls += m.phone_calls.len() as u64;
        self.phone_minutes += m
            .phone_calls
            .iter()
            .filter_map(|c| c.billed_minutes)
            .sum::<u64>();
        for (cur, amount) in m.phone_cost() {
            let sum = self.cost.entry(cur).or_default();
            *sum = sum.saturating_add(amount);
        }
    }

    /// The exact phone cost per currency.
    pub fn cost(&self) -> &BTreeMap<String, Decimal> {
        &self.cost
    }

    /// Computes the derived figures (`minutes`, `phone_cost`) from the sums.
    pub fn finish(&mut self) {
        self.minutes = (self.duration_seconds + 30) / 60;
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
}

impl Aggregate {
    /// Groups and totals `meetings` (which should be merged: see the module docs). Report
    /// stubs ([`crate::query::is_report_stub`]) are not meetings and are not counted.
    pub fn compute<'a>(
        meetings: impl IntoIterator<Item = &'a Meeting>,
        by: GroupBy,
        zone: Tz,
    ) -> Self {
        let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
        let mut total = Totals::new(TOTAL_GROUP);
        for m in meetings {
            if crate::query::is_report_stub(m) {
                continue;
            }
            let g = by.group_of(m, zone);
            groups
                .entry(g)
                .or_insert_with_key(|g| Totals::new(g.clone()))
                .add(m);
            total.add(m);
        }
        total.finish();
        let mut groups: Vec<Totals> = groups.into_values().collect();
        groups.iter_mut().for_each(Totals::finish);
        Aggregate {
            by,
            zone,
            groups,
            total,
        }
    }
}

impl Aggregate {
    /// [`Aggregate::compute`] with a cost allocation, so that meetings can be grouped by
    /// [`GroupBy::Department`] (with `None`, every meeting is [`UNALLOCATED`]). Report stubs
    /// are not counted; the grand total is the same whatever the grouping.
    pub fn compute_allocated<'a>(
        meetings: impl IntoIterator<Item = &'a Meeting>,
        by: GroupBy,
        zone: Tz,
        allocation: Option<&crate::allocation::Allocation>,
    ) -> Self {
        let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
        let mut total = Totals::new(TOTAL_GROUP);
        for m in meetings {
            if crate::query::is_report_stub(m) {
                continue;
            }
            let g = by.group_of_allocated(m, zone, allocation);
            groups
                .entry(g)
                .or_insert_with_key(|g| Totals::new(g.clone()))
                .add(m);
            total.add(m);
        }
        total.finish();
        let mut groups: Vec<Totals> = groups.into_values().collect();
        groups.iter_mut().for_each(Totals::finish);
        Aggregate {
            by,
            zone,
            groups,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PhoneCall, Room, Source, Vendor};

    #[test]
    fn totals_are_exact_and_grouped() {
        let mut a = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
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

    #[test]
    fn department_month_and_room_month() {
        let mut a = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
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
        let alloc =
            crate::allocation::Allocation::parse("a.csv", "room,department\nroom04,财务部\n").ok();
        let sh = chrono_tz::Asia::Shanghai;
        let dept = Aggregate::compute_allocated([&a, &b], GroupBy::Department, sh, alloc.as_ref());
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
}
