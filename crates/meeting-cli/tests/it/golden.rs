//! Golden outputs: the data every offline command writes, for every fixture and for a
//! save-raw replay, in every format. Kept byte-for-byte across restructurings; an issue that
//! changes output on purpose updates these snapshots (and says so).
//!
//! Only stdout and the exit code are compared: the notes on stderr are for people.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::{fixture, meeting, sim, stderr};

/// Runs `meeting` with `args`, appending a header, the exit code and stdout to `text`.
fn run_into(text: &mut String, dir: &Path, args: &[&str]) {
    run_with(text, dir, args, false);
}

/// FNV-1a, 64 bits: a digest that makes a byte-level change visible in a small snapshot.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Observation times of records fetched during the test (`"observed_at": {...}`, the run's
/// start) replaced by `"observed_at":"<run start>"`: the only thing that changes from run to
/// run. Fixture records keep theirs (their `fetched_at` is in the fixture).
pub(crate) fn redact_observed(bytes: &[u8], runs_today: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    if !runs_today {
        return bytes.to_vec();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(i) = rest.find("\"observed_at\":") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        out.push_str("\"observed_at\":\"<run start>\"");
        match tail.find('}') {
            Some(end) => rest = &tail[end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.into_bytes()
}

/// Like [`run_into`]; with `digest`, only stdout's size, line count and digest are kept.
fn run_with(text: &mut String, dir: &Path, args: &[&str], digest: bool) {
    let mut out = meeting(dir).args(args).output().unwrap();
    out.stdout = redact_observed(&out.stdout, !args.iter().any(|a| a.contains("fixtures/")));
    let code = out.status.code().unwrap_or(-1);
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.replace(&*dir.to_string_lossy(), "$TMP"))
        .map(|a| match a.find("fixtures/") {
            Some(i) => a[i..].to_owned(),
            None => a,
        })
        .collect();
    writeln!(text, "==> meeting {} (exit {code})", shown.join(" ")).unwrap();
    if digest {
        let lines = out.stdout.iter().filter(|b| **b == b'\n').count();
        let (bytes, hash) = (out.stdout.len(), fnv1a(&out.stdout));
        writeln!(text, "{bytes} bytes, {lines} lines, fnv1a {hash:016x}").unwrap();
        return;
    }
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    if !text.ends_with('\n') {
        text.push('\n');
    }
}

fn samples() -> Vec<PathBuf> {
    [
        "systec/detail.sample.json",
        "systec/his-meeting.sample.json",
        "systec/reports.sample.json",
        "quanshi/conference-by-join-url.sample.json",
        "quanshi/dashboard-conference-info.sample.json",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

fn quirks() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for vendor in ["systec", "quanshi"] {
        let dir = fixture(&format!("{vendor}/quirks"));
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Every renderer over every documented sample.
#[test]
fn golden_fixture_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let tz = ["--tz", "Asia/Shanghai"];
    for f in samples() {
        let f = f.to_str().unwrap();
        for fmt in ["json", "jsonl"] {
            run_into(&mut text, dir.path(), &["parse", f, "-o", fmt]);
        }
        for rows in ["meetings", "participants", "calls"] {
            for fmt in ["csv", "table", "wide"] {
                let mut args = vec!["parse", f, "-o", fmt, "--rows", rows];
                args.extend(tz);
                run_into(&mut text, dir.path(), &args);
            }
        }
        run_into(
            &mut text,
            dir.path(),
            &[
                "parse",
                f,
                "-o",
                "csv",
                "--columns",
                "key,start,phone_cost",
                "--no-headers",
                "--sort",
                "key",
                "--tz",
                "UTC",
            ],
        );
        run_into(
            &mut text,
            dir.path(),
            &[
                "parse",
                f,
                "-o",
                "jsonl",
                "--mask-pii",
                "--mask-key",
                "golden",
            ],
        );
        run_into(
            &mut text,
            dir.path(),
            &[
                "parse",
                f,
                "-o",
                "csv",
                "--rows",
                "participants",
                "--mask-pii",
                "--mask-key",
                "golden",
                "--tz",
                "UTC",
            ],
        );
    }
    let all: Vec<String> = samples()
        .iter()
        .map(|p| p.to_str().unwrap().to_owned())
        .collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let mut merged = vec!["parse", "--merge", "-o", "jsonl"];
    merged.extend(&all);
    run_into(&mut text, dir.path(), &merged);
    for by in ["room", "host", "day"] {
        for fmt in ["table", "csv", "json", "jsonl"] {
            let mut args = vec!["stats", "--by", by, "-o", fmt];
            args.extend(tz);
            args.extend(&all);
            run_into(&mut text, dir.path(), &args);
        }
    }
    insta::assert_snapshot!("golden_fixture_outputs", text);
}

/// Every quirk fixture through `parse -o jsonl` (some are errors: their exit code shows).
#[test]
fn golden_quirk_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for f in quirks() {
        run_into(
            &mut text,
            dir.path(),
            &["parse", f.to_str().unwrap(), "-o", "jsonl"],
        );
    }
    insta::assert_snapshot!("golden_quirk_outputs", text);
}

/// A save-raw run from the simulator, replayed offline through every renderer and filter.
#[test]
fn golden_replay_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let s = sim();
    let live = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-20",
            "--to",
            "2024-02-10",
            "-o",
            "jsonl",
        ])
        .arg("--save-raw")
        .arg(&raw)
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", stderr(&live));
    let raw = raw.to_str().unwrap();
    let mut text = String::new();
    let d = dir.path();
    let run_into = |text: &mut String, d: &Path, args: &[&str]| run_with(text, d, args, true);
    run_into(&mut text, d, &["parse", raw, "-o", "json"]);
    for rows in ["meetings", "participants", "calls"] {
        for fmt in ["csv", "table"] {
            run_into(
                &mut text,
                d,
                &["parse", raw, "-o", fmt, "--rows", rows, "--tz", "UTC"],
            );
        }
    }
    run_into(
        &mut text,
        d,
        &["parse", raw, "-o", "jsonl", "--room", "room04"],
    );
    run_into(
        &mut text,
        d,
        &[
            "parse",
            raw,
            "-o",
            "jsonl",
            "--from",
            "2024-01-25",
            "--to",
            "2024-02-01",
        ],
    );
    // (`--no-merge` is left out: records are saved in the order the concurrent calls
    // completed, which varies from run to run.)
    run_into(
        &mut text,
        d,
        &[
            "parse",
            raw,
            "-o",
            "csv",
            "--mask-pii",
            "--mask-key",
            "golden",
            "--tz",
            "UTC",
        ],
    );
    for by in ["room", "host", "day"] {
        for fmt in ["table", "csv", "json"] {
            run_into(
                &mut text,
                d,
                &["stats", raw, "--by", by, "-o", fmt, "--tz", "Asia/Shanghai"],
            );
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&redact_observed(&live.stdout, true)),
        {
            let mut replay = String::new();
            run_with(&mut replay, d, &["parse", raw, "-o", "jsonl"], false);
            replay.split_once('\n').unwrap().1.to_owned()
        },
        "the replay equals the live run"
    );
    insta::assert_snapshot!("golden_replay_outputs", text);
}
