//! The README's daily path, run the way cron, CI and ssh run it: stdin not a terminal
//! (`Stdio::null()`), no path typed (the archive from `MEETING_ARCHIVE`, or the XDG data
//! directory), against the simulator. Then one test per rule of "Inputs and outputs":
//! input resolution, exit 10 and coverage, outputs that never clobber.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::common::{TestSim, sim};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `meeting` as a plain process (stdin set explicitly) against the simulator, without
/// Quanshi.
fn at_sim(s: &TestSim, dir: &Path) -> Command {
    std::fs::write(
        dir.join("config.toml"),
        "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
    )
    .unwrap();
    let mut cmd = crate::common::plain(dir);
    cmd.env("SYSTEC_API_KEY", s.handle.api_key())
        .env("SYSTEC_API_SECRET", s.handle.api_secret())
        .env("SYSTEC_BASE_URL", s.handle.systec_base_url());
    cmd
}

/// `meeting ARGS` against the simulator, stdin not a terminal, the archive from
/// `MEETING_ARCHIVE`.
fn run(s: &TestSim, dir: &Path, args: &[&str]) -> Output {
    at_sim(s, dir)
        .env("MEETING_ARCHIVE", dir.join("archive.sqlite"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `meeting ARGS` offline, stdin not a terminal.
fn offline(dir: &Path) -> Command {
    let mut cmd = crate::common::plain(dir);
    cmd.stdin(Stdio::null());
    cmd
}

/// The archive synced over the simulator's quarter (shared by the tests of this module).
fn synced(s: &TestSim) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        s,
        dir.path(),
        &["sync", "--since", "2024-01-01", "--until", "2024-03-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// The keys of JSON Lines text.
fn keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["key"].as_str().unwrap().to_owned()
        })
        .collect();
    keys.sort();
    keys
}

/// Every file below `dir` (relative, sorted), with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p.strip_prefix(root).unwrap().to_path_buf(), bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn the_daily_path_works_without_paths() {
    let s = sim();
    let dir = synced(s);
    let d = dir.path();
    // The next day's sync resumes from the cursor.
    let again = run(s, d, &["sync", "--until", "2024-03-31"]);
    assert!(again.status.success(), "{}", stderr(&again));

    // The month's meetings, from the archive.
    let list = run(s, d, &["list", "--month", "2024-01", "-o", "jsonl"]);
    assert!(list.status.success(), "{}", stderr(&list));
    let january = keys(&stdout(&list));
    assert!(january.len() > 10, "{}", stdout(&list));

    // The report holds the same meetings, and states its coverage.
    let report = run(
        s,
        d,
        &["report", "--month", "2024-01", "-o", "csv", "--out", "jan/"],
    );
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert!(
        stderr(&report).contains("coverage of 2024-01-01 .. 2024-01-31: complete"),
        "{}",
        stderr(&report)
    );
    let rows = csv::ReaderBuilder::new()
        .from_path(d.join("jan/meetings.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(rows, january.len());
    let xlsx = run(s, d, &["report", "--month", "2024-01", "--out", "jan.xlsx"]);
    assert_eq!(xlsx.status.code(), Some(0), "{}", stderr(&xlsx));
    assert!(
        std::fs::read(d.join("jan.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );

    // The export holds every meeting of the archive, January's in its partition.
    let all = run(s, d, &["list", "-o", "jsonl"]);
    let all = keys(&stdout(&all));
    let export = run(s, d, &["export", "-o", "jsonl", "--out", "lake"]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let mut exported = String::new();
    let mut exported_january = String::new();
    for (path, bytes) in tree(&d.join("lake/meetings")) {
        let text = String::from_utf8(bytes).unwrap();
        if path.to_string_lossy().contains("month=2024-01") {
            exported_january.push_str(&text);
        }
        exported.push_str(&text);
    }
    assert_eq!(keys(&exported), all);
    assert_eq!(keys(&exported_january), january);

    // The default path: the XDG data directory, when MEETING_ARCHIVE is not set.
    let xdg = d.join("xdg");
    std::fs::create_dir_all(xdg.join("meeting")).unwrap();
    let backup = run(
        s,
        d,
        &[
            "archive",
            "backup",
            xdg.join("meeting/archive.sqlite").to_str().unwrap(),
        ],
    );
    assert!(backup.status.success(), "{}", stderr(&backup));
    let list = at_sim(s, d)
        .env("HOME", d)
        .env("XDG_DATA_HOME", &xdg)
        .args(["list", "--month", "2024-01", "-o", "jsonl"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    assert_eq!(keys(&stdout(&list)), january);
}

/// Stdin is read only when `-` is named: a dump piped to `list` with no input is not read
/// (the archive is, and a missing one says so); with `-` it is. `parse` still reads it.
#[test]
fn stdin_is_never_read_implicitly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dump = std::fs::read(crate::common::fixture("systec/his-meeting.sample.json")).unwrap();
    let missing = crate::common::meeting(d)
        .env("MEETING_ARCHIVE", d.join("none.sqlite"))
        .args(["list", "-o", "jsonl"])
        .write_stdin(dump.clone())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("archive import"),
        "{}",
        stderr(&missing)
    );
    assert!(!d.join("none.sqlite").exists());
    let dash = crate::common::meeting(d)
        .args(["list", "-o", "jsonl", "-"])
        .write_stdin(dump.clone())
        .output()
        .unwrap();
    assert!(dash.status.success(), "{}", stderr(&dash));
    assert!(!keys(&stdout(&dash)).is_empty());
    let parse = crate::common::meeting(d)
        .args(["parse", "-o", "jsonl"])
        .write_stdin(dump)
        .output()
        .unwrap();
    assert!(parse.status.success(), "{}", stderr(&parse));
    assert_eq!(keys(&stdout(&parse)), keys(&stdout(&dash)));
}

/// `--archive` always takes a value, and does not go with input files (exit 2).
#[test]
fn archive_takes_a_value_and_never_goes_with_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = crate::common::fixture("systec/his-meeting.sample.json");
    for cmd in ["stats", "list", "report", "export"] {
        let bare = offline(d).args([cmd, "--archive"]).output().unwrap();
        assert_eq!(bare.status.code(), Some(2), "{cmd}: {}", stderr(&bare));
        let both = offline(d)
            .args([cmd, "--month", "2024-01", "--out", "x.html", "--archive"])
            .arg(d.join("a.sqlite"))
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(both.status.code(), Some(2), "{cmd}: {}", stderr(&both));
    }
}

/// Nothing matched: `report` and `export` write nothing and exit 10, existing outputs
/// untouched; `list` and `stats` print nothing and exit 0.
#[test]
fn ten_when_nothing_matched_and_outputs_untouched() {
    let s = sim();
    let dir = synced(s);
    let d = dir.path();
    std::fs::write(d.join("old.html"), "last month's report").unwrap();
    // Before the archive's first synced day: not covered.
    let out = run(
        s,
        d,
        &[
            "report",
            "--month",
            "2023-06",
            "--offline",
            "--out",
            "old.html",
        ],
    );
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing matched: nothing written"));
    assert_eq!(
        std::fs::read_to_string(d.join("old.html")).unwrap(),
        "last month's report"
    );
    // Files that hold nothing of the span.
    let f = crate::common::fixture("report/month.jsonl");
    let out = run(
        s,
        d,
        &[
            "report",
            "--month",
            "2030-01",
            "--out",
            "old.html",
            f.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(d.join("old.html")).unwrap(),
        "last month's report"
    );
    // An existing lake is never replaced by an empty one: not from an empty stdin, not
    // from an archive with nothing of the span.
    let first = run(s, d, &["export", "-o", "jsonl", "--out", "lake"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = tree(&d.join("lake"));
    for args in [
        &["export", "-o", "jsonl", "--out", "lake", "-"][..],
        &[
            "export", "-o", "jsonl", "--out", "lake", "--month", "2030-01",
        ][..],
    ] {
        let out = run(s, d, args);
        assert_eq!(out.status.code(), Some(10), "{args:?}: {}", stderr(&out));
        assert_eq!(tree(&d.join("lake")), before, "{args:?}");
    }
    // list and stats: nothing printed, exit 0.
    for cmd in ["list", "stats"] {
        let out = run(s, d, &[cmd, "--month", "2030-01", "-o", "jsonl"]);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {}", stderr(&out));
        assert!(stdout(&out).trim().is_empty(), "{cmd}: {}", stdout(&out));
    }
}

/// A span partly covered is written with a warning (exit 6); a report whose own sync fails
/// for a span the archive does not cover exits with the sync's code, never 0.
#[test]
fn partial_coverage_is_six_and_a_failed_sync_keeps_its_code() {
    let s = sim();
    let dir = synced(s);
    let d = dir.path();
    let out = run(
        s,
        d,
        &[
            "report",
            "--from",
            "2024-03-15",
            "--to",
            "2024-04-15",
            "--offline",
            "--out",
            "r.html",
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("partial"), "{}", stderr(&out));
    assert!(d.join("r.html").is_file());
    // The sync first is refused (bad credentials): April is not covered, nothing matched.
    let out = at_sim(s, d)
        .env("SYSTEC_API_SECRET", "wrong")
        .env("MEETING_ARCHIVE", d.join("archive.sqlite"))
        .args(["report", "--month", "2024-05", "--out", "may.html"])
        .current_dir(d)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(!d.join("may.html").exists());
}

/// Directory outputs replace only what they wrote; `--out /` and a directory of other
/// files are refused; stale temporaries are removed.
#[test]
fn outputs_never_clobber() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = crate::common::fixture("report/month.jsonl");
    let f = f.to_str().unwrap();
    let report = |out: &str| {
        offline(d)
            .current_dir(d)
            .args(["report", "--month", "2024-01", "-o", "csv", "--out", out, f])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let root = report("/");
    assert_eq!(root.status.code(), Some(2), "{}", stderr(&root));
    assert!(stderr(&root).contains("did not write"), "{}", stderr(&root));
    let first = report("jan");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    std::fs::write(d.join("jan/MY_NOTES.txt"), "mine").unwrap();
    let second = report("jan");
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert_eq!(
        std::fs::read_to_string(d.join("jan/MY_NOTES.txt")).unwrap(),
        "mine"
    );
    std::fs::create_dir(d.join("notes")).unwrap();
    std::fs::write(d.join("notes/thesis.tex"), "x").unwrap();
    let foreign = report("notes");
    assert_eq!(foreign.status.code(), Some(2), "{}", stderr(&foreign));
    assert_eq!(std::fs::read_dir(d.join("notes")).unwrap().count(), 1);

    // A re-export keeps the data team's own files.
    let export = |out: &str| {
        offline(d)
            .current_dir(d)
            .args(["export", "-o", "jsonl", "--out", out, f])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    assert_eq!(export("lake").status.code(), Some(0));
    std::fs::write(d.join("lake/MY_NOTES.txt"), "mine").unwrap();
    std::fs::create_dir(d.join("lake/cache")).unwrap();
    let again = export("lake");
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(d.join("lake/MY_NOTES.txt").is_file());
    assert!(d.join("lake/cache").is_dir());

    // A temporary left by a killed run is removed by the next one; a failed run leaves
    // the previous file.
    let stale = d.join(".out.jsonl.meeting-tmp-99999-0");
    std::fs::write(&stale, "half").unwrap();
    let list = offline(d)
        .current_dir(d)
        .args(["list", "--out", "out.jsonl", f])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(!stale.exists());
    let written = std::fs::read(d.join("out.jsonl")).unwrap();
    let failed = offline(d)
        .current_dir(d)
        .args(["list", "--out", "out.jsonl", "--columns", "nope", f])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(2));
    assert_eq!(std::fs::read(d.join("out.jsonl")).unwrap(), written);
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("meeting-tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
