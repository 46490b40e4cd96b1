//! The kill loop of `cargo xtask soak`: `meeting sync` SIGKILLed at random moments against
//! `meeting-sim serve` with transient faults, again and again.
//!
//! One clean sync (a simulator without faults, same seed) gives the reference archive. Then,
//! in cycles, a fresh archive is synced against the faulty simulator: each attempt is killed
//! (SIGKILL) after a random delay up to the clean sync's duration; after every kill the
//! archive must pass `meeting archive check`; the cycle resumes (`meeting sync` with no
//! `--since`) until an attempt finishes by itself (exit 0; exit 6 — a window failed after
//! retries — is resumed too), then the archive's meetings (`meeting list --archive -o
//! jsonl`, sorted) must equal the reference, line for line. Figures: kills, resumes, checks,
//! meetings compared, differences (must be 0).
//!
//! `cargo xtask soak-sync [--kills N] [--debug]` runs only this loop (default 50 kills,
//! release binaries; `--debug` uses the debug ones).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cargo, root};

/// The simulator's data: seed and size (a quarter, 2024-01..03).
const SEED: &str = "7";
const MEETINGS: &str = "600";
/// Transient faults only (drift would change the data between the reference and the loop).
const FAULTS: &str = "5xx=0.03,drop=0.01,truncate=0.01";

/// A running `meeting-sim serve`, killed when dropped.
pub(crate) struct Sim {
    child: Child,
    /// The Systec base URL it serves.
    pub(crate) systec: String,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_sim(bin: &Path, faults: &str) -> Result<Sim, String> {
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--seed",
            SEED,
            "--meetings",
            MEETINGS,
            "--port",
            "0",
            "--latency",
            "3ms",
            "--faults",
            faults,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| String::from("meeting-sim: no stdout"))?;
    let mut systec = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("meeting-sim: {e}"))?;
        if let Some(url) = line.strip_prefix("systec:") {
            systec = Some(url.trim().to_owned());
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    let systec = systec.ok_or_else(|| String::from("meeting-sim did not print its URL"))?;
    Ok(Sim { child, systec })
}

/// xorshift64: deterministic delays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

struct Env<'a> {
    meeting: &'a Path,
    dir: &'a Path,
}

impl Env<'_> {
    fn cmd(&self, sim: Option<&Sim>) -> Command {
        let mut cmd = Command::new(self.meeting);
        cmd.env_clear()
            .env("NO_COLOR", "1")
            .env("MEETING_CONFIG", self.dir.join("config.toml"));
        if let Some(sim) = sim {
            cmd.env("SYSTEC_API_KEY", "sim-api-key")
                .env("SYSTEC_API_SECRET", "sim-api-secret")
                .env("SYSTEC_BASE_URL", &sim.systec);
        }
        cmd
    }

    fn sync(&self, sim: &Sim, archive: &Path, since: bool) -> Command {
        let mut cmd = self.cmd(Some(sim));
        cmd.args(["sync", "-q", "--until", "2024-03-31", "--archive"])
            .arg(archive)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if since {
            cmd.args(["--since", "2024-01-01"]);
        }
        cmd
    }

    fn check(&self, archive: &Path) -> Result<(), String> {
        let out = self
            .cmd(None)
            .args(["archive", "check", "--archive"])
            .arg(archive)
            .output()
            .map_err(|e| format!("archive check: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "archive check failed on {}: {}{}",
                archive.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn meetings(&self, archive: &Path) -> Result<Vec<String>, String> {
        let out = self
            .cmd(None)
            .args(["list", "-o", "jsonl", "--archive"])
            .arg(archive)
            .output()
            .map_err(|e| format!("list: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "list --archive failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        Ok(lines)
    }
}

/// Runs the kill loop: at least `kills` SIGKILLs.
pub(crate) fn soak_sync(kills: u64, debug: bool) -> Result<(), String> {
    let root = root();
    let profile = if debug { "debug" } else { "release" };
    let mut build = vec![
        "build",
        "--locked",
        "-p",
        "meeting-cli",
        "-p",
        "meeting-sim",
    ];
    if !debug {
        build.push("--release");
    }
    cargo(&build)?;
    let bin = root.join("target").join(profile);
    let work = root.join("target/soak-sync");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    // Copies of the binaries, so a build running meanwhile cannot swap them mid-loop.
    let (meeting, sim_bin) = (work.join("meeting"), work.join("meeting-sim"));
    for (from, to) in [
        (bin.join("meeting"), &meeting),
        (bin.join("meeting-sim"), &sim_bin),
    ] {
        std::fs::copy(&from, to).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    std::fs::write(
        work.join("config.toml"),
        "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
    )
    .map_err(|e| format!("config: {e}"))?;
    let env = Env {
        meeting: &meeting,
        dir: &work,
    };

    let clean = start_sim(&sim_bin, "")?;
    let faulty = start_sim(&sim_bin, FAULTS)?;
    let reference = work.join("reference.sqlite");
    let t = Instant::now();
    let status = env
        .sync(&clean, &reference, true)
        .status()
        .map_err(|e| format!("sync: {e}"))?;
    let clean_duration = t.elapsed();
    if !status.success() {
        return Err(format!("the clean reference sync failed ({status})"));
    }
    env.check(&reference)?;
    let expected = env.meetings(&reference)?;
    eprintln!(
        "xtask soak-sync: reference: {} meetings in {:.2} s; faults {FAULTS}",
        expected.len(),
        clean_duration.as_secs_f64()
    );
    let max_delay = u64::try_from(clean_duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(200);

    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut done_kills, mut resumes, mut checks, mut cycles) = (0u64, 0u64, 0u64, 0u64);
    let (mut compared, mut differences, mut partial_exits) = (0u64, 0u64, 0u64);
    let mut fresh_starts = 0u64;
    while done_kills < kills {
        cycles += 1;
        let archive = work.join(format!("cycle-{cycles}.sqlite"));
        let mut first = true;
        // Up to 4 kills per cycle, then let it finish.
        let kills_here = 1 + rng.below(4);
        let mut killed_here = 0;
        loop {
            let mut child = env
                .sync(&faulty, &archive, first)
                .spawn()
                .map_err(|e| format!("sync: {e}"))?;
            let resumed = !first;
            if resumed {
                resumes += 1;
            }
            first = false;
            if killed_here < kills_here && done_kills < kills {
                let delay = 10 + rng.below(max_delay);
                std::thread::sleep(Duration::from_millis(delay));
                match child.try_wait().map_err(|e| format!("sync: {e}"))? {
                    None => {
                        let _ = child.kill();
                        let _ = child.wait();
                        done_kills += 1;
                        killed_here += 1;
                        if archive.exists() {
                            env.check(&archive)?;
                            checks += 1;
                        }
                        continue;
                    }
                    Some(status) if status.code() == Some(6) => {
                        partial_exits += 1;
                        continue;
                    }
                    // Killed before its first commit, the run left nothing to resume
                    // from: the next attempt needs --since again (exit 2 says so).
                    Some(status) if status.code() == Some(2) && resumed => {
                        fresh_starts += 1;
                        first = true;
                        continue;
                    }
                    Some(status) if status.success() => break,
                    Some(status) => return Err(format!("sync exited with {status}")),
                }
            }
            let status = child.wait().map_err(|e| format!("sync: {e}"))?;
            match status.code() {
                Some(0) => break,
                Some(6) => partial_exits += 1,
                Some(2) if resumed => {
                    fresh_starts += 1;
                    first = true;
                }
                _ => return Err(format!("sync exited with {status}")),
            }
        }
        env.check(&archive)?;
        checks += 1;
        let got = env.meetings(&archive)?;
        compared += got.len() as u64;
        let diff = got.iter().zip(&expected).filter(|(a, b)| a != b).count()
            + got.len().abs_diff(expected.len());
        differences += diff as u64;
        if diff > 0 {
            eprintln!(
                "xtask soak-sync: cycle {cycles}: {diff} difference(s) against the reference ({} vs {} meetings)",
                got.len(),
                expected.len()
            );
        }
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let mut name = archive.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(Path::new(&name));
        }
        eprintln!(
            "xtask soak-sync: cycle {cycles}: {killed_here} kill(s), equal: {}",
            diff == 0
        );
    }
    let report = format!(
        "kill loop: {done_kills} SIGKILLs of `meeting sync` in {cycles} cycles, {resumes} resumes ({partial_exits} exit-6 runs resumed too; {fresh_starts} restarted with --since after a kill before the first commit), {checks} `archive check` passed, {compared} meetings compared with one clean sync ({} each), differences: {differences}",
        expected.len()
    );
    println!("{report}");
    let path = root.join("target/soak-sync-report.txt");
    let _ = std::fs::write(&path, format!("{report}\n"));
    drop((clean, faulty));
    if differences > 0 {
        return Err(format!("{differences} difference(s) after resuming"));
    }
    Ok(())
}

/// `soak-sync` arguments: `--kills N`, `--debug`.
pub(crate) fn parse_args(args: &[String]) -> Result<(u64, bool), String> {
    let mut kills = 50;
    let mut debug = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--kills" => {
                kills = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| String::from("--kills needs a number"))?;
            }
            "--debug" => debug = true,
            other => return Err(format!("soak-sync: unknown argument `{other}`")),
        }
    }
    Ok((kills, debug))
}
