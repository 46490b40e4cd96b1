//! `meeting export`: the tables read back with the `parquet` crate give `meeting stats`'s
//! totals and the simulator's ground truth; the layout and column types are the documented
//! ones; a re-export is byte-identical; the archive exports the same bytes as the files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{imported, meeting, saved_quarter, sim, stderr};

/// Every file under `dir`, relative, sorted.
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

fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

fn export(dir: &Path, input: &[&std::ffi::OsStr], out: &Path, extra: &[&str]) {
    let run = meeting(dir)
        .arg("export")
        .args(input)
        .args(["--tz", "Asia/Shanghai", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}

#[cfg(feature = "parquet")]
mod parquet_files {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Decimal128Type, Int64Type};
    use arrow_array::{Array, RecordBatch};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use rust_decimal::Decimal;

    fn batches(path: &Path) -> Vec<RecordBatch> {
        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Every batch of a table, all partitions.
    fn table(out: &Path, name: &str) -> Vec<RecordBatch> {
        files(&out.join(name))
            .iter()
            .flat_map(|f| batches(&out.join(name).join(f)))
            .collect()
    }

    fn sum_i64(batches: &[RecordBatch], column: &str) -> u64 {
        let sum: i64 = batches
            .iter()
            .map(|b| {
                let a = b
                    .column_by_name(column)
                    .unwrap()
                    .as_primitive::<Int64Type>();
                a.iter().flatten().sum::<i64>()
            })
            .sum();
        u64::try_from(sum).unwrap()
    }

    fn rows(batches: &[RecordBatch]) -> u64 {
        batches.iter().map(|b| b.num_rows() as u64).sum()
    }

    #[test]
    fn parquet_totals_layout_types_and_determinism() {
        let dir = tempfile::tempdir().unwrap();
        let raw = saved_quarter(dir.path());
        let out = dir.path().join("lake");
        export(dir.path(), &[raw.as_os_str()], &out, &[]);

        // Totals: `meeting stats` and the simulator's ground truth.
        let stats = meeting(dir.path())
            .args(["stats", "-o", "json", "--tz", "Asia/Shanghai"])
            .arg(&raw)
            .output()
            .unwrap();
        assert!(stats.status.success(), "{}", stderr(&stats));
        let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
        let total = &stats["total"];
        let meetings = table(&out, "meetings");
        let calls = table(&out, "phone_calls");
        let participants = table(&out, "participants");
        let held = rows(&meetings);
        assert_eq!(Some(held), total["meetings"].as_u64());
        assert_eq!(held, sim().handle.truth().meeting_count() as u64);
        let seconds = sum_i64(&meetings, "duration_seconds");
        assert_eq!(Some(seconds), total["duration_seconds"].as_u64());
        // Minutes are per meeting (seconds rounded half up), summed: the column's sum.
        assert_eq!(
            Some(sum_i64(&meetings, "minutes")),
            total["minutes"].as_u64()
        );
        assert_eq!(Some(rows(&calls)), total["phone_calls"].as_u64());
        assert_eq!(
            Some(sum_i64(&calls, "billed_minutes")),
            total["phone_minutes"].as_u64()
        );
        assert_eq!(sum_i64(&meetings, "participant_rows"), rows(&participants));
        let mut cost: BTreeMap<String, i128> = BTreeMap::new();
        for b in &calls {
            let amount = b
                .column_by_name("cost")
                .unwrap()
                .as_primitive::<Decimal128Type>();
            let currency = b.column_by_name("currency").unwrap().as_string::<i32>();
            for i in 0..b.num_rows() {
                if !amount.is_null(i) {
                    *cost.entry(currency.value(i).to_owned()).or_default() += amount.value(i);
                }
            }
        }
        let expected: BTreeMap<String, Decimal> = total["phone_cost"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["currency"].as_str().unwrap().to_owned(),
                    m["amount"].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect();
        let exported: BTreeMap<String, Decimal> = cost
            .into_iter()
            .map(|(c, v)| (c, Decimal::from_i128_with_scale(v, 6).normalize()))
            .collect();
        assert!(!exported.is_empty());
        let expected_norm: BTreeMap<String, Decimal> = expected
            .into_iter()
            .map(|(c, v)| (c, v.normalize()))
            .collect();
        assert_eq!(exported, expected_norm, "phone cost to the cent");
        // The simulator's accounting (its Quanshi side has no phone calls).
        let truth = sim().handle.truth().accounting();
        assert_eq!(rows(&calls), truth.total.phone_calls);
        // Systec meetings are each in one shared room: their rooms' figures are the run's.
        let systec: Vec<&meeting_sim::Figures> = truth
            .rooms
            .iter()
            .filter(|(k, _)| matches!(k, meeting_sim::RoomKey::Systec(_)))
            .map(|(_, r)| &r.figures)
            .collect();
        let measured: u64 = systec.iter().map(|f| f.measured_seconds).sum();
        let held_truth: u64 = systec.iter().map(|f| f.meetings_held).sum();
        assert_eq!(
            (seconds, held),
            (measured, held_truth),
            "measured seconds, held"
        );
        assert_eq!(
            exported.get("CNY").copied(),
            Some(truth.total.phone_cost.normalize())
        );

        // Layout: every partition has the four tables; the documented types.
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("_meeting_export.json")).unwrap())
                .unwrap();
        assert_eq!(manifest["zone"], "Asia/Shanghai");
        let listed = files(&out);
        let partitions: Vec<String> = manifest["counts"]["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(partitions.len(), 3, "{partitions:?}"); // Systec, January to March
        let mut expected_files = vec!["_meeting_export.json".to_owned()];
        for t in ["meetings", "participants", "phone_calls", "rooms"] {
            for p in &partitions {
                assert!(
                    p.starts_with("vendor=systec/month=2024-0"),
                    "{p}: not vendor=<v>/month=<YYYY-MM>"
                );
                expected_files.push(format!("{t}/{p}/part-0.parquet"));
            }
        }
        expected_files.sort();
        assert_eq!(listed, expected_files);
        for t in manifest["tables"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            let path = out.join(name).join(&partitions[0]).join("part-0.parquet");
            let builder =
                ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
                    .unwrap();
            let schema = builder.schema();
            let columns = t["columns"].as_array().unwrap();
            assert_eq!(schema.fields().len(), columns.len(), "{name}");
            for (field, c) in schema.fields().iter().zip(columns) {
                assert_eq!(field.name(), c["name"].as_str().unwrap());
                let ty = match c["type"].as_str().unwrap() {
                    "string" | "json" => "Utf8",
                    "int64" => "Int64",
                    "boolean" => "Boolean",
                    "timestamp[us, UTC]" => "Timestamp(µs, \"UTC\")",
                    "decimal(18,6)" => "Decimal128(18, 6)",
                    other => panic!("undocumented type {other}"),
                };
                assert_eq!(field.data_type().to_string(), ty, "{name}.{}", field.name());
                assert_eq!(field.is_nullable(), c["nullable"].as_bool().unwrap());
            }
        }
        // Every row is in the partition of its report_month.
        for f in files(&out.join("meetings")) {
            let month = f.split('/').nth(1).unwrap().trim_start_matches("month=");
            for b in batches(&out.join("meetings").join(&f)) {
                let col = b.column_by_name("report_month").unwrap().as_string::<i32>();
                assert!(col.iter().all(|m| m == Some(month)), "{f}");
            }
        }

        // A re-export of the same data gives the same bytes; so does the archive.
        let before = contents(&out);
        export(
            dir.path(),
            &[raw.as_os_str()],
            &out,
            &["--format", "parquet"],
        );
        assert_eq!(before, contents(&out), "re-export changed bytes");
        let db = dir.path().join("archive.sqlite");
        imported(dir.path(), &raw, &db);
        let from_archive = dir.path().join("from-archive");
        export(
            dir.path(),
            &[std::ffi::OsStr::new("--archive"), db.as_os_str()],
            &from_archive,
            &[],
        );
        assert_eq!(before, contents(&from_archive), "archive and files differ");

        // A month filter keeps only that month's partitions, and no stale one survives.
        export(
            dir.path(),
            &[raw.as_os_str()],
            &out,
            &["--month", "2024-02"],
        );
        let left = files(&out.join("meetings"));
        assert_eq!(left, ["vendor=systec/month=2024-02/part-0.parquet"]);
    }
}

#[test]
fn jsonl_and_csv_with_masking() {
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let out = dir.path().join("masked");
    export(
        dir.path(),
        &[raw.as_os_str()],
        &out,
        &["-o", "jsonl", "--mask-pii", "--mask-key", "k"],
    );
    let part = out.join("participants/vendor=systec/month=2024-01/part-0.jsonl");
    let text = std::fs::read_to_string(&part).unwrap();
    let mut names = 0;
    for line in text.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(name) = row["name"].as_str() {
            names += 1;
            assert!(name.starts_with("person-"), "{name} is not masked");
        }
    }
    assert!(names > 0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("_meeting_export.json")).unwrap()).unwrap();
    assert_eq!(manifest["pii_masked"], true);
    assert_eq!(manifest["file_format"], "jsonl");

    let csv = dir.path().join("csv");
    export(dir.path(), &[raw.as_os_str()], &csv, &["-o", "csv"]);
    let head = std::fs::read_to_string(csv.join("meetings/vendor=systec/month=2024-01/part-0.csv"))
        .unwrap();
    assert!(
        head.starts_with("key,report_month,schema_version,sources,"),
        "{head}"
    );
}

/// `--mask-pii` without a key over an archive uses the archive's own pseudonym key: two
/// exports give the same pseudonyms and `person_key`s (a data team joins its partitions),
/// and neither holds a real name.
#[test]
fn masked_exports_of_one_archive_keep_their_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    let raw = saved_quarter(dir.path());
    let db = dir.path().join("a.sqlite");
    imported(dir.path(), &raw, &db);
    let participants = |name: &str| {
        let out = dir.path().join(name);
        let archive = ["--archive", db.to_str().unwrap()];
        let mut extra = vec!["-o", "jsonl", "--mask-pii"];
        extra.extend(archive);
        export(dir.path(), &[], &out, &extra);
        std::fs::read_to_string(out.join("participants/vendor=systec/month=2024-01/part-0.jsonl"))
            .unwrap()
    };
    let (a, b) = (participants("one"), participants("two"));
    assert!(a.contains("\"person_key\""), "{a}");
    assert!(a.contains("person-"), "not masked: {a}");
    assert_eq!(
        a, b,
        "the pseudonyms differ between two exports of one archive"
    );
}

#[test]
fn never_replaces_a_directory_that_is_not_an_export() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep").unwrap();
    let run = meeting(dir.path())
        .args(["export", "-o", "jsonl", "--out"])
        .arg(&out)
        .arg(crate::common::fixture("systec/detail.sample.json"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("is not an export"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// The archive streams by actual start; a booking that never started (a cancelled Quanshi
/// reservation) is merged in by its scheduled start: the same bytes as from the files.
#[cfg(feature = "demo")]
#[test]
fn archive_export_places_bookings_by_scheduled_start() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("run");
    let demo = meeting(dir.path())
        .args(["demo", "-o", "jsonl", "--save-raw"])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", stderr(&demo));
    let db = dir.path().join("a.sqlite");
    imported(dir.path(), &raw, &db);
    let (files_out, archive_out) = (dir.path().join("f"), dir.path().join("a"));
    export(dir.path(), &[raw.as_os_str()], &files_out, &["-o", "jsonl"]);
    export(
        dir.path(),
        &[std::ffi::OsStr::new("--archive"), db.as_os_str()],
        &archive_out,
        &["-o", "jsonl"],
    );
    assert_eq!(contents(&files_out), contents(&archive_out));
    let mut bookings = 0;
    for f in files(&archive_out.join("meetings")) {
        let month = f
            .split('/')
            .nth(1)
            .unwrap()
            .trim_start_matches("month=")
            .to_owned();
        let text = std::fs::read_to_string(archive_out.join("meetings").join(&f)).unwrap();
        for line in text.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            if row["start"].is_null() && !row["scheduled_start"].is_null() {
                bookings += 1;
                assert_eq!(row["report_month"].as_str(), Some(month.as_str()), "{f}");
            }
        }
    }
    assert!(bookings > 0, "the demo has a booking that never started");
}

/// Money a `DECIMAL(18,6)` column cannot hold exactly is refused (exit 3, the meeting and
/// field named), and the earlier export stays whole; so does it when no document is good.
#[test]
fn money_that_does_not_fit_is_refused_and_the_old_export_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lake");
    export(
        dir.path(),
        &[crate::common::fixture("systec/detail.sample.json").as_os_str()],
        &out,
        &["-o", "jsonl"],
    );
    let before = contents(&out);
    for (fixture, key) in [
        ("export/money-beyond-decimal-18-6.jsonl", "systec:too-big"),
        ("export/money-seven-decimals.jsonl", "systec:fine-grained"),
        ("bad/huge-number-money-long-fraction.json", ""),
    ] {
        let run = meeting(dir.path())
            .args(["export", "-o", "jsonl", "--out"])
            .arg(&out)
            .arg(crate::common::fixture(fixture))
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(3), "{fixture}: {}", stderr(&run));
        let err = stderr(&run);
        assert!(err.contains(key), "{fixture}: {err}");
        if !key.is_empty() {
            assert!(
                err.contains("phone_calls[0].cost.amount") && err.contains("DECIMAL(18,6)"),
                "{err}"
            );
        }
        assert_eq!(before, contents(&out), "{fixture}: the old export changed");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "{fixture}: a temporary directory was left"
        );
    }
}
