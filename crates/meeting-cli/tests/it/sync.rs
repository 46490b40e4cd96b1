//! `meeting sync` against the in-process simulator: a quarter, again (nothing changes), new
//! meetings (only they change), failed windows (exit 6, the cursor held back), a busy
//! archive (exit 8), kills at random moments (the archive stays consistent and resumes to
//! the same meetings as one clean sync), `quanshi info --ids`.

use std::collections::BTreeSet;
use std::path::Path;

use meeting_core::Vendor;
use meeting_sim::{FaultConfig, SimConfig};
use serde_json::Value;

use crate::common::{TestSim, sim, stderr, stdout};

/// Writes the test profile (rate limits off; `extra` lines appended).
fn profile(dir: &Path, extra: &str) {
    std::fs::write(
        dir.join("config.toml"),
        format!("[default]\nrate_limit = 0\nreports_rate_limit = 0\n{extra}"),
    )
    .unwrap();
}

/// `meeting sync` of the quarter into `archive`, with the summary in `summary`.
fn sync_cmd(s: &TestSim, dir: &Path, archive: &Path, since: Option<&str>) -> assert_cmd::Command {
    let mut cmd = s.meeting(dir);
    cmd.env_remove("QUANSHI_TOKEN")
        .args(["sync", "--until", "2024-03-31", "--archive"])
        .arg(archive)
        .arg("--summary")
        .arg(dir.join("summary.json"));
    if let Some(since) = since {
        cmd.args(["--since", since]);
    }
    cmd
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// The archive's meetings as sorted JSON lines, observation times left out (they differ
/// between two syncs of the same data).
fn meetings(dir: &Path, archive: &Path) -> Vec<String> {
    let out = crate::common::meeting(dir)
        .args(["list", "-o", "jsonl", "--archive"])
        .arg(archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut lines: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            strip_observed(&mut v);
            v.to_string()
        })
        .collect();
    lines.sort();
    lines
}

fn strip_observed(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("observed_at");
            map.values_mut().for_each(strip_observed);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_observed),
        _ => {}
    }
}

fn check(dir: &Path, archive: &Path) {
    let out = crate::common::meeting(dir)
        .args(["archive", "check", "--archive"])
        .arg(archive)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "archive check: {}{}",
        stdout(&out),
        stderr(&out)
    );
}

fn truth_keys(s: &TestSim) -> BTreeSet<String> {
    let truth = s.handle.truth();
    let quarter =
        systec_model::DateWindow::new("2024-01-01".parse().unwrap(), "2024-03-31".parse().unwrap())
            .unwrap();
    quarter
        .split_by_month()
        .flat_map(|w| truth.detail(&w, None))
        .map(|d| format!("systec:{}", d.uuid.unwrap().as_str()))
        .collect()
}

fn keys(lines: &[String]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["key"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn a_quarter_then_again_then_new_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let s = sim();
    let out = sync_cmd(s, dir.path(), &archive, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 of 3 windows complete"),
        "{}",
        stderr(&out)
    );
    let first = summary(dir.path());
    assert_eq!(first["exit_code"], 0);
    assert_eq!(first["windows_done"], 3);
    assert_eq!(first["windows_failed"], 0);
    assert_eq!(
        first["span"],
        serde_json::json!(["2024-01-01", "2024-03-31"])
    );
    assert_eq!(first["profiles"][0]["cursor_after"], "2024-03-31");
    let listed = meetings(dir.path(), &archive);
    assert_eq!(first["new"], listed.len());
    assert_eq!(keys(&listed), truth_keys(s), "the simulator's ground truth");
    check(dir.path(), &archive);

    // Again, from the cursor minus the look-back: nothing changes.
    let out = sync_cmd(s, dir.path(), &archive, None).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let again = summary(dir.path());
    assert_eq!(
        again["span"],
        serde_json::json!(["2024-03-24", "2024-03-31"])
    );
    assert_eq!(
        (again["new"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(again["unchanged"].as_u64().unwrap() > 0, "{again}");
    assert_eq!(meetings(dir.path(), &archive), listed);

    // The vendor now holds two more meetings (same seed: the others are the same): only
    // they are new, nothing else changes.
    let more = TestSim::start(SimConfig::new(7, 302));
    let out = sync_cmd(&more, dir.path(), &archive, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let third = summary(dir.path());
    let after = meetings(dir.path(), &archive);
    let added: BTreeSet<String> = keys(&after).difference(&keys(&listed)).cloned().collect();
    assert_eq!(third["new"].as_u64(), Some(added.len() as u64), "{third}");
    assert_eq!(third["updated"], 0, "{third}");
    assert!(!added.is_empty() && added.len() <= 2, "{added:?}");
    assert_eq!(keys(&after), truth_keys(&more));
    check(dir.path(), &archive);
}

#[test]
fn failed_windows_exit_6_and_hold_the_cursor_back() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let faulty =
        TestSim::start(SimConfig::new(7, 300).with_faults(FaultConfig::parse("5xx=0.3").unwrap()));
    let mut cmd = sync_cmd(&faulty, dir.path(), &archive, Some("2024-01-01"));
    profile(dir.path(), "max_attempts = 1\n");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fetches them again"),
        "{}",
        stderr(&out)
    );
    let s = summary(dir.path());
    assert_eq!(s["exit_code"], 6);
    let failed = s["windows_failed"].as_u64().unwrap();
    assert!(failed > 0, "{s}");
    // The cursor stops before the first failed window.
    let a = meeting_store::Archive::open_read_only(&archive).unwrap();
    let cursor = a
        .cursor("default", Vendor::Systec)
        .unwrap()
        .map(|c| c.through);
    let runs = a.runs().unwrap();
    let run = runs.last().unwrap();
    let first_failed = run.windows_failed.iter().map(|w| w.from).min().unwrap();
    assert!(
        cursor.is_none_or(|c| c < first_failed),
        "{cursor:?} {first_failed}"
    );
    assert!(!run.complete);
    drop(a);
    check(dir.path(), &archive);

    // Without faults, the next sync (no --since) fetches the failed windows again and ends
    // equal to one clean sync.
    let out = sync_cmd(sim(), dir.path(), &archive, None)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = clean_dir.path().join("c.sqlite");
    let out = sync_cmd(sim(), clean_dir.path(), &clean, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        meetings(dir.path(), &archive),
        meetings(clean_dir.path(), &clean)
    );
}

#[test]
fn a_busy_archive_exits_8() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let _held = meeting_store::RunLock::acquire(&archive, std::time::Duration::ZERO).unwrap();
    let out = sync_cmd(sim(), dir.path(), &archive, Some("2024-01-01"))
        .args(["--wait", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert!(stderr(&out).contains("busy"), "{}", stderr(&out));
    assert!(!archive.exists(), "nothing was written");
}

#[test]
fn a_first_sync_needs_since() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let out = sync_cmd(sim(), dir.path(), &archive, None)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--since"), "{}", stderr(&out));
}

/// SIGKILL at random moments: after each kill the archive passes `archive check`; resuming
/// ends equal to one clean sync. (`cargo xtask soak` does this 50 times and more.)
#[cfg(unix)]
#[test]
fn killed_at_random_moments_resumes_to_a_clean_sync() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let mut faults = FaultConfig::parse("5xx=0.05").unwrap();
    faults.latency = std::time::Duration::from_millis(15);
    let slow = TestSim::start(SimConfig::new(7, 300).with_faults(faults));
    let _ = slow.meeting(dir.path());
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    for round in 0..3 {
        let mut cmd = crate::common::plain(dir.path());
        cmd.env("SYSTEC_API_KEY", slow.handle.api_key())
            .env("SYSTEC_API_SECRET", slow.handle.api_secret())
            .env("SYSTEC_BASE_URL", slow.handle.systec_base_url())
            .args([
                "sync",
                "--since",
                "2024-01-01",
                "--until",
                "2024-03-31",
                "-q",
            ])
            .arg("--archive")
            .arg(&archive)
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(std::time::Duration::from_millis(150 + rng % 900));
        let _ = child.kill();
        let _ = child.wait();
        if archive.exists() {
            check(dir.path(), &archive);
        }
        let _ = round;
    }
    // Resume without faults until done.
    let out = sync_cmd(sim(), dir.path(), &archive, None)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    check(dir.path(), &archive);
    let clean_dir = tempfile::tempdir().unwrap();
    let clean = clean_dir.path().join("c.sqlite");
    let out = sync_cmd(sim(), clean_dir.path(), &clean, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (resumed, clean) = (
        meetings(dir.path(), &archive),
        meetings(clean_dir.path(), &clean),
    );
    assert_eq!(resumed.len(), clean.len());
    assert_eq!(resumed, clean);
}

#[test]
fn quanshi_info_ids_and_sync_keeps_links_secret() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let truth = s.handle.truth();
    let ids = truth.dashboard_ids();
    let links = truth.quanshi_join_urls();
    let list = format!(
        "# two ids and a link\n{}\n{}\n{}\n",
        ids[0], ids[1], links[0]
    );
    std::fs::write(dir.path().join("ids.txt"), &list).unwrap();
    let out = s
        .meeting(dir.path())
        .args(["quanshi", "info", "--ids"])
        .arg(dir.path().join("ids.txt"))
        .args(["-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let found = stdout(&out).lines().count();
    assert!(found >= 3, "{}", stdout(&out));
    assert!(
        !stdout(&out).contains(&links[0]),
        "the join link is never output"
    );

    // sync --ids keeps them (the link in the secret column), never printing the link.
    let archive = dir.path().join("a.sqlite");
    let out = s
        .meeting(dir.path())
        .env_remove("SYSTEC_API_KEY")
        .args(["sync", "--ids"])
        .arg(dir.path().join("ids.txt"))
        .arg("--archive")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&links[0]));
    let listed = meetings(dir.path(), &archive);
    assert!(listed.len() >= 3, "{listed:?}");
    assert!(listed.iter().all(|l| !l.contains(&links[0])));
    check(dir.path(), &archive);
}

/// `meeting report` from an archive whose cursor is behind the asked month syncs first: the
/// report of February equals `meeting stats` of February from the archive it brought up to
/// date.
#[test]
fn report_syncs_first_when_the_archive_is_behind() {
    let s = sim();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let mut first = s.meeting(dir.path());
    first
        .env_remove("QUANSHI_TOKEN")
        .args([
            "sync",
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-31",
            "--archive",
        ])
        .arg(&archive);
    let out = first.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut report = s.meeting(dir.path());
    report
        .env_remove("QUANSHI_TOKEN")
        .args(["report", "--month", "2024-02", "-o", "csv", "--out"])
        .arg(dir.path().join("feb"))
        .arg("--archive")
        .arg(&archive);
    let out = report.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("syncing first"), "{}", stderr(&out));
    let stats = crate::common::meeting(dir.path())
        .args(["stats", "--month", "2024-02", "-o", "json", "--archive"])
        .arg(&archive)
        .output()
        .unwrap();
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    let held = stats["total"]["meetings"].as_u64().unwrap();
    assert!(held > 50, "February was synced: {held}");
    let text = std::fs::read_to_string(dir.path().join("feb").join("summary.csv")).unwrap();
    assert!(
        // Meetings, then the previous month's and the change (report v2).
        text.lines()
            .any(|l| l.starts_with(&format!("Meetings,{held},"))),
        "{text}"
    );
}

/// `--all-profiles` syncs every profile of the file; MEETING_PROFILE gives way to it (flags
/// beat the environment), a `--profile` flag beside it is refused.
#[test]
fn all_profiles_beats_meeting_profile_and_refuses_a_profile_flag() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let s = sim();
    let run = |extra: &[&str]| {
        let mut cmd = s.meeting(dir.path());
        profile(dir.path(), "[a]\nrate_limit = 0\n[b]\nrate_limit = 0\n");
        cmd.env_remove("QUANSHI_TOKEN")
            .env("MEETING_PROFILE", "a")
            .args([
                "sync",
                "--since",
                "2024-01-01",
                "--until",
                "2024-01-31",
                "--archive",
            ])
            .arg(&archive)
            .arg("--summary")
            .arg(dir.path().join("summary.json"))
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--all-profiles"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = summary(dir.path())["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["profile"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["a", "b", "default"], "{}", stderr(&out));

    let out = run(&["--all-profiles", "--profile", "a"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--all-profiles and --profile"),
        "{}",
        stderr(&out)
    );
}

/// Late reports: the vendor has built no report yet at the first sync (every meeting gets a
/// stub, `report: none`); the next sync's look-back (7 days) fetches the reports that have
/// arrived since, and exactly the meetings of those days change (`none` -> `full`). Reports of
/// meetings older than the look-back are not asked again.
#[test]
fn late_reports_arrive_through_the_look_back() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let s = TestSim::start(SimConfig::new(7, 300));
    let by_key = |lines: &[String]| -> std::collections::BTreeMap<String, Value> {
        lines
            .iter()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (v["key"].as_str().unwrap().to_owned(), v)
            })
            .collect()
    };

    s.handle.hold_reports(true);
    let out = sync_cmd(&s, dir.path(), &archive, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = by_key(&meetings(dir.path(), &archive));
    let stubbed = before.values().filter(|m| m["report"] == "none").count();
    assert!(stubbed > 100, "every report held back: {stubbed}");
    assert!(
        before.values().all(|m| m["report"] != "full"),
        "no report was built yet"
    );

    s.handle.hold_reports(false);
    let out = sync_cmd(&s, dir.path(), &archive, None).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let again = summary(dir.path());
    assert_eq!(
        again["span"],
        serde_json::json!(["2024-03-24", "2024-03-31"])
    );
    let after = by_key(&meetings(dir.path(), &archive));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same meetings"
    );
    // The look-back's first instant: 2024-03-24 00:00 in the vendor zone (UTC+8).
    let boundary = "2024-03-23T16:00:00Z";
    let in_look_back = |m: &Value| m["start"].as_str().is_some_and(|t| t >= boundary);
    let changed: Vec<&String> = after
        .iter()
        .filter(|(k, m)| before.get(*k) != Some(m))
        .map(|(k, _)| k)
        .collect();
    assert!(!changed.is_empty());
    for k in &changed {
        let (was, now) = (&before[*k], &after[*k]);
        assert_eq!(
            (&was["report"], &now["report"]),
            (&"none".into(), &"full".into()),
            "{k}"
        );
        assert!(
            in_look_back(now),
            "{k} changed outside the look-back: {now}"
        );
    }
    // Every meeting of the look-back is now as a sync with the reports built gives it (a
    // meeting without participants keeps its stub: Systec builds it no report); older ones
    // were not asked again.
    let clean_archive = dir.path().join("clean.sqlite");
    let out = sync_cmd(&s, dir.path(), &clean_archive, Some("2024-01-01"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let clean = by_key(&meetings(dir.path(), &clean_archive));
    for (k, m) in &after {
        if in_look_back(m) {
            assert_eq!(m, &clean[k], "{k}");
        } else {
            assert_eq!(m, &before[k], "{k}");
        }
    }
    assert_eq!(
        again["updated"].as_u64(),
        Some(changed.len() as u64),
        "{again}"
    );
    assert_eq!(again["new"], 0, "{again}");
    check(dir.path(), &archive);
}
