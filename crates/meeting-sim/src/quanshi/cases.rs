//! The Quanshi accounting cases (opt-in, [`crate::DataConfig::accounting_cases`]): fixed
//! reservations and occurrences whose figures are known by hand. Times are on the data
//! range's first day (local, vendor zone); rooms are `DeviceId` 6701–6705 (the generated
//! data uses 6500–6599).
//!
//! | case | reservation (`conferenceId`, status, `eventId`) | rooms | occurrence (`tempConferenceId`) |
//! |---|---|---|---|
//! | multi-room, lists differ, shared `eventId` | `990000001`, ended, 990001 | `houseList` 6701 长安厅, 6702 牡丹厅; `detailHouseList` 6701 长安厅(大), 6703 杏花村 | `99000001`, ended, 10:00, 5,400 s, 6 attendees |
//! | cancelled | `990000002`, cancelled, 990002 | 6704 | — |
//! | scheduled | `990000003`, created, 990003 | 6701 | — |
//! | ended, no occurrence | `990000004`, ended, 990004 | 6705 | — |
//! | live, no reservation | — (`eventId` 990005) | — | `99000005`, running, 1,200 s, 4 attendees |
// Wire objects are built from `Default` (every field optional, plus `extra`), then filled.
#![allow(clippy::field_reassign_with_default)]

use quanshi_model::{
    ApprovalStatus, Conference, ConferenceStatus, DashboardConference, DashboardStatus,
    DetailHouse, Device, DeviceType, Id, RoomRole, UnixSeconds,
};

use crate::quanshi::data::{QuanshiData, conference, dashboard, num};
use crate::rng::mix;

fn room(id: u64, name: &str, role: RoomRole) -> Device {
    let mut d = Device::default();
    d.device_id = Some(Id::number(id));
    d.device_type = Some(DeviceType::Room);
    d.device_name = Some(name.to_owned());
    d.city = Some(String::from("上海"));
    d.floor = Some(num(8));
    d.is_main_room = Some(role);
    d.approval_status = Some(ApprovalStatus::Approved);
    d
}

fn detail_room(id: u64, name: &str, role: RoomRole) -> DetailHouse {
    let mut h = DetailHouse::default();
    h.device_id = Some(Id::number(id));
    h.device_type = Some(DeviceType::Room);
    h.device_name = Some(name.to_owned());
    h.city = Some(String::from("上海"));
    h.floor = Some(num(8));
    h.is_main_room = Some(role);
    h.approval_status = Some(ApprovalStatus::Approved);
    h.sub_devices = Some(Vec::new());
    h
}

/// A reservation built on a generated one, with the case's id, status, event, time and rooms.
fn reservation(
    seed: u64,
    k: u64,
    status: ConferenceStatus,
    start: i64,
    houses: Vec<Device>,
    detail: Option<Vec<DetailHouse>>,
) -> Conference {
    let mut c = conference(mix(seed, 0xACC0_0002), k, start, 1);
    c.conference_id = Some(Id::text(format!("99000000{k}")));
    c.event_id = Some(Id::number(990_000 + k));
    c.status = Some(status);
    c.start_time = Some(UnixSeconds::number(start));
    c.end_time = Some(UnixSeconds::number(start + 90 * 60));
    c.length = Some(90);
    c.house_list = Some(houses);
    c.equip_list = Some(Vec::new());
    c.extra.remove("detailHouseList");
    c.detail_house_list = None;
    match detail {
        Some(list) => c.detail_house_list = Some(list),
        None => {
            c.extra
                .insert(String::from("detailHouseList"), serde_json::Value::Null);
        }
    }
    c
}

/// An occurrence built on a generated one, with the case's ids, status, times and counts.
fn occurrence(
    seed: u64,
    k: u64,
    live: bool,
    start: i64,
    seconds: i64,
    attendees: i64,
) -> DashboardConference {
    let mut d = dashboard(mix(seed, 0xACC0_0003), k, start, 1);
    d.event_id = Some(Id::number(990_000 + k));
    d.temp_conference_id = Some(Id::text(format!("9900000{k}")));
    d.start_time = Some(UnixSeconds::number(start));
    d.stop_time = Some(UnixSeconds::number(if live { 0 } else { start + seconds }));
    d.conf_duration = Some(seconds);
    d.status = Some(if live {
        DashboardStatus::Running
    } else {
        DashboardStatus::Ended
    });
    d.attendee_cnt = Some(attendees);
    d.voip_cnt = Some(attendees);
    d.pstn_cnt = Some(0);
    d.raw_attendee_cnt = Some(attendees);
    d.raw_pstn_cnt = Some(0);
    d
}

/// Adds the cases; `first` is the data range's first day, 00:00 local, in Unix seconds.
pub(crate) fn add(data: &mut QuanshiData, seed: u64, first: i64) {
    let ten = first + 10 * 3600;
    let reservations = [
        reservation(
            seed,
            1,
            ConferenceStatus::Ended,
            ten,
            vec![
                room(6701, "长安厅", RoomRole::Main),
                room(6702, "牡丹厅", RoomRole::Branch),
            ],
            Some(vec![
                detail_room(6701, "长安厅(大)", RoomRole::Main),
                detail_room(6703, "杏花村", RoomRole::Branch),
            ]),
        ),
        reservation(
            seed,
            2,
            ConferenceStatus::Cancelled,
            ten + 3 * 3600,
            vec![room(6704, "会议室A", RoomRole::Unspecified)],
            None,
        ),
        reservation(
            seed,
            3,
            ConferenceStatus::Created,
            ten + 5 * 3600,
            vec![room(6701, "长安厅", RoomRole::Unspecified)],
            Some(vec![detail_room(6701, "长安厅(大)", RoomRole::Unspecified)]),
        ),
        reservation(
            seed,
            4,
            ConferenceStatus::Ended,
            ten + 7 * 3600,
            vec![room(6705, "会议室B", RoomRole::Unspecified)],
            None,
        ),
    ];
    for c in reservations {
        data.insert_conference(c);
    }
    data.insert_dashboard(occurrence(seed, 1, false, ten, 5_400, 6));
    data.insert_dashboard(occurrence(seed, 5, true, ten + 2 * 3600, 1_200, 4));
}
