//! Pure queries on meetings that every output shares: which meetings a [`Filter`] keeps, the
//! output order, and the labels (room, host) and counts that tables and aggregates show.
//!
//! ```
//! use meeting_core::query::{Filter, sort_for_output};
//! use meeting_core::{Meeting, Source, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecHisMeeting, "systec:a");
//! m.start = "2024-01-31T16:30:00Z".parse().ok();
//! // 2024-02-01 00:30 in Shanghai: a February meeting there, a January one in UTC.
//! let feb = Filter::new(chrono_tz::Asia::Shanghai).from("2024-02-01".parse()?);
//! assert!(feb.matches(&m));
//! assert!(!Filter::new(chrono_tz::UTC).from("2024-02-01".parse()?).matches(&m));
//! let mut list = vec![m];
//! sort_for_output(&mut list);
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::{Meeting, MeetingSummary, Vendor};

/// Which meetings to keep: a date span (whole days in a zone), rooms, hosts and a vendor.
///
/// Every condition that is set must hold; within rooms (or hosts) any one may match. Dates
/// are compared with the meeting's effective start (its start, else its scheduled start) in
/// the filter's zone; a meeting with neither is kept only when no date is set.
///
/// A filter reads a [`MeetingSummary`] ([`Filter::keeps`]), for files and the archive
/// alike; [`Filter::matches`] is the same test on a whole [`Meeting`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Filter {
    /// First day kept (inclusive), in [`Filter::zone`].
    pub from: Option<NaiveDate>,
    /// Last day kept (inclusive), in [`Filter::zone`].
    pub to: Option<NaiveDate>,
    /// The zone the days are read in.
    pub zone: Tz,
    /// Rooms kept, by id, name or e-mail (Systec) or booked room id or name (Quanshi).
    pub rooms: Vec<String>,
    /// Hosts kept, by id, name or e-mail.
    pub hosts: Vec<String>,
    /// The vendor kept.
    pub vendor: Option<Vendor>,
}

impl Filter {
    /// A filter that keeps everything, reading dates in `zone`.
    pub fn new(zone: Tz) -> Self {
        Filter {
            from: None,
            to: None,
            zone,
            rooms: Vec::new(),
            hosts: Vec::new(),
            vendor: None,
        }
    }

    /// Keeps meetings starting on or after `day`.
    #[must_use]
    pub fn from(mut self, day: NaiveDate) -> Self {
        self.from = Some(day);
        self
    }

    /// Keeps meetings starting on or before `day`.
    #[must_use]
    pub fn to(mut self, day: NaiveDate) -> Self {
        self.to = Some(day);
        self
    }

    /// Keeps meetings in this room too (repeatable: any one matches).
    #[must_use]
    pub fn room(mut self, room: impl Into<String>) -> Self {
        self.rooms.push(room.into());
        self
    }

    /// Keeps meetings of this host too (repeatable: any one matches).
    #[must_use]
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.hosts.push(host.into());
        self
    }

    /// Keeps only this vendor's meetings.
    #[must_use]
    pub fn vendor(mut self, vendor: Vendor) -> Self {
        self.vendor = Some(vendor);
        self
    }

    /// Whether no condition is set.
    pub fn is_empty(&self) -> bool {
        self.from.is_none()
            && self.to.is_none()
            && self.rooms.is_empty()
            && self.hosts.is_empty()
            && self.vendor.is_none()
    }

    /// Whether the span is empty (`from` after `to`).
    pub fn is_inverted(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f > t)
    }

    /// Whether `m` passes every condition (through its summary: [`Filter::keeps`]).
    pub fn matches(&self, m: &Meeting) -> bool {
        if self.is_empty() {
            return true;
        }
        self.keeps(&MeetingSummary::identity(m))
    }

    /// Whether the meeting summarised by `s` passes every condition.
    pub fn keeps(&self, s: &MeetingSummary) -> bool {
        self.vendor.is_none_or(|v| s.vendor == v)
            && (self.rooms.is_empty() || self.rooms.iter().any(|r| summary_in_room(s, r)))
            && (self.hosts.is_empty() || self.hosts.iter().any(|h| summary_has_host(s, h)))
            && self.in_span(s)
    }

    fn in_span(&self, s: &MeetingSummary) -> bool {
        if self.from.is_none() && self.to.is_none() {
            return true;
        }
        let Some(start) = s.effective_start else {
            return false;
        };
        let day = start.with_timezone(&self.zone).date_naive();
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

/// The first instant of `day` in `zone` (the first valid local time of the day when
/// midnight falls in a daylight-saving gap).
pub(crate) fn start_of_day(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    (0..24)
        .filter_map(|h| day.and_hms_opt(h, 0, 0))
        .find_map(|t| zone.from_local_datetime(&t).earliest())
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// The instants `[start, end)` of the days `from..=to` in `zone`.
pub fn day_span(from: NaiveDate, to: NaiveDate, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = to.succ_opt().unwrap_or(to);
    (start_of_day(from, zone), start_of_day(end, zone))
}

/// Whether the meeting summarised by `s` is in the room named by id, name or e-mail
/// (Systec) or books it (Quanshi).
fn summary_in_room(s: &MeetingSummary, room: &str) -> bool {
    let eq = |v: &Option<String>| v.as_deref().is_some_and(|v| v == room);
    (s.has_room && (eq(&s.room_id) || eq(&s.room_name) || eq(&s.room_email)))
        || s.booked_rooms.iter().any(|r| eq(&r.id) || eq(&r.name))
}

/// Whether the host of the meeting summarised by `s` is `host` by id, name or e-mail.
fn summary_has_host(s: &MeetingSummary, host: &str) -> bool {
    let eq = |v: &Option<String>| v.as_deref().is_some_and(|v| v == host);
    s.has_host && (eq(&s.host_id) || eq(&s.host_name) || eq(&s.host_email))
}

/// Whether a record is a Systec report stub (`systec:stub:<meeting number>`: the vendor has
/// no report for that meeting). Stubs annotate occurrences; they are never meetings, so
/// aggregates and the archive never count them.
pub fn is_report_stub(m: &Meeting) -> bool {
    crate::model::is_stub_key(&m.key)
}

/// The time a meeting sorts and buckets by: its start, else its scheduled start.
pub fn sort_time(m: &Meeting) -> Option<DateTime<Utc>> {
    m.start.or(m.scheduled_start)
}

/// The output order: by start (else scheduled start; meetings with neither last). Stable, so
/// meetings that start together keep their order (after [`crate::merge::merge`], key order).
pub fn output_order(a: &Meeting, b: &Meeting) -> Ordering {
    match (sort_time(a), sort_time(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts meetings into the output order (see [`output_order`]).
pub fn sort_for_output(meetings: &mut [Meeting]) {
    meetings.sort_by(output_order);
}

/// A field meetings can be sorted by (`--sort`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortKey {
    /// Start (else scheduled start), meetings without one last: the output order.
    Start,
    /// Room label.
    Room,
    /// Host label.
    Host,
    /// Topic.
    Topic,
    /// Measured duration, longest first.
    Duration,
    /// Participants, most first.
    Participants,
    /// Phone cost (all currencies added), highest first.
    PhoneCost,
    /// Key.
    Key,
}

impl SortKey {
    /// Every key with its name.
    pub const ALL: [(SortKey, &'static str); 8] = [
        (SortKey::Start, "start"),
        (SortKey::Room, "room"),
        (SortKey::Host, "host"),
        (SortKey::Topic, "topic"),
        (SortKey::Duration, "duration"),
        (SortKey::Participants, "participants"),
        (SortKey::PhoneCost, "phone_cost"),
        (SortKey::Key, "key"),
    ];

    /// The key named `name`.
    pub fn from_name(name: &str) -> Option<SortKey> {
        SortKey::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }
}

/// Sorts meetings by `key` (stable: ties keep the output order they had).
pub fn sort_by(meetings: &mut [Meeting], key: SortKey) {
    let cost = |m: &Meeting| -> rust_decimal::Decimal { m.phone_cost().values().copied().sum() };
    match key {
        SortKey::Start => meetings.sort_by(output_order),
        SortKey::Room => meetings.sort_by_cached_key(room_label),
        SortKey::Host => meetings.sort_by_cached_key(host_label),
        SortKey::Topic => meetings.sort_by_cached_key(|m| m.topic.clone()),
        SortKey::Duration => meetings.sort_by_key(|m| std::cmp::Reverse(m.duration_seconds)),
        SortKey::Participants => {
            meetings.sort_by_key(|m| std::cmp::Reverse(participant_count(m)));
        }
        SortKey::PhoneCost => meetings.sort_by_cached_key(|m| std::cmp::Reverse(cost(m))),
        SortKey::Key => meetings.sort_by(|a, b| a.key.cmp(&b.key)),
    }
}

/// Merged by key ([`crate::merge::merge`]: one record per occurrence) and sorted into the
/// output order: what live commands, `parse --merge` and `stats` work on.
pub fn merge_sorted(meetings: Vec<Meeting>) -> Vec<Meeting> {
    let mut merged = crate::merge::merge(meetings);
    sort_for_output(&mut merged);
    merged
}

/// The room shown for a meeting: the Systec room's name (else id), else the booked rooms
/// (names, else ids) joined by `, `; empty when none is known. Aggregates count a meeting
/// in each of its rooms: see [`room_labels`].
pub fn room_label(m: &Meeting) -> String {
    room_labels(m).join(", ")
}

/// Every room a meeting was in, each once: the Systec room's name (else id), else each
/// booked room's name (else id), one per `DeviceId`.
pub fn room_labels(m: &Meeting) -> Vec<String> {
    crate::meeting_summary::labels_of_rooms(
        m.room.as_ref().map(|r| (r.name.as_ref(), r.id.as_ref())),
        m.rooms.iter().map(|r| (r.name.as_ref(), r.id.as_ref())),
    )
}

/// The host shown for a meeting: its name, else e-mail, else id; empty when unknown.
pub fn host_label(m: &Meeting) -> String {
    m.host
        .as_ref()
        .and_then(|h| h.name.as_ref().or(h.email.as_ref()).or(h.id.as_ref()))
        .cloned()
        .unwrap_or_default()
}

/// The number of participants: the vendor's count, else the listed ones (whichever is
/// larger).
pub fn participant_count(m: &Meeting) -> u64 {
    let listed = m.participants.len() as u64;
    m.participant_count.unwrap_or(listed).max(listed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Host, Room, Source};

    fn meeting(key: &str, start: Option<&str>) -> Meeting {
        let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, key);
        m.start = start.and_then(|s| s.parse().ok());
        m
    }

    #[test]
    fn filter_conditions() {
        let mut m = meeting("systec:a", Some("2024-01-31T23:30:00Z"));
        m.room = Some(Room {
            id: Some("R1".into()),
            name: Some("room04".into()),
            email: None,
        });
        m.host = Some(Host {
            name: Some("room04".into()),
            email: Some("r4@example.com".into()),
            ..Host::default()
        });
        let sh = chrono_tz::Asia::Shanghai;
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert!(Filter::new(sh).is_empty());
        assert!(Filter::new(sh).matches(&m));
        assert!(Filter::new(sh).room("R1").matches(&m));
        assert!(Filter::new(sh).room("nope").room("room04").matches(&m));
        assert!(!Filter::new(sh).room("nope").matches(&m));
        assert!(Filter::new(sh).host("r4@example.com").matches(&m));
        assert!(!Filter::new(sh).host("someone").matches(&m));
        assert!(!Filter::new(sh).vendor(Vendor::Quanshi).matches(&m));
        assert!(Filter::new(sh).from(day("2024-02-01")).matches(&m));
        assert!(
            !Filter::new(chrono_tz::UTC)
                .from(day("2024-02-01"))
                .matches(&m)
        );
        assert!(!Filter::new(sh).to(day("2024-01-30")).is_inverted());
        assert!(
            Filter::new(sh)
                .from(day("2024-02-02"))
                .to(day("2024-02-01"))
                .is_inverted()
        );
        let undated = meeting("systec:b", None);
        assert!(Filter::new(sh).matches(&undated));
        assert!(!Filter::new(sh).to(day("2030-01-01")).matches(&undated));
    }

    #[test]
    fn output_order_puts_undated_last() {
        let mut list = vec![
            meeting("c", None),
            meeting("b", Some("2024-01-02T00:00:00Z")),
            meeting("a", Some("2024-01-01T00:00:00Z")),
        ];
        sort_for_output(&mut list);
        let keys: Vec<&str> = list.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }
}
