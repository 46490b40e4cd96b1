//! The offline jobs over the fixtures: input resolution, read -> merge -> filter, the
//! archive's import and reading back.

use std::path::PathBuf;

use meeting_core::DumpOptions;
use meeting_core::query::Filter;
use meeting_sync::inputs::{ResolveError, expand, resolve};
use meeting_sync::offline::{ReadOptions, Source, merged, read_files};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(name)
}

/// `files` imported into `archive` (profile `default`): what was read, and what the import did.
fn import(
    archive: &std::path::Path,
    files: &[PathBuf],
) -> (
    meeting_sync::inputs::Expanded,
    meeting_sync::import::ImportSummary,
) {
    let expanded = expand(files).unwrap();
    let options = meeting_sync::import::ImportOptions::new("default", Default::default());
    let summary = meeting_sync::import::import(archive, &expanded, &options, &mut |_| {}).unwrap();
    (expanded, summary)
}

fn utc() -> Filter {
    Filter::new(chrono_tz::UTC)
}

#[test]
fn nothing_named_on_a_terminal_is_no_input() {
    assert!(matches!(resolve(&[], true), Err(ResolveError::NoInput)));
    assert!(resolve(&[fixture("nope.json")], false).is_err());
}

#[test]
fn detail_and_reports_merge_into_one_meeting_whatever_the_jobs() {
    let files = [
        fixture("systec/detail.sample.json"),
        fixture("systec/reports.sample.json"),
    ];
    let expanded = expand(&files).unwrap();
    let mut outputs = Vec::new();
    for jobs in [1, 3] {
        let mut bad = Vec::new();
        let options = ReadOptions::new(DumpOptions::new(), jobs);
        let merged = read_files(&expanded, &options, true, &utc(), &mut |e| {
            bad.push(e.to_owned());
        });
        let unmerged = read_files(&expanded, &options, false, &utc(), &mut |_| {});
        assert!(bad.is_empty(), "{bad:?}");
        let keys: std::collections::BTreeSet<&str> =
            merged.meetings.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys.len(), merged.meetings.len(), "one record per key");
        assert!(merged.meetings.len() <= unmerged.meetings.len());
        assert_eq!(merged.counts.read, unmerged.counts.read);
        outputs.push(serde_json::to_string(&merged.meetings).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn bad_documents_are_counted_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let good = std::fs::read_to_string(fixture("systec/detail.sample.json")).unwrap();
    let good: serde_json::Value = serde_json::from_str(&good).unwrap();
    std::fs::write(&path, format!("{good}\n{{\"not\": \"a vendor body\"}}\n")).unwrap();
    let expanded = expand(&[path]).unwrap();
    let mut bad = Vec::new();
    let reading = merged(
        Source::Files(&expanded),
        &ReadOptions::new(DumpOptions::new(), 2),
        &utc(),
        &mut |e| bad.push(e.to_owned()),
    )
    .unwrap();
    assert_eq!(reading.counts.bad, 1);
    assert_eq!(reading.counts.documents, 2);
    assert_eq!(bad.len(), 1);
    assert!(bad[0].contains("mixed.jsonl"), "{}", bad[0]);
    assert!(!reading.meetings.is_empty());
}

#[test]
fn imported_files_read_back_from_the_archive_as_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let files = [
        fixture("systec/detail.sample.json"),
        fixture("systec/reports.sample.json"),
        fixture("systec/his-meeting.sample.json"),
    ];
    let (expanded, summary) = import(&archive, &files);
    assert_eq!(summary.bad, 0);
    assert!(summary.records > 0);
    let read = |source| {
        merged(
            source,
            &ReadOptions::new(DumpOptions::new(), 1),
            &utc(),
            &mut |_| {},
        )
        .unwrap()
    };
    let from_archive = read(Source::Archive(&archive));
    let from_files = read(Source::Files(&expanded));
    let keys = |r: &meeting_sync::offline::Reading| -> Vec<String> {
        r.meetings.iter().map(|m| m.key.clone()).collect()
    };
    assert_eq!(keys(&from_archive), keys(&from_files));
    // Importing again changes nothing.
    let (_, again) = import(&archive, &files);
    assert_eq!(again.changes.new, 0);
}

#[test]
fn the_streamed_aggregate_equals_the_aggregate_of_the_summaries() {
    use meeting_core::aggregate::{Aggregate, GroupBy};
    use meeting_sync::offline::{Grouping, aggregate_archive, summarize_archive};
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("a.sqlite");
    let files = [
        fixture("systec/detail.sample.json"),
        fixture("systec/reports.sample.json"),
        fixture("systec/his-meeting.sample.json"),
        fixture("quanshi/conference-by-join-url.sample.json"),
        fixture("quanshi/dashboard-conference-info.sample.json"),
    ];
    import(&archive, &files);
    let all = summarize_archive(&archive, &utc()).unwrap();
    assert!(!all.summaries.is_empty());
    let day = all
        .summaries
        .iter()
        .find_map(|s| s.effective_start)
        .unwrap()
        .date_naive();
    let filters = [
        utc(),
        Filter::new(chrono_tz::Asia::Shanghai),
        utc().from(day).to(day),
        utc().from(day),
        utc().vendor(meeting_core::Vendor::Systec),
    ];
    let groupings = [
        GroupBy::Room,
        GroupBy::Host,
        GroupBy::Day,
        GroupBy::Department,
        GroupBy::Month,
        GroupBy::RoomMonth,
    ];
    for filter in &filters {
        let held = summarize_archive(&archive, filter).unwrap();
        for by in groupings {
            let mut seen = Vec::new();
            let streamed = aggregate_archive(
                &archive,
                filter,
                Grouping::new(by, filter.zone, None),
                &mut |s| seen.push(s.clone()),
            )
            .unwrap();
            let expected = Aggregate::of_summaries(&held.summaries, by, filter.zone, None);
            assert_eq!(streamed.aggregate, expected, "{filter:?} {by:?}");
            assert_eq!(seen, held.summaries, "{filter:?} {by:?}");
            assert_eq!(streamed.summaries, held.summaries.len() as u64);
            assert_eq!(streamed.stubs.attached, held.stubs.attached);
            assert_eq!(streamed.stubs.unmatched, held.stubs.unmatched);
        }
    }
}
