//! Importing N meetings into an archive (meetings/s) against merging the same records in
//! memory, in the same run: the price of durability (WAL, `synchronous=FULL`, one
//! transaction per load) and of the queryable tables.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use meeting_core::{DumpOptions, Meeting, read_dump};
use meeting_sim::dump::{DumpEndpoint, write_dump};
use meeting_store::{Observation, Writer};

fn records() -> Vec<Meeting> {
    let mut out = Vec::new();
    for (endpoint, bytes) in [
        (DumpEndpoint::Detail, 1_700_000),
        (DumpEndpoint::Reports, 3_600_000),
        (DumpEndpoint::HisMeeting, 350_000),
    ] {
        let mut dump = Vec::new();
        write_dump(endpoint, bytes, 42, &mut dump).unwrap();
        out.extend(read_dump(dump.as_slice(), DumpOptions::default()).map(Result::unwrap));
    }
    out
}

fn bench(c: &mut Criterion) {
    let records = records();
    let base = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let observations: Vec<Observation> = records
        .iter()
        .enumerate()
        .map(|(i, m)| {
            Observation::new(
                "bench",
                base + Duration::seconds(i64::try_from(i).unwrap()),
                m.clone(),
            )
        })
        .collect();
    let meetings = meeting_core::merge::merge(records.clone())
        .into_iter()
        .filter(|m| !m.is_stub())
        .count() as u64;
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Elements(meetings));
    group.bench_function(
        format!(
            "archive: load {} records ({meetings} meetings)",
            records.len()
        ),
        |b| {
            b.iter_with_setup(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    let writer = Writer::open(dir.path().join("a.sqlite")).unwrap();
                    let s = writer.load(observations.clone()).unwrap();
                    assert_eq!(s.new, meetings);
                    writer.close().unwrap();
                    dir
                },
            );
        },
    );
    group.bench_function("archive: reload the same records (all unchanged)", |b| {
        let dir = tempfile::tempdir().unwrap();
        let writer = Writer::open(dir.path().join("a.sqlite")).unwrap();
        writer.load(observations.clone()).unwrap();
        b.iter(|| {
            let s = writer.load(observations.clone()).unwrap();
            assert_eq!(s.unchanged, meetings);
        });
    });
    group.bench_function("in memory: meeting_core::merge::merge", |b| {
        b.iter(|| black_box(meeting_core::merge::merge(records.clone())).len());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
