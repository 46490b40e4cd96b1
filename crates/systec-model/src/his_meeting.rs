//! POST `umeeting/share/hisMeeting` — past meetings in a date range
//! (历史会议详情接口): one record per occurrence, so a meeting number can appear many times.
//!
//! `from` and `to` are required, and a window longer than one month silently returns only the
//! last month: split ranges with [`month_windows`](crate::month_windows).

use meeting_wire::{Flag, Id, IdRef, Str};

use crate::envelope::{EndpointData, Envelope, Error};
use crate::request::{Credentials, Form, RequestError};
use crate::{DateWindow, Endpoint, MeetingUuid, UtcTime, VendorDuration};

/// The response body of `hisMeeting`.
pub type HisMeetingResponse = Envelope<Vec<HisMeeting>>;

impl EndpointData for Vec<HisMeeting> {
    const ENDPOINT: Endpoint = Endpoint::HisMeeting;
}

crate::request::api_request!(HisMeetingQuery, SystecHisMeeting, Vec<HisMeeting>);

/// Parses a `hisMeeting` response body.
///
/// # Errors
/// See [`Envelope::from_slice`].
pub fn parse_response(bytes: &[u8]) -> Result<HisMeetingResponse, Error> {
    HisMeetingResponse::from_slice(bytes)
}

/// The parameters of `hisMeeting`: a date window (both ends required).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct HisMeetingQuery {
    /// The inclusive date range.
    pub window: DateWindow,
}

impl HisMeetingQuery {
    /// A query for `window`. It may be longer than a month, but the vendor would then serve
    /// only the last month: check [`DateWindow::is_compliant`] or split it first.
    pub fn new(window: DateWindow) -> Self {
        HisMeetingQuery { window }
    }

    /// The form body.
    ///
    /// # Errors
    /// None today; fallible like the other queries so that validation can grow.
    pub fn to_form(&self, credentials: &Credentials) -> Result<Form, RequestError> {
        Ok(Form::new(
            credentials,
            vec![
                ("from", self.window.from().format("%Y-%m-%d").to_string()),
                ("to", self.window.to().format("%Y-%m-%d").to_string()),
            ],
        ))
    }
}

meeting_wire::wire_object! {
    /// One past meeting occurrence.
    pub struct HisMeeting as HisMeetingRef<'a> {
        /// This occurrence's id (opaque: the sample's are not valid base64).
        "uuid" => uuid: MeetingUuid as Str<'a>,
        /// The meeting number (repeats across occurrences).
        "id" => id: Id as IdRef<'a>,
        /// The shared room's account name; may carry trailing spaces.
        "host" => host: String as Str<'a>,
        /// The shared room's mailbox.
        "email" => email: String as Str<'a>,
        /// Account type, e.g. `"Corp"`.
        "user_type" => user_type: String as Str<'a>,
        /// Start, UTC.
        "start_time" => start_time: UtcTime,
        /// End, UTC.
        "end_time" => end_time: UtcTime,
        /// `"9分钟"`, rounded up to the minute.
        "duration" => duration: VendorDuration,
        /// The number of participants (a count here, not a list).
        "participants" => participants: u64,
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
    }
}
