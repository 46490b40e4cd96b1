//! Properties: normalising never panics, durations are consistent and never negative,
//! `Meeting` JSON round-trips, merging any order gives the same.

use meeting_core::{Context, Meeting, Normalize};
use proptest::prelude::*;
use serde_json::{Value, json};

fn local_time() -> impl Strategy<Value = String> {
    (
        1900i32..2200,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"))
}

fn utc_time() -> impl Strategy<Value = String> {
    local_time().prop_map(|t| format!("{}Z", t.replace(' ', "T")))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        "[a-z 张三]{0,8}",
        ".{0,6}"
    ]
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::weighted(0.8, s)
}

fn put(map: &mut serde_json::Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        map.insert(k.to_owned(), v);
    }
}

prop_compose! {
    fn detail_meeting()(
        uuid in opt(text()), host in opt(text()), topic in opt(text()),
        start in opt(local_time()), end in opt(local_time()), duration in opt(any::<u64>()),
        people in proptest::collection::vec((opt(text()), opt(local_time()), opt(local_time())), 0..4),
        calls in proptest::collection::vec((opt(text()), opt(local_time()), opt(local_time()), opt(0u64..1000), opt(0.0f64..1e6)), 0..3),
    ) -> Value {
        let mut m = serde_json::Map::new();
        put(&mut m, "uuid", uuid.map(Value::from));
        put(&mut m, "host_id", host.map(Value::from));
        put(&mut m, "topic", topic.map(Value::from));
        put(&mut m, "start_time", start.map(Value::from));
        put(&mut m, "end_time", end.map(Value::from));
        put(&mut m, "duration", duration.map(Value::from));
        let people: Vec<Value> = people.into_iter().map(|(n, j, l)| {
            let mut p = serde_json::Map::new();
            put(&mut p, "name", n.map(Value::from));
            put(&mut p, "join_time", j.map(Value::from));
            put(&mut p, "leave_time", l.map(Value::from));
            Value::Object(p)
        }).collect();
        m.insert("participants".into(), Value::Array(people));
        let calls: Vec<Value> = calls.into_iter().map(|(n, s, e, d, t)| {
            let mut p = serde_json::Map::new();
            put(&mut p, "phone_number", n.map(Value::from));
            put(&mut p, "start_time", s.map(Value::from));
            put(&mut p, "end_time", e.map(Value::from));
            put(&mut p, "duration", d.map(Value::from));
            put(&mut p, "total", t.map(|t| json!((t * 100.0).round() / 100.0)));
            Value::Object(p)
        }).collect();
        m.insert("telephony_usage".into(), Value::Array(calls));
        json!({"status": 200, "message": "OK", "data": {"meetings": [Value::Object(m)]}})
    }
}

prop_compose! {
    fn report()(
        uuid in opt(text()), id in opt(any::<u32>()), host in opt(text()),
        start in opt(utc_time()), end in opt(utc_time()), duration in opt(text()),
        count in opt(0u64..5),
        people in proptest::collection::vec((opt(text()), opt(utc_time()), opt(utc_time())), 0..4),
    ) -> Value {
        let mut m = serde_json::Map::new();
        put(&mut m, "uuid", uuid.map(Value::from));
        put(&mut m, "id", id.map(Value::from));
        put(&mut m, "host", host.map(Value::from));
        put(&mut m, "start_time", start.map(Value::from));
        put(&mut m, "end_time", end.map(Value::from));
        put(&mut m, "duration", duration.map(Value::from));
        put(&mut m, "participants_count", count.map(Value::from));
        let people: Vec<Value> = people.into_iter().map(|(n, j, l)| {
            let mut p = serde_json::Map::new();
            put(&mut p, "user_name", n.map(Value::from));
            put(&mut p, "join_time", j.map(Value::from));
            put(&mut p, "leave_time", l.map(Value::from));
            Value::Object(p)
        }).collect();
        m.insert("participants".into(), Value::Array(people));
        json!({"status": 200, "message": "OK", "data": [Value::Object(m)]})
    }
}

prop_compose! {
    fn dashboard()(
        id in opt(text()), start in opt(any::<i64>()), stop in opt(prop_oneof![Just(0i64), any::<i64>(), 1_700_000_000i64..1_800_000_000]),
        status in opt(any::<i64>()), counts in proptest::collection::vec(opt(any::<i64>()), 7),
        secure in opt(any::<bool>()),
    ) -> Value {
        let mut m = serde_json::Map::new();
        put(&mut m, "tempConferenceId", id.map(Value::from));
        put(&mut m, "startTime", start.map(Value::from));
        put(&mut m, "stopTime", stop.map(Value::from));
        put(&mut m, "status", status.map(Value::from));
        for (k, c) in ["attendeeCnt", "voipCnt", "pstnCnt", "videoCnt", "desktopCnt", "mcuCnt", "boxCnt"].iter().zip(counts) {
            put(&mut m, k, c.map(Value::from));
        }
        put(&mut m, "isSecureConf", secure.map(Value::from));
        json!({"status": 0, "result": Value::Object(m)})
    }
}

fn check(meetings: &[Meeting]) -> Result<(), TestCaseError> {
    for m in meetings {
        if let (Some(s), Some(e), Some(d)) = (m.start, m.end, m.duration_seconds) {
            prop_assert_eq!(i64::try_from(d).unwrap(), (e - s).num_seconds());
        }
        if m.duration_seconds.is_some() {
            prop_assert!(m.end.unwrap() >= m.start.unwrap());
        }
        for p in &m.participants {
            if let Some(d) = p.duration_seconds {
                prop_assert_eq!(
                    i64::try_from(d).unwrap(),
                    (p.leave.unwrap() - p.join.unwrap()).num_seconds()
                );
            }
        }
        let json = serde_json::to_string(m).unwrap();
        let back: Meeting = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, m);
        let schema_errors = meeting_core::json_schema::validate(
            &meeting_core::json_schema::meeting_schema(),
            &serde_json::to_value(m).unwrap(),
        );
        prop_assert!(schema_errors.is_empty(), "{:?}", schema_errors);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn detail_never_panics(doc in detail_meeting(), ny in any::<bool>()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        let ctx = if ny { Context::new(chrono_tz::America::New_York) } else { Context::default() };
        if let Ok(resp) = systec_model::detail::parse_response(&bytes) {
            check(&resp.normalize(&ctx))?;
        }
    }

    /// `merge` of one record (its own path: no map of keys) settles it as the
    /// `Merger` does.
    #[test]
    fn one_record_merges_as_the_merger_merges_it(doc in detail_meeting(), report_doc in report()) {
        let mut records = Vec::new();
        if let Ok(resp) = systec_model::detail::parse_response(&serde_json::to_vec(&doc).unwrap()) {
            records.extend(resp.normalize(&Context::default()));
        }
        if let Ok(resp) = systec_model::reports::parse_response(&serde_json::to_vec(&report_doc).unwrap()) {
            records.extend(resp.normalize(&Context::default()));
        }
        for m in records {
            let mut merger = meeting_core::merge::Merger::new();
            merger.push(m.clone());
            prop_assert_eq!(meeting_core::merge::merge([m]), merger.finish());
        }
    }

    #[test]
    fn reports_never_panic(doc in report()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(resp) = systec_model::reports::parse_response(&bytes) {
            let ms = resp.normalize(&Context::default());
            check(&ms)?;
            check(&meeting_core::merge::merge(ms))?;
        }
    }

    #[test]
    fn dashboard_never_panics(doc in dashboard()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        if let Ok(resp) = quanshi_model::dashboard_conference_info::parse_response(&bytes) {
            check(&resp.normalize(&Context::default()))?;
        }
    }

    #[test]
    fn dump_reader_never_panics(bytes in proptest::collection::vec(prop_oneof![Just(b'{'), Just(b'}'), Just(b'"'), Just(b'\\'), Just(b'\n'), Just(b'['), Just(b']'), Just(b','), any::<u8>()], 0..200)) {
        let mut reader = meeting_core::read_dump(&bytes[..], meeting_core::DumpOptions::default());
        let n = reader.by_ref().count() as u64;
        let stats = reader.stats();
        prop_assert_eq!(n, stats.meetings + stats.bad_documents);
    }
}
