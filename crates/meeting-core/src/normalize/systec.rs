//! Systec: `reports`, `detail`, `hisMeeting`.

use chrono::{DateTime, Utc};
use meeting_wire::{IdRef, Str};
use systec_model::detail::{DetailMeetingRef, DetailParticipantRef, TelephonyUsageRef};
use systec_model::his_meeting::HisMeetingRef;
use systec_model::reports::{ReportEntryRef, ReportParticipantRef, ReportRef, ReportStubRef};
use systec_model::{
    CallType, DetailMeeting, DetailPage, DetailParticipant, HisMeeting, LocalResolution, LocalTime,
    Report, ReportEntry, ReportParticipant, ReportStub, TelephonyUsage,
};

use std::borrow::Cow;

use super::borrowed::{HostRef, KeyRef, MeetingRef, ParticipantRef, PhoneCallRef, RoomRef};
use super::{ItemExtras, Normalize, clean_cow, id_cow, put, take_extra_view};
use crate::model::seconds_between;
use crate::{CallDirection, Context, ExtraFields, Features, Meeting, Money, Source, Status};

impl<T: Normalize> Normalize for systec_model::Envelope<T> {
    /// The envelope's `data`; envelope fields (`status`, `message`, extras such as a
    /// `request_id`) describe the response, not a meeting, and are not kept.
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        self.data.normalize_into(ctx, out);
    }
}

impl Normalize for ReportEntry {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(match self {
            ReportEntry::Report(r) => normalize_report(*r, ctx),
            ReportEntry::Stub(s) => normalize_report_stub(s),
        });
    }
}

impl Normalize for Report {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_report(self, ctx));
    }
}

impl Normalize for ReportStub {
    fn normalize_into(self, _ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_report_stub(self));
    }
}

impl Normalize for HisMeeting {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_his_meeting(self, ctx));
    }
}

impl Normalize for DetailPage {
    /// The page's meetings; page fields (`from`, `to`, paging) are not meeting fields and are
    /// not kept.
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        self.meetings.normalize_into(ctx, out);
    }
}

impl Normalize for DetailMeeting {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_detail_meeting(self, ctx));
    }
}

/// The key of a Systec record: `systec:<uuid>`, or, without a uuid, the stub key
/// `systec:stub:<meeting number>` (never merged).
fn systec_key<'a>(
    m: &mut MeetingRef<'a>,
    uuid: Option<&Cow<'a, str>>,
    number: Option<&Cow<'a, str>>,
) {
    m.key = match uuid {
        Some(u) => KeyRef {
            prefix: "systec:",
            id: u.clone(),
        },
        None => {
            if number.is_none() {
                m.warn("no uuid and no meeting number: the record cannot be identified");
            }
            KeyRef {
                prefix: crate::model::STUB_KEY_PREFIX,
                id: number.cloned().unwrap_or_default(),
            }
        }
    };
}

/// The shared room's account fills both `host` and `room` (the host *is* the room).
fn host_and_room<'a>(
    m: &mut MeetingRef<'a>,
    name: Option<Cow<'a, str>>,
    email: Option<Cow<'a, str>>,
    account_type: Option<Cow<'a, str>>,
) {
    if name.is_some() || email.is_some() {
        m.room = Some(RoomRef {
            id: None,
            name: name.clone(),
            email: email.clone(),
        });
    }
    if name.is_some() || email.is_some() || account_type.is_some() {
        m.host = Some(HostRef {
            name,
            email,
            account_type,
        });
    }
}

fn utc(t: Option<systec_model::UtcTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.to_utc())
}

/// Sets `start`, `end` and the measured `duration_seconds`, warning when the end is before
/// the start.
fn set_span(m: &mut MeetingRef<'_>, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) {
    m.start = start;
    m.end = end;
    m.duration_seconds = seconds_between(start, end);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        m.warn("end is before start: no duration");
    }
}

/// The fields `reports` and `hisMeeting` share: both are the Zoom-v1 "past meeting" record
/// of one occurrence (UTC times, `"N分钟"` rounded up, the shared room's account as host).
struct PastMeeting<'a> {
    source: Source,
    uuid: Option<Str<'a>>,
    id: Option<IdRef<'a>>,
    host: Option<Str<'a>>,
    email: Option<Str<'a>>,
    user_type: Option<Str<'a>>,
    start_time: Option<systec_model::UtcTime>,
    end_time: Option<systec_model::UtcTime>,
    duration: Option<systec_model::VendorDuration>,
    participant_count: Option<u64>,
    has_pstn: Option<bool>,
    has_voip: Option<bool>,
    has_3rd_party_audio: Option<bool>,
    has_video: Option<bool>,
    has_screen_share: Option<bool>,
    recording: Option<meeting_wire::Flag>,
}

/// The meeting both `reports` and `hisMeeting` describe: key, numbers, host and room,
/// `ended`, the measured span, the billed minutes and the features.
fn past_meeting(p: PastMeeting<'_>) -> MeetingRef<'_> {
    let mut m = MeetingRef::new(p.source);
    let number = id_cow(p.id);
    let uuid = clean_cow(p.uuid);
    systec_key(&mut m, uuid.as_ref(), number.as_ref());
    m.occurrence_id = uuid;
    m.meeting_number = number;
    host_and_room(
        &mut m,
        clean_cow(p.host),
        clean_cow(p.email),
        clean_cow(p.user_type),
    );
    m.status = Status::Ended;
    set_span(&mut m, utc(p.start_time), utc(p.end_time));
    m.billed_minutes = p.duration.as_ref().and_then(|d| d.minutes_rounded_up());
    if let Some(d) = &p.duration
        && d.seconds().is_none()
    {
        m.warn(format!("unrecognised duration `{d}`: no billed minutes"));
    }
    m.participant_count = p.participant_count;
    m.features = Features {
        voip: p.has_voip,
        pstn: p.has_pstn,
        video: p.has_video,
        screen_share: p.has_screen_share,
        recording: p.recording.map(meeting_wire::Flag::is_set),
        third_party_audio: p.has_3rd_party_audio,
        secure: None,
    };
    m
}

/// Normalises one full `reports` entry. See the crate docs for every rule.
pub fn normalize_report(r: Report, ctx: &Context) -> Meeting {
    report_view(r.into_view(), ctx).into_meeting()
}

/// The one implementation of [`normalize_report`], over the borrowed view.
pub(crate) fn report_view<'a>(r: ReportRef<'a>, _ctx: &Context) -> MeetingRef<'a> {
    let completeness = r.completeness();
    let ReportRef {
        uuid,
        id,
        meeting_type,
        host,
        email,
        user_type,
        start_time,
        end_time,
        duration,
        has_pstn,
        has_voip,
        has_3rd_party_audio,
        has_video,
        has_screen_share,
        recording,
        participants_count,
        page_count,
        page_number,
        page_size,
        participants,
        extra,
    } = r;
    let mut m = past_meeting(PastMeeting {
        source: Source::SystecReports,
        uuid,
        id,
        host,
        email,
        user_type,
        start_time,
        end_time,
        duration,
        participant_count: participants_count,
        has_pstn,
        has_voip,
        has_3rd_party_audio,
        has_video,
        has_screen_share,
        recording,
    });
    if let systec_model::Completeness::Truncated { listed, total } = completeness {
        m.warn(format!(
            "participants truncated: {listed} of {total} listed"
        ));
    }
    let mut ex = ExtraFields::new();
    let list = participants.unwrap_or_default();
    let mut item_extras = ItemExtras::default();
    m.participants.reserve(list.len());
    for p in list {
        let (p, e) = report_participant(p);
        m.participants.push(p);
        item_extras.push(e);
    }
    item_extras.put(&mut ex, "participants");
    put(&mut ex, "type", meeting_type.map(Str::into_string));
    put(&mut ex, "page_count", page_count);
    put(&mut ex, "page_number", page_number);
    put(&mut ex, "page_size", page_size);
    take_extra_view(extra, Report::FIELDS, &mut ex);
    m.extra = ex;
    m
}

fn report_participant(p: ReportParticipantRef<'_>) -> (ParticipantRef<'_>, ExtraFields) {
    let ReportParticipantRef {
        id,
        user_id,
        user_name,
        device,
        ip_address,
        country,
        city,
        network_type,
        join_time,
        leave_time,
        extra,
    } = p;
    let join = utc(join_time);
    let leave = utc(leave_time);
    let mut ex = ExtraFields::new();
    take_extra_view(extra, ReportParticipant::FIELDS, &mut ex);
    (
        ParticipantRef {
            id: clean_cow(id),
            user_id: id_cow(user_id),
            name: clean_cow(user_name),
            device: clean_cow(device),
            ip: clean_cow(ip_address),
            country: clean_cow(country),
            city: clean_cow(city),
            network: clean_cow(network_type),
            join,
            leave,
            duration_seconds: seconds_between(join, leave),
        },
        ex,
    )
}

/// Normalises a `reports` stub (`{"id": "1579334441"}`): key `systec:stub:<number>`,
/// status `unknown`.
pub fn normalize_report_stub(s: ReportStub) -> Meeting {
    report_stub_view(s.into_view()).into_meeting()
}

/// The one implementation of [`normalize_report_stub`], over the borrowed view.
pub(crate) fn report_stub_view(s: ReportStubRef<'_>) -> MeetingRef<'_> {
    let ReportStubRef { id, extra } = s;
    let mut m = MeetingRef::new(Source::SystecReports);
    let number = id_cow(id);
    systec_key(&mut m, None, number.as_ref());
    m.meeting_number = number;
    m.status = Status::Unknown;
    take_extra_view(extra, ReportStub::FIELDS, &mut m.extra);
    m
}

/// One `reports` entry: a full report or a stub.
pub(crate) fn report_entry_view<'a>(entry: ReportEntryRef<'a>, ctx: &Context) -> MeetingRef<'a> {
    match entry {
        ReportEntryRef::Report(r) => report_view(*r, ctx),
        ReportEntryRef::Stub(s) => report_stub_view(s),
    }
}

/// Normalises one `hisMeeting` record.
pub fn normalize_his_meeting(h: HisMeeting, ctx: &Context) -> Meeting {
    his_meeting_view(h.into_view(), ctx).into_meeting()
}

/// The one implementation of [`normalize_his_meeting`], over the borrowed view.
pub(crate) fn his_meeting_view<'a>(h: HisMeetingRef<'a>, _ctx: &Context) -> MeetingRef<'a> {
    let HisMeetingRef {
        uuid,
        id,
        host,
        email,
        user_type,
        start_time,
        end_time,
        duration,
        participants,
        has_pstn,
        has_voip,
        has_3rd_party_audio,
        has_video,
        has_screen_share,
        recording,
        extra,
    } = h;
    let mut m = past_meeting(PastMeeting {
        source: Source::SystecHisMeeting,
        uuid,
        id,
        host,
        email,
        user_type,
        start_time,
        end_time,
        duration,
        participant_count: participants,
        has_pstn,
        has_voip,
        has_3rd_party_audio,
        has_video,
        has_screen_share,
        recording,
    });
    take_extra_view(extra, HisMeeting::FIELDS, &mut m.extra);
    m
}

/// Caches the vendor zone's offset for one local calendar day: resolving through
/// `chrono-tz` is the costliest step of normalising `detail`, and consecutive meetings are
/// nearly always on one day, so the cache lives across the meetings of a page or a chunk.
/// A day is cached only when its first and last second resolve to the same single offset
/// (no clock change that day); other days go through `chrono-tz` every time.
#[derive(Debug, Default)]
pub(crate) struct DayCache {
    day: Option<(chrono::NaiveDate, chrono::FixedOffset)>,
}

impl DayCache {
    fn uniform_offset(zone: &chrono_tz::Tz, day: chrono::NaiveDate) -> Option<chrono::FixedOffset> {
        use chrono::{Offset, TimeZone};
        let first = zone
            .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
            .single()?;
        let last = zone
            .from_local_datetime(&day.and_hms_opt(23, 59, 59)?)
            .single()?;
        let a = first.offset().fix();
        (a == last.offset().fix()).then_some(a)
    }

    fn lookup(
        &mut self,
        zone: &chrono_tz::Tz,
        naive: chrono::NaiveDateTime,
    ) -> Option<DateTime<Utc>> {
        let day = naive.date();
        let offset = match self.day {
            Some((d, off)) if d == day => off,
            _ => {
                let off = Self::uniform_offset(zone, day)?;
                self.day = Some((day, off));
                off
            }
        };
        Some(naive.checked_sub_offset(offset)?.and_utc())
    }
}

/// Reads a zone-less `detail` time in the vendor zone. Ambiguous times (clocks went back)
/// take the **earlier** instant; skipped times (clocks went forward) are read with the
/// offset in force **before** the change. Either adds a warning naming the field.
fn local(
    m: &mut MeetingRef<'_>,
    ctx: &Context,
    cache: &mut DayCache,
    t: Option<LocalTime>,
    what: &str,
) -> Option<DateTime<Utc>> {
    let t = t?;
    let zone = ctx.vendor_zone();
    if let Some(u) = cache.lookup(&zone, t.naive()) {
        return Some(u);
    }
    Some(match t.in_zone(&zone) {
        LocalResolution::Single(u) => u,
        LocalResolution::Ambiguous(early, _late) => {
            m.warn(format!(
                "ambiguous local time {what} `{t}` in {}: read as the earlier instant {}",
                zone.name(),
                early.format("%Y-%m-%dT%H:%M:%SZ")
            ));
            early
        }
        LocalResolution::Skipped(u) => {
            m.warn(format!(
                "nonexistent local time {what} `{t}` in {} (skipped by a clock change): read with the offset before the change, {}",
                zone.name(),
                u.format("%Y-%m-%dT%H:%M:%SZ")
            ));
            u
        }
    })
}

/// Normalises one `detail` meeting.
///
/// `start_time` is `start`; `end_time` (documented as the time the meeting was deleted)
/// is `end`, and its presence makes the meeting `ended`; `duration` is the *scheduled*
/// length in minutes (`scheduled_duration_seconds`); `host_id` is `room.id`.
pub fn normalize_detail_meeting(d: DetailMeeting, ctx: &Context) -> Meeting {
    detail_view(d.into_view(), ctx, &mut DayCache::default()).into_meeting()
}

/// The one implementation of [`normalize_detail_meeting`], over the view: the owned value is
/// turned into its view (strings moved), the dump reader's fast path parses views directly.
pub(crate) fn detail_view<'a>(
    d: DetailMeetingRef<'a>,
    ctx: &Context,
    cache: &mut DayCache,
) -> MeetingRef<'a> {
    let DetailMeetingRef {
        uuid,
        host_id,
        meeting_id,
        topic,
        start_time,
        duration,
        end_time,
        is_extra,
        participants,
        telephony_usage,
        extra,
    } = d;
    let mut m = MeetingRef::new(Source::SystecDetail);
    let number = id_cow(meeting_id);
    let uuid = clean_cow(uuid);
    systec_key(&mut m, uuid.as_ref(), number.as_ref());
    m.occurrence_id = uuid;
    m.meeting_number = number;
    m.topic = clean_cow(topic);
    if let Some(id) = clean_cow(host_id) {
        m.room = Some(RoomRef {
            id: Some(id),
            name: None,
            email: None,
        });
    }
    let start = local(&mut m, ctx, cache, start_time, "start_time");
    let end = local(&mut m, ctx, cache, end_time, "end_time");
    m.status = if end.is_some() {
        Status::Ended
    } else {
        Status::Unknown
    };
    set_span(&mut m, start, end);
    m.scheduled_duration_seconds = duration.and_then(|min| min.checked_mul(60));

    let mut ex = ExtraFields::new();
    let list = participants.unwrap_or_default();
    let mut item_extras = ItemExtras::default();
    m.participants.reserve(list.len());
    for p in list {
        let DetailParticipantRef {
            name,
            join_time,
            leave_time,
            extra,
        } = p;
        let join = local(&mut m, ctx, cache, join_time, "participants[].join_time");
        let leave = local(&mut m, ctx, cache, leave_time, "participants[].leave_time");
        m.participants.push(ParticipantRef {
            name: clean_cow(name),
            join,
            leave,
            duration_seconds: seconds_between(join, leave),
            ..ParticipantRef::default()
        });
        let mut e = ExtraFields::new();
        take_extra_view(extra, DetailParticipant::FIELDS, &mut e);
        item_extras.push(e);
    }
    item_extras.put(&mut ex, "participants");

    let calls = telephony_usage.unwrap_or_default();
    let mut call_extras = ItemExtras::default();
    m.phone_calls.reserve(calls.len());
    for c in calls {
        let TelephonyUsageRef {
            phone_number,
            call_type,
            start_time,
            end_time,
            duration,
            total,
            extra,
        } = c;
        let mut e = ExtraFields::new();
        let direction = call_type.map(|t| match CallType::from(t.as_str()) {
            CallType::CallOut => CallDirection::Outbound,
            CallType::CallIn => CallDirection::Inbound,
            other => {
                e.insert(
                    "type".to_owned(),
                    serde_json::Value::String(other.code().to_owned()),
                );
                CallDirection::Unknown
            }
        });
        let start = local(
            &mut m,
            ctx,
            cache,
            start_time,
            "telephony_usage[].start_time",
        );
        let end = local(&mut m, ctx, cache, end_time, "telephony_usage[].end_time");
        m.phone_calls.push(PhoneCallRef {
            number: clean_cow(phone_number),
            direction,
            start,
            end,
            duration_seconds: seconds_between(start, end),
            billed_minutes: duration,
            cost: total.map(|y| Money::cny(y.amount())),
        });
        take_extra_view(extra, TelephonyUsage::FIELDS, &mut e);
        call_extras.push(e);
    }
    call_extras.put(&mut ex, "telephony_usage");
    put(&mut ex, "is_extra", is_extra);
    take_extra_view(extra, DetailMeeting::FIELDS, &mut ex);
    m.extra = ex;
    m
}
