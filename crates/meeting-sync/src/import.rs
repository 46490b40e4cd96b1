//! `meeting archive import`: files loaded into the archive as observations ([`import`]),
//! with their bad documents counted and saved runs' manifests recorded. No printing.
//!
//! The inputs are split into chunks of whole documents (the scanner only, on the calling
//! thread); each chunk is parsed, normalised, serialised to canonical JSON, hashed,
//! compressed and summarised on any of the `jobs` threads ([`ImportOptions`]); the results
//! come back in input order (so any run gives the same archive) and go to the archive's
//! writer thread, which only writes: a batch of records at a time, as parts of a
//! transaction committed every `TRANSACTION_RECORDS` (32 768) records. Memory is bounded by the
//! chunks in flight and the batches in flight (`BATCHES_IN_FLIGHT`, and the one being
//! filled; and the writer's page cache), whatever the size of the input.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use meeting_core::dump::{DEFAULT_CHUNK_BYTES, InputChunk, input_chunks, map_ordered};
use meeting_core::run::RunManifest;
use meeting_core::{Context, DumpOptions, Meeting};
use meeting_store::{
    LoadSummary, Observation, PendingCommit, PreparedObservation, RawResponse, RunLock, StoreError,
    WindowCommit, Writer, WriterOptions,
};

use crate::archive::RUN_LOCK_WAIT;
use crate::error::OfflineError;
use crate::inputs::{Expanded, Input};

/// Records per import transaction at most: the inputs are committed in batches, so the
/// import's memory does not grow with the dump.
const BATCH_RECORDS: usize = 512;

/// Batches handed to the writer and not yet written, at most: while the writer commits
/// (an `fsync`) or folds its log into the archive, the parsing threads go on preparing
/// batches instead of waiting for it. (A batch holds a few hundred kilobytes.)
const BATCHES_IN_FLIGHT: usize = 3;

/// Bytes of canonical JSON per import transaction at most (records with long participant
/// lists make a batch of fewer records).
const BATCH_JSON_BYTES: usize = 1 << 20;

/// Bytes of input per parsed chunk of a temporary archive's import (`stats`, `report` and
/// `export` over files): smaller than [`DEFAULT_CHUNK_BYTES`], so that what the parse
/// threads hold at once (the chunks in flight and the records parsed from them) stays well
/// below the command's budget of memory; the batches are the same.
const TEMPORARY_CHUNK_BYTES: usize = 256 * 1024;

/// Records per transaction of a kept archive at most: the batches are written as parts of
/// one transaction ([`Writer::send_part`]), committed every so many records, so that each
/// page of the archive's indexes (keys are random) is written once per transaction rather
/// than once per batch. A temporary archive is loaded in one transaction.
const TRANSACTION_RECORDS: usize = 32_768;

/// Bytes of canonical JSON per transaction of a kept archive at most.
const TRANSACTION_JSON_BYTES: usize = 64 << 20;

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
    /// Threads that parse, normalise, serialise and compress (the writer has its own).
    pub jobs: usize,
    /// How documents are read (a forced endpoint), when not only in `context`.
    dump: Option<DumpOptions>,
    /// A temporary archive ([`meeting_store::WriterOptions::temporary`]).
    temporary: bool,
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
            jobs: crate::inputs::default_jobs(),
            dump: None,
            temporary: false,
        }
    }

    /// Load into a temporary archive (thrown away after use): no journal, no `fsync`, one
    /// transaction ([`meeting_store::WriterOptions::temporary`]).
    #[must_use]
    pub(crate) fn temporary(mut self, on: bool) -> Self {
        self.temporary = on;
        self
    }

    /// Read the documents with these options (a forced endpoint); their context stands for
    /// `context`.
    #[must_use]
    pub fn dump_options(mut self, dump: DumpOptions) -> Self {
        self.context = dump.context;
        self.dump = Some(dump);
        self
    }

    /// Parse on `jobs` threads (at least one).
    #[must_use]
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
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
    /// Documents read (good and bad).
    pub documents: u64,
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
fn saved_record(path: &Path) -> Option<meeting_core::SavedResponse> {
    let name = path.file_name()?.to_str()?;
    let (seq, _) = name.split_once('-')?;
    if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if std::fs::metadata(path).ok()?.len() > RECORD_MAX_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// How far an import has come: handed to the caller after each chunk of input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportProgress {
    /// Bytes of documents read (as parsed: after gzip), of every input so far.
    pub bytes: u64,
    /// Records read so far.
    pub records: u64,
    /// Inputs begun so far.
    pub inputs: usize,
}

/// The size of the inputs as the progress counts it ([`ImportProgress::bytes`]): the sum
/// of the files' sizes, or `None` when it is not known beforehand (standard input, gzip).
#[must_use]
pub fn input_bytes(expanded: &Expanded) -> Option<u64> {
    let mut total = 0u64;
    for input in &expanded.inputs {
        match input {
            Input::Stdin => return None,
            Input::File(p) => {
                if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
                    return None;
                }
                total += std::fs::metadata(p).map_or(0, |m| m.len());
            }
        }
    }
    Some(total)
}

/// What one chunk of input became on a worker thread.
struct Part {
    input: usize,
    bytes: u64,
    documents: u64,
    prepared: Vec<PreparedObservation>,
    json_bytes: usize,
    raw: Option<RawResponse>,
    errors: Vec<String>,
    failed: Option<OfflineError>,
}

/// Everything a worker needs to turn a chunk into observations.
struct Job<'a> {
    expanded: &'a Expanded,
    options: &'a ImportOptions,
    per_input: &'a [DumpOptions],
    names: &'a [String],
}

impl Job<'_> {
    /// When the records of a chunk were fetched, and the raw body to keep with them: a
    /// save-raw record (one document, the first chunk of its file) is observed at its
    /// run's start (as its live output and a replay say), else when it was fetched; other
    /// files when they were last written; standard input now.
    fn origin(
        &self,
        input: &Input,
        options: &DumpOptions,
        first: bool,
    ) -> (DateTime<Utc>, Option<RawResponse>) {
        let record = match input {
            Input::File(p) if first => saved_record(p),
            _ => None,
        };
        match (record, input) {
            (Some(r), _) => {
                let at = options.run_started.unwrap_or(r.fetched_at);
                let raw = self
                    .options
                    .keep_raw
                    .then(|| RawResponse::new(self.options.profile.clone(), r));
                (at, raw)
            }
            (None, Input::File(p)) => (
                std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .map(DateTime::<Utc>::from)
                    .unwrap_or_else(|_| Utc::now()),
                None,
            ),
            (None, Input::Stdin) => (Utc::now(), None),
        }
    }

    /// Parses, normalises, serialises, hashes and compresses one chunk.
    fn run(&self, (item, first): (InputChunk, bool)) -> Part {
        let mut part = Part {
            input: item.input,
            bytes: 0,
            documents: 0,
            prepared: Vec::new(),
            json_bytes: 0,
            raw: None,
            errors: Vec::new(),
            failed: None,
        };
        let chunk = match item.chunk {
            Ok(chunk) => chunk,
            Err(e) => {
                part.failed = Some(e.into());
                return part;
            }
        };
        let (Some(input), Some(options)) = (
            self.expanded.inputs.get(item.input),
            self.per_input.get(item.input),
        ) else {
            return part;
        };
        let name = self.names.get(item.input).map_or("", String::as_str);
        part.bytes = chunk.len() as u64;
        let (fetched_at, raw) = self.origin(input, options, first && chunk.documents() == 1);
        part.raw = raw;
        let profile = &self.options.profile;
        let mut reader = chunk.read(options).with_json();
        while let Some(item) = reader.next_with_json() {
            match item {
                Ok((m, json)) => match observation(profile, fetched_at, m)
                    .with_json(json)
                    .prepare()
                {
                    Ok(p) => {
                        part.json_bytes += p.json_len();
                        part.prepared.push(p);
                    }
                    Err(e) => {
                        part.failed = Some(e.into());
                        return part;
                    }
                },
                Err(e) => part.errors.push(format!("{name}: {e}")),
            }
        }
        part.documents = reader.stats().documents;
        part
    }
}

/// A record as an observation: a record of the neutral JSON Lines (several sources, or
/// none) is one `neutral` observation, observed when its newest source was.
fn observation(profile: &str, fetched_at: DateTime<Utc>, m: Meeting) -> Observation {
    let mut sources = m.sources.clone();
    sources.sort();
    sources.dedup();
    if sources.len() == 1 || m.is_stub() {
        Observation::new(profile, fetched_at, m)
    } else {
        let at = m.last_observed().unwrap_or(fetched_at);
        Observation::neutral(profile, at, m)
    }
}

/// The batch being filled, and the one the writer thread is writing.
struct Batches<'w> {
    writer: &'w Writer,
    records: Vec<PreparedObservation>,
    json_bytes: usize,
    raw: Vec<RawResponse>,
    /// The batches handed to the writer, oldest first.
    pending: std::collections::VecDeque<PendingCommit>,
    changes: LoadSummary,
    /// Records and JSON bytes written in the open transaction.
    open: (usize, usize),
    /// One transaction for everything (a temporary archive).
    one_transaction: bool,
}

impl Batches<'_> {
    /// Hands the batch to the writer thread once fewer than [`BATCHES_IN_FLIGHT`] are
    /// waiting to be written, and returns while they are: preparing the next batches
    /// overlaps writing these. Batches are written in order, as parts of a transaction
    /// committed every [`TRANSACTION_RECORDS`] records (or [`TRANSACTION_JSON_BYTES`]);
    /// the first failure stops the import (the transactions before it stay committed; the
    /// writer refuses the batches sent after it).
    fn send(&mut self) -> Result<(), StoreError> {
        while self.pending.len() >= BATCHES_IN_FLIGHT {
            if let Some(p) = self.pending.pop_front() {
                self.changes.add(&p.wait()?);
            }
        }
        self.open.0 += self.records.len();
        self.open.1 += self.json_bytes;
        let mut commit = WindowCommit::prepared(std::mem::take(&mut self.records));
        commit.raw.append(&mut self.raw);
        self.json_bytes = 0;
        let end = !self.one_transaction
            && (self.open.0 >= TRANSACTION_RECORDS || self.open.1 >= TRANSACTION_JSON_BYTES);
        self.pending.push_back(if end {
            self.open = (0, 0);
            self.writer.send_window(commit)?
        } else {
            self.writer.send_part(commit)?
        });
        Ok(())
    }

    /// Sends the last batch as the window that commits the open transaction.
    fn finish(mut self) -> Result<LoadSummary, StoreError> {
        while let Some(p) = self.pending.pop_front() {
            self.changes.add(&p.wait()?);
        }
        let mut commit = WindowCommit::prepared(std::mem::take(&mut self.records));
        commit.raw.append(&mut self.raw);
        self.changes.add(&self.writer.send_window(commit)?.wait()?);
        Ok(self.changes)
    }
}

/// `meeting archive import`: every record of the inputs is an observation, fetched when the
/// vendor answered (a save-raw record says when; for other files, when the file was last
/// written); with `keep_raw`, save-raw records' bodies are kept too; runs' manifests are
/// recorded with their gaps. Never interleaved with a sync: the archive's run lock is held
/// throughout. Each bad document goes to `on_bad` and is counted.
///
/// # Errors
/// An input cannot be opened, a manifest cannot be read, the archive fails (busy, a full
/// disk: [`meeting_store::ErrorKind::Io`] with the operating system's words).
pub fn import(
    path: &Path,
    expanded: &Expanded,
    options: &ImportOptions,
    on_bad: &mut dyn FnMut(&str),
) -> Result<ImportSummary, OfflineError> {
    import_with_progress(path, expanded, options, on_bad, &mut |_| {})
}

/// [`import`], calling `on_progress` after each chunk of input (on the calling thread).
///
/// # Errors
/// As [`import`].
pub fn import_with_progress(
    path: &Path,
    expanded: &Expanded,
    options: &ImportOptions,
    on_bad: &mut dyn FnMut(&str),
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, OfflineError> {
    let _lock = RunLock::acquire(path, options.lock_wait)?;
    let writer = Writer::open_with(path, &WriterOptions::new().temporary(options.temporary))?;
    let base = options
        .dump
        .clone()
        .unwrap_or_else(|| DumpOptions::new().context(options.context));
    // Each input's own options: a saved run's span, start and failed windows.
    let per_input: Vec<DumpOptions> = expanded
        .inputs
        .iter()
        .map(|i| i.options_for(&base))
        .collect();
    let names: Vec<String> = expanded.inputs.iter().map(Input::name).collect();
    let job = Job {
        expanded,
        options,
        per_input: &per_input,
        names: &names,
    };
    let mut summary = ImportSummary::default();
    let mut progress = ImportProgress::default();
    let mut batches = Batches {
        writer: &writer,
        records: Vec::new(),
        json_bytes: 0,
        raw: Vec::new(),
        pending: std::collections::VecDeque::new(),
        changes: LoadSummary::default(),
        open: (0, 0),
        one_transaction: options.temporary,
    };
    // The first chunk of each input is marked: only it can be a save-raw record.
    let mut last_input = None;
    let chunk_bytes = if options.temporary {
        TEMPORARY_CHUNK_BYTES
    } else {
        DEFAULT_CHUNK_BYTES
    };
    let chunks = input_chunks(&expanded.inputs, &base, chunk_bytes).map(|c| {
        let first = last_input != Some(c.input);
        last_input = Some(c.input);
        (c, first)
    });
    map_ordered(
        chunks,
        options.jobs,
        |item| job.run(item),
        |part: Part| -> Result<(), OfflineError> {
            if let Some(e) = part.failed {
                return Err(e);
            }
            summary.documents += part.documents;
            summary.bad += part.errors.len() as u64;
            part.errors.iter().for_each(|e| on_bad(e));
            summary.records += part.prepared.len() as u64;
            progress.bytes += part.bytes;
            progress.records = summary.records;
            progress.inputs = progress.inputs.max(part.input + 1);
            batches.records.extend(part.prepared);
            batches.json_bytes += part.json_bytes;
            batches.raw.extend(part.raw);
            if batches.records.len() >= BATCH_RECORDS || batches.json_bytes >= BATCH_JSON_BYTES {
                batches.send()?;
            }
            on_progress(progress);
            Ok(())
        },
    )?;
    summary.changes = batches.finish()?;
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
        run.profile = Some(options.profile.clone());
        let mut commit = WindowCommit::new(Vec::new());
        commit.run = Some(run);
        writer.commit_window(commit)?;
    }
    writer.close()?;
    Ok(summary)
}
