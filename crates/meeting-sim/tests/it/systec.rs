//! Systec endpoints: documented behaviour, parsed with `systec-model`, compared with truth.

use crate::common::*;
use meeting_sim::Source;
use std::collections::BTreeMap;
use systec_model::{
    Completeness, DateWindow, Error as SystecError, ReportEntry, detail, his_meeting, reports,
};

#[tokio::test]
async fn detail_pagination_walk_equals_truth() {
    let sim = start(600).await;
    let window = DateWindow::new(date("2024-02-01"), date("2024-02-29")).unwrap();
    let mut seen = Vec::new();
    let mut page_number = 1u64;
    loop {
        let n = page_number.to_string();
        let body = systec(
            &sim,
            "detail",
            &[
                ("from", "2024-02-01"),
                ("to", "2024-02-29"),
                ("show_participants", "true"),
                ("show_telephony_usage", "true"),
                ("page_size", "17"),
                ("page_number", &n),
            ],
        )
        .await;
        let page = detail::parse_response(&body).unwrap().data;
        assert_eq!(page.page_number, Some(page_number));
        assert_eq!(page.page_size, Some(17));
        assert_eq!(page.has_previous_page, Some(page_number > 1));
        let total = page.total_record.unwrap();
        assert_eq!(page.total_page, Some(total.div_ceil(17)));
        seen.extend(page.meetings().iter().cloned());
        match page.next_page() {
            Some(next) => page_number = next,
            None => break,
        }
    }
    let truth = sim.truth().detail(&window, None);
    assert!(truth.len() > 100, "{}", truth.len());
    assert_eq!(seen, truth);
    // Leap day, zone-less local times, string meeting ids, phone costs.
    let leap = seen
        .iter()
        .filter(|m| m.start_time.as_ref().unwrap().naive().date() == date("2024-02-29"))
        .count();
    assert!(leap > 0);
    assert!(
        seen.iter()
            .all(|m| m.meeting_id.as_ref().unwrap().is_text())
    );
    let calls: Vec<_> = seen.iter().flat_map(|m| m.telephony_usage()).collect();
    assert!(!calls.is_empty());
    for c in calls {
        let minutes = c.duration.unwrap();
        let rate = if c.call_type == Some(systec_model::CallType::CallIn) {
            rust_decimal::Decimal::new(4, 2)
        } else {
            rust_decimal::Decimal::new(6, 2)
        };
        assert_eq!(
            c.total.unwrap().amount(),
            rate * rust_decimal::Decimal::from(minutes)
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn detail_defaults_and_omitted_lists() {
    let sim = start(300).await;
    // No from/to: today (configured as 2024-02-15); default page size 30.
    let body = systec(&sim, "detail", &[]).await;
    let v = json(&body);
    assert_eq!(v["status"], 200);
    assert_eq!(v["message"], "OK");
    assert_eq!(v["data"]["from"], "2024-02-15");
    assert_eq!(v["data"]["to"], "2024-02-15");
    assert_eq!(v["data"]["page_size"], 30);
    assert_eq!(v["data"]["page_number"], 1);
    let today = DateWindow::day(date("2024-02-15"));
    assert_eq!(
        v["data"]["total_record"],
        sim.truth().detail(&today, None).len()
    );
    // A month: lists only when asked.
    let body = systec(
        &sim,
        "detail",
        &[("from", "2024-01-01"), ("to", "2024-01-31")],
    )
    .await;
    let v = json(&body);
    let meetings = v["data"]["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 30);
    for m in meetings {
        assert!(m.get("participants").is_none() && m.get("telephony_usage").is_none());
        assert!(m["meeting_id"].is_string());
        assert!(m["duration"].is_u64());
        assert_eq!(m["start_time"].as_str().unwrap().len(), 19);
        assert!(!m["start_time"].as_str().unwrap().contains('T'));
    }
    // `duration` is the scheduled length, not end - start.
    let page = detail::parse_response(&body).unwrap().data;
    let differs = page.meetings().iter().any(|m| {
        let (s, e) = (m.start_time.as_ref().unwrap(), m.end_time.as_ref());
        e.is_some_and(|e| {
            (e.naive() - s.naive()).num_minutes().cast_unsigned() != m.duration.unwrap()
        })
    });
    assert!(differs);
    sim.shutdown().await;
}

#[tokio::test]
async fn detail_filters_by_room_and_uuid() {
    let sim = start(400).await;
    let truth = sim.truth();
    let room = truth.rooms()[2].host_id.clone();
    let window = DateWindow::new(date("2024-03-01"), date("2024-03-31")).unwrap();
    let body = systec(
        &sim,
        "detail",
        &[
            ("from", "2024-03-01"),
            ("to", "2024-03-31"),
            ("host_id", &room),
            ("page_size", "1000"),
            ("show_participants", "1"),
            ("show_telephony_usage", "1"),
        ],
    )
    .await;
    let page = detail::parse_response(&body).unwrap().data;
    assert!(!page.meetings().is_empty());
    assert!(
        page.meetings()
            .iter()
            .all(|m| m.host_id.as_deref() == Some(room.as_str()))
    );
    assert_eq!(
        page.meetings(),
        truth.detail(&window, Some(&room)).as_slice()
    );
    let uuid = page.meetings()[0].uuid.clone().unwrap();
    let body = systec(
        &sim,
        "detail",
        &[
            ("from", "2024-03-01"),
            ("to", "2024-03-31"),
            ("uuid", uuid.as_str()),
        ],
    )
    .await;
    let page = detail::parse_response(&body).unwrap().data;
    assert_eq!(page.total_record, Some(1));
    assert_eq!(page.meetings()[0].uuid.as_ref(), Some(&uuid));
    sim.shutdown().await;
}

#[tokio::test]
async fn windows_longer_than_a_month_serve_the_last_month() {
    let sim = start(400).await;
    let requested = DateWindow::new(date("2024-01-15"), date("2024-03-10")).unwrap();
    let body = systec(
        &sim,
        "detail",
        &[
            ("from", "2024-1-15"),
            ("to", "2024-03-10"),
            ("page_size", "1000"),
        ],
    )
    .await;
    let v = json(&body);
    assert_eq!(v["data"]["from"], "2024-1-15"); // echoed as sent
    assert_eq!(v["data"]["to"], "2024-03-10");
    let page = detail::parse_response(&body).unwrap().data;
    let served = requested.vendor_served();
    assert_eq!(served.from(), date("2024-03-01"));
    assert!(page.meetings().iter().all(|m| {
        let d = m.start_time.as_ref().unwrap().naive().date();
        served.contains(d)
    }));
    assert_eq!(
        page.total_record,
        Some(sim.truth().detail(&served, None).len() as u64)
    );
    let body = systec(
        &sim,
        "hisMeeting",
        &[("from", "2024-01-15"), ("to", "2024-03-10")],
    )
    .await;
    let list = his_meeting::parse_response(&body).unwrap().data;
    assert_eq!(list, sim.truth().his_meetings(&served));
    assert_eq!(list, sim.truth().his_meetings(&requested));
    sim.shutdown().await;
}

#[tokio::test]
async fn his_meeting_records() {
    let sim = start(500).await;
    let body = systec(
        &sim,
        "hisMeeting",
        &[("from", "2024-01-01"), ("to", "2024-01-31")],
    )
    .await;
    let v = json(&body);
    for r in v["data"].as_array().unwrap() {
        assert!(r["participants"].is_u64());
        assert!(r["id"].is_u64());
        assert!(r["host"].as_str().unwrap().ends_with(' '));
        assert!(r["start_time"].as_str().unwrap().ends_with('Z'));
        assert!(r["duration"].as_str().unwrap().ends_with("分钟"));
    }
    let list = his_meeting::parse_response(&body).unwrap().data;
    let window = DateWindow::new(date("2024-01-01"), date("2024-01-31")).unwrap();
    assert_eq!(list, sim.truth().his_meetings(&window));
    // Only ended meetings; durations rounded up.
    for h in &list {
        let secs = (h.end_time.as_ref().unwrap().to_utc()
            - h.start_time.as_ref().unwrap().to_utc())
        .num_seconds()
        .cast_unsigned();
        assert_eq!(
            h.duration.as_ref().unwrap().minutes_rounded_up(),
            Some(systec_model::billed_minutes(secs))
        );
    }
    let detail_count = sim.truth().detail(&window, None).len();
    assert!(list.len() < detail_count, "live meetings are not history");
    // One record per occurrence: meeting numbers repeat over the whole range.
    let all = sim
        .truth()
        .his_meetings(&DateWindow::new(date("2024-03-01"), date("2024-03-31")).unwrap());
    let mut by_number: BTreeMap<String, usize> = BTreeMap::new();
    for h in list.iter().chain(&all) {
        *by_number
            .entry(h.id.as_ref().unwrap().to_string())
            .or_default() += 1;
    }
    assert!(by_number.values().any(|n| *n > 1));
    // from/to are required.
    let err =
        his_meeting::parse_response(&systec(&sim, "hisMeeting", &[("from", "2024-01-01")]).await)
            .unwrap_err();
    assert!(
        matches!(err, SystecError::Vendor { ref error, .. } if error.status == Some(400)),
        "{err}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn reports_in_order_with_stubs_and_participant_pages() {
    let sim = start(800).await;
    let truth = sim.truth();
    let uuids: Vec<String> = truth.uuids().iter().map(|u| u.to_string()).collect();
    let entries: Vec<(String, ReportEntry)> = uuids
        .iter()
        .map(|u| (u.clone(), truth.report(u).unwrap()))
        .collect();
    let stub = entries
        .iter()
        .find(|(_, e)| matches!(e, ReportEntry::Stub(_)))
        .unwrap();
    let big = entries
        .iter()
        .find(|(_, e)| e.as_report().is_some_and(|r| r.participants().len() > 100))
        .unwrap();
    let small = entries
        .iter()
        .find(|(_, e)| e.as_report().is_some_and(|r| r.participants().len() <= 100))
        .unwrap();
    // `，` and `,` both separate.
    let list = format!("{}，{},{}", big.0, stub.0, small.0);
    let body = systec(&sim, "reports", &[("uuid", &list)]).await;
    let v = json(&body);
    assert!(v["data"][0]["id"].is_u64());
    assert!(v["data"][1]["id"].is_string());
    assert_eq!(v["data"][1].as_object().unwrap().len(), 1);
    assert!(v["data"][2]["id"].is_u64());
    let data = reports::parse_response(&body).unwrap().data;
    assert_eq!(data.len(), 3);
    let r0 = data[0].as_report().unwrap();
    assert_eq!(r0.uuid.as_ref().unwrap().as_str(), big.0);
    let full = big.1.as_report().unwrap();
    let total = full.participants().len() as u64;
    assert_eq!(r0.participants_count, Some(total));
    assert_eq!(r0.participants().len(), 100);
    assert_eq!(r0.page_size, Some(100));
    assert_eq!(r0.page_number, Some(1));
    assert_eq!(r0.page_count, Some(total.div_ceil(100)));
    assert_eq!(
        r0.completeness(),
        Completeness::Truncated { listed: 100, total }
    );
    assert_eq!(r0.participants(), &full.participants()[..100]);
    assert_eq!(data[1], stub.1);
    assert_eq!(data[2], small.1);
    assert!(data[2].as_report().unwrap().is_complete());
    // Every report: "N分钟" rounded up; trailing space in host.
    let r = data[2].as_report().unwrap();
    let secs = (r.end_time.as_ref().unwrap().to_utc() - r.start_time.as_ref().unwrap().to_utc())
        .num_seconds()
        .cast_unsigned();
    assert_eq!(
        r.duration.as_ref().unwrap().to_string(),
        format!("{}分钟", secs.div_ceil(60))
    );
    assert!(r.host.as_ref().unwrap().ends_with(' '));
    // Stubs cover both reasons: live meetings and fewer than two participants.
    let stubs = entries
        .iter()
        .filter(|(_, e)| matches!(e, ReportEntry::Stub(_)))
        .count();
    assert!(stubs >= 2);
    // `uuid` is required.
    let err = reports::parse_response(&systec(&sim, "reports", &[]).await).unwrap_err();
    assert!(matches!(err, SystecError::Vendor { ref error, .. } if error.status == Some(400)));
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_are_a_401_envelope_even_with_every_fault() {
    let sim = start_with(50, meeting_sim::FaultConfig::all(1.0)).await;
    for endpoint in ["detail", "reports", "hisMeeting"] {
        for (key, secret) in [
            ("wrong", sim.api_secret()),
            (sim.api_key(), "wrong"),
            ("", ""),
        ] {
            let resp = client()
                .post(format!("{}{endpoint}", sim.systec_base_url()))
                .form(&[
                    ("api_key", key),
                    ("api_secret", secret),
                    ("uuid", "x"),
                    ("from", "2024-01-01"),
                    ("to", "2024-01-02"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let body = resp.bytes().await.unwrap();
            let v = json(&body);
            assert_eq!(v["status"], 401);
            assert!(v["data"].is_null());
            let err = detail::parse_response(&body).unwrap_err();
            match err {
                SystecError::Vendor { error, .. } => {
                    assert_eq!(error.status, Some(401));
                    assert!(!error.is_rate_limit());
                }
                other => panic!("{other}"),
            }
        }
    }
    // The Quanshi token likewise.
    let (status, body) = quanshi(
        &sim,
        meeting_sim::QUANSHI_DASHBOARD_PATH,
        serde_json::json!({"tempConferenceId": "1"}),
        Some("wrong"),
    )
    .await;
    assert_eq!(status, 200);
    let err = quanshi_model::dashboard_conference_info::parse_response(&body).unwrap_err();
    assert_eq!(err.as_vendor().unwrap().status, 401);
    assert!(sim.fault_counts().is_empty());
    let log = sim.requests();
    assert_eq!(log.len(), 10);
    assert!(log.iter().all(|r| r.fault.is_none()));
    assert!(log.iter().all(|r| {
        r.params
            .iter()
            .all(|(k, _)| k != "api_key" && k != "api_secret")
    }));
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_an_error_envelope_never_a_crash() {
    let sim = start(50).await;
    let cases: &[&[(&str, &str)]] = &[
        &[("page_size", "abc")],
        &[("page_size", "0")],
        &[("page_number", "-1")],
        &[("page_size", "100000")],
        &[("from", "yesterday")],
        &[("from", "2024-02-10"), ("to", "2024-02-01")],
        &[("show_participants", "maybe")],
    ];
    for params in cases {
        let body = systec(&sim, "detail", params).await;
        let v = json(&body);
        assert_eq!(v["status"], 400, "{params:?}: {v}");
        assert!(v["message"].as_str().unwrap().len() > 3);
    }
    // Not a form at all.
    let resp = client()
        .post(format!("{}detail", sim.systec_base_url()))
        .header("content-type", "application/json")
        .body("{\"api_key\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(json(&resp.bytes().await.unwrap())["status"], 400);
    // Unknown UUIDs are left out.
    let body = systec(&sim, "reports", &[("uuid", "nope==,also/nope+")]).await;
    assert_eq!(reports::parse_response(&body).unwrap().data.len(), 0);
    // The log has the endpoint and the public parameters.
    let log = sim.requests();
    assert_eq!(log[0].endpoint, Source::SystecDetail);
    assert_eq!(
        log[0].params,
        vec![("page_size".to_owned(), "abc".to_owned())]
    );
    assert_eq!(log[0].vendor_status, Some(400));
    sim.shutdown().await;
}

#[tokio::test]
async fn start_refuses_non_loopback_and_shutdown_stops() {
    let mut config = config(10);
    config.addr = "0.0.0.0:0".parse().unwrap();
    assert!(matches!(
        meeting_sim::Sim::start(config).await,
        Err(meeting_sim::SimError::Config(
            meeting_sim::ConfigError::NotLoopback(_)
        ))
    ));
    let sim = start(10).await;
    let url = sim.systec_base_url();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/umeeting/share/"));
    sim.shutdown().await;
    assert!(client().post(format!("{url}detail")).send().await.is_err());
}

#[tokio::test]
async fn ten_thousand_meetings_start_quickly() {
    let started = std::time::Instant::now();
    let sim = start(10_000).await;
    assert_eq!(sim.truth().meeting_count(), 10_000);
    // Debug builds are ~10x slower than release; release takes well under a second.
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
    sim.shutdown().await;
}
