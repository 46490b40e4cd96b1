//! The neutral record as the Systec normalisers build it: [`Meeting`]'s fields, with strings
//! borrowed from the document where they need no change. The owned path turns it into a
//! [`Meeting`] ([`MeetingRef::into_meeting`]); the dump reader's line writer writes it as
//! the neutral JSON line straight away ([`crate::dump::line`]), so both share one mapping.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::{
    CallDirection, ExtraFields, Features, Host, Meeting, Money, Participant, ParticipantKind,
    PhoneCall, Room, Source, Status, Vendor,
};

/// A meeting's key: a fixed prefix and the vendor's id (`systec:` + uuid).
#[derive(Debug)]
pub(crate) struct KeyRef<'a> {
    pub(crate) prefix: &'static str,
    pub(crate) id: Cow<'a, str>,
}

/// [`Meeting`] with borrowed strings (the fields Systec fills).
#[derive(Debug)]
pub(crate) struct MeetingRef<'a> {
    pub(crate) source: Source,
    pub(crate) key: KeyRef<'a>,
    pub(crate) occurrence_id: Option<Cow<'a, str>>,
    pub(crate) meeting_number: Option<Cow<'a, str>>,
    pub(crate) topic: Option<Cow<'a, str>>,
    pub(crate) host: Option<HostRef<'a>>,
    pub(crate) room: Option<RoomRef<'a>>,
    pub(crate) status: Status,
    pub(crate) scheduled_duration_seconds: Option<u64>,
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) end: Option<DateTime<Utc>>,
    pub(crate) duration_seconds: Option<u64>,
    pub(crate) billed_minutes: Option<u64>,
    pub(crate) participant_count: Option<u64>,
    pub(crate) participants: Vec<ParticipantRef<'a>>,
    pub(crate) phone_calls: Vec<PhoneCallRef<'a>>,
    pub(crate) features: Features,
    pub(crate) warnings: Vec<String>,
    pub(crate) extra: ExtraFields,
}

/// [`Host`] with borrowed strings.
#[derive(Debug, Default)]
pub(crate) struct HostRef<'a> {
    pub(crate) name: Option<Cow<'a, str>>,
    pub(crate) email: Option<Cow<'a, str>>,
    pub(crate) account_type: Option<Cow<'a, str>>,
}

/// [`Room`] with borrowed strings.
#[derive(Debug, Default)]
pub(crate) struct RoomRef<'a> {
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) name: Option<Cow<'a, str>>,
    pub(crate) email: Option<Cow<'a, str>>,
}

/// [`Participant`] with borrowed strings (kind `unknown`, no invitation: Systec).
#[derive(Debug, Default)]
pub(crate) struct ParticipantRef<'a> {
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) user_id: Option<Cow<'a, str>>,
    pub(crate) name: Option<Cow<'a, str>>,
    pub(crate) device: Option<Cow<'a, str>>,
    pub(crate) ip: Option<Cow<'a, str>>,
    pub(crate) country: Option<Cow<'a, str>>,
    pub(crate) city: Option<Cow<'a, str>>,
    pub(crate) network: Option<Cow<'a, str>>,
    pub(crate) join: Option<DateTime<Utc>>,
    pub(crate) leave: Option<DateTime<Utc>>,
    pub(crate) duration_seconds: Option<u64>,
}

/// [`PhoneCall`] with a borrowed number.
#[derive(Debug)]
pub(crate) struct PhoneCallRef<'a> {
    pub(crate) number: Option<Cow<'a, str>>,
    pub(crate) direction: Option<CallDirection>,
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) end: Option<DateTime<Utc>>,
    pub(crate) duration_seconds: Option<u64>,
    pub(crate) billed_minutes: Option<u64>,
    pub(crate) cost: Option<Money>,
}

fn own(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

impl<'a> MeetingRef<'a> {
    /// An empty record of `source`: status unknown, nothing else.
    pub(crate) fn new(source: Source) -> Self {
        MeetingRef {
            source,
            key: KeyRef {
                prefix: "",
                id: Cow::Borrowed(""),
            },
            occurrence_id: None,
            meeting_number: None,
            topic: None,
            host: None,
            room: None,
            status: Status::Unknown,
            scheduled_duration_seconds: None,
            start: None,
            end: None,
            duration_seconds: None,
            billed_minutes: None,
            participant_count: None,
            participants: Vec::new(),
            phone_calls: Vec::new(),
            features: Features::default(),
            warnings: Vec::new(),
            extra: ExtraFields::new(),
        }
    }

    /// Adds a warning unless the same text is already there (as [`Meeting::warn`]).
    pub(crate) fn warn(&mut self, warning: impl Into<String>) {
        let warning = warning.into();
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    /// Whether this is a report stub (`systec:stub:...`, as [`Meeting::is_stub`]).
    pub(crate) fn is_stub(&self) -> bool {
        self.key.prefix == crate::model::STUB_KEY_PREFIX
    }

    /// The owned [`Meeting`].
    pub(crate) fn into_meeting(self) -> Meeting {
        let mut key = String::with_capacity(self.key.prefix.len() + self.key.id.len());
        key.push_str(self.key.prefix);
        key.push_str(&self.key.id);
        let mut m = Meeting::new(Vendor::Systec, self.source, key);
        m.occurrence_id = own(self.occurrence_id);
        m.meeting_number = own(self.meeting_number);
        m.topic = own(self.topic);
        m.host = self.host.map(|h| Host {
            id: None,
            name: own(h.name),
            email: own(h.email),
            account_type: own(h.account_type),
        });
        m.room = self.room.map(|r| Room {
            id: own(r.id),
            name: own(r.name),
            email: own(r.email),
        });
        m.status = self.status;
        m.scheduled_duration_seconds = self.scheduled_duration_seconds;
        m.start = self.start;
        m.end = self.end;
        m.duration_seconds = self.duration_seconds;
        m.billed_minutes = self.billed_minutes;
        m.participant_count = self.participant_count;
        m.participants = self
            .participants
            .into_iter()
            .map(|p| Participant {
                id: own(p.id),
                user_id: own(p.user_id),
                name: own(p.name),
                device: own(p.device),
                ip: own(p.ip),
                country: own(p.country),
                city: own(p.city),
                network: own(p.network),
                join: p.join,
                leave: p.leave,
                duration_seconds: p.duration_seconds,
                kind: ParticipantKind::Unknown,
                invitation: None,
            })
            .collect();
        m.phone_calls = self
            .phone_calls
            .into_iter()
            .map(|c| PhoneCall {
                number: own(c.number),
                direction: c.direction,
                start: c.start,
                end: c.end,
                duration_seconds: c.duration_seconds,
                billed_minutes: c.billed_minutes,
                cost: c.cost,
            })
            .collect();
        m.features = self.features;
        m.warnings = self.warnings;
        super::store_extra(&mut m, self.source, self.extra);
        m
    }
}
