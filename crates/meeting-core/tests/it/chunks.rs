//! One dump on several cores (issue 22): reading a dump in chunks, on any number of threads,
//! gives exactly the items of the sequential reader, in the same order (meetings, error
//! messages and positions, counts), on every fixture, on the bad-input corpus, on generated
//! dumps and on arbitrary mixes of them.

use crate::common::{fixture_files, root};
use meeting_core::dump::{map_ordered, read_dump_chunks};
use meeting_core::{DumpOptions, DumpStats, read_dump};
use proptest::prelude::*;
use std::path::Path;

#[path = "../../examples/dumpgen/mod.rs"]
mod dumpgen;

/// Every item of a read, as text: a meeting's JSON, or an error's message (position first).
fn sequential(bytes: &[u8], options: &DumpOptions) -> (Vec<String>, DumpStats) {
    let mut reader = read_dump(bytes, options.clone());
    let items = reader.by_ref().map(|item| render(&item)).collect();
    (items, reader.stats())
}

fn render(item: &Result<meeting_core::Meeting, meeting_core::DumpError>) -> String {
    match item {
        Ok(m) => serde_json::to_string(m).unwrap(),
        Err(e) => format!("error {e}"),
    }
}

/// The same read in chunks of about `chunk` bytes, on `jobs` threads.
fn chunked(
    bytes: &[u8],
    options: &DumpOptions,
    chunk: usize,
    jobs: usize,
) -> (Vec<String>, DumpStats) {
    let mut items = Vec::new();
    let mut stats = DumpStats::default();
    map_ordered(
        read_dump_chunks(bytes, options, chunk),
        jobs,
        |c| {
            let documents = c.documents();
            let mut reader = c.read(options);
            let items: Vec<String> = reader.by_ref().map(|item| render(&item)).collect();
            assert_eq!(reader.stats().documents, documents);
            (items, reader.stats())
        },
        |(mut part, s)| {
            items.append(&mut part);
            stats.documents += s.documents;
            stats.meetings += s.meetings;
            stats.bad_documents += s.bad_documents;
            Ok::<(), ()>(())
        },
    )
    .unwrap();
    (items, stats)
}

fn assert_same(name: &str, bytes: &[u8], options: &DumpOptions) {
    let want = sequential(bytes, options);
    for (chunk, jobs) in [(1, 1), (1, 3), (700, 2), (64 * 1024, 2), (1 << 20, 1)] {
        let got = chunked(bytes, options, chunk, jobs);
        assert_eq!(got.1, want.1, "{name}: counts, chunk {chunk}, jobs {jobs}");
        assert_eq!(got.0, want.0, "{name}: items, chunk {chunk}, jobs {jobs}");
    }
}

fn name(p: &Path) -> String {
    p.strip_prefix(root().join("fixtures"))
        .unwrap_or(p)
        .display()
        .to_string()
}

#[test]
fn every_fixture_reads_the_same_in_chunks() {
    let files = fixture_files();
    assert!(files.len() > 60, "fixtures missing: {}", files.len());
    let options = DumpOptions::default();
    let mut all = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        assert_same(&name(f), &bytes, &options);
        if !f.extension().is_some_and(|e| e == "gz" || e == "bin") {
            all.extend_from_slice(&bytes);
            all.push(b'\n');
        }
    }
    // Everything in one stream: documents of every kind, bad ones between good ones.
    assert_same("all fixtures concatenated", &all, &options);
}

#[test]
fn forced_endpoints_and_small_limits_read_the_same() {
    let detail = std::fs::read(root().join("fixtures/systec/detail.sample.json")).unwrap();
    let options = DumpOptions::default()
        .endpoint(meeting_core::Source::SystecReports)
        .max_document_bytes(200);
    assert_same("detail as reports, 200-byte limit", &detail, &options);
}

#[test]
fn generated_dumps_read_the_same_in_chunks() {
    let dump = dumpgen::detail_dump(30, 20);
    assert_same("generated detail dump", &dump, &DumpOptions::default());
    // The same as a JSON array of documents, and gzip-compressed.
    let mut array = b"[".to_vec();
    for (i, line) in dump
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if i > 0 {
            array.extend_from_slice(b",\n");
        }
        array.extend_from_slice(line);
    }
    array.push(b']');
    assert_same("generated detail array", &array, &DumpOptions::default());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &dump).unwrap();
    assert_same(
        "generated detail dump, gzip",
        &gz.finish().unwrap(),
        &DumpOptions::default(),
    );
}

/// A read that fails part-way: the I/O error is the last item, at the same position.
#[test]
fn io_error_part_way_reads_the_same() {
    struct Failing(Vec<u8>, usize);
    impl std::io::Read for Failing {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = out.len().min(self.0.len() - self.1).min(1000);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let dump = dumpgen::detail_dump(5, 3);
    let cut = dump.len() / 2;
    let options = DumpOptions::default();
    let mut reader = read_dump(Failing(dump[..cut].to_vec(), 0), options.clone());
    let want: Vec<String> = reader.by_ref().map(|i| render(&i)).collect();
    assert!(want.last().unwrap().contains("disk on fire"), "{want:?}");
    for jobs in [1, 2] {
        let mut got = Vec::new();
        map_ordered(
            read_dump_chunks(Failing(dump[..cut].to_vec(), 0), &options, 100),
            jobs,
            |c| c.read(&options).map(|i| render(&i)).collect::<Vec<_>>(),
            |mut part| {
                got.append(&mut part);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, want, "jobs {jobs}");
    }
}

/// The documents of the fixtures that hold one document each, compact, one per line.
fn documents() -> &'static [Vec<u8>] {
    static DOCS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| {
        fixture_files()
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json" || e == "jsonl"))
            .flat_map(|f| std::fs::read(f).unwrap())
            .collect::<Vec<u8>>()
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any sequence of fixture lines (good, bad, cut), in any chunk size and thread count.
    #[test]
    fn any_mix_reads_the_same(
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..40),
        chunk in 1usize..5000,
        jobs in 1usize..4,
        array in any::<bool>(),
    ) {
        let docs = documents();
        let mut input = Vec::new();
        if array {
            input.push(b'[');
        }
        for (i, p) in picks.iter().enumerate() {
            if array && i > 0 {
                input.push(b',');
            }
            let doc: &Vec<u8> = p.get(docs);
            input.extend_from_slice(doc);
            input.push(b'\n');
        }
        if array {
            input.push(b']');
        }
        let options = DumpOptions::default();
        let want = sequential(&input, &options);
        let got = chunked(&input, &options, chunk, jobs);
        prop_assert_eq!(got.1, want.1);
        prop_assert_eq!(got.0, want.0);
    }
}
