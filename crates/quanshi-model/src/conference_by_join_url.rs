//! POST (path undocumented) — a scheduled conference's details, looked up by the attendee's
//! short join link (doc: `quanshi-conference-by-join-url.md`, "通过参会人入会短链接获取会议详情").
//!
//! The doc's "接口名称" (path) is empty: this crate has no constant for it, and clients must
//! have it configured (see [`ConferenceByJoinUrlRequest`]).

use crate::embedded::Embedded;
use crate::envelope::{Envelope, Payload};
use crate::error::Error;
use crate::link::{JoinLink, JoinLinkRef};
use crate::request::Request;
use crate::scalar::{NumberOrText, NumberOrTextRef};
use crate::time::{UnixSeconds, ZoneName};
use meeting_wire::{Flag, Id, IdRef, Secret, SecretRef, Str, open_enum, wire_object};
use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use std::fmt;

/// This endpoint's name in errors.
pub const ENDPOINT: &str = "conference_by_join_url";

/// The request: `{"attendeeJoinUrl": "..."}`.
///
/// The doc gives no path for this endpoint ("接口名称" is empty), so there is no path
/// constant: [`Request::PATH`] is `None` and the HTTP client must be configured with it.
///
/// ```
/// use quanshi_model::{ConferenceByJoinUrlRequest, Request, Token, TokenPlacement};
/// let req = ConferenceByJoinUrlRequest::new("https://mtest.qsh1.cn/k/mkIW3Txa0Uk");
/// assert_eq!(req.to_json(), serde_json::json!({"attendeeJoinUrl": "https://mtest.qsh1.cn/k/mkIW3Txa0Uk"}));
/// let body = req.body(&Token::new("t"), TokenPlacement::Body);
/// assert_eq!(body["token"], "t");
/// assert_eq!(ConferenceByJoinUrlRequest::PATH, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct ConferenceByJoinUrlRequest {
    /// `attendeeJoinUrl`: the attendee's short join link (required).
    pub attendee_join_url: JoinLink,
}

impl ConferenceByJoinUrlRequest {
    /// A request for the conference behind `attendee_join_url`.
    pub fn new(attendee_join_url: impl Into<JoinLink>) -> Self {
        ConferenceByJoinUrlRequest {
            attendee_join_url: attendee_join_url.into(),
        }
    }
}

impl Request for ConferenceByJoinUrlRequest {
    const ENDPOINT: &'static str = ENDPOINT;
    const PATH: Option<&'static str> = None;
    type Result = ConferenceList;

    fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert(
            "attendeeJoinUrl".to_owned(),
            serde_json::Value::String(self.attendee_join_url.expose().to_owned()),
        );
        serde_json::Value::Object(map)
    }
}

impl meeting_wire::ApiRequest for ConferenceByJoinUrlRequest {
    const ENDPOINT: meeting_wire::Source = meeting_wire::Source::QuanshiConference;
    const ENCODING: meeting_wire::Encoding = meeting_wire::Encoding::Json;
    type Auth = crate::request::Auth;
    type Response = Envelope<ConferenceList>;
    type EncodeError = serde_json::Error;

    fn encode(
        &self,
        auth: &crate::request::Auth,
    ) -> Result<meeting_wire::Encoded, serde_json::Error> {
        crate::request::encode(
            self,
            auth,
            vec![(
                "attendeeJoinUrl".to_owned(),
                self.attendee_join_url.masked(),
            )],
        )
    }

    fn parse_response(bytes: &[u8]) -> Result<Self::Response, meeting_wire::ResponseError> {
        <Self as Request>::parse_response(bytes).map_err(crate::request::response_error)
    }
}

/// The whole response of this endpoint.
pub type ConferenceByJoinUrlResponse = Envelope<ConferenceList>;

/// The response's `result`: the conferences found, as a JSON array (the sample) or a JSON
/// string holding that array (the field table's "json字符串"). Both are accepted and the form
/// received is kept, so it serialises back unchanged.
pub type ConferenceList = Embedded<Vec<Conference>>;

impl Payload for ConferenceList {
    const ENDPOINT: &'static str = ENDPOINT;
}

/// The borrowed view of a [`ConferenceList`] (the fast parse of `result`): a JSON array is
/// parsed into borrowed [`ConferenceRef`]s; a JSON string holding the array (the table's
/// "json字符串") is decoded as [`Embedded`] decodes it, into owned conferences, and viewed
/// (their strings cannot borrow from the input's unescaped copy). It accepts exactly what
/// `ConferenceList` accepts.
#[derive(Clone, Debug, Default)]
pub struct ConferenceListRef<'a> {
    /// The conferences.
    pub conferences: Vec<ConferenceRef<'a>>,
}

impl Embedded<Vec<Conference>> {
    /// The borrowed view of this list.
    pub fn view(&self) -> ConferenceListRef<'_> {
        ConferenceListRef {
            conferences: self.value().iter().map(Conference::view).collect(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ConferenceListRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ConferenceListRef<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON, or a string holding JSON")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ConferenceListRef<'a>, E> {
                let owned = crate::embedded::decode_text::<Vec<Conference>, E>(v)?;
                Ok(ConferenceListRef {
                    conferences: owned.into_iter().map(Conference::into_view).collect(),
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<ConferenceListRef<'a>, A::Error> {
                Vec::<ConferenceRef<'a>>::deserialize(SeqAccessDeserializer::new(seq))
                    .map(|conferences| ConferenceListRef { conferences })
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Parses a response body of this endpoint.
///
/// ```
/// let body = br#"{"status":0,"result":"[{\"conferenceId\":\"239719428\",\"status\":4}]","reqid":"r-1"}"#;
/// let resp = quanshi_model::conference_by_join_url::parse_response(body)?;
/// let conferences = resp.result.as_ref().map(|r| r.value().as_slice()).unwrap_or_default();
/// assert_eq!(conferences[0].status, Some(quanshi_model::ConferenceStatus::Ended));
/// assert_eq!(resp.request_id(), Some("r-1"));
/// # Ok::<(), quanshi_model::Error>(())
/// ```
///
/// # Errors
/// [`Error::Vendor`] for a non-zero `status`, [`Error::Decode`] for a body of the wrong
/// shape.
pub fn parse_response(bytes: &[u8]) -> Result<ConferenceByJoinUrlResponse, Error> {
    Envelope::from_slice(bytes)
}

open_enum! {
    /// A scheduled conference's state (`result[].status`); not the envelope's status, and
    /// not the dashboard's [`DashboardStatus`](crate::DashboardStatus).
    pub enum ConferenceStatus: i64 {
        /// 0: 已取消, cancelled.
        Cancelled = 0,
        /// 1: 已创建, created (scheduled).
        Created = 1,
        /// 4: 已结束, ended.
        Ended = 4,
    }
}

open_enum! {
    /// `confMode`: the kind of conference.
    pub enum ConfMode: i64 {
        /// 0: 视频会议, video conference (the default).
        Video = 0,
        /// 1: 数据会议, data conference.
        Data = 1,
    }
}

open_enum! {
    /// `calType`: single or recurring.
    pub enum CalType: str {
        /// `E`: 单场会议, a single conference.
        Single = "E",
        /// `M`: 周期会议, a recurring conference.
        Recurring = "M",
    }
}

open_enum! {
    /// `confNodeType`: the conference node type.
    pub enum ConfNodeType: i64 {
        /// 0: 保密会议, confidential (the default).
        Confidential = 0,
        /// 1: 标准会议, standard.
        Standard = 1,
    }
}

open_enum! {
    /// `joinLogin`: whether attendees must log in before joining.
    pub enum JoinLogin: i64 {
        /// 0: no login needed (the default): anyone with the attendee link can join.
        NotRequired = 0,
        /// 1: attendees must log in first.
        Required = 1,
    }
}

open_enum! {
    /// `attendList[].userType`.
    pub enum UserType: i64 {
        /// 1: 内部参会人, internal attendee.
        Internal = 1,
        /// 2: 外部参会人, external attendee.
        External = 2,
        /// 3: 电话参会人, phone attendee.
        Phone = 3,
    }
}

open_enum! {
    /// `attendList[].status`: the attendee's answer to the invitation.
    pub enum AttendeeStatus: str {
        /// `W`: 已确认, confirmed.
        Confirmed = "W",
        /// `A`: 已接受, accepted.
        Accepted = "A",
        /// `R`: 拒绝, rejected.
        Rejected = "R",
    }
}

open_enum! {
    /// `DeviceType` (and `ParentDeviceType`) of a room row.
    pub enum DeviceType: i64 {
        /// 2: 会议室, a meeting room.
        Room = 2,
        /// 3: 会议室关联的设备, a device of a room.
        RoomDevice = 3,
    }
}

open_enum! {
    /// `IsMainRoom`: the room's role in the conference.
    pub enum RoomRole: i64 {
        /// 0: 默认值, unspecified (one conference booking several rooms through openapi).
        Unspecified = 0,
        /// 1: 主会场, the main venue.
        Main = 1,
        /// 2: 分会场, a branch venue.
        Branch = 2,
    }
}

open_enum! {
    /// `ApprovalStatus` / `ApplyStatus`: the room booking's approval state.
    pub enum ApprovalStatus: i64 {
        /// 0: 待审核, pending.
        Pending = 0,
        /// 1: 未批准, not approved.
        NotApproved = 1,
        /// 2: 已批准, approved.
        Approved = 2,
        /// 3: 会议室被取消, the room was cancelled.
        RoomCancelled = 3,
    }
}

wire_object! {
    /// One conference of `result`.
    ///
    /// The doc's table and sample disagree in places; both forms are accepted and kept:
    /// `billingCode` (table) and `billingcode` (sample) are two fields, read with
    /// [`Conference::billing_code`]; `eventId`, `startTime`, `endTime` are strings in the
    /// table and numbers in the sample.
    pub struct Conference as ConferenceRef<'a> {
        /// `conferenceId`: 预约会议ID, the conference id (what people type to join).
        "conferenceId" => conference_id: Id as IdRef<'a>,
        /// `pcode1`: 会议主持人密码, the host password. Secret.
        "pcode1" => pcode1: Secret as SecretRef<'a>,
        /// `pcode2`: 会议参会人密码, the attendee password. Secret.
        "pcode2" => pcode2: Secret as SecretRef<'a>,
        /// `billingCode` as the table spells it; see [`Conference::billing_code`].
        "billingCode" => billing_code_camel: String as Str<'a>,
        /// `billingcode` as the sample spells it; see [`Conference::billing_code`].
        "billingcode" => billing_code_lower: String as Str<'a>,
        /// `eventId`: 预约会议对应的日程ID, the calendar event id (number or string).
        "eventId" => event_id: Id as IdRef<'a>,
        /// `attendeeJoinUrl`: 参会人入会链接, the attendee join link (masked in `Debug`).
        "attendeeJoinUrl" => attendee_join_url: JoinLink as JoinLinkRef<'a>,
        /// `hostJoinUrl`: 主持人入会连接, joins as host. Secret.
        "hostJoinUrl" => host_join_url: Secret as SecretRef<'a>,
        /// `wcallurl`: 云会议电话会议链接, the phone-bridge link. Secret.
        "wcallurl" => wcallurl: Secret as SecretRef<'a>,
        /// `hostId`: 主持人userId (number or string).
        "hostId" => host_id: Id as IdRef<'a>,
        /// `hostName`: 主持人姓名.
        "hostName" => host_name: String as Str<'a>,
        /// `hostMobile`: 主持人手机.
        "hostMobile" => host_mobile: String as Str<'a>,
        /// `startTime`: scheduled start, Unix seconds (number or string).
        "startTime" => start_time: UnixSeconds,
        /// `endTime`: scheduled end, Unix seconds (number or string).
        "endTime" => end_time: UnixSeconds,
        /// `length`: 会议时长, the scheduled length in **minutes**.
        "length" => length: i64,
        /// `status`: the conference's state (0 cancelled, 1 created, 4 ended).
        "status" => status: ConferenceStatus,
        /// `title`: 会议标题.
        "title" => title: String as Str<'a>,
        /// `confMode`: 0 video, 1 data.
        "confMode" => conf_mode: ConfMode,
        /// `calType`: `E` single, `M` recurring.
        "calType" => cal_type: CalType,
        /// `roomId`: 会议室id (empty when none).
        "roomId" => room_id: Id as IdRef<'a>,
        /// `attendList`: the invited attendees.
        "attendList" => attend_list: Vec<Attendee> as Vec<AttendeeRef<'a>>,
        /// `livePullUrl`: 直播链接, the live-stream link (masked in `Debug`, as a join link).
        "livePullUrl" => live_pull_url: JoinLink as JoinLinkRef<'a>,
        /// `livePullPwd`: 入直播密码, the live-stream password. Secret.
        "livePullPwd" => live_pull_pwd: Secret as SecretRef<'a>,
        /// `CreateTime` (capitalised on the wire): when it was booked, Unix seconds.
        "CreateTime" => create_time: UnixSeconds,
        /// `modifyTime`: when it was last changed, Unix seconds.
        "modifyTime" => modify_time: UnixSeconds,
        /// `timezone`: the conference's IANA zone (`Asia/Shanghai`); an unknown name is kept.
        "timezone" => timezone: ZoneName as Str<'a>,
        /// `joinLogin`: whether attendees must log in first.
        "joinLogin" => join_login: JoinLogin,
        /// `joinConfSelTag`: 是否入会选择标签配置, whether joiners pick a tag (0/1).
        "joinConfSelTag" => join_conf_sel_tag: Flag,
        /// `joinConfTags`: 入会标签字符串, comma-separated tags; see [`Conference::join_conf_tags`].
        "joinConfTags" => join_conf_tags: String as Str<'a>,
        /// `webRTCUrl`: the WebRTC attendee join link (masked in `Debug`).
        "webRTCUrl" => web_rtc_url: JoinLink as JoinLinkRef<'a>,
        /// `calExtraInfo`: 会议设置参数, settings (may be `{}`).
        "calExtraInfo" => cal_extra_info: CalExtraInfo,
        /// `confNodeType`: 0 confidential, 1 standard.
        "confNodeType" => conf_node_type: ConfNodeType,
        /// `houseList`: 会议室列表, the booked rooms.
        "houseList" => house_list: Vec<Device> as Vec<DeviceRef<'a>>,
        /// `equipList`: 设备列表, the booked devices.
        "equipList" => equip_list: Vec<Device> as Vec<DeviceRef<'a>>,
        /// `detailHouseList`: the booked rooms with their devices (may be `null`).
        "detailHouseList" => detail_house_list: Vec<DetailHouse> as Vec<DetailHouseRef<'a>>,
    }
}

impl Conference {
    /// The billing code, whichever spelling was sent (`billingCode`, else `billingcode`).
    pub fn billing_code(&self) -> Option<&str> {
        self.billing_code_camel
            .as_deref()
            .or(self.billing_code_lower.as_deref())
    }

    /// The scheduled length as a duration (`length` is in minutes); `None` when absent or
    /// negative.
    pub fn length_duration(&self) -> Option<std::time::Duration> {
        let minutes = u64::try_from(self.length?).ok()?;
        Some(std::time::Duration::from_secs(minutes.checked_mul(60)?))
    }

    /// The join tags, split at commas, trimmed, empty ones dropped.
    pub fn join_conf_tags(&self) -> Vec<&str> {
        self.join_conf_tags
            .as_deref()
            .unwrap_or("")
            .split([',', '，'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

wire_object! {
    /// One invited attendee (`attendList[]`).
    pub struct Attendee as AttendeeRef<'a> {
        /// `user`: 参会人id.
        "user" => user: Id as IdRef<'a>,
        /// `userType`: 1 internal, 2 external, 3 phone.
        "userType" => user_type: UserType,
        /// `phoneName`: 电话参会人名称.
        "phoneName" => phone_name: String as Str<'a>,
        /// `phoneEmail`: 电话参会人邮箱.
        "phoneEmail" => phone_email: String as Str<'a>,
        /// `status`: `W` confirmed, `A` accepted, `R` rejected.
        "status" => status: AttendeeStatus,
        /// `countryCode`: 国家码.
        "countryCode" => country_code: String as Str<'a>,
        /// `companyName`: 所属公司名称.
        "companyName" => company_name: String as Str<'a>,
        /// `orgName`: 所属组织名称.
        "orgName" => org_name: String as Str<'a>,
        /// `mobileNumber`: 手机号.
        "mobileNumber" => mobile_number: String as Str<'a>,
        /// `officePhone`: 办公电话.
        "officePhone" => office_phone: String as Str<'a>,
        /// `cityCode`: 城市码.
        "cityCode" => city_code: String as Str<'a>,
        /// `displayName`: 显示名称.
        "displayName" => display_name: String as Str<'a>,
        /// `contactId` (in the sample, not the table).
        "contactId" => contact_id: Id as IdRef<'a>,
        /// `productStatus` (in the sample, not the table; meaning undocumented).
        "productStatus" => product_status: i64,
        /// `userProfile` (in the sample, `null`; shape undocumented, kept as JSON).
        "userProfile" => user_profile: serde_json::Value,
    }
}

wire_object! {
    /// `calExtraInfo`: the conference's settings. `{}` is common and parses to all `None`.
    pub struct CalExtraInfo {
        /// `allowH323`: whether H.323 is shown (0 off, the default; 1 on).
        "allowH323" => allow_h323: Flag,
        /// `openWatchword`: whether a join passphrase is required (0 no, the default; 1 yes).
        "openWatchword" => open_watchword: Flag,
        /// `eventWatchword`: 入会口令, the join passphrase. Secret.
        "eventWatchword" => event_watchword: Secret,
        /// `labels`: a JSON array of strings encoded inside a string (`"[\"a\",\"b\"]"`).
        /// Decoded to a list; the raw string is kept and written back. An empty string is an
        /// empty list; invalid JSON inside is a decode error at `...calExtraInfo.labels`.
        /// A plain array is accepted too.
        "labels" => labels: Embedded<Vec<String>>,
    }
}

impl CalExtraInfo {
    /// The labels, decoded (empty when absent).
    pub fn labels(&self) -> &[String] {
        self.labels.as_ref().map_or(&[], |l| l.value().as_slice())
    }
}

wire_object! {
    /// A room or device row of `houseList` / `equipList`.
    pub struct Device as DeviceRef<'a> {
        /// `DeviceId`: 设备id.
        "DeviceId" => device_id: Id as IdRef<'a>,
        /// `DeviceType`: 2 room, 3 device of a room.
        "DeviceType" => device_type: DeviceType,
        /// `DeviceName`: 设备名称.
        "DeviceName" => device_name: String as Str<'a>,
        /// `City`: the room's city.
        "City" => city: String as Str<'a>,
        /// `Location`: the room's address (documented as string here, int in
        /// `detailHouseList`; either is accepted).
        "Location" => location: NumberOrText as NumberOrTextRef<'a>,
        /// `Floor`: the room's floor (documented as int here, string in `detailHouseList`;
        /// either is accepted).
        "Floor" => floor: NumberOrText as NumberOrTextRef<'a>,
        /// `IsMainRoom`: 0 unspecified, 1 main venue, 2 branch venue.
        "IsMainRoom" => is_main_room: RoomRole,
        /// `ParentDeviceId`: the parent device's id (0 for none).
        "ParentDeviceId" => parent_device_id: Id as IdRef<'a>,
        /// `ParentDeviceType`: the parent's type (0 for none).
        "ParentDeviceType" => parent_device_type: DeviceType,
        /// `ApplyUserId`: who booked it.
        "ApplyUserId" => apply_user_id: Id as IdRef<'a>,
        /// `ApprovalStatus`: 0 pending, 1 not approved, 2 approved, 3 room cancelled.
        "ApprovalStatus" => approval_status: ApprovalStatus,
    }
}

wire_object! {
    /// A room of `detailHouseList`, with its devices.
    ///
    /// The table names the approval state `ApplyStatus`, the sample `ApprovalStatus`: both
    /// are typed; read them with [`DetailHouse::approval`].
    pub struct DetailHouse as DetailHouseRef<'a> {
        /// `DeviceId`: 会议室id.
        "DeviceId" => device_id: Id as IdRef<'a>,
        /// `DeviceType`: 2 room, 3 device of a room.
        "DeviceType" => device_type: DeviceType,
        /// `DeviceName`: 会议室名称.
        "DeviceName" => device_name: String as Str<'a>,
        /// `City`: 会议室所在城市.
        "City" => city: String as Str<'a>,
        /// `Location`: documented as int, a string in the sample; either is accepted.
        "Location" => location: NumberOrText as NumberOrTextRef<'a>,
        /// `Floor`: documented as string, an int in the sample; either is accepted.
        "Floor" => floor: NumberOrText as NumberOrTextRef<'a>,
        /// `IsMainRoom`: 0 unspecified, 1 main venue, 2 branch venue.
        "IsMainRoom" => is_main_room: RoomRole,
        /// `ApplyUserId`: 会议室申请人用户id.
        "ApplyUserId" => apply_user_id: Id as IdRef<'a>,
        /// `ApplyStatus` (the table's name): 0 pending, 1 not approved, 2 approved, 3 cancelled.
        "ApplyStatus" => apply_status: ApprovalStatus,
        /// `ApprovalStatus` (the sample's name): same codes.
        "ApprovalStatus" => approval_status: ApprovalStatus,
        /// `SubDevices`: 会议室设备, the room's devices.
        "SubDevices" => sub_devices: Vec<SubDevice> as Vec<SubDeviceRef<'a>>,
    }
}

impl DetailHouse {
    /// The approval state, whichever name was sent: `ApprovalStatus` (the sample's), else
    /// `ApplyStatus` (the table's). When both are sent and differ, `ApprovalStatus` wins;
    /// both stay readable as fields.
    pub fn approval(&self) -> Option<ApprovalStatus> {
        approval_of(self.approval_status, self.apply_status)
    }
}

impl DetailHouseRef<'_> {
    /// The approval state, by the rule of [`DetailHouse::approval`].
    pub fn approval(&self) -> Option<ApprovalStatus> {
        approval_of(self.approval_status, self.apply_status)
    }
}

/// `ApprovalStatus` (the sample's name), else `ApplyStatus` (the table's).
fn approval_of(
    approval_status: Option<ApprovalStatus>,
    apply_status: Option<ApprovalStatus>,
) -> Option<ApprovalStatus> {
    approval_status.or(apply_status)
}

wire_object! {
    /// A device of a room (`detailHouseList[].SubDevices[]`).
    pub struct SubDevice as SubDeviceRef<'a> {
        /// `DeviceId`: 会议室设备id.
        "DeviceId" => device_id: Id as IdRef<'a>,
        /// `DeviceType`: 会议室设备类型 (3, a device of a room).
        "DeviceType" => device_type: DeviceType,
        /// `DeviceName`: 会议室设备名称.
        "DeviceName" => device_name: String as Str<'a>,
    }
}
