//! One test per quirk in the vendor docs (see `fixtures/systec/README.md`).

use crate::fixture;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use systec_model::{
    CallType, Completeness, DateWindow, Endpoint, Error, LocalResolution, ReportEntry,
    ReportsQuery, detail, his_meeting, reports,
};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn real_paths_are_the_visible_link_text() {
    assert_eq!(Endpoint::Reports.path(), "reports");
    assert_eq!(Endpoint::Detail.path(), "detail");
    assert_eq!(Endpoint::HisMeeting.path(), "hisMeeting");
    assert_eq!(
        systec_model::DEFAULT_BASE_URL,
        "https://api.systeccloud.com/umeeting/share/"
    );
}

#[test]
fn credentials_travel_as_form_fields_and_stay_out_of_debug() {
    let creds = systec_model::Credentials::new("KEY-sentinel", "SECRET-sentinel");
    let form = ReportsQuery::new(["a=="]).to_form(&creds).unwrap();
    let body = form.encode();
    assert!(
        body.starts_with("api_key=KEY-sentinel&api_secret=SECRET-sentinel&"),
        "{body}"
    );
    let debug = format!("{form:?} {creds:?}");
    assert!(!debug.contains("sentinel"), "{debug}");
    assert!(
        form.public_pairs()
            .iter()
            .all(|(k, _)| !k.starts_with("api_"))
    );
}

#[test]
fn stub_ids_are_strings_and_report_ids_numbers() {
    let r = reports::parse_response(&fixture("quirks/reports-stub-string-id.json")).unwrap();
    let [ReportEntry::Stub(stub), ReportEntry::Report(full)] = r.data.as_slice() else {
        panic!("{:?}", r.data)
    };
    let (sid, fid) = (stub.id.as_ref().unwrap(), full.id.as_ref().unwrap());
    assert!(sid.is_text() && !fid.is_text());
    assert!(sid.same_value(fid));
    let sample = reports::parse_response(&fixture("reports.sample.json")).unwrap();
    let stubs = sample
        .data
        .iter()
        .filter(|e| matches!(e, ReportEntry::Stub(_)))
        .count();
    assert_eq!((sample.data.len(), stubs), (5, 4));
}

#[test]
fn host_keeps_its_trailing_space() {
    let r = reports::parse_response(&fixture("quirks/reports-host-trailing-space.json")).unwrap();
    assert_eq!(r.data[0].as_report().unwrap().host.as_deref(), Some("7 "));
}

#[test]
fn participant_id_may_be_empty() {
    let r = reports::parse_response(&fixture("quirks/reports-participant-empty-id.json")).unwrap();
    let p = r.data[0].as_report().unwrap().participants();
    assert_eq!(p[0].id.as_deref(), Some(""));
    assert_eq!(p[0].user_name.as_deref(), Some("叶大红的 iPhone"));
}

#[test]
fn truncated_participant_lists_are_reported() {
    let r =
        reports::parse_response(&fixture("quirks/reports-participants-truncated.json")).unwrap();
    let report = r.data[0].as_report().unwrap();
    assert_eq!(
        report.completeness(),
        Completeness::Truncated {
            listed: 2,
            total: 150
        }
    );
    assert!(!report.is_complete());
    let sample = reports::parse_response(&fixture("reports.sample.json")).unwrap();
    assert_eq!(
        sample.data[0].as_report().unwrap().completeness(),
        Completeness::Complete
    );
}

#[test]
fn durations_are_rounded_up_to_the_minute() {
    let r = reports::parse_response(&fixture("quirks/reports-duration-rounded-up.json")).unwrap();
    for entry in &r.data {
        let rep = entry.as_report().unwrap();
        let measured = (rep.end_time.as_ref().unwrap().to_utc()
            - rep.start_time.as_ref().unwrap().to_utc())
        .num_seconds();
        let billed = rep.duration.as_ref().unwrap().minutes_rounded_up().unwrap();
        assert_eq!(
            billed,
            systec_model::billed_minutes(u64::try_from(measured).unwrap()),
            "{entry:?}"
        );
        assert!(billed * 60 >= u64::try_from(measured).unwrap());
    }
}

#[test]
fn duration_forms() {
    let r = reports::parse_response(&fixture("quirks/reports-duration-forms.json")).unwrap();
    let secs: Vec<_> = r
        .data
        .iter()
        .map(|e| e.as_report().unwrap().duration.as_ref().unwrap().seconds())
        .collect();
    assert_eq!(
        secs,
        [
            Some(3900),
            Some(30),
            Some(420),
            Some(240),
            Some(7200),
            Some(90),
            None
        ]
    );
    // The unknown form is kept, not dropped.
    assert_eq!(
        r.data[6]
            .as_report()
            .unwrap()
            .duration
            .as_ref()
            .unwrap()
            .text(),
        Some("about an hour")
    );
}

#[test]
fn uuid_lists_accept_both_commas_and_are_percent_encoded() {
    let f: serde_json::Value =
        serde_json::from_slice(&fixture("quirks/reports-uuid-separators.json")).unwrap();
    let q = ReportsQuery::parse_list(f["input"].as_str().unwrap());
    let got: Vec<_> = q.uuids().iter().map(|u| u.as_str().to_owned()).collect();
    let want: Vec<String> = serde_json::from_value(f["uuids"].clone()).unwrap();
    assert_eq!(got, want);
    let body = q
        .to_form(&systec_model::Credentials::new("k", "s"))
        .unwrap()
        .encode();
    assert!(body.ends_with(f["form_uuid"].as_str().unwrap()), "{body}");
}

#[test]
fn detail_echoes_unpadded_dates() {
    let d = detail::parse_response(&fixture("quirks/detail-unpadded-dates.json"))
        .unwrap()
        .data;
    assert_eq!(d.from.as_ref().unwrap().date(), date("2017-08-31"));
    assert_eq!(d.to.as_ref().unwrap().date(), date("2017-09-01"));
    assert_eq!(d.from.as_ref().unwrap().to_string(), "2017-8-31");
}

#[test]
fn detail_times_are_zoneless_and_resolved_deliberately() {
    let d = detail::parse_response(&fixture("quirks/detail-zoneless-times.json"))
        .unwrap()
        .data;
    let m = &d.meetings()[0];
    let start = m.start_time.as_ref().unwrap();
    assert_eq!(start.naive().to_string(), "2024-03-31 01:30:00");
    // A fixed +08:00 zone (Shanghai has no DST).
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    assert_eq!(
        start.in_zone(&cst).earliest().to_rfc3339(),
        "2024-03-30T17:30:00+00:00"
    );
    // 2024-03-31 02:15 does not exist in Europe/Berlin-like rules; with a fixed zone it is single.
    assert!(matches!(
        m.end_time.as_ref().unwrap().in_zone(&cst),
        LocalResolution::Single(_)
    ));
}

#[test]
fn detail_meeting_id_is_a_string() {
    let d = detail::parse_response(&fixture("quirks/detail-meeting-id-string.json"))
        .unwrap()
        .data;
    assert!(d.meetings()[0].meeting_id.as_ref().unwrap().is_text());
}

#[test]
fn detail_duration_is_the_scheduled_length() {
    let d = detail::parse_response(&fixture("quirks/detail-duration-is-scheduled.json"))
        .unwrap()
        .data;
    let m = &d.meetings()[0];
    let span = m.end_time.as_ref().unwrap().naive() - m.start_time.as_ref().unwrap().naive();
    assert_eq!((m.duration, span.num_minutes()), (Some(120), 60));
}

#[test]
fn detail_is_extra_flag() {
    let d = detail::parse_response(&fixture("quirks/detail-is-extra.json"))
        .unwrap()
        .data;
    assert!(d.meetings()[0].is_extra.unwrap().is_set());
}

#[test]
fn telephony_costs_are_exact_yuan() {
    let d = detail::parse_response(&fixture("quirks/detail-telephony-cost.json"))
        .unwrap()
        .data;
    let calls = d.meetings()[0].telephony_usage();
    let total: Decimal = calls
        .iter()
        .map(|c| c.total.as_ref().unwrap().amount())
        .sum();
    assert_eq!(total.to_string(), "1.48"); // 0.12 + 0.1 + 0.2 + 1 + 0.06, never 1.4800000000000002
    assert_eq!(calls[0].call_type, Some(CallType::CallOut));
    assert_eq!(calls[1].call_type, Some(CallType::CallIn));
    assert_eq!(
        calls[4].call_type,
        Some(CallType::Unknown("callback".into()))
    );
    assert_eq!(calls[0].duration, Some(2));
}

#[test]
fn pagination_signals() {
    let mid = detail::parse_response(&fixture("quirks/detail-has-next-page.json"))
        .unwrap()
        .data;
    assert_eq!(mid.next_page(), Some(3));
    let empty = detail::parse_response(&fixture("quirks/detail-empty-page.json"))
        .unwrap()
        .data;
    assert!(empty.is_last_page() && empty.meetings().is_empty());
    let sample = detail::parse_response(&fixture("detail.sample.json"))
        .unwrap()
        .data;
    assert_eq!((sample.page_size, sample.next_page()), (Some(30), None));
    // A server that says "next" forever is believed only up to total_page.
    let mut liar = mid;
    liar.page_number = Some(3);
    assert_eq!(liar.next_page(), None);
    // Neither signal sent: no next page (never loop on an unknown).
    let bare = detail::DetailPage::default();
    assert_eq!(bare.next_page(), None);
}

#[test]
fn null_lists_are_empty_and_round_trip() {
    let d = detail::parse_response(&fixture("quirks/detail-null-lists.json"))
        .unwrap()
        .data;
    let m = &d.meetings()[0];
    assert!(m.participants().is_empty() && m.telephony_usage().is_empty() && m.topic.is_none());
    assert_eq!(m.extra["participants"], serde_json::Value::Null);
}

#[test]
fn his_meeting_participants_is_a_count() {
    let h = his_meeting::parse_response(&fixture("quirks/his-meeting-participants-count.json"))
        .unwrap();
    assert_eq!(h.data[0].participants, Some(2));
}

#[test]
fn his_meeting_uuids_are_opaque() {
    let h = his_meeting::parse_response(&fixture("quirks/his-meeting-opaque-uuids.json")).unwrap();
    assert_eq!(
        h.data[2].uuid.as_ref().unwrap().as_str(),
        "not base64 at all/+"
    );
    let same = his_meeting::parse_response(&fixture(
        "quirks/his-meeting-same-number-many-occurrences.json",
    ))
    .unwrap();
    assert_eq!(same.data[0].id, same.data[1].id);
    assert_ne!(same.data[0].uuid, same.data[1].uuid);
}

#[test]
fn window_over_one_month_is_served_as_its_last_month() {
    let f: serde_json::Value =
        serde_json::from_slice(&fixture("quirks/window-over-one-month.json")).unwrap();
    let w = |v: &serde_json::Value| {
        DateWindow::new(
            date(v["from"].as_str().unwrap()),
            date(v["to"].as_str().unwrap()),
        )
        .unwrap()
    };
    let req = w(&f["request"]);
    assert!(!req.is_compliant());
    assert_eq!(req.vendor_served(), w(&f["vendor_serves"]));
    let split: Vec<_> = req.split_by_month().collect();
    let want: Vec<_> = f["compliant_windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(w)
        .collect();
    assert_eq!(split, want);
}

#[test]
fn failure_envelopes_and_zoom_errors_are_vendor_errors() {
    for (name, status, code, rate) in [
        ("quirks/error-envelope.json", Some(401), None, false),
        ("quirks/error-zoom-v1.json", None, Some(300), false),
        ("quirks/error-rate-limit.json", None, Some(403), true),
    ] {
        for err in [
            reports::parse_response(&fixture(name)).unwrap_err(),
            detail::parse_response(&fixture(name)).unwrap_err(),
            his_meeting::parse_response(&fixture(name)).unwrap_err(),
        ] {
            let Error::Vendor { error, .. } = &err else {
                panic!("{name}: {err}")
            };
            assert_eq!(
                (error.status, error.code, error.is_rate_limit()),
                (status, code, rate),
                "{name}"
            );
            assert!(!error.message.is_empty());
        }
    }
}

#[test]
fn a_bom_is_accepted() {
    let h = his_meeting::parse_response(&fixture("quirks/bom.json")).unwrap();
    assert!(h.data.is_empty());
}

#[test]
fn undocumented_fields_are_kept() {
    let d = detail::parse_response(&fixture("quirks/undocumented-fields.json")).unwrap();
    assert_eq!(d.extra["request_id"], "abc-123");
    assert_eq!(d.data.extra["region"], "cn-south");
    let m = &d.data.meetings()[0];
    assert_eq!(m.extra["room_name"], "7F 大会议室");
    assert_eq!(m.participants()[0].extra["device"], "H.323");
}

#[test]
fn dst_gaps_and_overlaps_do_not_panic() {
    // A zone with a one-hour gap at 02:00 and an overlap at 01:00, written as a custom
    // TimeZone is overkill here; chrono's FixedOffset has neither, so use the resolution
    // function on a zone-less time through chrono::Local-free arithmetic instead.
    let t: systec_model::LocalTime = "2024-03-10 02:30:00".parse().unwrap();
    let ny = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    assert_eq!(
        t.in_zone(&ny).earliest().to_rfc3339(),
        "2024-03-10T07:30:00+00:00"
    );
}

#[test]
fn money_is_exact_from_the_wire_text() {
    let bytes = fixture("quirks/detail-money-exact.json");
    let d = detail::parse_response(&bytes).unwrap().data;
    let calls = d.meetings()[0].telephony_usage();
    let amounts: Vec<String> = calls
        .iter()
        .map(|c| c.total.as_ref().unwrap().amount().to_string())
        .collect();
    assert_eq!(
        amounts,
        [
            "18446744073709551616", // u64::MAX + 1: not 18446744073709552000
            "0.1234567890123456789012345678",
            "1500",
            "0.12",
            "100",
            "-0.12",
            "0.30",
            "0.10",
            "0.0000000000000000000000000000", // 0e-400 is exactly zero
        ]
    );
    let sum: Decimal = calls[2..8]
        .iter()
        .map(|c| c.total.as_ref().unwrap().amount())
        .sum();
    assert_eq!(sum.to_string(), "1600.40");
    // Serialised back, byte for byte: every amount keeps its wire text.
    let text = std::str::from_utf8(&bytes).unwrap();
    for c in calls {
        let wire = c.total.as_ref().unwrap().wire_text();
        assert!(text.contains(&format!("\"total\":{wire}}}")), "{wire}");
        let back = serde_json::to_string(c).unwrap();
        assert!(back.ends_with(&format!("\"total\":{wire}}}")), "{back}");
    }
}

#[test]
fn money_a_decimal_cannot_hold_is_an_error_naming_the_field_and_the_text() {
    for (total, shown) in [
        ("1e-400", "`1e-400`"),
        (
            "0.123456789012345678901234567891",
            "`0.123456789012345678901234567891`",
        ),
        (
            "79228162514264337593543950336",
            "`79228162514264337593543950336`",
        ),
        ("1e29", "`1e29`"),
        ("\"1e-400\"", "`\"1e-400\"`"),
    ] {
        let body = format!(
            r#"{{"status":200,"data":{{"meetings":[{{"uuid":"u","telephony_usage":[{{"duration":1}},{{"total":{total}}}]}}]}}}}"#
        );
        let err = detail::parse_response(body.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`data.meetings[0].telephony_usage[1].total`"),
            "{err}"
        );
        assert!(err.contains(shown), "{err}");
        assert!(err.contains("refusing to round"), "{err}");
    }
}
