//! One room, one identity: a Systec shared room is its `host_id` (what `detail` carries) and
//! its account name and mailbox (what `hisMeeting` and `reports` carry). Whichever a record
//! carries, [`RoomDirectory`] resolves it to one identity with one label, learned from every
//! record of the input set (or the archive) that carries both.
//!
//! - An id is linked to a name (and mailbox) by any record whose room has both.
//! - The label of an id is its **latest observed name** (the record observed last; records
//!   observed at the same time, or without a time, take the greatest name, so the result
//!   does not depend on the input order). Older names stay aliases: a record carrying only
//!   an old name resolves to the id and is labelled with the latest name.
//! - For Systec shared rooms the host *is* the room's account: a record that knows its room
//!   but not its host (a `detail`-only meeting) gets the room's name and mailbox as its host.
//!
//! Quanshi rooms are their `DeviceId`; a booked room's label is likewise its latest
//! observed name across the input set (a room renamed between bookings is one room).
//!
//! The directory learns from [`MeetingSummary`] records (the archive's summary rows, or
//! summaries of merged meetings) and resolves a summary ([`RoomDirectory::resolve_summary`])
//! or a whole meeting ([`RoomDirectory::resolve`]) by the same rules.
//!
//! ```
//! use meeting_core::identity::resolve_rooms;
//! use meeting_core::{Meeting, Room, Source, Vendor};
//! let mut room = Room::default();
//! room.id = Some("HX9".into());
//! let mut detail_only = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:b");
//! detail_only.room = Some(room.clone());
//! room.name = Some("room04".into());
//! let mut known = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:a");
//! known.room = Some(room);
//! let mut list = vec![known, detail_only];
//! resolve_rooms(&mut list);
//! assert_eq!(list[1].room.as_ref().unwrap().name.as_deref(), Some("room04"));
//! assert_eq!(list[1].host.as_ref().unwrap().name.as_deref(), Some("room04"));
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::{Host, Meeting, MeetingSummary, Room, Vendor};

/// A label as last observed: when (None: unknown, ranks lowest) and what. Of two, the later
/// wins, and at the same time (or without one) the greater text: [`keep_latest`].
type Seen = (Option<DateTime<Utc>>, String);

/// Keeps in `held` the later of it and `(at, text)` (see [`Seen`]), cloning `text` only when
/// it is kept.
fn keep_latest(held: &mut Option<Seen>, at: Option<DateTime<Utc>>, text: &str) {
    let later = held
        .as_ref()
        .is_none_or(|(held_at, held_text)| (at, text) > (*held_at, held_text.as_str()));
    if later {
        *held = Some((at, text.to_owned()));
    }
}

/// [`keep_latest`] in the entry of `key` (created only when `key` is new).
fn keep_latest_in<V: Default>(
    map: &mut BTreeMap<String, V>,
    key: &str,
    held: impl FnOnce(&mut V) -> &mut Option<Seen>,
    at: Option<DateTime<Utc>>,
    text: &str,
) {
    if let Some(v) = map.get_mut(key) {
        keep_latest(held(v), at, text);
    } else {
        let mut v = V::default();
        keep_latest(held(&mut v), at, text);
        map.insert(key.to_owned(), v);
    }
}

/// What is known of one room id: its latest name and its latest mailbox, each on its own
/// (so that the directory does not depend on the order it learns in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Known {
    name: Option<Seen>,
    email: Option<Seen>,
}

impl Known {
    fn name(&self) -> Option<&String> {
        self.name.as_ref().map(|(_, n)| n)
    }

    fn email(&self) -> Option<&String> {
        self.email.as_ref().map(|(_, e)| e)
    }
}

/// The Systec rooms of an input set: ids, names (latest first) and mailboxes. What it holds
/// depends on the records it learnt from, never on their order: every field is the latest
/// observed (ties: the greatest).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomDirectory {
    by_id: BTreeMap<String, Known>,
    /// Every name (and mailbox) seen with an id: the id it was last observed with.
    alias: BTreeMap<String, Option<Seen>>,
    /// Quanshi booked rooms: `DeviceId` → the latest observed name.
    devices: BTreeMap<String, Option<Seen>>,
}

impl RoomDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        RoomDirectory::default()
    }

    /// Learns from one record: its room's id, name and mailbox, when it carries an id and a
    /// name or mailbox.
    pub fn learn(&mut self, m: &MeetingSummary) {
        let at = m.observed_at;
        if m.vendor == Vendor::Quanshi {
            for r in &m.booked_rooms {
                if let (Some(id), Some(name)) = (&r.id, &r.name) {
                    keep_latest_in(&mut self.devices, id, |v| v, at, name);
                }
            }
            return;
        }
        if m.vendor != Vendor::Systec || !m.has_room {
            return;
        }
        let Some(id) = m.room_id.as_deref() else {
            return;
        };
        if m.room_name.is_none() && m.room_email.is_none() {
            return;
        }
        if let Some(name) = &m.room_name {
            keep_latest_in(&mut self.by_id, id, |k: &mut Known| &mut k.name, at, name);
        }
        if let Some(email) = &m.room_email {
            keep_latest_in(&mut self.by_id, id, |k: &mut Known| &mut k.email, at, email);
        }
        for alias in [&m.room_name, &m.room_email].into_iter().flatten() {
            keep_latest_in(&mut self.alias, alias, |v| v, at, id);
        }
    }

    /// The room id a name or mailbox belongs to, when known.
    pub fn id_of(&self, name_or_email: &str) -> Option<&str> {
        self.alias
            .get(name_or_email)?
            .as_ref()
            .map(|(_, id)| id.as_str())
    }

    /// The label (latest name, else mailbox) of a room id, when known.
    pub fn label_of(&self, id: &str) -> Option<&str> {
        let k = self.by_id.get(id)?;
        k.name().or(k.email()).map(String::as_str)
    }

    /// Gives `m`'s room its one identity: the id for a name or mailbox, the latest name and
    /// the mailbox for an id; and its host, when it has none, the room's account.
    pub fn resolve(&self, m: &mut Meeting) {
        if m.vendor == Vendor::Quanshi {
            for r in &mut m.rooms {
                if let Some((_, name)) = r.id.as_ref().and_then(|id| self.devices.get(id)?.as_ref())
                {
                    r.name = Some(name.clone());
                }
            }
            return;
        }
        if m.vendor != Vendor::Systec {
            return;
        }
        let Some(room) = m.room.as_mut() else { return };
        if room.id.is_none() {
            room.id = [&room.name, &room.email]
                .into_iter()
                .flatten()
                .find_map(|a| self.id_of(a))
                .map(str::to_owned);
        }
        let Some(known) = room.id.as_deref().and_then(|id| self.by_id.get(id)) else {
            return;
        };
        if let Some(name) = known.name() {
            room.name = Some(name.clone());
        }
        if room.email.is_none() {
            room.email = known.email().cloned();
        }
        let Room { name, email, .. } = room.clone();
        match m.host.as_mut() {
            None => {
                m.host = Some(Host {
                    name,
                    email,
                    ..Host::default()
                });
            }
            Some(h) if h.name.is_none() && h.email.is_none() => {
                h.name = name;
                h.email = email;
            }
            Some(_) => {}
        }
    }
}

impl RoomDirectory {
    /// [`RoomDirectory::resolve`] of a summary: the same rules on its room and host fields.
    pub fn resolve_summary(&self, s: &mut MeetingSummary) {
        if s.vendor == Vendor::Quanshi {
            for r in &mut s.booked_rooms {
                if let Some((_, name)) = r.id.as_ref().and_then(|id| self.devices.get(id)?.as_ref())
                {
                    r.name = Some(name.clone());
                }
            }
            return;
        }
        if s.vendor != Vendor::Systec || !s.has_room {
            return;
        }
        if s.room_id.is_none() {
            s.room_id = [&s.room_name, &s.room_email]
                .into_iter()
                .flatten()
                .find_map(|a| self.id_of(a))
                .map(str::to_owned);
        }
        let Some(known) = s.room_id.as_deref().and_then(|id| self.by_id.get(id)) else {
            return;
        };
        if let Some(name) = known.name() {
            s.room_name = Some(name.clone());
        }
        if s.room_email.is_none() {
            s.room_email = known.email().cloned();
        }
        if !s.has_host || (s.host_name.is_none() && s.host_email.is_none()) {
            s.has_host = true;
            s.host_name.clone_from(&s.room_name);
            s.host_email.clone_from(&s.room_email);
        }
    }
}

/// Resolves every record's room (see the module docs), learning from all of them first.
pub fn resolve_rooms(meetings: &mut [Meeting]) {
    let mut dir = RoomDirectory::new();
    for m in meetings.iter() {
        dir.learn(&MeetingSummary::identity(m));
    }
    for m in meetings.iter_mut() {
        dir.resolve(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn systec(key: &str, id: Option<&str>, name: Option<&str>, at: Option<&str>) -> Meeting {
        let mut m = Meeting::new(Vendor::Systec, Source::SystecReports, key);
        m.room = Some(Room {
            id: id.map(Into::into),
            name: name.map(Into::into),
            email: None,
        });
        if let Some(at) = at.and_then(|a| a.parse().ok()) {
            m.observe(at);
        }
        m
    }

    #[test]
    fn latest_name_wins_and_old_names_are_aliases() {
        let mut list = vec![
            systec(
                "systec:a",
                Some("R1"),
                Some("old"),
                Some("2024-01-01T00:00:00Z"),
            ),
            systec(
                "systec:b",
                Some("R1"),
                Some("new"),
                Some("2024-02-01T00:00:00Z"),
            ),
            systec("systec:c", None, Some("old"), None),
            systec("systec:d", Some("R1"), None, None),
        ];
        let mut reversed = list.clone();
        reversed.reverse();
        resolve_rooms(&mut list);
        resolve_rooms(&mut reversed);
        reversed.reverse();
        assert_eq!(list, reversed, "order does not matter");
        for m in &list {
            let room = m.room.as_ref().unwrap();
            assert_eq!(room.id.as_deref(), Some("R1"), "{}", m.key);
            assert_eq!(room.name.as_deref(), Some("new"), "{}", m.key);
        }
    }

    #[test]
    fn unknown_ids_stay_as_they_are() {
        let mut list = vec![systec("systec:a", Some("R9"), None, None)];
        resolve_rooms(&mut list);
        assert_eq!(list[0].room.as_ref().unwrap().name, None);
        assert_eq!(list[0].host, None);
    }

    /// A summary of a Systec room (`id`, `name`, `email`) or of a Quanshi booking of
    /// `(id, name)`, observed at `at` minutes (or at no time).
    fn summary(
        n: usize,
        quanshi: bool,
        id: Option<&str>,
        name: Option<&str>,
        email: Option<&str>,
        at: Option<i64>,
    ) -> MeetingSummary {
        let vendor = if quanshi {
            Vendor::Quanshi
        } else {
            Vendor::Systec
        };
        let mut s = MeetingSummary::empty(vendor, format!("{vendor:?}:{n}"));
        s.observed_at = at.and_then(|m| DateTime::from_timestamp(1_700_000_000 + m * 60, 0));
        if quanshi {
            s.booked_rooms = vec![crate::meeting_summary::RoomRef::new(
                id.map(Into::into),
                name.map(Into::into),
            )];
        } else {
            s.has_room = true;
            s.room_id = id.map(Into::into);
            s.room_name = name.map(Into::into);
            s.room_email = email.map(Into::into);
        }
        s
    }

    #[test]
    fn a_mailbox_alone_does_not_hide_a_later_name() {
        // Learnt in this order, the mailbox-only record (observed last) used to take the
        // time of the label without a name, so that the later of the two names lost.
        let rows = [
            summary(0, false, Some("R1"), Some("first"), None, Some(1)),
            summary(1, false, Some("R1"), None, Some("r1@x"), Some(9)),
            summary(2, false, Some("R1"), Some("second"), None, Some(5)),
        ];
        for order in [[0, 1, 2], [1, 0, 2], [2, 1, 0], [0, 2, 1]] {
            let mut dir = RoomDirectory::new();
            for i in order {
                dir.learn(&rows[i]);
            }
            assert_eq!(dir.label_of("R1"), Some("second"), "{order:?}");
            assert_eq!(dir.id_of("r1@x"), Some("R1"));
        }
    }

    proptest::proptest! {
        /// What the directory holds, and so what it resolves, does not depend on the order
        /// it learns in: every name, mailbox and alias is the latest observed (ties: the
        /// greatest), each on its own.
        #[test]
        fn the_order_of_learning_does_not_matter(
            (rows, shuffled) in crate::test_order::both_orders(proptest::collection::vec(
                (
                    proptest::bool::ANY,
                    proptest::option::of(proptest::sample::select(vec!["R1", "R2", "old"])),
                    proptest::option::of(proptest::sample::select(vec!["old", "new", "R2", "x"])),
                    proptest::option::of(proptest::sample::select(vec!["a@x", "b@x", "new"])),
                    proptest::option::of(0i64..4),
                ),
                0..10,
            )),
        ) {
            let summaries = |rows: Vec<_>| -> Vec<MeetingSummary> {
                rows.into_iter()
                    .enumerate()
                    .map(|(n, (q, id, name, email, at))| summary(n, q, id, name, email, at))
                    .collect()
            };
            let (rows, shuffled) = (summaries(rows), summaries(shuffled));
            let learnt = |rows: &[MeetingSummary]| {
                let mut dir = RoomDirectory::new();
                for r in rows {
                    dir.learn(r);
                }
                dir
            };
            let (a, b) = (learnt(&rows), learnt(&shuffled));
            proptest::prop_assert_eq!(&a, &b);
            for r in &rows {
                let (mut x, mut y) = (r.clone(), r.clone());
                a.resolve_summary(&mut x);
                b.resolve_summary(&mut y);
                proptest::prop_assert_eq!(x, y);
            }
        }
    }
}
