//! The long fault soak: `cargo xtask soak [SECONDS]`, or directly
//! `cargo run --release -p meeting-http --example soak -- --seconds 300 --meetings 2000`.
//!
//! Runs soak rounds with new seeds until the time is up (a round started before the end is
//! finished), then prints the totals and exits non-zero if any record was lost or any error
//! was unclear.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs
)]

#[path = "../tests/support/soak.rs"]
#[allow(dead_code, clippy::cast_possible_truncation)]
mod soak;

use std::time::{Duration, Instant};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let seconds = arg("--seconds", 120);
    let meetings = usize::try_from(arg("--meetings", 1500)).unwrap_or(1500);
    let max_rate = 0.10;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut report = soak::SoakReport::default();
    let mut seed = arg("--seed", 1);
    let started = Instant::now();
    while Instant::now() < deadline {
        soak::run_once(seed, meetings, max_rate, &mut report).await;
        // Every other round: half the answers fail and retries are few, so windows, pages
        // and batches fail; everything received must be kept.
        if seed.is_multiple_of(2) {
            soak::run_partial(seed, meetings, max_rate / 2.0, &mut report).await;
        }
        eprintln!(
            "[{:>5.0}s] seed {seed}: {report}",
            started.elapsed().as_secs_f64()
        );
        seed += 1;
    }
    println!(
        "soak: {report} (fault rates up to {:.0}%, {meetings} meetings per run, {:.0}s)",
        max_rate * 100.0,
        started.elapsed().as_secs_f64()
    );
    for f in &report.failures {
        println!("  {f}");
    }
    if report.failures.is_empty() && report.records_lost == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
