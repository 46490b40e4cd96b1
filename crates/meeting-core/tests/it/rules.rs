//! One test per normalisation rule.

use crate::common::{conference, dashboard, detail, his, reports};
use meeting_core::{
    Approval, CallDirection, Context, Invitation, ParticipantKind, RoomRole, Source, Status,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn iso(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

const REPORT: &str = r#"{"status":200,"message":"OK","data":[{"uuid":"xQi0Q/qxQr2iNGdamVfpGg==","id":1571106323,"type":"Past Meeting","host":"7 ","email":"shareroom7@systec.com.cn","user_type":"Corp","start_time":"2018-05-08T02:32:34Z","end_time":"2018-05-08T02:37:38Z","duration":"6分钟","has_pstn":false,"has_voip":true,"has_3rd_party_audio":false,"has_video":true,"has_screen_share":false,"recording":0,"participants_count":3,"page_count":1,"page_number":1,"page_size":100,"participants":[{"id":"","user_id":"16779264","user_name":" 叶大红的 iPhone ","device":"iOS","ip_address":"116.31.75.13","cn":"CN","city":"Guangzhou","network_type":"Wifi","join_time":"2018-05-08T02:34:06Z","leave_time":"2018-05-08T02:35:50Z"}]},{"id":"1579334441"}]}"#;

const DETAIL: &str = r#"{"status":200,"message":"OK","data":{"from":"2017-8-31","to":"2017-09-01","total_record":1,"total_page":1,"page_number":1,"page_size":30,"has_previous_page":false,"has_next_page":false,"meetings":[{"uuid":"dgvOvqWVRUWjrEOS2YI2ig==","host_id":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","meeting_id":"1790001234","topic":"Hello world!","start_time":"2017-08-31 00:00:00","duration":120,"end_time":"2017-08-31 01:00:00","is_extra":0,"participants":[{"name":"XYZ","join_time":"2017-08-31 00:51:00","leave_time":"2017-08-31 00:53:04"}],"telephony_usage":[{"phone_number":"+8613716819201","type":"call-out","start_time":"2017-08-31 00:51:00","end_time":"2017-08-31 00:53:00","duration":2,"total":0.12},{"phone_number":"+8613716819202","type":"call-in","start_time":"2017-08-31 00:52:00","end_time":"2017-08-31 00:54:00","duration":2,"total":0.06}]}]}}"#;

const HIS: &str = r#"{"status":200,"message":"OK","data":[{"uuid":"jny6Sttx8NitKXw==","id":1376669196,"host":"test03 ","email":"test03@rfchina.com","user_type":"Corp","start_time":"2018-01-02T03:53:18Z","end_time":"2018-01-02T04:02:10Z","duration":"9分钟","participants":2,"has_pstn":false,"has_voip":false,"has_3rd_party_audio":false,"has_video":false,"has_screen_share":false,"recording":0}]}"#;

fn conf(result: &str) -> String {
    format!(r#"{{"status":0,"result":[{result}],"reqid":"r"}}"#)
}

fn dash(result: &str) -> String {
    format!(r#"{{"status":0,"result":{result},"msg":"success"}}"#)
}

#[test]
fn keys_for_every_source() {
    let r = reports(REPORT);
    assert_eq!(r[0].key, "systec:xQi0Q/qxQr2iNGdamVfpGg==");
    assert_eq!(r[1].key, "systec:stub:1579334441");
    assert_eq!(r[1].meeting_number.as_deref(), Some("1579334441"));
    assert_eq!(
        detail(DETAIL, &Context::default())[0].key,
        "systec:dgvOvqWVRUWjrEOS2YI2ig=="
    );
    assert_eq!(his(HIS)[0].key, "systec:jny6Sttx8NitKXw==");
    let c = conference(&conf(r#"{"conferenceId":"239719428","eventId":566390}"#));
    assert_eq!(c[0].key, "quanshi:conference:239719428");
    assert_eq!(c[0].meeting_number.as_deref(), Some("239719428"));
    assert_eq!(c[0].event_id.as_deref(), Some("566390"));
    let d = dashboard(&dash(
        r#"{"tempConferenceId":"56039682","eventId":1165158}"#,
    ));
    assert_eq!(d[0].key, "quanshi:temp:56039682");
    assert_eq!(d[0].occurrence_id.as_deref(), Some("56039682"));
    assert_eq!(d[0].sources, [Source::QuanshiDashboard]);
}

#[test]
fn iso_times_are_utc_and_detail_times_are_vendor_local() {
    let r = &reports(REPORT)[0];
    assert_eq!(iso(&r.start.unwrap()), "2018-05-08T02:32:34Z");
    let sh = &detail(DETAIL, &Context::default())[0];
    assert_eq!(iso(&sh.start.unwrap()), "2017-08-30T16:00:00Z");
    let utc = Context::from_zone_name("UTC").unwrap();
    let u = &detail(DETAIL, &utc)[0];
    assert_eq!(iso(&u.start.unwrap()), "2017-08-31T00:00:00Z");
    assert_eq!(
        iso(&u.participants[0].join.unwrap()),
        "2017-08-31T00:51:00Z"
    );
    assert_eq!(
        iso(&u.phone_calls[0].start.unwrap()),
        "2017-08-31T00:51:00Z"
    );
    assert!(sh.warnings.is_empty());
}

#[test]
fn dst_ambiguous_and_skipped_times_are_deliberate() {
    let ny = Context::new(chrono_tz::America::New_York);
    // 2024-11-03 01:30 happens twice in New York; 2024-03-10 02:30 never happens.
    let body = DETAIL
        .replace("2017-08-31 00:00:00", "2024-11-03 01:30:00")
        .replace("2017-08-31 01:00:00", "2024-03-10 02:30:00");
    let m = &detail(&body, &ny)[0];
    assert_eq!(iso(&m.start.unwrap()), "2024-11-03T05:30:00Z"); // the earlier (EDT) instant
    assert_eq!(iso(&m.end.unwrap()), "2024-03-10T07:30:00Z"); // read with EST, before the gap
    assert!(m.duration_seconds.is_none()); // end before start
    let w = m.warnings.join("\n");
    assert!(w.contains("ambiguous local time start_time `2024-11-03 01:30:00` in America/New_York: read as the earlier instant 2024-11-03T05:30:00Z"), "{w}");
    assert!(
        w.contains("nonexistent local time end_time `2024-03-10 02:30:00` in America/New_York"),
        "{w}"
    );
}

#[test]
fn quanshi_times_are_unix_seconds_and_stop_time_zero_is_not_ended() {
    let running = &dashboard(&dash(
        r#"{"tempConferenceId":"1","startTime":1715600000,"stopTime":0,"status":2}"#,
    ))[0];
    assert_eq!(iso(&running.start.unwrap()), "2024-05-13T11:33:20Z");
    assert_eq!(running.end, None);
    assert_eq!(running.duration_seconds, None);
    assert_eq!(running.status, Status::Live);
    let ended = &dashboard(&dash(
        r#"{"tempConferenceId":"1","startTime":1715600000,"stopTime":1715603600,"status":4,"confDuration":3600}"#,
    ))[0];
    assert_eq!(ended.duration_seconds, Some(3600));
    assert_eq!(ended.status, Status::Ended);
    assert_eq!(
        ended.vendor_extra[&Source::QuanshiDashboard]["confDuration"],
        3600
    );
}

#[test]
fn booked_goes_to_scheduled_and_happened_to_start_end() {
    let c = &conference(&conf(
        r#"{"conferenceId":"1","startTime":1654608600,"endTime":1654610400,"length":30,"status":1}"#,
    ))[0];
    assert_eq!(iso(&c.scheduled_start.unwrap()), "2022-06-07T13:30:00Z");
    assert_eq!(iso(&c.scheduled_end.unwrap()), "2022-06-07T14:00:00Z");
    assert_eq!(c.scheduled_duration_seconds, Some(1800));
    assert_eq!((c.start, c.end, c.duration_seconds), (None, None, None));
    let d = &detail(DETAIL, &Context::default())[0];
    assert_eq!(d.scheduled_duration_seconds, Some(7200)); // 120 minutes booked
    assert_eq!(d.duration_seconds, Some(3600)); // one hour measured
    let r = &reports(REPORT)[0];
    assert_eq!(r.duration_seconds, Some(304)); // 5 min 04 s measured
    assert_eq!(r.billed_minutes, Some(6)); // "6分钟", rounded up by the vendor
    assert_eq!(his(HIS)[0].billed_minutes, Some(9));
}

#[test]
fn systec_end_time_is_the_end_and_makes_detail_ended() {
    let d = &detail(DETAIL, &Context::default())[0];
    assert_eq!(d.status, Status::Ended);
    assert_eq!(iso(&d.end.unwrap()), "2017-08-30T17:00:00Z");
    let open = DETAIL.replace(r#","end_time":"2017-08-31 01:00:00""#, "");
    let o = &detail(&open, &Context::default())[0];
    assert_eq!(o.status, Status::Unknown);
    assert_eq!(o.end, None);
}

#[test]
fn systec_host_fills_host_and_room() {
    let r = &reports(REPORT)[0];
    let host = r.host.as_ref().unwrap();
    assert_eq!(host.name.as_deref(), Some("7"));
    assert_eq!(host.email.as_deref(), Some("shareroom7@systec.com.cn"));
    assert_eq!(host.account_type.as_deref(), Some("Corp"));
    let room = r.room.as_ref().unwrap();
    assert_eq!(
        (room.name.as_deref(), room.email.as_deref()),
        (host.name.as_deref(), host.email.as_deref())
    );
    let h = &his(HIS)[0];
    assert_eq!(h.room.as_ref().unwrap().name.as_deref(), Some("test03"));
    let d = &detail(DETAIL, &Context::default())[0];
    assert_eq!(
        d.room.as_ref().unwrap().id.as_deref(),
        Some("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    );
    assert!(d.host.is_none());
}

#[test]
fn statuses_per_endpoint_and_unknown_codes() {
    assert_eq!(reports(REPORT)[0].status, Status::Ended);
    assert_eq!(reports(REPORT)[1].status, Status::Unknown);
    assert_eq!(his(HIS)[0].status, Status::Ended);
    for (code, want) in [
        (0, Status::Cancelled),
        (1, Status::Scheduled),
        (4, Status::Ended),
        (9, Status::Unknown),
    ] {
        let c = &conference(&conf(&format!(r#"{{"conferenceId":"1","status":{code}}}"#)))[0];
        assert_eq!(c.status, want, "{code}");
    }
    for (code, want) in [(2, Status::Live), (4, Status::Ended), (3, Status::Unknown)] {
        let d = &dashboard(&dash(&format!(
            r#"{{"tempConferenceId":"1","status":{code}}}"#
        )))[0];
        assert_eq!(d.status, want, "{code}");
    }
    let d = &dashboard(&dash(r#"{"tempConferenceId":"1","status":3}"#))[0];
    assert_eq!(d.vendor_extra[&Source::QuanshiDashboard]["status"], 3);
}

#[test]
fn participant_kind_invitation_and_duration() {
    let c = &conference(&conf(
        r#"{"conferenceId":"1","attendList":[
        {"user":"1","userType":1,"status":"W","displayName":"张三"},
        {"user":"2","userType":2,"status":"A","displayName":""},
        {"user":"3","userType":3,"status":"R","phoneName":"李四 "},
        {"user":"4","userType":7,"status":"Q"}]}"#,
    ))[0];
    let kinds: Vec<_> = c
        .participants
        .iter()
        .map(|p| (p.kind, p.invitation))
        .collect();
    assert_eq!(
        kinds,
        [
            (ParticipantKind::Internal, Some(Invitation::Confirmed)),
            (ParticipantKind::External, Some(Invitation::Accepted)),
            (ParticipantKind::Phone, Some(Invitation::Rejected)),
            (ParticipantKind::Unknown, Some(Invitation::Unknown)),
        ]
    );
    assert_eq!(c.participants[0].name.as_deref(), Some("张三"));
    assert_eq!(c.participants[1].name, None);
    assert_eq!(c.participants[2].name.as_deref(), Some("李四"));
    assert_eq!(c.participants[0].user_id.as_deref(), Some("1"));
    let r = &reports(REPORT)[0];
    let p = &r.participants[0];
    assert_eq!(p.duration_seconds, Some(104));
    assert_eq!(p.kind, ParticipantKind::Unknown);
    assert_eq!(p.invitation, None);
    assert_eq!(p.id, None); // "" is absent
    assert_eq!(p.name.as_deref(), Some("叶大红的 iPhone"));
    assert_eq!(
        detail(DETAIL, &Context::default())[0].participants[0].duration_seconds,
        Some(124)
    );
}

#[test]
fn truncated_reports_are_flagged() {
    let r = &reports(REPORT)[0];
    assert_eq!(r.participant_count, Some(3));
    assert_eq!(r.warnings, ["participants truncated: 1 of 3 listed"]);
    let whole = REPORT.replace(r#""participants_count":3"#, r#""participants_count":1"#);
    assert!(reports(&whole)[0].warnings.is_empty());
}

#[test]
fn phone_calls_cost_exact_cny() {
    let d = &detail(DETAIL, &Context::default())[0];
    let calls = &d.phone_calls;
    assert_eq!(calls[0].direction, Some(CallDirection::Outbound));
    assert_eq!(calls[1].direction, Some(CallDirection::Inbound));
    assert_eq!(calls[0].billed_minutes, Some(2));
    assert_eq!(calls[0].duration_seconds, Some(120));
    assert_eq!(
        serde_json::to_value(&calls[0].cost).unwrap(),
        serde_json::json!({"amount":"0.12","currency":"CNY"})
    );
    // 0.12 + 0.06 = 0.18 exactly (as floats it would be 0.18000000000000002).
    assert_eq!(d.phone_cost()["CNY"], Decimal::from_str("0.18").unwrap());
    let many = DETAIL
        .replace(r#""total":0.12"#, r#""total":0.1"#)
        .replace(r#""total":0.06"#, r#""total":0.2"#);
    assert_eq!(
        detail(&many, &Context::default())[0].phone_cost()["CNY"].to_string(),
        "0.3"
    );
}

#[test]
fn dashboard_counts_go_to_connections() {
    let d = &dashboard(&dash(
        r#"{"tempConferenceId":"1","attendeeCnt":15,"voipCnt":10,"pstnCnt":2,"videoCnt":8,"desktopCnt":3,"mcuCnt":1,"boxCnt":4,"rawAttendeeCnt":16,"isSecureConf":false,"isRecord":true}"#,
    ))[0];
    assert_eq!(d.participant_count, Some(15));
    assert_eq!(
        serde_json::to_value(d.connections).unwrap(),
        serde_json::json!({"voip":10,"pstn":2,"video":8,"screen_share":3,"hardware":1,"box":4})
    );
    assert_eq!(
        (d.features.secure, d.features.recording),
        (Some(false), Some(true))
    );
    assert_eq!(
        d.vendor_extra[&Source::QuanshiDashboard]["rawAttendeeCnt"],
        16
    );
    let neg = &dashboard(&dash(r#"{"tempConferenceId":"1","voipCnt":-1}"#))[0];
    assert_eq!(neg.connections, None);
    assert_eq!(neg.warnings, ["negative voipCnt -1 ignored"]);
}

#[test]
fn names_trimmed_and_empty_strings_absent() {
    let r =
        &reports(&REPORT.replace(r#""email":"shareroom7@systec.com.cn""#, r#""email":"  ""#))[0];
    assert_eq!(r.host.as_ref().unwrap().name.as_deref(), Some("7"));
    assert_eq!(r.host.as_ref().unwrap().email, None);
    let c = &conference(&conf(
        r#"{"conferenceId":"1","title":"  周会 ","hostName":"","hostId":88610849}"#,
    ))[0];
    assert_eq!(c.topic.as_deref(), Some("周会"));
    assert_eq!(c.host.as_ref().unwrap().name, None);
    assert_eq!(c.host.as_ref().unwrap().id.as_deref(), Some("88610849"));
}

#[test]
fn secrets_never_reach_a_meeting() {
    let c = conference(&conf(
        r#"{"conferenceId":"1",
        "pcode1":"SENTINEL-pcode1","pcode2":"SENTINEL-pcode2",
        "hostJoinUrl":"https://x/SENTINEL-host","wcallurl":"http://x/?pcode=SENTINEL-wcall",
        "attendeeJoinUrl":"https://x/k/SENTINEL-attendee","webRTCUrl":"https://x/k/SENTINEL-webrtc",
        "livePullUrl":"https://live/SENTINEL-live","livePullPwd":"SENTINEL-livepwd",
        "calExtraInfo":{"openWatchword":1,"eventWatchword":"SENTINEL-watchword","labels":"[\"a\"]","nested":{"password":"SENTINEL-nested"}},
        "meetingPassword":"SENTINEL-undocumented","hostToken":"SENTINEL-token",
        "attendList":[{"user":"1","userProfile":{"token":"SENTINEL-profile","title":"ok"}}]}"#,
    ));
    let d = dashboard(&dash(
        r#"{"tempConferenceId":"1","pcode2":"SENTINEL-dash","pcode1":"SENTINEL-dash1"}"#,
    ));
    for m in c.iter().chain(&d) {
        let text = serde_json::to_string(m).unwrap();
        assert!(!text.contains("SENTINEL"), "{text}");
        let debug = format!("{m:?}");
        assert!(!debug.contains("SENTINEL"), "{debug}");
    }
    // What is not secret stays.
    let extra = &c[0].vendor_extra[&Source::QuanshiConference];
    assert_eq!(extra["calExtraInfo"]["openWatchword"], 1);
    assert_eq!(extra["attendList"][0]["userProfile"]["title"], "ok");
}

#[test]
fn unmapped_fields_land_in_vendor_extra() {
    let body = DETAIL
        .replace(
            r#""is_extra":0"#,
            r#""is_extra":1,"room_name":"7F 大会议室","topic_color":null"#,
        )
        .replace(
            r#""leave_time":"2017-08-31 00:53:04""#,
            r#""leave_time":"2017-08-31 00:53:04","device":"H.323""#,
        )
        .replace(r#""topic":"Hello world!""#, r#""topic":null"#);
    let d = &detail(&body, &Context::default())[0];
    let ex = &d.vendor_extra[&Source::SystecDetail];
    assert_eq!(ex["is_extra"], 1);
    assert_eq!(ex["room_name"], "7F 大会议室");
    assert_eq!(ex["topic_color"], serde_json::Value::Null); // an undocumented null is verbatim
    assert!(!ex.contains_key("topic")); // a documented field sent as null is mapped (absent)
    assert_eq!(ex["participants"], serde_json::json!([{"device": "H.323"}]));
    assert_eq!(d.topic, None);
    let r = &reports(REPORT)[0];
    let ex = &r.vendor_extra[&Source::SystecReports];
    assert_eq!(ex["type"], "Past Meeting");
    assert_eq!(ex["page_size"], 100);
}

#[test]
fn booked_rooms_with_devices() {
    let c = &conference(&conf(
        r#"{"conferenceId":"1","detailHouseList":[{"DeviceId":6516,"DeviceType":2,"DeviceName":"杏花村2","City":"西安","Location":"锦业路","Floor":14,"IsMainRoom":1,"ApplyUserId":22563698,"ApprovalStatus":2,"SubDevices":[{"DeviceId":6546,"DeviceType":3,"DeviceName":"盒子"}]}]}"#,
    ))[0];
    let room = &c.rooms[0];
    assert_eq!(room.name.as_deref(), Some("杏花村2"));
    assert_eq!(room.floor.as_deref(), Some("14"));
    assert_eq!(room.address.as_deref(), Some("锦业路"));
    assert_eq!(room.role, Some(RoomRole::Main));
    assert_eq!(room.approval, Some(Approval::Approved));
    assert_eq!(room.devices[0].name.as_deref(), Some("盒子"));
    let h = &conference(&conf(
        r#"{"conferenceId":"1","houseList":[{"DeviceId":6518,"DeviceType":2,"DeviceName":"杏花村","IsMainRoom":0,"ApprovalStatus":1}],"equipList":[{"DeviceId":7,"DeviceType":3,"DeviceName":"盒子","ParentDeviceId":6518}]}"#,
    ))[0];
    assert_eq!(h.rooms[0].role, Some(RoomRole::Unspecified));
    assert_eq!(h.rooms[0].approval, Some(Approval::Rejected));
    assert_eq!(h.rooms[0].devices[0].id.as_deref(), Some("7"));
}

#[test]
fn secrets_by_structure_never_reach_a_meeting() {
    // Hostile spellings of the documented secrets, nested, and inside JSON held in strings.
    let c = conference(&conf(
        r#"{"conferenceId":"1",
        "host_join_url":"https://x/SENTINEL-a","HOST-JOIN-URL":"https://x/SENTINEL-b",
        "livePullURL":"https://live/SENTINEL-c","live_stream_address":"rtmp://SENTINEL-d",
        "watchword":"SENTINEL-e","Pcode1":"SENTINEL-f","p_code_2":"SENTINEL-g",
        "x_api_KEY":"SENTINEL-h","Authorization":"Bearer SENTINEL-i",
        "meta":"{\"pcode1\":\"SENTINEL-j\",\"ok\":1,\"inner\":\"[{\\\"token\\\":\\\"SENTINEL-k\\\"}]\"}",
        "links":[{"joinLink":"SENTINEL-l","name":"kept"}],
        "share":"https://x/j?id=1&pwd=SENTINEL-m",
        "会议密码":"SENTINEL-n",
        "attendList":[{"user":"1","userProfile":{"WebRTC_URL":"SENTINEL-o","title":"ok"}}]}"#,
    ));
    let d = dashboard(&dash(
        r#"{"tempConferenceId":"1","hostJoinURL":"SENTINEL-p","calExtraInfo":"{\"eventWatchword\":\"SENTINEL-q\"}"}"#,
    ));
    for m in c.iter().chain(&d) {
        let text = serde_json::to_string(m).unwrap();
        assert!(!text.contains("SENTINEL"), "{text}");
        assert!(!format!("{m:?}").contains("SENTINEL"));
    }
    let extra = &c[0].vendor_extra[&Source::QuanshiConference];
    let meta: serde_json::Value = serde_json::from_str(extra["meta"].as_str().unwrap()).unwrap();
    assert_eq!(meta["ok"], 1);
    assert_eq!(extra["links"][0]["name"], "kept");
    assert_eq!(extra["share"], "https://x/j?id=1&pwd=[redacted]");
}
