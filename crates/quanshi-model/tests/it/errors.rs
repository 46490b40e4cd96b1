//! Error messages stay readable: snapshots of their text.

use crate::common::bytes;
use quanshi_model::{Error, conference_by_join_url, dashboard_conference_info};

fn message(result: Result<impl std::fmt::Debug, Error>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn wrong_type_deep_inside() {
    let text = String::from_utf8(bytes("conference-by-join-url.sample.json"))
        .unwrap()
        .replace("\"userType\": 1", "\"userType\": \"internal\"");
    let err = conference_by_join_url::parse_response(text.as_bytes()).unwrap_err();
    assert_eq!(
        err.as_decode().unwrap().path(),
        "result[0].attendList[0].userType"
    );
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn wrong_type_in_dashboard() {
    let text = String::from_utf8(bytes("dashboard-conference-info.sample.json"))
        .unwrap()
        .replace("\"stopTime\": 0", "\"stopTime\": 1.5");
    insta::assert_snapshot!(message(dashboard_conference_info::parse_response(
        text.as_bytes()
    )));
}

#[test]
fn truncated_json() {
    let full = bytes("dashboard-conference-info.sample.json");
    let cut = &full[..full.len() / 2];
    insta::assert_snapshot!(message(dashboard_conference_info::parse_response(cut)));
}

#[test]
fn empty_body_and_not_an_envelope() {
    insta::assert_snapshot!(
        "empty_body",
        message(dashboard_conference_info::parse_response(b""))
    );
    insta::assert_snapshot!(
        "html_body",
        message(dashboard_conference_info::parse_response(
            b"<html>502 Bad Gateway</html>"
        ))
    );
    insta::assert_snapshot!(
        "missing_status",
        message(conference_by_join_url::parse_response(br#"{"result": []}"#))
    );
}

#[test]
fn invalid_labels_message() {
    insta::assert_snapshot!(message(conference_by_join_url::parse_response(&bytes(
        "quirks/invalid-calextrainfo-labels.json"
    ))));
}

#[test]
fn vendor_error_message() {
    insta::assert_snapshot!(message(conference_by_join_url::parse_response(&bytes(
        "quirks/error-envelope.json"
    ))));
}

#[test]
fn zero_status_with_bad_result_is_a_decode_error() {
    // status 0 but a result of the wrong shape: not a vendor error, a located decode error.
    let err =
        dashboard_conference_info::parse_response(br#"{"status":0,"result":[1]}"#).unwrap_err();
    let Error::Decode {
        endpoint,
        error: source,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*endpoint, "dashboard_conference_info");
    assert_eq!(source.path(), "result");
}

#[test]
fn error_is_send_sync_and_std_error() {
    fn assert_traits<T: Send + Sync + std::error::Error + 'static>() {}
    assert_traits::<Error>();
    assert_traits::<quanshi_model::VendorError>();
    assert_traits::<quanshi_model::TimeError>();
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<quanshi_model::ConferenceByJoinUrlResponse>();
    assert_send_sync::<quanshi_model::DashboardConferenceInfoResponse>();
    assert_send_sync::<quanshi_model::Token>();
}
