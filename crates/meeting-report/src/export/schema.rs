//! The exported tables: every column, its type, and the neutral field it comes from.
//!
//! [`TABLES`] is the one definition: the Parquet schema, the JSON Lines and CSV headers, the
//! `_meeting_export.json` description and the docs are all read from it. Every neutral field
//! is either a column's source ([`Column::from`]) or listed in [`EXCLUDED`] with the reason;
//! a test walks the neutral JSON Schema (`meeting_core::json_schema`) and fails on a field
//! that is neither.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::aggregate::{GroupBy, minutes_of};
use meeting_core::meeting_summary::{attendance, person_keys, unlisted_attendees};
use meeting_core::query::{participant_count, sort_time};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{ExportError, ExportErrorKind};
use crate::fields as fd;

/// The type of an exported column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnType {
    /// UTF-8 text (Parquet `STRING`).
    String,
    /// A signed 64-bit integer (Parquet `INT64`): counts, seconds, minutes.
    Int64,
    /// A boolean.
    Boolean,
    /// An instant in UTC, microseconds (Parquet `TIMESTAMP(MICROS, isAdjustedToUTC=true)`;
    /// RFC 3339 `...Z` text in JSON Lines and CSV).
    Timestamp,
    /// Money: `DECIMAL(18,6)`, exact (a JSON number or CSV number with six decimals).
    Decimal,
    /// A JSON document as text (Parquet `STRING`): nested vendor data and lists.
    Json,
}

impl ColumnType {
    /// The name written in `_meeting_export.json` and the docs (`string`, `int64`,
    /// `boolean`, `timestamp[us, UTC]`, `decimal(18,6)`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Int64 => "int64",
            ColumnType::Boolean => "boolean",
            ColumnType::Timestamp => "timestamp[us, UTC]",
            ColumnType::Decimal => "decimal(18,6)",
            ColumnType::Json => "json",
        }
    }
}

/// Precision of exported money: `DECIMAL(18, 6)`.
pub const DECIMAL_PRECISION: u8 = 18;
/// Scale of exported money: six decimals.
pub const DECIMAL_SCALE: i8 = 6;

/// One exported column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Column {
    /// Its name (snake_case, stable).
    pub name: &'static str,
    /// Its type.
    #[serde(rename = "type", serialize_with = "type_name")]
    pub ty: ColumnType,
    /// Whether it may be null.
    pub nullable: bool,
    /// The neutral fields it is made from (paths like `host.id`, `participants[].join`);
    /// empty for columns derived from several fields (see [`Column::doc`]).
    pub from: &'static [&'static str],
    /// What it holds.
    pub doc: &'static str,
}

fn type_name<S: serde::Serializer>(ty: &ColumnType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(ty.name())
}

/// One exported table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Table {
    /// Its name: its directory under the export root.
    pub name: &'static str,
    /// What one row is.
    pub doc: &'static str,
    /// Its columns, in file order (the partition columns `vendor` and `month` are not in the
    /// files: they come from the directory names).
    pub columns: &'static [Column],
}

const fn col(
    name: &'static str,
    ty: ColumnType,
    nullable: bool,
    from: &'static [&'static str],
    doc: &'static str,
) -> Column {
    Column {
        name,
        ty,
        nullable,
        from,
        doc,
    }
}

use ColumnType::{Boolean as B, Decimal as D, Int64 as I, Json as J, String as S, Timestamp as T};

const KEY: Column = col(
    fd::KEY.id,
    S,
    false,
    &["key"],
    "The meeting's stable key: joins the tables",
);
const REPORT_MONTH: Column = col(
    "report_month",
    S,
    true,
    &[],
    "YYYY-MM of the meeting's start (else its scheduled start) in the export's report zone: the `month=` partition; null when the meeting has neither",
);
const ORDINAL: Column = col(
    "ordinal",
    I,
    false,
    &[],
    "The row's position in its meeting's list as the vendor sent it (0-based)",
);

/// The `meetings` table: one row per meeting (report stubs are annotations, not meetings, and
/// are not exported).
pub const MEETINGS: Table = Table {
    name: "meetings",
    doc: "One row per meeting occurrence or booking (report stubs are not meetings and are not exported)",
    columns: &[
        KEY,
        REPORT_MONTH,
        col(
            "schema_version",
            I,
            false,
            &["schema_version"],
            "The neutral schema version the row was made from",
        ),
        col(
            "sources",
            S,
            false,
            &["sources"],
            "The endpoints the record was built from, comma-separated, sorted (`systec.detail,systec.reports`)",
        ),
        col(
            "occurrence_id",
            S,
            true,
            &["occurrence_id"],
            "The vendor's id of this record",
        ),
        col(
            "meeting_number",
            S,
            true,
            &["meeting_number"],
            "What people type to join",
        ),
        col("event_id", S, true, &["event_id"], "Quanshi eventId"),
        col("topic", S, true, &["topic"], "The topic"),
        col("host_id", S, true, &["host.id"], "The host's id"),
        col("host_name", S, true, &["host.name"], "The host's name"),
        col("host_email", S, true, &["host.email"], "The host's e-mail"),
        col(
            "host_account_type",
            S,
            true,
            &["host.account_type"],
            "The vendor's raw account type word",
        ),
        col(
            fd::HOST.id,
            S,
            false,
            &[],
            "The host as `meeting stats --by host` groups it: name, else e-mail, else id, else `(unknown)`",
        ),
        col(
            "room_id",
            S,
            true,
            &["room.id"],
            "The Systec shared room's id (detail's host_id)",
        ),
        col(
            "room_name",
            S,
            true,
            &["room.name"],
            "The shared room's name",
        ),
        col(
            "room_email",
            S,
            true,
            &["room.email"],
            "The shared room's account mailbox",
        ),
        col(
            fd::ROOM.id,
            S,
            false,
            &[],
            "The room as `meeting stats --by room` groups it: the shared room's name (else id), else the booked rooms' names joined by `, `, else `(unknown)`",
        ),
        col(
            "status",
            S,
            false,
            &["status"],
            "scheduled | live | ended | cancelled | unknown",
        ),
        col(
            "scheduled_start",
            T,
            true,
            &["scheduled_start"],
            "Booked start",
        ),
        col("scheduled_end", T, true, &["scheduled_end"], "Booked end"),
        col(
            "scheduled_duration_seconds",
            I,
            true,
            &["scheduled_duration_seconds"],
            "Booked length in seconds",
        ),
        col("start", T, true, &["start"], "Actual start"),
        col("end", T, true, &["end"], "Actual end"),
        col(
            "duration_seconds",
            I,
            true,
            &["duration_seconds"],
            "Measured length (end - start) in seconds",
        ),
        col(
            "billed_minutes",
            I,
            true,
            &["billed_minutes"],
            "The vendor's own rounded minutes",
        ),
        col(
            "participant_count",
            I,
            true,
            &["participant_count"],
            "How many took part, as the vendor counts them",
        ),
        col(
            fd::PARTICIPANTS.id,
            I,
            false,
            &[],
            "The vendor's count or the listed rows, whichever is larger (participant rows, not persons: see `attendees`)",
        ),
        col(
            fd::MINUTES.id,
            I,
            true,
            &[],
            "Measured minutes: `duration_seconds` rounded half up. `meeting stats` minutes are the sum of these over the meetings it counts",
        ),
        col(
            fd::ATTENDEES.id,
            I,
            false,
            &[],
            "Distinct persons as `meeting stats` counts them: the distinct `person_key` of the meeting's attendance rows plus `unlisted_attendees`",
        ),
        col(
            "unlisted_attendees",
            I,
            false,
            &[],
            "Attendees no participant row stands for: the vendor's count beyond the persons its rows name (a count without rows, as Quanshi gives; a truncated report)",
        ),
        col(
            "attendee_seconds",
            I,
            false,
            &[],
            "Attendance in seconds: each person's join-leave intervals united, summed over persons",
        ),
        col(
            "attendee_minutes",
            I,
            false,
            &[],
            "`attendee_seconds` rounded half up: `meeting stats` attendee minutes are the sum of these",
        ),
        col(
            "participant_rows",
            I,
            false,
            &[],
            "Rows of this meeting in the participants table",
        ),
        col(
            fd::PHONE_CALLS.id,
            I,
            false,
            &[],
            "Rows of this meeting in the phone_calls table",
        ),
        col(
            "booked_room_rows",
            I,
            false,
            &[],
            "Rows of this meeting in the rooms table",
        ),
        col("feature_voip", B, true, &["features.voip"], "VoIP used"),
        col(
            "feature_pstn",
            B,
            true,
            &["features.pstn"],
            "Telephone used",
        ),
        col("feature_video", B, true, &["features.video"], "Video used"),
        col(
            "feature_screen_share",
            B,
            true,
            &["features.screen_share"],
            "Screen sharing used",
        ),
        col(
            "feature_recording",
            B,
            true,
            &["features.recording"],
            "Recorded",
        ),
        col(
            "feature_third_party_audio",
            B,
            true,
            &["features.third_party_audio"],
            "Third-party audio used",
        ),
        col(
            "feature_secure",
            B,
            true,
            &["features.secure"],
            "Secure meeting",
        ),
        col(
            "connections_voip",
            I,
            true,
            &["connections.voip"],
            "VoIP connections",
        ),
        col(
            "connections_pstn",
            I,
            true,
            &["connections.pstn"],
            "Telephone connections",
        ),
        col(
            "connections_video",
            I,
            true,
            &["connections.video"],
            "Video connections",
        ),
        col(
            "connections_screen_share",
            I,
            true,
            &["connections.screen_share"],
            "Screen-share connections",
        ),
        col(
            "connections_hardware",
            I,
            true,
            &["connections.hardware"],
            "Hardware endpoint connections",
        ),
        col(
            "connections_box",
            I,
            true,
            &["connections.box"],
            "Box connections",
        ),
        col(
            "report",
            S,
            true,
            &["report"],
            "Systec: full | none (the vendor has no report) | not_fetched; null for Quanshi",
        ),
        col(
            "profile",
            S,
            true,
            &["profile"],
            "The configuration profile (vendor account) the record was synced under",
        ),
        col(
            "observed_at",
            J,
            true,
            &["observed_at"],
            "When each source was fetched, as a JSON object of RFC 3339 times keyed by source; null when not known",
        ),
        col(
            "warnings",
            J,
            true,
            &["warnings"],
            "What the data says is incomplete, as a JSON array of strings; null when none",
        ),
        col(
            "vendor_extra",
            J,
            true,
            &["vendor_extra"],
            "Every vendor field not mapped, verbatim, as a JSON object keyed by source; null when none",
        ),
    ],
};

/// The `participants` table: one row per participant row the vendor sent.
pub const PARTICIPANTS: Table = Table {
    name: "participants",
    doc: "One row per participant row as the vendor sent it (a rejoin is a second row)",
    columns: &[
        KEY,
        REPORT_MONTH,
        ORDINAL,
        col(
            "participant_id",
            S,
            true,
            &["participants[].id"],
            "The vendor's participant id",
        ),
        col(
            "user_id",
            S,
            true,
            &["participants[].user_id"],
            "The user id",
        ),
        col(
            "name",
            S,
            true,
            &["participants[].name"],
            "The display name",
        ),
        col("device", S, true, &["participants[].device"], "The device"),
        col("ip", S, true, &["participants[].ip"], "The IP address"),
        col("country", S, true, &["participants[].country"], "Country"),
        col("city", S, true, &["participants[].city"], "City"),
        col(
            "network",
            S,
            true,
            &["participants[].network"],
            "Network type",
        ),
        col("join", T, true, &["participants[].join"], "Joined"),
        col("leave", T, true, &["participants[].leave"], "Left"),
        col(
            "duration_seconds",
            I,
            true,
            &["participants[].duration_seconds"],
            "Seconds in the meeting",
        ),
        col(
            "kind",
            S,
            false,
            &["participants[].kind"],
            "internal | external | phone | unknown",
        ),
        col(
            "invitation",
            S,
            true,
            &["participants[].invitation"],
            "confirmed | accepted | rejected | unknown",
        ),
        col(
            "is_invitation",
            B,
            false,
            &[],
            "Whether the row is an invitation (Quanshi `attendList`: it has an `invitation` answer), not attendance; invitations are never attendees",
        ),
        col(
            "person_key",
            S,
            true,
            &[],
            "The person the row is, as `meeting stats` tells attendees apart: `id:<user id>`, else `name:<trimmed name>`, else `row:<ordinal>`; pseudonymised with the names when personal data is masked. Null for an invitation, and for a row without a user id in a Systec meeting with a full report (its count stands for those). `count(distinct (key, person_key))` over the rows plus the sum of the meetings' `unlisted_attendees` is `meeting stats`' attendees",
        ),
    ],
};

/// The `phone_calls` table: one row per phone call, with its exact cost.
pub const PHONE_CALLS: Table = Table {
    name: "phone_calls",
    doc: "One row per phone call, with its exact cost",
    columns: &[
        KEY,
        REPORT_MONTH,
        ORDINAL,
        col(
            "number",
            S,
            true,
            &["phone_calls[].number"],
            "The phone number",
        ),
        col(
            "direction",
            S,
            true,
            &["phone_calls[].direction"],
            "outbound | inbound | unknown",
        ),
        col("start", T, true, &["phone_calls[].start"], "Call start"),
        col("end", T, true, &["phone_calls[].end"], "Call end"),
        col(
            "duration_seconds",
            I,
            true,
            &["phone_calls[].duration_seconds"],
            "Call length in seconds",
        ),
        col(
            "billed_minutes",
            I,
            true,
            &["phone_calls[].billed_minutes"],
            "The vendor's billed minutes",
        ),
        col(
            "cost",
            D,
            true,
            &["phone_calls[].cost.amount"],
            "The exact cost, DECIMAL(18,6)",
        ),
        col(
            "currency",
            S,
            true,
            &["phone_calls[].cost.currency"],
            "The cost's currency (ISO 4217, `CNY`)",
        ),
    ],
};

/// The `rooms` table: one row per booked meeting room (Quanshi).
pub const ROOMS: Table = Table {
    name: "rooms",
    doc: "One row per booked meeting room (Quanshi); a booking of several rooms has several rows",
    columns: &[
        KEY,
        REPORT_MONTH,
        ORDINAL,
        col(
            "room_id",
            S,
            true,
            &["rooms[].id"],
            "The room's id (DeviceId)",
        ),
        col("name", S, true, &["rooms[].name"], "The room's name"),
        col("city", S, true, &["rooms[].city"], "City"),
        col("address", S, true, &["rooms[].address"], "Address"),
        col("floor", S, true, &["rooms[].floor"], "Floor"),
        col(
            "role",
            S,
            true,
            &["rooms[].role"],
            "main | branch | unspecified | unknown",
        ),
        col(
            "approval",
            S,
            true,
            &["rooms[].approval"],
            "pending | rejected | approved | cancelled | unknown",
        ),
        col(
            "devices",
            J,
            true,
            &["rooms[].devices"],
            "The room's devices as a JSON array of {id, name}; null when none",
        ),
    ],
};

/// Every exported table, in the order they are written.
pub const TABLES: [Table; 4] = [MEETINGS, PARTICIPANTS, PHONE_CALLS, ROOMS];

/// Neutral fields deliberately not exported as a column, with the reason.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "vendor",
        "the `vendor=` partition directory (a column of the same name in the files would clash with it in Spark and DuckDB)",
    ),
    (
        "participants",
        "the participants table (the list itself), joined by key",
    ),
    (
        "phone_calls",
        "the phone_calls table (the list itself), joined by key",
    ),
    ("rooms", "the rooms table (the list itself), joined by key"),
    ("host", "flattened into host_* columns"),
    ("room", "flattened into room_* columns"),
    ("features", "flattened into feature_* columns"),
    ("connections", "flattened into connections_* columns"),
    ("phone_calls[].cost", "split into cost and currency"),
];

/// One cell of a row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Null,
    Str(String),
    Int(i64),
    Bool(bool),
    Ts(DateTime<Utc>),
    /// Money scaled by 10^6 (DECIMAL(18,6)).
    Dec(i128),
}

/// The rows of one meeting, one list per table of [`TABLES`].
pub(crate) struct MeetingRows {
    pub(crate) tables: [Vec<Vec<Cell>>; 4],
}

/// The `month=` partition of a meeting: `YYYY-MM` of its start (else scheduled start) in
/// `zone`; `None` when it has neither.
pub fn report_month(m: &Meeting, zone: Tz) -> Option<String> {
    sort_time(m).map(|t| t.with_timezone(&zone).format("%Y-%m").to_string())
}

fn s(v: Option<&String>) -> Cell {
    v.map_or(Cell::Null, |v| Cell::Str(v.clone()))
}

fn word<T: Serialize>(v: &T) -> Cell {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(w)) => Cell::Str(w),
        _ => Cell::Null,
    }
}

fn ts(t: Option<DateTime<Utc>>) -> Cell {
    t.map_or(Cell::Null, Cell::Ts)
}

fn b(v: Option<bool>) -> Cell {
    v.map_or(Cell::Null, Cell::Bool)
}

fn json<T: Serialize>(v: &T) -> Cell {
    serde_json::to_string(v).map_or(Cell::Null, Cell::Str)
}

/// Rows of a meeting: the conversion errors name the meeting and the field.
pub(crate) struct Converter<'a> {
    key: &'a str,
}

impl Converter<'_> {
    fn int(&self, field: &str, v: Option<u64>) -> Result<Cell, ExportError> {
        match v {
            None => Ok(Cell::Null),
            Some(v) => i64::try_from(v).map(Cell::Int).map_err(|_| {
                ExportError::new(ExportErrorKind::Overflow {
                    key: self.key.to_owned(),
                    field: field.to_owned(),
                    value: v.to_string(),
                    expected: "a 64-bit signed integer".to_owned(),
                })
            }),
        }
    }

    fn count(&self, field: &str, n: usize) -> Result<Cell, ExportError> {
        self.int(field, Some(n as u64))
    }

    fn money(&self, field: &str, amount: Decimal) -> Result<Cell, ExportError> {
        decimal_scaled(amount).map(Cell::Dec).ok_or_else(|| {
            ExportError::new(ExportErrorKind::Overflow {
                key: self.key.to_owned(),
                field: field.to_owned(),
                value: amount.to_string(),
                expected: "DECIMAL(18,6): at most 12 digits before the point and 6 after"
                    .to_owned(),
            })
        })
    }
}

/// `amount` scaled by 10^6 when it fits DECIMAL(18,6) exactly (at most 12 integer digits and
/// 6 decimals; trailing zeros do not count), else `None`: money is never rounded.
pub fn decimal_scaled(amount: Decimal) -> Option<i128> {
    let n = amount.normalize();
    let scale = n.scale();
    if scale > 6 {
        return None;
    }
    let factor = 10i128.checked_pow(6 - scale)?;
    let v = n.mantissa().checked_mul(factor)?;
    (v.unsigned_abs() < 10u128.pow(18)).then_some(v)
}

/// Converts one meeting into its rows of every table.
pub(crate) fn meeting_rows(m: &Meeting, zone: Tz) -> Result<MeetingRows, ExportError> {
    let c = Converter { key: &m.key };
    let key = Cell::Str(m.key.clone());
    let month = report_month(m, zone).map_or(Cell::Null, Cell::Str);
    let host = m.host.as_ref();
    let room = m.room.as_ref();
    let f = &m.features;
    let conn = m.connections.unwrap_or_default();
    let sources: Vec<&str> = m.sources.iter().map(|s| s.source_name()).collect();
    let (attendees, attendee_seconds) = attendance(m);
    let persons = person_keys(m);
    let meeting = vec![
        key.clone(),
        month.clone(),
        Cell::Int(i64::from(m.schema_version)),
        Cell::Str(sources.join(",")),
        s(m.occurrence_id.as_ref()),
        s(m.meeting_number.as_ref()),
        s(m.event_id.as_ref()),
        s(m.topic.as_ref()),
        s(host.and_then(|h| h.id.as_ref())),
        s(host.and_then(|h| h.name.as_ref())),
        s(host.and_then(|h| h.email.as_ref())),
        s(host.and_then(|h| h.account_type.as_ref())),
        Cell::Str(GroupBy::Host.group_of(m, zone)),
        s(room.and_then(|r| r.id.as_ref())),
        s(room.and_then(|r| r.name.as_ref())),
        s(room.and_then(|r| r.email.as_ref())),
        Cell::Str(GroupBy::Room.group_of(m, zone)),
        word(&m.status),
        ts(m.scheduled_start),
        ts(m.scheduled_end),
        c.int("scheduled_duration_seconds", m.scheduled_duration_seconds)?,
        ts(m.start),
        ts(m.end),
        c.int("duration_seconds", m.duration_seconds)?,
        c.int("billed_minutes", m.billed_minutes)?,
        c.int("participant_count", m.participant_count)?,
        c.int(fd::PARTICIPANTS.id, Some(participant_count(m)))?,
        c.int("minutes", m.duration_seconds.map(minutes_of))?,
        c.int("attendees", Some(attendees))?,
        c.int("unlisted_attendees", Some(unlisted_attendees(m)))?,
        c.int("attendee_seconds", Some(attendee_seconds))?,
        c.int("attendee_minutes", Some(minutes_of(attendee_seconds)))?,
        c.count("participant_rows", m.participants.len())?,
        c.count(fd::PHONE_CALLS.id, m.phone_calls.len())?,
        c.count("booked_room_rows", m.rooms.len())?,
        b(f.voip),
        b(f.pstn),
        b(f.video),
        b(f.screen_share),
        b(f.recording),
        b(f.third_party_audio),
        b(f.secure),
        c.int("connections.voip", conn.voip)?,
        c.int("connections.pstn", conn.pstn)?,
        c.int("connections.video", conn.video)?,
        c.int("connections.screen_share", conn.screen_share)?,
        c.int("connections.hardware", conn.hardware)?,
        c.int("connections.box", conn.r#box)?,
        m.report.as_ref().map_or(Cell::Null, word),
        s(m.profile.as_ref()),
        if m.observed_at.is_empty() {
            Cell::Null
        } else {
            json(&m.observed_at)
        },
        if m.warnings.is_empty() {
            Cell::Null
        } else {
            json(&m.warnings)
        },
        if m.vendor_extra.is_empty() {
            Cell::Null
        } else {
            json(&m.vendor_extra)
        },
    ];
    let mut participants = Vec::with_capacity(m.participants.len());
    for ((i, p), person) in m.participants.iter().enumerate().zip(persons) {
        participants.push(vec![
            key.clone(),
            month.clone(),
            c.count("participants[].ordinal", i)?,
            s(p.id.as_ref()),
            s(p.user_id.as_ref()),
            s(p.name.as_ref()),
            s(p.device.as_ref()),
            s(p.ip.as_ref()),
            s(p.country.as_ref()),
            s(p.city.as_ref()),
            s(p.network.as_ref()),
            ts(p.join),
            ts(p.leave),
            c.int(
                &format!("participants[{i}].duration_seconds"),
                p.duration_seconds,
            )?,
            word(&p.kind),
            p.invitation.as_ref().map_or(Cell::Null, word),
            Cell::Bool(p.invitation.is_some()),
            person.map_or(Cell::Null, Cell::Str),
        ]);
    }
    let mut calls = Vec::with_capacity(m.phone_calls.len());
    for (i, call) in m.phone_calls.iter().enumerate() {
        let cost = match &call.cost {
            Some(money) => c.money(&format!("phone_calls[{i}].cost.amount"), money.amount)?,
            None => Cell::Null,
        };
        calls.push(vec![
            key.clone(),
            month.clone(),
            c.count("phone_calls[].ordinal", i)?,
            s(call.number.as_ref()),
            call.direction.as_ref().map_or(Cell::Null, word),
            ts(call.start),
            ts(call.end),
            c.int(
                &format!("phone_calls[{i}].duration_seconds"),
                call.duration_seconds,
            )?,
            c.int(
                &format!("phone_calls[{i}].billed_minutes"),
                call.billed_minutes,
            )?,
            cost,
            s(call.cost.as_ref().map(|m| &m.currency)),
        ]);
    }
    let mut rooms = Vec::with_capacity(m.rooms.len());
    for (i, r) in m.rooms.iter().enumerate() {
        rooms.push(vec![
            key.clone(),
            month.clone(),
            c.count("rooms[].ordinal", i)?,
            s(r.id.as_ref()),
            s(r.name.as_ref()),
            s(r.city.as_ref()),
            s(r.address.as_ref()),
            s(r.floor.as_ref()),
            r.role.as_ref().map_or(Cell::Null, word),
            r.approval.as_ref().map_or(Cell::Null, word),
            if r.devices.is_empty() {
                Cell::Null
            } else {
                json(&r.devices)
            },
        ]);
    }
    Ok(MeetingRows {
        tables: [vec![meeting], participants, calls, rooms],
    })
}
