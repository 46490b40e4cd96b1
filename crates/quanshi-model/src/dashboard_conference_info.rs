//! POST confopenapi/admin/dashboard/conference/info — one conference's statistics, by
//! temporary conference id (doc: `quanshi-dashboard-conference-info.md`,
//! "根据会议 ID 查询单条会议信息").

use crate::envelope::{Envelope, Payload};
use crate::error::Error;
use crate::request::Request;
use crate::time::UnixSeconds;
use meeting_wire::{Flag, Id, IdRef, Secret, SecretRef, Str, open_enum, wire_object};

/// This endpoint's name in errors.
pub const ENDPOINT: &str = "dashboard_conference_info";

/// The documented path, relative (no leading slash): the HTTP client joins it to its base
/// URL, so a base URL with a path prefix works.
pub const PATH: &str = "confopenapi/admin/dashboard/conference/info";

/// The request: `{"tempConferenceId": "56039682"}`.
///
/// ```
/// use quanshi_model::{DashboardConferenceInfoRequest, Request, Token, TokenPlacement};
/// let req = DashboardConferenceInfoRequest::new("56039682");
/// let token = Token::new("t0k");
/// // The default: token in the `token` header, not in the body.
/// assert_eq!(TokenPlacement::default().header(&token), Some(("token", "t0k")));
/// assert_eq!(req.body(&token, TokenPlacement::Header), serde_json::json!({"tempConferenceId": "56039682"}));
/// // Or in the body.
/// assert_eq!(
///     req.body(&token, TokenPlacement::Body),
///     serde_json::json!({"tempConferenceId": "56039682", "token": "t0k"}),
/// );
/// assert_eq!(DashboardConferenceInfoRequest::PATH, Some("confopenapi/admin/dashboard/conference/info"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct DashboardConferenceInfoRequest {
    /// `tempConferenceId`: 临时会议 ID, the temporary conference id (required).
    pub temp_conference_id: String,
}

impl DashboardConferenceInfoRequest {
    /// A request for the conference `temp_conference_id`.
    pub fn new(temp_conference_id: impl Into<String>) -> Self {
        DashboardConferenceInfoRequest {
            temp_conference_id: temp_conference_id.into(),
        }
    }
}

impl Request for DashboardConferenceInfoRequest {
    const ENDPOINT: &'static str = ENDPOINT;
    const PATH: Option<&'static str> = Some(PATH);
    type Result = DashboardConference;

    fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        map.insert(
            "tempConferenceId".to_owned(),
            serde_json::Value::String(self.temp_conference_id.clone()),
        );
        serde_json::Value::Object(map)
    }
}

impl meeting_wire::ApiRequest for DashboardConferenceInfoRequest {
    const ENDPOINT: meeting_wire::Source = meeting_wire::Source::QuanshiDashboard;
    const ENCODING: meeting_wire::Encoding = meeting_wire::Encoding::Json;
    type Auth = crate::request::Auth;
    type Response = Envelope<DashboardConference>;
    type EncodeError = serde_json::Error;

    fn encode(
        &self,
        auth: &crate::request::Auth,
    ) -> Result<meeting_wire::Encoded, serde_json::Error> {
        crate::request::encode(
            self,
            auth,
            vec![(
                "tempConferenceId".to_owned(),
                self.temp_conference_id.clone(),
            )],
        )
    }

    fn parse_response(bytes: &[u8]) -> Result<Self::Response, meeting_wire::ResponseError> {
        <Self as Request>::parse_response(bytes).map_err(crate::request::response_error)
    }
}

/// The whole response of this endpoint.
pub type DashboardConferenceInfoResponse = Envelope<DashboardConference>;

impl Payload for DashboardConference {
    const ENDPOINT: &'static str = ENDPOINT;
}

/// Parses a response body of this endpoint.
///
/// # Errors
/// [`Error::Vendor`] for a non-zero `status`, [`Error::Decode`] for a body of the wrong
/// shape.
pub fn parse_response(bytes: &[u8]) -> Result<DashboardConferenceInfoResponse, Error> {
    Envelope::from_slice(bytes)
}

open_enum! {
    /// The dashboard's conference state (`result.status`); not the join-link endpoint's
    /// [`ConferenceStatus`](crate::ConferenceStatus).
    pub enum DashboardStatus: i64 {
        /// 2: 进行中, running.
        Running = 2,
        /// 4: 已结束, ended.
        Ended = 4,
    }
}

wire_object! {
    /// The response's `result`: one conference's statistics.
    pub struct DashboardConference as DashboardConferenceRef<'a> {
        /// `eventId`: 会议预约 ID, the calendar event id (shared with the join-link endpoint).
        "eventId" => event_id: Id as IdRef<'a>,
        /// `tempConferenceId`: 临时会议 ID (as in the request).
        "tempConferenceId" => temp_conference_id: Id as IdRef<'a>,
        /// `title`: 会议主题.
        "title" => title: String as Str<'a>,
        /// `billingCode`: 计费码.
        "billingCode" => billing_code: String as Str<'a>,
        /// `customerCode`: 客户编码.
        "customerCode" => customer_code: String as Str<'a>,
        /// `pcode2`: 参会人密码, the attendee password. Secret.
        "pcode2" => pcode2: Secret as SecretRef<'a>,
        /// `hostId`: 主持人用户 ID.
        "hostId" => host_id: Id as IdRef<'a>,
        /// `hostName`: 主持人姓名.
        "hostName" => host_name: String as Str<'a>,
        /// `hostEmail`: 主持人邮箱.
        "hostEmail" => host_email: String as Str<'a>,
        /// `hostMobile`: 主持人手机.
        "hostMobile" => host_mobile: String as Str<'a>,
        /// `hostOrgId`: 主持人所属组织 ID.
        "hostOrgId" => host_org_id: Id as IdRef<'a>,
        /// `hostIp`: 主持人参会端 IP.
        "hostIp" => host_ip: String as Str<'a>,
        /// `hostLocation`: 主持人参会端地理位置.
        "hostLocation" => host_location: String as Str<'a>,
        /// `startTime`: when it started, Unix seconds.
        "startTime" => start_time: UnixSeconds,
        /// `stopTime`: when it ended, Unix seconds; **0 while running** (see
        /// [`DashboardConference::stopped_at`]).
        "stopTime" => stop_time: UnixSeconds,
        /// `confDuration`: 会议时长, in **seconds**.
        "confDuration" => conf_duration: i64,
        /// `isSecureConf`: 是否保密会议 (may be `null`, kept as such).
        "isSecureConf" => is_secure_conf: Flag,
        /// `isRecord`: 是否开启录制 (may be `null`, kept as such).
        "isRecord" => is_record: Flag,
        /// `dataCenter`: 数据中心.
        "dataCenter" => data_center: String as Str<'a>,
        /// `status`: 2 running, 4 ended.
        "status" => status: DashboardStatus,
        /// `attendeeCnt`: 参会人数.
        "attendeeCnt" => attendee_cnt: i64,
        /// `voipCnt`: 网络语音连接次数, VoIP connections.
        "voipCnt" => voip_cnt: i64,
        /// `pstnCnt`: 电话语音连接次数, phone connections.
        "pstnCnt" => pstn_cnt: i64,
        /// `videoCnt`: 启用视频共享次数, video shares.
        "videoCnt" => video_cnt: i64,
        /// `desktopCnt`: 启用屏幕共享次数, screen shares.
        "desktopCnt" => desktop_cnt: i64,
        /// `mcuCnt`: 硬件视频参会数量, hardware video endpoints.
        "mcuCnt" => mcu_cnt: i64,
        /// `boxCnt`: 盒子参会数量, meeting boxes.
        "boxCnt" => box_cnt: i64,
        /// `rawAttendeeCnt`: attendees before the real-time statistics were corrected.
        "rawAttendeeCnt" => raw_attendee_cnt: i64,
        /// `rawPstnCnt`: phone attendees before the correction.
        "rawPstnCnt" => raw_pstn_cnt: i64,
    }
}

impl DashboardConference {
    /// When the conference ended: `None` while it runs (`stopTime` is 0, kept as 0 on the
    /// wire), when `stopTime` is absent, or when it is not a valid time.
    pub fn stopped_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let stop = self.stop_time.as_ref()?;
        if stop.value()? == 0 {
            return None;
        }
        stop.to_utc_opt()
    }

    /// When the conference started, when `startTime` is present and valid.
    pub fn started_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.start_time.as_ref()?.to_utc_opt()
    }

    /// Whether it is still running: `status` 2, or else `stopTime` 0.
    pub fn is_running(&self) -> bool {
        match self.status {
            Some(s) if s.is_known() => s == DashboardStatus::Running,
            _ => self.stop_time.as_ref().and_then(UnixSeconds::value) == Some(0),
        }
    }

    /// `confDuration` as a duration (it is in seconds); `None` when absent or negative.
    pub fn conf_duration(&self) -> Option<std::time::Duration> {
        Some(std::time::Duration::from_secs(
            u64::try_from(self.conf_duration?).ok()?,
        ))
    }

    /// `isSecureConf` as a bool; `None` when absent or `null`.
    pub fn is_secure_conf(&self) -> Option<bool> {
        self.is_secure_conf.map(Flag::is_set)
    }

    /// `isRecord` as a bool; `None` when absent or `null`.
    pub fn is_record(&self) -> Option<bool> {
        self.is_record.map(Flag::is_set)
    }
}
