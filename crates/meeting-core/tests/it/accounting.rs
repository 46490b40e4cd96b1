//! The accounting rules, one fixture each (`fixtures/accounting/`): stubs attached by the
//! request's UUIDs and unmatched ones counted, a `detail`-only meeting labelled through the
//! room identity, a person who rejoins counted once, a two-room Quanshi booking with
//! differing house lists, a cancelled and a scheduled booking, `confDuration`, and a
//! meeting at the end of a month in two report zones.

use chrono_tz::{Asia::Shanghai, UTC};
use meeting_core::aggregate::{Aggregate, GroupBy, attendance};
use meeting_core::merge::{Merged, Merger};
use meeting_core::query::Filter;
use meeting_core::{DumpOptions, Meeting, ReportState, Status, read_dump};

use crate::common::root;

/// A fixture read (its saved records observed at their `fetched_at`) and merged.
fn merged(name: &str) -> Merged {
    let bytes = std::fs::read(root().join("fixtures/accounting").join(name)).unwrap();
    let mut merger = Merger::new();
    for m in read_dump(&bytes[..], DumpOptions::default()) {
        merger.push(m.unwrap());
    }
    merger.finish_with_stubs()
}

fn by_key<'a>(list: &'a [Meeting], key: &str) -> &'a Meeting {
    list.iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn stubs_attach_by_the_request_and_unmatched_ones_are_counted() {
    let merged = merged("systec-stubs-and-rooms.jsonl");
    let list = &merged.meetings;
    // Four occurrences; the stubs are not among them.
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|m| !m.is_stub()));
    // Meeting number 111 has two occurrences: the stub (asked with U1 and U2) attaches to
    // U1, the one without a full report; U2 has its full report.
    assert_eq!(by_key(list, "systec:U1==").report, Some(ReportState::None));
    assert_eq!(by_key(list, "systec:U2==").report, Some(ReportState::Full));
    assert!(
        by_key(list, "systec:U1==")
            .sources
            .contains(&meeting_core::Source::SystecReports)
    );
    // Nobody asked for U3's and U4's reports.
    assert_eq!(
        by_key(list, "systec:U3==").report,
        Some(ReportState::NotFetched)
    );
    assert_eq!(merged.stubs, 2);
    assert_eq!(merged.unmatched_stubs, ["999"]);
}

#[test]
fn a_detail_only_meeting_is_labelled_by_its_room_name() {
    let merged = merged("systec-stubs-and-rooms.jsonl");
    // U3 is known only from `detail` (room HX2); U4 links HX2 to `room02`.
    let u3 = by_key(&merged.meetings, "systec:U3==");
    let room = u3.room.as_ref().unwrap();
    assert_eq!(
        (room.id.as_deref(), room.name.as_deref()),
        (Some("HX2"), Some("room02"))
    );
    assert_eq!(u3.host.as_ref().unwrap().name.as_deref(), Some("room02"));
    let agg = Aggregate::compute(&merged.meetings, GroupBy::Room, Shanghai);
    let labels: Vec<&str> = agg.groups.iter().map(|g| g.group.as_str()).collect();
    assert_eq!(labels, ["room01", "room02"], "one label per room");
    assert_eq!(agg.groups[1].meetings, 2);
}

#[test]
fn a_person_who_rejoins_is_one_attendee_with_united_minutes() {
    let merged = merged("systec-stubs-and-rooms.jsonl");
    let u2 = by_key(&merged.meetings, "systec:U2==");
    // Three rows (张三 twice, overlapping 02:05-02:10), two persons; 张三 02:00-02:20 (20
    // minutes) and 李四 02:00-02:30 (30 minutes).
    assert_eq!(u2.participants.len(), 3);
    assert_eq!(attendance(u2), (2, 50 * 60));
    let agg = Aggregate::compute(&merged.meetings, GroupBy::Room, Shanghai);
    let t = &agg.total;
    // U1 (1 attendee), U2 (2), U3 (2), U4 (the vendor's count: 0).
    assert_eq!((t.meetings, t.attendees), (4, 5));
    // Billed minutes are the vendor's (U2 30, U4 20); measured: 30 + 30 + 45 + 20 minutes.
    assert_eq!((t.billed_minutes, t.minutes), (50, 125));
    assert_eq!(
        t.cost().get("CNY").map(ToString::to_string).as_deref(),
        Some("0.12")
    );
}

#[test]
fn quanshi_bookings_count_once_per_room_and_once_in_total() {
    let merged = merged("quanshi-bookings.jsonl");
    let c1 = by_key(&merged.meetings, "quanshi:conference:C1");
    // houseList (6701, 6702) united with detailHouseList (6701 renamed, 6703) by DeviceId.
    let rooms: Vec<(Option<&str>, Option<&str>)> = c1
        .rooms
        .iter()
        .map(|r| (r.id.as_deref(), r.name.as_deref()))
        .collect();
    assert_eq!(
        rooms,
        [
            (Some("6701"), Some("牡丹厅(新)")),
            (Some("6702"), Some("长安厅")),
            (Some("6703"), Some("杏花村"))
        ]
    );
    // The running occurrence has no stopTime: its duration is the vendor's confDuration.
    let t1 = by_key(&merged.meetings, "quanshi:temp:T1");
    assert_eq!((t1.status, t1.duration_seconds), (Status::Live, Some(3600)));

    let agg = Aggregate::compute(&merged.meetings, GroupBy::Room, Shanghai);
    // The occurrence is the meeting; its reservation (same eventId) lends it three rooms
    // and three invitees (never attendees); the cancelled and the scheduled bookings have
    // their own columns.
    let t = &agg.total;
    assert_eq!(
        (t.meetings, t.minutes, t.attendees, t.invitees),
        (1, 60, 5, 3)
    );
    assert_eq!((t.scheduled, t.cancelled, t.unknown), (1, 1, 0));
    let row = |label: &str| {
        agg.groups
            .iter()
            .find(|g| g.group == label)
            .unwrap_or_else(|| panic!("{label}: {:?}", agg.groups))
    };
    for room in ["牡丹厅(新)", "长安厅", "杏花村"] {
        assert_eq!((row(room).meetings, row(room).minutes), (1, 60), "{room}");
    }
    assert_eq!(row("长安厅").cancelled, 1);
    assert_eq!(row("(unknown)").scheduled, 1);
}

#[test]
fn the_month_of_a_late_meeting_is_the_report_zones() {
    let merged = merged("month-boundary.json");
    let january = |zone| {
        let f = Filter::new(zone)
            .from("2024-01-01".parse().unwrap())
            .to("2024-01-31".parse().unwrap());
        let mut keys: Vec<&str> = merged
            .meetings
            .iter()
            .filter(|m| f.matches(m))
            .map(|m| m.key.as_str())
            .collect();
        keys.sort_unstable();
        keys
    };
    // 23:30 on 31 January in Shanghai is January everywhere near; 00:30 on 1 February in
    // Shanghai is still 31 January in UTC.
    assert_eq!(january(Shanghai), ["systec:M2330=="]);
    assert_eq!(january(UTC), ["systec:M0030==", "systec:M2330=="]);
    let days = |zone| {
        Aggregate::compute(&merged.meetings, GroupBy::Day, zone)
            .groups
            .iter()
            .map(|g| g.group.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(days(Shanghai), ["2024-01-31", "2024-02-01"]);
    assert_eq!(days(UTC), ["2024-01-31"]);
}

#[test]
fn records_of_a_failed_window_say_so_until_a_complete_observation_replaces_them() {
    let page = std::fs::read_to_string(root().join("fixtures/systec/detail.sample.json")).unwrap();
    let body: serde_json::Value = serde_json::from_str(&page).unwrap();
    let record = |at: &str| {
        serde_json::json!({"saved_response": 1, "endpoint": "systec.detail",
            "params": {"from": "2017-08-31", "to": "2017-09-01", "page_number": "1"},
            "fetched_at": at, "http_status": 200, "body": body})
        .to_string()
    };
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let mut failed = DumpOptions::default();
    failed.failed_windows = vec![(
        meeting_core::Source::SystecDetail,
        day("2017-08-31"),
        day("2017-09-01"),
    )];
    let read = |text: String, options: DumpOptions| -> Vec<Meeting> {
        read_dump(text.as_bytes(), options)
            .map(Result::unwrap)
            .collect()
    };
    let first = read(record("2024-01-01T00:00:00Z"), failed);
    let warning = "incomplete: part of the systec.detail window 2017-08-31..2017-09-01 failed; fetch it again";
    assert_eq!(first[0].warnings, [warning]);
    // A later, complete fetch of the window replaces the observation: the warning clears,
    // whatever the order the two are read in.
    let later = read(record("2024-02-01T00:00:00Z"), DumpOptions::default());
    for list in [
        [first.clone(), later.clone()].concat(),
        [later, first].concat(),
    ] {
        let merged = meeting_core::merge::merge(list);
        assert!(merged[0].warnings.is_empty(), "{:?}", merged[0].warnings);
    }
}
