//! The CLI as operators with gh/kubectl/aws habits expect it.

use crate::common::{fixture, meeting, sim, stderr, stdout};

#[test]
fn bare_meeting_prints_the_help_with_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let bare = meeting(dir.path()).output().unwrap();
    let text = format!("{}{}", stdout(&bare), stderr(&bare));
    assert!(text.contains("Usage: meeting"), "{text}");
    let help = stdout(&meeting(dir.path()).arg("--help").output().unwrap());
    for var in [
        "SYSTEC_API_KEY",
        "SYSTEC_BASE_URL",
        "QUANSHI_TOKEN",
        "QUANSHI_CONFERENCE_PATH",
        "MEETING_PROFILE",
        "MEETING_VENDOR_TZ",
    ] {
        assert!(help.contains(var), "{var} missing from --help");
    }
    // Global options in their own section; the command's own options apart.
    let parse = stdout(
        &meeting(dir.path())
            .args(["parse", "--help"])
            .output()
            .unwrap(),
    );
    assert!(parse.contains("Global options:"), "{parse}");
    assert!(parse.contains("Output options:"), "{parse}");
    let demo = stdout(
        &meeting(dir.path())
            .args(["demo", "--help"])
            .output()
            .unwrap(),
    );
    assert!(demo.contains("  meeting demo"), "{demo}");
    assert!(!demo.contains("cargo run"), "{demo}");
}

#[test]
fn dates_as_operators_type_them() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/his-meeting.sample.json");
    let f = f.to_str().unwrap();
    let all = stdout(
        &meeting(dir.path())
            .args(["parse", f, "-o", "jsonl"])
            .output()
            .unwrap(),
    );
    let month = meeting(dir.path())
        .args(["parse", f, "-o", "jsonl", "--since", "2018-01-03"])
        .output()
        .unwrap();
    assert!(month.status.success(), "{}", stderr(&month));
    let month = stdout(&month);
    assert!(!month.is_empty() && month.lines().count() < all.lines().count());
    assert!(month.lines().all(|l| l.contains("\"start\":\"2018-01-")));
    let since = meeting(dir.path())
        .args(["parse", f, "-o", "jsonl", "--since", "2018-05-01"])
        .output()
        .unwrap();
    assert!(
        stdout(&since)
            .lines()
            .all(|l| l.contains("\"start\":\"2018-05-"))
    );
    for (bad, expected) in [
        ("2024-02-30", "no day 30"),
        ("2024-01", "--month 2024-01"),
        ("soon", "YYYY-MM-DD"),
    ] {
        let out = meeting(dir.path())
            .args(["parse", f, "--from", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(expected), "{bad}: {}", stderr(&out));
    }
    let both = meeting(dir.path())
        .args(["parse", f, "--month", "2018-01", "--from", "2018-01-01"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    // A live range needs one way of saying its days, and --to defaults to today.
    let none = meeting(dir.path())
        .args(["systec", "fetch"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("give the days"), "{}", stderr(&none));
}

#[test]
fn rooms_and_hosts_are_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/his-meeting.sample.json");
    let f = f.to_str().unwrap();
    let count = |args: &[&str]| {
        let out = meeting(dir.path())
            .args(["parse", f, "-o", "jsonl"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).lines().count()
    };
    let all = count(&[]);
    let one = count(&["--room", "test03"]);
    let two = count(&["--room", "test03", "--room", "test05"]);
    assert_eq!((one, two, all), (2, 3, 3));
    assert_eq!(count(&["--host", "test05", "--host", "nobody"]), 1);
    assert_eq!(count(&["--host", "nobody"]), 0);
}

#[test]
fn bad_documents_are_capped_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = meeting(dir.path())
        .args(["parse", "-"])
        .write_stdin("not json\n".repeat(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    let shown = err
        .lines()
        .filter(|l| l.starts_with("bad document"))
        .count();
    assert!(shown <= 21, "{shown} lines: {err}");
    assert!(
        err.contains("parsed 60 documents, 0 meetings, 60 bad"),
        "{err}"
    );
}

#[test]
fn config_check_fails_when_nothing_is_configured_and_list_shows_origins() {
    let dir = tempfile::tempdir().unwrap();
    let check = meeting(dir.path())
        .args(["config", "check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(stderr(&check).contains("nothing is configured"));
    let list = sim()
        .meeting(dir.path())
        .env("SYSTEC_API_SECRET", "sentinel-secret-value")
        .args(["config", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", stderr(&list));
    let text = stdout(&list);
    assert!(text.contains("systec_api_secret"), "{text}");
    assert!(
        text.contains("set    (environment SYSTEC_API_SECRET)"),
        "{text}"
    );
    assert!(text.contains("default (active)"), "{text}");
    assert!(
        !text.contains("sentinel-secret-value"),
        "secrets are never shown"
    );
}

#[test]
fn control_characters_in_errors_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let name = dir.path().join("evil\u{1b}]0;pwned\u{7}.json");
    let out = meeting(dir.path())
        .arg("parse")
        .arg(&name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("\\u{1b}"), "{err:?}");
}

#[test]
fn verbosity_levels_and_one_line_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let run = |flags: &[&str]| {
        let out = s
            .meeting(dir.path())
            .args(flags)
            .args([
                "systec",
                "fetch",
                "--from",
                "2024-01-20",
                "--to",
                "2024-01-25",
                "-o",
                "jsonl",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let quiet = run(&[]);
    assert!(
        quiet.contains("fetched ") && quiet.contains(" requests"),
        "{quiet}"
    );
    assert!(!quiet.contains("batch done"), "{quiet}");
    let v = run(&["-v"]);
    assert!(
        v.contains("systec fetch: history") && v.contains("batch done"),
        "{v}"
    );
    assert!(
        !v.contains("meeting_http"),
        "-v does not show each call: {v}"
    );
    let vv = run(&["-vv"]);
    assert!(vv.contains("meeting_http"), "-vv shows each call: {vv}");
    let vvv = run(&["-vvv"]);
    assert!(
        vvv.contains("body received") && vvv.contains("bytes="),
        "{vvv}"
    );
    for text in [&v, &vv, &vvv] {
        assert!(!text.contains(s.handle.api_secret()), "never a secret");
    }
    let q = s
        .meeting(dir.path())
        .args([
            "-q",
            "systec",
            "fetch",
            "--from",
            "2024-01-20",
            "--to",
            "2024-01-25",
            "-o",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(q.stderr.is_empty(), "{}", stderr(&q));

    // Writing to a file is confirmed; an empty result says so.
    let out_file = dir.path().join("jan.csv");
    let out = meeting(dir.path())
        .args([
            "parse",
            fixture("systec/his-meeting.sample.json").to_str().unwrap(),
            "--out",
        ])
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains(&format!("wrote 3 meetings to {}", out_file.display())),
        "{}",
        stderr(&out)
    );
    let none = meeting(dir.path())
        .args([
            "parse",
            fixture("systec/his-meeting.sample.json").to_str().unwrap(),
            "--room",
            "nowhere",
        ])
        .output()
        .unwrap();
    assert!(none.status.success());
    assert!(
        stderr(&none).contains("no meeting matched"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn csv_to_a_file_is_spreadsheet_bound() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("evil.json");
    let body = std::fs::read_to_string(fixture("systec/his-meeting.sample.json"))
        .unwrap()
        .replace("test03", "=1+2");
    std::fs::write(&input, body).unwrap();
    let file = dir.path().join("out.csv");
    let out = meeting(dir.path())
        .arg("parse")
        .arg(&input)
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a BOM for Excel and WPS"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(",'=1+2,"), "{text}");
    let no_bom = dir.path().join("plain.csv");
    meeting(dir.path())
        .arg("parse")
        .arg(&input)
        .args(["--no-bom", "--out"])
        .arg(&no_bom)
        .output()
        .unwrap();
    assert!(!std::fs::read(&no_bom).unwrap().starts_with(b"\xef\xbb\xbf"));
    // CSV on stdout is data for programs: no BOM, nothing changed.
    let piped = meeting(dir.path())
        .arg("parse")
        .arg(&input)
        .args(["-o", "csv"])
        .output()
        .unwrap();
    let piped = stdout(&piped);
    assert!(
        !piped.starts_with('\u{feff}') && piped.contains(",=1+2,"),
        "{piped}"
    );
}

/// Completions and man pages follow the commands: every (visible) subcommand appears.
#[test]
fn completions_and_man_pages_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let commands = [
        (
            "systec",
            ["fetch", "detail", "history", "reports"].as_slice(),
        ),
        ("quanshi", ["conference", "info"].as_slice()),
        ("config", ["init", "check", "list"].as_slice()),
        (
            "archive",
            [
                "import", "check", "info", "backup", "purge", "migrate", "dump",
            ]
            .as_slice(),
        ),
        ("parse", [].as_slice()),
        ("stats", [].as_slice()),
        ("list", [].as_slice()),
        ("export", [].as_slice()),
        ("demo", [].as_slice()),
        ("schema", [].as_slice()),
        ("completions", [].as_slice()),
    ];
    let bash = stdout(
        &meeting(dir.path())
            .args(["completions", "bash"])
            .output()
            .unwrap(),
    );
    let man = dir.path().join("man");
    let out = meeting(dir.path())
        .arg("manpages")
        .arg(&man)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for (top, subs) in commands {
        assert!(
            bash.contains(&format!("meeting__subcmd__{top}")),
            "completions lack {top}"
        );
        assert!(
            man.join(format!("meeting-{top}.1")).exists(),
            "no man page for {top}"
        );
        for sub in subs {
            assert!(
                bash.contains(&format!("meeting__subcmd__{top}__subcmd__{sub}")),
                "completions lack {top} {sub}"
            );
            assert!(
                man.join(format!("meeting-{top}-{sub}.1")).exists(),
                "no man page for {top} {sub}"
            );
        }
    }
    assert!(man.join("meeting.1").exists());
}
