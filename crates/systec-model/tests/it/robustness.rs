//! Robustness (issue #9): every bad input of `fixtures/bad/` is an `Err` with a message from
//! each endpoint's parser, and no bytes or JSON make a parser panic; whatever parses
//! serialises back to the same JSON value (the crate's lossless promise).

use proptest::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use systec_model::{Error, detail, his_meeting, reports};

/// `fixtures/bad/` of the workspace.
fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad")
}

/// Every bad input file (not the `good-*` ones, the README or the generator), sorted.
fn bad_inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(bad_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_file()
            && !name.starts_with("good-")
            && name != "README.md"
            && name != "generate.py"
        {
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    assert!(out.len() >= 25, "the bad corpus is missing");
    out
}

/// The three endpoints' results over `bytes`, rendered (`Ok` as its JSON).
fn parse_all(bytes: &[u8]) -> [(&'static str, Result<Value, Error>); 3] {
    fn ser<T: Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
        r.map(|v| serde_json::to_value(&v).unwrap())
    }
    [
        ("reports", ser(reports::parse_response(bytes))),
        ("detail", ser(detail::parse_response(bytes))),
        ("hisMeeting", ser(his_meeting::parse_response(bytes))),
    ]
}

#[test]
fn every_bad_file_is_an_error_of_every_endpoint() {
    for (name, bytes) in bad_inputs() {
        for (endpoint, result) in parse_all(&bytes) {
            match result {
                Ok(v) => panic!("{name} parsed as {endpoint}: {v}"),
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.len() > 20, "{name} as {endpoint}: {text}");
                    if let Error::Decode { error, .. } = &e {
                        assert!(!error.message().is_empty(), "{name} as {endpoint}: {text}");
                    }
                }
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut recursion_errors = 0;
    let mut texts = Vec::new();
    for doc in [
        format!(r#"{{"status":200,"message":"OK","data":{deep}}}"#),
        format!(r#"{{"status":200,"message":"OK","data":{{"meetings":{deep}}}}}"#),
        format!(r#"{{"status":200,"message":"OK","data":[{{"uuid":"a","x":{deep}}}]}}"#),
        format!(r#"{{"status":401,"message":"no","data":{deep}}}"#),
        format!(r#"{{"error":{deep}}}"#),
    ] {
        for (endpoint, result) in parse_all(doc.as_bytes()) {
            // Some fail on the outer type first; the others at serde_json's limit.
            let text = result.unwrap_err().to_string();
            assert!(text.len() > 20, "{endpoint}: {text}");
            if text.contains("recursion limit exceeded") {
                recursion_errors += 1;
            }
            texts.push(text);
        }
    }
    assert!(recursion_errors >= 3, "{texts:#?}");
}

const KEYS: &[&str] = &[
    "status",
    "message",
    "data",
    "error",
    "code",
    "meetings",
    "uuid",
    "id",
    "meeting_id",
    "host",
    "host_id",
    "email",
    "type",
    "topic",
    "user_type",
    "start_time",
    "end_time",
    "duration",
    "participants",
    "participants_count",
    "page_count",
    "page_number",
    "page_size",
    "total_record",
    "total_page",
    "has_next_page",
    "has_previous_page",
    "from",
    "to",
    "is_extra",
    "telephony_usage",
    "phone_number",
    "total",
    "join_time",
    "leave_time",
    "user_name",
    "device",
    "recording",
    "has_pstn",
    "x",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "OK",
    "0",
    "1",
    "Past Meeting",
    "call-out",
    "call-in",
    "6分钟",
    "1小时5分钟",
    "30秒",
    "1分30秒",
    "18446744073709551615分钟",
    "4 mins",
    "2018-05-08T02:32:34Z",
    "2018-05-08T02:32:34",
    "2017-08-31 00:00:00",
    "2017-8-31 0:00:00",
    "2017-8-31",
    "9999-12-31 23:59:59",
    "2017-02-30 00:00:00",
    "2017-08-31 24:00:00",
    "0.12",
    "限流",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![0i64, 1, -1, 2, 200, 401, 429, i64::MAX, i64::MIN])
            .prop_map(Value::from),
        prop::num::f64::ANY
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![0.12, 0.005, -0.01, 1e20, 1e-20, 7.9e28, 1e29])
            .prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        4 => prop::sample::select(KEYS).prop_map(str::to_owned),
                        1 => "[a-z_]{1,5}",
                    ],
                    inner
                ),
                0..7
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn arb_document() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_json(),
        arb_json().prop_map(|d| json!({"status": 200, "message": "OK", "data": d})),
        arb_json().prop_map(|m| json!({"status": 200, "data": {"meetings": [m]}})),
        prop::collection::vec(arb_json(), 0..3)
            .prop_map(|l| json!({"status": 200, "message": "OK", "data": l})),
        (leaf(), arb_json()).prop_map(|(s, d)| json!({"status": s, "message": d, "data": d})),
        arb_json().prop_map(|e| json!({"error": e})),
    ]
}

/// Every endpoint over `bytes`: no panic, and anything that parses serialises back to the
/// JSON value it was parsed from.
fn feed(bytes: &[u8]) -> Result<(), TestCaseError> {
    let input: Option<Value> = serde_json::from_slice(meeting_wire::strip_bom(bytes)).ok();
    for (endpoint, result) in parse_all(bytes) {
        match result {
            Ok(v) => prop_assert_eq!(Some(&v), input.as_ref(), "{}", endpoint),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(
        prop_oneof![
            3 => any::<u8>(),
            2 => prop::sample::select(b"{}[]\",:\n 0123456789.eE-tfnul".to_vec()),
        ],
        0..300,
    )) {
        feed(&bytes)?;
    }

    #[test]
    fn arbitrary_json_never_panics(doc in arb_document(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_vec_pretty(&doc) } else { serde_json::to_vec(&doc) };
        feed(&text.unwrap())?;
    }
}
