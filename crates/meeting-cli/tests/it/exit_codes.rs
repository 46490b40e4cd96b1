//! The exit-code table of `meeting --help` and the README, one test per code, and the flag
//! scoping (output flags only where they mean something).

use std::process::Stdio;

use crate::common::{fixture, meeting, plain, sim, stderr};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn zero_on_success_and_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/detail.sample.json");
    let ok = meeting(dir.path()).arg("parse").arg(&f).output().unwrap();
    assert_eq!(code(&ok), Some(0));
    // The reader goes away before anything is read: a closed pipe is not a failure.
    let mut child = plain(dir.path())
        .args(["schema"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

/// A reader that goes away part-way through a large output (`meeting parse big | head`):
/// exit 0 and nothing on stderr, for every streamed format, merged or not, and for stats
/// (the JSON and CSV writers keep the closed pipe's error kind).
#[test]
fn zero_when_the_reader_goes_away_part_way() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(fixture("systec/detail.sample.json")).unwrap();
    let big = dir.path().join("big.json");
    std::fs::write(&big, sample.repeat(400)).unwrap();
    let big = big.to_str().unwrap();
    for args in [
        vec!["parse", big, "-o", "jsonl", "--no-merge"],
        vec!["parse", big, "-o", "jsonl", "--no-merge", "--jobs", "1"],
        vec!["parse", big, "-o", "csv", "--no-merge"],
        vec!["parse", big, "-o", "json", "--merge"],
        vec!["stats", big, "-o", "json", "--by", "day"],
    ] {
        let mut child = plain(dir.path())
            .args(&args)
            .arg("-q")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        let _ = stdout.read(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(code(&out), Some(0), "{args:?}: {}", stderr(&out));
        assert!(out.stderr.is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn one_when_the_output_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["completions", "bash"],
        vec!["schema"],
        vec![
            "parse",
            "../../fixtures/systec/detail.sample.json",
            "-o",
            "json",
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = plain(dir.path()).args(&args).stdout(full).output().unwrap();
        assert_eq!(code(&out), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
        assert_eq!(errors.len(), 1, "{args:?}: one error line: {err}");
        assert!(errors[0].contains("cannot write"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = meeting(dir.path())
        .args(["parse", "../../fixtures/systec/detail.sample.json", "--out"])
        .arg(dir.path().join("no/such/dir/out.json"))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
}

#[test]
fn two_for_usage_missing_input_and_misplaced_flags() {
    let dir = tempfile::tempdir().unwrap();
    let missing = meeting(dir.path())
        .args([
            "stats",
            "../../fixtures/systec/detail.sample.json",
            "nope.json",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&missing), Some(2));
    assert!(stderr(&missing).contains("nope.json"));
    assert!(
        missing.stdout.is_empty(),
        "nothing written before the error"
    );
    // Output flags belong to the commands that write.
    for args in [
        vec!["completions", "bash", "--rows", "calls"],
        vec!["schema", "--raw"],
        vec!["stats", "--rows", "calls", "-"],
        vec!["config", "check", "--save-raw", "x"],
    ] {
        let out = meeting(dir.path()).args(&args).output().unwrap();
        assert_eq!(code(&out), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn three_for_bad_input_and_six_for_partial() {
    let dir = tempfile::tempdir().unwrap();
    let bad = meeting(dir.path())
        .args(["parse", "-"])
        .write_stdin("not json\n")
        .output()
        .unwrap();
    assert_eq!(code(&bad), Some(3));
    let good = std::fs::read_to_string(fixture("systec/his-meeting.sample.json")).unwrap();
    let partial = meeting(dir.path())
        .args(["parse", "-"])
        .write_stdin(format!("{}\nnot json\n", good.replace('\n', "")))
        .output()
        .unwrap();
    assert_eq!(code(&partial), Some(6), "{}", stderr(&partial));
}

// 4 (credentials refused) and 5 (unreachable): `live::auth_failure_exit_4` and
// `live::unavailable_exit_5`.

#[test]
fn seven_when_the_vendor_does_not_know_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let info = s
        .meeting(dir.path())
        .args(["quanshi", "info", "999999999"])
        .output()
        .unwrap();
    assert_eq!(code(&info), Some(7), "{}", stderr(&info));
    assert!(!stderr(&info).contains("try again"), "{}", stderr(&info));
    let conference = s
        .meeting(dir.path())
        .args([
            "quanshi",
            "conference",
            "https://quanshi.example/j/000000000",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&conference), Some(7), "{}", stderr(&conference));
}

#[cfg(unix)]
#[test]
fn one_hundred_thirty_when_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    // A server that accepts and never answers: the fetch waits until interrupted.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let child = plain(dir.path())
        .env("SYSTEC_API_KEY", "k")
        .env("SYSTEC_API_SECRET", "s")
        .env(
            "SYSTEC_BASE_URL",
            format!("http://127.0.0.1:{port}/umeeting/share/"),
        )
        .args([
            "systec",
            "history",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the request arrives, so the signal handler is installed.
    let (_conn, _) = listener.accept().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"));
}

#[test]
fn every_code_is_in_the_help_and_the_readme() {
    let dir = tempfile::tempdir().unwrap();
    let help = meeting(dir.path()).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    for c in [0, 1, 2, 3, 4, 5, 6, 7, 8, 130] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{c} "))),
            "exit code {c} missing from --help"
        );
        assert!(
            readme.contains(&format!("| {c} |")),
            "exit code {c} missing from the README's table"
        );
    }
}
