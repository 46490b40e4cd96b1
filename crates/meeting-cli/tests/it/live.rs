//! Every live command and output format against the in-process simulator.

use crate::common::{sim, stderr, stdout};

const RANGE: [&str; 4] = ["--from", "2024-01-20", "--to", "2024-02-10"];

fn jsonl_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn fetch_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    // jsonl is the default when piped.
    let out = s
        .meeting(dir.path())
        .args(["systec", "fetch"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = jsonl_lines(&stdout(&out));
    assert!(lines.len() > 30, "{}", lines.len());
    // Merged: history + detail + reports in one record, one record per key.
    let merged = lines
        .iter()
        .filter(|m| m["sources"].as_array().unwrap().len() == 3)
        .count();
    assert!(merged > 20, "{merged}");
    let mut keys: Vec<&str> = lines.iter().map(|m| m["key"].as_str().unwrap()).collect();
    let n = keys.len();
    keys.sort_unstable();
    keys.dedup();
    let stubs = lines
        .iter()
        .filter(|m| m["key"].as_str().unwrap().starts_with("systec:stub:"))
        .count();
    assert!(keys.len() + stubs >= n);
    // Times in JSON are UTC.
    assert!(lines[0]["start"].as_str().unwrap().ends_with('Z'));
    // Every uuid of the range's truth is there.
    let truth = s.handle.truth();
    let w1 =
        systec_model::DateWindow::new("2024-01-20".parse().unwrap(), "2024-01-31".parse().unwrap())
            .unwrap();
    for d in truth.detail(&w1, None) {
        let key = format!("systec:{}", d.uuid.unwrap().as_str());
        assert!(
            lines.iter().any(|m| m["key"] == key.as_str()),
            "{key} missing"
        );
    }

    let json = s
        .meeting(dir.path())
        .args(["systec", "fetch", "-o", "json"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(json.status.success());
    let array: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    // Two runs: the same records, observed at each run's start.
    let unobserved = |v: &[serde_json::Value]| -> Vec<serde_json::Value> {
        v.iter()
            .map(|m| {
                let mut m = m.clone();
                assert!(m["observed_at"].is_object(), "{m}");
                m.as_object_mut().unwrap().remove("observed_at");
                m
            })
            .collect()
    };
    assert_eq!(unobserved(&array), unobserved(&lines));

    let table = s
        .meeting(dir.path())
        .args(["systec", "fetch", "-o", "table", "--tz", "Asia/Shanghai"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(table.status.success());
    let t = stdout(&table);
    assert!(
        t.contains("start (Asia/Shanghai)") && t.contains("CNY"),
        "{t}"
    );

    for rows in ["meetings", "participants", "calls"] {
        let csv = s
            .meeting(dir.path())
            .args([
                "systec", "fetch", "-o", "csv", "--tz", "UTC", "--rows", rows,
            ])
            .args(RANGE)
            .output()
            .unwrap();
        assert!(csv.status.success(), "{}", stderr(&csv));
        let text = stdout(&csv);
        assert!(text.lines().count() > 10, "{rows}: {text}");
        if rows == "calls" {
            assert!(text.starts_with(
                "key,topic,room,number,direction,start,end,billed_minutes,cost,currency\n"
            ));
            assert!(text.contains(",CNY\n"));
        }
    }
}

#[test]
fn fetch_room_filter_and_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let room = s.handle.truth().rooms()[0].clone();
    let out_file = dir.path().join("room.csv");
    let out = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--room",
            &room.host_id,
            "--csv-bom",
            "--tz",
            "UTC",
            "--out",
        ])
        .arg(&out_file)
        .args(RANGE)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let bytes = std::fs::read(&out_file).unwrap();
    assert!(
        bytes.starts_with("\u{feff}key,".as_bytes()),
        "CSV (from the extension) with a BOM"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.lines().count() > 1);
    let jsonl = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--room", &room.host_id])
        .args(RANGE)
        .output()
        .unwrap();
    for m in jsonl_lines(&stdout(&jsonl)) {
        assert_eq!(m["room"]["id"], room.host_id.as_str());
    }
}

#[test]
fn detail_history_reports() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let out = s
        .meeting(dir.path())
        .args([
            "systec",
            "detail",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-05",
            "--participants",
            "--telephony",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let detail = jsonl_lines(&stdout(&out));
    assert!(!detail.is_empty());
    assert!(
        detail
            .iter()
            .all(|m| m["sources"] == serde_json::json!(["systec.detail"]))
    );
    assert!(detail.iter().any(|m| m["participants"].is_array()));

    let out = s
        .meeting(dir.path())
        .args([
            "systec",
            "history",
            "--from",
            "2024-02-01",
            "--to",
            "2024-02-05",
            "-o",
            "wide",
            "--tz",
            "UTC",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("history"));

    let uuid = detail[0]["occurrence_id"].as_str().unwrap().to_owned();
    let out = s
        .meeting(dir.path())
        .args(["systec", "reports", &uuid, "-o", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reports: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["sources"], serde_json::json!(["systec.reports"]));
}

#[test]
fn quanshi_conference_and_info() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let truth = s.handle.truth();
    let link = truth.quanshi_join_urls()[0].clone();
    let id = truth.dashboard_ids()[0].clone();
    let out = s
        .meeting(dir.path())
        .args(["quanshi", "conference", &link, "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = jsonl_lines(&stdout(&out));
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0]["key"]
            .as_str()
            .unwrap()
            .starts_with("quanshi:conference:")
    );

    let out = s
        .meeting(dir.path())
        .args(["quanshi", "info", &id, "-o", "wide", "--tz", "UTC"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("quanshi:temp:{id}")));

    let out = s
        .meeting(dir.path())
        .args(["quanshi", "info", &id, "--raw", "-o", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let raw = jsonl_lines(&stdout(&out));
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0]["status"], 0);
}

#[test]
fn raw_bodies_in_fetch_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let out = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--raw", "-o", "jsonl"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let bodies = jsonl_lines(&stdout(&out));
    // Two history windows first, then detail pages, then reports.
    assert!(bodies.len() >= 5);
    assert!(bodies[0]["data"].is_array());
    assert_eq!(bodies[0]["status"], 200);
    let table = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--raw", "-o", "table"])
        .args(RANGE)
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(2));
}

#[test]
fn mask_pii_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let plain = s
        .meeting(dir.path())
        .args(["systec", "fetch"])
        .args(RANGE)
        .output()
        .unwrap();
    let plain = stdout(&plain);
    let masked = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--mask-pii"])
        .args(RANGE)
        .output()
        .unwrap();
    let masked = stdout(&masked);
    let first_call = jsonl_lines(&plain)
        .into_iter()
        .find_map(|m| m["phone_calls"].as_array().and_then(|c| c.first().cloned()))
        .unwrap();
    let number = first_call["number"].as_str().unwrap();
    assert!(plain.contains(number));
    assert!(!masked.contains(number), "phone number not masked");
    let last4 = &number[number.len() - 4..];
    assert!(masked.contains(&format!("****{last4}\"")));
    // A room's mailbox is room identity and kept; people get pseudonyms; IPs keep two
    // octets; every figure is unchanged.
    assert!(plain.contains("@"));
    let plain_lines = jsonl_lines(&plain);
    for (m, p) in jsonl_lines(&masked).iter().zip(&plain_lines) {
        assert_eq!(m["room"], p["room"], "rooms are not personal data");
        assert_eq!(m["duration_seconds"], p["duration_seconds"]);
        assert_eq!(m["participant_count"], p["participant_count"]);
        for (mp, pp) in m["participants"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(p["participants"].as_array().into_iter().flatten())
        {
            if let Some(ip) = mp["ip"].as_str() {
                assert!(ip.ends_with(".*.*") || ip.ends_with(":*"), "{ip}");
            }
            if let Some(name) = mp["name"].as_str() {
                assert!(name.starts_with("person-"), "{name}");
                assert_ne!(mp["name"], pp["name"]);
            }
        }
    }
    let raw = s
        .meeting(dir.path())
        .args(["systec", "fetch", "--raw", "-o", "jsonl", "--mask-pii"])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(!stdout(&raw).contains(number));
    let calls = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "-o",
            "csv",
            "--rows",
            "calls",
            "--mask-pii",
            "--tz",
            "UTC",
        ])
        .args(RANGE)
        .output()
        .unwrap();
    assert!(!stdout(&calls).contains(number));
}

#[test]
fn auth_failure_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let out = s
        .meeting(dir.path())
        .env("SYSTEC_API_SECRET", "wrong")
        .args(["systec", "history"])
        .args(RANGE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("SYSTEC_API_KEY/SYSTEC_API_SECRET"), "{err}");
    assert!(err.contains("meeting config check"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unavailable_exit_5() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on (bound then dropped).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.path().join("config.toml"),
        "[default]\nmax_attempts = 1\n",
    )
    .unwrap();
    let out = crate::common::meeting(dir.path())
        .env("SYSTEC_API_KEY", "k")
        .env("SYSTEC_API_SECRET", "s")
        .env(
            "SYSTEC_BASE_URL",
            format!("http://127.0.0.1:{port}/umeeting/share/"),
        )
        .args(["systec", "history"])
        .args(RANGE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
}

#[test]
fn missing_credentials_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::meeting(dir.path())
        .args(["systec", "history"])
        .args(RANGE)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("SYSTEC_API_KEY"));
}

#[test]
fn demo_runs() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = crate::common::meeting(dir.path())
        .args(["demo", "-o", "wide", "--tz", "Asia/Shanghai"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("detail+history+reports"), "{text}");
    assert!(text.contains("quanshi:"), "{text}");
    assert!(
        text.contains("Summary per room") && text.contains("TOTAL"),
        "{text}"
    );
    assert!(started.elapsed().as_secs() < 20);
}

/// Piped (JSON Lines), the demo's notes give the fetch's real counts once ("demo: synced
/// ... records in ... requests") and what it wrote: no second, empty fetch summary.
#[test]
fn demo_piped_states_its_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::meeting(dir.path())
        .args(["demo", "-o", "jsonl"])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = stdout(&out).lines().count();
    let err = stderr(&out);
    assert!(
        err.contains(&format!("demo: wrote {lines} meetings")),
        "{err}"
    );
    assert!(!err.contains("fetched 0 records"), "{err}");
}
