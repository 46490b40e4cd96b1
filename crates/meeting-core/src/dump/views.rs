//! The Systec answers' borrowed views, dispatched in one place ([`systec_views`]), and the
//! neutral JSON written straight from a view ([`write_meeting`]): the same bytes
//! `serde_json` writes for the [`Meeting`] the owned path builds, strings copied as they are
//! unless they hold `"`, `\` or a control byte, times written from a table of digit pairs.
//! The owned fast path, the JSON Lines writer of `parse` ([`super::line`]) and the reader of
//! records with their JSON ([`ChunkReader::with_json`](super::ChunkReader::with_json)) go
//! through it.

use std::io::Write as _;

use chrono::{DateTime, Datelike, Timelike, Utc};

use super::DumpOptions;
use super::scan::SegmentKind;
use super::sniff::{self, Sniffed};
use crate::meeting_summary::{PersonRow, Persons};
use crate::normalize::DayCache;
use crate::normalize::borrowed::MeetingRef;
use crate::{CallDirection, Context, Meeting, Source, Status};

/// A meeting's neutral JSON, written by the borrowed path as it read the meeting
/// ([`ChunkReader::next_with_json`]): the bytes `serde_json` writes for that [`Meeting`]
/// (no newline), so a caller that needs them (the archive stores each record's JSON) does
/// not serialise the meeting again, and the persons of its participant rows
/// ([`MeetingJson::persons`]), which the meeting handed out with it does not have.
///
/// [`ChunkReader::next_with_json`]: super::ChunkReader::next_with_json
#[derive(Clone, PartialEq, Eq)]
pub struct MeetingJson {
    bytes: Vec<u8>,
    head: usize,
    persons: Persons,
}

impl MeetingJson {
    /// The JSON object.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The JSON object, owned.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The length of its head: every member before [`Meeting`]'s last four (`report`,
    /// `profile`, `observed_at` and `vendor_extra`, in that order), without a closing
    /// brace. What follows the head is those of them the meeting has (a meeting read from a
    /// vendor answer has at most `vendor_extra`), and the closing brace.
    #[must_use]
    pub fn head_len(&self) -> usize {
        self.head
    }

    /// The persons of the meeting's participant rows, counted as they were read. The
    /// meeting handed out with this JSON has **no participant rows**: they are in the JSON
    /// only, and its summary is [`MeetingSummary::from_meeting_and_persons`] with these.
    ///
    /// [`MeetingSummary::from_meeting_and_persons`]: crate::MeetingSummary::from_meeting_and_persons
    #[must_use]
    pub fn persons(&self) -> &Persons {
        &self.persons
    }
}

impl std::fmt::Debug for MeetingJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingJson")
            .field("bytes", &self.bytes.len())
            .field("head", &self.head)
            .finish()
    }
}

/// The meetings of a Systec success answer of `source`, pushed onto `meetings`, each with
/// its JSON pushed onto `jsons` ([`MeetingJson`]; `None` for a report stub); `false`, with
/// nothing pushed, as [`systec_views`]. `scratch` is reused between calls.
pub(super) fn systec_meetings_with_json(
    source: Source,
    bytes: &[u8],
    ctx: &Context,
    cache: &mut DayCache,
    scratch: &mut Vec<u8>,
    (meetings, jsons): (&mut Vec<Meeting>, &mut Vec<Option<MeetingJson>>),
) -> bool {
    let first = meetings.len();
    systec_views(source, bytes, ctx, cache, &mut |mut m, n| {
        if meetings.len() == first {
            meetings.reserve(n);
            jsons.reserve(n);
        }
        let json = (!m.is_stub()).then(|| {
            scratch.clear();
            let head = write_meeting(&m, scratch);
            // The rows are in the JSON and counted here; the owned meeting goes without
            // them (eight strings a row, and what a summary reads of them is this count).
            let persons = Persons::of_rows(
                m.participants.iter().map(|p| PersonRow {
                    user_id: p.user_id.as_deref(),
                    name: p.name.as_deref(),
                    join: p.join,
                    leave: p.leave,
                    invitation: false,
                }),
                m.participants.len(),
            );
            m.participants = Vec::new();
            MeetingJson {
                bytes: scratch.clone(),
                head,
                persons,
            }
        });
        jsons.push(json);
        meetings.push(m.into_meeting());
    })
}

/// The source of a document the borrowed views may take whole (a vendor answer of a
/// detected or forced endpoint, read without a filter), or `None` for anything else: the
/// one condition of the line writer's fast path and of [`ChunkReader`]'s records with
/// their JSON (they then call [`systec_views`]).
///
/// [`ChunkReader`]: super::ChunkReader
pub(super) fn view_source(
    kind: SegmentKind,
    bytes: &[u8],
    options: &DumpOptions,
) -> Option<Source> {
    if kind != SegmentKind::Document || options.keep.is_some() || !options.borrowed_fast_path {
        return None;
    }
    match sniff::sniff(bytes) {
        Sniffed::Response { source, .. } => Some(options.endpoint.unwrap_or(source)),
        _ => None,
    }
}

/// Hands each record of a Systec success answer of `source` to `each` as its borrowed view,
/// in order, classified as of the context's observation time as [`classify`] does, with the
/// number of records in the answer (to reserve room for them); `false`, with nothing handed
/// over, for anything else (Quanshi, a failure answer, a document the views decline). The
/// owned fast path, the line writer and the reader of records with their JSON go through it.
///
/// [`classify`]: crate::normalize::classify
pub(super) fn systec_views<'a>(
    source: Source,
    bytes: &'a [u8],
    ctx: &Context,
    cache: &mut DayCache,
    each: &mut dyn FnMut(MeetingRef<'a>, usize),
) -> bool {
    use systec_model::envelope_data;
    let as_of = ctx.as_of();
    let mut emit = |mut m: MeetingRef<'a>, n: usize| {
        if let Some(at) = as_of
            && m.source == Source::SystecDetail
            && !m.is_stub()
        {
            m.status = crate::normalize::detail_status(m.start, m.end, at);
        }
        each(m, n);
    };
    match source {
        Source::SystecDetail => {
            let Some(page) = systec_model::scan::detail_page(bytes) else {
                return false;
            };
            let list = page.meetings.unwrap_or_default();
            let n = list.len();
            for d in list {
                emit(crate::normalize::detail_view(d, ctx, cache), n);
            }
        }
        Source::SystecReports => {
            let Some(list) = envelope_data::<Vec<systec_model::reports::ReportEntryRef<'_>>>(bytes)
            else {
                return false;
            };
            let n = list.len();
            for r in list {
                emit(crate::normalize::report_entry_view(r, ctx), n);
            }
        }
        Source::SystecHisMeeting => {
            let Some(list) = systec_model::scan::his_meetings(bytes) else {
                return false;
            };
            let n = list.len();
            for h in list {
                emit(crate::normalize::his_meeting_view(h, ctx), n);
            }
        }
        Source::QuanshiConference | Source::QuanshiDashboard => return false,
    }
    true
}
/// Writes `m` as its neutral JSON (without a newline): the bytes `serde_json` writes for
/// `m.into_meeting()`, field by field in [`Meeting`]'s order. Returns where its head ends
/// in `out` (see [`MeetingJson::head_len`]): a view has none of the members from `report`
/// on but `vendor_extra`.
pub(crate) fn write_meeting(m: &MeetingRef<'_>, out: &mut Vec<u8>) -> usize {
    out.extend_from_slice(b"{\"schema_version\":");
    num(out, u64::from(crate::SCHEMA_VERSION));
    out.extend_from_slice(b",\"vendor\":\"systec\",\"sources\":[\"");
    out.extend_from_slice(m.source.source_name().as_bytes());
    out.extend_from_slice(b"\"],\"key\":");
    if needs_escape(&m.key.id) {
        string(out, &format!("{}{}", m.key.prefix, m.key.id));
    } else {
        out.push(b'"');
        out.extend_from_slice(m.key.prefix.as_bytes());
        out.extend_from_slice(m.key.id.as_bytes());
        out.push(b'"');
    }
    let mut f = Fields::after_others(out);
    f.str("occurrence_id", m.occurrence_id.as_deref());
    f.str("meeting_number", m.meeting_number.as_deref());
    f.str("topic", m.topic.as_deref());
    if let Some(h) = &m.host {
        object(out, b",\"host\":", |f| {
            f.str("name", h.name.as_deref());
            f.str("email", h.email.as_deref());
            f.str("account_type", h.account_type.as_deref());
        });
    }
    if let Some(r) = &m.room {
        object(out, b",\"room\":", |f| {
            f.str("id", r.id.as_deref());
            f.str("name", r.name.as_deref());
            f.str("email", r.email.as_deref());
        });
    }
    out.extend_from_slice(b",\"status\":\"");
    out.extend_from_slice(status_word(m.status).as_bytes());
    out.push(b'"');
    let mut f = Fields::after_others(out);
    f.num("scheduled_duration_seconds", m.scheduled_duration_seconds);
    f.time("start", m.start);
    f.time("end", m.end);
    f.num("duration_seconds", m.duration_seconds);
    f.num("billed_minutes", m.billed_minutes);
    f.num("participant_count", m.participant_count);
    objects(out, b",\"participants\":[", &m.participants, |f, p| {
        f.str("id", p.id.as_deref());
        f.str("user_id", p.user_id.as_deref());
        f.str("name", p.name.as_deref());
        f.str("device", p.device.as_deref());
        f.str("ip", p.ip.as_deref());
        f.str("country", p.country.as_deref());
        f.str("city", p.city.as_deref());
        f.str("network", p.network.as_deref());
        f.time("join", p.join);
        f.time("leave", p.leave);
        f.num("duration_seconds", p.duration_seconds);
        f.key("kind");
        f.out.extend_from_slice(b"\"unknown\"");
    });
    objects(out, b",\"phone_calls\":[", &m.phone_calls, |f, c| {
        f.str("number", c.number.as_deref());
        if let Some(d) = c.direction {
            f.key("direction");
            f.out.extend_from_slice(match d {
                CallDirection::Outbound => b"\"outbound\"".as_slice(),
                CallDirection::Inbound => b"\"inbound\"",
                CallDirection::Unknown => b"\"unknown\"",
            });
        }
        f.time("start", c.start);
        f.time("end", c.end);
        f.num("duration_seconds", c.duration_seconds);
        f.num("billed_minutes", c.billed_minutes);
        if let Some(cost) = &c.cost {
            f.key("cost");
            // The amount as `Display` writes it (digits, `-` and `.`: nothing to escape).
            let _ = write!(f.out, "{{\"amount\":\"{}\",\"currency\":", cost.amount);
            string(f.out, &cost.currency);
            f.out.push(b'}');
        }
    });
    if !m.features.is_empty() {
        let x = &m.features;
        object(out, b",\"features\":", |f| {
            for (k, v) in [
                ("voip", x.voip),
                ("pstn", x.pstn),
                ("video", x.video),
                ("screen_share", x.screen_share),
                ("recording", x.recording),
                ("third_party_audio", x.third_party_audio),
                ("secure", x.secure),
            ] {
                if let Some(v) = v {
                    f.key(k);
                    f.out
                        .extend_from_slice(if v { b"true".as_slice() } else { b"false" });
                }
            }
        });
    }
    if !m.warnings.is_empty() {
        out.extend_from_slice(b",\"warnings\":[");
        for (i, w) in m.warnings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, w);
        }
        out.push(b']');
    }
    let head = out.len();
    if !m.extra.is_empty() {
        // Rare (fields the model does not map): serde_json writes the vendor's values.
        out.extend_from_slice(b",\"vendor_extra\":{\"");
        out.extend_from_slice(m.source.source_name().as_bytes());
        out.extend_from_slice(b"\":");
        let _ = serde_json::to_writer(&mut *out, &m.extra);
        out.push(b'}');
    }
    out.push(b'}');
    head
}

/// `items` as the array member `open` begins (`,"name":[`), each item an object whose
/// members `each` writes; nothing for no items.
fn objects<T>(
    out: &mut Vec<u8>,
    open: &[u8],
    items: &[T],
    mut each: impl FnMut(&mut Fields<'_>, &T),
) {
    if items.is_empty() {
        return;
    }
    out.extend_from_slice(open);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        object(out, b"", |f| each(f, item));
    }
    out.push(b']');
}

/// An object after `open` (`,"name":`, or nothing), its members written by `each`.
fn object(out: &mut Vec<u8>, open: &[u8], each: impl FnOnce(&mut Fields<'_>)) {
    out.extend_from_slice(open);
    out.push(b'{');
    each(&mut Fields::new(out));
    out.push(b'}');
}

/// The fields of one JSON object, comma-separated.
struct Fields<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Fields<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        Fields { out, first: true }
    }

    /// The fields of an object that already has members (each written after a comma).
    fn after_others(out: &'o mut Vec<u8>) -> Self {
        Fields { out, first: false }
    }

    fn key(&mut self, k: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn str(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.key(k);
            string(self.out, v);
        }
    }

    fn num(&mut self, k: &str, v: Option<u64>) {
        if let Some(v) = v {
            self.key(k);
            num(self.out, v);
        }
    }

    fn time(&mut self, k: &str, v: Option<DateTime<Utc>>) {
        if let Some(v) = v {
            self.key(k);
            time(self.out, v);
        }
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Scheduled => "scheduled",
        Status::Live => "live",
        Status::Ended => "ended",
        Status::Cancelled => "cancelled",
        Status::Unknown => "unknown",
    }
}

/// Whether `s` holds a byte JSON escapes (`"`, `\`, a control byte below 0x20).
fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

/// `s` as a JSON string: copied as it is, or escaped by `serde_json` when it must be.
fn string(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s) {
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// The two digits of every number below 100.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

fn pair(v: u32) -> [u8; 2] {
    let i = (v % 100) as usize * 2;
    match PAIRS.get(i..i + 2) {
        Some(&[a, b]) => [a, b],
        _ => *b"00",
    }
}

fn num(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        // A digit: `v % 10` is below 10.
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(at..).unwrap_or_default());
}

/// `"2018-05-08T02:32:34Z"`, as the model's `Serialize` writes it (sub-second instants and
/// years outside 0–9999 through it).
fn time(out: &mut Vec<u8>, t: DateTime<Utc>) {
    let n = t.naive_utc();
    let (date, clock) = (n.date(), n.time());
    let year = date.year();
    if clock.nanosecond() != 0 || !(0..=9999).contains(&year) {
        let _ = serde_json::to_writer(&mut *out, &t);
        return;
    }
    let year = year.unsigned_abs();
    let secs = clock.num_seconds_from_midnight();
    let [y0, y1] = pair(year / 100);
    let [y2, y3] = pair(year);
    let [mo0, mo1] = pair(date.month());
    let [d0, d1] = pair(date.day());
    let [h0, h1] = pair(secs / 3600);
    let [mi0, mi1] = pair(secs / 60 % 60);
    let [s0, s1] = pair(secs % 60);
    out.extend_from_slice(&[
        b'"', y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0,
        s1, b'Z', b'"',
    ]);
}
