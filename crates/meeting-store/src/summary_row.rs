//! The `summaries` table: one row per meeting key, the [`MeetingSummary`] of its merged
//! record as columns (booked rooms and phone cost packed as small JSON arrays), with what
//! the archive itself needs beside it (the profile and fetch time of its newest
//! observation, the hash of its merged content, the meeting number and occurrence id that
//! report stubs attach by, the scheduled end that Quanshi refreshes read).

use chrono::{DateTime, Utc};
use meeting_core::meeting_summary::{EventKind, RoomRef};
use meeting_core::{Meeting, MeetingSummary, Money, Vendor};
use rusqlite::{Connection, Row, params};

use crate::codec::enum_text;
use crate::codec::{exact_time_text as time_text, parse_time};
use crate::error::{Result, StoreError};

/// The columns read back, in this order, by [`read_row`].
pub(crate) const COLUMNS: &str = "key, vendor, profile, fetched_at, rules_version, record_profile,
    status, report, observed_at, start_at, end_at, effective_start, scheduled_end,
    meeting_number, occurrence_id, room_id, room_name, room_email, has_room, host_id,
    host_name, host_email, has_host, event_id, event_kind, measured_seconds, billed_minutes,
    attendees, attendee_seconds, invitees, phone_calls, phone_minutes, phone_cost,
    booked_rooms";

/// The columns room identity and the report stubs read (`crate::SummaryFields::Identity`),
/// in this order, by [`read_row`].
pub(crate) const IDENTITY_COLUMNS: &str = "key, vendor, rules_version, report, observed_at,
    meeting_number, occurrence_id, room_id, room_name, room_email, has_room, event_id,
    booked_rooms";

/// The table and its indexes (schema 4).
pub(crate) const CREATE: &str = r"
CREATE TABLE summaries (
    key              TEXT NOT NULL,
    vendor           TEXT NOT NULL,
    profile          TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    content_hash     BLOB NOT NULL,
    rules_version    INTEGER NOT NULL,
    record_profile   TEXT,
    status           TEXT NOT NULL,
    report           TEXT,
    observed_at      TEXT,
    start_at         TEXT,
    end_at           TEXT,
    effective_start  TEXT,
    scheduled_end    TEXT,
    meeting_number   TEXT,
    occurrence_id    TEXT,
    room_id          TEXT,
    room_name        TEXT,
    room_email       TEXT,
    has_room         INTEGER NOT NULL,
    host_id          TEXT,
    host_name        TEXT,
    host_email       TEXT,
    has_host         INTEGER NOT NULL,
    event_id         TEXT,
    event_kind       TEXT NOT NULL,
    measured_seconds INTEGER,
    billed_minutes   INTEGER,
    attendees        INTEGER NOT NULL,
    attendee_seconds INTEGER NOT NULL,
    invitees         INTEGER NOT NULL,
    phone_calls      INTEGER NOT NULL,
    phone_minutes    INTEGER NOT NULL,
    phone_cost       TEXT,
    booked_rooms     TEXT
);
CREATE UNIQUE INDEX summaries_key ON summaries (key);
CREATE INDEX summaries_order ON summaries ((effective_start IS NULL), effective_start, key);
";

/// A meeting's summary row as the archive keeps it: the [`MeetingSummary`] and what the
/// archive reads beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredSummary {
    /// The summary of the meeting's merged record.
    pub summary: MeetingSummary,
    /// The profile of its newest observation (ties: the greater name): what a query by
    /// profile selects on.
    pub profile: String,
    /// When its newest observation was fetched.
    pub fetched_at: DateTime<Utc>,
    /// The Systec meeting number (report stubs attach by it).
    pub meeting_number: Option<String>,
    /// The occurrence's id (a stub's request scope names it).
    pub occurrence_id: Option<String>,
    /// The scheduled end.
    pub scheduled_end: Option<DateTime<Utc>>,
}

fn u64_sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn opt_u64_sql(v: Option<u64>) -> Option<i64> {
    v.map(u64_sql)
}

/// The booked rooms packed: a JSON array of `[id, name]` pairs; `None` when there are none.
fn pack_rooms(rooms: &[RoomRef]) -> Option<String> {
    if rooms.is_empty() {
        return None;
    }
    let pairs: Vec<(&Option<String>, &Option<String>)> =
        rooms.iter().map(|r| (&r.id, &r.name)).collect();
    serde_json::to_string(&pairs).ok()
}

/// The phone cost packed: a JSON array of `[currency, micro-units, scale]` triples, the
/// amount as an exact integer of millionths with the scale it was written with (`12.50 CNY`
/// is `["CNY", 12500000, 2]`), so a reader sums integers and gives the amount back as
/// written; an amount with more than six decimals (or beyond `i64` millionths) is kept as
/// exact decimal text, `[currency, "amount"]` (the form of earlier rows, still read).
/// `None` when there is none.
fn pack_cost(cost: &[Money]) -> Option<String> {
    if cost.is_empty() {
        return None;
    }
    let items: Vec<serde_json::Value> = cost
        .iter()
        .map(|m| match micro_units(m.amount) {
            Some(micro) => serde_json::json!([m.currency, micro, m.amount.scale()]),
            None => serde_json::json!([m.currency, m.amount.to_string()]),
        })
        .collect();
    serde_json::to_string(&items).ok()
}

/// `amount` in exact millionths, when it has at most six decimals and fits.
fn micro_units(amount: rust_decimal::Decimal) -> Option<i64> {
    let scale = amount.scale();
    if scale > 6 {
        return None;
    }
    let factor = 10i128.checked_pow(6 - scale)?;
    amount
        .mantissa()
        .checked_mul(factor)
        .and_then(|m| i64::try_from(m).ok())
}

/// The amount of a packed cost item: `micro-units, scale` or exact decimal text.
fn unpack_amount(item: &[serde_json::Value]) -> Option<rust_decimal::Decimal> {
    match item {
        [
            serde_json::Value::Number(micro),
            serde_json::Value::Number(scale),
        ] => {
            let micro = micro.as_i64()?;
            let scale = u32::try_from(scale.as_u64()?).ok().filter(|s| *s <= 6)?;
            let mut amount = rust_decimal::Decimal::new(micro, 6);
            amount.rescale(scale);
            // Exact only if nothing was rounded away.
            (amount.mantissa() * 10i128.pow(6 - scale) == i128::from(micro)).then_some(amount)
        }
        [serde_json::Value::String(text)] => text.parse().ok(),
        _ => None,
    }
}

/// The text columns of [`RowValues`], in the order of its `spans`.
#[derive(Clone, Copy)]
enum Text {
    Key,
    Profile,
    Fetched,
    RecordProfile,
    Status,
    Report,
    Observed,
    Start,
    End,
    EffectiveStart,
    ScheduledEnd,
    MeetingNumber,
    OccurrenceId,
    RoomId,
    RoomName,
    RoomEmail,
    HostId,
    HostName,
    HostEmail,
    EventId,
    PhoneCost,
    BookedRooms,
}

/// How many [`Text`] columns there are.
const TEXTS: usize = Text::BookedRooms as usize + 1;

/// The values of a meeting's summary row, ready to bind: computed where the record is
/// prepared (any thread), written by the writer ([`RowValues::write`]).
///
/// The text columns are one buffer: a row is built on a parse thread and dropped on the
/// writer's, and the system allocator serialises frees of another thread's blocks on that
/// thread's arena lock (one block per row, not one per column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RowValues {
    /// The text columns' values, one after another.
    text: String,
    /// Where each [`Text`] column's value lies in `text`; `None` is NULL.
    spans: [Option<(u32, u32)>; TEXTS],
    vendor: &'static str,
    content_hash: [u8; 16],
    rules_version: i64,
    has_room: bool,
    has_host: bool,
    event_kind: &'static str,
    measured_seconds: Option<i64>,
    billed_minutes: Option<i64>,
    counts: [i64; 5],
}

impl RowValues {
    /// The row of `m`, the merged meeting of its key, whose newest observation was fetched
    /// under `profile` at `fetched`.
    pub(crate) fn of(
        m: &Meeting,
        persons: &meeting_core::Persons,
        profile: &str,
        fetched: &str,
        content_hash: &[u8; 16],
    ) -> RowValues {
        let s = MeetingSummary::from_meeting_and_persons(m, persons);
        let mut row = RowValues {
            text: String::with_capacity(512),
            spans: [None; TEXTS],
            vendor: s.vendor.name(),
            content_hash: *content_hash,
            rules_version: i64::from(s.rules_version),
            has_room: s.has_room,
            has_host: s.has_host,
            event_kind: s.event_kind.name(),
            measured_seconds: opt_u64_sql(s.measured_seconds),
            billed_minutes: opt_u64_sql(s.billed_minutes),
            counts: [
                u64_sql(s.attendees),
                u64_sql(s.attendee_seconds),
                u64_sql(s.invitees),
                u64_sql(s.phone_calls),
                u64_sql(s.phone_minutes),
            ],
        };
        let time = |t: Option<DateTime<Utc>>| t.map(time_text);
        row.set(Text::Key, Some(&s.key));
        row.set(Text::Profile, Some(profile));
        row.set(Text::Fetched, Some(fetched));
        row.set(Text::RecordProfile, s.profile.as_deref());
        row.set(Text::Status, enum_text(&s.status).as_deref());
        row.set(
            Text::Report,
            s.report.as_ref().and_then(enum_text).as_deref(),
        );
        row.set(Text::Observed, time(s.observed_at).as_deref());
        row.set(Text::Start, time(s.start).as_deref());
        row.set(Text::End, time(s.end).as_deref());
        row.set(Text::EffectiveStart, time(s.effective_start).as_deref());
        row.set(Text::ScheduledEnd, time(m.scheduled_end).as_deref());
        row.set(Text::MeetingNumber, m.meeting_number.as_deref());
        row.set(Text::OccurrenceId, m.occurrence_id.as_deref());
        row.set(Text::RoomId, s.room_id.as_deref());
        row.set(Text::RoomName, s.room_name.as_deref());
        row.set(Text::RoomEmail, s.room_email.as_deref());
        row.set(Text::HostId, s.host_id.as_deref());
        row.set(Text::HostName, s.host_name.as_deref());
        row.set(Text::HostEmail, s.host_email.as_deref());
        row.set(Text::EventId, s.event_id.as_deref());
        row.set(Text::PhoneCost, pack_cost(&s.phone_cost).as_deref());
        row.set(Text::BookedRooms, pack_rooms(&s.booked_rooms).as_deref());
        row
    }

    /// Appends `value` as the text column `column`.
    fn set(&mut self, column: Text, value: Option<&str>) {
        let span = value.and_then(|v| {
            let start = u32::try_from(self.text.len()).ok()?;
            self.text.push_str(v);
            Some((start, u32::try_from(self.text.len()).ok()?))
        });
        if let Some(slot) = self.spans.get_mut(column as usize) {
            *slot = span;
        }
    }

    /// The text column `column` (`None`: NULL).
    fn get(&self, column: Text) -> Option<&str> {
        let (start, end) = (*self.spans.get(column as usize)?)?;
        self.text.get(start as usize..end as usize)
    }

    /// The row's key, profile and fetch time, owned.
    pub(crate) fn identity(&self) -> (String, String, String) {
        let t = |column| self.get(column).unwrap_or_default().to_owned();
        (t(Text::Key), t(Text::Profile), t(Text::Fetched))
    }

    /// Attendees, attendee seconds, invitees, phone calls and phone minutes.
    #[cfg(test)]
    pub(crate) fn counts(&self) -> [i64; 5] {
        self.counts
    }

    /// The content hash the row was built with.
    pub(crate) fn content_hash(&self) -> &[u8; 16] {
        &self.content_hash
    }

    /// Writes (inserts or replaces) the row.
    pub(crate) fn write(&self, statements: &mut Statements<'_>) -> Result<()> {
        let t = |column| self.get(column);
        let [attendees, attendee_seconds, invitees, calls, minutes] = self.counts;
        statements
            .write
            .execute(params![
                t(Text::Key).unwrap_or_default(),
                self.vendor,
                t(Text::Profile).unwrap_or_default(),
                t(Text::Fetched).unwrap_or_default(),
                &self.content_hash[..],
                self.rules_version,
                t(Text::RecordProfile),
                t(Text::Status),
                t(Text::Report),
                t(Text::Observed),
                t(Text::Start),
                t(Text::End),
                t(Text::EffectiveStart),
                t(Text::ScheduledEnd),
                t(Text::MeetingNumber),
                t(Text::OccurrenceId),
                t(Text::RoomId),
                t(Text::RoomName),
                t(Text::RoomEmail),
                self.has_room,
                t(Text::HostId),
                t(Text::HostName),
                t(Text::HostEmail),
                self.has_host,
                t(Text::EventId),
                self.event_kind,
                self.measured_seconds,
                self.billed_minutes,
                attendees,
                attendee_seconds,
                invitees,
                calls,
                minutes,
                t(Text::PhoneCost),
                t(Text::BookedRooms),
            ])
            .map_err(|e| StoreError::sqlite("cannot store a summary row", e))?;
        Ok(())
    }
}

/// The statements that read and write summary rows, prepared once for the rows of a
/// commit (not looked up in the statement cache, by their text, for each row).
pub(crate) struct Statements<'c> {
    held: rusqlite::CachedStatement<'c>,
    write: rusqlite::CachedStatement<'c>,
}

impl<'c> Statements<'c> {
    /// The statements on `conn`.
    pub(crate) fn new(conn: &'c Connection) -> Result<Self> {
        let prepare = |sql: &str| {
            conn.prepare_cached(sql)
                .map_err(|e| StoreError::sqlite("cannot prepare the summary rows' statements", e))
        };
        Ok(Statements {
            held: prepare("SELECT content_hash FROM summaries WHERE key = ?1")?,
            write: prepare(
                "INSERT OR REPLACE INTO summaries (key, vendor, profile, fetched_at, content_hash,
                     rules_version, record_profile, status, report, observed_at, start_at, end_at,
                     effective_start, scheduled_end, meeting_number, occurrence_id, room_id,
                     room_name, room_email, has_room, host_id, host_name, host_email, has_host,
                     event_id, event_kind, measured_seconds, billed_minutes, attendees,
                     attendee_seconds, invitees, phone_calls, phone_minutes, phone_cost,
                     booked_rooms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
                     ?32, ?33, ?34, ?35)",
            )?,
        })
    }

    /// The content hash of the summary row of `key`, if any.
    pub(crate) fn held(&mut self, key: &str) -> Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension as _;
        self.held
            .query_row([key], |r| r.get(0))
            .optional()
            .map_err(|e| StoreError::sqlite("cannot read a summary row", e))
    }
}

/// Writes (inserts or replaces) the summary row of `m`, the merged meeting of its key.
pub(crate) fn write(
    statements: &mut Statements<'_>,
    m: &Meeting,
    profile: &str,
    fetched: &str,
    content_hash: &[u8; 16],
) -> Result<()> {
    RowValues::of(
        m,
        &meeting_core::Persons::of(m),
        profile,
        fetched,
        content_hash,
    )
    .write(statements)
}

/// Deletes the summary row of `key`.
pub(crate) fn delete(conn: &Connection, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM summaries WHERE key = ?1")
        .and_then(|mut s| s.execute([key]))
        .map_err(|e| StoreError::sqlite("cannot delete a summary row", e))?;
    Ok(())
}

/// A serde enum from its stored word (read as a unit variant, nothing allocated).
fn enum_of<T: serde::de::DeserializeOwned>(text: &str, key: &str) -> Result<T> {
    use serde::de::IntoDeserializer as _;
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
        text.into_deserializer();
    T::deserialize(de)
        .map_err(|e| StoreError::bad_record(format!("summary row of {key}: `{text}`: {e}")))
}

fn time_of(text: Option<&str>, key: &str) -> Result<Option<DateTime<Utc>>> {
    text.map(|t| stored_time(t, key)).transpose()
}

/// A summary column's instant: the fixed forms the rows are written in
/// (`2024-01-02T03:04:05.000000000Z`, [`time_text`]; the fetch time with six digits, as
/// `crate::codec::time_text`) read where their digits stand, anything else by
/// [`parse_time`] (which also gives the error).
fn stored_time(text: &str, key: &str) -> Result<DateTime<Utc>> {
    fixed_time(text.as_bytes())
        .map_or_else(|| parse_time(text, &format!("summary row of {key}")), Ok)
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (or six fractional digits), or `None` for any other
/// text.
fn fixed_time(b: &[u8]) -> Option<DateTime<Utc>> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
        b'.',
        f @ ..,
        b'Z',
    ] = b
    else {
        return None;
    };
    let digits = |ds: &[u8]| -> Option<u32> {
        ds.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let scale = match f.len() {
        9 => 1,
        6 => 1_000,
        _ => return None,
    };
    let year = i32::try_from(digits(&[*y0, *y1, *y2, *y3])?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, digits(&[*m0, *m1])?, digits(&[*d0, *d1])?)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(
        digits(&[*h0, *h1])?,
        digits(&[*n0, *n1])?,
        digits(&[*s0, *s1])?,
        digits(f)? * scale,
    )?;
    Some(date.and_time(time).and_utc())
}

/// The phone cost as written by [`pack_cost`] with integer amounts (`[["CNY",12500000,2]]`),
/// or `None` for another form (the exact-text items, rows of earlier builds).
fn unpack_cost_fast(text: &str) -> Option<Vec<Money>> {
    let items: Vec<(String, i64, u32)> = serde_json::from_str(text).ok()?;
    items
        .into_iter()
        .map(|(currency, micro, scale)| {
            let amount = unpack_amount(&[micro.into(), scale.into()])?;
            Some(Money { amount, currency })
        })
        .collect()
}

fn u64_of(v: Option<i64>) -> Option<u64> {
    v.map(|n| u64::try_from(n).unwrap_or(0))
}

/// The raw columns of one row ([`COLUMNS`]), borrowed from where they were read (a row of
/// the statement, or a [`SummaryBatch`]).
#[derive(Clone, Copy)]
pub(crate) struct RawRow<'r> {
    key: &'r str,
    vendor: &'r str,
    profile: &'r str,
    /// `None` when not read.
    fetched_at: Option<&'r str>,
    rules_version: i64,
    record_profile: Option<&'r str>,
    status: &'r str,
    report: Option<&'r str>,
    times: [Option<&'r str>; 5],
    meeting_number: Option<&'r str>,
    occurrence_id: Option<&'r str>,
    room: [Option<&'r str>; 3],
    has_room: bool,
    host: [Option<&'r str>; 3],
    has_host: bool,
    event_id: Option<&'r str>,
    /// `None` when not read (the key's kind, as [`MeetingSummary::empty`] gives it).
    event_kind: Option<&'r str>,
    measured_seconds: Option<i64>,
    billed_minutes: Option<i64>,
    counts: [i64; 5],
    phone_cost: Option<&'r str>,
    booked_rooms: Option<&'r str>,
}

impl RawRow<'_> {
    /// The key.
    pub(crate) fn key(&self) -> &str {
        self.key
    }
}

/// Where a row's columns are read from: a row of the statement, or a row of a
/// [`SummaryBatch`].
pub(crate) trait Cells<'r> {
    /// Column `i` as text, or `None` for NULL.
    fn text(&self, i: usize) -> rusqlite::Result<Option<&'r str>>;
    /// Column `i` as an integer, or `None` for NULL.
    fn int(&self, i: usize) -> rusqlite::Result<Option<i64>>;

    /// Column `i` as text; NULL is an error.
    fn text_not_null(&self, i: usize) -> rusqlite::Result<&'r str> {
        self.text(i)?.ok_or_else(|| null_column(i))
    }

    /// Column `i` as an integer; NULL is an error.
    fn int_not_null(&self, i: usize) -> rusqlite::Result<i64> {
        self.int(i)?.ok_or_else(|| null_column(i))
    }
}

fn null_column(i: usize) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(i, format!("column {i}"), rusqlite::types::Type::Null)
}

fn wrong_type(i: usize, found: rusqlite::types::Type) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(i, format!("column {i}"), found)
}

impl<'r> Cells<'r> for &'r Row<'_> {
    fn text(&self, i: usize) -> rusqlite::Result<Option<&'r str>> {
        match self.get_ref(i)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|e| rusqlite::Error::Utf8Error(i, e)),
            other => Err(wrong_type(i, other.data_type())),
        }
    }

    fn int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        match self.get_ref(i)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            rusqlite::types::ValueRef::Integer(n) => Ok(Some(n)),
            other => Err(wrong_type(i, other.data_type())),
        }
    }
}

/// Where each field of a [`RawRow`] is in a row read with some fields
/// ([`crate::SummaryFields`]), in [`COLUMNS`] order: its column, or `None` when it is not
/// read (the field is then as in [`MeetingSummary::empty`]).
type Layout = [Option<usize>; FIELDS];

/// [`IDENTITY_COLUMNS`]: key, vendor, rules version, report, observation time, meeting
/// number, occurrence id, room (three columns and `has_room`), event id, booked rooms.
#[rustfmt::skip]
const IDENTITY: Layout = [
    // key, vendor, profile, fetched_at, rules_version, record_profile, status, report
    Some(0), Some(1), None, None, Some(2), None, None, Some(3),
    // observed_at, start_at, end_at, effective_start, scheduled_end
    Some(4), None, None, None, None,
    // meeting_number, occurrence_id, room_id, room_name, room_email, has_room
    Some(5), Some(6), Some(7), Some(8), Some(9), Some(10),
    // host_id, host_name, host_email, has_host, event_id, event_kind
    None, None, None, None, Some(11), None,
    // measured_seconds, billed_minutes, the five counts, phone_cost, booked_rooms
    None, None, None, None, None, None, None, None, Some(12),
];

/// The field of the key (in [`COLUMNS`] order), read with any fields.
pub(crate) const KEY_FIELD: usize = 0;

/// The field of the rules version (in [`COLUMNS`] order), read with any fields.
pub(crate) const RULES_FIELD: usize = 4;

/// The column of field `field` (in [`COLUMNS`] order) in a row read with `fields`, or
/// `None` when it is not read.
pub(crate) fn column(fields: crate::SummaryFields, field: usize) -> Option<usize> {
    match fields {
        crate::SummaryFields::Identity => IDENTITY.get(field).copied().flatten(),
        _ => (field < FIELDS).then_some(field),
    }
}

/// The fields of a row, and the columns of [`COLUMNS`].
const FIELDS: usize = 34;

/// The columns of a row read with `fields`.
fn columns(fields: crate::SummaryFields) -> usize {
    (0..FIELDS).filter(|f| column(fields, *f).is_some()).count()
}

/// Reads a row of `fields` ([`COLUMNS`] or [`IDENTITY_COLUMNS`]); a field not read is as in
/// [`MeetingSummary::empty`] (status unknown, no times, host or figures).
pub(crate) fn read_row<'r>(
    r: &impl Cells<'r>,
    fields: crate::SummaryFields,
) -> rusqlite::Result<RawRow<'r>> {
    let column = |field: usize| column(fields, field);
    let text = |field: usize| column(field).map_or(Ok(None), |i| r.text(i));
    let text_or = |field: usize, absent: &'static str| {
        column(field).map_or(Ok(absent), |i| r.text_not_null(i))
    };
    let int = |field: usize| column(field).map_or(Ok(None), |i| r.int(i));
    let int_or = |field: usize| column(field).map_or(Ok(0), |i| r.int_not_null(i));
    Ok(RawRow {
        key: text_or(0, "")?,
        vendor: text_or(1, "")?,
        profile: text_or(2, "")?,
        fetched_at: column(3).map(|i| r.text_not_null(i)).transpose()?,
        rules_version: int_or(4)?,
        record_profile: text(5)?,
        status: text_or(6, "unknown")?,
        report: text(7)?,
        times: [text(8)?, text(9)?, text(10)?, text(11)?, text(12)?],
        meeting_number: text(13)?,
        occurrence_id: text(14)?,
        room: [text(15)?, text(16)?, text(17)?],
        has_room: int_or(18)? != 0,
        host: [text(19)?, text(20)?, text(21)?],
        has_host: int_or(22)? != 0,
        event_id: text(23)?,
        event_kind: column(24).map(|i| r.text_not_null(i)).transpose()?,
        measured_seconds: int(25)?,
        billed_minutes: int(26)?,
        counts: [
            int_or(27)?,
            int_or(28)?,
            int_or(29)?,
            int_or(30)?,
            int_or(31)?,
        ],
        phone_cost: text(32)?,
        booked_rooms: text(33)?,
    })
}

/// One cell of a [`SummaryBatch`].
#[derive(Clone, Copy, Debug)]
enum Cell {
    Null,
    Int(i64),
    /// A text: its bytes in the batch's text.
    Text(u32, u32),
}

/// Summary rows as read from the archive and not yet decoded: their cells, their texts in
/// one buffer (a few allocations per batch, not several per row), so that one thread reads
/// the rows and another decodes them ([`SummaryBatch::decode_each`]), each allocating and
/// freeing on its own. Rows of older rules are recomputed by the reader and carried
/// whole. From [`Archive::each_summary_batch`](crate::Archive::each_summary_batch).
#[derive(Debug)]
pub struct SummaryBatch {
    fields: crate::SummaryFields,
    columns: usize,
    /// The texts' bytes as SQLite handed them (checked for UTF-8 where they are decoded).
    text: Vec<u8>,
    cells: Vec<Cell>,
    /// Per row: `None` for a row of cells, or its index in `rebuilt`.
    rows: Vec<Option<usize>>,
    rebuilt: Vec<StoredSummary>,
}

/// A row of a [`SummaryBatch`].
struct BatchRow<'b> {
    text: &'b [u8],
    cells: &'b [Cell],
}

impl<'b> Cells<'b> for BatchRow<'b> {
    fn text(&self, i: usize) -> rusqlite::Result<Option<&'b str>> {
        match self.cells.get(i) {
            Some(Cell::Null) => Ok(None),
            Some(&Cell::Text(start, len)) => {
                let (start, len) = (start as usize, len as usize);
                let bytes = self
                    .text
                    .get(start..start + len)
                    .ok_or_else(|| wrong_type(i, rusqlite::types::Type::Text))?;
                std::str::from_utf8(bytes)
                    .map(Some)
                    .map_err(|e| rusqlite::Error::Utf8Error(i, e))
            }
            Some(Cell::Int(_)) => Err(wrong_type(i, rusqlite::types::Type::Integer)),
            None => Err(rusqlite::Error::InvalidColumnIndex(i)),
        }
    }

    fn int(&self, i: usize) -> rusqlite::Result<Option<i64>> {
        match self.cells.get(i) {
            Some(Cell::Null) => Ok(None),
            Some(&Cell::Int(n)) => Ok(Some(n)),
            Some(Cell::Text(..)) => Err(wrong_type(i, rusqlite::types::Type::Text)),
            None => Err(rusqlite::Error::InvalidColumnIndex(i)),
        }
    }
}

impl SummaryBatch {
    /// An empty batch of rows read with `fields`.
    pub(crate) fn new(fields: crate::SummaryFields, rows: usize) -> Self {
        let columns = columns(fields);
        SummaryBatch {
            fields,
            columns,
            text: Vec::with_capacity(rows * 256),
            cells: Vec::with_capacity(rows * columns),
            rows: Vec::with_capacity(rows),
            rebuilt: Vec::new(),
        }
    }

    /// Rows held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it holds no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Whether some row names an event (its `event_id`) and is not a report stub (as
    /// [`MeetingSummary::stub`] tells them: [`meeting_core::is_stub_key`]): what a reader deciding
    /// on a pass for events reads, without decoding the rows.
    #[must_use]
    pub fn has_events(&self) -> bool {
        let (key, event) = (column(self.fields, 0), column(self.fields, 23));
        let mut cells = self.cells.chunks_exact(self.columns);
        self.rows.iter().any(|row| match row {
            Some(i) => self
                .rebuilt
                .get(*i)
                .is_some_and(|s| !s.summary.stub && s.summary.event_id.is_some()),
            None => cells.next().is_some_and(|c| {
                // Read as stored, not decoded: most rows name no event, and a key's
                // prefix is ASCII.
                let text = |i: Option<usize>| match i.and_then(|i| c.get(i)) {
                    Some(&Cell::Text(start, len)) => {
                        let start = start as usize;
                        self.text.get(start..start + len as usize)
                    }
                    _ => None,
                };
                text(event).is_some()
                    && !text(key)
                        .is_some_and(|k| k.starts_with(meeting_core::STUB_KEY_PREFIX.as_bytes()))
            }),
        })
    }

    /// Appends the cells of a row of the current rules (its [`COLUMNS`] or
    /// [`IDENTITY_COLUMNS`], as the batch's fields say).
    pub(crate) fn push_row(&mut self, r: &Row<'_>) -> rusqlite::Result<()> {
        use rusqlite::types::ValueRef;
        for i in 0..self.columns {
            let cell = match r.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Text(t) => {
                    let too_long = || rusqlite::Error::InvalidColumnIndex(i);
                    let at = u32::try_from(self.text.len()).map_err(|_| too_long())?;
                    let len = u32::try_from(t.len()).map_err(|_| too_long())?;
                    self.text.extend_from_slice(t);
                    Cell::Text(at, len)
                }
                other => return Err(wrong_type(i, other.data_type())),
            };
            self.cells.push(cell);
        }
        self.rows.push(None);
        Ok(())
    }

    /// Appends a row recomputed whole (of older rules).
    pub(crate) fn push_rebuilt(&mut self, s: StoredSummary) {
        self.rows.push(Some(self.rebuilt.len()));
        self.rebuilt.push(s);
    }

    /// Decodes the rows in order, handing each to `each`.
    ///
    /// # Errors
    /// `BadRecord` for a row that does not decode; the first error of `each` (which stops).
    pub fn decode_each(self, each: &mut dyn FnMut(StoredSummary) -> Result<()>) -> Result<()> {
        let SummaryBatch {
            fields,
            columns,
            text,
            cells,
            rows,
            rebuilt,
        } = self;
        let mut rebuilt: Vec<Option<StoredSummary>> = rebuilt.into_iter().map(Some).collect();
        let mut next = 0;
        for row in rows {
            if let Some(i) = row {
                if let Some(s) = rebuilt.get_mut(i).and_then(Option::take) {
                    each(s)?;
                }
                continue;
            }
            let row = BatchRow {
                text: &text,
                cells: cells.get(next..next + columns).unwrap_or_default(),
            };
            next += columns;
            let raw = read_row(&row, fields)
                .map_err(|e| StoreError::sqlite("cannot read summary rows", e))?;
            each(decode(raw)?)?;
        }
        Ok(())
    }
}

/// Whether a row was built under the current rules ([`meeting_core::RULES_VERSION`]).
pub(crate) fn is_current(raw: &RawRow<'_>) -> bool {
    raw.rules_version == i64::from(meeting_core::RULES_VERSION)
}

/// The stored summary of a row of the current rules.
pub(crate) fn decode(raw: RawRow<'_>) -> Result<StoredSummary> {
    let key = raw.key.to_owned();
    let vendor: Vendor = enum_of(raw.vendor, &key)?;
    let status = enum_of(raw.status, &key)?;
    let report = raw.report.map(|r| enum_of(r, &key)).transpose()?;
    let [observed, start, end, effective, scheduled_end] = raw.times;
    let observed_at = time_of(observed, &key)?;
    let start = time_of(start, &key)?;
    let end = time_of(end, &key)?;
    let effective_start = time_of(effective, &key)?;
    let scheduled_end = time_of(scheduled_end, &key)?;
    let fetched_at = match raw.fetched_at {
        Some(text) => stored_time(text, &key)?,
        None => DateTime::UNIX_EPOCH,
    };
    let event_kind = raw
        .event_kind
        .map(|name| {
            EventKind::from_name(name).ok_or_else(|| {
                StoreError::bad_record(format!("summary row of {key}: unknown event kind `{name}`"))
            })
        })
        .transpose()?;
    let phone_cost = match raw.phone_cost {
        None => Vec::new(),
        Some(cost) => match unpack_cost_fast(cost) {
            Some(items) => items,
            None => unpack_cost(cost, &key)?,
        },
    };
    let booked_rooms = match raw.booked_rooms {
        None => Vec::new(),
        Some(rooms) => {
            let pairs: Vec<(Option<String>, Option<String>)> = serde_json::from_str(rooms)
                .map_err(|e| {
                    StoreError::bad_record(format!("summary row of {key}: booked rooms: {e}"))
                })?;
            pairs
                .into_iter()
                .map(|(id, name)| RoomRef::new(id, name))
                .collect()
        }
    };
    let mut s = MeetingSummary::empty(vendor, key);
    s.profile = raw.record_profile.map(str::to_owned);
    s.status = status;
    s.report = report;
    s.observed_at = observed_at;
    s.start = start;
    s.end = end;
    s.effective_start = effective_start;
    let [room_id, room_name, room_email] = raw.room.map(|t| t.map(str::to_owned));
    s.room_id = room_id;
    s.room_name = room_name;
    s.room_email = room_email;
    s.has_room = raw.has_room;
    let [host_id, host_name, host_email] = raw.host.map(|t| t.map(str::to_owned));
    s.host_id = host_id;
    s.host_name = host_name;
    s.host_email = host_email;
    s.has_host = raw.has_host;
    s.event_id = raw.event_id.map(str::to_owned);
    if let Some(kind) = event_kind {
        s.event_kind = kind;
    }
    s.measured_seconds = u64_of(raw.measured_seconds);
    s.billed_minutes = u64_of(raw.billed_minutes);
    let [attendees, attendee_seconds, invitees, calls, minutes] =
        raw.counts.map(|n| u64::try_from(n).unwrap_or(0));
    s.attendees = attendees;
    s.attendee_seconds = attendee_seconds;
    s.invitees = invitees;
    s.phone_calls = calls;
    s.phone_minutes = minutes;
    s.phone_cost = phone_cost;
    s.booked_rooms = booked_rooms;
    Ok(StoredSummary {
        summary: s,
        profile: raw.profile.to_owned(),
        fetched_at,
        meeting_number: raw.meeting_number.map(str::to_owned),
        occurrence_id: raw.occurrence_id.map(str::to_owned),
        scheduled_end,
    })
}

/// The phone cost in any form [`pack_cost`] wrote (see [`unpack_cost_fast`]).
fn unpack_cost(cost: &str, key: &str) -> Result<Vec<Money>> {
    let what = || format!("summary row of {key}: phone cost");
    let items: Vec<Vec<serde_json::Value>> = serde_json::from_str(cost)
        .map_err(|e| StoreError::bad_record(format!("{}: {e}", what())))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (Some(serde_json::Value::String(currency)), Some(amount)) =
            (item.first(), item.get(1..).and_then(unpack_amount))
        else {
            return Err(StoreError::bad_record(format!(
                "{}: not [currency, micro-units, scale] or [currency, amount]",
                what()
            )));
        };
        out.push(Money {
            amount,
            currency: currency.clone(),
        });
    }
    Ok(out)
}

/// The stored summary of `m`, the merged meeting of its key (for an outdated row, rebuilt
/// on read).
pub(crate) fn of_meeting(m: &Meeting, profile: &str, fetched: &str) -> Result<StoredSummary> {
    Ok(StoredSummary {
        summary: MeetingSummary::from_meeting(m),
        profile: profile.to_owned(),
        fetched_at: parse_time(fetched, &m.key)?,
        meeting_number: m.meeting_number.clone(),
        occurrence_id: m.occurrence_id.clone(),
        scheduled_end: m.scheduled_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fixed-width reading of a stored instant agrees with chrono's RFC 3339
        /// parser on every instant written in either stored form, and on any other text
        /// declines or agrees.
        #[test]
        fn stored_times_read_where_they_stand_as_chrono_reads_them(
            secs in -62_135_596_800i64..253_402_300_799i64,
            nanos in 0u32..1_000_000_000u32,
            cut in 0usize..32,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let micros = crate::codec::time_text(t);
            for text in [time_text(t), micros.clone()] {
                let fast = fixed_time(text.as_bytes());
                proptest::prop_assert!(fast.is_some(), "{text}");
                proptest::prop_assert_eq!(fast, parse_time(&text, "t").ok());
            }
            let mut bent = micros.into_bytes();
            if let Some(b) = bent.get_mut(cut) {
                *b = byte;
            }
            if let Some(fast) = fixed_time(&bent) {
                let text = String::from_utf8(bent).unwrap();
                proptest::prop_assert_eq!(Some(fast), parse_time(&text, "t").ok());
            }
        }
    }

    /// The integer form of a phone cost is read without `serde_json::Value`; the text form
    /// of earlier rows by the general reader; both the same as the general reader.
    #[test]
    fn phone_costs_read_fast_as_the_general_reader_reads_them() {
        let packed = r#"[["CNY",12500000,2],["USD",0,0],["EUR",-3000001,6]]"#;
        let fast = unpack_cost_fast(packed).unwrap();
        assert_eq!(fast, unpack_cost(packed, "k").unwrap());
        let text = r#"[["JPY","0.1234567"]]"#;
        assert!(unpack_cost_fast(text).is_none());
        assert_eq!(
            unpack_cost(text, "k").unwrap()[0].amount.to_string(),
            "0.1234567"
        );
        assert!(unpack_cost_fast(r#"[["CNY",1234567,0]]"#).is_none());
        assert!(unpack_cost("[1]", "k").is_err());
    }

    /// Costs are packed as exact integer millionths with their scale, and read back as
    /// written (scale included); more than six decimals stay exact decimal text; the text
    /// form of earlier rows is still read.
    #[test]
    fn phone_cost_is_exact_integer_micro_units_with_currency() {
        let money = |a: &str, c: &str| Money {
            amount: a.parse().unwrap(),
            currency: c.into(),
        };
        let cost = vec![
            money("12.50", "CNY"),
            money("0", "USD"),
            money("-3.000001", "EUR"),
            money("0.1234567", "JPY"),
        ];
        let packed = pack_cost(&cost).unwrap();
        assert_eq!(
            packed,
            r#"[["CNY",12500000,2],["USD",0,0],["EUR",-3000001,6],["JPY","0.1234567"]]"#
        );
        let items: Vec<Vec<serde_json::Value>> = serde_json::from_str(&packed).unwrap();
        let back: Vec<String> = items
            .iter()
            .map(|i| unpack_amount(&i[1..]).unwrap().to_string())
            .collect();
        assert_eq!(back, ["12.50", "0", "-3.000001", "0.1234567"]);
        assert_eq!(
            unpack_amount(&[serde_json::json!("7.25")])
                .unwrap()
                .to_string(),
            "7.25"
        );
        assert!(unpack_amount(&[serde_json::json!(1), serde_json::json!(9)]).is_none());
        assert!(unpack_amount(&[serde_json::json!(1_234_567), serde_json::json!(0)]).is_none());
    }
}
