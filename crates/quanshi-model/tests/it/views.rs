//! The borrowed views: on every fixture they accept what the owned types accept, serialise
//! to the same JSON value as the owned values (parsed, and viewed from an owned value), and
//! keep secrets and join links out of `Debug`.

use crate::common::{Kind, all_json, bytes, kind};
use quanshi_model::conference_by_join_url::ConferenceListRef;
use quanshi_model::dashboard_conference_info::DashboardConferenceRef;
use quanshi_model::{ConferenceList, DashboardConference, envelope_result};

fn value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn views_match_the_owned_types_on_every_fixture() {
    let mut compared = 0;
    for rel in all_json() {
        let body = bytes(&rel);
        match kind(&rel) {
            Kind::Conference | Kind::VendorError | Kind::Invalid => {
                let owned = quanshi_model::conference_by_join_url::parse_response(&body);
                let view = envelope_result::<ConferenceListRef<'_>>(&body);
                assert_eq!(owned.is_ok(), view.is_some(), "{rel}");
                if let (Ok(owned), Some(view)) = (owned, view) {
                    let owned: Option<ConferenceList> = owned.result;
                    let want: Vec<_> = owned
                        .as_ref()
                        .map(|l| l.value().iter().map(value).collect())
                        .unwrap_or_default();
                    let got: Vec<_> = view
                        .map(|l| l.conferences.iter().map(value).collect())
                        .unwrap_or_default();
                    assert_eq!(got, want, "{rel}: parsed view");
                    if let Some(list) = &owned {
                        let viewed: Vec<_> = list.view().conferences.iter().map(value).collect();
                        assert_eq!(viewed, want, "{rel}: viewed");
                        let moved: Vec<_> = list
                            .value()
                            .iter()
                            .map(|c| value(&c.clone().into_view()))
                            .collect();
                        assert_eq!(moved, want, "{rel}: into_view");
                    }
                    compared += 1;
                }
            }
            Kind::Dashboard => {
                let owned = quanshi_model::dashboard_conference_info::parse_response(&body);
                let view = envelope_result::<DashboardConferenceRef<'_>>(&body);
                assert_eq!(owned.is_ok(), view.is_some(), "{rel}");
                if let (Ok(owned), Some(view)) = (owned, view) {
                    let owned: Option<DashboardConference> = owned.result;
                    assert_eq!(view.as_ref().map(value), owned.as_ref().map(value), "{rel}");
                    if let Some(d) = &owned {
                        assert_eq!(value(&d.view()), value(d), "{rel}: viewed");
                    }
                    compared += 1;
                }
            }
            Kind::HouseList | Kind::DetailHouseList => {}
        }
    }
    assert!(compared > 20, "{compared}");
}

#[test]
fn views_keep_secrets_out_of_debug() {
    let secrets = [
        "201501000037434973",
        "201501000037434974",
        "mkIW3H0GXqq",
        "64f8da5973e4e4798414ea4c929a66242d10e20865e",
        "mkIW3Txa0Uk",
    ];
    for rel in [
        "conference-by-join-url.sample.json",
        "quirks/result-as-json-string.json",
    ] {
        let body = bytes(rel);
        let view = envelope_result::<ConferenceListRef<'_>>(&body)
            .flatten()
            .unwrap();
        for shown in [format!("{view:?}"), format!("{view:#?}")] {
            for s in secrets {
                assert!(!shown.contains(s), "{rel}: {s} leaked in Debug");
            }
            assert!(shown.contains("<redacted>"), "{rel}");
        }
    }
    let body = bytes("quirks/calextrainfo-labels.json");
    let view = envelope_result::<ConferenceListRef<'_>>(&body)
        .flatten()
        .unwrap();
    assert!(!format!("{view:?}").contains("8848"));
    let body = bytes("dashboard-conference-info.sample.json");
    let view = envelope_result::<DashboardConferenceRef<'_>>(&body)
        .flatten()
        .unwrap();
    assert!(!format!("{view:?}").contains("\"123456\""));
    // A live-stream link is masked in the view and in the owned value.
    let doc = br#"{"status":0,"result":[{"livePullUrl":"https://live.example/s/abcdefgh","livePullPwd":"9999"}]}"#;
    let view = envelope_result::<ConferenceListRef<'_>>(doc)
        .flatten()
        .unwrap();
    let owned = quanshi_model::conference_by_join_url::parse_response(doc).unwrap();
    for shown in [
        format!("{view:?}"),
        format!("{owned:?}"),
        format!("{owned:#?}"),
    ] {
        assert!(
            !shown.contains("abcdefgh") && !shown.contains("9999"),
            "{shown}"
        );
    }
    // The owned value still serialises the link exactly (a saved response is not altered).
    let result = owned.result.unwrap();
    let again = serde_json::to_string(&result.value()[0]).unwrap();
    assert!(again.contains("https://live.example/s/abcdefgh"), "{again}");
}
