//! Offline commands: parse (bad input, gzip, stdin, --jobs), stats, schema, completions, help.

use std::io::Write;

use crate::common::{fixture, meeting, stderr, stdout};

#[test]
fn bad_lines_are_reported_and_good_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(fixture("systec/his-meeting.sample.json")).unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    let good_line = serde_json::to_string(&good).unwrap();
    let bad_path_line = good_line.replacen("\"start_time\":\"", "\"start_time\":\"not a time ", 1);
    let input =
        format!("{good_line}\n{{\"status\":200,\"data\":[\n{bad_path_line}\nnot json at all\n");
    let file = dir.path().join("mixed.jsonl");
    std::fs::write(&file, input).unwrap();
    let out = meeting(dir.path())
        .arg("parse")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("mixed.jsonl: document 2 (line 2"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("start_time"), "JSON path named: {err}");
    assert!(
        err.contains("parsed 4 documents, 3 meetings, 3 bad"),
        "{err}"
    );
    assert_eq!(stdout(&out).lines().count(), 3);

    let only_bad = dir.path().join("bad.json");
    std::fs::write(&only_bad, "{\"hello\": 1}\n").unwrap();
    let out = meeting(dir.path())
        .arg("parse")
        .arg(&only_bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("parsed 1 documents, 0 meetings, 1 bad"));
    let missing = meeting(dir.path())
        .args(["parse", "no/such/file.json"])
        .output()
        .unwrap();
    // A missing input is a usage error, named before any output.
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such/file.json"));
    assert!(missing.stdout.is_empty());
}

#[test]
fn gzip_stdin_and_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let detail = std::fs::read(fixture("systec/detail.sample.json")).unwrap();
    let gz = dir.path().join("detail.json.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(&detail).unwrap();
    enc.finish().unwrap();
    let plain = meeting(dir.path())
        .arg("parse")
        .arg(fixture("systec/detail.sample.json"))
        .output()
        .unwrap();
    let zipped = meeting(dir.path()).arg("parse").arg(&gz).output().unwrap();
    let piped = meeting(dir.path())
        .args(["parse", "-"])
        .write_stdin(detail)
        .output()
        .unwrap();
    assert!(plain.status.success());
    assert_eq!(plain.stdout, zipped.stdout);
    assert_eq!(plain.stdout, piped.stdout);

    let files: Vec<_> = [
        "systec/detail.sample.json",
        "systec/reports.sample.json",
        "systec/his-meeting.sample.json",
        "quanshi/conference-by-join-url.sample.json",
        "quanshi/dashboard-conference-info.sample.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let one = meeting(dir.path())
        .arg("parse")
        .args(&files)
        .args(["--jobs", "1"])
        .output()
        .unwrap();
    let four = meeting(dir.path())
        .arg("parse")
        .args(&files)
        .args(["--jobs", "4"])
        .output()
        .unwrap();
    assert!(one.status.success());
    assert_eq!(one.stdout, four.stdout, "order preserved with --jobs");
    let first: serde_json::Value =
        serde_json::from_str(stdout(&one).lines().next().unwrap()).unwrap();
    assert_eq!(first["sources"], serde_json::json!(["systec.detail"]));
}

#[test]
fn parse_filters_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = [
        "systec/detail.sample.json",
        "systec/reports.sample.json",
        "systec/his-meeting.sample.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let unmerged = meeting(dir.path())
        .arg("parse")
        .args(&files)
        .output()
        .unwrap();
    let merged = meeting(dir.path())
        .args(["parse", "--merge"])
        .args(&files)
        .output()
        .unwrap();
    assert!(stdout(&merged).lines().count() <= stdout(&unmerged).lines().count());
    let filtered = meeting(dir.path())
        .args(["parse", "--from", "2030-01-01"])
        .args(&files)
        .output()
        .unwrap();
    assert!(filtered.status.success());
    assert!(filtered.stdout.is_empty());
    let room = meeting(dir.path())
        .args(["parse", "--room", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(stdout(&room).lines().count(), 1);
}

#[test]
fn stats_formats() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/detail.sample.json");
    for (by, format) in [("room", "json"), ("host", "jsonl"), ("day", "csv")] {
        let out = meeting(dir.path())
            .args(["stats", "--by", by, "-o", format, "--tz", "UTC"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!out.stdout.is_empty());
    }
    let json = meeting(dir.path())
        .args(["stats", "-o", "json", "--tz", "UTC"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["by"], "room");
    assert!(
        v["total"]["phone_cost"][0]["amount"].is_string(),
        "exact money: {v}"
    );
    // Day buckets follow --tz.
    let sh = meeting(dir.path())
        .args(["stats", "--by", "day", "-o", "csv", "--tz", "Asia/Shanghai"])
        .arg(&f)
        .output()
        .unwrap();
    let utc = meeting(dir.path())
        .args(["stats", "--by", "day", "-o", "csv", "--tz", "UTC"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(stdout(&sh).contains("2017-08-31,"), "{}", stdout(&sh));
    assert!(stdout(&utc).contains("2017-08-30,"), "{}", stdout(&utc));
}

#[test]
fn schema_is_the_committed_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = meeting(dir.path()).arg("schema").output().unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/meeting.v2.json"),
    )
    .unwrap();
    assert_eq!(stdout(&out), committed);
}

#[test]
fn completions_and_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = meeting(dir.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("meeting"));
    let help = meeting(dir.path()).arg("--help").output().unwrap();
    let text = stdout(&help);
    for needle in ["Exit codes:", "6    partial", "jsonl", "meeting demo"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    for sub in [
        ["systec", "fetch"],
        ["parse", "--help"],
        ["stats", "--help"],
        ["config", "init"],
    ] {
        let out = meeting(dir.path())
            .args(sub)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(stdout(&out).contains("Example"), "{sub:?}");
    }
    let usage = meeting(dir.path())
        .args(["parse", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let zone = meeting(dir.path())
        .args(["parse", "-", "--tz", "Mars/Base"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(zone.status.code(), Some(2));
    assert!(stderr(&zone).contains("Mars/Base"));
}

/// One large dump from the simulator's generator (several chunks), with bad lines between
/// good ones: `--jobs 1`, 2 and 3 give the same bytes on stdout (JSON Lines, CSV, merged
/// JSON) and the same messages on stderr, and the same exit code.
#[test]
fn one_large_dump_gives_the_same_output_whatever_the_jobs() {
    use meeting_sim::dump::{DumpEndpoint, write_dump};
    let dir = tempfile::tempdir().unwrap();
    let mut generated = Vec::new();
    write_dump(DumpEndpoint::Detail, 3_000_000, 11, &mut generated).unwrap();
    let mut dump = Vec::new();
    for (i, line) in generated.split(|b| *b == b'\n').enumerate() {
        dump.extend_from_slice(line);
        dump.push(b'\n');
        if i % 4 == 1 {
            dump.extend_from_slice(b"{\"status\":200,\"data\":{\"meetings\":[{\"id\":\n");
        }
    }
    let file = dir.path().join("big.jsonl");
    std::fs::write(&file, &dump).unwrap();
    for args in [
        &["-o", "jsonl", "--no-merge"][..],
        &["-o", "csv", "--no-merge", "--rows", "participants"],
        &["-o", "json", "--merge"],
    ] {
        let run = |jobs: &str| {
            meeting(dir.path())
                .arg("parse")
                .arg(&file)
                .args(args)
                .args(["--tz", "UTC", "--jobs", jobs])
                .output()
                .unwrap()
        };
        let one = run("1");
        assert_eq!(one.status.code(), Some(6), "{}", stderr(&one));
        assert!(stdout(&one).len() > 100_000, "{args:?}");
        assert!(
            stderr(&one).contains("big.jsonl: document 3 (line 3"),
            "{}",
            stderr(&one)
        );
        for jobs in ["2", "3"] {
            let other = run(jobs);
            assert_eq!(
                other.status.code(),
                one.status.code(),
                "{args:?} --jobs {jobs}"
            );
            assert!(
                other.stdout == one.stdout,
                "{args:?} --jobs {jobs}: stdout differs"
            );
            assert_eq!(stderr(&other), stderr(&one), "{args:?} --jobs {jobs}");
        }
    }
}

/// Over files, `stats` and `export` load them into a temporary archive in a private
/// directory of `TMPDIR`, removed afterwards; when it cannot be made, the command says so
/// and exits 1 (an output that cannot be written), with nothing left behind.
#[test]
fn files_go_through_a_temporary_archive_removed_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let file = fixture("systec/detail.sample.json");
    let stats = meeting(dir.path())
        .env("TMPDIR", &tmp)
        .args(["stats", "-o", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(stats.status.success(), "{}", stderr(&stats));
    let export = meeting(dir.path())
        .env("TMPDIR", &tmp)
        .args(["export", "-o", "jsonl", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", stderr(&export));
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    let missing = meeting(dir.path())
        .env("TMPDIR", dir.path().join("no-such-dir"))
        .arg("stats")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("temporary archive"),
        "{}",
        stderr(&missing)
    );
}
