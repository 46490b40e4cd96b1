//! `meeting archive import`: files loaded into the archive as observations ([`import`]),
//! with their bad documents counted and saved runs' manifests recorded. No printing.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use meeting_core::run::RunManifest;
use meeting_core::{Context, DumpOptions, read_dump};
use meeting_store::{
    LoadSummary, Observation, PendingCommit, RunLock, StoreError, WindowCommit, Writer,
};

use crate::archive::RUN_LOCK_WAIT;
use crate::inputs::{Expanded, Input};
use crate::offline::OfflineError;

/// Records per import transaction: a dump is committed in chunks of this many records, so
/// the import's memory does not grow with the dump (a save-raw record is one response,
/// far below it, so it stays one transaction with its raw body).
const IMPORT_CHUNK: usize = 4096;

/// Saved-response records (`--save-raw`) are small: one response per file.
const RECORD_MAX_BYTES: u64 = 64 << 20;

/// How to import.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The profile every record is kept under.
    pub profile: String,
    /// The vendor zone.
    pub context: Context,
    /// Also keep the verbatim vendor bodies of save-raw records (secrets removed).
    pub keep_raw: bool,
    /// How long to wait for another run holding the archive.
    pub lock_wait: Duration,
}

impl ImportOptions {
    /// Records of `profile`, read in `context`, without raw bodies, waiting
    /// [`RUN_LOCK_WAIT`] for the archive.
    #[must_use]
    pub fn new(profile: impl Into<String>, context: Context) -> Self {
        ImportOptions {
            profile: profile.into(),
            context,
            keep_raw: false,
            lock_wait: RUN_LOCK_WAIT,
        }
    }

    /// Keep save-raw records' bodies too.
    #[must_use]
    pub fn keep_raw(mut self, on: bool) -> Self {
        self.keep_raw = on;
        self
    }
}

/// What an import did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ImportSummary {
    /// Records read and committed.
    pub records: u64,
    /// Bad documents skipped (each handed to `on_bad`).
    pub bad: u64,
    /// What the archive made of them (new, updated, unchanged, stubs, raw bodies).
    pub changes: LoadSummary,
    /// Saved runs recorded that did not complete.
    pub runs_with_gaps: u64,
}

/// A `--save-raw` record file (`000001-systec.detail.json`), parsed, or `None` for anything
/// else (a dump, a large file).
fn saved_record(path: &Path) -> Option<(Vec<u8>, meeting_core::SavedResponse)> {
    let name = path.file_name()?.to_str()?;
    let (seq, _) = name.split_once('-')?;
    if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if std::fs::metadata(path).ok()?.len() > RECORD_MAX_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let record = serde_json::from_slice(&bytes).ok()?;
    Some((bytes, record))
}

/// Hands `commit` to the writer thread once the chunk before it (`pending`) is committed,
/// and returns while it is written: reading the next chunk overlaps writing this one, and
/// at most two chunks are in memory. Chunks are committed in order; the first failure
/// stops the import (the chunks before it stay committed, as they would one at a time).
fn send_chunk(
    writer: &Writer,
    pending: &mut Option<PendingCommit>,
    total: &mut LoadSummary,
    commit: WindowCommit,
) -> Result<(), StoreError> {
    if let Some(p) = pending.take() {
        total.add(&p.wait()?);
    }
    *pending = Some(writer.send_window(commit)?);
    Ok(())
}

/// `meeting archive import`: every record of the inputs is an observation, fetched when the
/// vendor answered (a save-raw record says when; for other files, when the file was last
/// written); with `keep_raw`, save-raw records' bodies are kept too; runs' manifests are
/// recorded with their gaps. Never interleaved with a sync: the archive's run lock is held
/// throughout. Each bad document goes to `on_bad` and is counted.
pub fn import(
    path: &Path,
    expanded: &Expanded,
    options: &ImportOptions,
    on_bad: &mut dyn FnMut(&str),
) -> Result<ImportSummary, OfflineError> {
    let _lock = RunLock::acquire(path, options.lock_wait)?;
    let writer = Writer::open(path)?;
    let profile = &options.profile;
    let dump_options = DumpOptions::new().context(options.context);
    let mut summary = ImportSummary::default();
    // The chunk the writer thread is committing while the next one is read.
    let mut pending: Option<PendingCommit> = None;
    for input in &expanded.inputs {
        let record = match input {
            Input::File(p) => saved_record(p),
            Input::Stdin => None,
        };
        // A saved run's records are observed at the run's start (as its live output and a
        // replay say), and keep only the days the run asked for.
        let input_options = input.options_for(&dump_options);
        let fetched_at = match (&record, input) {
            (Some((_, r)), _) => input_options.run_started.unwrap_or(r.fetched_at),
            (None, Input::File(p)) => std::fs::metadata(p)
                .and_then(|m| m.modified())
                .map(DateTime::<Utc>::from)
                .unwrap_or_else(|_| Utc::now()),
            (None, Input::Stdin) => Utc::now(),
        };
        let (reader, mut raw): (Box<dyn std::io::Read>, _) = match record {
            Some((bytes, r)) => (
                Box::new(std::io::Cursor::new(bytes)),
                options
                    .keep_raw
                    .then(|| meeting_store::RawResponse::new(profile.clone(), r)),
            ),
            None => (input.open()?, None),
        };
        let mut observations = Vec::new();
        let mut dump = read_dump(reader, input_options);
        for item in dump.by_ref() {
            match item {
                Ok(m) => {
                    // A record of the neutral JSON Lines (several sources, or none) is one
                    // `neutral` observation, observed when its newest source was.
                    let mut sources = m.sources.clone();
                    sources.sort();
                    sources.dedup();
                    let observation = if sources.len() == 1 || m.is_stub() {
                        Observation::new(profile.clone(), fetched_at, m)
                    } else {
                        let at = m.last_observed().unwrap_or(fetched_at);
                        Observation::neutral(profile.clone(), at, m)
                    };
                    // Serialised and merged here, while the writer commits the last chunk.
                    observations.push(observation.prepare()?);
                    // Large dumps commit in chunks, so memory stays flat whatever the size.
                    if observations.len() >= IMPORT_CHUNK {
                        summary.records += observations.len() as u64;
                        let mut commit = WindowCommit::prepared(std::mem::take(&mut observations));
                        commit.raw.extend(raw.take());
                        send_chunk(&writer, &mut pending, &mut summary.changes, commit)?;
                    }
                }
                Err(e) => {
                    summary.bad += 1;
                    on_bad(&format!("{}: {e}", input.name()));
                }
            }
        }
        summary.records += observations.len() as u64;
        let mut commit = WindowCommit::prepared(observations);
        commit.raw.extend(raw);
        send_chunk(&writer, &mut pending, &mut summary.changes, commit)?;
    }
    if let Some(p) = pending.take() {
        summary.changes.add(&p.wait()?);
    }
    for manifest_path in &expanded.manifests {
        let manifest = RunManifest::read(manifest_path)?;
        let id = manifest_path.parent().map_or_else(
            || manifest_path.display().to_string(),
            |d| d.display().to_string(),
        );
        if manifest.gaps().is_some() {
            summary.runs_with_gaps += 1;
        }
        // One manifest format: the save-raw run's own, with the archive's id and profile.
        let mut run = manifest;
        run.id = Some(id);
        run.profile = Some(profile.clone());
        let mut commit = WindowCommit::new(Vec::new());
        commit.run = Some(run);
        writer.commit_window(commit)?;
    }
    writer.close()?;
    Ok(summary)
}
