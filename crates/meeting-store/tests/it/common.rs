//! Shared helpers: simulator data as observations, temporary archives.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use meeting_core::{DumpOptions, Meeting, read_dump};
use meeting_sim::dump::{DumpEndpoint, write_dump};
use meeting_store::{Archive, Observation, Query, Writer};

/// Normalised single-source meetings of `endpoint` from a simulator dump of about `bytes`.
pub(crate) fn sim_meetings(endpoint: DumpEndpoint, bytes: u64, seed: u64) -> Vec<Meeting> {
    let mut dump = Vec::new();
    write_dump(endpoint, bytes, seed, &mut dump).unwrap();
    read_dump(dump.as_slice(), DumpOptions::default())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Records of every endpoint: `scale` bytes of each Systec endpoint's dump (reports twice
/// that: its records are larger), a tenth of it of each Quanshi one.
pub(crate) fn sim_all(scale: u64, seed: u64) -> Vec<Meeting> {
    let mut out = Vec::new();
    for (endpoint, bytes) in [
        (DumpEndpoint::Detail, scale),
        (DumpEndpoint::Reports, scale * 2),
        (DumpEndpoint::HisMeeting, scale / 4),
        (DumpEndpoint::QuanshiConference, scale / 10),
        (DumpEndpoint::QuanshiDashboard, scale / 10),
    ] {
        out.extend(sim_meetings(endpoint, bytes, seed));
    }
    out
}

/// A fixed instant plus `n` seconds.
pub(crate) fn at(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap() + Duration::seconds(n)
}

/// Observations of `meetings` under `profile`, each fetched at its own time from `base`.
pub(crate) fn observe(meetings: &[Meeting], profile: &str, base: i64) -> Vec<Observation> {
    meetings
        .iter()
        .enumerate()
        .map(|(i, m)| Observation::new(profile, at(base + i64::try_from(i).unwrap()), m.clone()))
        .collect()
}

/// A temporary directory and an archive path inside it.
pub(crate) fn temp_archive() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite");
    (dir, path)
}

/// Every meeting of the archive at `path`, in output order.
pub(crate) fn all_meetings(path: &Path) -> Vec<Meeting> {
    let archive = Archive::open_read_only(path).unwrap();
    archive
        .meetings(&Query::all())
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Loads `observations` into a new archive at `path`.
pub(crate) fn load(path: &Path, observations: Vec<Observation>) -> meeting_store::LoadSummary {
    let writer = Writer::open(path).unwrap();
    let summary = writer.load(observations).unwrap();
    writer.close().unwrap();
    summary
}

/// Sorted by key, the archive's order made comparable with `merge`'s.
/// What the archive holds for `records`: each key's records merged on their own (stubs are
/// kept apart and rooms resolved when read, not in the stored meetings), by key.
pub(crate) fn merge_per_key(records: Vec<Meeting>) -> Vec<Meeting> {
    let mut groups: std::collections::BTreeMap<String, Vec<Meeting>> =
        std::collections::BTreeMap::new();
    for m in records.into_iter().filter(|m| !m.is_stub()) {
        groups.entry(m.key.clone()).or_default().push(m);
    }
    groups
        .into_values()
        .flat_map(meeting_core::merge::merge)
        .collect()
}

pub(crate) fn by_key(mut meetings: Vec<Meeting>) -> Vec<Meeting> {
    meetings.sort_by(|a, b| a.key.cmp(&b.key));
    meetings
}

/// An error message with the temporary directory replaced by `[DIR]`.
pub(crate) fn redact(message: &str, dir: &Path) -> String {
    message.replace(&dir.display().to_string(), "[DIR]")
}
