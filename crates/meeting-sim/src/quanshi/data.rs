//! The Quanshi data: reservations (by attendee join link) and dashboard conferences (by
//! temporary id), generated deterministically, and the deterministic envelope clock.
// Wire objects are built from `Default` (every field optional, plus `extra`), then filled.
#![allow(clippy::field_reassign_with_default)]

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use quanshi_model::{
    ApprovalStatus, Attendee, AttendeeStatus, CalExtraInfo, CalType, ConfMode, ConfNodeType,
    Conference, ConferenceStatus, DashboardConference, DashboardStatus, DetailHouse, Device,
    DeviceType, Embedded, Flag, Id, JoinLink, JoinLogin, NumberOrText, RoomRole, Secret, SubDevice,
    UnixSeconds, UserType, ZoneName,
};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use systec_model::DateWindow;

use crate::config::SimConfig;
use crate::rng::{SplitMix64, mix};
use crate::text::{chinese_name, random_chars, random_name};

const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const TITLES: &[&str] = &[
    "哦",
    "产品发布会",
    "周例会",
    "项目启动会",
    "Quarterly review",
    "客户培训",
    "年会筹备",
    "技术评审",
    "Sales sync",
    "董事会",
];
const CITIES: &[&str] = &["西安", "上海", "北京", "深圳", "广州", "杭州"];
const STREETS: &[&str] = &["锦业路", "世纪大道", "中关村大街", "科技园南路", "天河路"];
const ROOMS: &[&str] = &[
    "杏花村",
    "杏花村2",
    "牡丹厅",
    "会议室A",
    "会议室B",
    "长安厅",
];
const BOXES: &[&str] = &["盒子", "盒子2", "摄像头", "大屏", "麦克风阵列"];
const DATA_CENTERS: &[&str] = &["阿里云", "腾讯云", "本地机房"];

/// The generated Quanshi data.
#[derive(Debug)]
pub(crate) struct QuanshiData {
    /// Reservations by attendee join link, and the links in generation order.
    pub(crate) conferences: BTreeMap<String, Conference>,
    pub(crate) join_urls: Vec<String>,
    /// Dashboard conferences by temporary id, and the ids in generation order.
    pub(crate) dashboards: BTreeMap<String, DashboardConference>,
    pub(crate) temp_ids: Vec<String>,
    /// The deterministic clock of envelope timestamps, in ms.
    clock_base_ms: i64,
    requests: AtomicU64,
}

impl QuanshiData {
    /// `count` reservations and `count` dashboard conferences over `window`.
    pub(crate) fn generate(
        seed: u64,
        count: usize,
        window: DateWindow,
        config: &SimConfig,
    ) -> Self {
        let zone = config.vendor_zone;
        let start_of = |day| day_start(day, &zone);
        let first = start_of(window.from());
        let span = (start_of(window.to()) - first).max(0) + 86_400;
        let mut conferences = BTreeMap::new();
        let mut join_urls = Vec::with_capacity(count);
        let mut dashboards = BTreeMap::new();
        let mut temp_ids = Vec::with_capacity(count);
        let mut i = 0u64;
        while join_urls.len() < count {
            let c = conference(seed, i, first, span);
            let d = dashboard(seed, i, first, span);
            i += 1;
            let url = c
                .attendee_join_url
                .as_ref()
                .map(|u| u.expose().to_owned())
                .unwrap_or_default();
            let temp = d
                .temp_conference_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            if conferences.contains_key(&url) || dashboards.contains_key(&temp) {
                continue;
            }
            conferences.insert(url.clone(), c);
            join_urls.push(url);
            dashboards.insert(temp.clone(), d);
            temp_ids.push(temp);
        }
        QuanshiData {
            conferences,
            join_urls,
            dashboards,
            temp_ids,
            clock_base_ms: (first + span) * 1000,
            requests: AtomicU64::new(0),
        }
    }

    /// Adds a reservation (after the generated ones; an attendee link already known is
    /// replaced).
    pub(crate) fn insert_conference(&mut self, c: Conference) {
        let url = c
            .attendee_join_url
            .as_ref()
            .map(|u| u.expose().to_owned())
            .unwrap_or_default();
        if self.conferences.insert(url.clone(), c).is_none() {
            self.join_urls.push(url);
        }
    }

    /// Adds a dashboard conference (after the generated ones; a temporary id already known
    /// is replaced).
    pub(crate) fn insert_dashboard(&mut self, d: DashboardConference) {
        let temp = d
            .temp_conference_id
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        if self.dashboards.insert(temp.clone(), d).is_none() {
            self.temp_ids.push(temp);
        }
    }

    /// The deterministic envelope metadata of the next answer: request id, timestamp in ms,
    /// processing time.
    pub(crate) fn next_meta(&self) -> (String, i64, String) {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        let mut rng = SplitMix64::new(mix(0x9E5, n));
        let ts = self.clock_base_ms
            + i64::try_from(n).unwrap_or(0) * 1_000
            + i64::try_from(rng.below(1000)).unwrap_or(0);
        let micros = rng.range(20_000, 200_000);
        let id = format!("{}.{:09}.{}", ts / 1000, rng.below(1_000_000_000), n);
        (id, ts, format!("{}.{:03}ms", micros / 1000, micros % 1000))
    }
}

/// 00:00 of `day` in `zone`, in Unix seconds.
pub(crate) fn day_start(day: NaiveDate, zone: &Tz) -> i64 {
    systec_model::resolve_local(day.and_time(NaiveTime::MIN), zone)
        .earliest()
        .timestamp()
}

fn digits(rng: &mut SplitMix64, n: usize) -> String {
    let mut s = String::with_capacity(n);
    s.push(char::from(rng.pick(b"123456789")));
    s.push_str(&random_chars(rng, b"0123456789", n.saturating_sub(1)));
    s
}

fn link(rng: &mut SplitMix64) -> String {
    format!("https://mtest.qsh1.cn/k/{}", random_chars(rng, BASE62, 11))
}

pub(crate) fn num(n: i64) -> NumberOrText {
    NumberOrText::Number(serde_json::Number::from(n))
}

pub(crate) fn conference(seed: u64, i: u64, first: i64, span: i64) -> Conference {
    let mut rng = SplitMix64::new(mix(seed ^ 0x0051_A451, i));
    let start = first + i64::try_from(rng.below(u64::try_from(span).unwrap_or(1))).unwrap_or(0);
    let start = start - start % 300;
    let length = rng.pick(&[30i64, 45, 60, 90, 120]);
    let attendee_url = link(&mut rng);
    let host_id = 88_000_000 + i64::try_from(rng.below(2_000_000)).unwrap_or(0);
    let mut c = Conference::default();
    c.conference_id = Some(Id::text(digits(&mut rng, 9)));
    c.pcode1 = Some(Secret::new(format!("2015010000{}", digits(&mut rng, 8))));
    c.pcode2 = Some(Secret::new(format!("2015010000{}", digits(&mut rng, 8))));
    if rng.chance(0.1) {
        c.billing_code_camel = Some(digits(&mut rng, 8));
    } else {
        c.billing_code_lower = Some(digits(&mut rng, 8));
    }
    let event = 500_000 + i * 7 + rng.below(7);
    c.event_id = Some(if rng.chance(0.1) {
        Id::text(event.to_string())
    } else {
        Id::number(event)
    });
    c.host_join_url = Some(Secret::new(link(&mut rng)));
    c.wcallurl = Some(Secret::new(format!(
        "http://meetservicem.quanshi.com/m-wcall/?pcode={}&env=E&billingcode={}&summit=1&prod=meetnow&uc_lang=cn&callin",
        random_chars(&mut rng, HEX, 64),
        random_chars(&mut rng, HEX, 32)
    )));
    c.host_id = Some(Id::number(u64::try_from(host_id).unwrap_or(0)));
    c.host_name = Some(if rng.chance(0.3) {
        format!("pxytest{}", rng.below(100))
    } else {
        chinese_name(&mut rng)
    });
    c.host_mobile = Some(if rng.chance(0.5) {
        String::new()
    } else {
        format!("138{}", random_chars(&mut rng, b"0123456789", 8))
    });
    c.start_time = Some(UnixSeconds::number(start));
    c.end_time = Some(UnixSeconds::number(start + length * 60));
    c.length = Some(length);
    c.status = Some(match rng.below(10) {
        0 => ConferenceStatus::Cancelled,
        1..=3 => ConferenceStatus::Created,
        _ => ConferenceStatus::Ended,
    });
    c.title = Some(rng.pick(TITLES).to_owned());
    c.conf_mode = Some(if rng.chance(0.8) {
        ConfMode::Video
    } else {
        ConfMode::Data
    });
    c.cal_type = Some(if rng.chance(0.8) {
        CalType::Single
    } else {
        CalType::Recurring
    });
    c.room_id = Some(Id::text(if rng.chance(0.7) {
        String::new()
    } else {
        digits(&mut rng, 6)
    }));
    let attendees = rng.range(1, 8);
    c.attend_list = Some(
        (0..attendees)
            .map(|k| attendee(&mut rng, k, host_id))
            .collect(),
    );
    c.live_pull_url = Some(JoinLink::new(""));
    c.live_pull_pwd = Some(Secret::new(if rng.chance(0.2) {
        digits(&mut rng, 6)
    } else {
        String::new()
    }));
    let created = start - i64::try_from(rng.range(3600, 14 * 86_400)).unwrap_or(3600);
    c.create_time = Some(UnixSeconds::number(created));
    c.modify_time = Some(UnixSeconds::number(
        created + i64::try_from(rng.range(0, 600)).unwrap_or(0),
    ));
    c.timezone = Some(ZoneName::new("Asia/Shanghai"));
    c.join_login = Some(if rng.chance(0.8) {
        JoinLogin::NotRequired
    } else {
        JoinLogin::Required
    });
    c.join_conf_sel_tag = Some(Flag::Int(0));
    c.join_conf_tags = Some(if rng.chance(0.2) {
        String::from("销售,研发")
    } else {
        String::new()
    });
    c.web_rtc_url = Some(JoinLink::new(format!("{attendee_url}?priority=web")));
    c.attendee_join_url = Some(JoinLink::new(attendee_url));
    c.cal_extra_info = Some(if rng.chance(0.6) {
        CalExtraInfo::default()
    } else {
        let mut x = CalExtraInfo::default();
        x.allow_h323 = Some(Flag::Int(i64::from(rng.chance(0.5))));
        let watchword = rng.chance(0.5);
        x.open_watchword = Some(Flag::Int(i64::from(watchword)));
        x.event_watchword = Some(Secret::new(if watchword {
            digits(&mut rng, 4)
        } else {
            String::new()
        }));
        x.labels = Embedded::encoded(vec![String::from("年会"), String::from("培训")]).ok();
        x
    });
    c.conf_node_type = Some(if rng.chance(0.5) {
        ConfNodeType::Standard
    } else {
        ConfNodeType::Confidential
    });
    let city = rng.pick(CITIES);
    let street = rng.pick(STREETS);
    let apply_user = host_id;
    let rooms: Vec<(i64, &str)> = (0..rng.below(3))
        .map(|_| {
            (
                6500 + i64::try_from(rng.below(100)).unwrap_or(0),
                rng.pick(ROOMS),
            )
        })
        .collect();
    let approval = |rng: &mut SplitMix64| match rng.below(4) {
        0 => ApprovalStatus::Pending,
        1 => ApprovalStatus::NotApproved,
        2 => ApprovalStatus::Approved,
        _ => ApprovalStatus::RoomCancelled,
    };
    let role = |rng: &mut SplitMix64| match rng.below(3) {
        0 => RoomRole::Unspecified,
        1 => RoomRole::Main,
        _ => RoomRole::Branch,
    };
    let mut house_list = Vec::new();
    let mut equip_list = Vec::new();
    let mut detail = Vec::new();
    for (id, name) in &rooms {
        let floor = i64::try_from(rng.range(1, 30)).unwrap_or(1);
        let status = approval(&mut rng);
        let main = role(&mut rng);
        let mut d = Device::default();
        d.device_id = Some(Id::number(u64::try_from(*id).unwrap_or(0)));
        d.device_type = Some(DeviceType::Room);
        d.device_name = Some((*name).to_owned());
        d.city = Some(city.to_owned());
        d.location = Some(NumberOrText::Text(street.to_owned()));
        d.floor = Some(num(floor));
        d.is_main_room = Some(main);
        d.parent_device_id = Some(Id::number(0));
        d.parent_device_type = Some(DeviceType::Unknown(0));
        d.apply_user_id = Some(Id::number(u64::try_from(apply_user).unwrap_or(0)));
        d.approval_status = Some(status);
        house_list.push(d);
        let subs: Vec<SubDevice> = (0..rng.range(1, 2))
            .map(|_| {
                let mut s = SubDevice::default();
                s.device_id = Some(Id::number(6540 + rng.below(100)));
                s.device_type = Some(DeviceType::RoomDevice);
                s.device_name = Some(rng.pick(BOXES).to_owned());
                s
            })
            .collect();
        for s in &subs {
            let mut e = Device::default();
            e.device_id = s.device_id.clone();
            e.device_type = Some(DeviceType::RoomDevice);
            e.device_name = s.device_name.clone();
            e.city = Some(city.to_owned());
            e.location = Some(NumberOrText::Text(street.to_owned()));
            e.floor = Some(num(floor));
            e.is_main_room = Some(RoomRole::Unspecified);
            e.parent_device_id = Some(Id::number(u64::try_from(*id).unwrap_or(0)));
            e.parent_device_type = Some(DeviceType::Room);
            e.apply_user_id = Some(Id::number(u64::try_from(apply_user).unwrap_or(0)));
            e.approval_status = Some(status);
            equip_list.push(e);
        }
        let mut h = DetailHouse::default();
        h.device_id = Some(Id::number(u64::try_from(*id).unwrap_or(0)));
        h.device_type = Some(DeviceType::Room);
        h.device_name = Some((*name).to_owned());
        h.city = Some(city.to_owned());
        h.location = Some(NumberOrText::Text(street.to_owned()));
        h.floor = Some(num(floor));
        h.is_main_room = Some(main);
        h.apply_user_id = Some(Id::number(u64::try_from(apply_user).unwrap_or(0)));
        h.approval_status = Some(status);
        h.sub_devices = Some(subs);
        detail.push(h);
    }
    c.house_list = Some(house_list);
    c.equip_list = Some(equip_list);
    if detail.is_empty() {
        c.extra
            .insert(String::from("detailHouseList"), serde_json::Value::Null);
    } else {
        c.detail_house_list = Some(detail);
    }
    c
}

fn attendee(rng: &mut SplitMix64, k: u64, host_id: i64) -> Attendee {
    let mut a = Attendee::default();
    let kind = if k == 0 { 1 } else { rng.range(1, 3) };
    a.user = Some(Id::text(if k == 0 {
        host_id.to_string()
    } else {
        digits(rng, 8)
    }));
    a.user_type = Some(match kind {
        1 => UserType::Internal,
        2 => UserType::External,
        _ => UserType::Phone,
    });
    a.status = Some(match rng.below(3) {
        0 => AttendeeStatus::Confirmed,
        1 => AttendeeStatus::Accepted,
        _ => AttendeeStatus::Rejected,
    });
    let phone = kind == 3;
    let name = random_name(rng);
    a.phone_name = Some(if phone { name.clone() } else { String::new() });
    a.phone_email = Some(if phone {
        format!("user{}@example.com", rng.below(10_000))
    } else {
        String::new()
    });
    a.country_code = Some(if phone {
        String::from("86")
    } else {
        String::new()
    });
    a.company_name = Some(if kind == 2 {
        String::from("合作伙伴有限公司")
    } else {
        String::new()
    });
    a.org_name = Some(String::new());
    a.mobile_number = Some(if phone {
        format!("139{}", random_chars(rng, b"0123456789", 8))
    } else {
        String::new()
    });
    a.office_phone = Some(String::new());
    a.city_code = Some(String::new());
    a.display_name = Some(if phone { String::new() } else { name });
    a.contact_id = Some(Id::text(""));
    a.product_status = Some(1);
    a.extra
        .insert(String::from("userProfile"), serde_json::Value::Null);
    a
}

pub(crate) fn dashboard(seed: u64, i: u64, first: i64, span: i64) -> DashboardConference {
    let mut rng = SplitMix64::new(mix(seed ^ 0xDA5B_0A2D, i));
    let start = first + i64::try_from(rng.below(u64::try_from(span).unwrap_or(1))).unwrap_or(0);
    let live = rng.chance(0.15);
    let duration = i64::try_from(rng.range(120, 4 * 3600)).unwrap_or(600);
    let attendees = i64::try_from(rng.range(1, 60)).unwrap_or(1);
    let pstn = i64::try_from(rng.below(u64::try_from(attendees / 3 + 1).unwrap_or(1))).unwrap_or(0);
    let mut d = DashboardConference::default();
    d.event_id = Some(Id::number(500_000 + i * 7 + rng.below(7)));
    d.temp_conference_id = Some(Id::text(digits(&mut rng, 8)));
    d.title = Some(rng.pick(TITLES).to_owned());
    let customer = digits(&mut rng, 6);
    d.billing_code = Some(format!("{customer}_{}", digits(&mut rng, 9)));
    d.customer_code = Some(customer);
    d.pcode2 = Some(Secret::new(digits(&mut rng, 6)));
    d.host_id = Some(Id::number(10_000 + rng.below(90_000)));
    let host = chinese_name(&mut rng);
    d.host_email = Some(format!("host{}@example.com", rng.below(10_000)));
    d.host_name = Some(host);
    d.host_mobile = Some(format!("138{}", random_chars(&mut rng, b"0123456789", 8)));
    d.host_org_id = Some(Id::number(2000 + rng.below(100)));
    d.host_ip = Some(format!("10.0.{}.{}", rng.below(256), rng.range(1, 254)));
    d.host_location = Some(rng.pick(CITIES).to_owned());
    d.start_time = Some(UnixSeconds::number(start));
    d.stop_time = Some(UnixSeconds::number(if live { 0 } else { start + duration }));
    d.conf_duration = Some(duration);
    if rng.chance(0.2) {
        d.extra
            .insert(String::from("isSecureConf"), serde_json::Value::Null);
    } else {
        d.is_secure_conf = Some(Flag::Bool(rng.chance(0.2)));
    }
    if rng.chance(0.2) {
        d.extra
            .insert(String::from("isRecord"), serde_json::Value::Null);
    } else {
        d.is_record = Some(Flag::Bool(rng.chance(0.4)));
    }
    d.data_center = Some(rng.pick(DATA_CENTERS).to_owned());
    d.status = Some(if live {
        DashboardStatus::Running
    } else {
        DashboardStatus::Ended
    });
    d.attendee_cnt = Some(attendees);
    d.voip_cnt = Some(attendees - pstn);
    d.pstn_cnt = Some(pstn);
    d.video_cnt =
        Some(i64::try_from(rng.below(u64::try_from(attendees).unwrap_or(1))).unwrap_or(0));
    d.desktop_cnt = Some(i64::try_from(rng.below(5)).unwrap_or(0));
    d.mcu_cnt = Some(i64::try_from(rng.below(3)).unwrap_or(0));
    d.box_cnt = Some(i64::try_from(rng.below(3)).unwrap_or(0));
    d.raw_attendee_cnt = Some(attendees + i64::try_from(rng.below(3)).unwrap_or(0));
    d.raw_pstn_cnt = Some(pstn);
    d
}
