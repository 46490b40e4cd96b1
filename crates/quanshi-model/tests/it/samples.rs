//! The documented samples, parsed and snapshotted.

use crate::common::{bytes, conference, conferences, dashboard, dashboard_result};
use chrono::{TimeZone, Utc};
use meeting_wire::{DecodeError, Id};
use quanshi_model::*;

#[test]
fn conference_sample_snapshot() {
    insta::assert_debug_snapshot!(conference("conference-by-join-url.sample.json"));
}

#[test]
fn dashboard_sample_snapshot() {
    insta::assert_debug_snapshot!(dashboard("dashboard-conference-info.sample.json"));
}

#[test]
fn doc_fragments_snapshot() {
    let houses: Vec<Device> =
        meeting_wire::from_slice(&bytes("fragments/house-list.doc-example.json")).unwrap();
    insta::assert_debug_snapshot!("house_list_doc_example", houses);
    let details: Vec<DetailHouse> =
        meeting_wire::from_slice(&bytes("fragments/detail-house-list.doc-example.json")).unwrap();
    insta::assert_debug_snapshot!("detail_house_list_doc_example", details);
}

#[test]
fn doc_detail_house_list_as_written_is_not_json() {
    // The doc's sample has an unquoted key; the fixture quotes it. The original text fails
    // with a located error, not a panic.
    let text = String::from_utf8(bytes("fragments/detail-house-list.doc-example.json"))
        .unwrap()
        .replace("\"SubDevices\":", "SubDevices:");
    let err: DecodeError = meeting_wire::from_str::<Vec<DetailHouse>>(&text).unwrap_err();
    assert_eq!(err.line(), 11);
}

#[test]
fn conference_sample_typed_values() {
    let resp = conference("conference-by-join-url.sample.json");
    assert_eq!(resp.status, 0);
    assert_eq!(
        resp.request_id.as_deref(),
        Some("uniformserver-172.10.87.161-1654580475.515398022.629")
    );
    assert_eq!(
        resp.reqid.as_deref(),
        Some("confopenapiserver-172.10.248.48-1654580475.434889524.59")
    );
    assert_eq!(
        resp.request_id(),
        Some("uniformserver-172.10.87.161-1654580475.515398022.629")
    );
    assert_eq!(
        resp.timestamp.as_ref().unwrap().to_utc().unwrap(),
        Utc.timestamp_millis_opt(1_654_580_475_434).unwrap()
    );
    assert_eq!(
        resp.request_duration.as_ref().unwrap().as_duration(),
        Some(std::time::Duration::from_nanos(125_711_156))
    );
    assert!(!resp.result.as_ref().unwrap().is_encoded());

    let confs = conferences("conference-by-join-url.sample.json");
    assert_eq!(confs.len(), 1);
    let c = &confs[0];
    assert_eq!(c.conference_id, Some(Id::text("239719428")));
    assert_eq!(c.billing_code(), Some("95397103"));
    assert_eq!(c.billing_code_camel, None);
    assert_eq!(c.event_id, Some(Id::number(566_390)));
    assert_eq!(c.host_id.as_ref().and_then(Id::as_u64), Some(88_610_849));
    assert_eq!(c.pcode1.as_ref().unwrap().expose(), "201501000037434973");
    assert_eq!(
        c.start_time.as_ref().unwrap().to_utc().unwrap(),
        Utc.with_ymd_and_hms(2022, 6, 7, 13, 30, 0).unwrap()
    );
    assert_eq!(c.end_time.as_ref().unwrap().value(), Some(1_654_610_400));
    assert_eq!(c.length, Some(30));
    assert_eq!(
        c.length_duration(),
        Some(std::time::Duration::from_secs(1800))
    );
    assert_eq!(c.status, Some(ConferenceStatus::Created));
    assert_eq!(c.title.as_deref(), Some("哦"));
    assert_eq!(c.conf_mode, Some(ConfMode::Video));
    assert_eq!(c.cal_type, Some(CalType::Single));
    assert_eq!(c.join_login, Some(JoinLogin::NotRequired));
    assert_eq!(c.conf_node_type, Some(ConfNodeType::Standard));
    assert_eq!(
        c.timezone.as_ref().unwrap().tz(),
        Some(chrono_tz::Asia::Shanghai)
    );
    assert_eq!(c.create_time.as_ref().unwrap().value(), Some(1_654_567_956));
    assert_eq!(c.modify_time.as_ref().unwrap().value(), Some(1_654_568_076));
    assert_eq!(
        c.web_rtc_url.as_ref().unwrap().expose(),
        "https://mtest.qsh1.cn/k/mkIW3Txa0Uk?priority=web"
    );
    assert_eq!(c.join_conf_tags(), Vec::<&str>::new());
    assert_eq!(c.cal_extra_info, Some(CalExtraInfo::default()));
    assert_eq!(c.house_list, Some(vec![]));
    assert_eq!(c.detail_house_list, None);
    assert_eq!(
        c.extra.get("detailHouseList"),
        Some(&serde_json::Value::Null)
    );
    let a = &c.attend_list.as_ref().unwrap()[0];
    assert_eq!(a.user, Some(Id::text("88610849")));
    assert_eq!(a.user_type, Some(UserType::Internal));
    assert_eq!(a.status, Some(AttendeeStatus::Confirmed));
    assert_eq!(a.product_status, Some(1));
    assert_eq!(a.user_profile, None);
    assert!(a.extra.contains_key("userProfile"));
}

#[test]
fn dashboard_sample_typed_values() {
    let resp = dashboard("dashboard-conference-info.sample.json");
    assert_eq!(resp.msg.as_deref(), Some("success"));
    assert_eq!(
        resp.request_id(),
        Some("rtsas-172371014-1774514768.581757447.258")
    );
    assert_eq!(resp.reqid, None);
    assert_eq!(
        resp.request_duration.as_ref().unwrap().as_duration(),
        Some(std::time::Duration::from_micros(68_500))
    );
    let d = dashboard_result("dashboard-conference-info.sample.json");
    assert_eq!(d.event_id, Some(Id::number(1_165_158)));
    assert_eq!(d.temp_conference_id, Some(Id::text("56039682")));
    assert_eq!(d.billing_code.as_deref(), Some("990001_239848688"));
    assert_eq!(d.pcode2.as_ref().unwrap().expose(), "123456");
    assert_eq!(d.host_org_id, Some(Id::number(2001)));
    assert_eq!(d.status, Some(DashboardStatus::Running));
    assert!(d.is_running());
    assert_eq!(d.stopped_at(), None);
    assert_eq!(d.started_at(), Utc.timestamp_opt(1_715_600_000, 0).single());
    assert_eq!(
        d.conf_duration(),
        Some(std::time::Duration::from_secs(3600))
    );
    assert_eq!(d.is_secure_conf(), Some(false));
    assert_eq!(d.is_record(), Some(true));
    assert_eq!(
        (
            d.attendee_cnt,
            d.voip_cnt,
            d.pstn_cnt,
            d.video_cnt,
            d.desktop_cnt
        ),
        (Some(15), Some(10), Some(2), Some(8), Some(3))
    );
    assert_eq!((d.mcu_cnt, d.box_cnt), (Some(0), Some(0)));
    assert_eq!((d.raw_attendee_cnt, d.raw_pstn_cnt), (Some(15), Some(2)));
    assert!(d.extra.is_empty());
}
