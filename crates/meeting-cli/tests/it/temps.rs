//! Temporaries and terminals, with stdin not a terminal: an interrupted export leaves no
//! temporary, a stale one is removed by the next export (and nothing else beside it),
//! binary formats are never written to a terminal, and the export's progress bar stays off
//! a stderr that is not a terminal.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::{fixture, meeting, plain, stderr};

/// The export temporaries (`.NAME.tmp-*`, `.NAME.old-*`) beside `out`.
fn temporaries(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(&format!(".{name}.tmp-")) || n.starts_with(&format!(".{name}.old-"))
        })
        .collect()
}

/// Neutral lines of the fixture month copied into each month of 50 years (5,400 meetings,
/// 600 partitions): an export that takes a while to write.
fn many_months(dir: &Path) -> std::path::PathBuf {
    let month = std::fs::read_to_string(fixture("report/month.jsonl")).unwrap();
    let mut text = String::new();
    for y in 1990..2040 {
        for m in 1..=12 {
            for line in month.lines() {
                text.push_str(
                    &line
                        .replace("2024-01-", &format!("{y}-{m:02}-"))
                        .replace("==\"", &format!("{y}{m:02}==\"")),
                );
                text.push('\n');
            }
        }
    }
    let path = dir.join("many.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn an_interrupted_export_leaves_no_temporary_and_the_old_export_stands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = many_months(d);
    let out = d.join("lake");
    let first = meeting(d)
        .args(["export", "-o", "jsonl", "--out"])
        .arg(&out)
        .arg(fixture("report/month.jsonl"))
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = std::fs::read(out.join("_meeting_export.json")).unwrap();
    let mut interrupted = 0;
    for _ in 0..3 {
        let child = plain(d)
            .args(["export", "-o", "jsonl", "--out"])
            .arg(&out)
            .arg(&input)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Signalled as soon as its temporary directory exists.
        let started = Instant::now();
        while temporaries(&out).is_empty() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(2));
        }
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let run: Output = child.wait_with_output().unwrap();
        assert!(
            temporaries(&out).is_empty(),
            "{:?} after {:?}: {}",
            temporaries(&out),
            run.status,
            stderr(&run)
        );
        if run.status.code() == Some(130) {
            interrupted += 1;
            assert!(stderr(&run).contains("interrupted"), "{}", stderr(&run));
            // The earlier export is as it was.
            assert_eq!(
                std::fs::read(out.join("_meeting_export.json")).unwrap(),
                before
            );
        } else {
            assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        }
    }
    assert!(interrupted > 0, "no run was caught while it wrote");
}

#[cfg(target_os = "linux")]
#[test]
fn a_stale_temporary_is_removed_and_nothing_else_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = d.join("lake");
    // Left by a process that is gone (no process has an id this high), one by a live
    // process (this test), and files of the user's.
    let stale = d.join(".lake.tmp-4294967290-0");
    let old = d.join(".lake.old-4294967291-2");
    let live = d.join(format!(".lake.tmp-{}-0", std::process::id()));
    for t in [&stale, &old, &live] {
        std::fs::create_dir_all(t.join("meetings")).unwrap();
    }
    std::fs::write(d.join("MY_NOTES.txt"), "mine").unwrap();
    std::fs::create_dir(d.join(".lake.tmp-notes")).unwrap();
    let run = meeting(d)
        .args(["export", "-o", "jsonl", "--out"])
        .arg(&out)
        .arg(fixture("report/month.jsonl"))
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(!stale.exists() && !old.exists());
    assert!(live.is_dir(), "a live process's temporary is kept");
    assert_eq!(
        std::fs::read_to_string(d.join("MY_NOTES.txt")).unwrap(),
        "mine"
    );
    assert!(d.join(".lake.tmp-notes").is_dir());
    assert!(out.join("_meeting_export.json").is_file());
}

/// Runs `meeting ARGS` under a pseudo-terminal (`script` from util-linux), stdin empty;
/// `None` (and a note) when no pseudo-terminal can be had here.
#[allow(clippy::print_stderr)] // The reason a test is skipped.
fn on_a_terminal(dir: &Path, args: &str) -> Option<(Option<i32>, String)> {
    let bin = assert_cmd::cargo::cargo_bin("meeting");
    let probe = std::process::Command::new("script")
        .args(["-qec", "true", "/dev/null"])
        .stdin(Stdio::null())
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: no pseudo-terminal here (`script` from util-linux is missing or cannot open one)"
        );
        return None;
    }
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("MEETING_CONFIG", dir.join("config.toml"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Some((
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

#[cfg(unix)]
#[test]
fn binary_formats_are_never_written_to_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let month = fixture("report/month.jsonl");
    let Some((code, text)) = on_a_terminal(
        d,
        &format!("report --month 2024-01 -o xlsx {}", month.display()),
    ) else {
        return;
    };
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("never written to a terminal"), "{text}");
    assert!(
        !text.contains("PK\u{3}\u{4}"),
        "no workbook bytes on the terminal"
    );
    // Parquet goes only into a directory: without --out there is nothing to write to.
    let Some((code, text)) = on_a_terminal(d, &format!("export -o parquet {}", month.display()))
    else {
        return;
    };
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--out"), "{text}");
    assert!(!text.contains("PAR1"), "no Parquet bytes on the terminal");
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 0, "nothing written");
}

#[test]
fn the_export_bar_stays_off_a_stderr_that_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = many_months(d);
    let run = meeting(d)
        .args(["export", "-o", "jsonl", "--out"])
        .arg(d.join("lake"))
        .arg(&input)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let text = stderr(&run);
    assert!(text.contains("exported "), "{text}");
    for bar in ["\r", "\u{1b}[", "ETA", "=>", "export: "] {
        assert!(!text.contains(bar), "{bar:?} in {text}");
    }
}
