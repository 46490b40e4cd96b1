//! Sustained load on loopback: `cargo xtask load [SECONDS]`, or
//! `cargo run --release -p meeting-http --example load -- --seconds 60`.
//!
//! The simulator (no faults) and a client with 16 workers send single-page `detail` requests
//! as fast as the machine allows for SECONDS. Every second it samples resident memory and the
//! runtime's live tasks. At the end it prints the rate, the errors (must be 0), memory at the
//! first and last full second, and the live tasks once the workers stopped, the client was
//! dropped and the simulator shut down (must be back to the idle count: nothing stuck).
//! Exits non-zero on any error or stuck task.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    missing_docs
)]

use meeting_http::SystecClient;
use meeting_sim::{Sim, SimConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use systec_model::DetailQuery;

const WORKERS: u64 = 16;

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| {
                    l.strip_prefix("VmRSS:")
                        .map(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
                })
                .flatten()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let seconds = arg("--seconds", 30);
    let sim = Sim::start(SimConfig::new(31, 3000))
        .await
        .expect("simulator");
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials_from(sim.credentials())
        .rate_limit(None)
        .concurrency(usize::try_from(WORKERS).unwrap_or(16))
        .build()
        .expect("client");
    let metrics = tokio::runtime::Handle::current().metrics();
    let idle_tasks = metrics.num_alive_tasks();
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let (client, ok, errors, stop) = (client.clone(), ok.clone(), errors.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut page = 1 + w % 5;
            while !stop.load(Ordering::Relaxed) {
                let q = DetailQuery::new()
                    .from(chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap())
                    .to(chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
                    .page_size(30)
                    .page_number(u32::try_from(page).unwrap_or(1));
                match client.detail_page(&q).await {
                    Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        eprintln!("error: {e}");
                        errors.fetch_add(1, Ordering::Relaxed)
                    }
                };
                page = page % 30 + 1;
            }
        }));
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    for s in 1..=seconds {
        tokio::time::sleep_until((started + Duration::from_secs(s)).into()).await;
        // The simulator keeps a request log for tests; a long load run empties it.
        sim.clear_requests();
        samples.push((
            s,
            ok.load(Ordering::Relaxed),
            rss_mib(),
            metrics.num_alive_tasks(),
        ));
        eprintln!(
            "[{s:>4}s] requests {} errors {} rss {:.1} MiB tasks {}",
            ok.load(Ordering::Relaxed),
            errors.load(Ordering::Relaxed),
            rss_mib(),
            metrics.num_alive_tasks()
        );
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Idle keep-alive connections (the client's pool, the server's connection tasks) are
    // alive until their owners go: drop the client and stop the simulator, then count.
    let pooled_tasks = metrics.num_alive_tasks();
    drop(client);
    sim.shutdown().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_tasks = metrics.num_alive_tasks();
    let total = ok.load(Ordering::Relaxed);
    let errs = errors.load(Ordering::Relaxed);
    let first = samples.first().map_or(f64::NAN, |s| s.2);
    let last = samples.last().map_or(f64::NAN, |s| s.2);
    println!(
        "load: {seconds}s, {WORKERS} workers, requests={total} errors={errs} rate={:.0}/s rss_first_s={first:.1}MiB rss_last_s={last:.1}MiB live_tasks_idle={idle_tasks} live_tasks_with_pool={pooled_tasks} live_tasks_after_shutdown={after_tasks}",
        total as f64 / elapsed
    );
    if errs == 0 && after_tasks <= idle_tasks + 1 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
