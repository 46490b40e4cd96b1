//! Snapshots of the documented samples and every quirk fixture, parsed (Debug form), and of
//! error messages.

use crate::{all_fixtures, endpoint_of, fixture};
use systec_model::{Endpoint, detail, his_meeting, reports};

fn parsed_debug(endpoint: Endpoint, bytes: &[u8]) -> String {
    match endpoint {
        Endpoint::Reports => format!("{:#?}", reports::parse_response(bytes)),
        Endpoint::Detail => format!("{:#?}", detail::parse_response(bytes)),
        _ => format!("{:#?}", his_meeting::parse_response(bytes)),
    }
}

#[test]
fn documented_samples() {
    insta::assert_snapshot!(
        "reports_sample",
        parsed_debug(Endpoint::Reports, &fixture("reports.sample.json"))
    );
    insta::assert_snapshot!(
        "detail_sample",
        parsed_debug(Endpoint::Detail, &fixture("detail.sample.json"))
    );
    insta::assert_snapshot!(
        "his_meeting_sample",
        parsed_debug(Endpoint::HisMeeting, &fixture("his-meeting.sample.json"))
    );
}

#[test]
fn quirk_fixtures() {
    for name in all_fixtures() {
        let Some(rest) = name.strip_prefix("quirks/") else {
            continue;
        };
        let snap = rest.trim_end_matches(".json").replace('-', "_");
        let bytes = fixture(&name);
        let text = match endpoint_of(&name) {
            Some(endpoint) => parsed_debug(endpoint, &bytes),
            // Error bodies: what each endpoint makes of them.
            None if rest.starts_with("error") => format!("{:#?}", detail::parse_response(&bytes)),
            None => continue,
        };
        insta::assert_snapshot!(format!("quirk_{snap}"), text);
    }
}

#[test]
fn error_messages() {
    let cases: &[(&str, &[u8])] = &[
        ("wrong_type_deep", br#"{"status":200,"message":"OK","data":{"meetings":[{"uuid":"a"},{"uuid":"b","start_time":"2017-08-31T00:00:00Z"}]}}"#),
        ("truncated", br#"{"status":200,"message":"OK","data":{"meetings":[{"uuid":"a""#),
        ("empty", b""),
        ("html", b"<html><body>502 Bad Gateway</body></html>"),
        ("no_envelope", br#"{"meetings":[]}"#),
        ("bad_money", br#"{"status":200,"data":{"meetings":[{"telephony_usage":[{"total":"zero"}]}]}}"#),
    ];
    for (name, bytes) in cases {
        insta::assert_snapshot!(
            format!("error_{name}"),
            detail::parse_response(bytes).unwrap_err().to_string()
        );
    }
}
