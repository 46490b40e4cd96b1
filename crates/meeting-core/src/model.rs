//! The neutral schema, version 2: [`Meeting`] and everything it holds.
//!
//! Serialised as the design's neutral schema: snake_case field names,
//! lower-case enum words (`unknown` included), RFC 3339 UTC times (`2018-05-08T02:32:34Z`),
//! money as `{"amount": "0.12", "currency": "CNY"}` with the amount a decimal string.
//!
//! Absent values are omitted (`None` fields and empty lists are not written) and read back as
//! absent/empty, so a saved neutral line deserialises to the same value.
//!
//! **Version 2** (this crate writes it; it reads 1 and 2) changed meanings, not only fields:
//! Systec report stubs annotate occurrences and are never meetings ([`Meeting::report`]),
//! a `detail` record's status follows its observation time, and rooms resolve to one
//! identity. It adds [`Meeting::report`], [`Meeting::profile`] and [`Meeting::observed_at`].
//! Readers ignore fields they do not know, so later additions are additive.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the neutral schema this crate writes: `schema_version` of every [`Meeting`].
pub const SCHEMA_VERSION: u32 = 2;

/// The oldest neutral schema version this crate reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// Unmapped vendor fields of one source, verbatim, keyed by their wire name.
pub type ExtraFields = BTreeMap<String, serde_json::Value>;

/// The key prefix of a Systec report stub: `systec:stub:<meeting number>`.
pub const STUB_KEY_PREFIX: &str = "systec:stub:";

/// Whether `key` is a Systec report stub's ([`STUB_KEY_PREFIX`]; see [`Meeting::is_stub`]).
#[must_use]
pub fn is_stub_key(key: &str) -> bool {
    key.starts_with(STUB_KEY_PREFIX)
}

/// One meeting (a Systec occurrence or report stub, a Quanshi reservation or occurrence) in
/// the vendor-neutral form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(
    title = "Meeting",
    description = "A meeting in the vendor-neutral schema, version 2."
)]
#[non_exhaustive]
pub struct Meeting {
    /// The schema version: 2 when written by this crate (1 is read too).
    #[schemars(range(min = 1, max = 2))]
    pub schema_version: u32,
    /// The vendor this record came from.
    pub vendor: Vendor,
    /// The endpoints this record was built from, sorted and without duplicates.
    pub sources: Vec<Source>,
    /// Stable unique key: `systec:<uuid>`, `systec:stub:<meeting number>`,
    /// `quanshi:conference:<conferenceId>` or `quanshi:temp:<tempConferenceId>`.
    pub key: String,
    /// The vendor's id of this record (Systec uuid; Quanshi conferenceId or tempConferenceId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence_id: Option<String>,
    /// What people type to join (Systec meeting number; Quanshi conferenceId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_number: Option<String>,
    /// Quanshi `eventId`: the calendar event both Quanshi endpoints share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The meeting's topic or title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Who hosted it (for Systec shared rooms: the room's account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
    /// The Systec shared room the meeting ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<Room>,
    /// Where the meeting stands.
    pub status: Status,
    /// Booked start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub scheduled_start: Option<DateTime<Utc>>,
    /// Booked end.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub scheduled_end: Option<DateTime<Utc>>,
    /// Booked length, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_duration_seconds: Option<u64>,
    /// When it actually started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub start: Option<DateTime<Utc>>,
    /// When it actually ended.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub end: Option<DateTime<Utc>>,
    /// Measured length, `end - start`, in seconds (absent unless both are known and
    /// `end >= start`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// The vendor's own rounded length in minutes (Systec `"N分钟"`, rounded up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_minutes: Option<u64>,
    /// How many took part, as the vendor counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant_count: Option<u64>,
    /// The participants listed (may be fewer than `participant_count`: see `warnings`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    /// Phone calls, with their exact cost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_calls: Vec<PhoneCall>,
    /// Booked meeting rooms (Quanshi), with their devices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rooms: Vec<BookedRoom>,
    /// What was used.
    #[serde(default, skip_serializing_if = "Features::is_empty")]
    pub features: Features,
    /// Connection counts, where the vendor gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<Connections>,
    /// What the data itself says is incomplete or was read with a choice, e.g.
    /// `"participants truncated: 100 of 150 listed"`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Whether the vendor's usage report is part of this record (Systec only): `full`, `none`
    /// (the vendor answered a stub: no report exists, e.g. fewer than two participants or
    /// not ended) or `not_fetched` (not asked, or the request failed: not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportState>,
    /// The configuration profile (vendor account) the record was fetched under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// When each source's data was fetched (the observation time), where known: a saved
    /// response's `fetched_at`, the time a live response arrived.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[schemars(with = "BTreeMap<Source, DateTime<Utc>>")]
    pub observed_at: BTreeMap<Source, DateTime<Utc>>,
    /// Every vendor field not mapped above, verbatim, per source. Secrets (passwords, host
    /// links, join links, passphrases) are never here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vendor_extra: BTreeMap<Source, ExtraFields>,
    /// For a report stub: the UUIDs of the reports request that answered it, when known (a
    /// live fetch, a save-raw record). Never serialised: stubs are never output.
    #[serde(skip)]
    #[schemars(skip)]
    stub_scope: Option<Vec<String>>,
}

impl Meeting {
    /// An empty meeting of `vendor` from `source` with `key`: status unknown, nothing else.
    pub fn new(vendor: Vendor, source: Source, key: impl Into<String>) -> Self {
        Meeting {
            schema_version: SCHEMA_VERSION,
            vendor,
            sources: vec![source],
            key: key.into(),
            occurrence_id: None,
            meeting_number: None,
            event_id: None,
            topic: None,
            host: None,
            room: None,
            status: Status::Unknown,
            scheduled_start: None,
            scheduled_end: None,
            scheduled_duration_seconds: None,
            start: None,
            end: None,
            duration_seconds: None,
            billed_minutes: None,
            participant_count: None,
            participants: Vec::new(),
            phone_calls: Vec::new(),
            rooms: Vec::new(),
            features: Features::default(),
            connections: None,
            warnings: Vec::new(),
            report: None,
            profile: None,
            observed_at: BTreeMap::new(),
            vendor_extra: BTreeMap::new(),
            stub_scope: None,
        }
    }

    /// The time this record was last observed: the newest of [`Meeting::observed_at`].
    pub fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.observed_at.values().max().copied()
    }

    /// Records that every source of this record was observed at `at` (keeps a newer time
    /// already recorded).
    pub fn observe(&mut self, at: DateTime<Utc>) {
        for s in &self.sources {
            let slot = self.observed_at.entry(*s).or_insert(at);
            if *slot < at {
                *slot = at;
            }
        }
    }

    /// Replaces the observation times: every source of this record observed at `at` (a
    /// run's records are observed at the run's start, live and in a replay alike).
    pub fn observed_at_only(&mut self, at: DateTime<Utc>) {
        self.observed_at.clear();
        self.observe(at);
    }

    /// For a report stub: the UUIDs of the request that answered it (see
    /// [`crate::merge`]: a stub attaches only to these occurrences).
    pub fn stub_scope(&self) -> Option<&[String]> {
        self.stub_scope.as_deref()
    }

    /// Sets the UUIDs of the reports request that answered this stub.
    pub fn set_stub_scope(&mut self, uuids: Vec<String>) {
        self.stub_scope = Some(uuids);
    }

    /// The total cost of the phone calls, summed exactly, per currency (empty when no call
    /// has a cost).
    pub fn phone_cost(&self) -> BTreeMap<String, Decimal> {
        let mut out: BTreeMap<String, Decimal> = BTreeMap::new();
        for cost in self.phone_calls.iter().filter_map(|c| c.cost.as_ref()) {
            let sum = out.entry(cost.currency.clone()).or_default();
            *sum = sum.saturating_add(cost.amount);
        }
        out
    }

    /// Whether this is a Systec report stub (`systec:stub:...`): an annotation of the
    /// occurrences with its meeting number, never a meeting.
    pub fn is_stub(&self) -> bool {
        is_stub_key(&self.key)
    }

    /// Adds a warning unless the same text is already there.
    pub fn warn(&mut self, warning: impl Into<String>) {
        let warning = warning.into();
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }
}

pub use meeting_wire::Vendor;

/// An endpoint a record was built from (`systec.detail`, ...): the workspace's one typed
/// endpoint id, defined in `meeting-wire`, named as in the neutral schema's `sources`.
pub use meeting_wire::{Source, UnknownSource};

/// Whether a Systec record holds the vendor's usage report.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// The full report was fetched and is merged in.
    Full,
    /// The vendor answered that no report exists (a stub).
    None,
    /// Not asked, or the request failed: whether a report exists is not known.
    NotFetched,
}

/// Where a meeting stands.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Booked, not started.
    Scheduled,
    /// Running now.
    Live,
    /// Over.
    Ended,
    /// Cancelled before it took place.
    Cancelled,
    /// Not known (a stub, or a code the vendor does not document).
    #[default]
    Unknown,
}

/// The meeting's host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Host {
    /// The vendor's user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Display name, trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The vendor's raw account-type word (Systec `user_type`, e.g. `Corp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_type: Option<String>,
}

impl Host {
    /// Whether every field is absent.
    pub fn is_empty(&self) -> bool {
        self.id.is_none()
            && self.name.is_none()
            && self.email.is_none()
            && self.account_type.is_none()
    }
}

/// The Systec shared room: `id` is `detail`'s `host_id`; `name` and `email` are the
/// `reports`/`hisMeeting` `host` and `email` (the room's account).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Room {
    /// The shared room's id (`detail`'s `host_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The room account's name, trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The room's mailbox.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Room {
    /// Whether every field is absent.
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.name.is_none() && self.email.is_none()
    }
}

/// One participant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Participant {
    /// The vendor's participant id (Systec `id`; empty ids are absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The vendor's user id (Systec `user_id`, Quanshi `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Display name, trimmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Client device (`Windows`, `iOS`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Client IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Network type (`Wired`, `Wifi`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Joined.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub join: Option<DateTime<Utc>>,
    /// Left.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub leave: Option<DateTime<Utc>>,
    /// `leave - join`, in seconds (absent unless both are known and `leave >= join`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// Internal, external or phone attendee.
    #[serde(default)]
    pub kind: ParticipantKind,
    /// The answer to the invitation (Quanshi only; absent elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<Invitation>,
}

/// A participant's kind (Quanshi `userType`: 1 internal, 2 external, 3 phone).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantKind {
    /// A member of the organisation.
    Internal,
    /// A guest.
    External,
    /// Dialled in or out by phone.
    Phone,
    /// Not told, or an undocumented code.
    #[default]
    Unknown,
}

/// The answer to an invitation (Quanshi `attendList[].status`: W, A, R).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Invitation {
    /// `W`: 已确认, confirmed.
    Confirmed,
    /// `A`: 已接受, accepted.
    Accepted,
    /// `R`: 拒绝, rejected.
    Rejected,
    /// An undocumented code.
    Unknown,
}

/// One phone call of a meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PhoneCall {
    /// The phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Who dialled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<CallDirection>,
    /// Call start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub start: Option<DateTime<Utc>>,
    /// Call end.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "utc::serialize_opt"
    )]
    pub end: Option<DateTime<Utc>>,
    /// `end - start`, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// The vendor's billed minutes (Systec `duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_minutes: Option<u64>,
    /// What the call cost, exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
}

/// A phone call's direction (Systec `type`: `call-out`, `call-in`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CallDirection {
    /// Dialled out by the meeting's bridge (`call-out`).
    Outbound,
    /// Dialled in by the caller (`call-in`).
    Inbound,
    /// An undocumented value (the raw word is in `vendor_extra`).
    Unknown,
}

/// An exact amount of money: `{"amount": "0.12", "currency": "CNY"}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Money {
    /// The amount, exact, written as a decimal string.
    #[serde(with = "decimal_string")]
    #[schemars(with = "String", regex(pattern = r"^-?[0-9]+(\.[0-9]+)?$"))]
    pub amount: Decimal,
    /// ISO 4217 currency code (`CNY`).
    pub currency: String,
}

impl Money {
    /// An amount in yuan (CNY).
    pub fn cny(amount: Decimal) -> Self {
        Money {
            amount,
            currency: String::from("CNY"),
        }
    }
}

/// UTC instants written as RFC 3339 with `Z` (`2018-05-08T02:32:34Z`), the same text as
/// chrono's own `Serialize`, formatted into a stack buffer: chrono's goes through
/// `collect_str` one character at a time, which dominated writing JSON Lines. Sub-second
/// instants fall back to chrono's form. Reading uses chrono's `Deserialize` unchanged.
mod utc {
    use chrono::{DateTime, Datelike, Timelike, Utc};
    use serde::ser::Serializer;

    pub(super) fn serialize_opt<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub(super) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        // One conversion to the naive UTC value, not one per field (each accessor of a
        // `DateTime` adds the offset again), and the digits written into a fixed buffer.
        let n = t.naive_utc();
        let (date, time) = (n.date(), n.time());
        let year = date.year();
        if time.nanosecond() != 0 || !(0..=9999).contains(&year) {
            return serde::Serialize::serialize(t, s);
        }
        let mut b = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (0..width).rev() {
                if let Some(slot) = b.get_mut(at + i) {
                    // A digit: `v % 10` is below 10.
                    *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
                }
                v /= 10;
            }
        };
        let secs = time.num_seconds_from_midnight();
        put(0, 4, year.unsigned_abs());
        put(5, 2, date.month());
        put(8, 2, date.day());
        put(11, 2, secs / 3600);
        put(14, 2, secs / 60 % 60);
        put(17, 2, secs % 60);
        match std::str::from_utf8(&b) {
            Ok(text) => s.serialize_str(text),
            Err(_) => serde::Serialize::serialize(t, s),
        }
    }
}

/// `Decimal` as a JSON string, read from a string (or, leniently, a number).
mod decimal_string {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::Serializer;
    use std::fmt;
    use std::str::FromStr;

    pub(super) fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(d)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount as a string, like \"0.12\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
                Decimal::from_str(v).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Ok(Decimal::from(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A booked meeting room (Quanshi `detailHouseList` / `houseList`), with its devices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct BookedRoom {
    /// The room's id (`DeviceId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The room's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Its address (`Location`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Its floor, as the vendor wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    /// Its role in the conference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoomRole>,
    /// The booking's approval state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// The room's devices booked with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

/// A device of a booked room.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Device {
    /// The device's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The device's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A booked room's role (Quanshi `IsMainRoom`: 0 unspecified, 1 main, 2 branch).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum RoomRole {
    /// The main venue.
    Main,
    /// A branch venue.
    Branch,
    /// Not specified (code 0).
    Unspecified,
    /// An undocumented code.
    Unknown,
}

/// A room booking's approval state (Quanshi `ApprovalStatus`: 0 pending, 1 not approved,
/// 2 approved, 3 room cancelled).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    /// Awaiting approval.
    Pending,
    /// Not approved.
    Rejected,
    /// Approved.
    Approved,
    /// The room was cancelled.
    Cancelled,
    /// An undocumented code.
    Unknown,
}

/// What a meeting used (absent: the vendor did not say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Features {
    /// Computer audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voip: Option<bool>,
    /// Phone audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pstn: Option<bool>,
    /// Video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<bool>,
    /// Screen sharing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_share: Option<bool>,
    /// Recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<bool>,
    /// Third-party audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party_audio: Option<bool>,
    /// A secure (confidential) conference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}

impl Features {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Features::default()
    }
}

/// Connection counts (Quanshi dashboard).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Connections {
    /// Computer-audio connections (`voipCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voip: Option<u64>,
    /// Phone-audio connections (`pstnCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pstn: Option<u64>,
    /// Video uses (`videoCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<u64>,
    /// Screen-share uses (`desktopCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_share: Option<u64>,
    /// Hardware video endpoints (`mcuCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware: Option<u64>,
    /// Meeting boxes (`boxCnt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#box: Option<u64>,
}

impl Connections {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Connections::default()
    }
}

/// `later - earlier` in whole seconds, when not negative.
pub(crate) fn seconds_between(
    earlier: Option<DateTime<Utc>>,
    later: Option<DateTime<Utc>>,
) -> Option<u64> {
    let (earlier, later) = (earlier?, later?);
    // Whole seconds (every vendor time): the difference of the epoch seconds, without
    // chrono's `Duration`; sub-second instants through it (it truncates toward zero).
    let secs = if earlier.timestamp_subsec_nanos() == 0 && later.timestamp_subsec_nanos() == 0 {
        later.timestamp().checked_sub(earlier.timestamp())?
    } else {
        (later - earlier).num_seconds()
    };
    u64::try_from(secs).ok()
}

#[cfg(test)]
mod utc_tests {
    use chrono::{DateTime, TimeZone, Utc};

    #[derive(serde::Serialize)]
    struct W(#[serde(serialize_with = "super::utc::serialize")] DateTime<Utc>);

    #[test]
    fn same_text_as_chrono() {
        let times = [
            Utc.with_ymd_and_hms(2018, 5, 8, 2, 32, 34).single(),
            Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single(),
            Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).single(),
            Utc.timestamp_opt(1_715_600_000, 123_000_000).single(),
            Utc.with_ymd_and_hms(12_000, 1, 1, 0, 0, 0).single(),
        ];
        for t in times.into_iter().flatten() {
            assert_eq!(
                serde_json::to_string(&W(t)).unwrap(),
                serde_json::to_string(&t).unwrap()
            );
        }
    }

    proptest::proptest! {
        /// Any instant, whole seconds or not, from before year 0 to after 9999.
        #[test]
        fn same_text_as_chrono_everywhere(
            secs in -70_000_000_000i64..300_000_000_000i64,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
        ) {
            if let Some(t) = Utc.timestamp_opt(secs, nanos).single() {
                proptest::prop_assert_eq!(
                    serde_json::to_string(&W(t)).unwrap(),
                    serde_json::to_string(&t).unwrap()
                );
            }
        }
    }
}
