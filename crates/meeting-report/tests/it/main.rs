//! meeting-report over the vendors' documented samples.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod numbers;
mod pii;
mod report;
mod report_v2;

use std::path::PathBuf;

use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_core::query::merge_sorted;
use meeting_core::{DumpOptions, Meeting};
use meeting_report::{Format, RenderOptions, Rows, stream_inputs, write_aggregate, write_meetings};
use meeting_sync::inputs::{Input, read_input};

fn samples() -> Vec<Input> {
    [
        "systec/detail.sample.json",
        "systec/his-meeting.sample.json",
        "systec/reports.sample.json",
        "quanshi/conference-by-join-url.sample.json",
        "quanshi/dashboard-conference-info.sample.json",
    ]
    .iter()
    .map(|f| {
        Input::File(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(f))
    })
    .collect()
}

fn meetings() -> Vec<Meeting> {
    let options = DumpOptions::new();
    merge_sorted(
        samples()
            .iter()
            .flat_map(|i| read_input(i, &options).meetings)
            .collect(),
    )
}

/// Streaming with several jobs writes exactly the bytes one job writes, and the bytes of
/// the whole-list renderer.
#[test]
fn streamed_output_is_the_same_whatever_the_jobs() {
    let options = DumpOptions::new();
    for format in [Format::Jsonl, Format::Csv] {
        for rows in [Rows::Meetings, Rows::Participants, Rows::Calls] {
            let r = RenderOptions::new(format, chrono_tz::Asia::Shanghai).rows(rows);
            let mut outputs = Vec::new();
            for jobs in [1, 2, 4] {
                let mut out = Vec::new();
                let counts = stream_inputs(
                    &mut out,
                    &samples(),
                    &options,
                    &r,
                    &|_| true,
                    None,
                    jobs,
                    &mut |e| panic!("{e}"),
                )
                .unwrap()
                .unwrap();
                assert_eq!(counts.bad, 0);
                outputs.push(out);
            }
            assert!(
                outputs.windows(2).all(|w| w[0] == w[1]),
                "{format:?} {rows:?}"
            );
            let all: Vec<Meeting> = samples()
                .iter()
                .flat_map(|i| read_input(i, &options).meetings)
                .collect();
            let mut whole = Vec::new();
            write_meetings(&mut whole, &all, &r).unwrap();
            assert_eq!(outputs[0], whole, "{format:?} {rows:?}");
        }
    }
    let table = RenderOptions::new(Format::Table, chrono_tz::UTC);
    assert!(
        stream_inputs(
            &mut Vec::new(),
            &samples(),
            &options,
            &table,
            &|_| true,
            None,
            1,
            &mut |_| {}
        )
        .unwrap()
        .is_none()
    );
}

#[test]
fn aggregate_json_has_groups_and_an_exact_total() {
    let agg = Aggregate::compute(&meetings(), GroupBy::Day, chrono_tz::Asia::Shanghai);
    let mut out = Vec::new();
    write_aggregate(
        &mut out,
        &agg,
        &RenderOptions::new(Format::Json, chrono_tz::Asia::Shanghai),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["by"], "day");
    assert_eq!(v["tz"], "Asia/Shanghai");
    assert_eq!(v["total"]["group"], "TOTAL");
    let groups = v["groups"].as_array().unwrap();
    let sum: u64 = groups.iter().map(|g| g["meetings"].as_u64().unwrap()).sum();
    assert_eq!(v["total"]["meetings"].as_u64(), Some(sum));
    let mut csv = Vec::new();
    write_aggregate(
        &mut csv,
        &agg,
        &RenderOptions::new(Format::Csv, chrono_tz::Asia::Shanghai),
    )
    .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("day,meetings,measured_minutes,"), "{csv}");
    assert!(!csv.contains("TOTAL"), "CSV rows are the groups only");
}

#[test]
fn raw_bodies_are_verbatim_or_one_line_each() {
    let body = b"{\n  \"status\": 200,\n  \"data\": []\n}";
    let mut json = Vec::new();
    meeting_report::write_raw_bodies(&mut json, [&body[..]], Format::Json, None, false).unwrap();
    assert_eq!(json, [&body[..], b"\n"].concat());
    let mut lines = Vec::new();
    meeting_report::write_raw_bodies(
        &mut lines,
        [&body[..], b"not json"],
        Format::Jsonl,
        None,
        false,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(lines).unwrap(),
        "{\"data\":[],\"status\":200}\n\"not json\"\n"
    );
}

/// `--raw` never shows a meeting password or a host link unless asked.
#[test]
fn raw_bodies_hide_secrets_unless_asked() {
    let body = br#"{"result":[{"pcode1":"123456","hostJoinUrl":"https://q.example/h/1","extra":"{\"watchword\":\"abc\"}","topic":"t"}]}"#;
    let mut out = Vec::new();
    meeting_report::write_raw_bodies(&mut out, [&body[..]], Format::Jsonl, None, false).unwrap();
    let text = String::from_utf8(out).unwrap();
    for secret in ["123456", "q.example/h/1", "abc"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    assert!(
        text.contains("[redacted]") && text.contains("\"topic\":\"t\""),
        "{text}"
    );
    let mut shown = Vec::new();
    meeting_report::write_raw_bodies(&mut shown, [&body[..]], Format::Json, None, true).unwrap();
    assert_eq!(shown, [&body[..], b"\n"].concat());
}

/// CSV bound for a spreadsheet neutralises formulas in text cells, never in numbers.
#[test]
fn spreadsheet_csv_neutralises_formulas() {
    let mut m = Meeting::new(
        meeting_core::Vendor::Systec,
        meeting_core::Source::SystecHisMeeting,
        "systec:x",
    );
    m.topic = Some("=HYPERLINK(\"http://evil\")".into());
    let r = RenderOptions::new(Format::Csv, chrono_tz::UTC).spreadsheet(true);
    let mut out = Vec::new();
    write_meetings(&mut out, std::slice::from_ref(&m), &r).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    let mut plain = Vec::new();
    write_meetings(
        &mut plain,
        &[m],
        &RenderOptions::new(Format::Csv, chrono_tz::UTC),
    )
    .unwrap();
    assert!(!String::from_utf8(plain).unwrap().contains("'="));
    // A table shows control characters instead of obeying them.
    let mut t = Meeting::new(
        meeting_core::Vendor::Systec,
        meeting_core::Source::SystecHisMeeting,
        "systec:y",
    );
    t.topic = Some("a\u{1b}[31mred\u{7}".into());
    let mut table = Vec::new();
    write_meetings(
        &mut table,
        &[t],
        &RenderOptions::new(Format::Table, chrono_tz::UTC),
    )
    .unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(
        !table.contains('\u{1b}') && table.contains("\\u{1b}"),
        "{table}"
    );
}

/// One large dump (many chunks) with bad lines between good ones: the same bytes and the same
/// located messages with one job or several, and the bytes of the whole-list renderer.
#[test]
fn one_large_dump_streams_the_same_whatever_the_jobs() {
    let lines: Vec<String> = samples()
        .iter()
        .map(|i| {
            let Input::File(p) = i else { unreachable!() };
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            v.to_string()
        })
        .collect();
    let mut dump = String::new();
    for i in 0..6000 {
        dump.push_str(&lines[i % lines.len()]);
        dump.push('\n');
        if i % 997 == 0 {
            dump.push_str("{\"status\":200,\"data\":{\"meetings\":[{\"id\":\n");
        }
    }
    assert!(dump.len() > 3 * meeting_core::dump::DEFAULT_CHUNK_BYTES);
    let dir = std::env::temp_dir().join(format!("meeting-report-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.jsonl");
    std::fs::write(&path, &dump).unwrap();
    let inputs = vec![Input::File(path)];
    let options = DumpOptions::new();
    let whole = read_input(&inputs[0], &options);
    assert_eq!(whole.bad, 7);
    for format in [Format::Jsonl, Format::Csv] {
        let r = RenderOptions::new(format, chrono_tz::UTC);
        let mut want = Vec::new();
        write_meetings(&mut want, &whole.meetings, &r).unwrap();
        for jobs in [1, 2, 4] {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            let counts = stream_inputs(
                &mut out,
                &inputs,
                &options,
                &r,
                &|_| true,
                None,
                jobs,
                &mut |e| errors.push(e.to_owned()),
            )
            .unwrap()
            .unwrap();
            assert_eq!(errors, whole.errors, "{format:?}, jobs {jobs}");
            assert_eq!(counts.bad, whole.bad);
            assert_eq!(counts.documents, whole.documents);
            assert_eq!(counts.written, whole.meetings.len() as u64);
            assert!(out == want, "{format:?}, jobs {jobs}: bytes differ");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
