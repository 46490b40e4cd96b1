//! The vendor-neutral meeting schema (version 1), normalisation from the Systec and Quanshi
//! model crates, merging, saved-response records and streaming reading of saved dumps.
//!
//! ```text
//! bytes (wire or file) -> systec-model / quanshi-model types -> meeting_core::Meeting -> renderers
//! ```
//!
//! # The schema
//!
//! A [`Meeting`] is one Systec occurrence (or report stub) or one Quanshi reservation or
//! occurrence, serialised exactly as the design's "neutral schema, version 1": times are RFC
//! 3339 UTC (`2018-05-08T02:32:34Z`), money is exact (`{"amount": "0.12", "currency":
//! "CNY"}`), enums are lower-case words with `unknown` for codes the vendor does not
//! document. Absent values are omitted, never invented (empty lists too); reading a neutral
//! line back gives the same value. Its JSON Schema is [`json_schema::meeting_schema`]
//! (committed as `schema/meeting.v1.json`).
//!
//! # Two zones
//!
//! The **vendor zone** ([`Context`], default `Asia/Shanghai`, any IANA zone) is where
//! zone-less vendor times are read: only Systec `detail` sends those. ISO `Z` times
//! (`reports`, `hisMeeting`) are UTC and Quanshi's are Unix seconds, so the vendor zone does
//! not touch them. The **display zone** (the CLI's `--tz`) is a renderer's business: a
//! `Meeting` holds UTC only.
//!
//! Daylight saving: in a zone with DST (e.g. `America/New_York`), a zone-less time that
//! occurs twice (clocks went back) is read as the **earlier** instant, and one that never
//! occurs (clocks went forward) is read with the offset in force **before** the change
//! (02:30 on a spring-forward night in New York is 07:30Z, as if still EST). Either way the
//! meeting gets a warning naming the field and the choice; nothing panics.
//!
//! # Normalisation rules
//!
//! - **Keys**: `systec:<uuid>`; `systec:stub:<meeting number>` for report stubs (and any
//!   Systec record without a uuid); `quanshi:conference:<conferenceId>` (join-link
//!   reservations); `quanshi:temp:<tempConferenceId>` (dashboard occurrences).
//! - **Booked vs happened**: booked times go to `scheduled_*` (Quanshi join-link
//!   `startTime`/`endTime`/`length`; Systec `detail.duration`, in minutes, to
//!   `scheduled_duration_seconds`). What happened goes to `start`/`end` and
//!   `duration_seconds`, always measured as `end - start` (absent if either is missing or
//!   the end is before the start). Systec's rounded-up `"N分钟"` is `billed_minutes`.
//! - **Systec `detail.end_time`** is documented as the time the meeting was *deleted*. For a
//!   shared-room meeting that is when it was closed, and in the vendor's sample every
//!   participant and call lies between `start_time` and `end_time`; so it is read as `end`,
//!   and its presence makes the meeting `ended`. When a meeting is merged, the UTC `start`
//!   and `end` of `reports`/`hisMeeting` win over `detail`'s.
//! - **Shared rooms**: Systec `host`/`email` are the room's account, so they fill both `host`
//!   and `room` (trimmed: `"7 "` is `"7"`); `detail`'s `host_id` is `room.id`; `user_type`
//!   is `host.account_type`.
//! - **Status**: Systec `hisMeeting` and `reports` are `ended`, `detail` is `ended` when it
//!   has an `end_time` (else `unknown`), stubs are `unknown`. Quanshi join-link: 0
//!   `cancelled`, 1 (created) `scheduled`, 4 `ended`; dashboard: 2 `live`, 4 `ended`. Any
//!   other code is `unknown` (the raw code kept in `vendor_extra`), never an error.
//! - **Participants**: Quanshi `userType` 1/2/3 is `kind` internal/external/phone and
//!   `status` W/A/R is `invitation` confirmed/accepted/rejected; Systec participants are
//!   `kind: unknown` with no invitation. `duration_seconds` is `leave - join`.
//! - **Truncated reports**: a report whose `participants_count` exceeds the participants
//!   listed gets the warning `participants truncated: <listed> of <count> listed`.
//! - **Money**: phone-call costs are exact decimals in CNY; [`Meeting::phone_cost`] sums
//!   them exactly.
//! - **Dashboard counts**: `voipCnt`, `pstnCnt`, `videoCnt`, `desktopCnt`, `mcuCnt`,
//!   `boxCnt` are `connections.voip/pstn/video/screen_share/hardware/box`; `attendeeCnt` is
//!   `participant_count`; `stopTime: 0` means not ended (no `end`).
//! - **Text**: names, hosts, topics and ids are trimmed; empty strings are absent.
//! - **Secrets never reach a `Meeting`**: meeting passwords (`pcode1`, `pcode2`), host links
//!   (`hostJoinUrl`), the phone-bridge link (`wcallurl`), the live-stream password and link
//!   (`livePullPwd`, `livePullUrl`), the join passphrase (`calExtraInfo.eventWatchword`), the
//!   attendee links (`attendeeJoinUrl`, `webRTCUrl`, which admit anyone) and credentials are
//!   dropped — also from `vendor_extra`, at any depth, together with any field whose name
//!   says password, secret, token or join URL ([`meeting_wire::secret_key::is_secret_key`]).
//! - **`vendor_extra`**: every other field of a record the schema does not map, verbatim,
//!   under its source (`"systec.detail": {"is_extra": 0}`); per-item fields of lists
//!   (participants, attendees, calls, rooms) as an array parallel to the vendor's list, kept
//!   only when some item has any. Envelope and page fields (`status`, `message`, request
//!   ids, paging) describe a response, not a meeting, and are not kept.
//!
//! # Merging, saved responses, dumps
//!
//! - [`merge`](mod@merge): records of one Systec occurrence from several endpoints become
//!   one; the conflict rule of every field is in the module docs.
//! - [`SavedResponse`]: the CLI's `--save-raw` record.
//! - [`read_dump`]: a streaming iterator of meetings from any dump form, gzip or not.
//!
//! # Example
//!
//! ```
//! use meeting_core::{merge::merge, read_dump, DumpOptions, Source, Status};
//!
//! let dump = r#"
//! {"status":200,"message":"OK","data":{"total_page":1,"page_number":1,"has_next_page":false,
//!  "meetings":[{"uuid":"xQi0Q/qxQr2iNGdamVfpGg==","host_id":"ROOM-7","meeting_id":"1571106323",
//!   "topic":"Weekly","start_time":"2018-05-08 10:32:00","duration":60,
//!   "end_time":"2018-05-08 10:40:00","is_extra":0,
//!   "telephony_usage":[{"phone_number":"+8613716819201","type":"call-out",
//!     "start_time":"2018-05-08 10:33:00","end_time":"2018-05-08 10:35:00","duration":2,"total":0.12}]}]}}
//! {"status":200,"message":"OK","data":[{"uuid":"xQi0Q/qxQr2iNGdamVfpGg==","id":1571106323,
//!  "type":"Past Meeting","host":"7 ","email":"shareroom7@systec.com.cn",
//!  "start_time":"2018-05-08T02:32:34Z","end_time":"2018-05-08T02:37:38Z","duration":"6分钟",
//!  "participants_count":150,"participants":[]}]}
//! "#;
//! let meetings: Vec<_> = read_dump(dump.as_bytes(), DumpOptions::default())
//!     .collect::<Result<_, _>>()?;
//! let merged = merge(meetings);
//! assert_eq!(merged.len(), 1);
//! let m = &merged[0];
//! assert_eq!(m.sources, [Source::SystecDetail, Source::SystecReports]);
//! assert_eq!(m.topic.as_deref(), Some("Weekly")); // from detail
//! assert_eq!(m.room.as_ref().unwrap().id.as_deref(), Some("ROOM-7")); // detail's host_id
//! assert_eq!(m.host.as_ref().unwrap().name.as_deref(), Some("7")); // trimmed, from reports
//! assert_eq!(m.start.unwrap().to_rfc3339(), "2018-05-08T02:32:34+00:00"); // reports wins
//! assert_eq!(m.duration_seconds, Some(304));
//! assert_eq!(m.billed_minutes, Some(6));
//! assert_eq!(m.status, Status::Ended);
//! assert_eq!(m.phone_calls[0].cost.as_ref().unwrap().amount.to_string(), "0.12");
//! assert_eq!(m.warnings, ["participants truncated: 0 of 150 listed"]);
//! assert_eq!(
//!     serde_json::to_value(&m.phone_calls[0].cost)?,
//!     serde_json::json!({"amount": "0.12", "currency": "CNY"})
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Feature `time`: the time fields as `time::OffsetDateTime` (`Meeting::start_time()`, ...).
#![forbid(unsafe_code)]

pub mod aggregate;
mod context;
pub mod dump;
pub mod identity;
pub mod inputs;
pub mod json_schema;
pub mod meeting_summary;
pub mod merge;
mod model;
pub mod normalize;
pub mod query;
pub mod run;
mod saved;
#[cfg(test)]
mod test_order;
#[cfg(feature = "time")]
mod time_conv;

pub use context::{Context, DEFAULT_VENDOR_ZONE, UnknownZone};
pub use dump::{DumpError, DumpErrorKind, DumpOptions, DumpReader, DumpStats, Position, read_dump};
pub use meeting_summary::{MeetingSummary, Persons, RULES_VERSION};
pub use model::{
    Approval, BookedRoom, CallDirection, Connections, Device, ExtraFields, Features, Host,
    Invitation, Meeting, Money, OLDEST_SCHEMA_VERSION, Participant, ParticipantKind, PhoneCall,
    ReportState, Room, RoomRole, SCHEMA_VERSION, STUB_KEY_PREFIX, Source, Status, UnknownSource,
    Vendor, is_stub_key,
};
pub use normalize::Normalize;
pub use saved::{SAVED_RESPONSE_VERSION, SavedResponse};
#[cfg(feature = "time")]
pub use time_conv::to_offset_date_time;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
