//! The one row schema of meetings, participants and phone calls: every column that more than
//! one output writes is a [`Field`], a stable snake_case id and a label people read.
//!
//! `list -o csv` and `meeting export` (CSV, JSON Lines, Parquet) name their columns by the
//! ids; the report's workbook and HTML page by the labels (its CSV set by the ids). The same
//! row has the same name everywhere: a meeting's `key` (also in the participants and calls
//! rows that belong to it), its `room` and `host` (as `meeting stats` groups them), its
//! `participants` (the vendor's count or the listed rows, whichever is larger),
//! `attendees` (distinct persons), `phone_calls`, a call's `cost` and `currency`.
//!
//! ```
//! use meeting_report::fields;
//!
//! assert_eq!(fields::KEY.id, "key");
//! assert_eq!(fields::PHONE_CALLS.label, "Phone calls");
//! ```

/// One column: its stable id and its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Field {
    /// The stable snake_case id: CSV headers and export columns.
    pub id: &'static str,
    /// What people read: workbook and HTML headers.
    pub label: &'static str,
}

const fn f(id: &'static str, label: &'static str) -> Field {
    Field { id, label }
}

/// The meeting's stable key (every row of a meeting carries it: it joins the tables).
pub const KEY: Field = f("key", "Meeting key");
/// The topic.
pub const TOPIC: Field = f("topic", "Topic");
/// The room as `meeting stats --by room` groups it.
pub const ROOM: Field = f("room", "Room");
/// The host as `meeting stats --by host` groups it.
pub const HOST: Field = f("host", "Host");
/// The status word.
pub const STATUS: Field = f("status", "Status");
/// The vendor.
pub const VENDOR: Field = f("vendor", "Vendor");
/// What people type to join.
pub const MEETING_NUMBER: Field = f("meeting_number", "Meeting number");
/// A start (the meeting's, else its scheduled one; a participant's join; a call's start).
pub const START: Field = f("start", "Start");
/// An end.
pub const END: Field = f("end", "End");
/// Measured seconds.
pub const DURATION_SECONDS: Field = f("duration_seconds", "Duration (s)");
/// Measured minutes: seconds rounded half up, per meeting.
pub const MINUTES: Field = f("minutes", "Minutes");
/// The vendor's billed minutes.
pub const BILLED_MINUTES: Field = f("billed_minutes", "Billed minutes");
/// Participants: the vendor's count or the listed rows, whichever is larger.
pub const PARTICIPANTS: Field = f("participants", "Participants");
/// Attendees: distinct persons.
pub const ATTENDEES: Field = f("attendees", "Attendees");
/// Phone calls.
pub const PHONE_CALLS: Field = f("phone_calls", "Phone calls");
/// The phone calls' billed minutes.
pub const PHONE_MINUTES: Field = f("phone_minutes", "Phone minutes");
/// The phone calls' cost (with [`CURRENCY`]).
pub const PHONE_COST: Field = f("phone_cost", "Phone cost");
/// The currency of an amount.
pub const CURRENCY: Field = f("currency", "Currency");
/// Whether a Systec report exists.
pub const REPORT: Field = f("report", "Report");
/// The endpoints the record was built from.
pub const SOURCES: Field = f("sources", "Sources");
/// The record's warnings.
pub const WARNINGS: Field = f("warnings", "Warnings");
/// A participant's display name.
pub const NAME: Field = f("name", "Name");
/// A participant's user id.
pub const USER_ID: Field = f("user_id", "User id");
/// internal | external | phone | unknown.
pub const KIND: Field = f("kind", "Kind");
/// An invitation answer (Quanshi `attendList`).
pub const INVITATION: Field = f("invitation", "Invitation");
/// The device.
pub const DEVICE: Field = f("device", "Device");
/// The IP address.
pub const IP: Field = f("ip", "IP address");
/// The city.
pub const CITY: Field = f("city", "City");
/// The network type.
pub const NETWORK: Field = f("network", "Network");
/// Joined.
pub const JOIN: Field = f("join", "Join");
/// Left.
pub const LEAVE: Field = f("leave", "Leave");
/// A phone number.
pub const NUMBER: Field = f("number", "Number");
/// outbound | inbound | unknown.
pub const DIRECTION: Field = f("direction", "Direction");
/// A call's exact cost (with [`CURRENCY`]).
pub const COST: Field = f("cost", "Cost");
