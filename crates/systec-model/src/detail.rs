//! POST `umeeting/share/detail` — paginated shared-room meetings in a date range
//! (公共会议室明细统计接口), optionally with participants and telephony usage.
//!
//! Times here are zone-less local times ([`LocalTime`]); `meeting_id` is a string; `duration`
//! is the *scheduled* length in minutes, not `end_time - start_time`; `end_time` is when the
//! meeting was deleted.

use chrono::NaiveDate;
use meeting_wire::{Flag, Id, IdRef, Str};

use crate::envelope::{EndpointData, Envelope, Error};
use crate::request::{Credentials, Form, RequestError};
use crate::{DateWindow, Endpoint, LocalTime, MeetingUuid, WireDate, Yuan};

/// The response body of `detail`.
pub type DetailResponse = Envelope<DetailPage>;

impl EndpointData for DetailPage {
    const ENDPOINT: Endpoint = Endpoint::Detail;
}

crate::request::api_request!(DetailQuery, SystecDetail, DetailPage);

/// Parses a `detail` response body.
///
/// # Errors
/// See [`Envelope::from_slice`].
pub fn parse_response(bytes: &[u8]) -> Result<DetailResponse, Error> {
    DetailResponse::from_slice(bytes)
}

/// The documented default `page_size`.
pub const DEFAULT_PAGE_SIZE: u32 = 30;

/// The parameters of `detail`. Every one is optional; unset ones are not sent and the
/// vendor's defaults apply (`from`/`to`: today; `page_size`: 30; `page_number`: 1;
/// participants and telephony: not shown).
///
/// ```
/// use chrono::NaiveDate;
/// use systec_model::{Credentials, DetailQuery};
/// let q = DetailQuery::new()
///     .from(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
///     .to(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())
///     .show_participants(true)
///     .page_number(2);
/// let form = q.to_form(&Credentials::new("k", "s"))?;
/// assert_eq!(form.get("from"), Some("2024-01-01"));
/// assert_eq!(form.get("show_participants"), Some("true"));
/// # Ok::<(), systec_model::RequestError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct DetailQuery {
    /// 统计起始时间: first day, inclusive.
    pub from: Option<NaiveDate>,
    /// 统计结束时间: last day, inclusive.
    pub to: Option<NaiveDate>,
    /// 记录ID: one meeting record.
    pub uuid: Option<MeetingUuid>,
    /// 公共会议室ID: one shared room.
    pub host_id: Option<String>,
    /// 显示会议参会者信息.
    pub show_participants: Option<bool>,
    /// 显示电话参会者信息.
    pub show_telephony_usage: Option<bool>,
    /// Page size (vendor default 30).
    pub page_size: Option<u32>,
    /// Page number, from 1.
    pub page_number: Option<u32>,
}

impl DetailQuery {
    /// All defaults.
    pub fn new() -> Self {
        DetailQuery::default()
    }

    /// Sets `from`.
    pub fn from(mut self, date: NaiveDate) -> Self {
        self.from = Some(date);
        self
    }

    /// Sets `to`.
    pub fn to(mut self, date: NaiveDate) -> Self {
        self.to = Some(date);
        self
    }

    /// Sets `from` and `to` from a window.
    pub fn window(self, window: DateWindow) -> Self {
        self.from(window.from()).to(window.to())
    }

    /// Sets `uuid`.
    pub fn uuid(mut self, uuid: impl Into<MeetingUuid>) -> Self {
        self.uuid = Some(uuid.into());
        self
    }

    /// Sets `host_id` (one shared room).
    pub fn host_id(mut self, host_id: impl Into<String>) -> Self {
        self.host_id = Some(host_id.into());
        self
    }

    /// Sets `show_participants`.
    pub fn show_participants(mut self, show: bool) -> Self {
        self.show_participants = Some(show);
        self
    }

    /// Sets `show_telephony_usage`.
    pub fn show_telephony_usage(mut self, show: bool) -> Self {
        self.show_telephony_usage = Some(show);
        self
    }

    /// Sets `page_size`.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Sets `page_number`.
    pub fn page_number(mut self, number: u32) -> Self {
        self.page_number = Some(number);
        self
    }

    /// The date window, when both ends are set.
    ///
    /// # Errors
    /// When `from` is after `to`.
    pub fn date_window(&self) -> Result<Option<DateWindow>, RequestError> {
        match (self.from, self.to) {
            (Some(f), Some(t)) => Ok(Some(DateWindow::new(f, t)?)),
            _ => Ok(None),
        }
    }

    /// The form body, parameters in the doc's order.
    ///
    /// # Errors
    /// `from` after `to`, or a zero page size or number.
    pub fn to_form(&self, credentials: &Credentials) -> Result<Form, RequestError> {
        self.date_window()?;
        if self.page_size == Some(0) {
            return Err(RequestError::Zero { field: "page_size" });
        }
        if self.page_number == Some(0) {
            return Err(RequestError::Zero {
                field: "page_number",
            });
        }
        let mut p = Vec::with_capacity(8);
        if let Some(d) = self.from {
            p.push(("from", d.format("%Y-%m-%d").to_string()));
        }
        if let Some(d) = self.to {
            p.push(("to", d.format("%Y-%m-%d").to_string()));
        }
        if let Some(u) = &self.uuid {
            p.push(("uuid", u.as_str().to_owned()));
        }
        if let Some(h) = &self.host_id {
            p.push(("host_id", h.clone()));
        }
        if let Some(b) = self.show_participants {
            p.push(("show_participants", b.to_string()));
        }
        if let Some(b) = self.show_telephony_usage {
            p.push(("show_telephony_usage", b.to_string()));
        }
        if let Some(n) = self.page_size {
            p.push(("page_size", n.to_string()));
        }
        if let Some(n) = self.page_number {
            p.push(("page_number", n.to_string()));
        }
        Ok(Form::new(credentials, p))
    }
}

meeting_wire::wire_object! {
    /// One page of `detail`.
    pub struct DetailPage as DetailPageRef<'a> {
        /// The range's first day, echoed (may be unpadded: `2017-8-31`).
        "from" => from: WireDate,
        /// The range's last day, echoed.
        "to" => to: WireDate,
        /// Records in the whole range.
        "total_record" => total_record: u64,
        /// Pages in the whole range.
        "total_page" => total_page: u64,
        /// This page's number, from 1.
        "page_number" => page_number: u64,
        /// Records per page.
        "page_size" => page_size: u64,
        /// Whether a previous page exists.
        "has_previous_page" => has_previous_page: bool,
        /// Whether a next page exists.
        "has_next_page" => has_next_page: bool,
        /// This page's meetings.
        "meetings" => meetings: Vec<DetailMeeting> as Vec<DetailMeetingRef<'a>>,
    }
}

impl DetailPage {
    /// The meetings on this page (empty when absent or `null`).
    pub fn meetings(&self) -> &[DetailMeeting] {
        self.meetings.as_deref().unwrap_or_default()
    }

    /// Whether this is the last page: `has_next_page` is false, or, when it is absent,
    /// `page_number >= total_page`. A server that says there is a next page beyond
    /// `total_page` is believed only up to `total_page` (see [`DetailPage::next_page`]).
    pub fn is_last_page(&self) -> bool {
        self.next_page().is_none()
    }

    /// The next page number to fetch, if any. Both signals must agree that more exists:
    /// `has_next_page` (when sent) and `page_number < total_page` (when sent), so a server
    /// that lies in one of them cannot make a client loop forever.
    pub fn next_page(&self) -> Option<u64> {
        let current = self.page_number.unwrap_or(1);
        let by_flag = self.has_next_page.unwrap_or(true);
        let by_total = self.total_page.is_none_or(|t| current < t);
        let known = self.has_next_page.is_some() || self.total_page.is_some();
        (known && by_flag && by_total).then(|| current.saturating_add(1))
    }
}

meeting_wire::wire_object! {
    /// One meeting of `detail`.
    pub struct DetailMeeting as DetailMeetingRef<'a> {
        /// 会议记录ID: this occurrence's id.
        "uuid" => uuid: MeetingUuid as Str<'a>,
        /// 公共会议室ID: the shared room's id.
        "host_id" => host_id: String as Str<'a>,
        /// 会议号: the meeting number (a string here).
        "meeting_id" => meeting_id: Id as IdRef<'a>,
        /// 会议主题.
        "topic" => topic: String as Str<'a>,
        /// 会议开始时间, local to the vendor's zone.
        "start_time" => start_time: LocalTime,
        /// The scheduled length of an instant or scheduled meeting, in minutes (the unit is
        /// not stated; minutes fits the sample): not the measured length.
        "duration" => duration: u64,
        /// 会议结束时间（即会议被删除的时间）: when the meeting was deleted, local.
        "end_time" => end_time: LocalTime,
        /// 是否额外会议室: an overflow room created when no room resource was free (0/1).
        "is_extra" => is_extra: Flag,
        /// 参会者信息 (with `show_participants`).
        "participants" => participants: Vec<DetailParticipant> as Vec<DetailParticipantRef<'a>>,
        /// 电话参会者信息 (with `show_telephony_usage`).
        "telephony_usage" => telephony_usage: Vec<TelephonyUsage> as Vec<TelephonyUsageRef<'a>>,
    }
}

impl DetailMeeting {
    /// Participants (empty when absent or `null`).
    pub fn participants(&self) -> &[DetailParticipant] {
        self.participants.as_deref().unwrap_or_default()
    }

    /// Telephony usage (empty when absent or `null`).
    pub fn telephony_usage(&self) -> &[TelephonyUsage] {
        self.telephony_usage.as_deref().unwrap_or_default()
    }
}

meeting_wire::wire_object! {
    /// One participant of a `detail` meeting.
    pub struct DetailParticipant as DetailParticipantRef<'a> {
        /// 参会者显示名称.
        "name" => name: String as Str<'a>,
        /// 加入会议时间, local.
        "join_time" => join_time: LocalTime,
        /// 离开会议时间, local.
        "leave_time" => leave_time: LocalTime,
    }
}

meeting_wire::open_enum! {
    /// 呼叫类型: the call's direction.
    pub enum CallType: str {
        /// Dialled out by the bridge (the sample's value).
        CallOut = "call-out",
        /// Dialled in by the participant (assumed spelling; not in the sample).
        CallIn = "call-in",
    }
}

meeting_wire::wire_object! {
    /// One phone call of a `detail` meeting.
    pub struct TelephonyUsage as TelephonyUsageRef<'a> {
        /// 电话号码.
        "phone_number" => phone_number: String as Str<'a>,
        /// 呼叫类型.
        "type" => call_type: CallType as Str<'a>,
        /// 通话开始时间, local.
        "start_time" => start_time: LocalTime,
        /// 通话结束时间, local.
        "end_time" => end_time: LocalTime,
        /// 通话持续时间, in (billed) minutes.
        "duration" => duration: u64,
        /// 通话费用, in yuan, exact.
        "total" => total: Yuan,
    }
}

impl meeting_wire::IntoView<CallType> for Str<'static> {
    fn into_view(owned: CallType) -> Self {
        match owned {
            CallType::Unknown(raw) => Str(std::borrow::Cow::Owned(raw)),
            known => Str(std::borrow::Cow::Owned(known.code().to_owned())),
        }
    }
}

impl<'a> meeting_wire::ViewOf<'a, CallType> for Str<'a> {
    fn view_of(owned: &'a CallType) -> Self {
        Str::borrowed(owned.code())
    }
}
