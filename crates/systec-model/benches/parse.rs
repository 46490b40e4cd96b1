//! Parsing a multi-MB `detail` dump: `systec-model` against `serde_json::Value` and
//! `serde::de::IgnoredAny` (serde_json's bare scan) on the same bytes.
//!
//! `cargo bench -p systec-model --bench parse`. The ratio of throughputs is what counts
//! (the machines are small and noisy); criterion prints MiB/s for each.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A detail page of `meetings` meetings, each with participants and calls, as the vendor
/// would send it (pretty-printing off).
fn detail_page(page: usize, meetings: usize) -> String {
    let mut ms = Vec::with_capacity(meetings);
    for i in 0..meetings {
        let n = page * meetings + i;
        let participants: Vec<String> = (0..8)
            .map(|p| {
                format!(
                    r#"{{"name":"参会者{p} Participant {n}","join_time":"2024-01-{:02} 09:{:02}:00","leave_time":"2024-01-{:02} 10:{:02}:31"}}"#,
                    n % 28 + 1,
                    p * 3,
                    n % 28 + 1,
                    p * 2
                )
            })
            .collect();
        let calls: Vec<String> = (0..2)
            .map(|c| {
                format!(
                    r#"{{"phone_number":"+86137168{n:05}","type":"call-out","start_time":"2024-01-{:02} 09:1{c}:00","end_time":"2024-01-{:02} 09:2{c}:00","duration":{},"total":0.{:02}}}"#,
                    n % 28 + 1,
                    n % 28 + 1,
                    10 + c,
                    6 + c
                )
            })
            .collect();
        ms.push(format!(
            r#"{{"uuid":"dgvOvqWVRUWj{n:08}/+==","host_id":"ROOM-{:03}","meeting_id":"17900{n:05}","topic":"周会 Weekly sync {n}","start_time":"2024-01-{:02} 09:00:00","duration":60,"end_time":"2024-01-{:02} 10:00:00","is_extra":0,"participants":[{}],"telephony_usage":[{}]}}"#,
            n % 40,
            n % 28 + 1,
            n % 28 + 1,
            participants.join(","),
            calls.join(",")
        ));
    }
    format!(
        r#"{{"status":200,"message":"OK","data":{{"from":"2024-01-01","to":"2024-01-31","total_record":100000,"total_page":1000,"page_number":{},"page_size":{meetings},"has_previous_page":true,"has_next_page":true,"meetings":[{}]}}}}"#,
        page + 1,
        ms.join(",")
    )
}

fn bench(c: &mut Criterion) {
    // About 4 MB in 40 documents of 100 meetings each.
    let docs: Vec<Vec<u8>> = (0..40).map(|p| detail_page(p, 100).into_bytes()).collect();
    let bytes: u64 = docs.iter().map(|d| d.len() as u64).sum();
    let mut group = c.benchmark_group("detail-dump");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("systec_model::detail::parse_response", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(systec_model::detail::parse_response(d).unwrap());
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
