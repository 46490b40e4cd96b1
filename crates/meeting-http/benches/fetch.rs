//! Whole-range fetch against the simulator (`cargo bench -p meeting-http --bench fetch`):
//!
//! 1. `detail` over 10,000 meetings with 20 ms latency per reply and concurrency 8 (client
//!    rate limit off): wall time against the ideal `pages / concurrency × latency`;
//! 2. the same with no latency: requests per second;
//! 3. the client's CPU time per request (the client runs on this thread, the simulator on
//!    its own runtime's threads, so this thread's CPU time is the client's alone).
//!
//! Prints one line per figure; `cargo xtask bench` collects them. Medians of `RUNS` runs.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    clippy::indexing_slicing
)]

use futures::TryStreamExt;
use meeting_http::SystecClient;
use meeting_sim::{FaultConfig, Sim, SimConfig};
use std::time::{Duration, Instant};
use systec_model::DetailQuery;

const MEETINGS: usize = 10_000;
const CONCURRENCY: usize = 8;
const PAGE_SIZE: u32 = 30;
const RUNS: usize = 5;

/// This thread's CPU time (user + system), from /proc (Linux).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct Run {
    wall: Duration,
    requests: u64,
    meetings: usize,
    cpu: Option<Duration>,
}

fn fetch(latency: Duration) -> (Vec<Run>, u64) {
    // The simulator on its own runtime (its own threads).
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut faults = FaultConfig::none();
    faults.latency = latency;
    let sim = sim_rt
        .block_on(Sim::start(SimConfig::new(21, MEETINGS).with_faults(faults)))
        .unwrap();
    // The client on this thread.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials_from(sim.credentials())
        .rate_limit(None)
        .concurrency(CONCURRENCY)
        .page_size(PAGE_SIZE)
        .build()
        .unwrap();
    let query = DetailQuery::new()
        .from(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .to(chrono::NaiveDate::from_ymd_opt(2024, 3, 31).unwrap());
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let before = client.requests_sent();
        let cpu0 = thread_cpu();
        let t = Instant::now();
        let got: Vec<_> = rt
            .block_on(client.detail(query.clone()).try_collect())
            .unwrap();
        let wall = t.elapsed();
        let cpu = thread_cpu().zip(cpu0).map(|(a, b)| a.saturating_sub(b));
        runs.push(Run {
            wall,
            requests: client.requests_sent() - before,
            meetings: got.len(),
            cpu,
        });
    }
    // Pages the ideal counts: per window, ceil(records / page size).
    let truth = sim.truth();
    let pages: u64 = systec_model::month_windows(query.from.unwrap(), query.to.unwrap())
        .unwrap()
        .map(|w| {
            (truth.detail(&w, None).len() as u64)
                .div_ceil(u64::from(PAGE_SIZE))
                .max(1)
        })
        .sum();
    sim_rt.block_on(sim.shutdown());
    (runs, pages)
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let latency = Duration::from_millis(20);
    let (runs, pages) = fetch(latency);
    let wall = median(runs.iter().map(|r| r.wall.as_secs_f64()).collect());
    let ideal = pages as f64 / CONCURRENCY as f64 * latency.as_secs_f64();
    println!(
        "fetch-latency meetings={} pages={pages} requests={} concurrency={CONCURRENCY} latency_ms=20 wall_s={wall:.3} ideal_s={ideal:.3} ratio={:.3}",
        runs[0].meetings,
        runs[0].requests,
        wall / ideal
    );
    let (runs, _) = fetch(Duration::ZERO);
    let rps = median(
        runs.iter()
            .map(|r| r.requests as f64 / r.wall.as_secs_f64())
            .collect(),
    );
    let cpu_us = median(
        runs.iter()
            .filter_map(|r| r.cpu.map(|c| c.as_secs_f64() * 1e6 / r.requests as f64))
            .collect::<Vec<_>>()
            .into_iter()
            .chain(std::iter::once(f64::NAN))
            .filter(|x| !x.is_nan())
            .collect(),
    );
    println!(
        "fetch-no-latency requests={} rps={rps:.0} client_cpu_us_per_request={cpu_us:.0}",
        runs[0].requests
    );
}
