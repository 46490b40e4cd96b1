//! What `meeting sync` needs from the archive: the run lock, the Quanshi join links (a
//! secret column) and the refresh list.

use std::time::Duration;

use chrono::TimeDelta;
use meeting_core::{Meeting, Source, Status, Vendor};
use meeting_store::{
    Archive, ErrorKind, JoinLink, Observation, Refresh, RunLock, WindowCommit, Writer,
};

use crate::common::{at, temp_archive};

#[test]
fn the_run_lock_is_exclusive_and_bounded() {
    let (_dir, path) = temp_archive();
    let held = RunLock::acquire(&path, Duration::ZERO).unwrap();
    assert!(held.path().ends_with("archive.sqlite.lock"));
    let e = RunLock::acquire(&path, Duration::from_millis(60)).unwrap_err();
    assert_eq!(*e.kind(), ErrorKind::Busy);
    assert!(e.to_string().contains("busy"), "{e}");
    assert!(!path.exists(), "the lock never creates the archive");
    drop(held);
    RunLock::acquire(&path, Duration::ZERO).unwrap();
}

fn reservation(id: &str, end: Option<chrono::DateTime<chrono::Utc>>) -> Meeting {
    let mut m = Meeting::new(
        Vendor::Quanshi,
        Source::QuanshiConference,
        format!("quanshi:conference:{id}"),
    );
    m.occurrence_id = Some(id.to_owned());
    m.scheduled_end = end;
    m.status = Status::Scheduled;
    m
}

fn occurrence(id: &str, status: Status) -> Meeting {
    let mut m = Meeting::new(
        Vendor::Quanshi,
        Source::QuanshiDashboard,
        format!("quanshi:temp:{id}"),
    );
    m.occurrence_id = Some(id.to_owned());
    m.status = status;
    m
}

#[test]
fn quanshi_refresh_lists_what_is_not_over_with_its_secret_link() {
    let (_dir, path) = temp_archive();
    let now = at(0);
    let writer = Writer::open(&path).unwrap();
    let mut commit = WindowCommit::new(vec![
        Observation::new(
            "acme",
            at(-10),
            reservation("r-open", Some(now + TimeDelta::days(1))),
        ),
        // Ended 6 days ago: still within the 7-day grace.
        Observation::new(
            "acme",
            at(-10),
            reservation("r-grace", Some(now - TimeDelta::days(6))),
        ),
        Observation::new(
            "acme",
            at(-10),
            reservation("r-old", Some(now - TimeDelta::days(8))),
        ),
        Observation::new("acme", at(-10), reservation("r-nolink", None)),
        Observation::new("other", at(-10), reservation("r-other", None)),
        Observation::new("acme", at(-10), occurrence("t-live", Status::Live)),
        Observation::new("acme", at(-10), occurrence("t-ended", Status::Ended)),
    ]);
    for (id, profile) in [
        ("r-open", "acme"),
        ("r-grace", "acme"),
        ("r-old", "acme"),
        ("r-other", "other"),
    ] {
        commit.join_links.push(JoinLink::new(
            format!("quanshi:conference:{id}"),
            profile,
            format!("https://q.example/j/{id}"),
            at(-10),
        ));
    }
    writer.commit_window(commit).unwrap();
    writer.close().unwrap();

    let archive = Archive::open_read_only(&path).unwrap();
    let refresh = archive.quanshi_to_refresh("acme", now).unwrap();
    let described: Vec<String> = refresh
        .iter()
        .map(|r| match r {
            Refresh::Reservation { key, join_link } => format!("{key} {}", join_link.expose()),
            Refresh::Occurrence { key, temp_id } => format!("{key} {temp_id}"),
            _ => String::from("?"),
        })
        .collect();
    assert_eq!(
        described,
        [
            "quanshi:conference:r-grace https://q.example/j/r-grace",
            "quanshi:conference:r-open https://q.example/j/r-open",
            "quanshi:temp:t-live t-live",
        ]
    );
    // The link is secret: never in Debug, never in the meetings read back.
    assert!(!format!("{refresh:?}").contains("q.example"));
    let link = JoinLink::new("k", "p", "https://q.example/secret", at(0));
    assert!(!format!("{link:?}").contains("q.example"));
    let all: Vec<Meeting> = archive
        .meetings(&meeting_store::Query::all())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!serde_json::to_string(&all).unwrap().contains("q.example"));
    assert!(archive.check().unwrap().is_empty());
}

#[test]
fn purge_forgets_the_join_links_of_purged_meetings() {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    let mut m = reservation("r1", None);
    m.scheduled_start = Some(at(-100));
    let mut commit = WindowCommit::new(vec![Observation::new("acme", at(0), m)]);
    commit.join_links.push(JoinLink::new(
        "quanshi:conference:r1",
        "acme",
        "https://q.example/j/r1",
        at(0),
    ));
    writer.commit_window(commit).unwrap();
    assert_eq!(writer.purge(at(0)).unwrap().meetings, 1);
    writer.close().unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM quanshi_links", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
}
