//! Configuration: profiles, permissions, `config init` and `config check`.

use crate::common::{meeting, sim, stderr, stdout};

#[cfg(unix)]
#[test]
fn readable_config_with_secrets_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[default]\nsystec_api_key = \"k\"\nsystec_api_secret = \"s\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = meeting(dir.path())
        .args([
            "systec",
            "history",
            "--from",
            "2024-01-01",
            "--to",
            "2024-01-02",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("chmod 600 {}", path.display())),
        "{err}"
    );
    assert!(!err.contains("\"k\""));
}

#[cfg(unix)]
#[test]
fn init_then_check_against_the_simulator() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let s = sim();
    let path = dir.path().join("meeting.toml");
    let out = meeting(dir.path())
        .args(["config", "init", "--profile", "sim", "--config"])
        .arg(&path)
        .env("SYSTEC_BASE_URL", s.handle.systec_base_url())
        .write_stdin(format!(
            "{}\n{}\n\n",
            s.handle.api_key(),
            s.handle.api_secret()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains(s.handle.api_secret()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = meeting(dir.path())
        .args(["config", "init", "--profile", "sim", "--config"])
        .arg(&path)
        .write_stdin("a\nb\n\n")
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "existing profile needs --force"
    );

    let check = meeting(dir.path())
        .args(["config", "check", "--profile", "sim", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(stdout(&check).contains("systec: OK"), "{}", stdout(&check));

    // The environment beats the profile: a wrong secret fails with exit 4.
    let bad = meeting(dir.path())
        .args(["config", "check", "--config"])
        .arg(&path)
        .env("MEETING_PROFILE", "sim")
        .env("SYSTEC_API_SECRET", "nope")
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(4),
        "{}{}",
        stdout(&bad),
        stderr(&bad)
    );
    assert!(stdout(&bad).contains("systec: FAILED"));

    let unknown = meeting(dir.path())
        .args(["config", "check", "--profile", "nope", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("sim"));
}

/// A config file (or its directory) that others can write is refused whatever it holds: it
/// could point the base URL elsewhere and the credentials from the environment would follow.
#[cfg(unix)]
#[test]
fn config_writable_by_others_is_refused_even_without_secrets() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[default]\nsystec_base_url = \"http://127.0.0.2:9/\"\n",
    )
    .unwrap();
    let run = || {
        meeting(dir.path())
            .env("SYSTEC_API_KEY", "k")
            .env("SYSTEC_API_SECRET", "s")
            .args([
                "systec",
                "history",
                "--from",
                "2024-01-01",
                "--to",
                "2024-01-02",
            ])
            .output()
            .unwrap()
    };
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("chmod go-w {}", path.display())),
        "{}",
        stderr(&out)
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("its directory"), "{}", stderr(&out));
}
