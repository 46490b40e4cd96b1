//! Loading: equal to meeting-core's merge, idempotent, newest observation wins, stubs apart.

use meeting_core::{Meeting, Source, Vendor};
use meeting_store::{Archive, Observation, Writer};

use crate::common::*;

/// About a quarter of simulator data (the simulator's January–March 2024 windows) of every
/// endpoint, imported, gives exactly `merge` of the same records.
#[test]
fn a_quarter_of_simulator_data_equals_the_merge_in_memory() {
    let records = sim_all(5_500_000, 11);
    // Identical stubs (same key, same record) are one stub: see the crate docs.
    let stubs = records
        .iter()
        .filter(|m| m.is_stub())
        .map(|m| serde_json::to_string(m).unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(stubs > 0, "the simulator's reports carry stubs");
    let months: std::collections::BTreeSet<String> = records
        .iter()
        .filter_map(|m| m.start.map(|s| s.format("%Y-%m").to_string()))
        .collect();
    assert!(months.len() >= 3, "{months:?}");
    let (_dir, path) = temp_archive();
    let summary = load(&path, observe(&records, "acme", 0));
    let expected: Vec<Meeting> = merge_per_key(records);
    assert_eq!(summary.new, u64::try_from(expected.len()).unwrap());
    assert_eq!(summary.updated + summary.unchanged, 0);
    let got = by_key(all_meetings(&path));
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "the archive differs from merge()");
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.stubs().unwrap().len(), stubs);
    assert_eq!(archive.check().unwrap(), []);
    let info = archive.info().unwrap();
    assert_eq!(
        info.meetings.iter().map(|c| c.meetings).sum::<u64>(),
        u64::try_from(expected.len()).unwrap()
    );
    assert!(info.meetings.iter().all(|c| c.profile == "acme"));
}

#[test]
fn loading_the_same_data_twice_changes_nothing() {
    let records = sim_all(300_000, 3);
    let (_dir, path) = temp_archive();
    let first = load(&path, observe(&records, "acme", 0));
    let before = all_meetings(&path);
    let bytes_before = std::fs::read(&path).ok();
    let second = load(&path, observe(&records, "acme", 0));
    assert_eq!(second.new + second.updated, 0);
    assert_eq!(second.unchanged, first.new);
    assert_eq!(second.stubs_new, 0);
    assert_eq!(second.stale_observations, 0);
    assert_eq!(all_meetings(&path), before);
    let _ = bytes_before;
    assert_eq!(Archive::open_read_only(&path).unwrap().check().unwrap(), []);
}

fn detail(key: &str, topic: &str) -> Meeting {
    let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, key);
    m.topic = Some(topic.into());
    m.start = Some(at(100));
    m
}

#[test]
fn the_newest_observation_of_a_key_and_source_wins_whatever_the_order() {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let s = writer
        .load(vec![Observation::new(
            "acme",
            at(10),
            detail("systec:a", "Old topic"),
        )])
        .unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (1, 0, 0));
    // A corrected topic, fetched later, wins.
    let s = writer
        .load(vec![Observation::new(
            "acme",
            at(20),
            detail("systec:a", "Corrected"),
        )])
        .unwrap();
    assert_eq!((s.new, s.updated, s.unchanged), (0, 1, 0));
    // The old one arriving late does not bring the old topic back.
    let s = writer
        .load(vec![Observation::new(
            "acme",
            at(10),
            detail("systec:a", "Old topic"),
        )])
        .unwrap();
    assert_eq!(
        (s.new, s.updated, s.unchanged, s.stale_observations),
        (0, 0, 1, 1)
    );
    // Another source of the same key merges with it.
    let mut report = Meeting::new(Vendor::Systec, Source::SystecReports, "systec:a");
    report.participant_count = Some(4);
    let s = writer
        .load(vec![Observation::new("other", at(5), report)])
        .unwrap();
    assert_eq!((s.new, s.updated), (0, 1));
    writer.close().unwrap();
    let got = all_meetings(&path);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].topic.as_deref(), Some("Corrected"));
    assert_eq!(got[0].participant_count, Some(4));
    assert_eq!(
        got[0].sources,
        [Source::SystecDetail, Source::SystecReports]
    );
    let archive = Archive::open_read_only(&path).unwrap();
    let obs = archive.observations("systec:a").unwrap();
    assert_eq!(obs.len(), 2);
    assert_eq!(obs[0].fetched_at, at(20));
    assert_eq!(archive.check().unwrap(), []);
}

#[test]
fn report_stubs_are_kept_apart_never_as_meetings() {
    let mut stub = Meeting::new(
        Vendor::Systec,
        Source::SystecReports,
        "systec:stub:1571106323",
    );
    stub.meeting_number = Some("1571106323".into());
    let mut stub2 = stub.clone();
    stub2.participant_count = Some(2);
    let (_dir, path) = temp_archive();
    let s = load(
        &path,
        vec![
            Observation::new("acme", at(1), stub.clone()),
            Observation::new("acme", at(2), stub2),
            Observation::new("acme", at(3), stub),
        ],
    );
    assert_eq!((s.new, s.stubs_new), (0, 2));
    assert!(all_meetings(&path).is_empty());
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.stubs().unwrap().len(), 2);
    assert_eq!(archive.check().unwrap(), []);
}

#[test]
fn a_merged_record_is_not_an_observation() {
    let mut m = detail("systec:b", "x");
    m.sources.push(Source::SystecReports);
    let (dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let err = writer
        .load(vec![Observation::new("acme", at(1), m)])
        .unwrap_err();
    insta::assert_snapshot!(redact(&err.to_string(), dir.path()), @"archive [DIR]/archive.sqlite: observation of systec:b: expected exactly one source, found 2 (systec.detail, systec.reports)");
}

#[test]
fn rooms_keep_the_latest_name_and_older_names_as_aliases() {
    let room = |key: &str, name: &str, fetched: i64, start: i64| {
        let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, key);
        m.room = Some(meeting_core::Room::default());
        if let Some(r) = m.room.as_mut() {
            r.id = Some("ROOM-7".into());
            r.name = Some(name.into());
        }
        m.start = Some(at(start));
        Observation::new("acme", at(fetched), m)
    };
    let (_dir, path) = temp_archive();
    load(
        &path,
        vec![
            room("systec:1", "Room 7", 10, 0),
            room("systec:2", "Board room", 30, 50),
            room("systec:3", "Room 7", 20, 100),
        ],
    );
    let archive = Archive::open_read_only(&path).unwrap();
    let rooms = archive.rooms().unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0].name, "Board room");
    assert_eq!(rooms[0].aliases, ["Board room", "Room 7"]);
    // Querying by the old name finds every meeting of the room.
    let mut q = meeting_store::Query::all();
    q.rooms = vec!["Room 7".into()];
    let keys: Vec<String> = archive.meetings(&q).map(|m| m.unwrap().key).collect();
    assert_eq!(keys, ["systec:1", "systec:2", "systec:3"]);
}

/// Observations prepared on the caller's thread (`Observation::prepare`) and sent in
/// chunks while the writer commits the last (`Writer::send_window`), as `meeting archive
/// import` does, give the same archive as the plain observations in one load: the same
/// meetings, stubs, rooms and counts, and a clean check. The chunks also hold a record
/// seen again and an older observation of one already stored.
#[test]
fn prepared_observations_in_pipelined_chunks_equal_one_plain_load() {
    let records = sim_all(1_200_000, 5);
    let mut observations = observe(&records, "acme", 10);
    // The same observation again, and an older one of a stored (key, source).
    let again = observations[0].clone();
    let mut older = observations[1].clone();
    older.fetched_at = at(0);
    older.meeting.topic = Some("an older topic".into());
    observations.push(again);
    observations.push(older);

    let (_dir_a, plain) = temp_archive();
    let expected = load(&plain, observations.clone());

    let (_dir_b, prepared) = temp_archive();
    let writer = Writer::open(&prepared).unwrap();
    let mut total = meeting_store::LoadSummary::default();
    let mut pending: Option<meeting_store::PendingCommit> = None;
    for chunk in observations.chunks(97) {
        let chunk = chunk
            .iter()
            .cloned()
            .map(|o| o.prepare().unwrap())
            .collect::<Vec<_>>();
        if let Some(p) = pending.take() {
            total.add(&p.wait().unwrap());
        }
        pending = Some(
            writer
                .send_window(meeting_store::WindowCommit::prepared(chunk))
                .unwrap(),
        );
    }
    if let Some(p) = pending.take() {
        total.add(&p.wait().unwrap());
    }
    writer.close().unwrap();

    // Chunks count a meeting once per chunk it appears in: compare what a key-level
    // summary must agree on.
    assert_eq!(total.new, expected.new);
    assert_eq!(total.stubs_new, expected.stubs_new);
    assert_eq!(total.stale_observations, expected.stale_observations);
    assert_eq!(all_meetings(&prepared), all_meetings(&plain));
    let (a, b) = (
        Archive::open_read_only(&plain).unwrap(),
        Archive::open_read_only(&prepared).unwrap(),
    );
    assert_eq!(b.stubs().unwrap(), a.stubs().unwrap());
    assert_eq!(b.rooms().unwrap(), a.rooms().unwrap());
    assert!(!a.rooms().unwrap().is_empty(), "the data names rooms");
    assert_eq!(b.check().unwrap(), []);
    assert_eq!(a.check().unwrap(), []);
}

/// A prepared observation with several sources is refused with a clear error, as a plain
/// one is by the writer.
#[test]
fn preparing_a_merged_record_is_a_clear_error() {
    let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:u1==");
    m.sources.push(Source::SystecReports);
    let err = Observation::new("acme", at(1), m).prepare().unwrap_err();
    assert!(err.to_string().contains("exactly one source"), "{err}");
}

/// A neutral record (several sources) is one `neutral` observation: it stands for its key
/// until a vendor observation of the key arrives, which then ranks above it.
#[test]
fn a_neutral_record_stands_until_a_vendor_observation_arrives() {
    let (_dir, path) = temp_archive();
    let mut neutral = detail("systec:n1==", "From the dump");
    neutral.sources = vec![Source::SystecDetail, Source::SystecReports];
    let writer = Writer::open(&path).unwrap();
    let done = writer
        .load(vec![Observation::neutral("acme", at(0), neutral)])
        .unwrap();
    assert_eq!(done.new, 1);
    writer.close().unwrap();
    let got = all_meetings(&path);
    assert_eq!(got[0].topic.as_deref(), Some("From the dump"));
    load(
        &path,
        vec![Observation::new(
            "acme",
            at(0),
            detail("systec:n1==", "From the vendor"),
        )],
    );
    let got = all_meetings(&path);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].topic.as_deref(), Some("From the vendor"));
    assert_eq!(Archive::open_read_only(&path).unwrap().check().unwrap(), []);
}

/// Batches sent as parts of one transaction (`Writer::send_part`), with a window every so
/// often and the rest committed when the writer closes, give the same archive as one
/// plain load; so does a temporary archive (no journal) loaded in one transaction, which
/// then reads as any archive.
#[test]
fn parts_of_transactions_and_a_temporary_archive_equal_one_plain_load() {
    let records = sim_all(600_000, 9);
    let observations = observe(&records, "acme", 10);
    let (_dir_a, plain) = temp_archive();
    load(&plain, observations.clone());
    let expected = all_meetings(&plain);

    for temporary in [false, true] {
        let (_dir, path) = temp_archive();
        let options = meeting_store::WriterOptions::new().temporary(temporary);
        let writer = Writer::open_with(&path, &options).unwrap();
        let mut pending: Vec<meeting_store::PendingCommit> = Vec::new();
        for (i, chunk) in observations.chunks(61).enumerate() {
            let prepared = chunk
                .iter()
                .cloned()
                .map(|o| o.prepare().unwrap())
                .collect::<Vec<_>>();
            let commit = meeting_store::WindowCommit::prepared(prepared);
            // A window every fourth batch commits the parts before it.
            let p = if i % 4 == 3 && !temporary {
                writer.send_window(commit).unwrap()
            } else {
                writer.send_part(commit).unwrap()
            };
            pending.push(p);
        }
        for p in pending {
            p.wait().unwrap();
        }
        // The parts after the last window are committed by the close.
        writer.close().unwrap();
        assert_eq!(all_meetings(&path), expected, "temporary: {temporary}");
        let archive = Archive::open_read_only(&path).unwrap();
        assert_eq!(archive.check().unwrap(), []);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(
            std::fs::metadata(std::path::Path::new(&wal)).map_or(true, |m| m.len() == 0),
            "no write-ahead log left"
        );
    }
}

/// A part that fails rolls back the open transaction: the parts sent since the last
/// window are gone with it, the windows before stay committed, and the parts and windows
/// sent after it are refused (never written without it).
#[test]
fn a_failed_part_rolls_back_the_parts_since_the_last_window() {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let prepared = |key: &str| {
        Observation::new("acme", at(1), detail(key, "Topic"))
            .prepare()
            .unwrap()
    };
    let one = |key: &str| meeting_store::WindowCommit::prepared(vec![prepared(key)]);
    writer
        .send_window(one("systec:w1=="))
        .unwrap()
        .wait()
        .unwrap();
    writer
        .send_part(one("systec:p1=="))
        .unwrap()
        .wait()
        .unwrap();
    // A plain observation with two sources fails on the writer thread.
    let mut bad = detail("systec:bad==", "Bad");
    bad.sources.push(Source::SystecReports);
    let mut commit = meeting_store::WindowCommit::new(vec![Observation::new("acme", at(1), bad)]);
    commit.raw.clear();
    // Sent before the failure is known, as an import keeps several parts in flight.
    let failing = writer.send_part(commit).unwrap();
    let after = writer.send_part(one("systec:p2==")).unwrap();
    let window = writer.send_window(one("systec:w2==")).unwrap();
    let err = failing.wait().unwrap_err();
    assert!(err.to_string().contains("exactly one source"), "{err}");
    // What was sent after it is refused, never written without it.
    let later = writer.send_part(one("systec:p3==")).unwrap();
    for refused in [after.wait(), window.wait(), later.wait()] {
        let refused = refused.unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("an earlier part of the load failed"),
            "{refused}"
        );
    }
    writer.close().unwrap();
    let keys: Vec<String> = all_meetings(&path).into_iter().map(|m| m.key).collect();
    assert_eq!(keys, ["systec:w1=="]);
}

/// A window that fails as it ends a transaction of parts rolls the parts back, and the
/// parts sent after it (in flight) are refused: nothing after the failure is written.
#[test]
fn a_failed_window_of_parts_refuses_what_follows() {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let one = |key: &str| {
        let o = Observation::new("acme", at(1), detail(key, "Topic"))
            .prepare()
            .unwrap();
        meeting_store::WindowCommit::prepared(vec![o])
    };
    let mut bad = detail("systec:bad==", "Bad");
    bad.sources.push(Source::SystecReports);
    let mut window = meeting_store::WindowCommit::new(vec![Observation::new("acme", at(1), bad)]);
    window.raw.clear();
    let part = writer.send_part(one("systec:p1==")).unwrap();
    let window = writer.send_window(window).unwrap();
    let after = writer.send_part(one("systec:p2==")).unwrap();
    part.wait().unwrap();
    assert!(window.wait().is_err());
    assert!(after.wait().is_err());
    writer.close().unwrap();
    assert!(all_meetings(&path).is_empty());
}

/// An observation prepared with the JSON the dump reader wrote for its meeting
/// (`Observation::with_json`) is the observation prepared by serialising the meeting: the
/// same stored JSON, hash, compressed record and summary row, for every endpoint's records
/// (the meeting read with its JSON has its rows in the JSON only; the serialised one has
/// them). A meeting changed since it was read (it has gained a profile) cannot stand without
/// its rows: a clear error.
#[test]
fn observations_prepared_with_the_readers_json_equal_serialised_ones() {
    use meeting_core::DumpOptions;
    use meeting_core::dump::read_dump_chunks;
    use meeting_sim::dump::{DumpEndpoint, write_dump};
    let mut with_json = 0;
    for endpoint in DumpEndpoint::ALL {
        let mut dump = Vec::new();
        write_dump(endpoint, 300_000, 3, &mut dump).unwrap();
        let options = DumpOptions::default();
        for chunk in read_dump_chunks(dump.as_slice(), &options, 64 * 1024) {
            let mut reader = chunk.read(&options).with_json();
            while let Some(item) = reader.next_with_json() {
                let (m, json) = item.unwrap();
                with_json += usize::from(json.is_some());
                // The meeting read with its JSON has its rows in the JSON only.
                let full: Meeting = match &json {
                    Some(j) => serde_json::from_slice(j.bytes()).unwrap(),
                    None => m.clone(),
                };
                let plain = Observation::new("acme", at(1), full);
                let written = Observation::new("acme", at(1), m.clone()).with_json(json.clone());
                assert_eq!(
                    written.prepare().unwrap(),
                    plain.clone().prepare().unwrap(),
                    "{}",
                    m.key
                );
                let mut changed = Observation::new("acme", at(1), m.clone());
                changed.meeting.profile = Some("other".into());
                match json {
                    // Changed since it was read, it cannot stand without its rows.
                    Some(json) => {
                        let e = changed.with_json(Some(json)).prepare().unwrap_err();
                        assert!(e.to_string().contains("changed since it was read"), "{e}");
                    }
                    None => {
                        let mut changed_plain = plain;
                        changed_plain.meeting.profile = Some("other".into());
                        assert_eq!(
                            changed.prepare().unwrap(),
                            changed_plain.prepare().unwrap(),
                            "{} with a profile",
                            m.key
                        );
                    }
                }
            }
        }
    }
    assert!(with_json > 100, "{with_json} records came with their JSON");
}
