//! One test per documented quirk and tolerance, asserting the typed values; and a
//! snapshot of every quirk fixture.

use crate::common::{
    Kind, all_json, bytes, conference, conferences, dashboard, dashboard_result, kind,
};
use meeting_wire::Id;
use quanshi_model::*;
use serde_json::{Value, json};

#[test]
fn every_quirk_fixture_snapshot() {
    let quirks: Vec<String> = all_json()
        .into_iter()
        .filter(|f| f.starts_with("quirks/"))
        .collect();
    assert!(quirks.len() >= 25);
    for rel in quirks {
        let name = rel
            .trim_start_matches("quirks/")
            .trim_end_matches(".json")
            .to_owned();
        let raw = bytes(&rel);
        let shown = match kind(&rel) {
            Kind::Dashboard => format!("{:#?}", dashboard_conference_info::parse_response(&raw)),
            Kind::Conference => format!("{:#?}", conference_by_join_url::parse_response(&raw)),
            Kind::VendorError | Kind::Invalid => format!(
                "{:#?}\n{}",
                conference_by_join_url::parse_response(&raw),
                conference_by_join_url::parse_response(&raw).unwrap_err()
            ),
            k => panic!("{rel}: {k:?} in quirks/"),
        };
        insta::assert_snapshot!(name, shown);
    }
}

#[test]
fn result_as_json_string() {
    let resp = conference("quirks/result-as-json-string.json");
    let list = resp.result.as_ref().unwrap();
    assert!(list.is_encoded());
    assert!(list.raw_text().unwrap().starts_with("[{\"conferenceId\""));
    let c = &list.value()[0];
    assert_eq!(c.conference_id, Some(Id::text("239719428")));
    assert_eq!(c.status, Some(ConferenceStatus::Ended));
    assert_eq!(
        c.attend_list.as_ref().unwrap()[0].status,
        Some(AttendeeStatus::Accepted)
    );
    // Written back as the same string, not as an array.
    let back = serde_json::to_value(&resp).unwrap();
    assert!(back["result"].is_string());
}

#[test]
fn result_as_empty_string_is_an_empty_list() {
    let resp = conference("quirks/result-as-empty-string.json");
    let list = resp.result.unwrap();
    assert!(list.value().is_empty());
    assert_eq!(list.raw_text(), Some(""));
}

#[test]
fn billing_code_camel_and_lower() {
    let c = &conferences("quirks/billingCode-camel.json")[0];
    assert_eq!(c.billing_code_camel.as_deref(), Some("95397103"));
    assert_eq!(c.billing_code_lower, None);
    assert_eq!(c.billing_code(), Some("95397103"));
    let c = &conferences("quirks/billing-code-both-spellings.json")[0];
    assert_eq!(c.billing_code_camel.as_deref(), Some("95397103"));
    assert_eq!(c.billing_code_lower.as_deref(), Some("95397199"));
    assert_eq!(c.billing_code(), Some("95397103"), "billingCode wins");
    let c = &conferences("conference-by-join-url.sample.json")[0];
    assert_eq!(c.billing_code_lower.as_deref(), Some("95397103"));
}

#[test]
fn request_id_variants() {
    let r = conference("quirks/reqid-only.json");
    assert_eq!(r.request_id, None);
    assert_eq!(
        r.request_id(),
        Some("confopenapiserver-172.10.248.48-1654580475.434889524.59")
    );
    let r = conference("quirks/request-id-only.json");
    assert_eq!(r.reqid, None);
    assert_eq!(
        r.request_id(),
        Some("uniformserver-172.10.87.161-1654580475.515398022.629")
    );
    let r = conference("conference-by-join-url.sample.json");
    assert!(r.request_id.is_some() && r.reqid.is_some());
    assert_eq!(
        r.request_id(),
        r.request_id.as_deref(),
        "request_id preferred"
    );
    let r = conference("quirks/no-request-id.json");
    assert_eq!(r.request_id(), None);
}

#[test]
fn stoptime_zero_while_running() {
    let d = dashboard_result("quirks/stoptime-zero-running.json");
    assert_eq!(d.stop_time, Some(UnixSeconds::number(0)));
    assert_eq!(d.stopped_at(), None);
    assert!(d.is_running());
    let back = serde_json::to_value(&d).unwrap();
    assert_eq!(back["stopTime"], json!(0));

    let d = dashboard_result("quirks/stoptime-ended.json");
    assert_eq!(d.status, Some(DashboardStatus::Ended));
    assert!(!d.is_running());
    assert_eq!(
        d.stopped_at().unwrap().to_rfc3339(),
        "2024-05-13T12:33:20+00:00"
    );
    assert_eq!(d.is_secure_conf(), Some(true));
    assert_eq!(d.is_record(), Some(false));
}

#[test]
fn nullable_booleans() {
    let d = dashboard_result("quirks/nullable-booleans-null.json");
    assert_eq!(d.is_secure_conf, None);
    assert_eq!(d.is_record, None);
    assert_eq!(d.is_secure_conf(), None);
    assert_eq!(d.extra.get("isSecureConf"), Some(&Value::Null));
    let back = serde_json::to_value(&d).unwrap();
    assert_eq!(back["isRecord"], Value::Null);
    assert!(back.as_object().unwrap().contains_key("isRecord"));

    let d = dashboard_result("quirks/nullable-booleans-as-integers.json");
    assert_eq!(d.is_secure_conf, Some(Flag::Int(1)));
    assert_eq!(d.is_secure_conf(), Some(true));
    assert_eq!(d.is_record(), Some(false));
}

#[test]
fn calextrainfo_labels_decoded_and_kept() {
    let c = &conferences("quirks/calextrainfo-labels.json")[0];
    let x = c.cal_extra_info.as_ref().unwrap();
    assert_eq!(x.labels(), ["年会", "培训"]);
    assert_eq!(
        x.labels.as_ref().unwrap().raw_text(),
        Some("[\"年会\", \"培训\"]")
    );
    assert_eq!(x.allow_h323.map(Flag::is_set), Some(true));
    assert_eq!(x.open_watchword.map(Flag::is_set), Some(true));
    assert_eq!(x.event_watchword.as_ref().unwrap().expose(), "8848");

    let c = &conferences("quirks/calextrainfo-labels-empty-string.json")[0];
    let x = c.cal_extra_info.as_ref().unwrap();
    assert!(x.labels().is_empty());
    assert_eq!(x.labels.as_ref().unwrap().raw_text(), Some(""));
    assert_eq!(x.open_watchword.map(Flag::is_set), Some(false));
}

#[test]
fn calextrainfo_labels_invalid_is_located() {
    let err =
        conference_by_join_url::parse_response(&bytes("quirks/invalid-calextrainfo-labels.json"))
            .unwrap_err();
    let Error::Decode {
        endpoint,
        error: source,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*endpoint, "conference_by_join_url");
    assert_eq!(source.path(), "result[0].calExtraInfo.labels");
    assert!(
        source.message().contains("invalid JSON inside the string"),
        "{err}"
    );
}

#[test]
fn calextrainfo_empty_object() {
    let c = &conferences("quirks/calextrainfo-empty-object.json")[0];
    let x = c.cal_extra_info.as_ref().unwrap();
    assert_eq!(x, &CalExtraInfo::default());
    assert!(x.labels().is_empty());
}

#[test]
fn detail_house_list_apply_status() {
    let c = &conferences("quirks/detail-house-list-apply-status.json")[0];
    let rows = c.detail_house_list.as_ref().unwrap();
    assert_eq!(rows[0].apply_status, Some(ApprovalStatus::Approved));
    assert_eq!(rows[0].approval_status, None);
    assert_eq!(rows[0].approval(), Some(ApprovalStatus::Approved));
    assert_eq!(rows[0].is_main_room, Some(RoomRole::Main));
    let sub = &rows[0].sub_devices.as_ref().unwrap()[0];
    assert_eq!(sub.device_type, Some(DeviceType::RoomDevice));
    assert_eq!(sub.device_name.as_deref(), Some("盒子"));
    // Both names: ApprovalStatus wins, ApplyStatus stays readable.
    assert_eq!(rows[1].apply_status, Some(ApprovalStatus::Pending));
    assert_eq!(rows[1].approval(), Some(ApprovalStatus::RoomCancelled));
    assert_eq!(rows[1].is_main_room, Some(RoomRole::Branch));
}

#[test]
fn location_and_floor_number_or_string() {
    let c = &conferences("quirks/location-floor-swapped-types.json")[0];
    let h = &c.house_list.as_ref().unwrap()[0];
    assert_eq!(h.location, Some(NumberOrText::Text("锦业路".into())));
    assert_eq!(h.floor, Some(NumberOrText::Text("14F".into())));
    assert_eq!(h.floor.as_ref().unwrap().as_i64(), None);
    assert_eq!(
        h.parent_device_type,
        Some(DeviceType::Unknown(0)),
        "0 = no parent"
    );
    let d = &c.detail_house_list.as_ref().unwrap()[0];
    assert_eq!(d.location.as_ref().unwrap().as_i64(), Some(10086));
    assert!(d.location.as_ref().unwrap().as_text().is_none());
    assert_eq!(d.floor, Some(NumberOrText::Text("14".into())));
    assert_eq!(d.floor.as_ref().unwrap().as_i64(), Some(14));
    assert_eq!(d.sub_devices, None);
    assert_eq!(d.extra.get("SubDevices"), Some(&Value::Null));
}

#[test]
fn ids_and_times_as_strings() {
    let resp = conference("quirks/ids-and-times-as-strings.json");
    assert_eq!(
        resp.timestamp.as_ref().unwrap().as_text(),
        Some("1654580475434")
    );
    assert_eq!(
        resp.timestamp.as_ref().unwrap().value(),
        Some(1_654_580_475_434)
    );
    let c = &resp.result.as_ref().unwrap().value()[0];
    assert_eq!(c.event_id, Some(Id::text("566390")));
    assert!(
        c.event_id
            .as_ref()
            .unwrap()
            .same_value(&Id::number(566_390))
    );
    assert_eq!(c.host_id.as_ref().unwrap().as_u64(), Some(88_610_849));
    let start = c.start_time.as_ref().unwrap();
    assert!(start.is_text());
    assert_eq!(
        start.to_utc().unwrap().to_rfc3339(),
        "2022-06-07T13:30:00+00:00"
    );
    assert_eq!(c.end_time, Some(UnixSeconds::text("1654610400")));
    assert_eq!(c.create_time.as_ref().unwrap().value(), Some(1_654_567_956));
    assert_eq!(c.room_id, Some(Id::text("")));
    let h = &c.house_list.as_ref().unwrap()[0];
    assert_eq!(h.device_id, Some(Id::text("6518")));

    let d = dashboard_result("quirks/dashboard-ids-and-times-as-strings.json");
    assert_eq!(d.event_id, Some(Id::text("1165158")));
    assert_eq!(d.temp_conference_id, Some(Id::number(56_039_682)));
    assert_eq!(d.stop_time, Some(UnixSeconds::text("0")));
    assert_eq!(d.stopped_at(), None);
    assert_eq!(
        d.started_at().unwrap().to_rfc3339(),
        "2024-05-13T11:33:20+00:00"
    );
}

#[test]
fn unknown_codes_are_kept() {
    let c = &conferences("quirks/unknown-codes.json")[0];
    assert_eq!(c.status, Some(ConferenceStatus::Unknown(9)));
    assert_eq!(c.conf_mode, Some(ConfMode::Unknown(7)));
    assert_eq!(c.cal_type, Some(CalType::Unknown("X".into())));
    assert_eq!(c.conf_node_type, Some(ConfNodeType::Unknown(5)));
    assert_eq!(c.join_login, Some(JoinLogin::Unknown(2)));
    let a = &c.attend_list.as_ref().unwrap()[0];
    assert_eq!(a.user_type, Some(UserType::Unknown(9)));
    assert_eq!(a.status, Some(AttendeeStatus::Unknown("Z".into())));
    let h = &c.house_list.as_ref().unwrap()[0];
    assert_eq!(h.device_type, Some(DeviceType::Unknown(5)));
    assert_eq!(h.is_main_room, Some(RoomRole::Unknown(9)));
    assert_eq!(h.approval_status, Some(ApprovalStatus::Unknown(8)));
    let dh = &c.detail_house_list.as_ref().unwrap()[0];
    assert_eq!(dh.approval(), Some(ApprovalStatus::Unknown(7)));
    assert_eq!(
        dh.sub_devices.as_ref().unwrap()[0].device_type,
        Some(DeviceType::Unknown(6))
    );

    let d = dashboard_result("quirks/dashboard-unknown-status.json");
    assert_eq!(d.status, Some(DashboardStatus::Unknown(3)));
    // An unknown status falls back to stopTime 0 for "running".
    assert!(d.is_running());
}

#[test]
fn undocumented_fields_are_kept() {
    let resp = conference("quirks/undocumented-fields.json");
    assert_eq!(resp.extra["traceId"], json!("abc-123"));
    assert_eq!(resp.extra["server"], json!({"region": "cn-east"}));
    let c = &resp.result.as_ref().unwrap().value()[0];
    assert_eq!(c.extra["meetingRoomName"], json!("新字段"));
    assert_eq!(c.extra["recurrence"]["count"], json!(3));
    assert_eq!(
        c.attend_list.as_ref().unwrap()[0].extra["avatar"],
        json!("https://example.com/a.png")
    );
    assert_eq!(
        c.cal_extra_info.as_ref().unwrap().extra["waitingRoom"],
        json!(1)
    );

    let resp = dashboard("quirks/dashboard-undocumented-fields.json");
    assert_eq!(resp.extra["cost"], json!(0.25));
    assert_eq!(
        resp.result.as_ref().unwrap().extra["liveViewers"],
        json!(12)
    );
}

#[test]
fn error_envelope_is_a_vendor_error() {
    // `result` is "" here: not the success shape; the probe still finds the status.
    let err =
        conference_by_join_url::parse_response(&bytes("quirks/error-envelope.json")).unwrap_err();
    let Error::Vendor(v) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(v.status, 10001);
    assert_eq!(v.msg.as_deref(), Some("attendeeJoinUrl is invalid"));
    assert_eq!(
        v.request_id.as_deref(),
        Some("confopenapiserver-172.10.248.48-1654580475.434889524.59")
    );
    assert_eq!(v.endpoint, "conference_by_join_url");

    // A dashboard error whose result has wrongly-typed fields.
    let err =
        dashboard_conference_info::parse_response(&bytes("quirks/error-envelope-dashboard.json"))
            .unwrap_err();
    let v = err.as_vendor().unwrap();
    assert_eq!(
        (v.status, v.msg.as_deref()),
        (40003, Some("conference not found"))
    );
    assert_eq!(v.request_id.as_deref(), Some("rtsas-7"));

    // A negative status with a null result and a null message: the fast path.
    let err =
        dashboard_conference_info::parse_response(&bytes("quirks/error-envelope-null-result.json"))
            .unwrap_err();
    let v = err.as_vendor().unwrap();
    assert_eq!((v.status, v.msg.as_deref()), (-1, None));
}

#[test]
fn nulls_for_lists_and_objects() {
    let c = &conferences("quirks/nulls-for-lists-and-objects.json")[0];
    assert_eq!(c.detail_house_list, None);
    assert_eq!(c.house_list, None);
    assert_eq!(c.equip_list, None);
    assert_eq!(c.cal_extra_info, None);
    for k in ["detailHouseList", "houseList", "equipList", "calExtraInfo"] {
        assert_eq!(c.extra.get(k), Some(&Value::Null), "{k}");
    }
    let a = &c.attend_list.as_ref().unwrap()[0];
    assert_eq!(a.user_profile, None);
    assert_eq!(a.extra.get("userProfile"), Some(&Value::Null));
}

#[test]
fn doc_house_list_examples_in_an_envelope() {
    let c = &conferences("quirks/house-lists-doc-examples.json")[0];
    let houses = c.house_list.as_ref().unwrap();
    assert_eq!(houses.len(), 2);
    assert_eq!(houses[0].device_id, Some(Id::number(6518)));
    assert_eq!(houses[0].device_type, Some(DeviceType::Room));
    assert_eq!(houses[0].floor.as_ref().unwrap().as_i64(), Some(14));
    assert_eq!(houses[0].is_main_room, Some(RoomRole::Unspecified));
    assert_eq!(houses[0].approval_status, Some(ApprovalStatus::NotApproved));
    assert_eq!(houses[1].device_name.as_deref(), Some("杏花村2"));
    let detail = &c.detail_house_list.as_ref().unwrap()[0];
    assert_eq!(detail.approval(), Some(ApprovalStatus::NotApproved));
    assert_eq!(detail.sub_devices.as_ref().unwrap().len(), 2);
}

#[test]
fn unknown_timezone_is_kept_raw() {
    let c = &conferences("quirks/unknown-timezone.json")[0];
    let z = c.timezone.as_ref().unwrap();
    assert_eq!(z.tz(), None);
    assert_eq!(z.as_str(), "Mars/Olympus_Mons");
    assert_eq!(serde_json::to_value(z).unwrap(), json!("Mars/Olympus_Mons"));
}

#[test]
fn request_duration_unparseable_is_kept() {
    let r = conference("quirks/request-duration-unparseable.json");
    let d = r.request_duration.as_ref().unwrap();
    assert_eq!(d.as_str(), "n/a");
    assert_eq!(d.as_duration(), None);
}

#[test]
fn envelope_nulls() {
    let r = conference("quirks/envelope-nulls.json");
    assert!(r.is_success());
    assert!(r.result.is_none() && r.msg.is_none() && r.timestamp.is_none());
    assert_eq!(
        r.request_id(),
        Some("confopenapiserver-172.10.248.48-1654580475.434889524.59")
    );
    assert_eq!(r.extra.get("result"), Some(&Value::Null));
}
