//! `--mask-pii`: the design's one masking table, applied at output (after aggregation, so
//! totals never change), on the pure primitives of [`crate::pii`].
//!
//! | what | becomes |
//! |---|---|
//! | participant names, person hosts | a keyed pseudonym, `person-3f9a1c…` (the same person, the same pseudonym, for one key) |
//! | user ids | a keyed pseudonym, `user-…` |
//! | phone numbers | country code and last four digits, `+86 ****5670` |
//! | IP addresses | the first two octets, `116.12.*.*` |
//! | e-mail addresses | the domain, `***@example.com`, except a room's account mailbox (room identity, never masked) |
//! | free text (topics, warnings, any other string) | phone numbers and e-mails found by pattern masked |
//!
//! Rooms (names, ids, the shared room's account that hosts its meetings) are not personal
//! data and are kept, so per-room figures stay readable. Vendor fields kept verbatim
//! (`vendor_extra`) and raw vendor bodies are walked as JSON: IP and e-mail values by their
//! shape, phone numbers by their key or by pattern, names and user ids by their key.

use std::collections::BTreeSet;

use crate::pii::{Pseudonymizer, mask_email, mask_ip, mask_phone, mask_text};
use meeting_core::Meeting;
use serde_json::Value;

/// Masks personal data with one pseudonym key (see the module docs).
#[derive(Clone, Debug)]
pub struct Masker {
    names: Pseudonymizer,
}

impl Masker {
    /// A masker with this pseudonym key (random per run, or from `--mask-key`, or the
    /// archive's).
    pub fn new(names: Pseudonymizer) -> Self {
        Masker { names }
    }

    /// Masks a meeting in place.
    pub fn mask_meeting(&self, m: &mut Meeting) {
        let rooms = room_identity(m);
        let keep = |s: &str| rooms.contains(s.trim());
        if let Some(topic) = &mut m.topic {
            mask_in_place(topic, mask_text);
        }
        if let Some(h) = &mut m.host {
            let is_room =
                h.name.as_deref().is_some_and(keep) || h.email.as_deref().is_some_and(keep);
            if !is_room {
                if let Some(name) = &mut h.name {
                    *name = self.names.person(name);
                }
                if let Some(id) = &mut h.id {
                    *id = self.names.user(id);
                }
                if let Some(email) = &mut h.email {
                    *email = mask_email(email);
                }
            }
        }
        for p in &mut m.participants {
            // A blank name names no one (each such row is a person of its own): it stays
            // blank, so that masking never merges attendees.
            if let Some(name) = &mut p.name
                && !name.trim().is_empty()
            {
                *name = self.names.person(name);
            }
            if let Some(id) = &mut p.user_id {
                *id = self.names.user(id);
            }
            if let Some(ip) = &mut p.ip {
                *ip = mask_ip(ip);
            }
        }
        for c in &mut m.phone_calls {
            if let Some(number) = &mut c.number {
                *number = mask_phone(number);
            }
        }
        for w in &mut m.warnings {
            mask_in_place(w, mask_text);
        }
        for extra in m.vendor_extra.values_mut() {
            for (key, value) in extra.iter_mut() {
                self.mask_value_keeping(Some(key), value, &rooms);
            }
        }
    }

    /// Masks the group labels of an aggregate: hosts that are persons get their pseudonym
    /// (a host that is a room's account, as Systec shared rooms are, stays); rooms and days
    /// are not personal data. The figures are untouched: mask after aggregating.
    pub fn mask_aggregate(
        &self,
        agg: &mut meeting_core::aggregate::Aggregate,
        meetings: &[Meeting],
    ) {
        if agg.by != meeting_core::aggregate::GroupBy::Host {
            return;
        }
        let rooms: BTreeSet<String> = meetings.iter().flat_map(room_identity).collect();
        for g in &mut agg.groups {
            if g.group != meeting_core::aggregate::UNKNOWN_GROUP && !rooms.contains(g.group.trim())
            {
                g.group = self.names.person(&g.group);
            }
        }
        agg.groups.sort_by(|a, b| a.group.cmp(&b.group));
    }

    /// Masks a JSON value in place (raw vendor bodies with `--raw --mask-pii`).
    pub fn mask_value(&self, key: Option<&str>, value: &mut Value) {
        self.mask_value_keeping(key, value, &BTreeSet::new());
    }

    fn mask_value_keeping(&self, key: Option<&str>, value: &mut Value, keep: &BTreeSet<String>) {
        match value {
            Value::String(s) => {
                if keep.contains(s.trim()) {
                    return;
                }
                if let Some(masked) = self.mask_string(key, s) {
                    *s = masked;
                }
            }
            Value::Number(n) if key.is_some_and(is_phone_key) => {
                let text = n.to_string();
                if text.len() >= 5 {
                    *value = Value::String(mask_phone(&text));
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| self.mask_value_keeping(key, v, keep)),
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    self.mask_value_keeping(Some(k), v, keep);
                }
            }
            _ => {}
        }
    }

    /// The masked string, or `None` when it is not personal data.
    fn mask_string(&self, key: Option<&str>, s: &str) -> Option<String> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        if t.parse::<std::net::IpAddr>().is_ok() {
            return Some(mask_ip(t));
        }
        if looks_like_email(t) {
            return Some(mask_email(t));
        }
        let k = key.map(normalized).unwrap_or_default();
        if is_phone_key(&k) {
            return Some(mask_phone(t));
        }
        if is_person_key(&k) {
            return Some(self.names.person(t));
        }
        if is_user_id_key(&k) {
            return Some(self.names.user(t));
        }
        match mask_text(s) {
            std::borrow::Cow::Owned(masked) => Some(masked),
            std::borrow::Cow::Borrowed(_) => None,
        }
    }
}

/// The room's identity in a meeting (names, ids and account mailboxes of its rooms), kept
/// unmasked.
fn room_identity(m: &Meeting) -> BTreeSet<String> {
    let mut keep = BTreeSet::new();
    if let Some(r) = &m.room {
        keep.extend(
            [&r.id, &r.name, &r.email]
                .into_iter()
                .flatten()
                .map(|s| s.trim().to_owned()),
        );
    }
    for r in &m.rooms {
        keep.extend(
            [&r.id, &r.name]
                .into_iter()
                .flatten()
                .map(|s| s.trim().to_owned()),
        );
    }
    keep.remove("");
    keep
}

fn mask_in_place(s: &mut String, f: impl Fn(&str) -> std::borrow::Cow<'_, str>) {
    if let std::borrow::Cow::Owned(masked) = f(s) {
        *s = masked;
    }
}

fn normalized(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_phone_key(key: &str) -> bool {
    let k = normalized(key);
    k == "number"
        || k == "tel"
        || k.ends_with("tel")
        || ((k.contains("phone") || k.contains("mobile"))
            && !k.contains("name")
            && !k.contains("mail")
            && !k.contains("count")
            && !k.contains("cnt")
            && !k.contains("type"))
}

/// Keys whose value names a person (participants, attendees, creators).
fn is_person_key(k: &str) -> bool {
    matches!(
        k,
        "name"
            | "username"
            | "nickname"
            | "realname"
            | "displayname"
            | "attendeename"
            | "participantname"
            | "creatorname"
            | "hostname"
            | "createname"
            | "ownername"
    )
}

fn is_user_id_key(k: &str) -> bool {
    matches!(
        k,
        "userid" | "uid" | "accountid" | "creatorid" | "hostid_user"
    )
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)] // non-exhaustive types: no struct literals
mod tests {
    use super::*;
    use meeting_core::{Host, Participant, PhoneCall, Room, Source, Vendor};

    fn masker() -> Masker {
        Masker::new(Pseudonymizer::from_passphrase("test"))
    }

    #[test]
    fn the_table() {
        let mut m = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:a");
        m.topic = Some("call 张三 13912345670".into());
        let mut room = Room::default();
        room.name = Some("room04".into());
        room.email = Some("room04@corp.example".into());
        m.room = Some(room);
        let mut host = Host::default();
        host.name = Some("room04".into());
        host.email = Some("room04@corp.example".into());
        m.host = Some(host);
        let mut p = Participant::default();
        p.name = Some("张三(13912345670)".into());
        p.user_id = Some("u-1".into());
        p.ip = Some("116.12.34.56".into());
        m.participants = vec![p];
        let mut call = PhoneCall::default();
        call.number = Some("+8613912345670".into());
        m.phone_calls = vec![call];
        let mut again = m.clone();
        masker().mask_meeting(&mut m);
        assert_eq!(m.topic.as_deref(), Some("call 张三 ****5670"));
        let host = m.host.as_ref().map(|h| (h.name.clone(), h.email.clone()));
        assert_eq!(
            host,
            Some((Some("room04".into()), Some("room04@corp.example".into()))),
            "a room's account is room identity"
        );
        let p = &m.participants[0];
        assert!(
            p.name
                .as_deref()
                .is_some_and(|n| n.starts_with("person-") && !n.contains("5670"))
        );
        assert!(p.user_id.as_deref().is_some_and(|n| n.starts_with("user-")));
        assert_eq!(p.ip.as_deref(), Some("116.12.*.*"));
        assert_eq!(m.phone_calls[0].number.as_deref(), Some("+86 ****5670"));
        masker().mask_meeting(&mut again);
        assert_eq!(m, again, "one key, one pseudonym per person");
    }

    #[test]
    fn raw_values_by_shape_and_key() {
        let mut v = serde_json::json!({
            "ip": "10.2.3.4",
            "email": "zhang@example.com",
            "phone_number": 13912345670u64,
            "name": "李四",
            "meeting_number": 1571106323u64,
            "topic": "周会",
        });
        masker().mask_value(None, &mut v);
        assert_eq!(v["ip"], "10.2.*.*");
        assert_eq!(v["email"], "***@example.com");
        assert_eq!(v["phone_number"], "****5670");
        assert!(v["name"].as_str().is_some_and(|n| n.starts_with("person-")));
        assert_eq!(v["meeting_number"], 1571106323u64);
        assert_eq!(v["topic"], "周会");
    }
}
