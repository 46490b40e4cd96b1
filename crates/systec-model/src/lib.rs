//! Typed, lossless model of the **Systec Cloud UMeeting** shared-room API: the `reports`,
//! `detail` and `hisMeeting` endpoints.
//!
//! Pure data and parsers: no I/O, no async, no HTTP client. Use it to read a saved response,
//! to build a request body, or under the `meeting-http` client.
//!
//! - **Faithful**: every documented field is typed; the vendor's own spellings are kept
//!   (`"6分钟"`, zone-less local times, ids as numbers *or* strings).
//! - **Lossless**: fields the docs do not name are kept in each object's `extra`, and every
//!   value keeps its wire form, so parsing then serialising gives back the same JSON value.
//! - **Located errors**: a failure names the JSON path, line and column and what was
//!   expected; a failure answer from the vendor is an [`Error::Vendor`], never a decode error.
//! - **Fast**: the fixed-width wire times are parsed from bytes, objects are parsed by
//!   hand-written visitors (no `#[serde(flatten)]` buffering).
//!
//! ```
//! use systec_model::{detail, ReportEntry};
//!
//! let body = br#"{"status":200,"message":"OK","data":{"from":"2017-8-31","to":"2017-09-01",
//!   "total_record":1,"total_page":1,"page_number":1,"page_size":30,
//!   "has_previous_page":false,"has_next_page":false,"meetings":[{
//!     "uuid":"dgvOvqWVRUWjrEOS2YI2ig==","host_id":"ROOM-7","meeting_id":"1790001234",
//!     "topic":"Hello world!","start_time":"2017-08-31 00:00:00","duration":120,
//!     "end_time":"2017-08-31 01:00:00","is_extra":0,
//!     "telephony_usage":[{"phone_number":"+8613716819201","type":"call-out",
//!       "start_time":"2017-08-31 00:51:00","end_time":"2017-08-31 00:53:00",
//!       "duration":2,"total":0.12}]}]}}"#;
//!
//! let page = detail::parse_response(body)?.data;
//! let meeting = &page.meetings()[0];
//! assert_eq!(meeting.meeting_id.as_ref().unwrap().to_string(), "1790001234");
//! assert_eq!(meeting.duration, Some(120)); // scheduled minutes, not measured
//! let cost = meeting.telephony_usage()[0].total.as_ref().unwrap().amount();
//! assert_eq!(cost.to_string(), "0.12"); // exact
//! assert!(page.is_last_page());
//!
//! // A failure answer is an error of its own kind, whatever its `data` holds.
//! let err = detail::parse_response(br#"{"status":401,"message":"bad key","data":null}"#)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "systec.detail failed: the vendor answered status 401: bad key");
//! # Ok::<(), systec_model::Error>(())
//! ```
//!
//! The one-month limit of the date-range endpoints is defined once, in [`window`]: see
//! [`month_windows`].
//!
//! Feature `time`: conversions of the wire times to the `time` crate's types.
#![forbid(unsafe_code)]

pub mod detail;
mod duration;
mod envelope;
pub mod his_meeting;
mod money;
pub mod reports;
mod request;
pub mod scan;
mod time;
pub mod window;

pub use detail::{
    CallType, DetailMeeting, DetailPage, DetailParticipant, DetailQuery, DetailResponse,
    TelephonyUsage,
};
pub use duration::{VendorDuration, billed_minutes};
pub use envelope::{EndpointData, Envelope, Error, STATUS_OK, VendorError, envelope_data};
pub use his_meeting::{HisMeeting, HisMeetingQuery, HisMeetingResponse};
pub use meeting_wire::{DecodeError, Extra, Flag, Id, Secret};
pub use money::{MoneyError, Yuan};
pub use reports::{
    Completeness, Report, ReportEntry, ReportParticipant, ReportStub, ReportsQuery, ReportsResponse,
};
pub use request::{Credentials, DEFAULT_BASE_URL, Endpoint, Form, RequestError};
/// The zone in which the vendor's zone-less times (`detail`'s `start_time`, ...) and its date
/// parameters are read unless configured otherwise: the vendor is in mainland China. The
/// one definition: the client, the simulator and normalisation all default to it.
pub const DEFAULT_VENDOR_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

pub use time::{LocalResolution, LocalTime, TimeParseError, UtcTime, WireDate, resolve_local};
pub use window::{DateWindow, MonthWindows, WindowError, month_windows};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A meeting occurrence's UUID (`"xQi0Q/qxQr2iNGdamVfpGg=="`).
///
/// Opaque: base64-like, with `/`, `+` and `=` (percent-encoded in form bodies), but not
/// always valid base64 (the `hisMeeting` sample's are not), so it is never decoded.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MeetingUuid(String);

impl MeetingUuid {
    /// The UUID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for MeetingUuid {
    fn from(s: &str) -> Self {
        MeetingUuid(s.to_owned())
    }
}

impl From<String> for MeetingUuid {
    fn from(s: String) -> Self {
        MeetingUuid(s)
    }
}

impl<'a> meeting_wire::ViewOf<'a, MeetingUuid> for meeting_wire::Str<'a> {
    fn view_of(owned: &'a MeetingUuid) -> Self {
        meeting_wire::Str::borrowed(&owned.0)
    }
}

impl meeting_wire::IntoView<MeetingUuid> for meeting_wire::Str<'static> {
    fn into_view(owned: MeetingUuid) -> Self {
        meeting_wire::Str(std::borrow::Cow::Owned(owned.0))
    }
}

impl fmt::Display for MeetingUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for MeetingUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MeetingUuid({:?})", self.0)
    }
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
