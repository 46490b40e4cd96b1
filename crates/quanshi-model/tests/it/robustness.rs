//! Robustness (issue #9): every bad input of `fixtures/bad/` is an `Err` with a message from
//! both endpoints' parsers, and no bytes or JSON make a parser panic; whatever parses
//! serialises back to the same JSON value (the crate's lossless promise).

use proptest::prelude::*;
use quanshi_model::{Error, conference_by_join_url, dashboard_conference_info};
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

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

/// Both endpoints' results over `bytes`, rendered (`Ok` as its JSON).
fn parse_all(bytes: &[u8]) -> [(&'static str, Result<Value, Error>); 2] {
    fn ser<T: Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
        r.map(|v| serde_json::to_value(&v).unwrap())
    }
    [
        (
            "conference_by_join_url",
            ser(conference_by_join_url::parse_response(bytes)),
        ),
        (
            "dashboard_conference_info",
            ser(dashboard_conference_info::parse_response(bytes)),
        ),
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
        format!(r#"{{"status":0,"result":{deep}}}"#),
        format!(r#"{{"status":0,"result":[{{"attendList":{deep}}}]}}"#),
        format!(r#"{{"status":0,"result":{{"tempConferenceId":"1","x":{deep}}}}}"#),
        format!(r#"{{"status":40001,"msg":"no","result":{deep}}}"#),
        format!(r#"{{"status":0,"result":[],"timestamp":{deep}}}"#),
        format!(r#"{{"status":0,"result":[],"x":{deep}}}"#),
        format!(r#"{{"status":0,"result":[{{"calExtraInfo":{{"x":{deep}}}}}]}}"#),
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
    "msg",
    "result",
    "request_id",
    "reqid",
    "timestamp",
    "request_duration",
    "conferenceId",
    "tempConferenceId",
    "eventId",
    "title",
    "billingCode",
    "billingcode",
    "hostId",
    "hostName",
    "startTime",
    "endTime",
    "stopTime",
    "length",
    "confDuration",
    "confMode",
    "calType",
    "timezone",
    "joinLogin",
    "attendList",
    "user",
    "userType",
    "calExtraInfo",
    "labels",
    "eventWatchword",
    "houseList",
    "equipList",
    "detailHouseList",
    "DeviceType",
    "Location",
    "Floor",
    "IsMainRoom",
    "ApprovalStatus",
    "ApplyStatus",
    "SubDevices",
    "userProfile",
    "isSecureConf",
    "isRecord",
    "attendeeCnt",
    "voipCnt",
    "pcode1",
    "pcode2",
    "attendeeJoinUrl",
    "webRTCUrl",
    "CreateTime",
    "modifyTime",
    "x",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "success",
    "0",
    "1",
    "4",
    "W",
    "A",
    "R",
    "E",
    "M",
    "Asia/Shanghai",
    "Mars/Olympus",
    "[]",
    "[\"a\",\"b\"]",
    "[{",
    "{}",
    "null",
    "68.5ms",
    "1.5s",
    "-3ms",
    "1715600000",
    "9223372036854775807",
    "https://mtest.qsh1.cn/k/mkIW3Txa0Uk",
    "k/",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0i64,
            1,
            -1,
            2,
            4,
            40001,
            1_715_600_000,
            1_774_514_768_581,
            i64::MAX,
            i64::MIN
        ])
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
        arb_json().prop_map(|r| json!({"status": 0, "msg": "success", "result": r})),
        prop::collection::vec(arb_json(), 0..3).prop_map(|l| json!({"status": 0, "result": l})),
        arb_json().prop_map(|r| json!({"status": 0, "result": r.to_string()})),
        (leaf(), arb_json(), leaf())
            .prop_map(|(s, r, id)| json!({"status": s, "msg": r, "result": r, "reqid": id})),
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
