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

/// What is known of one room id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Known {
    /// When the label was observed (None: unknown, ranks lowest).
    at: Option<DateTime<Utc>>,
    name: Option<String>,
    email: Option<String>,
}

/// The Systec rooms of an input set: ids, names (latest first) and mailboxes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomDirectory {
    by_id: BTreeMap<String, Known>,
    /// Every name (and mailbox) seen with an id.
    alias: BTreeMap<String, String>,
    /// Quanshi booked rooms: `DeviceId` → the latest observed name.
    devices: BTreeMap<String, (Option<DateTime<Utc>>, String)>,
}

impl RoomDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        RoomDirectory::default()
    }

    /// Learns from one record: its room's id, name and mailbox, when it carries an id and a
    /// name or mailbox.
    pub fn learn(&mut self, m: &MeetingSummary) {
        if m.vendor == Vendor::Quanshi {
            let at = m.observed_at;
            for r in &m.booked_rooms {
                if let (Some(id), Some(name)) = (&r.id, &r.name) {
                    let seen = (at, name.clone());
                    match self.devices.get_mut(id) {
                        Some(known) if *known >= seen => {}
                        Some(known) => *known = seen,
                        None => {
                            self.devices.insert(id.clone(), seen);
                        }
                    }
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
        let at = m.observed_at;
        let entry = self.by_id.entry(id.to_owned()).or_default();
        let newer = (at, m.room_name.as_deref()) > (entry.at, entry.name.as_deref());
        if newer || entry.name.is_none() {
            entry.at = at;
            if m.room_name.is_some() {
                entry.name.clone_from(&m.room_name);
            }
        }
        if m.room_email.is_some() && (newer || entry.email.is_none()) {
            entry.email.clone_from(&m.room_email);
        }
        for alias in [&m.room_name, &m.room_email].into_iter().flatten() {
            self.alias.insert(alias.clone(), id.to_owned());
        }
    }

    /// The room id a name or mailbox belongs to, when known.
    pub fn id_of(&self, name_or_email: &str) -> Option<&str> {
        self.alias.get(name_or_email).map(String::as_str)
    }

    /// The label (latest name, else mailbox) of a room id, when known.
    pub fn label_of(&self, id: &str) -> Option<&str> {
        let k = self.by_id.get(id)?;
        k.name.as_deref().or(k.email.as_deref())
    }

    /// Gives `m`'s room its one identity: the id for a name or mailbox, the latest name and
    /// the mailbox for an id; and its host, when it has none, the room's account.
    pub fn resolve(&self, m: &mut Meeting) {
        if m.vendor == Vendor::Quanshi {
            for r in &mut m.rooms {
                if let Some((_, name)) = r.id.as_ref().and_then(|id| self.devices.get(id)) {
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
        if known.name.is_some() {
            room.name.clone_from(&known.name);
        }
        if room.email.is_none() {
            room.email.clone_from(&known.email);
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
                if let Some((_, name)) = r.id.as_ref().and_then(|id| self.devices.get(id)) {
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
        if known.name.is_some() {
            s.room_name.clone_from(&known.name);
        }
        if s.room_email.is_none() {
            s.room_email.clone_from(&known.email);
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
}
