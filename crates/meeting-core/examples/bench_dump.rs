//! Offline-parsing throughput on one dump file, for `cargo xtask bench`:
//! `bench_dump FILE [RUNS]` prints one line of `key=value` pairs:
//!
//! - `read_dump`: `read_dump` + normalise (every meeting built), single-threaded;
//! - `owned`: the same with the borrowed fast path off (every document through the owned
//!   model types), for comparison;
//! - `value`: `serde_json::from_slice::<serde_json::Value>` per document;
//! - `ignored`: `serde_json::from_slice::<serde::de::IgnoredAny>` per document (serde_json's
//!   bare scan).
//!
//! `bench_dump FILE RUNS NAME` times only the row NAME (for a profiler such as callgrind).
//!
//! Each is the median MB/s of RUNS passes over the file held in memory (so disk speed is
//! out of it); the baselines split documents on newlines, as a JSON Lines dump is laid out.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

use meeting_core::{DumpOptions, read_dump};
use std::hint::black_box;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: bench_dump FILE [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(5);
    let only = args.next();
    let bytes = std::fs::read(&path)?;
    let mb = bytes.len() as f64 / 1e6;
    let docs: Vec<&[u8]> = bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut results = Vec::new();
    let mut meetings = 0;
    let mut time = |name: &str, f: &mut dyn FnMut() -> usize| {
        if only.as_deref().is_some_and(|o| o != name) {
            return;
        }
        let mut speeds = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let n = f();
            speeds.push(mb / t.elapsed().as_secs_f64());
            black_box(n);
        }
        results.push(format!("{name}={:.1}", median(speeds)));
    };
    time("read_dump", &mut || {
        let mut reader = read_dump(bytes.as_slice(), DumpOptions::default());
        let n = reader.by_ref().filter(Result::is_ok).count();
        meetings = n;
        n
    });
    time("owned", &mut || {
        let options = DumpOptions::default().borrowed_fast_path(false);
        read_dump(bytes.as_slice(), options)
            .filter(Result::is_ok)
            .count()
    });
    time("value", &mut || {
        docs.iter()
            .filter(|d| serde_json::from_slice::<serde_json::Value>(d).is_ok())
            .count()
    });
    time("ignored", &mut || {
        docs.iter()
            .filter(|d| serde_json::from_slice::<serde::de::IgnoredAny>(d).is_ok())
            .count()
    });
    println!(
        "file_mb={mb:.1} documents={} meetings={meetings} {}",
        docs.len(),
        results.join(" ")
    );
    Ok(())
}
