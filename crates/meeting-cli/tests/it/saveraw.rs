//! Save-raw runs are atomic and exclusive, and say when they are incomplete.

use std::process::Stdio;

use crate::common::{fixture, meeting, plain, sim, stderr, stdout};

/// `meeting` as a plain process against a server that accepts and never answers.
fn hanging_fetch(dir: &std::path::Path, raw: &std::path::Path, port: u16) -> std::process::Child {
    plain(dir)
        .env("SYSTEC_API_KEY", "k")
        .env("SYSTEC_API_SECRET", "s")
        .env(
            "SYSTEC_BASE_URL",
            format!("http://127.0.0.1:{port}/umeeting/share/"),
        )
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-29",
            "--save-raw",
        ])
        .arg(raw)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn interrupt(child: std::process::Child) -> std::process::Output {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn a_complete_run_has_a_manifest_and_private_files() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let out = sim()
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-20",
            "--to",
            "2024-02-10",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(raw.join("meeting-run.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["job"], "systec fetch");
    assert_eq!(manifest["span"]["from"], "2024-01-20");
    // The days asked are in the report zone (the vendor's by default); the vendor windows
    // are a day wider on each side.
    assert_eq!(manifest["zone"], "Asia/Shanghai");
    let done: Vec<&str> = manifest["done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    for window in [
        "systec.his_meeting 2024-01-19..2024-01-31",
        "systec.his_meeting 2024-02-01..2024-02-11",
        "systec.detail 2024-01-19..2024-01-31",
        "systec.detail 2024-02-01..2024-02-11",
    ] {
        assert!(done.contains(&window), "{window}: {manifest}");
    }
    assert!(done.contains(&"systec.reports"), "{manifest}");
    let records = std::fs::read_dir(&raw).unwrap().count() - 1;
    assert_eq!(manifest["responses"].as_u64(), Some(records as u64));
    for entry in std::fs::read_dir(&raw).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "no temporary file left: {name}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&raw), 0o700);
        for entry in std::fs::read_dir(&raw).unwrap() {
            assert_eq!(mode(&entry.unwrap().path()), 0o600);
        }
    }
    // The replay of a complete run: exit 0, no note about manifests.
    let replay = meeting(dir.path()).arg("parse").arg(&raw).output().unwrap();
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_replays_as_partial_and_a_second_run_cannot_share_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let first = hanging_fetch(dir.path(), &raw, port);
    let (_conn, _) = listener.accept().unwrap();

    // A second run on the same directory while the first holds it.
    let second = meeting(dir.path())
        .env("SYSTEC_API_KEY", "k")
        .env("SYSTEC_API_SECRET", "s")
        .env(
            "SYSTEC_BASE_URL",
            format!("http://127.0.0.1:{port}/umeeting/share/"),
        )
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "--save-raw",
        ])
        .arg(&raw)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("in use by another run"),
        "{}",
        stderr(&second)
    );

    let out = interrupt(first);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(raw.join("meeting-run.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(manifest["finished_at"].is_null());

    let replay = meeting(dir.path()).arg("parse").arg(&raw).output().unwrap();
    assert_eq!(replay.status.code(), Some(6), "{}", stderr(&replay));
    assert!(stderr(&replay).contains("partial"), "{}", stderr(&replay));
    let stats = meeting(dir.path()).arg("stats").arg(&raw).output().unwrap();
    assert_eq!(stats.status.code(), Some(6), "{}", stderr(&stats));

    // Once the first run is gone its lock is too, but the directory is not empty.
    let again = meeting(dir.path())
        .env("SYSTEC_API_KEY", "k")
        .env("SYSTEC_API_SECRET", "s")
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-31",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}

#[test]
fn a_directory_without_manifest_is_read_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    std::fs::create_dir_all(old.join("jan")).unwrap();
    std::fs::copy(
        fixture("systec/his-meeting.sample.json"),
        old.join("jan/000001-systec.his_meeting.json"),
    )
    .unwrap();
    std::fs::write(old.join(".partial.tmp"), "{").unwrap();
    let out = meeting(dir.path()).arg("parse").arg(&old).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no run manifest"), "{err}");
    assert!(
        err.contains(".partial.tmp"),
        "skipped files are named: {err}"
    );
    assert!(!out.stdout.is_empty(), "subdirectories are read");
}

/// A run with failed pages and batches (half the answers fail, no retries): exit 6, every
/// record received is output (a window with a failed page warns its records incomplete),
/// and the replay of its save-raw directory gives the same output, byte for byte, with the
/// same exit code.
#[test]
fn a_partial_run_under_faults_replays_as_it_ran() {
    use meeting_sim::{FaultConfig, FaultKind, SimConfig};
    let s = crate::common::TestSim::start(
        SimConfig::new(5, 300).with_faults(FaultConfig::none().with(FaultKind::ServerError, 0.15)),
    );
    let dir = tempfile::tempdir().unwrap();
    // Faults are random: a few runs until one is partial (some failed, something received).
    let (raw, live) = (0..8)
        .map(|i| {
            let raw = dir.path().join(format!("raw{i}"));
            let mut cmd = s.meeting(dir.path());
            // Retries off (the helper has just written its profile: replace it).
            std::fs::write(
                dir.path().join("config.toml"),
                "[default]\nrate_limit = 0\nreports_rate_limit = 0\nmax_attempts = 1\n",
            )
            .unwrap();
            let live = cmd
                .args([
                    "systec",
                    "fetch",
                    "--month",
                    "2024-02",
                    "-o",
                    "jsonl",
                    "--save-raw",
                ])
                .arg(&raw)
                .output()
                .unwrap();
            (raw, live)
        })
        .find(|(_, live)| live.status.code() == Some(6))
        .expect("a partial run in eight");
    assert_eq!(live.status.code(), Some(6), "{}", stderr(&live));
    let out = stdout(&live);
    assert!(out.lines().count() > 10, "what was received is output");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(raw.join("meeting-run.json")).unwrap()).unwrap();
    let failed: Vec<&str> = manifest["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(!failed.is_empty());
    let later_page_failed = failed.iter().any(|f| {
        f.split(", page ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n > 1)
    });
    if later_page_failed {
        // A window whose first pages came and a later one failed: its records say they are
        // incomplete.
        assert!(
            out.contains("incomplete: part of the systec."),
            "{failed:?}"
        );
    }
    if failed.iter().any(|f| f.starts_with("systec.reports")) {
        // A failed reports batch: its meetings' reports are not known.
        assert!(out.contains(r#""report":"not_fetched""#), "{failed:?}");
    }
    let replay = meeting(dir.path())
        .args(["parse", "-o", "jsonl"])
        .arg(&raw)
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(6), "{}", stderr(&replay));
    assert_eq!(stdout(&replay), out, "the replay equals the live output");
}
