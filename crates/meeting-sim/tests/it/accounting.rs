//! The accounting cases (opt-in) and the accounting ground truth, against figures computed by
//! hand from the cases' definitions (`src/systec/cases.rs`, `src/quanshi/cases.rs`).

use crate::common::*;
use meeting_sim::{Figures, RoomKey, Sim, SimConfig};
use rust_decimal::Decimal;
use serde_json::json;

/// Only the cases: no generated meetings or conferences.
fn cases_only() -> SimConfig {
    let mut config = SimConfig::new(7, 0).with_accounting_cases(true);
    config.data.quanshi_conferences = 0;
    config.today = Some(date("2024-02-15"));
    config
}

/// (held, measured seconds, billed minutes, attendees, calls, phone minutes, cost,
/// scheduled, cancelled, unknown)
type Row = (u64, u64, u64, u64, u64, u64, Decimal, u64, u64, u64);

fn row(f: &Figures) -> Row {
    (
        f.meetings_held,
        f.measured_seconds,
        f.billed_minutes,
        f.attendees,
        f.phone_calls,
        f.phone_minutes,
        f.phone_cost,
        f.scheduled,
        f.cancelled,
        f.unknown,
    )
}

fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

fn systec_room(name: &str) -> RoomKey {
    RoomKey::Systec(name.to_owned())
}

fn quanshi_room(id: &str) -> RoomKey {
    RoomKey::Quanshi(id.to_owned())
}

#[tokio::test]
async fn the_truth_matches_the_hand_computed_figures() {
    let sim = Sim::start(cases_only()).await.unwrap();
    let a = sim.truth().accounting();
    let room = |key: RoomKey| {
        let r = &a.rooms[&key];
        (r.name.clone().unwrap(), row(&r.figures))
    };
    let z = Decimal::ZERO;
    // Systec: one participant 10:00-10:30:30 (1,830 s, "31分钟"), one attendee by name.
    assert_eq!(
        room(systec_room("1")),
        ("1".into(), (1, 1830, 31, 1, 0, 0, z, 0, 0, 0))
    );
    // No participant, 11:00-11:05.
    assert_eq!(
        room(systec_room("room02")),
        ("room02".into(), (1, 300, 5, 0, 0, 0, z, 0, 0, 0))
    );
    // Live: held, nothing measured or billed, three attendees by name.
    assert_eq!(
        room(systec_room("3")),
        ("3".into(), (1, 0, 0, 3, 0, 0, z, 0, 0, 0))
    );
    // detail-only 13:00-14:00 (no billed figure: the vendor gives none) with a 2 min 30 s
    // call out (3 min at 0.06), and 15:00-15:45:10 (2,710 s, "46分钟"): 2 + 2 attendees.
    assert_eq!(
        room(systec_room("room04")),
        ("room04".into(), (2, 6310, 46, 4, 1, 3, cents(18), 0, 0, 0))
    );
    // Rejoining: 5 rows, 3 persons; calls in 10 min (0.40) and out 20 s (1 min, 0.06).
    assert_eq!(
        room(systec_room("5")),
        ("5".into(), (1, 3600, 60, 3, 2, 11, cents(46), 0, 0, 0))
    );
    // The stub that matches nothing is not a meeting: its room has nothing.
    assert!(!a.rooms.contains_key(&systec_room("room06")));
    // Quanshi: the occurrence (10:00, 5,400 s, 6 attendees) counts once in each of the three
    // rooms its reservation lends it (houseList ∪ detailHouseList); 6701 also has the
    // scheduled booking, and detailHouseList's name.
    assert_eq!(
        room(quanshi_room("6701")),
        ("长安厅(大)".into(), (1, 5400, 0, 6, 0, 0, z, 1, 0, 0))
    );
    assert_eq!(
        room(quanshi_room("6702")),
        ("牡丹厅".into(), (1, 5400, 0, 6, 0, 0, z, 0, 0, 0))
    );
    assert_eq!(
        room(quanshi_room("6703")),
        ("杏花村".into(), (1, 5400, 0, 6, 0, 0, z, 0, 0, 0))
    );
    assert_eq!(
        room(quanshi_room("6704")),
        ("会议室A".into(), (0, 0, 0, 0, 0, 0, z, 0, 1, 0))
    );
    // An ended reservation without an occurrence: held, nothing measured, no attendance.
    assert_eq!(
        room(quanshi_room("6705")),
        ("会议室B".into(), (1, 0, 0, 0, 0, 0, z, 0, 0, 0))
    );
    assert_eq!(a.rooms.len(), 10);
    // The live occurrence without a reservation: confDuration fills its minutes.
    assert_eq!(row(&a.without_room), (1, 1200, 0, 4, 0, 0, z, 0, 0, 0));
    // Totals: 6 Systec + 3 Quanshi meetings; the multi-room occurrence once.
    assert_eq!(
        row(&a.total),
        (9, 18_640, 142, 21, 3, 14, cents(64), 1, 1, 0)
    );
    assert_eq!(a.total.measured_minutes(), cents(31_067));
    assert_eq!((a.stubs, a.unmatched_stubs), (4, 1));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_endpoints_serve_the_cases() {
    let sim = Sim::start(cases_only()).await.unwrap();
    let window = [("from", "2024-01-01"), ("to", "2024-01-31")];
    let mut full = window.to_vec();
    full.extend([("show_participants", "true"), ("page_size", "100")]);
    let detail = json(&systec(&sim, "detail", &full).await);
    let meetings = detail["data"]["meetings"].as_array().unwrap();
    // Six listed by detail (the reports-only stub is not), in start order.
    assert_eq!(meetings.len(), 6);
    let topics: Vec<&str> = meetings
        .iter()
        .map(|m| m["topic"].as_str().unwrap())
        .collect();
    assert!(topics.contains(&"核算 detail only"));
    assert!(!topics.contains(&"核算 stub matching nothing"));
    let live = meetings.iter().find(|m| m["topic"] == "核算 live").unwrap();
    assert!(live.get("end_time").is_none());
    let rejoin = meetings
        .iter()
        .find(|m| m["topic"] == "核算 rejoining")
        .unwrap();
    let names: Vec<&str> = rejoin["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.iter().filter(|n| **n == "王芳").count(), 3);

    // hisMeeting: the ended meetings listed everywhere (not the live or detail-only ones).
    let his = json(&systec(&sim, "hisMeeting", &window).await);
    assert_eq!(his["data"].as_array().unwrap().len(), 4);

    // reports: stubs for one/no participant, live and the unmatched one; detail-only left out.
    let uuids: Vec<String> = sim.truth().uuids().iter().map(|u| u.to_string()).collect();
    assert_eq!(uuids.len(), 7);
    let reports = json(&systec(&sim, "reports", &[("uuid", &uuids.join(","))]).await);
    let entries = reports["data"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    let stubs: Vec<&str> = entries
        .iter()
        .filter(|e| e.as_object().unwrap().len() == 1)
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(stubs.len(), 4);
    assert!(stubs.contains(&"999000001"));
    let rejoin_report = entries
        .iter()
        .find(|e| e["topic"].is_null() && e["participants_count"] == 5)
        .unwrap();
    let ids: std::collections::BTreeSet<&str> = rejoin_report["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);

    // Quanshi: the multi-room reservation and its occurrence share eventId 990001; its
    // houseList and detailHouseList differ.
    let path = sim.quanshi_conference_path().to_owned();
    let mut by_id = std::collections::BTreeMap::new();
    for url in sim.truth().quanshi_join_urls() {
        let (_, body) = quanshi_call(&sim, &path, json!({"attendeeJoinUrl": url})).await;
        let c = json(&body)["result"][0].clone();
        by_id.insert(c["conferenceId"].as_str().unwrap().to_owned(), c);
    }
    assert_eq!(by_id.len(), 4);
    let multi = &by_id["990000001"];
    assert_eq!(
        (multi["eventId"].clone(), multi["status"].clone()),
        (json!(990001), json!(4))
    );
    let ids = |list: &serde_json::Value| -> Vec<u64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| d["DeviceId"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&multi["houseList"]), [6701, 6702]);
    assert_eq!(ids(&multi["detailHouseList"]), [6701, 6703]);
    assert_eq!(by_id["990000002"]["status"], 0);
    assert_eq!(by_id["990000003"]["status"], 1);
    assert!(by_id["990000002"]["detailHouseList"].is_null());
    let dashboard = meeting_sim::QUANSHI_DASHBOARD_PATH;
    let (_, body) = quanshi_call(&sim, dashboard, json!({"tempConferenceId": "99000001"})).await;
    let occurrence = json(&body)["result"].clone();
    assert_eq!(occurrence["eventId"], 990001);
    assert_eq!(
        (
            occurrence["status"].clone(),
            occurrence["confDuration"].clone()
        ),
        (json!(4), json!(5400))
    );
    let (_, body) = quanshi_call(&sim, dashboard, json!({"tempConferenceId": "99000005"})).await;
    let live = json(&body)["result"].clone();
    assert_eq!(
        (live["status"].clone(), live["stopTime"].clone()),
        (json!(2), json!(0))
    );
    sim.shutdown().await;
}

async fn quanshi_call(
    sim: &meeting_sim::SimHandle,
    path: &str,
    body: serde_json::Value,
) -> (u16, bytes::Bytes) {
    quanshi(sim, path, body, Some(sim.token())).await
}

#[tokio::test]
async fn the_cases_are_added_to_the_default_data_only_when_asked() {
    let off = Sim::start(config(100)).await.unwrap();
    let on = Sim::start(config(100).with_accounting_cases(true))
        .await
        .unwrap();
    assert_eq!(off.truth().meeting_count(), 100);
    assert_eq!(on.truth().meeting_count(), 107);
    assert_eq!(on.truth().quanshi_join_urls().len(), 20 + 4);
    assert_eq!(on.truth().dashboard_ids().len(), 20 + 2);
    // The generated data is unchanged: every generated meeting is still there, the same.
    for uuid in off.truth().uuids() {
        assert_eq!(
            off.truth().report(uuid.as_str()),
            on.truth().report(uuid.as_str())
        );
    }
    let a = on.truth().accounting();
    let b = off.truth().accounting();
    assert_eq!(a.total.meetings_held - b.total.meetings_held, 9);
    assert_eq!(a.total.phone_cost - b.total.phone_cost, cents(64));
    off.shutdown().await;
    on.shutdown().await;
}

/// The truth of the generated (default) Systec data agrees with what the endpoints serve:
/// meetings held per room from `detail`, billed minutes from `hisMeeting`, calls, minutes and
/// exact cost from `detail`'s telephony usage.
#[tokio::test]
async fn the_truth_reconciles_with_what_is_served() {
    let mut config = config(400);
    config.data.quanshi_conferences = 0;
    let sim = Sim::start(config).await.unwrap();
    let names: std::collections::BTreeMap<String, String> = sim
        .truth()
        .rooms()
        .into_iter()
        .map(|r| (r.host_id, r.name.trim().to_owned()))
        .collect();
    let mut held = std::collections::BTreeMap::<String, u64>::new();
    let (mut calls, mut minutes, mut cost, mut billed) = (0u64, 0u64, Decimal::ZERO, 0u64);
    for (from, to) in [
        ("2024-01-01", "2024-01-31"),
        ("2024-02-01", "2024-02-29"),
        ("2024-03-01", "2024-03-31"),
    ] {
        let params = [
            ("from", from),
            ("to", to),
            ("show_telephony_usage", "true"),
            ("page_size", "1000"),
        ];
        let page = json(&systec(&sim, "detail", &params).await);
        for m in page["data"]["meetings"].as_array().unwrap() {
            let room = &names[m["host_id"].as_str().unwrap()];
            *held.entry(room.clone()).or_default() += 1;
            for call in m["telephony_usage"].as_array().unwrap() {
                calls += 1;
                minutes += call["duration"].as_u64().unwrap();
                cost += call["total"].to_string().parse::<Decimal>().unwrap();
            }
        }
        let his = json(&systec(&sim, "hisMeeting", &[("from", from), ("to", to)]).await);
        for h in his["data"].as_array().unwrap() {
            let text = h["duration"].as_str().unwrap();
            billed += text.trim_end_matches("分钟").parse::<u64>().unwrap();
        }
    }
    let a = sim.truth().accounting();
    assert_eq!(a.total.meetings_held, 400);
    assert_eq!(a.total.billed_minutes, billed);
    assert_eq!(
        (
            a.total.phone_calls,
            a.total.phone_minutes,
            a.total.phone_cost
        ),
        (calls, minutes, cost)
    );
    assert!(calls > 0 && cost > Decimal::ZERO);
    let per_room: std::collections::BTreeMap<String, u64> = a
        .rooms
        .iter()
        .map(|(key, r)| match key {
            RoomKey::Systec(name) => (name.clone(), r.figures.meetings_held),
            other => panic!("no Quanshi data was generated: {other:?}"),
        })
        .collect();
    assert_eq!(per_room, held);
    assert_eq!(row(&a.without_room), row(&Figures::default()));
    sim.shutdown().await;
}
