//! Quanshi: conference by join link (a reservation) and dashboard conference info (an
//! occurrence).

use chrono::{DateTime, Utc};
use meeting_wire::{IdRef, Str};
use quanshi_model::conference_by_join_url::{
    AttendeeRef, ConferenceListRef, ConferenceRef, DetailHouseRef, DeviceRef, SubDeviceRef,
};
use quanshi_model::dashboard_conference_info::DashboardConferenceRef;
use quanshi_model::{
    ApprovalStatus, Attendee, AttendeeStatus, Conference, ConferenceStatus, DashboardConference,
    DashboardStatus, DetailHouse, Device as QDevice, Embedded, NumberOrTextRef,
    RoomRole as QRoomRole, SubDevice, UnixSeconds, UserType,
};

use super::{Normalize, clean_str, count, id_text_ref, put, scrub, store_extra, take_extra_view};
use crate::model::seconds_between;
use crate::{
    Approval, BookedRoom, Connections, Context, Device, ExtraFields, Features, Host, Invitation,
    Meeting, Participant, ParticipantKind, RoomRole, Source, Status, Vendor,
};

impl<T: Normalize> Normalize for quanshi_model::Envelope<T> {
    /// The envelope's `result` (none for a failure envelope: parse with the model crate's
    /// `parse_response`, which turns those into errors). Envelope fields (`msg`, request ids,
    /// `timestamp`) describe the response, not a meeting, and are not kept.
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        if self.status == 0 {
            self.result.normalize_into(ctx, out);
        }
    }
}

impl<T: Normalize> Normalize for Embedded<T> {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        self.into_value().normalize_into(ctx, out);
    }
}

impl Normalize for Conference {
    fn normalize_into(self, _ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_conference(self));
    }
}

impl Normalize for DashboardConference {
    fn normalize_into(self, _ctx: &Context, out: &mut Vec<Meeting>) {
        out.push(normalize_dashboard(self));
    }
}

/// The fast path: the conferences of a borrowed join-link `result`.
pub(crate) fn normalize_conferences_view(list: ConferenceListRef<'_>, out: &mut Vec<Meeting>) {
    out.reserve(list.conferences.len());
    for c in list.conferences {
        out.push(normalize_conference_view(c));
    }
}

/// The extras of one item of a list (`attendList[i]`, `houseList[i]`, ...), built as the
/// JSON object they are written as, so no map is rebuilt per item.
type ItemMap = serde_json::Map<String, serde_json::Value>;

/// [`put`] into an item's extras.
fn item_put<T: serde::Serialize>(out: &mut ItemMap, name: &str, value: Option<T>) {
    if let Some(v) = value
        && let Ok(mut json) = serde_json::to_value(v)
    {
        scrub(&mut json);
        out.insert(name.to_owned(), json);
    }
}

/// [`take_extra_view`] into an item's extras.
fn item_take_extra(extra: meeting_wire::ExtraRef<'_>, typed: &[&str], out: &mut ItemMap) {
    if extra.is_empty() {
        return;
    }
    let mut e = ExtraFields::new();
    take_extra_view(extra, typed, &mut e);
    out.extend(e);
}

/// A string kept in vendor_extra unless it is empty.
fn nonempty(s: Option<Str<'_>>) -> Option<Str<'_>> {
    s.filter(|s| !s.is_empty())
}

/// The per-item extras of a list, written (as `put_list` does) only when at least one item
/// has any: an array parallel to the source list.
fn item_list(items: Vec<ItemMap>) -> Option<serde_json::Value> {
    items.iter().any(|m| !m.is_empty()).then(|| {
        serde_json::Value::Array(items.into_iter().map(serde_json::Value::Object).collect())
    })
}

/// A Unix-seconds time; one that cannot be read is absent, with a warning.
fn unix(m: &mut Meeting, t: Option<&UnixSeconds>, what: &str) -> Option<DateTime<Utc>> {
    let t = t?;
    match t.to_utc() {
        Ok(u) => Some(u),
        Err(e) => {
            m.warn(format!("unreadable {what}: {e}"));
            None
        }
    }
}

/// The host (trimmed; absent when nothing is left), as both endpoints send it.
fn set_host(m: &mut Meeting, id: Option<IdRef<'_>>, name: Option<Str<'_>>, email: Option<Str<'_>>) {
    let host = Host {
        id: id_text_ref(id),
        name: clean_str(name),
        email: clean_str(email),
        account_type: None,
    };
    if !host.is_empty() {
        m.host = Some(host);
    }
}

/// Normalises one conference of the join-link endpoint: a reservation, keyed
/// `quanshi:conference:<conferenceId>`.
///
/// Its `startTime`/`endTime`/`length` are what was booked (`scheduled_*`); `status` 0 is
/// `cancelled`, 1 (created) `scheduled`, 4 `ended`, anything else `unknown`. Passwords, host
/// and attendee links, the phone-bridge link, the live-stream link and password and the join
/// passphrase are dropped.
pub fn normalize_conference(c: Conference) -> Meeting {
    normalize_conference_view(c.into_view())
}

/// The one implementation of [`normalize_conference`], over the borrowed view.
pub(crate) fn normalize_conference_view(c: ConferenceRef<'_>) -> Meeting {
    let ConferenceRef {
        conference_id,
        pcode1: _,
        pcode2: _,
        billing_code_camel,
        billing_code_lower,
        event_id,
        attendee_join_url: _,
        host_join_url: _,
        wcallurl: _,
        host_id,
        host_name,
        host_mobile,
        start_time,
        end_time,
        length,
        status,
        title,
        conf_mode,
        cal_type,
        room_id,
        attend_list,
        live_pull_url: _,
        live_pull_pwd: _,
        create_time,
        modify_time,
        timezone,
        join_login,
        join_conf_sel_tag,
        join_conf_tags,
        web_rtc_url: _,
        cal_extra_info,
        conf_node_type,
        house_list,
        equip_list,
        detail_house_list,
        extra,
    } = c;
    let id = id_text_ref(conference_id);
    let mut m = Meeting::new(
        Vendor::Quanshi,
        Source::QuanshiConference,
        format!("quanshi:conference:{}", id.as_deref().unwrap_or_default()),
    );
    if id.is_none() {
        m.warn("no conferenceId: the reservation cannot be identified");
    }
    m.occurrence_id.clone_from(&id);
    m.meeting_number = id;
    m.event_id = id_text_ref(event_id);
    m.topic = clean_str(title);
    set_host(&mut m, host_id, host_name, None);
    let mut ex = ExtraFields::new();
    m.status = match status {
        None => Status::Unknown,
        Some(ConferenceStatus::Cancelled) => Status::Cancelled,
        Some(ConferenceStatus::Created) => Status::Scheduled,
        Some(ConferenceStatus::Ended) => Status::Ended,
        Some(other) => {
            put(&mut ex, "status", Some(other));
            Status::Unknown
        }
    };
    m.scheduled_start = unix(&mut m, start_time.as_ref(), "startTime");
    m.scheduled_end = unix(&mut m, end_time.as_ref(), "endTime");
    m.scheduled_duration_seconds = count(&mut m, "length", length).and_then(|l| l.checked_mul(60));

    let list = attend_list.unwrap_or_default();
    let mut item_extras = Vec::with_capacity(list.len());
    m.participants.reserve(list.len());
    for a in list {
        let (p, e) = attendee(a);
        m.participants.push(p);
        item_extras.push(e);
    }
    if let Some(list) = item_list(item_extras) {
        ex.insert("attendList".to_owned(), list);
    }

    // Rooms: `houseList` (with the `equipList` devices whose parent is the room) united with
    // `detailHouseList` by `DeviceId`, the detail winning field by field; a `detailHouseList`
    // room without an id, or not in `houseList`, is added. Devices not attached to a room
    // stay in vendor_extra.
    let houses = house_list.unwrap_or_default();
    let equips = equip_list.unwrap_or_default();
    let mut used = vec![false; equips.len()];
    // Ids compare by their text (a number and a string of the same digits are one id).
    let parents: Vec<Option<String>> = if houses.is_empty() {
        Vec::new()
    } else {
        equips
            .iter()
            .map(|e| e.parent_device_id.as_ref().map(ToString::to_string))
            .collect()
    };
    for h in &houses {
        let hid = h.device_id.as_ref().map(ToString::to_string);
        let mut room = house_room(h);
        for ((e, used), parent) in equips.iter().zip(used.iter_mut()).zip(&parents) {
            if hid.is_some() && *parent == hid {
                *used = true;
                room.devices.push(Device {
                    id: id_text_ref(e.device_id.clone()),
                    name: clean_str(e.device_name.clone()),
                });
            }
        }
        m.rooms.push(room);
    }
    let unused: Vec<&DeviceRef<'_>> = equips
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| e)
        .collect();
    if !unused.is_empty() {
        put(&mut ex, "equipList", Some(unused));
    }
    let house_extras = houses
        .into_iter()
        .map(|h| {
            let mut e = ItemMap::new();
            item_put(&mut e, "ParentDeviceId", h.parent_device_id);
            item_put(&mut e, "ParentDeviceType", h.parent_device_type);
            item_put(&mut e, "ApplyUserId", h.apply_user_id);
            item_put(&mut e, "DeviceType", h.device_type);
            item_take_extra(h.extra, QDevice::FIELDS, &mut e);
            e
        })
        .collect();
    if let Some(list) = item_list(house_extras) {
        ex.insert("houseList".to_owned(), list);
    }
    let detail_rooms = detail_house_list.unwrap_or_default();
    let mut room_extras = Vec::with_capacity(detail_rooms.len());
    for h in detail_rooms {
        let (room, e) = detail_room(h);
        room_extras.push(e);
        match m
            .rooms
            .iter_mut()
            .find(|r| r.id.is_some() && r.id == room.id)
        {
            Some(known) => unite_room(known, room),
            None => m.rooms.push(room),
        }
    }
    if let Some(list) = item_list(room_extras) {
        ex.insert("detailHouseList".to_owned(), list);
    }

    put(&mut ex, "billingCode", billing_code_camel);
    put(&mut ex, "billingcode", billing_code_lower);
    put(&mut ex, "hostMobile", nonempty(host_mobile));
    put(&mut ex, "confMode", conf_mode);
    put(&mut ex, "calType", cal_type);
    put(&mut ex, "roomId", id_text_ref(room_id));
    put(&mut ex, "CreateTime", create_time);
    put(&mut ex, "modifyTime", modify_time);
    put(&mut ex, "timezone", timezone);
    put(&mut ex, "joinLogin", join_login);
    put(&mut ex, "joinConfSelTag", join_conf_sel_tag);
    put(&mut ex, "joinConfTags", join_conf_tags);
    put(&mut ex, "confNodeType", conf_node_type);
    if let Some(cal) = cal_extra_info {
        // `put` drops `eventWatchword` (the join passphrase) at any depth.
        let mut e = ExtraFields::new();
        put(&mut e, "calExtraInfo", Some(cal));
        if let Some(serde_json::Value::Object(map)) = e.get("calExtraInfo")
            && !map.is_empty()
        {
            ex.extend(e);
        }
    }
    take_extra_view(extra, Conference::FIELDS, &mut ex);
    store_extra(&mut m, Source::QuanshiConference, ex);
    m
}

fn attendee(a: AttendeeRef<'_>) -> (Participant, ItemMap) {
    let AttendeeRef {
        user,
        user_type,
        phone_name,
        phone_email,
        status,
        country_code,
        company_name,
        org_name,
        mobile_number,
        office_phone,
        city_code,
        display_name,
        contact_id,
        product_status,
        user_profile,
        extra,
    } = a;
    let mut e = ItemMap::new();
    let kind = match user_type {
        None => ParticipantKind::Unknown,
        Some(UserType::Internal) => ParticipantKind::Internal,
        Some(UserType::External) => ParticipantKind::External,
        Some(UserType::Phone) => ParticipantKind::Phone,
        Some(other) => {
            item_put(&mut e, "userType", Some(other));
            ParticipantKind::Unknown
        }
    };
    let invitation = status.map(|s| match s {
        AttendeeStatus::Confirmed => Invitation::Confirmed,
        AttendeeStatus::Accepted => Invitation::Accepted,
        AttendeeStatus::Rejected => Invitation::Rejected,
        other => {
            item_put(&mut e, "status", Some(other));
            Invitation::Unknown
        }
    });
    // The name: `displayName`, else (phone attendees) `phoneName`.
    let display = clean_str(display_name);
    let name = match display {
        Some(n) => {
            item_put(&mut e, "phoneName", nonempty(phone_name));
            Some(n)
        }
        None => clean_str(phone_name),
    };
    item_put(&mut e, "phoneEmail", nonempty(phone_email));
    item_put(&mut e, "countryCode", nonempty(country_code));
    item_put(&mut e, "companyName", nonempty(company_name));
    item_put(&mut e, "orgName", nonempty(org_name));
    item_put(&mut e, "mobileNumber", nonempty(mobile_number));
    item_put(&mut e, "officePhone", nonempty(office_phone));
    item_put(&mut e, "cityCode", nonempty(city_code));
    item_put(&mut e, "contactId", id_text_ref(contact_id));
    item_put(&mut e, "productStatus", product_status);
    item_put(&mut e, "userProfile", user_profile.filter(|v| !v.is_null()));
    item_take_extra(extra, Attendee::FIELDS, &mut e);
    (
        Participant {
            user_id: id_text_ref(user),
            name,
            kind,
            invitation,
            ..Participant::default()
        },
        e,
    )
}

/// The same room from `detailHouseList` over `houseList`: the detail's fields win where it
/// has them; its devices replace the house's when it lists any.
fn unite_room(known: &mut BookedRoom, detail: BookedRoom) {
    let BookedRoom {
        id: _,
        name,
        city,
        address,
        floor,
        role,
        approval,
        devices,
    } = detail;
    macro_rules! over {
        ($($f:ident),*) => { $( if $f.is_some() { known.$f = $f; } )* };
    }
    over!(name, city, address, floor, role, approval);
    if !devices.is_empty() {
        known.devices = devices;
    }
}

fn role(r: Option<QRoomRole>) -> Option<RoomRole> {
    r.map(|r| match r {
        QRoomRole::Main => RoomRole::Main,
        QRoomRole::Branch => RoomRole::Branch,
        QRoomRole::Unspecified => RoomRole::Unspecified,
        _ => RoomRole::Unknown,
    })
}

fn approval(a: Option<ApprovalStatus>) -> Option<Approval> {
    a.map(|a| match a {
        ApprovalStatus::Pending => Approval::Pending,
        ApprovalStatus::NotApproved => Approval::Rejected,
        ApprovalStatus::Approved => Approval::Approved,
        ApprovalStatus::RoomCancelled => Approval::Cancelled,
        _ => Approval::Unknown,
    })
}

fn text(v: Option<&NumberOrTextRef<'_>>) -> Option<String> {
    match v? {
        NumberOrTextRef::Text(t) => clean_str(Some(Str(t.clone()))),
        n @ NumberOrTextRef::Number(_) => Some(n.to_string()),
    }
}

fn house_room(h: &DeviceRef<'_>) -> BookedRoom {
    BookedRoom {
        id: id_text_ref(h.device_id.clone()),
        name: clean_str(h.device_name.clone()),
        city: clean_str(h.city.clone()),
        address: text(h.location.as_ref()),
        floor: text(h.floor.as_ref()),
        role: role(h.is_main_room),
        approval: approval(h.approval_status),
        devices: Vec::new(),
    }
}

fn detail_room(h: DetailHouseRef<'_>) -> (BookedRoom, ItemMap) {
    let approval_status = h.approval();
    let DetailHouseRef {
        device_id,
        device_type,
        device_name,
        city,
        location,
        floor,
        is_main_room,
        apply_user_id,
        apply_status,
        approval_status: _,
        sub_devices,
        extra,
    } = h;
    let mut e = ItemMap::new();
    item_put(&mut e, "DeviceType", device_type);
    item_put(&mut e, "ApplyUserId", apply_user_id);
    if approval_status != apply_status {
        // Both names sent and they differ: `ApprovalStatus` was used; keep the other.
        item_put(&mut e, "ApplyStatus", apply_status);
    }
    let subs = sub_devices.unwrap_or_default();
    let mut devices = Vec::with_capacity(subs.len());
    let mut sub_extras = Vec::with_capacity(subs.len());
    for s in subs {
        let SubDeviceRef {
            device_id,
            device_type,
            device_name,
            extra,
        } = s;
        devices.push(Device {
            id: id_text_ref(device_id),
            name: clean_str(device_name),
        });
        let mut se = ItemMap::new();
        item_put(&mut se, "DeviceType", device_type);
        item_take_extra(extra, SubDevice::FIELDS, &mut se);
        sub_extras.push(se);
    }
    if let Some(list) = item_list(sub_extras) {
        e.insert("SubDevices".to_owned(), list);
    }
    item_take_extra(extra, DetailHouse::FIELDS, &mut e);
    (
        BookedRoom {
            id: id_text_ref(device_id),
            name: clean_str(device_name),
            city: clean_str(city),
            address: text(location.as_ref()),
            floor: text(floor.as_ref()),
            role: role(is_main_room),
            approval: approval(approval_status),
            devices,
        },
        e,
    )
}

/// Normalises a dashboard conference: an occurrence, keyed `quanshi:temp:<tempConferenceId>`.
///
/// `startTime`/`stopTime` are what happened (`stopTime` 0: not ended, so no `end`);
/// `status` 2 is `live`, 4 `ended`, anything else `unknown`; `attendeeCnt` is
/// `participant_count`; the `*Cnt` counts are `connections`; `isSecureConf`/`isRecord` are
/// `features.secure`/`features.recording`. The attendee password is dropped.
pub fn normalize_dashboard(d: DashboardConference) -> Meeting {
    normalize_dashboard_view(d.into_view())
}

/// The one implementation of [`normalize_dashboard`], over the borrowed view.
pub(crate) fn normalize_dashboard_view(d: DashboardConferenceRef<'_>) -> Meeting {
    let DashboardConferenceRef {
        event_id,
        temp_conference_id,
        title,
        billing_code,
        customer_code,
        pcode2: _,
        host_id,
        host_name,
        host_email,
        host_mobile,
        host_org_id,
        host_ip,
        host_location,
        start_time,
        stop_time,
        conf_duration,
        is_secure_conf,
        is_record,
        data_center,
        status,
        attendee_cnt,
        voip_cnt,
        pstn_cnt,
        video_cnt,
        desktop_cnt,
        mcu_cnt,
        box_cnt,
        raw_attendee_cnt,
        raw_pstn_cnt,
        extra,
    } = d;
    let id = id_text_ref(temp_conference_id);
    let mut m = Meeting::new(
        Vendor::Quanshi,
        Source::QuanshiDashboard,
        format!("quanshi:temp:{}", id.as_deref().unwrap_or_default()),
    );
    if id.is_none() {
        m.warn("no tempConferenceId: the occurrence cannot be identified");
    }
    m.occurrence_id = id;
    m.event_id = id_text_ref(event_id);
    m.topic = clean_str(title);
    set_host(&mut m, host_id, host_name, host_email);
    let mut ex = ExtraFields::new();
    m.status = match status {
        None => Status::Unknown,
        Some(DashboardStatus::Running) => Status::Live,
        Some(DashboardStatus::Ended) => Status::Ended,
        Some(other) => {
            put(&mut ex, "status", Some(other));
            Status::Unknown
        }
    };
    m.start = unix(&mut m, start_time.as_ref(), "startTime");
    // `stopTime` 0 means "not ended".
    let stop = stop_time.filter(|t| t.value() != Some(0));
    m.end = unix(&mut m, stop.as_ref(), "stopTime");
    m.duration_seconds = seconds_between(m.start, m.end);
    // `confDuration` (seconds) is the vendor's own figure: the duration of a live or ended
    // occurrence whose times do not give one (a running conference has no `stopTime`).
    let vendor_seconds = conf_duration.and_then(|d| u64::try_from(d).ok());
    let conf_duration = if m.duration_seconds.is_none()
        && matches!(m.status, Status::Live | Status::Ended)
        && vendor_seconds.is_some()
    {
        m.duration_seconds = vendor_seconds;
        None
    } else {
        conf_duration
    };
    if let (Some(s), Some(e)) = (m.start, m.end)
        && e < s
    {
        m.warn("end is before start: no duration");
    }
    if m.status == Status::Live && m.end.is_some() {
        m.warn("status says running but stopTime is set");
    }
    m.participant_count = count(&mut m, "attendeeCnt", attendee_cnt);
    let connections = Connections {
        voip: count(&mut m, "voipCnt", voip_cnt),
        pstn: count(&mut m, "pstnCnt", pstn_cnt),
        video: count(&mut m, "videoCnt", video_cnt),
        screen_share: count(&mut m, "desktopCnt", desktop_cnt),
        hardware: count(&mut m, "mcuCnt", mcu_cnt),
        r#box: count(&mut m, "boxCnt", box_cnt),
    };
    if !connections.is_empty() {
        m.connections = Some(connections);
    }
    m.features = Features {
        secure: is_secure_conf.map(meeting_wire::Flag::is_set),
        recording: is_record.map(meeting_wire::Flag::is_set),
        ..Features::default()
    };
    put(&mut ex, "billingCode", nonempty(billing_code));
    put(&mut ex, "customerCode", nonempty(customer_code));
    put(&mut ex, "hostMobile", nonempty(host_mobile));
    put(&mut ex, "hostOrgId", id_text_ref(host_org_id));
    put(&mut ex, "hostIp", nonempty(host_ip));
    put(&mut ex, "hostLocation", nonempty(host_location));
    put(&mut ex, "confDuration", conf_duration);
    put(&mut ex, "dataCenter", nonempty(data_center));
    put(&mut ex, "rawAttendeeCnt", raw_attendee_cnt);
    put(&mut ex, "rawPstnCnt", raw_pstn_cnt);
    take_extra_view(extra, DashboardConference::FIELDS, &mut ex);
    store_extra(&mut m, Source::QuanshiDashboard, ex);
    m
}
