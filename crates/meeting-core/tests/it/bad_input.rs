//! Bad input (issue #9): every file of `fixtures/bad/` through `read_dump` gives errors only
//! (or, for the `good-*` files, exactly the documented meetings), never panics, and every
//! error is located and clearly worded (snapshots); deep and huge inputs are bounded;
//! properties over arbitrary bytes, arbitrary JSON and mutated vendor fixtures.

use crate::common::{json_files, root};
use meeting_core::{
    Context, DumpError, DumpErrorKind, DumpOptions, DumpStats, Meeting, Normalize, Source,
    read_dump,
};
use meeting_wire::DecodeErrorKind;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Files of `fixtures/bad/` that are not inputs.
const NOT_INPUTS: &[&str] = &["README.md", "generate.py"];

/// The `good-*` files, and the `partial-*` ones (good documents, then a cut): (name, documents, meetings, bad documents) expected.
const GOOD: &[(&str, u64, u64, u64)] = &[
    // The hisMeeting sample (3 occurrences), pretty-printed, after a UTF-8 BOM.
    ("good-bom-before-dump.json", 1, 3, 0),
    // detail (1), dashboard (1), reports (report + stub), join link (1), hisMeeting (1).
    ("good-mixed-vendors.jsonl", 5, 6, 0),
    // 5 good documents (6 meetings) and 7 bad lines; the blank line is no document.
    ("good-mixed-with-bad-lines.jsonl", 12, 6, 7),
    // Three dashboard bodies in an array without `]`, then the "truncated input" error.
    ("partial-array-unclosed.json", 4, 3, 1),
    // The same, compact, with a trailing comma before the end.
    ("partial-array-trailing-comma.json", 4, 3, 1),
    // One dashboard line, then NUL bytes: one "binary data" error, and reading stops.
    ("partial-nul-after-document.jsonl", 2, 1, 1),
];

fn bad_dir() -> PathBuf {
    root().join("fixtures/bad")
}

/// Every input file of `fixtures/bad/` (recursively), sorted, as (relative name, bytes).
fn inputs() -> Vec<(String, Vec<u8>)> {
    let base = bad_dir();
    let mut out = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if !NOT_INPUTS.contains(&name.as_str()) {
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(
        out.len() >= 30,
        "the bad corpus is missing: {}",
        base.display()
    );
    out
}

fn is_good(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.starts_with("good-") || base.starts_with("partial-")
}

struct Read {
    meetings: Vec<Meeting>,
    errors: Vec<DumpError>,
    stats: DumpStats,
}

fn read(bytes: &[u8], options: DumpOptions) -> Read {
    let mut reader = read_dump(bytes, options);
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(m) => meetings.push(m),
            Err(e) => errors.push(e),
        }
    }
    Read {
        meetings,
        errors,
        stats: reader.stats(),
    }
}

/// Every error is located and says what went wrong; JSON errors name a path, and a line and
/// column when the JSON itself is broken.
fn check_error(name: &str, e: &DumpError, stats: &DumpStats) {
    let text = e.to_string();
    let pos = e.position();
    assert!(
        pos.document >= 1 && pos.document <= stats.documents,
        "{name}: {text}"
    );
    // Every error has a position, an I/O failure part-way included
    // (`io_error_position_points_into_the_input`).
    assert!(pos.line >= 1, "{name}: {text}");
    let prefix = format!("{pos}: ");
    assert!(text.starts_with(&prefix), "{name}: {text}");
    let message = &text[prefix.len()..];
    assert!(message.trim().len() > 10, "{name}: {text}");
    if let Some(de) = e.decode_error() {
        assert!(
            message.contains(" at `") || message.contains(" at the top level"),
            "{name}: a JSON error without a path: {text}"
        );
        if matches!(de.kind(), DecodeErrorKind::Syntax | DecodeErrorKind::Eof) {
            assert!(
                de.line() >= 1 && de.column() >= 1,
                "{name}: a syntax error without line and column: {text}"
            );
            assert!(message.contains("(line "), "{name}: {text}");
        }
    }
}

/// The snapshot of one file: its counts, its meetings' keys and every error's message.
fn render(r: &Read) -> String {
    let mut out = format!(
        "documents: {}, meetings: {}, bad documents: {}\n",
        r.stats.documents, r.stats.meetings, r.stats.bad_documents
    );
    for m in &r.meetings {
        out.push_str(&format!("meeting {}\n", m.key));
    }
    for e in &r.errors {
        out.push_str(&format!("{e}\n"));
    }
    out
}

#[test]
fn every_bad_file_gives_located_errors_only() {
    for (name, bytes) in inputs() {
        let r = read(&bytes, DumpOptions::default());
        assert_eq!(r.stats.meetings, r.meetings.len() as u64, "{name}");
        assert_eq!(r.stats.bad_documents, r.errors.len() as u64, "{name}");
        for e in &r.errors {
            check_error(&name, e, &r.stats);
        }
        if is_good(&name) {
            let &(_, documents, meetings, bad) = GOOD
                .iter()
                .find(|g| g.0 == name)
                .unwrap_or_else(|| panic!("{name}: a good file needs its counts in GOOD"));
            assert_eq!(
                (r.stats.documents, r.stats.meetings, r.stats.bad_documents),
                (documents, meetings, bad),
                "{name}: {}",
                render(&r)
            );
        } else {
            assert!(
                r.meetings.is_empty(),
                "{name} gave meetings: {}",
                render(&r)
            );
            // Empty and blank input is no document at all; anything else is reported.
            let blank = meeting_wire::strip_bom(&bytes)
                .iter()
                .all(u8::is_ascii_whitespace);
            assert_eq!(r.errors.is_empty(), blank, "{name}: {}", render(&r));
        }
        let snapshot = name.replace(['/', '.'], "_");
        insta::assert_snapshot!(snapshot, render(&r));
    }
}

#[test]
fn every_bad_file_is_listed_in_the_readme() {
    let readme = std::fs::read_to_string(bad_dir().join("README.md")).unwrap();
    for (name, _) in inputs() {
        assert!(
            readme.contains(&format!("`{name}`")),
            "{name} is not described in fixtures/bad/README.md"
        );
    }
}

#[test]
fn every_bad_file_is_an_error_whatever_the_endpoint() {
    // Forcing the endpoint skips the shape detection: the parsers themselves must refuse.
    for source in Source::ALL {
        for (name, bytes) in inputs() {
            if is_good(&name) {
                continue;
            }
            let r = read(&bytes, DumpOptions::default().endpoint(source));
            assert!(
                r.meetings.is_empty(),
                "{name} as {source:?}: {}",
                render(&r)
            );
            for e in &r.errors {
                check_error(&name, e, &r.stats);
            }
        }
    }
}

#[test]
fn mixed_file_keeps_every_good_document_in_order() {
    let bytes = std::fs::read(bad_dir().join("good-mixed-with-bad-lines.jsonl")).unwrap();
    let r = read(&bytes, DumpOptions::default());
    let keys: Vec<&str> = r.meetings.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "systec:dgvOvqWVRUWjrEOS2YI2ig==", // line 1, detail
            "quanshi:temp:56039682",           // line 3, dashboard
            "systec:xQi0Q/qxQr2iNGdamVfpGg==", // line 6, reports: a report ...
            "systec:stub:1579334441",          // ... and a stub
            "quanshi:conference:1165158",      // line 11, join link
            "systec:jny6Sttx8NitKXw==",        // line 13, hisMeeting
        ]
    );
    // Bad documents are the lines 2, 4, 5, 7, 8, 10 (after the blank line 9) and 12.
    let lines: Vec<u64> = r.errors.iter().map(|e| e.position().line).collect();
    assert_eq!(lines, [2, 4, 5, 7, 8, 10, 12]);
    let documents: Vec<u64> = r.errors.iter().map(|e| e.position().document).collect();
    assert_eq!(documents, [2, 4, 5, 7, 8, 9, 11]);
    assert_eq!(
        (r.stats.documents, r.stats.meetings, r.stats.bad_documents),
        (12, 6, 7)
    );
}

/// `depth` nested arrays, as a JSON value's text.
fn nested(depth: usize) -> String {
    let mut s = "[".repeat(depth);
    s.push_str(&"]".repeat(depth));
    s
}

#[test]
fn deep_nesting_is_an_error_everywhere_not_a_stack_overflow() {
    // Far beyond serde_json's recursion limit (128): each must be one located error.
    let deep = nested(200_000);
    let docs = [
        format!(r#"{{"status":200,"message":"OK","data":{deep}}}"#),
        format!(r#"{{"status":200,"message":"OK","data":{{"meetings":{deep}}}}}"#),
        format!(r#"{{"status":200,"message":"OK","data":{{"meetings":[]}},"x":{deep}}}"#),
        format!(r#"{{"status":0,"result":{deep}}}"#),
        format!(r#"{{"status":0,"result":{{"tempConferenceId":"1","x":{deep}}}}}"#),
        format!(r#"{{"schema_version":1,"key":{deep}}}"#),
        format!(
            r#"{{"saved_response":1,"endpoint":"systec.detail","fetched_at":"2026-11-22T01:02:03Z","http_status":200,"body":{{"status":200,"data":{deep}}}}}"#
        ),
        format!(r#"{{"hello":{deep}}}"#),
        format!("{{{deep}}}"),
        format!("{}{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
    ];
    for doc in &docs {
        let r = read(doc.as_bytes(), DumpOptions::default());
        assert!(r.meetings.is_empty());
        assert_eq!(r.errors.len(), 1, "{}", render(&r));
        check_error("deep", &r.errors[0], &r.stats);
        // The same bytes straight into every parser.
        let b = doc.as_bytes();
        assert!(systec_model::detail::parse_response(b).is_err());
        assert!(systec_model::reports::parse_response(b).is_err());
        assert!(systec_model::his_meeting::parse_response(b).is_err());
        assert!(quanshi_model::conference_by_join_url::parse_response(b).is_err());
        assert!(quanshi_model::dashboard_conference_info::parse_response(b).is_err());
    }
    // Where the parser reaches the nesting, the message says why.
    let r = read(docs[2].as_bytes(), DumpOptions::default());
    assert!(
        r.errors[0].to_string().contains("recursion limit exceeded"),
        "{}",
        r.errors[0]
    );
}

#[test]
fn huge_inputs_are_bounded() {
    // A 4 MB string value, a 1 MB number and a million-element array in one JSON Lines
    // file: each document is parsed on its own, the limit skips the oversized one and
    // reading goes on.
    let long_string = format!(
        r#"{{"status":0,"result":{{"tempConferenceId":"{}"}}}}"#,
        "x".repeat(4 << 20)
    );
    let long_number = format!(
        r#"{{"status":0,"result":{{"tempConferenceId":"1","confDuration":{}}}}}"#,
        "9".repeat(1 << 20)
    );
    let long_array = format!(
        r#"{{"status":200,"message":"OK","data":{{"meetings":[{}1]}}}}"#,
        "1,".repeat(1 << 20)
    );
    let input = [
        long_string.as_str(),
        &long_number,
        &long_array,
        r#"{"status":0,"result":{"tempConferenceId":"ok"}}"#,
    ]
    .join("\n");
    let r = read(
        input.as_bytes(),
        DumpOptions::default().max_document_bytes(3 << 20),
    );
    let keys: Vec<&str> = r.meetings.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["quanshi:temp:ok"]);
    let text = render(&r);
    assert_eq!(r.errors.len(), 3, "{text}");
    assert!(
        matches!(r.errors[0].kind(), DumpErrorKind::TooLarge { .. }),
        "{text}"
    );
    assert!(text.contains("number out of range"), "{text}");
    assert!(text.contains("data.meetings[0]"), "{text}");
    for e in &r.errors {
        check_error("huge", e, &r.stats);
    }
}

/// A gzip stream of `text`, cut to `keep` of its bytes.
fn gzip_cut(text: &str, keep: impl Fn(usize) -> usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(text.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let n = keep(gz.len());
    gz[..n].to_vec()
}

#[test]
fn truncated_gzip_keeps_what_came_before_the_cut() {
    let lines: String = (0..200)
        .map(|i| format!("{{\"status\":0,\"result\":{{\"tempConferenceId\":\"{i}\",\"title\":\"会议 {i} 的标题\"}}}}\n"))
        .collect();
    let cut = gzip_cut(&lines, |n| n * 2 / 3);
    let r = read(&cut, DumpOptions::default());
    // Some meetings, in order, then one I/O error; nothing after it.
    assert!(
        !r.meetings.is_empty() && r.meetings.len() < 200,
        "{}",
        render(&r)
    );
    for (i, m) in r.meetings.iter().enumerate() {
        assert_eq!(m.key, format!("quanshi:temp:{i}"));
    }
    assert_eq!(r.errors.len(), 1, "{}", render(&r));
    assert!(
        matches!(r.errors[0].kind(), DumpErrorKind::Io(_)),
        "{}",
        r.errors[0]
    );
    assert_eq!(r.errors[0].position().document, r.stats.documents);
}

#[test]
fn io_error_position_points_into_the_input() {
    let lines: String = (0..200)
        .map(|i| format!("{{\"status\":0,\"result\":{{\"tempConferenceId\":\"{i}\"}}}}\n"))
        .collect();
    let cut = gzip_cut(&lines, |n| n * 2 / 3);
    let r = read(&cut, DumpOptions::default());
    let e = &r.errors[0];
    let n = r.meetings.len() as u64;
    assert!(e.position().line > n, "{e}");
    assert!(e.position().byte_offset > 0, "{e}");
}

// ---------------------------------------------------------------------------------------
// Properties.

/// Keys of both vendors' bodies, so arbitrary objects hit the typed fields.
const KEYS: &[&str] = &[
    "status",
    "message",
    "msg",
    "data",
    "meetings",
    "result",
    "error",
    "code",
    "uuid",
    "id",
    "meeting_id",
    "host",
    "host_id",
    "email",
    "type",
    "topic",
    "start_time",
    "end_time",
    "duration",
    "participants",
    "participants_count",
    "page_size",
    "has_next_page",
    "telephony_usage",
    "phone_number",
    "total",
    "join_time",
    "leave_time",
    "user_name",
    "is_extra",
    "tempConferenceId",
    "conferenceId",
    "startTime",
    "endTime",
    "stopTime",
    "length",
    "timezone",
    "attendList",
    "userType",
    "confMode",
    "isRecord",
    "attendeeCnt",
    "voipCnt",
    "calExtraInfo",
    "labels",
    "pcode2",
    "request_id",
    "reqid",
    "schema_version",
    "saved_response",
    "endpoint",
    "body",
    "body_text",
    "http_status",
    "x",
];

/// Strings the parsers give meaning to, and their edges.
const STRINGS: &[&str] = &[
    "",
    " ",
    "OK",
    "0",
    "1",
    "-1",
    "Past Meeting",
    "call-out",
    "6分钟",
    "1小时5分钟",
    "30秒",
    "18446744073709551615分钟",
    "4 mins",
    "2018-05-08T02:32:34Z",
    "2017-08-31 00:00:00",
    "2017-8-31",
    "9999-12-31 23:59:59",
    "0000-01-01 00:00:00",
    "2024-03-10 02:30:00",
    "2024-11-03 01:30:00",
    "+262143-12-31T23:59:59Z",
    "Asia/Shanghai",
    "America/New_York",
    "Mars/Olympus",
    "[]",
    "[\"a\"]",
    "[{",
    "{}",
    "systec.detail",
    "quanshi.dashboard",
    "68.5ms",
    "W",
    "A",
    "R",
    "E",
    "M",
    "\u{feff}",
    "张三 ",
    "a\u{0}b",
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
            200,
            401,
            1_715_600_000,
            253_402_300_799,
            8_210_298_412_799,
            i64::MAX,
            i64::MIN,
        ])
        .prop_map(Value::from),
        prop::num::f64::NORMAL.prop_map(Value::from),
        prop::sample::select(vec![
            0.12,
            0.005,
            -0.01,
            1e20,
            1e-20,
            79_228_162_514_264_337_593_543_950_335.0
        ])
        .prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
    ]
}

/// Arbitrary JSON with the vendors' key names mixed in.
fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![4 => prop::sample::select(KEYS).prop_map(str::to_owned), 1 => "[a-z]{1,4}"],
                    inner
                ),
                0..7
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An arbitrary document, often inside one of the vendors' envelopes.
fn arb_document() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_json(),
        arb_json().prop_map(|d| json!({"status": 200, "message": "OK", "data": d})),
        arb_json().prop_map(|m| json!({"status": 200, "message": "OK", "data": {"meetings": [m]}})),
        prop::collection::vec(arb_json(), 0..3)
            .prop_map(|l| json!({"status": 200, "message": "OK", "data": l})),
        arb_json().prop_map(|r| json!({"status": 0, "msg": "success", "result": r})),
        prop::collection::vec(arb_json(), 0..3).prop_map(|l| json!({"status": 0, "result": l})),
        (leaf(), arb_json()).prop_map(|(s, d)| json!({"status": s, "data": d, "result": d})),
    ]
}

/// The vendor fixtures that parse, as JSON values, for mutation.
fn fixtures() -> &'static [Value] {
    static CELL: OnceLock<Vec<Value>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut out = Vec::new();
        for vendor in ["systec", "quanshi"] {
            for path in json_files(&root().join("fixtures").join(vendor)) {
                let bytes = std::fs::read(&path).unwrap();
                if let Ok(v) = serde_json::from_slice::<Value>(meeting_wire::strip_bom(&bytes))
                    && v.get("status").is_some()
                {
                    out.push(v);
                }
            }
        }
        assert!(out.len() > 30);
        out
    })
}

/// Replaces the `n`-th node (pre-order, modulo the count) of `v` by `with`.
fn replace_nth(v: &mut Value, n: usize, with: Value) {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(o) => o.values().map(count).sum(),
            _ => 0,
        }
    }
    fn go(v: &mut Value, n: &mut usize, with: &mut Option<Value>) {
        if *n == 0 {
            if let Some(w) = with.take() {
                *v = w;
            }
            return;
        }
        *n -= 1;
        match v {
            Value::Array(a) => a.iter_mut().for_each(|x| go(x, n, with)),
            Value::Object(o) => o.values_mut().for_each(|x| go(x, n, with)),
            _ => {}
        }
    }
    let mut n = n % count(v);
    go(v, &mut n, &mut Some(with));
}

/// A vendor fixture with one value replaced by arbitrary JSON.
fn arb_mutated_fixture() -> impl Strategy<Value = Value> {
    (any::<prop::sample::Index>(), any::<usize>(), arb_json()).prop_map(|(i, n, with)| {
        let mut v = i.get(fixtures()).clone();
        replace_nth(&mut v, n, with);
        v
    })
}

/// Normalised meetings are sound: they serialise and read back as the same value, and
/// merging them does not panic.
fn check_meetings(meetings: Vec<Meeting>) -> Result<(), TestCaseError> {
    for m in &meetings {
        let text = serde_json::to_string(m).unwrap();
        let back: Meeting = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, m);
        // A measured duration is end − start; only Quanshi's `confDuration` gives one
        // without both times.
        if let Some(d) = m.duration_seconds {
            match (m.start, m.end) {
                (Some(s), Some(e)) if e >= s => {
                    prop_assert_eq!(i64::try_from(d).ok(), Some((e - s).num_seconds()));
                }
                _ => prop_assert_eq!(m.sources.as_slice(), &[Source::QuanshiDashboard]),
            }
        }
    }
    let _ = meeting_core::merge::merge(meetings);
    Ok(())
}

/// Every parser over `bytes`, and whatever parses normalised; none may panic. Only `detail`
/// has zone-less times, so only it is also normalised in a zone with DST.
fn feed_parsers(bytes: &[u8]) -> Result<(), TestCaseError> {
    let ctx = Context::default();
    if let Ok(r) = systec_model::detail::parse_response(bytes) {
        check_meetings(r.clone().normalize(&ctx))?;
        check_meetings(r.normalize(&Context::new(chrono_tz::America::New_York)))?;
    }
    if let Ok(r) = systec_model::reports::parse_response(bytes) {
        check_meetings(r.normalize(&ctx))?;
    }
    if let Ok(r) = systec_model::his_meeting::parse_response(bytes) {
        check_meetings(r.normalize(&ctx))?;
    }
    if let Ok(r) = quanshi_model::conference_by_join_url::parse_response(bytes) {
        check_meetings(r.normalize(&ctx))?;
    }
    if let Ok(r) = quanshi_model::dashboard_conference_info::parse_response(bytes) {
        check_meetings(r.normalize(&ctx))?;
    }
    Ok(())
}

/// `bytes` as a dump; none may panic, the counts add up.
fn feed_dump(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut reader = read_dump(bytes, DumpOptions::default());
    let mut meetings = Vec::new();
    let mut errors = 0u64;
    for item in reader.by_ref() {
        match item {
            Ok(m) => meetings.push(m),
            Err(e) => {
                errors += 1;
                prop_assert!(e.position().document >= 1);
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }
    let stats = reader.stats();
    prop_assert_eq!(stats.meetings, meetings.len() as u64);
    prop_assert_eq!(stats.bad_documents, errors);
    prop_assert!(stats.bad_documents <= stats.documents);
    check_meetings(meetings)
}

/// Bytes that look a little like JSON more often than uniform bytes would.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<u8>(),
            2 => prop::sample::select(b"{}[]\",:\n \\0123456789.eE-tfnul\xef\xbb\xbf".to_vec()),
        ],
        0..300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in arb_bytes(), gz in any::<bool>()) {
        if gz {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            feed_dump(&gzip_cut(&text, |n| n))?;
        } else {
            feed_parsers(&bytes)?;
            feed_dump(&bytes)?;
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(doc in arb_mutated_fixture()) {
        let bytes = serde_json::to_vec(&doc).unwrap();
        feed_parsers(&bytes)?;
        feed_dump(&bytes)?;
    }

    #[test]
    fn arbitrary_json_never_panics(docs in prop::collection::vec(arb_document(), 1..4), pretty in any::<bool>()) {
        let texts: Vec<String> = docs
            .iter()
            .map(|d| if pretty { serde_json::to_string_pretty(d) } else { serde_json::to_string(d) }.unwrap())
            .collect();
        for t in &texts {
            feed_parsers(t.as_bytes())?;
        }
        // All of them as one dump.
        feed_dump(texts.join("\n").as_bytes())?;
    }
}

/// An endless input of one repeated byte that counts how much was read.
struct Endless {
    byte: u8,
    read: u64,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(self.byte);
        self.read += buf.len() as u64;
        Ok(buf.len())
    }
}

/// `prefix`, then `byte` forever; reading must end with an error after a bounded amount.
fn read_endless(prefix: &[u8], byte: u8) -> (Read, u64) {
    let mut tail = Endless { byte, read: 0 };
    let mut reader = read_dump(
        std::io::Read::chain(prefix, &mut tail),
        DumpOptions::default(),
    );
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(m) => meetings.push(m),
            Err(e) => errors.push(e),
        }
    }
    let stats = reader.stats();
    drop(reader);
    (
        Read {
            meetings,
            errors,
            stats,
        },
        tail.read,
    )
}

#[test]
fn endless_binary_input_ends_with_an_error_after_a_bounded_read() {
    // `meeting parse /dev/zero`: fails at once.
    let (r, read) = read_endless(b"", 0);
    assert_eq!(r.errors.len(), 1, "{}", render(&r));
    assert!(
        matches!(r.errors[0].kind(), DumpErrorKind::NotJson { .. }),
        "{}",
        r.errors[0]
    );
    assert!(
        r.errors[0].to_string().contains("\\u{0}"),
        "{}",
        r.errors[0]
    );
    assert!(read <= 1 << 20, "read {read} bytes");

    // Good lines, then zeros: the meetings, then one "binary data" error.
    let line = b"{\"status\":0,\"result\":{\"tempConferenceId\":\"1\"}}\n";
    let (r, read) = read_endless(line, 0);
    assert_eq!(r.meetings.len(), 1, "{}", render(&r));
    assert_eq!(r.errors.len(), 1, "{}", render(&r));
    assert!(
        matches!(r.errors[0].kind(), DumpErrorKind::Binary { .. }),
        "{}",
        r.errors[0]
    );
    assert!(read <= 1 << 20, "read {read} bytes");

    // Text without a line end, forever: bounded by the garbage-line limit.
    let (r, read) = read_endless(line, b'x');
    assert_eq!(r.meetings.len(), 1, "{}", render(&r));
    assert!(
        matches!(
            r.errors.last().unwrap().kind(),
            DumpErrorKind::Binary { .. }
        ),
        "{}",
        render(&r)
    );
    assert!(read <= 1 << 20, "read {read} bytes");

    // An opened document, then zeros (in a stream and in JSON Lines): the NUL ends it.
    for prefix in [
        &b"{\"status\":0,"[..],
        b"{\"a\":1}{\"status\":0,",
        b"{\"a\":1}\n{\"b\":[1,",
    ] {
        let (r, read) = read_endless(prefix, 0);
        assert!(!r.errors.is_empty(), "{}", render(&r));
        assert!(read <= 1 << 20, "read {read} bytes");
        for e in &r.errors {
            check_error("endless", e, &r.stats);
        }
    }
}

#[test]
fn an_unclosed_array_is_reported_after_its_documents() {
    let doc = r#"{"status":0,"result":{"tempConferenceId":"1"}}"#;
    for (input, meetings) in [
        (format!("[{doc},{doc},{doc}"), 3),
        (format!("[{doc},{doc},{doc},"), 3),
        (format!("[{doc},\n{doc},\n{doc},\n  \n"), 3),
        (String::from("["), 0),
        (format!("\u{feff}[ {doc} , "), 1),
    ] {
        let r = read(input.as_bytes(), DumpOptions::default());
        assert_eq!(r.meetings.len(), meetings, "{input}: {}", render(&r));
        assert_eq!(r.errors.len(), 1, "{input}: {}", render(&r));
        assert!(
            matches!(r.errors[0].kind(), DumpErrorKind::UnclosedArray),
            "{}",
            r.errors[0]
        );
        check_error("unclosed", &r.errors[0], &r.stats);
        assert_eq!(r.errors[0].position().byte_offset, input.len() as u64);
    }
    // Closed arrays, and an array cut inside its last document (reported once).
    for (input, meetings, errors) in [
        (format!("[{doc},{doc}]"), 2, 0),
        (format!("[{doc},{doc}]\n[{doc}]"), 3, 0),
        (String::from("[]"), 0, 0),
        (format!("[{doc},{}", &doc[..20]), 1, 1),
    ] {
        let r = read(input.as_bytes(), DumpOptions::default());
        assert_eq!(
            (r.meetings.len(), r.errors.len()),
            (meetings, errors),
            "{input}: {}",
            render(&r)
        );
    }
}
