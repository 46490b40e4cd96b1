#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use meeting_core::{Meeting, Money, Participant, PhoneCall, Source, Vendor};
use rust_decimal::Decimal;
use serde_json::Value;

use super::*;

/// The Markdown rows of the column table in the module docs (`columns.md`).
fn columns_markdown() -> String {
    let mut out = String::new();
    for t in TABLES {
        for c in t.columns {
            let from = if c.from.is_empty() {
                format!("(derived) {}", c.doc)
            } else {
                c.from
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let null = if c.nullable { "" } else { ", not null" };
            out.push_str(&format!(
                "| {} | `{}` | {}{null} | {} |\n",
                t.name,
                c.name,
                c.ty.name(),
                from.replace('|', "\\|")
            ));
        }
    }
    out
}

#[test]
fn column_docs_are_current() {
    let expected = columns_markdown();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/export/columns.md");
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    if actual != expected {
        if std::env::var_os("UPDATE_EXPORT_DOCS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        } else {
            panic!(
                "src/export/columns.md is not the column table of export::TABLES; rerun with UPDATE_EXPORT_DOCS=1 to rewrite it. Expected:\n{expected}"
            );
        }
    }
}

/// Follows `$ref` and the non-null branch of `anyOf`/`oneOf` (schemars' `Option<T>`).
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = root
                .pointer(r.trim_start_matches('#'))
                .unwrap_or(&Value::Null);
            continue;
        }
        if let Some(branches) = s
            .get("anyOf")
            .or_else(|| s.get("oneOf"))
            .and_then(Value::as_array)
        {
            let non_null: Vec<&Value> = branches
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if non_null.len() == 1 {
                s = non_null[0];
                continue;
            }
        }
        break;
    }
    s
}

/// Every field path of the neutral schema (`host.id`, `participants[].join`), containers
/// included, in schema order.
fn neutral_paths(root: &Value, s: &Value, prefix: &str, out: &mut Vec<(String, bool)>) {
    let s = resolve(root, s);
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, sub) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let sub = resolve(root, sub);
        let items = sub.get("items").map(|i| resolve(root, i));
        let is_object = sub.get("properties").is_some();
        let is_object_list = items.is_some_and(|i| i.get("properties").is_some());
        out.push((path.clone(), !(is_object || is_object_list)));
        if is_object {
            neutral_paths(root, sub, &path, out);
        } else if let Some(items) = items.filter(|_| is_object_list) {
            neutral_paths(root, items, &format!("{path}[]"), out);
        }
    }
}

/// Every neutral field is a column's source or excluded with a reason; every source and
/// exclusion names a field that exists. A new neutral field (schema v2's `report`,
/// `profile`, `observed_at`) fails here until the export decides what to do with it.
#[test]
fn every_neutral_field_is_exported_or_excluded() {
    let schema = meeting_core::json_schema::meeting_schema();
    let mut paths = Vec::new();
    neutral_paths(&schema, &schema, "", &mut paths);
    assert!(
        paths.len() > 40,
        "the schema walk found too little: {paths:?}"
    );
    let exported: BTreeSet<&str> = TABLES
        .iter()
        .flat_map(|t| t.columns.iter().flat_map(|c| c.from.iter().copied()))
        .collect();
    let excluded: BTreeSet<&str> = EXCLUDED.iter().map(|(p, _)| *p).collect();
    let mut problems = Vec::new();
    // A path is covered by its own column or exclusion, or by a column of a container it is in.
    let covered = |p: &str| {
        exported.contains(p)
            || excluded.contains(p)
            || exported
                .iter()
                .any(|e| p.starts_with(&format!("{e}.")) || p.starts_with(&format!("{e}[].")))
    };
    for (path, leaf) in &paths {
        if *leaf && !covered(path) {
            problems.push(format!(
                "neutral field `{path}` is neither exported (the `from` of a column in export::TABLES, filled in schema::meeting_rows) nor listed in export::EXCLUDED with the reason"
            ));
        }
    }
    let known: BTreeSet<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
    for p in exported.iter().chain(&excluded) {
        if !known.contains(p) {
            problems.push(format!(
                "`{p}` is mapped by the export but is not a field of the neutral schema (renamed or removed?)"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_new_neutral_field_fails_the_sync_check_by_name() {
    let mut schema = meeting_core::json_schema::meeting_schema();
    schema["properties"]["later_field"] = serde_json::json!({"type": "string"});
    let mut paths = Vec::new();
    neutral_paths(&schema, &schema, "", &mut paths);
    assert!(paths.iter().any(|(p, leaf)| p == "later_field" && *leaf));
    let names: BTreeSet<&str> = TABLES
        .iter()
        .flat_map(|t| t.columns.iter().flat_map(|c| c.from.iter().copied()))
        .chain(EXCLUDED.iter().map(|(p, _)| *p))
        .collect();
    assert!(!names.contains("later_field"));
}

#[test]
fn columns_match_the_rows() {
    let mut m = full_meeting("systec:k1", "2024-01-10T02:00:00Z");
    m.warnings.push("w".into());
    let rows = meeting_rows(&m, chrono_tz::Asia::Shanghai).unwrap();
    for (t, rows) in TABLES.iter().zip(&rows.tables) {
        assert!(!rows.is_empty(), "{}", t.name);
        for r in rows {
            assert_eq!(r.len(), t.columns.len(), "{}", t.name);
            for (c, cell) in t.columns.iter().zip(r) {
                assert!(
                    c.nullable || *cell != Cell::Null,
                    "{}.{} is null",
                    t.name,
                    c.name
                );
            }
        }
    }
    let names: BTreeSet<(&str, &str)> = TABLES
        .iter()
        .flat_map(|t| t.columns.iter().map(move |c| (t.name, c.name)))
        .collect();
    let count: usize = TABLES.iter().map(|t| t.columns.len()).sum();
    assert_eq!(names.len(), count, "a column name is repeated in a table");
}

#[test]
fn money_fits_decimal_18_6_or_fails() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(decimal_scaled(d("0.12")), Some(120_000));
    assert_eq!(decimal_scaled(d("-1.5")), Some(-1_500_000));
    assert_eq!(decimal_scaled(d("0.1200000000")), Some(120_000));
    assert_eq!(
        decimal_scaled(d("999999999999.999999")),
        Some(999_999_999_999_999_999)
    );
    assert_eq!(decimal_scaled(d("1000000000000")), None);
    assert_eq!(decimal_scaled(d("0.0000001")), None);
    assert_eq!(text::decimal_text(-1_500_000), "-1.500000");
    assert_eq!(text::decimal_text(120_000), "0.120000");
}

proptest::proptest! {
    #[test]
    fn decimal_round_trips(mantissa in -999_999_999_999_999_999i64..=999_999_999_999_999_999i64, scale in 0u32..=6) {
        let d = Decimal::new(mantissa, scale);
        let scaled = decimal_scaled(d);
        let within = d.abs() < Decimal::new(1_000_000_000_000, 0);
        proptest::prop_assert_eq!(scaled.is_some(), within);
        if let Some(v) = scaled {
            let back: Decimal = text::decimal_text(v).parse().unwrap();
            proptest::prop_assert_eq!(back, d);
        }
    }

    #[test]
    fn long_fractions_are_refused(mantissa in 1i64..1_000_000_000, scale in 7u32..=12) {
        let d = Decimal::new(mantissa, scale);
        let exact = d.normalize().scale() <= 6;
        proptest::prop_assert_eq!(decimal_scaled(d).is_some(), exact);
    }
}

fn full_meeting(key: &str, start: &str) -> Meeting {
    let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, key);
    m.start = start.parse().ok();
    m.end = m.start.map(|s| s + chrono::TimeDelta::seconds(1800));
    m.duration_seconds = Some(1800);
    m.topic = Some("周会".into());
    m.participants = ["Ann", "Bob"]
        .iter()
        .map(|n| {
            let mut p = Participant::default();
            p.name = Some((*n).into());
            p
        })
        .collect();
    let mut call = PhoneCall::default();
    call.number = Some("+8613800001234".into());
    call.billed_minutes = Some(3);
    call.cost = Some(Money::cny("0.36".parse().unwrap()));
    m.phone_calls = vec![call];
    let mut room = meeting_core::BookedRoom::default();
    room.name = Some("R1".into());
    m.rooms = vec![room];
    m
}

fn tempdir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("meeting-export-unit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn sample() -> Vec<Meeting> {
    let mut q = full_meeting("quanshi:temp:9", "2024-01-31T16:30:00Z");
    q.vendor = Vendor::Quanshi;
    let mut undated = Meeting::new(Vendor::Systec, Source::SystecHisMeeting, "systec:undated");
    undated.topic = Some("no time".into());
    let stub = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:stub:123");
    vec![
        full_meeting("systec:b", "2024-01-05T01:00:00Z"),
        full_meeting("systec:a", "2024-01-05T01:00:00Z"),
        q,
        full_meeting("systec:c", "2024-02-01T01:00:00Z"),
        stub,
        undated,
    ]
}

#[test]
fn layout_partitions_and_stubs() {
    let dir = tempdir("layout");
    let out = dir.join("export");
    let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::Asia::Shanghai);
    let summary = export(&out, sample(), &options).unwrap();
    assert_eq!(
        (
            summary.meetings,
            summary.participants,
            summary.phone_calls,
            summary.rooms,
            summary.stubs_skipped
        ),
        (5, 8, 4, 4, 1)
    );
    insta::assert_snapshot!(files(&out).join("\n"));
    // Rows sorted by key; the Quanshi meeting at 00:30 on 1 February in Shanghai is February.
    let jan =
        std::fs::read_to_string(out.join("meetings/vendor=systec/month=2024-01/part-0.jsonl"))
            .unwrap();
    let keys: Vec<String> = jan
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, ["systec:a", "systec:b"]);
    let first: Value = serde_json::from_str(jan.lines().next().unwrap()).unwrap();
    assert_eq!(first["report_month"], "2024-01");
    assert_eq!(first["start"], "2024-01-05T01:00:00Z");
    let calls =
        std::fs::read_to_string(out.join("phone_calls/vendor=systec/month=2024-01/part-0.jsonl"))
            .unwrap();
    assert!(
        calls.contains(r#""cost":0.360000,"currency":"CNY""#),
        "{calls}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join(MANIFEST_FILE)).unwrap()).unwrap();
    assert_eq!(manifest["zone"], "Asia/Shanghai");
    assert_eq!(manifest["tables"][0]["columns"][0]["name"], "key");
    // No temporary directory is left beside the export.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_has_the_same_columns() {
    let dir = tempdir("csv");
    let out = dir.join("export");
    let options = ExportOptions::new(ExportFormat::Csv, chrono_tz::UTC);
    export(&out, sample(), &options).unwrap();
    let text =
        std::fs::read_to_string(out.join("phone_calls/vendor=systec/month=2024-01/part-0.csv"))
            .unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let names: Vec<&str> = PHONE_CALLS.columns.iter().map(|c| c.name).collect();
    assert_eq!(header, names);
    assert!(text.contains(",0.360000,CNY"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reexport_is_identical_and_stale_partitions_go() {
    let dir = tempdir("reexport");
    let out = dir.join("export");
    let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::UTC);
    export(&out, sample(), &options).unwrap();
    let before: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    export(&out, sample(), &options).unwrap();
    let after: Vec<(String, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert_eq!(before, after);
    // Without February, its partition disappears.
    let fewer: Vec<Meeting> = sample()
        .into_iter()
        .filter(|m| m.key != "systec:c" && m.vendor == Vendor::Systec)
        .collect();
    export(&out, fewer, &options).unwrap();
    let left = files(&out);
    assert!(left.iter().all(|f| !f.contains("2024-02")), "{left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn never_replaces_a_directory_that_is_not_an_export() {
    let dir = tempdir("foreign");
    std::fs::write(dir.join("thesis.tex"), "keep me").unwrap();
    let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::UTC);
    let err = export(&dir, sample(), &options).unwrap_err();
    assert!(matches!(err.kind(), ExportErrorKind::NotAnExport { .. }));
    assert!(dir.join("thesis.tex").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_name_the_meeting_and_field() {
    let dir = tempdir("errors");
    let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::UTC);
    let mut m = full_meeting("systec:big", "2024-01-05T01:00:00Z");
    m.phone_calls[0].cost = Some(Money::cny("1234567890123.5".parse().unwrap()));
    let err = export(&dir.join("x"), [m], &options).unwrap_err();
    let unsorted = export(
        &dir.join("y"),
        [
            full_meeting("systec:feb", "2024-02-05T01:00:00Z"),
            full_meeting("systec:mar", "2024-03-05T01:00:00Z"),
            full_meeting("systec:feb2", "2024-02-06T01:00:00Z"),
        ],
        &options,
    )
    .unwrap_err();
    insta::assert_snapshot!(format!("{err}\n{unsorted}"));
    // Nothing half-written is left behind.
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(feature = "parquet")]
mod parquet_files {
    use super::*;
    use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use ::parquet::file::reader::{FileReader, SerializedFileReader};
    use arrow_array::{Array, Decimal128Array};

    #[test]
    fn types_row_groups_and_created_by() {
        let dir = tempdir("parquet");
        let out = dir.join("export");
        let options =
            ExportOptions::new(ExportFormat::Parquet, chrono_tz::Asia::Shanghai).row_group_rows(1);
        export(&out, sample(), &options).unwrap();
        let path = out.join("participants/vendor=systec/month=2024-01/part-0.parquet");
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().created_by(), Some(CREATED_BY));
        assert_eq!(meta.num_row_groups(), 4); // 4 rows, 1 per group
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        let schema = builder.schema().clone();
        assert_eq!(schema, parquet::arrow_schema(&PARTICIPANTS));
        let calls = out.join("phone_calls/vendor=systec/month=2024-01/part-0.parquet");
        let batches: Vec<_> =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&calls).unwrap())
                .unwrap()
                .build()
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let cost = batches[0]
            .column_by_name("cost")
            .unwrap()
            .as_any()
            .downcast_ref::<Decimal128Array>()
            .unwrap();
        assert_eq!(cost.value_as_string(0), "0.360000");
        assert_eq!(cost.precision(), 18);
        assert!(!cost.is_null(0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parquet_reexport_is_byte_identical() {
        let dir = tempdir("parquet-again");
        let a = dir.join("a");
        let b = dir.join("b");
        let options = ExportOptions::new(ExportFormat::Parquet, chrono_tz::UTC);
        export(&a, sample(), &options).unwrap();
        export(&b, sample(), &options).unwrap();
        let fa = files(&a);
        assert_eq!(fa, files(&b));
        for f in &fa {
            assert_eq!(
                std::fs::read(a.join(f)).unwrap(),
                std::fs::read(b.join(f)).unwrap(),
                "{f}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The vendors' documented samples, merged, exported as JSON Lines: every table's rows.
#[test]
fn documented_samples_export() {
    use meeting_sync::inputs::{Input, read_input};
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let options = meeting_core::DumpOptions::new();
    let meetings = meeting_core::query::merge_sorted(
        [
            "systec/detail.sample.json",
            "systec/his-meeting.sample.json",
            "systec/reports.sample.json",
            "quanshi/conference-by-join-url.sample.json",
            "quanshi/dashboard-conference-info.sample.json",
        ]
        .iter()
        .flat_map(|f| read_input(&Input::File(fixtures.join(f)), &options).meetings)
        .collect(),
    );
    let dir = tempdir("samples");
    let out = dir.join("export");
    let summary = export(
        &out,
        meetings,
        &ExportOptions::new(ExportFormat::Jsonl, chrono_tz::Asia::Shanghai),
    )
    .unwrap();
    let mut text = format!(
        "meetings {}, participants {}, phone_calls {}, rooms {}, stubs {}\n",
        summary.meetings,
        summary.participants,
        summary.phone_calls,
        summary.rooms,
        summary.stubs_skipped
    );
    for f in files(&out) {
        if f.ends_with(".jsonl") {
            text.push_str(&format!("--- {f}\n"));
            text.push_str(&std::fs::read_to_string(out.join(&f)).unwrap());
        }
    }
    insta::assert_snapshot!(text);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reexport_never_touches_files_it_does_not_own() {
    let dir = tempdir("owned");
    let out = dir.join("lake");
    let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::UTC);
    export(&out, sample(), &options).unwrap();
    // The data team keeps its own notes and a cache beside the tables.
    std::fs::write(out.join("MY_NOTES.txt"), "mine").unwrap();
    std::fs::create_dir(out.join("cache")).unwrap();
    std::fs::write(out.join("cache/q.duckdb"), "cached").unwrap();
    let before = files(&out);
    export(&out, sample(), &options).unwrap();
    assert_eq!(files(&out), before);
    assert_eq!(
        std::fs::read_to_string(out.join("MY_NOTES.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("cache/q.duckdb")).unwrap(),
        "cached"
    );
    // Stale partitions still go: a smaller export replaces the tables whole.
    export(&out, sample().into_iter().take(1), &options).unwrap();
    assert!(out.join("MY_NOTES.txt").is_file());
    // Nothing left beside the export.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
