//! Answering the Systec endpoints, as pure functions over [`SystecData`]: form parameters
//! in, model types out.
// Wire objects are built from `Default` (every field optional, plus `extra`), then filled.
#![allow(clippy::field_reassign_with_default)]

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use systec_model::detail::DEFAULT_PAGE_SIZE;
use systec_model::{
    CallType, DateWindow, DetailMeeting, DetailPage, DetailParticipant, Flag, HisMeeting, Id,
    LocalTime, MeetingUuid, Report, ReportEntry, ReportParticipant, ReportStub, TelephonyUsage,
    UtcTime, VendorDuration, WireDate, Yuan,
};

use crate::reply::Reply;
use crate::systec::data::{Listing, Occurrence, Room, SystecData};

/// A Systec failure envelope: `{"status": N, "message": "...", "data": null}`.
pub(crate) fn error(http: StatusCode, status: i64, message: &str) -> Reply {
    #[derive(Serialize)]
    struct ErrorEnvelope<'a> {
        status: i64,
        message: &'a str,
        data: Option<()>,
    }
    Reply::json(
        http,
        status,
        &ErrorEnvelope {
            status,
            message,
            data: None,
        },
    )
}

/// Participants listed per report page, as the vendor does.
pub(crate) const REPORT_PAGE_SIZE: usize = 100;
/// The largest `page_size` accepted by `detail`.
pub(crate) const MAX_PAGE_SIZE: u64 = 1000;

/// A parameter error: answered as an envelope with status 400.
#[derive(Debug)]
pub(crate) struct BadRequest(pub String);

/// Form fields, first occurrence of a name wins.
pub(crate) struct Params<'a>(pub &'a [(String, String)]);

impl Params<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    fn date(&self, name: &str) -> Result<Option<WireDate>, BadRequest> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<WireDate>().map_err(|_| {
                    BadRequest(format!("invalid `{name}`: expected a date like 2018-01-01"))
                })
            })
            .transpose()
    }

    fn flag(&self, name: &str) -> Result<bool, BadRequest> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" => Ok(false),
            Some(_) => Err(BadRequest(format!(
                "invalid `{name}`: expected true or false"
            ))),
        }
    }

    fn number(&self, name: &str, default: u64) -> Result<u64, BadRequest> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(BadRequest(format!(
                    "invalid `{name}`: expected a whole number >= 1"
                ))),
            },
        }
    }
}

/// The window of a request: the requested dates (echoed as sent) and what is served.
#[derive(Clone, Debug)]
pub(crate) struct RequestedWindow {
    pub(crate) from: WireDate,
    pub(crate) to: WireDate,
    pub(crate) requested: DateWindow,
}

impl RequestedWindow {
    /// What the vendor serves: the last calendar month of a longer window.
    pub(crate) fn served(&self) -> DateWindow {
        self.requested.vendor_served()
    }
}

fn window(from: WireDate, to: WireDate) -> Result<RequestedWindow, BadRequest> {
    let requested = DateWindow::new(from.date(), to.date())
        .map_err(|_| BadRequest(String::from("`from` is after `to`")))?;
    Ok(RequestedWindow {
        from,
        to,
        requested,
    })
}

/// `detail` parameters.
#[derive(Clone, Debug)]
pub(crate) struct DetailParams {
    pub(crate) window: RequestedWindow,
    pub(crate) uuid: Option<String>,
    pub(crate) host_id: Option<String>,
    pub(crate) show_participants: bool,
    pub(crate) show_telephony_usage: bool,
    pub(crate) page_size: u64,
    pub(crate) page_number: u64,
}

impl DetailParams {
    /// Reads the form; `today` is the default for `from` and `to`.
    pub(crate) fn parse(p: &Params<'_>, today: NaiveDate) -> Result<Self, BadRequest> {
        let from = p.date("from")?.unwrap_or_else(|| WireDate::from(today));
        let to = p.date("to")?.unwrap_or_else(|| WireDate::from(today));
        let page_size = p.number("page_size", u64::from(DEFAULT_PAGE_SIZE))?;
        if page_size > MAX_PAGE_SIZE {
            return Err(BadRequest(format!(
                "invalid `page_size`: at most {MAX_PAGE_SIZE}"
            )));
        }
        Ok(DetailParams {
            window: window(from, to)?,
            uuid: p.get("uuid").map(|s| s.trim().to_owned()),
            host_id: p.get("host_id").map(|s| s.trim().to_owned()),
            show_participants: p.flag("show_participants")?,
            show_telephony_usage: p.flag("show_telephony_usage")?,
            page_size,
            page_number: p.number("page_number", 1)?,
        })
    }
}

/// `hisMeeting` parameters: both dates required.
pub(crate) fn his_meeting_params(p: &Params<'_>) -> Result<RequestedWindow, BadRequest> {
    let from = p
        .date("from")?
        .ok_or_else(|| BadRequest(String::from("`from` is required")))?;
    let to = p
        .date("to")?
        .ok_or_else(|| BadRequest(String::from("`to` is required")))?;
    window(from, to)
}

/// `reports` parameters: the UUIDs, split on `,` or `，`.
pub(crate) fn reports_params(p: &Params<'_>) -> Result<Vec<String>, BadRequest> {
    let list: Vec<String> = p
        .get("uuid")
        .unwrap_or_default()
        .split([',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if list.is_empty() {
        Err(BadRequest(String::from("`uuid` is required")))
    } else {
        Ok(list)
    }
}

fn local(t: DateTime<Utc>, zone: &Tz) -> LocalTime {
    LocalTime::from(t.with_timezone(zone).naive_local())
}

/// An occurrence as `detail` lists it, with or without participants and calls.
pub(crate) fn detail_meeting(
    o: &Occurrence,
    room: Option<&Room>,
    zone: &Tz,
    participants: bool,
    telephony: bool,
) -> DetailMeeting {
    let mut m = DetailMeeting::default();
    m.uuid = Some(MeetingUuid::from(o.uuid.as_str()));
    m.host_id = room.map(|r| r.host_id.clone());
    m.meeting_id = Some(Id::text(o.number.to_string()));
    m.topic = Some(o.topic.clone());
    m.start_time = Some(local(o.start, zone));
    m.duration = Some(o.scheduled_minutes);
    m.end_time = o.end.map(|e| local(e, zone));
    m.is_extra = Some(Flag::Int(i64::from(o.is_extra)));
    if participants {
        m.participants = Some(
            o.participants
                .iter()
                .map(|p| {
                    let mut d = DetailParticipant::default();
                    d.name = Some(p.name.clone());
                    d.join_time = Some(local(p.join, zone));
                    d.leave_time = p.leave.map(|l| local(l, zone));
                    d
                })
                .collect(),
        );
    }
    if telephony {
        m.telephony_usage = Some(
            o.calls
                .iter()
                .map(|c| {
                    let mut t = TelephonyUsage::default();
                    t.phone_number = Some(c.number.clone());
                    t.call_type = Some(if c.call_in {
                        CallType::CallIn
                    } else {
                        CallType::CallOut
                    });
                    t.start_time = Some(local(c.start, zone));
                    t.end_time = Some(local(c.end, zone));
                    t.duration = Some(c.minutes());
                    t.total = Yuan::from_decimal(c.cost()).ok();
                    t
                })
                .collect(),
        );
    }
    m
}

/// One page of `detail`.
pub(crate) fn detail_page(data: &SystecData, zone: &Tz, q: &DetailParams) -> DetailPage {
    let served = q.window.served();
    let all: Vec<_> = data
        .in_window(&served, zone, q.host_id.as_deref(), q.uuid.as_deref())
        .collect();
    let total = all.len() as u64;
    let total_page = total.div_ceil(q.page_size);
    let skip = q.page_number.saturating_sub(1).saturating_mul(q.page_size);
    let meetings = all
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(q.page_size).unwrap_or(usize::MAX))
        .map(|o| {
            detail_meeting(
                o,
                data.rooms.get(o.room),
                zone,
                q.show_participants,
                q.show_telephony_usage,
            )
        })
        .collect();
    let mut page = DetailPage::default();
    page.from = Some(q.window.from.clone());
    page.to = Some(q.window.to.clone());
    page.total_record = Some(total);
    page.total_page = Some(total_page);
    page.page_number = Some(q.page_number);
    page.page_size = Some(q.page_size);
    page.has_previous_page = Some(q.page_number > 1);
    page.has_next_page = Some(q.page_number < total_page);
    page.meetings = Some(meetings);
    page
}

fn utc(t: DateTime<Utc>) -> UtcTime {
    UtcTime::from(t)
}

/// The report entry of an occurrence: a full report (participants cut at `limit`) or a stub.
pub(crate) fn report_entry(o: &Occurrence, room: Option<&Room>, limit: usize) -> ReportEntry {
    if !o.has_report() {
        return stub_of(o);
    }
    let count = o.participants.len() as u64;
    let mut r = Report::default();
    r.uuid = Some(MeetingUuid::from(o.uuid.as_str()));
    r.id = Some(Id::number(o.number));
    r.meeting_type = Some(String::from("Past Meeting"));
    fill_room(&mut r.host, &mut r.email, &mut r.user_type, room);
    r.start_time = Some(utc(o.start));
    r.end_time = o.end.map(utc);
    r.duration = Some(VendorDuration::minutes(systec_model::billed_minutes(
        o.seconds(),
    )));
    r.has_pstn = Some(!o.calls.is_empty());
    r.has_voip = Some(!o.participants.is_empty());
    r.has_3rd_party_audio = Some(false);
    r.has_video = Some(o.has_video);
    r.has_screen_share = Some(o.has_screen_share);
    r.recording = Some(Flag::Int(i64::from(o.recording)));
    r.participants_count = Some(count);
    r.page_count = Some(count.div_ceil(REPORT_PAGE_SIZE as u64));
    r.page_number = Some(1);
    r.page_size = Some(REPORT_PAGE_SIZE as u64);
    r.participants = Some(
        o.participants
            .iter()
            .take(limit)
            .map(|p| {
                let mut rp = ReportParticipant::default();
                rp.id = Some(p.id.clone());
                rp.user_id = Some(Id::text(p.user_id.to_string()));
                rp.user_name = Some(p.name.clone());
                rp.device = Some(p.device.to_owned());
                rp.ip_address = Some(std::net::Ipv4Addr::from(p.ip).to_string());
                rp.country = Some(String::from("CN"));
                rp.city = Some(p.city.to_owned());
                rp.network_type = Some(p.network.to_owned());
                rp.join_time = Some(utc(p.join));
                rp.leave_time = p.leave.map(utc);
                rp
            })
            .collect(),
    );
    ReportEntry::Report(Box::new(r))
}

fn fill_room(
    host: &mut Option<String>,
    email: &mut Option<String>,
    user_type: &mut Option<String>,
    room: Option<&Room>,
) {
    if let Some(room) = room {
        *host = Some(room.name.clone());
        *email = Some(room.email.clone());
    }
    *user_type = Some(String::from("Corp"));
}

/// The stub `reports` answers for an occurrence without a report: its meeting number only.
fn stub_of(o: &Occurrence) -> ReportEntry {
    let mut stub = ReportStub::default();
    stub.id = Some(Id::text(o.number.to_string()));
    ReportEntry::Stub(stub)
}

/// The `reports` answer: entries in request order; unknown UUIDs (and `detail`-only
/// occurrences) are left out. With `held`, every report is not built yet: stubs only.
pub(crate) fn reports(data: &SystecData, uuids: &[String], held: bool) -> Vec<ReportEntry> {
    uuids
        .iter()
        .filter_map(|u| data.by_uuid.get(u))
        .filter(|o| o.listing != Listing::DetailOnly)
        .map(|o| {
            if held {
                stub_of(o)
            } else {
                report_entry(o, data.rooms.get(o.room), REPORT_PAGE_SIZE)
            }
        })
        .collect()
}

/// An ended occurrence as `hisMeeting` lists it.
pub(crate) fn his_meeting(o: &Occurrence, room: Option<&Room>) -> HisMeeting {
    let mut h = HisMeeting::default();
    h.uuid = Some(MeetingUuid::from(o.uuid.as_str()));
    h.id = Some(Id::number(o.number));
    fill_room(&mut h.host, &mut h.email, &mut h.user_type, room);
    h.start_time = Some(utc(o.start));
    h.end_time = o.end.map(utc);
    h.duration = Some(VendorDuration::minutes(systec_model::billed_minutes(
        o.seconds(),
    )));
    h.participants = Some(o.participants.len() as u64);
    h.has_pstn = Some(!o.calls.is_empty());
    h.has_voip = Some(!o.participants.is_empty());
    h.has_3rd_party_audio = Some(false);
    h.has_video = Some(o.has_video);
    h.has_screen_share = Some(o.has_screen_share);
    h.recording = Some(Flag::Int(i64::from(o.recording)));
    h
}

/// The `hisMeeting` answer: ended occurrences of the served window, in start order.
pub(crate) fn his_meetings(data: &SystecData, zone: &Tz, window: &DateWindow) -> Vec<HisMeeting> {
    data.in_window(&window.vendor_served(), zone, None, None)
        .filter(|o| o.end.is_some() && o.listing == Listing::All)
        .map(|o| his_meeting(o, data.rooms.get(o.room)))
        .collect()
}
