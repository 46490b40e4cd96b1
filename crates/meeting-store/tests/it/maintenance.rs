//! Commits with runs and cursors, raw responses, check, info, backup, purge, crashes.

use chrono::NaiveDate;
use meeting_core::{SavedResponse, Source, Vendor};
use meeting_store::{
    Archive, Cursor, Observation, RawResponse, RunManifest, Window, WindowCommit, Writer,
};
use rusqlite::Connection;

use crate::common::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sample() -> Vec<meeting_core::Meeting> {
    sim_all(150_000, 8)
}

#[test]
fn a_window_commits_observations_run_and_cursor_together() {
    let records = sample();
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let mut run = RunManifest::in_archive("sync", "run-1", "acme", at(0));
    run.span = Some(meeting_core::run::Span {
        from: day("2024-01-01"),
        to: day("2024-02-29"),
    });
    run.zone = Some("Asia/Shanghai".into());
    run.windows_done.push(Window::new(
        Vendor::Systec,
        day("2023-12-31"),
        day("2024-01-31"),
    ));
    let mut commit = WindowCommit::new(observe(&records, "acme", 0));
    commit.run = Some(run.clone());
    commit.cursor = Some(Cursor::new(
        "acme",
        Vendor::Systec,
        day("2024-01-31"),
        "run-1",
    ));
    let summary = writer.commit_window(commit).unwrap();
    assert!(summary.new > 0);
    run.counts.add(&summary);
    // The second window fails: its records are committed, the cursor does not move.
    run.windows_failed.push(Window::new(
        Vendor::Systec,
        day("2024-02-01"),
        day("2024-03-01"),
    ));
    let mut commit = WindowCommit::new(Vec::new());
    commit.run = Some(run.clone());
    writer.commit_window(commit).unwrap();
    writer.close().unwrap();

    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(
        archive.cursor("acme", Vendor::Systec).unwrap(),
        Some(Cursor::new(
            "acme",
            Vendor::Systec,
            day("2024-01-31"),
            "run-1"
        ))
    );
    assert_eq!(archive.cursor("acme", Vendor::Quanshi).unwrap(), None);
    assert_eq!(archive.runs().unwrap(), [run.clone()]);
    assert_eq!(archive.check().unwrap(), []);
    let info = archive.info().unwrap();
    assert_eq!(info.schema_version, meeting_store::SCHEMA_VERSION);
    assert_eq!(info.runs_with_gaps, [run]);
    assert_eq!(info.cursors.get("acme/systec"), Some(&day("2024-01-31")));
    assert!(info.size_bytes > 0);
    assert_eq!(info.last_sync, None, "the run never finished");
}

/// A commit that fails half-way (the bad observation comes last) leaves nothing behind.
#[test]
fn a_failed_commit_leaves_the_archive_as_it_was() {
    let records = sample();
    let (_dir, path) = temp_archive();
    load(&path, observe(&records[..50], "acme", 0));
    let before = all_meetings(&path);
    let mut bad = records[60].clone();
    bad.sources = vec![Source::SystecDetail, Source::SystecReports];
    let mut obs = observe(&records[50..], "acme", 100);
    obs.push(Observation::new("acme", at(1), bad));
    let mut commit = WindowCommit::new(obs);
    commit.cursor = Some(Cursor::new(
        "acme",
        Vendor::Systec,
        day("2024-01-31"),
        "run-x",
    ));
    let writer = Writer::open(&path).unwrap();
    assert!(writer.commit_window(commit).is_err());
    writer.close().unwrap();
    assert_eq!(all_meetings(&path), before);
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.cursor("acme", Vendor::Systec).unwrap(), None);
    assert_eq!(archive.check().unwrap(), []);
}

/// A writer killed mid-transaction (its connection dropped before COMMIT, as when the
/// process dies) leaves the archive consistent: what was committed before, nothing else.
#[test]
fn a_killed_writer_leaves_a_consistent_archive() {
    let records = sample();
    let (_dir, path) = temp_archive();
    load(&path, observe(&records[..40], "acme", 0));
    let before = all_meetings(&path);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "BEGIN IMMEDIATE;
             DELETE FROM observations WHERE rowid IN (SELECT rowid FROM observations LIMIT 5);
             UPDATE summaries SET status = 'live';",
        )
        .unwrap_or_else(|_| {
            // WITHOUT ROWID tables: delete by key instead.
            conn.execute_batch(
                "DELETE FROM observations WHERE key IN (SELECT key FROM observations LIMIT 5);
                 UPDATE summaries SET status = 'live';",
            )
            .unwrap();
        });
        // Dropped here without COMMIT.
    }
    assert_eq!(all_meetings(&path), before);
    assert_eq!(Archive::open_read_only(&path).unwrap().check().unwrap(), []);
    // The writer still works on it afterwards.
    let s = load(&path, observe(&records[40..], "acme", 1000));
    assert!(s.new > 0);
    assert_eq!(Archive::open_read_only(&path).unwrap().check().unwrap(), []);
}

#[test]
fn check_reports_broken_invariants() {
    let records = sample();
    let (_dir, path) = temp_archive();
    load(&path, observe(&records, "acme", 0));
    let keys: Vec<String> = all_meetings(&path).into_iter().map(|m| m.key).collect();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE summaries SET status = 'live' WHERE key = ?1",
            [&keys[0]],
        )
        .unwrap();
        conn.execute("DELETE FROM observations WHERE key = ?1", [&keys[1]])
            .unwrap();
        conn.execute(
            "UPDATE observations SET hash = zeroblob(16) WHERE key = ?1",
            [&keys[2]],
        )
        .unwrap();
        conn.execute(
            "UPDATE observations SET record = x'00' WHERE key = ?1",
            [&keys[3]],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO sync_cursors VALUES ('acme', 'quanshi', '2024-01-31', 'no-such-run')",
            [],
        )
        .unwrap();
    }
    let problems = Archive::open_read_only(&path).unwrap().check().unwrap();
    let text: Vec<String> = problems
        .iter()
        .map(|p| {
            p.to_string()
                .replace(&keys[0], "<K0>")
                .replace(&keys[1], "<K1>")
                .replace(&keys[2], "<K2>")
                .replace(&keys[3], "<K3>")
        })
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn raw_responses_are_stored_without_secrets() {
    let body = br#"{"code":0,"msg":"ok","data":{"conferenceId":"123","pcode1":"111","pcode2":"222",
        "hostJoinUrl":"https://h/host","wcallurl":"https://h/call","livePullUrl":"https://h/live",
        "livePullPwd":"pw","attendeeJoinUrl":"https://h/a","webRTCUrl":"https://h/w",
        "calExtraInfo":{"eventWatchword":"ww","labels":"x"},"subject":"Board"}}"#;
    let saved = SavedResponse::new(
        Source::QuanshiConference,
        [("to", "2024-01-31"), ("token", "secret-token")],
        at(0),
        200,
        body,
    );
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let mut commit = WindowCommit::new(Vec::new());
    commit.raw = vec![RawResponse::new("acme", saved)];
    assert_eq!(writer.commit_window(commit).unwrap().raw_responses, 1);
    writer.close().unwrap();
    let raw = Archive::open_read_only(&path)
        .unwrap()
        .raw_responses()
        .unwrap();
    assert_eq!(raw.len(), 1);
    let stored = serde_json::to_string(&raw[0].response).unwrap();
    for secret in ["111", "222", "https://h", "pw", "ww", "secret-token"] {
        assert!(!stored.contains(secret), "{secret} in {stored}");
    }
    insta::assert_snapshot!(stored, @r#"{"saved_response":1,"endpoint":"quanshi.conference","params":{"to":"2024-01-31"},"fetched_at":"2024-06-01T00:00:00Z","http_status":200,"body":{"code":0,"data":{"calExtraInfo":{"labels":"x"},"conferenceId":"123","subject":"Board"},"msg":"ok"}}"#);
    // The file itself holds no secret either (bodies are compressed, params are not).
    let file = std::fs::read(&path).unwrap();
    assert!(!file.windows(12).any(|w| w == b"secret-token"));
}

#[test]
fn backup_gives_one_consistent_file() {
    let records = sample();
    let (dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    writer.load(observe(&records, "acme", 0)).unwrap();
    // The writer is still open: the data may sit in the WAL; the backup holds it anyway.
    let copy = dir.path().join("copy.sqlite");
    Archive::open_read_only(&path)
        .unwrap()
        .backup(&copy)
        .unwrap();
    writer.close().unwrap();
    assert!(!dir.path().join("copy.sqlite-wal").exists());
    assert_eq!(all_meetings(&copy), all_meetings(&path));
    assert_eq!(Archive::open_read_only(&copy).unwrap().check().unwrap(), []);
    let err = Archive::open_read_only(&path)
        .unwrap()
        .backup(&copy)
        .unwrap_err();
    insta::assert_snapshot!(redact(&err.to_string(), dir.path()), @"archive [DIR]/copy.sqlite: backup: the file already exists; choose a new name");
}

#[test]
fn purge_deletes_meetings_and_raw_bodies_before_a_date() {
    let records = sample();
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let mut commit = WindowCommit::new(observe(&records, "acme", 0));
    let old = SavedResponse::new(
        Source::SystecDetail,
        [("to", "2023-12-31")],
        at(0),
        200,
        b"{}",
    );
    let new = SavedResponse::new(
        Source::SystecDetail,
        [("to", "2024-02-29")],
        at(0),
        200,
        b"{}",
    );
    commit.raw = vec![RawResponse::new("acme", old), RawResponse::new("acme", new)];
    writer.commit_window(commit).unwrap();
    let all = all_meetings(&path);
    let cut = chrono::DateTime::parse_from_rfc3339("2024-01-15T00:00:00Z")
        .unwrap()
        .to_utc();
    let gone = all
        .iter()
        .filter(|m| m.start.or(m.scheduled_start).is_some_and(|s| s < cut))
        .count();
    assert!(gone > 0 && gone < all.len());
    let summary = writer.purge(cut).unwrap();
    writer.close().unwrap();
    assert_eq!(summary.meetings, u64::try_from(gone).unwrap());
    assert!(summary.observations >= summary.meetings);
    assert_eq!(summary.raw_responses, 1);
    let left = all_meetings(&path);
    assert_eq!(left.len(), all.len() - gone);
    assert!(
        left.iter()
            .all(|m| m.start.or(m.scheduled_start).is_none_or(|s| s >= cut))
    );
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.raw_responses().unwrap().len(), 1);
    assert_eq!(archive.check().unwrap(), []);
}

/// A second writer waits for the lock (5 s), then fails clearly; the archive is unchanged.
#[test]
fn a_second_writer_fails_with_busy() {
    let records = sample();
    let (_dir, path) = temp_archive();
    load(&path, observe(&records[..10], "acme", 0));
    let before = all_meetings(&path);
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writer = Writer::open(&path).unwrap();
    let err = writer
        .load(observe(&records[10..20], "acme", 100))
        .unwrap_err();
    assert_eq!(*err.kind(), meeting_store::ErrorKind::Busy, "{err}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(all_meetings(&path), before);
    // Once the lock is free the same writer goes on.
    assert!(
        writer
            .load(observe(&records[10..20], "acme", 100))
            .unwrap()
            .new
            > 0
    );
}

#[test]
fn public_types_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Writer>();
    send_sync::<meeting_store::StoreError>();
    send::<Archive>();
}
