//! POST `umeeting/share/reports` — per-meeting usage reports with participants
//! (公共会议室会议详情接口), for a list of meeting UUIDs.
//!
//! Only meetings that have ended and had at least two participants have a report; for the
//! others the vendor returns an entry with only the meeting number, `{"id": "1579334441"}`
//! (a string, while a full report's `id` is a number). The two are different types here:
//! [`ReportEntry::Report`] and [`ReportEntry::Stub`].

use meeting_wire::{ExtraRef, IdRef, Str};
use meeting_wire::{Flag, Id};
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};

use crate::envelope::{EndpointData, Envelope, Error};
use crate::request::{Credentials, Form, RequestError};
use crate::{Endpoint, MeetingUuid, UtcTime, VendorDuration};

/// The response body of `reports`.
pub type ReportsResponse = Envelope<Vec<ReportEntry>>;

impl EndpointData for Vec<ReportEntry> {
    const ENDPOINT: Endpoint = Endpoint::Reports;
}

crate::request::api_request!(ReportsQuery, SystecReports, Vec<ReportEntry>);

/// Parses a `reports` response body.
///
/// # Errors
/// See [`Envelope::from_slice`].
pub fn parse_response(bytes: &[u8]) -> Result<ReportsResponse, Error> {
    ReportsResponse::from_slice(bytes)
}

/// The parameters of `reports`: one or more meeting UUIDs.
///
/// On the wire they are one `uuid` field, comma-separated. The doc says the separator is a
/// full-width comma `，` while its example uses `,`; this crate sends `,` (the example) and
/// [`ReportsQuery::parse_list`] reads either. UUIDs contain `/`, `+` and `=`, which the form
/// encoding percent-encodes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct ReportsQuery {
    uuids: Vec<MeetingUuid>,
}

impl ReportsQuery {
    /// A query for these UUIDs, in order.
    pub fn new<I, U>(uuids: I) -> Self
    where
        I: IntoIterator<Item = U>,
        U: Into<MeetingUuid>,
    {
        ReportsQuery {
            uuids: uuids.into_iter().map(Into::into).collect(),
        }
    }

    /// Reads a list as people write it: separated by `,` or `，`, spaces around ignored.
    pub fn parse_list(list: &str) -> Self {
        ReportsQuery::new(
            list.split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(MeetingUuid::from),
        )
    }

    /// The UUIDs.
    pub fn uuids(&self) -> &[MeetingUuid] {
        &self.uuids
    }

    /// The form body.
    ///
    /// # Errors
    /// No UUID, or one that is empty or holds a comma (it would split on the wire).
    pub fn to_form(&self, credentials: &Credentials) -> Result<Form, RequestError> {
        if self.uuids.is_empty() {
            return Err(RequestError::NoUuids);
        }
        if let Some(bad) = self
            .uuids
            .iter()
            .find(|u| u.as_str().is_empty() || u.as_str().contains([',', '，']))
        {
            return Err(RequestError::BadUuid(bad.as_str().to_owned()));
        }
        let list = self
            .uuids
            .iter()
            .map(MeetingUuid::as_str)
            .collect::<Vec<_>>()
            .join(",");
        Ok(Form::new(credentials, vec![("uuid", list)]))
    }
}

/// One entry of the `reports` answer: a full report, or a stub for a meeting without one.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportEntry {
    /// A full report.
    Report(Box<Report>),
    /// `{"id": "..."}` only: the meeting had not ended or had fewer than two participants.
    Stub(ReportStub),
}

impl ReportEntry {
    /// The meeting number, as sent.
    pub fn meeting_number(&self) -> Option<&Id> {
        match self {
            ReportEntry::Report(r) => r.id.as_ref(),
            ReportEntry::Stub(s) => s.id.as_ref(),
        }
    }

    /// The full report, if this is one.
    pub fn as_report(&self) -> Option<&Report> {
        match self {
            ReportEntry::Report(r) => Some(r),
            ReportEntry::Stub(_) => None,
        }
    }
}

/// Whether a parsed report is a stub: only `id` among the typed fields, and no other typed
/// field sent as `null`. The one rule of both [`ReportEntry`] and [`ReportEntryRef`].
fn is_stub<'k>(
    has_field: impl Fn(&str) -> bool,
    mut extra: impl Iterator<Item = (&'k str, bool)>,
) -> bool {
    let only_id = Report::FIELDS.iter().all(|f| *f == "id" || !has_field(f));
    only_id && !extra.any(|(k, null)| null && Report::FIELDS.contains(&k) && k != "id")
}

impl<'de> Deserialize<'de> for ReportEntry {
    /// A stub is an entry with no typed field but `id`; anything else is a report (possibly
    /// a sparse one). Parsed in one pass, without buffering.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let report = Report::deserialize(deserializer)?;
        let stub = is_stub(
            |f| report.has_field(f),
            report.extra.iter().map(|(k, v)| (k.as_str(), v.is_null())),
        );
        Ok(if stub {
            ReportEntry::Stub(ReportStub {
                id: report.id,
                extra: report.extra,
            })
        } else {
            ReportEntry::Report(Box::new(report))
        })
    }
}

/// The borrowed view of a [`ReportEntry`], told apart by the same rule.
#[derive(Clone, Debug)]
pub enum ReportEntryRef<'a> {
    /// A full report.
    Report(Box<ReportRef<'a>>),
    /// A meeting without a report.
    Stub(ReportStubRef<'a>),
}

impl ReportEntry {
    /// The borrowed view.
    pub fn view(&self) -> ReportEntryRef<'_> {
        match self {
            ReportEntry::Report(r) => ReportEntryRef::Report(Box::new(r.view())),
            ReportEntry::Stub(s) => ReportEntryRef::Stub(s.view()),
        }
    }

    /// This entry as its view, strings moved rather than copied.
    pub fn into_view(self) -> ReportEntryRef<'static> {
        match self {
            ReportEntry::Report(r) => ReportEntryRef::Report(Box::new(r.into_view())),
            ReportEntry::Stub(s) => ReportEntryRef::Stub(s.into_view()),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ReportEntryRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let report = ReportRef::deserialize(deserializer)?;
        let stub = match &report.extra {
            ExtraRef::Map(m) => is_stub(
                |f| report.has_field(f),
                m.iter().map(|(k, v)| (k.as_str(), v.is_null())),
            ),
            ExtraRef::Entries(e) => is_stub(
                |f| report.has_field(f),
                e.iter().map(|(k, v)| (k.as_str(), v.is_null())),
            ),
        };
        Ok(if stub {
            ReportEntryRef::Stub(ReportStubRef {
                id: report.id,
                extra: report.extra,
            })
        } else {
            ReportEntryRef::Report(Box::new(report))
        })
    }
}

impl Serialize for ReportEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ReportEntry::Report(r) => r.serialize(serializer),
            ReportEntry::Stub(s) => s.serialize(serializer),
        }
    }
}

meeting_wire::wire_object! {
    /// A meeting without a report: only its meeting number (a string on the wire), which
    /// repeats across occurrences, so a stub cannot be matched to one occurrence.
    pub struct ReportStub as ReportStubRef<'a> {
        /// 会议号: the meeting number.
        "id" => id: Id as IdRef<'a>,
    }
}

meeting_wire::wire_object! {
    /// A meeting's usage report.
    pub struct Report as ReportRef<'a> {
        /// 会议uuid: this occurrence's id (opaque; not always valid base64).
        "uuid" => uuid: MeetingUuid as Str<'a>,
        /// 会议号: the meeting number people type to join (a JSON number here).
        "id" => id: Id as IdRef<'a>,
        /// 类型: `"Past Meeting"`.
        "type" => meeting_type: String as Str<'a>,
        /// The shared room's account name (not a person); may carry trailing spaces (`"7 "`).
        "host" => host: String as Str<'a>,
        /// 会议室邮箱: the shared room's mailbox.
        "email" => email: String as Str<'a>,
        /// host类型: the account type, e.g. `"Corp"`.
        "user_type" => user_type: String as Str<'a>,
        /// 开始时间, UTC.
        "start_time" => start_time: UtcTime,
        /// 结束时间, UTC.
        "end_time" => end_time: UtcTime,
        /// 持续时间: `"6分钟"`, rounded **up** to the minute.
        "duration" => duration: VendorDuration,
        /// Phone audio was used.
        "has_pstn" => has_pstn: bool,
        /// Computer audio was used.
        "has_voip" => has_voip: bool,
        /// Third-party audio was used.
        "has_3rd_party_audio" => has_3rd_party_audio: bool,
        /// Video was used.
        "has_video" => has_video: bool,
        /// Screen sharing was used.
        "has_screen_share" => has_screen_share: bool,
        /// Recording (`0` in the samples).
        "recording" => recording: Flag,
        /// 参会人数: participants in the whole report, all pages.
        "participants_count" => participants_count: u64,
        /// Number of participant pages.
        "page_count" => page_count: u64,
        /// This participant page's number.
        "page_number" => page_number: u64,
        /// Participants per page (100).
        "page_size" => page_size: u64,
        /// 参会人信息: this page of participants.
        "participants" => participants: Vec<ReportParticipant> as Vec<ReportParticipantRef<'a>>,
    }
}

impl Completeness {
    /// From the participants listed and `participants_count`.
    fn of(listed: usize, count: Option<u64>) -> Completeness {
        let listed = listed as u64;
        match count {
            None => Completeness::Unknown,
            Some(total) if total > listed => Completeness::Truncated { listed, total },
            Some(_) => Completeness::Complete,
        }
    }
}

impl ReportRef<'_> {
    /// Whether the participant list is whole, as [`Report::completeness`].
    pub fn completeness(&self) -> Completeness {
        Completeness::of(
            self.participants.as_ref().map_or(0, Vec::len),
            self.participants_count,
        )
    }
}

/// Whether a report lists all of its participants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// Every participant is listed.
    Complete,
    /// `participants_count` exceeds the participants listed: the vendor paged them (100 per
    /// page) and documents no parameter for the next page.
    Truncated {
        /// Participants listed.
        listed: u64,
        /// `participants_count`.
        total: u64,
    },
    /// `participants_count` was not sent.
    Unknown,
}

impl Report {
    /// The participants listed (empty when absent or `null`).
    pub fn participants(&self) -> &[ReportParticipant] {
        self.participants.as_deref().unwrap_or_default()
    }

    /// Whether the participant list is whole; see [`Completeness`].
    pub fn completeness(&self) -> Completeness {
        Completeness::of(self.participants().len(), self.participants_count)
    }

    /// `true` unless the report says participants are missing.
    pub fn is_complete(&self) -> bool {
        !matches!(self.completeness(), Completeness::Truncated { .. })
    }
}

meeting_wire::wire_object! {
    /// One participant of a report.
    pub struct ReportParticipant as ReportParticipantRef<'a> {
        /// Participant id; may be empty (`""`).
        "id" => id: String as Str<'a>,
        /// User id.
        "user_id" => user_id: Id as IdRef<'a>,
        /// Display name.
        "user_name" => user_name: String as Str<'a>,
        /// Client device (`Windows`, `iOS`, ...).
        "device" => device: String as Str<'a>,
        /// Client IP address.
        "ip_address" => ip_address: String as Str<'a>,
        /// Country code (`CN`).
        "cn" => country: String as Str<'a>,
        /// City.
        "city" => city: String as Str<'a>,
        /// Network (`Wired`, `Wifi`, ...).
        "network_type" => network_type: String as Str<'a>,
        /// Joined, UTC.
        "join_time" => join_time: UtcTime,
        /// Left, UTC.
        "leave_time" => leave_time: UtcTime,
    }
}

/// Convenience for callers that built entries themselves.
impl From<Report> for ReportEntry {
    fn from(report: Report) -> Self {
        ReportEntry::Report(Box::new(report))
    }
}

impl From<ReportStub> for ReportEntry {
    fn from(stub: ReportStub) -> Self {
        ReportEntry::Stub(stub)
    }
}
