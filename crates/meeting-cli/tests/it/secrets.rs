//! Secrets from the environment appear in no output: stdout, stderr at -vvv, saved files.

use meeting_sim::SimConfig;

use crate::common::{TestSim, stderr, stdout};

const KEY: &str = "SENTINEL-KEY-8d1f2c";
const SECRET: &str = "SENTINEL-SECRET-77aa31";
const TOKEN: &str = "SENTINEL-TOKEN-31c9e0";

#[test]
fn secrets_never_echoed() {
    let mut config = SimConfig::new(11, 120);
    config.api_key = KEY.to_owned();
    config.api_secret = SECRET.to_owned();
    config.token = TOKEN.to_owned();
    let s = TestSim::start(config);
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw");
    let mut seen = String::new();
    let fetch = s
        .meeting(dir.path())
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-25",
            "--to",
            "2024-02-03",
            "-vvv",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(fetch.status.success(), "{}", stderr(&fetch));
    assert!(stderr(&fetch).contains("TRACE") || stderr(&fetch).contains("DEBUG"));
    seen.push_str(&stdout(&fetch));
    seen.push_str(&stderr(&fetch));
    let truth = s.handle.truth();
    let link = truth.quanshi_join_urls()[0].clone();
    let id = truth.dashboard_ids()[0].clone();
    for args in [
        vec![
            "quanshi",
            "conference",
            link.as_str(),
            "-vvv",
            "--raw",
            "-o",
            "json",
        ],
        vec!["quanshi", "info", id.as_str(), "-vvv", "-o", "json"],
        vec!["config", "check", "-vvv"],
    ] {
        let out = s.meeting(dir.path()).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        seen.push_str(&stdout(&out));
        seen.push_str(&stderr(&out));
    }
    // A wrong secret: the error must not echo what was sent either.
    let bad = s
        .meeting(dir.path())
        .env("SYSTEC_API_KEY", "SENTINEL-WRONG-KEY-0001")
        .args([
            "systec",
            "history",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-02",
            "-vvv",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(4));
    let bad_text = format!("{}{}", stdout(&bad), stderr(&bad));
    assert!(!bad_text.contains("SENTINEL-WRONG-KEY-0001"), "{bad_text}");
    assert!(!bad_text.contains(SECRET));
    for entry in std::fs::read_dir(&raw).unwrap() {
        seen.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for sentinel in [KEY, SECRET, TOKEN] {
        assert!(!seen.contains(sentinel), "{sentinel} leaked");
    }
}

/// Meeting passwords, host links, the phone-bridge link, live-stream passwords and join
/// passphrases stay in raw output (`--raw`, `--save-raw`: the vendor's own bodies) and never
/// reach the neutral output in any format, nor stderr at trace level.
#[test]
fn meeting_secrets_never_reach_neutral_output() {
    let s = TestSim::start(SimConfig::new(12, 40));
    let dir = tempfile::tempdir().unwrap();
    let truth = s.handle.truth();
    let mut checked = 0;
    for link in truth.quanshi_join_urls().iter().take(8) {
        let conference = truth.quanshi_conference(link).unwrap();
        let mut secrets: Vec<String> = [
            conference.pcode1.as_ref().map(|p| p.expose().to_owned()),
            conference.pcode2.as_ref().map(|p| p.expose().to_owned()),
            conference
                .host_join_url
                .as_ref()
                .map(|p| p.expose().to_owned()),
            conference.wcallurl.as_ref().map(|p| p.expose().to_owned()),
            conference
                .live_pull_pwd
                .as_ref()
                .map(|p| p.expose().to_owned()),
            conference
                .cal_extra_info
                .as_ref()
                .and_then(|c| c.event_watchword.as_ref())
                .map(|p| p.expose().to_owned()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| s.len() >= 4)
        .collect();
        // The attendee link admits anyone: it is not neutral output either.
        secrets.push(link.clone());
        let mut seen = String::new();
        for format in ["json", "jsonl", "csv", "table"] {
            for rows in ["meetings", "participants"] {
                let out = s
                    .meeting(dir.path())
                    .args([
                        "quanshi",
                        "conference",
                        link.as_str(),
                        "-vvv",
                        "-o",
                        format,
                        "--rows",
                        rows,
                        "--tz",
                        "UTC",
                    ])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{}", stderr(&out));
                seen.push_str(&stdout(&out));
                seen.push_str(&stderr(&out));
            }
        }
        for secret in &secrets {
            assert!(
                !seen.contains(secret.as_str()),
                "a meeting secret leaked: {secret:?}"
            );
            checked += 1;
        }
        // The raw body hides its secrets unless --show-secrets asks for the verbatim body.
        let raw = |extra: &[&str]| {
            let out = s
                .meeting(dir.path())
                .args([
                    "quanshi",
                    "conference",
                    link.as_str(),
                    "--raw",
                    "-o",
                    "json",
                ])
                .args(extra)
                .output()
                .unwrap();
            stdout(&out)
        };
        if let Some(p) = conference.pcode1.as_ref() {
            assert!(!raw(&[]).contains(p.expose()), "--raw masks secrets");
            assert!(!raw(&["--mask-pii"]).contains(p.expose()));
            assert!(
                raw(&["--show-secrets"]).contains(p.expose()),
                "--raw --show-secrets is the vendor's verbatim body"
            );
        }
    }
    assert!(checked >= 8 * 4, "only {checked} secrets checked");
}
