//! Typed, lossless model of the Quanshi (全时) conference open API.
//!
//! Two endpoints are modelled, one file each:
//!
//! - [`conference_by_join_url`]: a scheduled conference's details by the attendee's short
//!   join link (path undocumented: it must be configured);
//! - [`dashboard_conference_info`]: one conference's statistics by temporary conference id
//!   (`confopenapi/admin/dashboard/conference/info`).
//!
//! Every Quanshi call is a POST with a JSON body; the `token` goes in the `token` header
//! ([`TokenPlacement::Header`], the default) or in the body ([`TokenPlacement::Body`]).
//! Neither the base URL nor how a token is obtained is documented: both are configuration.
//! This crate does no I/O: requests become JSON ([`Request::to_json`], [`Request::body`]),
//! response bytes become types ([`Envelope::from_slice`], the `parse_response` functions).
//!
//! # Faithful and lossless
//!
//! Every documented field is typed (all `Option`: the vendor omits things); every field the
//! docs do not name, and every explicit `null`, is kept in the object's `extra` map, so
//! serialising a parsed response gives back the same JSON value. Ids and times keep the form
//! (number or string) they arrived in. Vendor codes are open enums with an `Unknown` variant.
//!
//! # Secrets
//!
//! Meeting passwords, host links, the phone-bridge link, the live-stream password and the
//! join passphrase are [`Secret`]s (`Debug` prints `<redacted>`);
//! attendee links are [`JoinLink`]s (`Debug`/`Display` show only the host and a short
//! prefix). Both serialise exactly, so keep parsed values out of logs only through `Debug`.
//!
//! # Borrowed views
//!
//! Each wire object of both endpoints has a borrowed companion declared from the same field
//! list (`Conference as ConferenceRef<'a>`, `Attendee`, `Device`, `DetailHouse`,
//! `SubDevice`, `DashboardConference`): strings borrowed from the input unless escaped, for
//! the fast offline parse ([`envelope_result`], [`ConferenceListRef`](conference_by_join_url::ConferenceListRef)).
//! Secrets are [`SecretRef`](meeting_wire::SecretRef)s and links [`JoinLinkRef`]s in the
//! views, redacted and masked in `Debug` as in the owned types (the live-stream link
//! `livePullUrl` is a [`JoinLink`] in both).
//! `calExtraInfo` stays the owned [`CalExtraInfo`] in the view (small, and holding the
//! join passphrase). A view accepts exactly what its owned type accepts, and serialises to
//! the same JSON value.
//!
//! # Decisions where the docs are ambiguous
//!
//! - `result` of the join-link endpoint is an array in the sample but "json字符串" in the
//!   table: both are accepted ([`Embedded`]) and the form received is written back.
//! - `billingCode` (table) and `billingcode` (sample) are two typed fields;
//!   [`Conference::billing_code`] returns whichever is present (`billingCode` first).
//! - `ApprovalStatus` (sample) and `ApplyStatus` (table) of `detailHouseList` are two typed
//!   fields; [`DetailHouse::approval`] prefers `ApprovalStatus`.
//! - `calExtraInfo.labels` is decoded from its string; an empty string is an empty list;
//!   invalid JSON inside it is a decode error located at `...calExtraInfo.labels`.
//! - `Location`/`Floor` accept a number or a string ([`NumberOrText`]).
//! - `stopTime` 0 means "still running": [`DashboardConference::stopped_at`] is `None`, and
//!   the raw 0 is kept.
//! - An envelope without `status` is a decode error; a non-zero `status` is
//!   [`Error::Vendor`] whatever shape its `result` has.
//! - A `timezone` that `chrono-tz` does not know is kept as text, not an error.
//!
//! # Example
//!
//! ```
//! use quanshi_model::{dashboard_conference_info, DashboardStatus};
//!
//! // A saved response of the dashboard endpoint.
//! let body = br#"{
//!   "status": 0,
//!   "result": {"tempConferenceId": "56039682", "pcode2": "123456", "startTime": 1715600000,
//!              "stopTime": 0, "status": 2, "isRecord": null, "confDuration": 3600},
//!   "msg": "success",
//!   "request_id": "rtsas-172371014-1774514768.581757447.258",
//!   "timestamp": 1774514768581,
//!   "request_duration": "68.5ms"
//! }"#;
//! let resp = dashboard_conference_info::parse_response(body)?;
//! let conf = resp.result.as_ref().expect("documented result");
//! assert_eq!(conf.status, Some(DashboardStatus::Running));
//! assert_eq!(conf.stopped_at(), None); // stopTime 0: not ended yet
//! assert_eq!(conf.is_record(), None); // null
//! assert_eq!(resp.request_duration.as_ref().and_then(|d| d.as_duration()),
//!            Some(std::time::Duration::from_micros(68_500)));
//! assert!(!format!("{conf:?}").contains("123456")); // the password is redacted
//!
//! // Lossless: the same JSON value comes back, `"isRecord": null` included.
//! let again = serde_json::to_value(&resp).expect("serialises");
//! assert_eq!(again, serde_json::from_slice::<serde_json::Value>(body).expect("json"));
//!
//! // A vendor error is an error, with the vendor's status and message.
//! let err = dashboard_conference_info::parse_response(
//!     br#"{"status": 40001, "msg": "token invalid", "result": "", "reqid": "r-9"}"#,
//! ).unwrap_err();
//! assert_eq!(err.to_string(), "Quanshi `dashboard_conference_info` answered status 40001: token invalid (request id r-9)");
//! # Ok::<(), quanshi_model::Error>(())
//! ```
#![forbid(unsafe_code)]

mod auth;
pub mod conference_by_join_url;
pub mod dashboard_conference_info;
mod duration;
mod embedded;
mod envelope;
mod error;
mod link;
mod request;
mod scalar;
mod time;

pub use auth::{TOKEN_FIELD, Token, TokenPlacement};
pub use conference_by_join_url::{
    ApprovalStatus, Attendee, AttendeeStatus, CalExtraInfo, CalType, ConfMode, ConfNodeType,
    Conference, ConferenceByJoinUrlRequest, ConferenceByJoinUrlResponse, ConferenceList,
    ConferenceStatus, DetailHouse, Device, DeviceType, JoinLogin, RoomRole, SubDevice, UserType,
};
pub use dashboard_conference_info::{
    DashboardConference, DashboardConferenceInfoRequest, DashboardConferenceInfoResponse,
    DashboardStatus,
};
pub use duration::RequestDuration;

/// The dashboard endpoint's documented path, relative to the base URL (no leading slash);
/// the same as [`dashboard_conference_info::PATH`]. The join-link endpoint's path is not
/// documented and has no constant: it must be configured.
pub const DASHBOARD_CONFERENCE_INFO_PATH: &str = dashboard_conference_info::PATH;
pub use embedded::Embedded;
pub use envelope::{Envelope, Payload, envelope_result};
pub use error::{Error, VendorError};
pub use link::{JoinLink, JoinLinkRef};
pub use meeting_wire::{DecodeError, Extra, Flag, Id, Secret};
pub use request::{Auth, Request};
pub use scalar::{NumberOrText, NumberOrTextRef};
pub use time::{TimeError, UnixMillis, UnixSeconds, ZoneName};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
