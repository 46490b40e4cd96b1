//! Helpers: the `meeting` command with a clean environment, and simulators.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use meeting_sim::{Sim, SimConfig, SimHandle};

/// The repository's fixtures.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// `meeting` with an empty environment, no colour, and a config path in `dir` (so the real
/// home is never read).
pub(crate) fn meeting(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("meeting").unwrap();
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("MEETING_CONFIG", dir.join("config.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// `meeting` as a plain process, with the same clean environment (for redirections and
/// signals that assert_cmd does not offer).
pub(crate) fn plain(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("meeting"));
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("MEETING_CONFIG", dir.join("config.toml"))
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A running simulator with its own runtime.
pub(crate) struct TestSim {
    pub(crate) handle: SimHandle,
    _rt: tokio::runtime::Runtime,
}

impl TestSim {
    pub(crate) fn start(config: SimConfig) -> TestSim {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = rt.block_on(Sim::start(config)).unwrap();
        TestSim { handle, _rt: rt }
    }

    /// `meeting` pointed at this simulator (credentials in the environment, rate limits off
    /// in a profile without secrets).
    pub(crate) fn meeting(&self, dir: &Path) -> Command {
        std::fs::write(
            dir.join("config.toml"),
            "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
        )
        .unwrap();
        let mut cmd = meeting(dir);
        cmd.env("SYSTEC_API_KEY", self.handle.api_key())
            .env("SYSTEC_API_SECRET", self.handle.api_secret())
            .env("SYSTEC_BASE_URL", self.handle.systec_base_url())
            .env("QUANSHI_TOKEN", self.handle.token())
            .env("QUANSHI_BASE_URL", self.handle.quanshi_base_url())
            .env(
                "QUANSHI_CONFERENCE_PATH",
                self.handle.quanshi_conference_path(),
            );
        cmd
    }
}

/// The shared simulator: seed 7, 300 meetings over January–March 2024.
pub(crate) fn sim() -> &'static TestSim {
    static SIM: OnceLock<TestSim> = OnceLock::new();
    SIM.get_or_init(|| TestSim::start(SimConfig::new(7, 300)))
}

pub(crate) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub(crate) fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Imports `input` into the archive `db` (`meeting archive import`, stdin not a
/// terminal), asserting it succeeds; its output (the counts are on stderr).
pub(crate) fn imported(
    dir: &Path,
    input: impl AsRef<std::ffi::OsStr>,
    db: &Path,
) -> std::process::Output {
    let out = meeting(dir)
        .args(["archive", "import"])
        .arg(input)
        .arg("--archive")
        .arg(db)
        .write_stdin("")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

/// A saved Systec run of the first quarter of 2024 from the shared simulator.
pub(crate) fn saved_quarter(dir: &Path) -> PathBuf {
    let raw = dir.join("q1");
    let fetch = sim()
        .meeting(dir)
        .args([
            "systec",
            "fetch",
            "--from",
            "2024-01-01",
            "--to",
            "2024-03-31",
            "-o",
            "jsonl",
            "--save-raw",
        ])
        .arg(&raw)
        .output()
        .unwrap();
    assert!(fetch.status.success(), "{}", stderr(&fetch));
    raw
}
