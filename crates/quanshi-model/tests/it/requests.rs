//! Requests become the documented JSON bodies; the token goes where it is told.

use quanshi_model::*;
use serde_json::json;

#[test]
fn join_url_request_body() {
    let req = ConferenceByJoinUrlRequest::new("https://mtest.qsh1.cn/k/mkIW3Txa0Uk");
    assert_eq!(
        req.to_json(),
        json!({"attendeeJoinUrl": "https://mtest.qsh1.cn/k/mkIW3Txa0Uk"})
    );
    let token = Token::new("tok-123");
    assert_eq!(req.body(&token, TokenPlacement::Header), req.to_json());
    assert_eq!(
        req.body(&token, TokenPlacement::Body),
        json!({"attendeeJoinUrl": "https://mtest.qsh1.cn/k/mkIW3Txa0Uk", "token": "tok-123"})
    );
    assert_eq!(
        ConferenceByJoinUrlRequest::PATH,
        None,
        "undocumented: must be configured"
    );
    assert_eq!(
        ConferenceByJoinUrlRequest::ENDPOINT,
        "conference_by_join_url"
    );
    // The request's Debug masks the link.
    assert_eq!(
        format!("{req:?}"),
        r#"ConferenceByJoinUrlRequest { attendee_join_url: JoinLink("https://mtest.qsh1.cn/k/mk…") }"#
    );
}

#[test]
fn dashboard_request_body_and_path() {
    let req = DashboardConferenceInfoRequest::new("56039682");
    assert_eq!(req.to_json(), json!({"tempConferenceId": "56039682"}));
    assert_eq!(
        dashboard_conference_info::PATH,
        "confopenapi/admin/dashboard/conference/info"
    );
    assert!(!dashboard_conference_info::PATH.starts_with('/'));
    assert_eq!(
        DashboardConferenceInfoRequest::PATH,
        Some(dashboard_conference_info::PATH)
    );
    let token = Token::new("tok-123");
    assert_eq!(TokenPlacement::default(), TokenPlacement::Header);
    assert_eq!(
        TokenPlacement::Header.header(&token),
        Some((TOKEN_FIELD, "tok-123"))
    );
    assert_eq!(TokenPlacement::Body.header(&token), None);
    assert_eq!(req.body(&token, TokenPlacement::Body)["token"], "tok-123");
    assert_eq!(format!("{token:?}"), "Token(<redacted>)");
}

#[test]
fn generic_parse_through_the_trait() {
    let body = crate::common::bytes("dashboard-conference-info.sample.json");
    let resp = DashboardConferenceInfoRequest::parse_response(&body).unwrap();
    assert!(resp.is_success());
    let body = crate::common::bytes("conference-by-join-url.sample.json");
    let resp = <ConferenceByJoinUrlRequest as Request>::parse_response(&body).unwrap();
    assert_eq!(resp.result.unwrap().value().len(), 1);
}

#[test]
fn envelope_helpers() {
    assert_eq!(
        DASHBOARD_CONFERENCE_INFO_PATH,
        "confopenapi/admin/dashboard/conference/info"
    );
    // A leading BOM is ignored.
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"status":0,"result":{"tempConferenceId":"1"}}"#);
    let resp = dashboard_conference_info::parse_response(&body).unwrap();
    assert_eq!(resp.result.unwrap().temp_conference_id, Some(Id::text("1")));
    // A success envelope built by hand serialises to the documented shape.
    let env = Envelope::success(ConferenceList::inline(vec![]));
    assert_eq!(
        serde_json::to_value(&env).unwrap(),
        json!({"status": 0, "result": []})
    );
    let encoded = Envelope::success(ConferenceList::encoded(vec![]).unwrap());
    assert_eq!(
        serde_json::to_value(&encoded).unwrap(),
        json!({"status": 0, "result": "[]"})
    );
    // Any result type, any endpoint name.
    let v = Envelope::<serde_json::Value>::from_slice_for(
        "custom",
        br#"{"status":0,"result":{"a":1}}"#,
    )
    .unwrap();
    assert_eq!(v.result.unwrap()["a"], 1);
    let e = Envelope::<serde_json::Value>::from_slice_for("custom", br#"{"status":7,"msg":5}"#)
        .unwrap_err();
    assert_eq!(e.as_vendor().unwrap().msg.as_deref(), Some("5"));
}
