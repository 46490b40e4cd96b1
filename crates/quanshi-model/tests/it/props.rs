//! Property tests: no input panics; codes and times round-trip.

use crate::common::bytes;
use proptest::prelude::*;
use quanshi_model::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every entry point, fed the same bytes; none may panic.
fn feed(input: &[u8]) {
    let _ = conference_by_join_url::parse_response(input);
    let _ = dashboard_conference_info::parse_response(input);
    let _ = Envelope::<Value>::from_slice_for("any", input);
    let _ = meeting_wire::from_slice::<Vec<Device>>(input);
    let _ = meeting_wire::from_slice::<Vec<DetailHouse>>(input);
    let _ = meeting_wire::from_slice::<Conference>(input);
    let _ = meeting_wire::from_slice::<DashboardConference>(input);
    // Whatever parsed must also serialise and be shown without panicking.
    if let Ok(r) = conference_by_join_url::parse_response(input) {
        let _ = format!("{r:?}");
        let _ = serde_json::to_vec(&r).unwrap();
        if let Some(list) = &r.result {
            for c in list.value() {
                let _ = c.start_time.as_ref().map(UnixSeconds::to_utc);
                let _ = c.length_duration();
                let _ = c.attendee_join_url.as_ref().map(JoinLink::masked);
                let _ = c.web_rtc_url.as_ref().map(|l| l.to_string());
            }
        }
        let _ = r.timestamp.as_ref().map(UnixMillis::to_utc);
        let _ = r
            .request_duration
            .as_ref()
            .map(RequestDuration::as_duration);
    }
    if let Ok(r) = dashboard_conference_info::parse_response(input) {
        let _ = format!("{r:?}");
        let _ = serde_json::to_vec(&r).unwrap();
        if let Some(d) = &r.result {
            let _ = (
                d.stopped_at(),
                d.started_at(),
                d.conf_duration(),
                d.is_running(),
            );
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("[\"a\"]"),
            Just("["),
            Just(""),
            Just("Asia/Shanghai"),
            Just("12.5ms")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let keys = prop_oneof![
        Just("status"),
        Just("result"),
        Just("msg"),
        Just("reqid"),
        Just("request_id"),
        Just("timestamp"),
        Just("request_duration"),
        Just("conferenceId"),
        Just("eventId"),
        Just("startTime"),
        Just("stopTime"),
        Just("calExtraInfo"),
        Just("labels"),
        Just("attendList"),
        Just("houseList"),
        Just("detailHouseList"),
        Just("SubDevices"),
        Just("Location"),
        Just("Floor"),
        Just("timezone"),
        Just("isRecord"),
        Just("userType"),
        Just("x"),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the `n`-th node (pre-order) of `v` with `with`.
fn replace_nth(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, n, with)),
        Value::Object(o) => o.values_mut().any(|x| replace_nth(x, n, with)),
        _ => false,
    }
}

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..256)) {
        feed(&input);
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        feed(&serde_json::to_vec(&v).unwrap());
        feed(&serde_json::to_vec(&json!({"status": 0, "result": v})).unwrap());
        feed(&serde_json::to_vec(&json!({"status": 0, "result": [v]})).unwrap());
    }

    #[test]
    fn mutated_samples_never_panic(n in 0usize..200, with in arb_json(), which in 0usize..4) {
        let file = [
            "conference-by-join-url.sample.json",
            "dashboard-conference-info.sample.json",
            "quirks/house-lists-doc-examples.json",
            "quirks/calextrainfo-labels.json",
        ][which];
        let mut v: Value = serde_json::from_slice(&bytes(file)).unwrap();
        let mut k = n;
        replace_nth(&mut v, &mut k, &with);
        let text = serde_json::to_vec(&v).unwrap();
        feed(&text);
        // Whatever parses still round-trips losslessly.
        if let Ok(r) = conference_by_join_url::parse_response(&text) {
            prop_assert!(meeting_wire::diff::diff(&v, &serde_json::to_value(&r).unwrap()).is_empty());
        }
        if let Ok(r) = dashboard_conference_info::parse_response(&text) {
            prop_assert!(meeting_wire::diff::diff(&v, &serde_json::to_value(&r).unwrap()).is_empty());
        }
    }

    #[test]
    fn int_enums_round_trip_any_value(n in any::<i64>()) {
        macro_rules! check { ($($t:ty),*) => {$(
            let e = <$t>::from(n);
            prop_assert_eq!(e.code(), n);
            prop_assert_eq!(serde_json::to_string(&e).unwrap(), n.to_string());
            round_trips(&e);
        )*}}
        check!(ConferenceStatus, DashboardStatus, UserType, ConfMode, ConfNodeType, JoinLogin,
               DeviceType, RoomRole, ApprovalStatus);
    }

    #[test]
    fn str_enums_round_trip_any_value(s in ".{0,8}") {
        let e = AttendeeStatus::from(s.as_str());
        prop_assert_eq!(e.code(), s.as_str());
        round_trips(&e);
        let e = CalType::from(s.as_str());
        prop_assert_eq!(e.code(), s.as_str());
        round_trips(&e);
    }

    #[test]
    fn times_round_trip_as_number_and_string(n in any::<i64>()) {
        for text in [n.to_string(), format!("\"{n}\"")] {
            let s: UnixSeconds = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(serde_json::to_string(&s).unwrap(), text.clone());
            prop_assert_eq!(s.value(), Some(n));
            let _ = s.to_utc();
            let _ = format!("{s:?}");
            let m: UnixMillis = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(serde_json::to_string(&m).unwrap(), text.clone());
            prop_assert_eq!(m.value(), Some(n));
            let _ = m.to_utc();
        }
    }

    #[test]
    fn time_strings_never_panic(s in ".{0,24}") {
        let t = UnixSeconds::text(s.clone());
        let _ = (t.to_utc(), t.value(), format!("{t:?}"));
        round_trips(&t);
        let _ = RequestDuration::new(s.clone()).as_duration();
        let _ = JoinLink::new(s.clone()).masked();
        let _ = ZoneName::new(s);
    }

    #[test]
    fn millis_in_range_convert_exactly(ms in -8_000_000_000_000i64..8_000_000_000_000i64) {
        let t = UnixMillis::number(ms);
        prop_assert_eq!(t.to_utc().unwrap().timestamp_millis(), ms);
        let s = UnixSeconds::number(ms);
        prop_assert_eq!(s.to_utc().unwrap().timestamp(), ms);
    }
}

#[test]
fn every_documented_code_maps_both_ways() {
    macro_rules! int_codes { ($($t:ty => [$($code:expr),*]),* $(,)?) => {$(
        let known: Vec<i64> = <$t>::ALL_KNOWN.iter().map(|e| e.code()).collect();
        assert_eq!(known, vec![$($code),*], stringify!($t));
        for e in <$t>::ALL_KNOWN {
            assert!(e.is_known());
            assert_eq!(<$t>::from(e.code()), *e);
            round_trips(e);
        }
    )*}}
    int_codes! {
        ConferenceStatus => [0, 1, 4],
        DashboardStatus => [2, 4],
        UserType => [1, 2, 3],
        ConfMode => [0, 1],
        ConfNodeType => [0, 1],
        JoinLogin => [0, 1],
        DeviceType => [2, 3],
        RoomRole => [0, 1, 2],
        ApprovalStatus => [0, 1, 2, 3],
    }
    let codes: Vec<&str> = AttendeeStatus::ALL_KNOWN
        .iter()
        .map(AttendeeStatus::code)
        .collect();
    assert_eq!(codes, ["W", "A", "R"]);
    let codes: Vec<&str> = CalType::ALL_KNOWN.iter().map(CalType::code).collect();
    assert_eq!(codes, ["E", "M"]);
    for e in AttendeeStatus::ALL_KNOWN {
        round_trips(e);
    }
    for e in CalType::ALL_KNOWN {
        round_trips(e);
    }
    assert_eq!(ConferenceStatus::from(4), ConferenceStatus::Ended);
    assert_eq!(DashboardStatus::from(4), DashboardStatus::Ended);
    assert_eq!(DashboardStatus::from(1), DashboardStatus::Unknown(1));
    assert_eq!(ApprovalStatus::from(3), ApprovalStatus::RoomCancelled);
    assert_eq!(RoomRole::from(2), RoomRole::Branch);
}
