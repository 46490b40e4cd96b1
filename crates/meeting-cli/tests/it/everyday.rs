//! The everyday path, the way cron and CI run it: every command here runs with stdin not a
//! terminal. Dates checked in one place, purge that asks (or needs `--yes`), profiles (`config
//! use`, masked URLs, no archive without credentials), `-o json` of the status commands,
//! `--summary` on every exit, vendor answers (7 / 9), one line at default verbosity, Ctrl-C
//! within a moment, messages that name the next step, the demo's private report directory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use meeting_sim::{FaultConfig, SimConfig};
use serde_json::Value;

use crate::common::{TestSim, fixture, meeting, plain, saved_quarter, sim, stderr, stdout};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// Today in the simulator's (and the default) vendor zone.
fn vendor_today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// An archive synced from the shared simulator: January and February 2024.
fn synced_archive(dir: &Path) -> PathBuf {
    let archive = dir.join("a.sqlite");
    let out = sim()
        .meeting(dir)
        .args(["sync", "--since", "2024-01-01", "--until", "2024-02-29"])
        .arg("--archive")
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    archive
}

fn meetings_in(dir: &Path, archive: &Path) -> u64 {
    let out = meeting(dir)
        .args(["archive", "info", "-o", "json", "--archive"])
        .arg(archive)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    json(&out)["meetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["meetings"].as_u64().unwrap())
        .sum()
}

// 1. Dates.

#[test]
fn far_dates_are_usage_errors_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/detail.sample.json");
    for args in [
        vec!["list", "--since", "99999999d"],
        vec!["stats", "--since", "4294967295d"],
        vec!["list", "--from", "1900-01-01"],
        vec!["list", "--to", "9999-12-31"],
        vec!["list", "--month", "3024-01"],
    ] {
        let out = meeting(dir.path())
            .args(&args)
            .arg(&f)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn a_report_over_366_days_needs_allow_long_span() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("systec/detail.sample.json");
    let page = dir.path().join("long.html");
    let out = meeting(dir.path())
        .args([
            "report",
            "--from",
            "2017-01-01",
            "--to",
            "2018-12-31",
            "--out",
        ])
        .arg(&page)
        .arg(&f)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--allow-long-span"),
        "{}",
        stderr(&out)
    );
    assert!(!page.exists(), "refused before any work");
    let out = meeting(dir.path())
        .args(["report", "--from", "2017-01-01", "--to", "2018-12-31"])
        .arg("--allow-long-span")
        .arg("--out")
        .arg(&page)
        .arg(&f)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(page.exists());
}

#[test]
fn sync_until_after_today_is_clamped_to_today() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let today = vendor_today();
    let since = today - chrono::Duration::days(3);
    let out = sim()
        .meeting(dir.path())
        .args([
            "sync",
            "--since",
            &since.to_string(),
            "--until",
            "2199-01-31",
        ])
        .arg("--archive")
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("is after today"), "{}", stderr(&out));
    let info = meeting(dir.path())
        .args(["archive", "info", "-o", "json", "--archive"])
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    let info = json(&info);
    let cursors = info["cursors"].as_object().unwrap();
    assert!(!cursors.is_empty(), "{info}");
    for (k, v) in cursors {
        assert_eq!(v.as_str(), Some(today.to_string().as_str()), "{k}: {info}");
    }
}

// 2. Purge: --dry-run, --yes, and the days of --before in the report zone.

#[test]
fn purge_without_a_terminal_needs_yes_and_dry_run_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = synced_archive(dir.path());
    let before = meetings_in(dir.path(), &archive);
    assert!(before > 0);
    let purge = |extra: &[&str]| {
        meeting(dir.path())
            .args(["archive", "purge", "--before", "2024-02-01", "--archive"])
            .arg(&archive)
            .args(extra)
            .write_stdin("")
            .output()
            .unwrap()
    };
    let refused = purge(&[]);
    assert_eq!(code(&refused), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--yes"), "{}", stderr(&refused));
    assert_eq!(meetings_in(dir.path(), &archive), before);
    let dry = purge(&["--dry-run"]);
    assert_eq!(code(&dry), Some(0), "{}", stderr(&dry));
    assert!(
        stdout(&dry).starts_with("would delete "),
        "{}",
        stdout(&dry)
    );
    assert_eq!(meetings_in(dir.path(), &archive), before);
    let yes = purge(&["--yes"]);
    assert_eq!(code(&yes), Some(0), "{}", stderr(&yes));
    let after = meetings_in(dir.path(), &archive);
    assert!(after < before, "{after} < {before}");
}

#[test]
fn purge_before_is_a_day_of_the_report_zone() {
    let dir = tempfile::tempdir().unwrap();
    let archive = synced_archive(dir.path());
    let would = |tz: &str| -> u64 {
        let out = meeting(dir.path())
            .args(["archive", "purge", "--before", "2024-01-15", "--dry-run"])
            .args(["--tz", tz, "--archive"])
            .arg(&archive)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        text.trim_start_matches("would delete ")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    // Midnight in UTC+14 is 25 hours before midnight in UTC-11.
    let east = would("Pacific/Kiritimati");
    let west = would("Pacific/Pago_Pago");
    assert!(east < west, "{east} < {west}");
}

// 3. Profiles.

#[test]
fn sync_without_credentials_or_with_an_unknown_profile_creates_no_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("never.sqlite");
    for extra in [&[][..], &["--profile", "nope"][..]] {
        let out = meeting(dir.path())
            .args(["sync", "--since", "2024-01-01", "--archive"])
            .arg(&archive)
            .args(extra)
            .write_stdin("")
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(!archive.exists(), "{extra:?}: an archive was created");
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            entries
                .iter()
                .all(|n| !n.to_string_lossy().contains("never")),
            "{entries:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn config_use_sets_the_default_profile_and_list_masks_url_passwords() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[default]\nrate_limit = 0\n\n[prod]\nsystec_api_key = \"k\"\nsystec_api_secret = \"s\"\nsystec_base_url = \"https://ops:hunter2@systec.example/umeeting/share/\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let unknown = meeting(dir.path())
        .args(["config", "use", "nope"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&unknown), Some(2), "{}", stderr(&unknown));
    let used = meeting(dir.path())
        .args(["config", "use", "prod"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&used), Some(0), "{}", stderr(&used));
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let list = meeting(dir.path())
        .args(["config", "list"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&list), Some(0), "{}", stderr(&list));
    let text = stdout(&list);
    assert!(text.contains("prod (default, active)"), "{text}");
    assert!(text.contains("https://ops:***@systec.example/"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    let list = meeting(dir.path())
        .args(["config", "list", "-o", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&list), Some(0), "{}", stderr(&list));
    assert!(!stdout(&list).contains("hunter2"));
    let v = json(&list);
    assert_eq!(v["default_profile"], "prod");
    assert_eq!(v["active_profile"], "prod");
    let profiles = v["profiles"].as_array().unwrap();
    assert!(
        profiles
            .iter()
            .any(|p| p["name"] == "prod" && p["default"] == true && p["active"] == true)
    );
    let key = v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "systec_api_key")
        .unwrap()
        .clone();
    assert_eq!(key["value"], Value::Null);
    assert_eq!(key["set"], true);
    // --profile still chooses another.
    let other = meeting(dir.path())
        .args(["config", "list", "-o", "json", "--profile", "default"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(json(&other)["active_profile"], "default");
}

// 4. -o json of the status commands.

#[test]
fn status_commands_speak_json() {
    let dir = tempfile::tempdir().unwrap();
    let archive = synced_archive(dir.path());
    let check = meeting(dir.path())
        .args(["archive", "check", "-o", "json", "--archive"])
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&check), Some(0), "{}", stderr(&check));
    let v = json(&check);
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"], Value::Array(Vec::new()));
    assert!(v["archive"].as_str().unwrap().ends_with("a.sqlite"));
    let info = meeting(dir.path())
        .args(["archive", "info", "-o", "json", "--archive"])
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    let v = json(&info);
    assert!(v["schema_version"].as_i64().unwrap() > 0);
    assert!(v["size_bytes"].as_u64().unwrap() > 0);
    // Nothing configured: exit 2, and the JSON says why.
    let config_check = meeting(dir.path())
        .args(["config", "check", "-o", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&config_check), Some(2), "{}", stderr(&config_check));
    let v = json(&config_check);
    assert_eq!(v["ok"], false);
    assert_eq!(v["systec"]["status"], "not_configured");
    assert_eq!(v["quanshi"]["status"], "not_configured");
    // Against the simulator: ok.
    let config_check = sim()
        .meeting(dir.path())
        .args(["config", "check", "-o", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&config_check), Some(0), "{}", stderr(&config_check));
    let v = json(&config_check);
    assert_eq!(v["ok"], true);
    assert_eq!(v["systec"]["status"], "ok");
    assert_eq!(v["profile"], "default");
}

// 5. --summary on every exit.

#[test]
fn summary_is_written_on_every_exit_and_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let archive = synced_archive(dir.path());
    // Busy: exit 8, and the summary says so.
    let lock = meeting_store::RunLock::acquire(&archive, Duration::ZERO).unwrap();
    let summary = dir.path().join("busy.json");
    let busy = sim()
        .meeting(dir.path())
        .args(["sync", "--wait", "0", "--archive"])
        .arg(&archive)
        .arg("--summary")
        .arg(&summary)
        .write_stdin("")
        .output()
        .unwrap();
    drop(lock);
    assert_eq!(code(&busy), Some(8), "{}", stderr(&busy));
    let v: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["exit_code"], 8);
    assert_eq!(v["command"], "sync");
    assert!(v["error"].as_str().unwrap().contains("busy") || !v["error"].is_null());
    // A usage failure after the arguments parse (no credentials): exit 2, written.
    let summary = dir.path().join("usage.json");
    let usage = meeting(dir.path())
        .args(["sync", "--since", "2024-01-01", "--archive"])
        .arg(dir.path().join("other.sqlite"))
        .arg("--summary")
        .arg(&summary)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&usage), Some(2), "{}", stderr(&usage));
    let v: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["exit_code"], 2);
    // `-` is stdout, for a report (its data goes to --out).
    let page = dir.path().join("jan.html");
    let report = meeting(dir.path())
        .args([
            "report",
            "--month",
            "2024-01",
            "--offline",
            "--summary",
            "-",
        ])
        .arg("--archive")
        .arg(&archive)
        .arg("--out")
        .arg(&page)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&report), Some(0), "{}", stderr(&report));
    assert!(!dir.path().join("-").exists(), "not a file named `-`");
    let v = json(&report);
    assert_eq!(v["command"], "report");
    assert_eq!(v["exit_code"], 0);
    assert!(v["meetings"].as_u64().unwrap() > 0, "{v}");
    // Export, with a failure: the summary still has the exit code.
    let summary = dir.path().join("export.json");
    let export = meeting(dir.path())
        .args(["export", "-o", "jsonl", "--out"])
        .arg(dir.path().join("lake"))
        .arg("--summary")
        .arg(&summary)
        .arg(dir.path().join("missing-input.jsonl"))
        .write_stdin("")
        .output()
        .unwrap();
    assert_ne!(code(&export), Some(0));
    let v: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(v["command"], "export");
    assert_eq!(v["exit_code"].as_i64(), code(&export).map(i64::from));
    // Both to stdout: a usage error.
    let both = meeting(dir.path())
        .args([
            "report",
            "--month",
            "2024-01",
            "--summary",
            "-",
            "--out",
            "-",
        ])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&both), Some(2), "{}", stderr(&both));
}

// 6. A vendor's failure answer: 7 when it says not found, else 9; 5 stays for transport.

/// A one-shot HTTP server answering every request with `body` (HTTP 200, JSON).
fn answering(body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.read(&mut buf);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/quanshi/")
}

#[test]
fn a_vendor_refusal_is_nine_and_not_found_is_seven() {
    let dir = tempfile::tempdir().unwrap();
    let ask = |base: &str| {
        meeting(dir.path())
            .env("QUANSHI_TOKEN", "t")
            .env("QUANSHI_BASE_URL", base)
            .args(["quanshi", "info", "56039682"])
            .write_stdin("")
            .output()
            .unwrap()
    };
    let refused = ask(&answering(
        r#"{"status": 3002, "msg": "会议权限不足", "result": null}"#,
    ));
    assert_eq!(code(&refused), Some(9), "{}", stderr(&refused));
    let text = stderr(&refused);
    assert!(
        text.contains("3002") && text.contains("会议权限不足"),
        "{text}"
    );
    assert!(text.contains("refused"), "{text}");
    assert!(!text.contains("could not be reached"), "{text}");
    let missing = ask(&answering(
        r#"{"status": 3001, "msg": "会议不存在", "result": null}"#,
    ));
    assert_eq!(code(&missing), Some(7), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("会议不存在"),
        "{}",
        stderr(&missing)
    );
    let help = meeting(dir.path()).arg("--help").output().unwrap();
    assert!(
        stdout(&help)
            .lines()
            .any(|l| l.trim_start().starts_with("9 ")),
        "exit 9 in --help"
    );
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert!(readme.contains("| 9 |"), "exit 9 in the README");
}

/// Inside `sync`, a vendor's failure answer is 9 (7 when it says not found), its status and
/// text quoted; transport failures stay 6 (`failed_windows_exit_6_and_hold_the_cursor_back`).
#[test]
fn a_vendor_refusal_inside_sync_is_nine_and_not_found_is_seven() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
    )
    .unwrap();
    let sync = |base: String| {
        meeting(dir.path())
            .env("SYSTEC_API_KEY", "k")
            .env("SYSTEC_API_SECRET", "s")
            .env(
                "SYSTEC_BASE_URL",
                base.replace("/quanshi/", "/umeeting/share/"),
            )
            .args([
                "sync",
                "--since",
                "2024-01-01",
                "--until",
                "2024-01-31",
                "--archive",
            ])
            .arg(dir.path().join("a.sqlite"))
            .write_stdin("")
            .output()
            .unwrap()
    };
    let refused = sync(answering(
        r#"{"error": {"code": 300, "message": "会议权限不足"}}"#,
    ));
    assert_eq!(code(&refused), Some(9), "{}", stderr(&refused));
    let text = stderr(&refused);
    assert!(
        text.contains("300") && text.contains("会议权限不足"),
        "{text}"
    );
    assert!(text.contains("the vendor refused the request"), "{text}");
    let missing = sync(answering(
        r#"{"error": {"code": 3001, "message": "会议不存在"}}"#,
    ));
    assert_eq!(code(&missing), Some(7), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("会议不存在"),
        "{}",
        stderr(&missing)
    );
}

// 7. Noise.

/// `report` and `export` over files end with their own summary: the read's counts are a
/// `-v` detail, so `export` prints one line at default verbosity (`report` adds its notes on
/// the input: meetings outside the span, unstable pseudonyms).
#[test]
fn report_and_export_over_files_print_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let quarter = saved_quarter(dir.path());
    for (args, out) in [
        (&["export", "-o", "jsonl", "--out"][..], "lake"),
        (
            &["report", "-o", "html", "--month", "2024-01", "--out"][..],
            "jan.html",
        ),
    ] {
        let run = |extra: &[&str]| {
            meeting(dir.path())
                .arg(args[0])
                .arg(&quarter)
                .args(&args[1..])
                .arg(dir.path().join(out))
                .args(extra)
                .write_stdin("")
                .output()
                .unwrap()
        };
        let quiet = run(&[]);
        assert_eq!(code(&quiet), Some(0), "{}", stderr(&quiet));
        let text = stderr(&quiet);
        if args[0] == "export" {
            assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
        }
        assert!(!text.contains("parsed"), "{text}");
        let verbose = stderr(&run(&["-v"]));
        assert!(verbose.contains("parsed"), "{verbose}");
    }
}

#[test]
fn one_line_at_default_verbosity_and_stub_details_with_v() {
    let dir = tempfile::tempdir().unwrap();
    let archive = synced_archive(dir.path());
    let stats = |extra: &[&str]| {
        meeting(dir.path())
            .args(["stats", "-o", "csv", "--archive"])
            .arg(&archive)
            .args(extra)
            .write_stdin("")
            .output()
            .unwrap()
    };
    let quiet = stats(&["--month", "2024-01"]);
    assert_eq!(code(&quiet), Some(0), "{}", stderr(&quiet));
    let text = stderr(&quiet);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains("stub"), "{text}");
    // With -v, the stub details; a month's read counts as unmatched only the stubs that
    // match nothing in the whole archive, never the stubs of other months.
    let unmatched = |text: &str| -> Vec<String> {
        text.split("meeting number(s) ")
            .nth(1)
            .map(|rest| {
                rest.split(')')
                    .next()
                    .unwrap()
                    .split(", ")
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let month = stderr(&stats(&["--month", "2024-01", "-v"]));
    assert!(month.contains("report stub"), "{month}");
    let whole = stderr(&stats(&["-v"]));
    let all = unmatched(&whole);
    for n in unmatched(&month) {
        assert!(all.contains(&n), "{n} is a stub of another month: {month}");
    }
}

// 8. Ctrl-C stops a sync within a moment, even in a slow window.

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_sync_in_a_slow_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut faults = FaultConfig::none();
    faults.latency = Duration::from_secs(8);
    let slow = TestSim::start(SimConfig::new(7, 300).with_faults(faults));
    let archive = dir.path().join("a.sqlite");
    std::fs::write(
        dir.path().join("config.toml"),
        "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
    )
    .unwrap();
    let child = plain(dir.path())
        .env("SYSTEC_API_KEY", slow.handle.api_key())
        .env("SYSTEC_API_SECRET", slow.handle.api_secret())
        .env("SYSTEC_BASE_URL", slow.handle.systec_base_url())
        .args([
            "sync",
            "--since",
            "2024-01-01",
            "--until",
            "2024-03-31",
            "--archive",
        ])
        .arg(&archive)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Well inside the first window (each reply takes 8 s).
    std::thread::sleep(Duration::from_secs(3));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert_eq!(code(&out), Some(130), "{}", stderr(&out));
    // Within 2 s, as promised (without stopping in the window, the reply in flight alone
    // would take 5 s more).
    assert!(took < Duration::from_secs(2), "{took:?}: {}", stderr(&out));
    assert!(
        stderr(&out).contains("Run `meeting sync` again"),
        "{}",
        stderr(&out)
    );
}

// 9. Messages that name the cause and the next step.

#[test]
fn archive_messages_name_the_cause_and_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    // A damaged archive.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![0x5Au8; 8192]).unwrap();
    let check = meeting(dir.path())
        .args(["archive", "check", "--archive"])
        .arg(&junk)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&check), Some(3), "{}", stderr(&check));
    let text = stderr(&check);
    assert!(
        text.contains("not a SQLite database or is damaged"),
        "{text}"
    );
    assert!(text.contains("backup"), "{text}");
    // An older schema points at `archive migrate`.
    let old = dir.path().join("old.sqlite");
    {
        let c = rusqlite::Connection::open(&old).unwrap();
        c.execute_batch("CREATE TABLE meetings (key TEXT PRIMARY KEY); PRAGMA user_version = 1;")
            .unwrap();
    }
    let info = meeting(dir.path())
        .args(["archive", "info", "--archive"])
        .arg(&old)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&info), Some(2), "{}", stderr(&info));
    assert!(
        stderr(&info).contains("meeting archive migrate"),
        "{}",
        stderr(&info)
    );
    // A backup into a missing directory says so.
    let archive = synced_archive(dir.path());
    let backup = meeting(dir.path())
        .args(["archive", "backup"])
        .arg(dir.path().join("no/such/dir/b.sqlite"))
        .arg("--archive")
        .arg(&archive)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&backup), Some(2), "{}", stderr(&backup));
    assert!(
        stderr(&backup).contains("does not exist") && stderr(&backup).contains("mkdir -p"),
        "{}",
        stderr(&backup)
    );
}

// 10. The demo's report in a private directory of its own.

#[cfg(unix)]
#[test]
fn the_demo_report_goes_into_a_private_directory_never_through_a_planted_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "mine").unwrap();
    std::os::unix::fs::symlink(&victim, tmp.join("meeting-demo-report.html")).unwrap();
    let out = meeting(dir.path())
        .env("TMPDIR", &tmp)
        .args(["demo", "-o", "jsonl"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine");
    let text = stderr(&out);
    let report = text
        .lines()
        .find_map(|l| l.split(" is in ").nth(1))
        .map(|p| PathBuf::from(p.trim()))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(report.starts_with(&tmp), "{}", report.display());
    assert!(report.exists());
    let parent = report.parent().unwrap();
    assert_ne!(parent, tmp.as_path());
    let mode = std::fs::metadata(parent).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
