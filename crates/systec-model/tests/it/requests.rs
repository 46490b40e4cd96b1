//! Request parameters and their form encoding.

use chrono::NaiveDate;
use systec_model::{
    Credentials, DateWindow, DetailQuery, HisMeetingQuery, ReportsQuery, RequestError,
};

fn creds() -> Credentials {
    Credentials::new("k", "s")
}

#[test]
fn detail_form_in_documented_order() {
    let q = DetailQuery::new()
        .from(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap())
        .to(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        .host_id("ROOM 7")
        .show_participants(true)
        .show_telephony_usage(false)
        .page_size(100)
        .page_number(3);
    assert_eq!(
        q.to_form(&creds()).unwrap().encode(),
        "api_key=k&api_secret=s&from=2024-02-01&to=2024-02-29&host_id=ROOM+7&show_participants=true&show_telephony_usage=false&page_size=100&page_number=3"
    );
    assert_eq!(
        DetailQuery::new().to_form(&creds()).unwrap().encode(),
        "api_key=k&api_secret=s"
    );
}

#[test]
fn invalid_requests_are_refused_before_sending() {
    let bad_range = DetailQuery::new()
        .from(NaiveDate::from_ymd_opt(2024, 2, 2).unwrap())
        .to(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
    assert!(matches!(
        bad_range.to_form(&creds()),
        Err(RequestError::Window(_))
    ));
    assert_eq!(
        DetailQuery::new()
            .page_size(0)
            .to_form(&creds())
            .unwrap_err()
            .to_string(),
        "`page_size` must be at least 1"
    );
    assert_eq!(
        ReportsQuery::new(Vec::<String>::new())
            .to_form(&creds())
            .unwrap_err(),
        RequestError::NoUuids
    );
    assert!(matches!(
        ReportsQuery::new(["a,b"]).to_form(&creds()),
        Err(RequestError::BadUuid(_))
    ));
}

#[test]
fn his_meeting_form() {
    let w = DateWindow::new(
        NaiveDate::from_ymd_opt(2018, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2018, 1, 31).unwrap(),
    )
    .unwrap();
    assert_eq!(
        HisMeetingQuery::new(w).to_form(&creds()).unwrap().encode(),
        "api_key=k&api_secret=s&from=2018-01-01&to=2018-01-31"
    );
}
