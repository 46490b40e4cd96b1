//! Dump reading: every input form, errors with positions, counts.

use crate::common::{detail_page, read_all, root};
use meeting_core::{DumpOptions, Meeting, SavedResponse, Source};
use std::io::Write;

fn keys(ms: &[Meeting]) -> Vec<String> {
    ms.iter().map(|m| m.key.clone()).collect()
}

fn three() -> Vec<String> {
    vec![detail_page("a=="), detail_page("b=="), detail_page("c==")]
}

fn expect_abc(input: &[u8]) {
    let (ok, bad, stats) = read_all(input, DumpOptions::default());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(keys(&ok), ["systec:a==", "systec:b==", "systec:c=="]);
    assert_eq!(
        (stats.documents, stats.meetings, stats.bad_documents),
        (3, 3, 0)
    );
}

#[test]
fn one_document() {
    let (ok, bad, _) = read_all(detail_page("a==").as_bytes(), DumpOptions::default());
    assert_eq!((ok.len(), bad.len()), (1, 0));
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&detail_page("a==")).unwrap(),
    )
    .unwrap();
    let (ok, _, _) = read_all(pretty.as_bytes(), DumpOptions::default());
    assert_eq!(keys(&ok), ["systec:a=="]);
}

#[test]
fn json_array_of_documents() {
    expect_abc(format!("[\n{}\n]\n", three().join(",\n")).as_bytes());
    expect_abc(format!("[{}]", three().join(",")).as_bytes());
}

#[test]
fn json_lines() {
    expect_abc(format!("{}\n", three().join("\n")).as_bytes());
    expect_abc(three().join("\r\n").as_bytes());
}

#[test]
fn concatenated_with_and_without_whitespace() {
    expect_abc(three().join("").as_bytes());
    expect_abc(three().join(" \n\t ").as_bytes());
}

#[test]
fn gzip_and_bom() {
    let text = format!("\u{feff}{}\n", three().join("\n"));
    expect_abc(text.as_bytes());
    // Two gzip members (concatenated .gz files) read as one stream.
    let mut gz = Vec::new();
    for part in [three()[..2].join("\n") + "\n", three()[2].clone() + "\n"] {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(part.as_bytes()).unwrap();
        gz.extend(enc.finish().unwrap());
    }
    expect_abc(&gz);
}

#[test]
fn saved_response_records() {
    let fetched = "2026-11-22T01:02:03Z".parse().unwrap();
    let mut lines = String::new();
    for (i, page) in three().iter().enumerate() {
        let rec = SavedResponse::new(
            Source::SystecDetail,
            [
                ("page_number", (i + 1).to_string()),
                ("api_secret", "s3cr3t".to_owned()),
            ],
            fetched,
            200,
            page.as_bytes(),
        );
        lines.push_str(&serde_json::to_string(&rec).unwrap());
        lines.push('\n');
    }
    assert!(!lines.contains("s3cr3t"));
    expect_abc(lines.as_bytes());
    // A non-JSON body is kept verbatim and is a bad document when read.
    let html = SavedResponse::new(
        Source::SystecDetail,
        Vec::<(String, String)>::new(),
        fetched,
        502,
        b"<html>Bad Gateway</html>",
    );
    assert_eq!(html.body_text.as_deref(), Some("<html>Bad Gateway</html>"));
    let line = serde_json::to_string(&html).unwrap();
    let (ok, bad, _) = read_all(line.as_bytes(), DumpOptions::default());
    assert!(ok.is_empty());
    insta::assert_snapshot!("saved_body_not_json", bad.join("\n"));
    // Round trip of the record type.
    let back: SavedResponse = serde_json::from_str(&line).unwrap();
    assert_eq!(back, html);
    // A saved join-link request masks the link and drops the token.
    let q = SavedResponse::new(
        Source::QuanshiConference,
        [
            ("attendeeJoinUrl", "https://mtest.qsh1.cn/k/mkIW3Txa0Uk"),
            ("token", "t0k"),
        ],
        fetched,
        200,
        b"{}",
    );
    let text = serde_json::to_string(&q).unwrap();
    assert!(
        !text.contains("mkIW3Txa0Uk") && !text.contains("t0k"),
        "{text}"
    );
}

#[test]
fn neutral_lines_read_back() {
    let (ok, _, _) = read_all(three().join("\n").as_bytes(), DumpOptions::default());
    let neutral: String = ok
        .iter()
        .map(|m| serde_json::to_string(m).unwrap() + "\n")
        .collect();
    let (back, bad, _) = read_all(neutral.as_bytes(), DumpOptions::default());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(back, ok);
    let first = neutral.lines().next().unwrap();
    assert!(first.contains(r#""schema_version":2"#), "{first}");
    // Version 1 lines (older builds) are read too, under this version's rules.
    let v1 = first.replace(r#""schema_version":2"#, r#""schema_version":1"#);
    let (back, bad, _) = read_all(v1.as_bytes(), DumpOptions::default());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(back[0], ok[0]);
    let v3 = first.replace(r#""schema_version":2"#, r#""schema_version":3"#);
    let (_, bad, _) = read_all(v3.as_bytes(), DumpOptions::default());
    assert!(
        bad[0].contains("unsupported neutral schema_version 3 (this reader knows 1 to 2)"),
        "{bad:?}"
    );
}

#[test]
fn mixed_file_keeps_good_documents_and_counts_bad_ones() {
    let pages = three();
    let input = [
        pages[0].as_str(),
        "not json at all",
        r#"{"status":200,"message":"OK","data":{"meetings":[{"uuid":"x","start_time":"yesterday"}]}}"#,
        pages[1].as_str(),
        r#"{"status":200,"message":"OK","data":{"meetings":["#, // truncated line
        r#"{"status":401,"message":"api_key或api_secret错误","data":null}"#,
        r#"{"hello":"world","n":1}"#,
        "",
        pages[2].as_str(),
        r#"{"status":0,"result":{"tempConferenceId":"9","status":4}}"#,
    ]
    .join("\n");
    let (ok, bad, stats) = read_all(input.as_bytes(), DumpOptions::default());
    assert_eq!(
        keys(&ok),
        ["systec:a==", "systec:b==", "systec:c==", "quanshi:temp:9"]
    );
    assert_eq!(
        (stats.documents, stats.meetings, stats.bad_documents),
        (9, 4, 5)
    );
    insta::assert_snapshot!("mixed_errors", bad.join("\n"));
}

#[test]
fn huge_single_line() {
    // One detail page of ~20 MB on a single line, then another document.
    let meeting = r#"{"uuid":"UUID","host_id":"ROOM-A","meeting_id":"1790001234","topic":"T","start_time":"2017-08-31 08:00:00","duration":60,"end_time":"2017-08-31 09:00:00","is_extra":0}"#;
    let n = 80_000;
    let meetings: Vec<String> = (0..n)
        .map(|i| meeting.replace("UUID", &format!("u{i}")))
        .collect();
    let page = format!(
        r#"{{"status":200,"message":"OK","data":{{"meetings":[{}]}}}}"#,
        meetings.join(",")
    );
    assert!(page.len() > 10_000_000);
    let input = format!("{page}\n{}\n", detail_page("z=="));
    let (ok, bad, stats) = read_all(input.as_bytes(), DumpOptions::default());
    assert!(bad.is_empty());
    assert_eq!(ok.len(), n + 1);
    assert_eq!(stats.documents, 2);
    // Over the limit: skipped with an error, and reading goes on.
    let (ok, bad, _) = read_all(
        input.as_bytes(),
        DumpOptions::default().max_document_bytes(1_000_000),
    );
    assert_eq!(keys(&ok), ["systec:z=="]);
    assert!(bad[0].contains("larger than the limit"), "{bad:?}");
}

#[test]
fn errors_carry_position_and_json_path() {
    let input = format!(
        "{}\n{}\n",
        detail_page("a=="),
        r#"{"status":200,"message":"OK","data":{"meetings":[{"uuid":"x","start_time":"yesterday"}]}}"#
    );
    let mut reader = meeting_core::read_dump(input.as_bytes(), DumpOptions::default());
    assert!(reader.next().unwrap().is_ok());
    let err = reader.next().unwrap().unwrap_err();
    assert_eq!(err.position().document, 2);
    assert_eq!(err.position().line, 2);
    assert_eq!(
        err.position().byte_offset,
        detail_page("a==").len() as u64 + 1
    );
    let de = err.decode_error().unwrap();
    assert_eq!(de.path(), "data.meetings[0].start_time");
    assert_eq!(de.line(), 1);
    assert!(de.column() > 50);
}

#[test]
fn unknown_shapes_and_overrides() {
    let (_, bad, _) = read_all(br#"{"foo":1,"bar":[1,2]}"#, DumpOptions::default());
    assert_eq!(
        bad,
        [
            "document 1 (line 1, byte 0): not a Systec or Quanshi response: top-level keys were `foo`, `bar`"
        ]
    );
    // A list that fits both reports and hisMeeting needs the override.
    let body =
        r#"{"status":200,"message":"OK","data":[{"uuid":"d1==","id":1,"duration":"7分钟"}]}"#
            .as_bytes();
    let (_, bad, _) = read_all(body, DumpOptions::default());
    assert!(
        bad[0].contains("cannot tell systec.reports from systec.his_meeting"),
        "{bad:?}"
    );
    let (ok, bad, _) = read_all(
        body,
        DumpOptions::default().endpoint(Source::SystecHisMeeting),
    );
    assert!(bad.is_empty());
    assert_eq!(ok[0].sources, [Source::SystecHisMeeting]);
    assert_eq!(ok[0].billed_minutes, Some(7));
}

#[test]
fn vendor_failures_are_errors() {
    for path in [
        "fixtures/systec/quirks/error-envelope.json",
        "fixtures/quanshi/quirks/error-envelope.json",
    ] {
        let bytes = std::fs::read(root().join(path)).unwrap();
        let (ok, bad, stats) = read_all(&bytes, DumpOptions::default());
        assert!(ok.is_empty());
        assert_eq!(stats.bad_documents, 1, "{path}");
        assert!(bad[0].contains("the vendor answered a failure"), "{bad:?}");
    }
}
