//! The streaming query: output order, filters, pages.

use meeting_core::{Meeting, Vendor};
use meeting_store::{Archive, Query};

use crate::common::*;

fn output_order(mut v: Vec<Meeting>) -> Vec<Meeting> {
    let at = |m: &Meeting| m.start.or(m.scheduled_start);
    v.sort_by(|a, b| (at(a).is_none(), at(a), &a.key).cmp(&(at(b).is_none(), at(b), &b.key)));
    v
}

/// More meetings than a page, with and without a start: the stream equals the merged
/// records sorted by (effective start: the start, else the scheduled start; meetings
/// without one last; key).
#[test]
fn the_stream_is_in_output_order_across_pages() {
    let records = sim_all(400_000, 9);
    let (_dir, path) = temp_archive();
    load(&path, observe(&records, "acme", 0));
    let expected = output_order(merge_per_key(records));
    assert!(expected.len() > 300, "{}", expected.len());
    assert!(
        expected.iter().any(|m| m.start.is_none()),
        "some meetings have no start"
    );
    let got = all_meetings(&path);
    assert!(got == expected);
}

#[test]
fn filters_select_by_time_vendor_profile_host_and_room() {
    let records = sim_all(200_000, 4);
    let (half_a, half_b) = records.split_at(records.len() / 2);
    let (_dir, path) = temp_archive();
    load(&path, observe(half_a, "north", 0));
    load(&path, observe(half_b, "south", 10_000_000));
    let archive = Archive::open_read_only(&path).unwrap();
    let all: Vec<Meeting> = archive
        .meetings(&Query::all())
        .map(Result::unwrap)
        .collect();
    let run = |q: &Query| -> Vec<String> { archive.meetings(q).map(|m| m.unwrap().key).collect() };
    let keys = |f: &dyn Fn(&Meeting) -> bool| -> Vec<String> {
        all.iter().filter(|m| f(m)).map(|m| m.key.clone()).collect()
    };

    let mut q = Query::all();
    q.vendor = Some(Vendor::Quanshi);
    let want = keys(&|m| m.vendor == Vendor::Quanshi);
    assert!(!want.is_empty());
    assert_eq!(run(&q), want);

    let starts: Vec<_> = all.iter().filter_map(|m| m.start).collect();
    let (from, to) = (starts[starts.len() / 4], starts[starts.len() / 2]);
    let mut q = Query::all();
    q.from = Some(from);
    q.to = Some(to);
    let want = keys(&|m| {
        m.start
            .or(m.scheduled_start)
            .is_some_and(|s| s >= from && s < to)
    });
    assert!(!want.is_empty());
    assert_eq!(run(&q), want);

    let host = all
        .iter()
        .find_map(|m| m.host.as_ref().and_then(|h| h.name.clone()))
        .unwrap();
    let mut q = Query::all();
    q.hosts = vec![host.clone()];
    let want = keys(&|m| m.host.as_ref().and_then(|h| h.name.as_ref()) == Some(&host));
    assert_eq!(run(&q), want);

    let room_id = all
        .iter()
        .find_map(|m| m.room.as_ref().and_then(|r| r.id.clone()))
        .unwrap();
    let mut q = Query::all();
    q.rooms = vec![room_id.clone()];
    let got = run(&q);
    assert!(!got.is_empty());
    for m in all
        .iter()
        .filter(|m| m.room.as_ref().and_then(|r| r.id.as_ref()) == Some(&room_id))
    {
        assert!(got.contains(&m.key), "{} of room {room_id}", m.key);
    }

    // Profiles: the meetings whose newest observation came under that profile.
    let mut q = Query::all();
    q.profiles = vec!["south".into()];
    let south = run(&q);
    let mut q = Query::all();
    q.profiles = vec!["north".into()];
    let north = run(&q);
    assert!(!south.is_empty() && !north.is_empty());
    assert_eq!(south.len() + north.len(), all.len());

    // Filters combine.
    let mut q = Query::all();
    q.vendor = Some(Vendor::Systec);
    q.profiles = vec!["north".into(), "south".into()];
    q.hosts = vec!["nobody at all".into()];
    assert!(run(&q).is_empty());
}

/// A stream reads one snapshot: a write committed while it is being read is not seen.
#[test]
fn a_stream_reads_one_snapshot() {
    let records = sim_all(200_000, 2);
    let (first, rest) = records.split_at(records.len() / 2);
    let (_dir, path) = temp_archive();
    let writer = meeting_store::Writer::open(&path).unwrap();
    writer.load(observe(first, "acme", 0)).unwrap();
    let archive = Archive::open_read_only(&path).unwrap();
    let expected = all_meetings(&path);
    let mut stream = archive.meetings(&Query::all());
    let head = stream.next().unwrap().unwrap();
    writer.load(observe(rest, "acme", 1_000_000)).unwrap();
    let mut got = vec![head];
    got.extend(stream.map(Result::unwrap));
    assert!(got == expected);
    writer.close().unwrap();
    assert!(all_meetings(&path).len() > expected.len());
}

mod paging {
    use meeting_core::{Meeting, Source, Vendor};
    use meeting_store::{Observation, Query};
    use proptest::prelude::*;

    use crate::common::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, .. ProptestConfig::default() })]

        /// Many equal starts, missing starts, more rows than a page: keyset paging neither
        /// skips nor repeats a meeting, and the time filters agree with a plain filter.
        #[test]
        fn pages_neither_skip_nor_repeat(
            rows in proptest::collection::btree_map(0u32..5000, proptest::option::of(0i64..20), 0..700),
            from in 0i64..20,
            span in 0i64..20,
        ) {
            let meetings: Vec<Meeting> = rows
                .iter()
                .map(|(k, start)| {
                    let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, format!("systec:{k}"));
                    m.start = start.map(|s| at(s * 60));
                    m
                })
                .collect();
            let (_dir, path) = temp_archive();
            load(&path, meetings.iter().cloned().map(|m| Observation::new("p", at(0), m)).collect());
            let mut expected = merge_per_key(meetings);
            expected.sort_by(|a, b| (a.start.is_none(), a.start, &a.key).cmp(&(b.start.is_none(), b.start, &b.key)));
            prop_assert_eq!(all_meetings(&path), expected.clone());
            let archive = meeting_store::Archive::open_read_only(&path).unwrap();
            let mut q = Query::all();
            q.from = Some(at(from * 60));
            q.to = Some(at((from + span) * 60));
            let got: Vec<String> = archive.meetings(&q).map(|m| m.unwrap().key).collect();
            let want: Vec<String> = expected
                .iter()
                .filter(|m| m.start.is_some_and(|s| s >= at(from * 60) && s < at((from + span) * 60)))
                .map(|m| m.key.clone())
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// The summary rows handed in batches as read and decoded elsewhere are the rows
/// `each_summary` decodes, in the same order, for every set of fields and batch size,
/// rows of older rules (recomputed whole) among them; a batch tells whether a meeting of
/// it names an event as its rows do. Read in their stored order, they are the rows of key
/// order.
#[test]
fn batches_of_summary_rows_decode_to_the_rows_read_one_at_a_time() {
    use meeting_store::{SummaryFields, SummaryOrder};
    let records = sim_all(200_000, 5);
    let (_dir, path) = temp_archive();
    // In two loads, the later half first: rows are stored in the order of their writing
    // (each load in key order), so the stored order is not key order.
    let observed = observe(&records, "acme", 0);
    let (first, later) = observed.split_at(observed.len() / 2);
    load(&path, later.to_vec());
    load(&path, first.to_vec());
    // Some rows of older rules: read back recomputed.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "UPDATE summaries SET rules_version = rules_version - 1
             WHERE rowid IN (SELECT rowid FROM summaries ORDER BY key LIMIT 9);",
        )
        .unwrap();
    let archive = Archive::open_read_only(&path).unwrap();
    for fields in [SummaryFields::All, SummaryFields::Identity] {
        let mut by_order = Vec::new();
        for order in [
            SummaryOrder::Key,
            SummaryOrder::Output,
            SummaryOrder::Stored,
        ] {
            let mut one = Vec::new();
            let n = archive
                .each_summary_fields(&Query::all(), order, fields, &mut |s| {
                    one.push(s);
                    Ok(())
                })
                .unwrap();
            assert!(n > 100, "{n} rows");
            for rows in [1, 7, 1000] {
                let (mut batched, mut events) = (Vec::new(), false);
                let m = archive
                    .each_summary_batch(&Query::all(), order, fields, rows, &mut |b| {
                        assert!(b.len() <= rows && !b.is_empty());
                        let has = b.has_events();
                        let mut seen = false;
                        b.decode_each(&mut |s| {
                            seen |= !s.summary.stub && s.summary.event_id.is_some();
                            batched.push(s);
                            Ok(())
                        })?;
                        assert_eq!(has, seen);
                        events |= has;
                        Ok(())
                    })
                    .unwrap();
                assert_eq!(m, n);
                assert_eq!(batched, one, "{fields:?} {order:?} {rows}");
                assert!(events, "the sample has Quanshi events");
            }
            by_order.push(one);
        }
        let key_order = by_order.swap_remove(0);
        for mut rows in by_order {
            assert!(
                rows != key_order,
                "{fields:?}: the sample is not stored in key order"
            );
            rows.sort_by(|a, b| a.summary.key.cmp(&b.summary.key));
            assert_eq!(rows, key_order, "{fields:?}");
        }
    }
}
