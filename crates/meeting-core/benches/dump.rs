//! Throughput of `read_dump` + normalisation against plain `serde_json` parses of the same
//! documents (`Value` and `IgnoredAny`), on a generated `detail` dump in JSON Lines.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use meeting_core::{DumpOptions, read_dump};
use std::hint::black_box;

#[path = "../examples/dumpgen/mod.rs"]
mod generate;

fn bench(c: &mut Criterion) {
    let data = generate::detail_dump(40, 100);
    let docs: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut group = c.benchmark_group("detail_dump");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("read_dump+normalise", |b| {
        b.iter(|| {
            let n = read_dump(black_box(&data[..]), DumpOptions::default())
                .filter(Result::is_ok)
                .count();
            assert_eq!(n, 4000);
        });
    });
    group.bench_function("systec_model::detail::parse_response only", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(systec_model::detail::parse_response(d).unwrap());
            }
        });
    });
    group.bench_function("parse_response+normalise (no scanner)", |b| {
        b.iter(|| {
            for d in &docs {
                let page = systec_model::detail::parse_response(d).unwrap();
                black_box(meeting_core::Normalize::normalize(
                    page,
                    &meeting_core::Context::default(),
                ));
            }
        });
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(serde_json::from_slice::<serde_json::Value>(d).unwrap());
            }
        });
    });
    group.bench_function("serde::de::IgnoredAny", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(serde_json::from_slice::<serde::de::IgnoredAny>(d).unwrap());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
