//! The offline jobs: saved dumps (or the archive) read, merged and filtered, with the bad
//! documents and the report stubs accounted for. No printing: every count and note is in
//! the result, and each bad document is handed to the caller's `on_bad` as it is found (a
//! located message, `FILE: line L, column C, byte B: ...`).
//!
//! - [`read_files`]: the inputs split into chunks of whole documents, parsed on up to `jobs`
//!   threads, in input order; merged by key when asked, filtered.
//! - [`merge`]: merge by key (report stubs attached to their occurrences) in the output
//!   order ([`meeting_core::query::sort_for_output`]).
//! - [`summarize_files`], [`summarize_archive`]: `stats` over large inputs, a compact
//!   summary per distinct meeting ([`meeting_core::summary`]).
//! - [`merged`]: the input of `list`, `export` and `report`: files or the archive, merged,
//!   filtered.

use std::path::Path;

use meeting_core::dump::{DEFAULT_CHUNK_BYTES, input_chunks, map_ordered};
use meeting_core::query::Filter;
use meeting_core::run::ManifestError;
use meeting_core::summary::{Observation, Summarized, SummaryMerger};
use meeting_core::{DumpOptions, DumpStats, Meeting};
use meeting_store::StoreError;

use crate::inputs::{Expanded, Input};

/// An offline job that could not run (bad documents are not errors: they are counted).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// An input could not be opened.
    #[error(transparent)]
    Input(#[from] crate::inputs::InputError),
    /// A saved run's manifest could not be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The archive failed (missing, busy, newer, a database error).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The temporary file `stats` keeps participant rows in failed.
    #[error("the temporary file of the participant rows failed: {0}")]
    TempFile(#[source] std::io::Error),
    /// The thread reading the archive stopped without a result.
    #[error("the archive reader stopped unexpectedly")]
    ReaderStopped,
}

/// What became of the report stubs (annotations, never meetings) of a read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stubs {
    /// Stubs attached to their meetings by a merge (`report: none`).
    pub attached: u64,
    /// The meeting numbers of the stubs that matched no meeting of the input.
    pub unmatched: Vec<String>,
    /// Stubs left out of an unmerged output.
    pub dropped: u64,
}

/// The documents, records and bad documents read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Documents read.
    pub documents: u64,
    /// Records (meetings and stubs) read.
    pub read: u64,
    /// Bad documents (each handed to `on_bad`).
    pub bad: u64,
}

/// Meetings read, merged (or not) and filtered.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Reading {
    /// The meetings that pass the filter, in the output order when merged, else input order.
    pub meetings: Vec<Meeting>,
    /// What was read (files only; zero from the archive).
    pub counts: Counts,
    /// What became of the report stubs.
    pub stubs: Stubs,
    /// The saved runs among the inputs that did not complete (`DIR: what is missing`).
    pub gaps: Vec<String>,
}

/// Summaries for `stats`, merged and filtered.
#[derive(Debug)]
#[non_exhaustive]
pub struct Summarizing {
    /// The summaries and the participant rows behind them.
    pub merged: Summarized,
    /// What was read (files only).
    pub counts: Counts,
    /// What became of the report stubs.
    pub stubs: Stubs,
    /// The saved runs among the inputs that did not complete.
    pub gaps: Vec<String>,
}

/// Where the meetings of a command come from.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// Files, directories and stdin, resolved ([`crate::inputs::resolve`]).
    Files(&'a Expanded),
    /// The archive at this path (resolved: [`crate::archive::path`]).
    Archive(&'a Path),
}

/// How to read files.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The dump options (vendor zone, forced endpoint); each input adds its own saved run's
    /// span and start ([`Input::options_for`]).
    pub dump: DumpOptions,
    /// Threads that parse.
    pub jobs: usize,
}

impl ReadOptions {
    /// These dump options on `jobs` threads.
    #[must_use]
    pub fn new(dump: DumpOptions, jobs: usize) -> Self {
        ReadOptions { dump, jobs }
    }
}

/// Merges by key ([`meeting_core::merge`]: report stubs attached to their occurrences), in
/// the output order; what became of the stubs.
pub fn merge(meetings: Vec<Meeting>) -> (Vec<Meeting>, Stubs) {
    let mut merger = meeting_core::merge::Merger::new();
    merger.extend(meetings);
    finish(merger)
}

fn finish(merger: meeting_core::merge::Merger) -> (Vec<Meeting>, Stubs) {
    let merged = merger.finish_with_stubs();
    let mut out = merged.meetings;
    meeting_core::query::sort_for_output(&mut out);
    let stubs = Stubs {
        attached: merged.stubs,
        unmatched: merged.unmatched_stubs,
        dropped: 0,
    };
    (out, stubs)
}

/// Reads every input (split into chunks of whole documents, parsed on up to `jobs` threads,
/// results in input order), merges when `merge` (else leaves the report stubs out), filters.
/// Each bad document goes to `on_bad`; the saved runs' gaps are not read here (see
/// [`Expanded::incomplete_runs`]).
pub fn read_files(
    expanded: &Expanded,
    options: &ReadOptions,
    merge: bool,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Reading {
    let mut meetings = Vec::new();
    let mut merger = meeting_core::merge::Merger::new();
    let counts = read_inputs(
        expanded,
        options,
        |m: Meeting| m,
        |part: Vec<Meeting>| {
            if merge {
                merger.extend(part);
            } else {
                meetings.extend(part);
            }
        },
        on_bad,
    );
    let (meetings, stubs) = if merge {
        finish(merger)
    } else {
        let before = meetings.len();
        let meetings: Vec<Meeting> = meetings
            .into_iter()
            .filter(|m| !meeting_core::query::is_report_stub(m))
            .collect();
        let dropped = (before - meetings.len()) as u64;
        (
            meetings,
            Stubs {
                dropped,
                ..Stubs::default()
            },
        )
    };
    Reading {
        meetings: meetings.into_iter().filter(|m| filter.matches(m)).collect(),
        counts,
        stubs,
        gaps: Vec::new(),
    }
}

/// Reads every input (split into chunks of whole documents, parsed on up to `jobs` threads,
/// each record turned by `each` where it is parsed, results in input order into `sink`),
/// handing each bad document to `on_bad`.
fn read_inputs<T: Send>(
    expanded: &Expanded,
    options: &ReadOptions,
    each: impl Fn(Meeting) -> T + Sync,
    mut sink: impl FnMut(Vec<T>),
    on_bad: &mut dyn FnMut(&str),
) -> Counts {
    let mut counts = Counts::default();
    let names: Vec<String> = expanded.inputs.iter().map(Input::name).collect();
    let base = &options.dump;
    // Each input's own options: a saved run's span, start and failed windows.
    let per_input: Vec<DumpOptions> = expanded
        .inputs
        .iter()
        .map(|i| i.options_for(base))
        .collect();
    let _ = map_ordered(
        input_chunks(&expanded.inputs, base, DEFAULT_CHUNK_BYTES),
        options.jobs,
        |item| {
            let name = names.get(item.input).map_or("", String::as_str);
            let mut part = Vec::new();
            let mut errors = Vec::new();
            let stats = match item.chunk {
                Ok(chunk) => {
                    let options = per_input.get(item.input).unwrap_or(base);
                    let mut reader = chunk.read(options);
                    for m in reader.by_ref() {
                        match m {
                            Ok(m) => part.push(each(m)),
                            Err(e) => errors.push(format!("{name}: {e}")),
                        }
                    }
                    reader.stats()
                }
                Err(e) => {
                    errors.push(e.to_string());
                    DumpStats {
                        documents: 1,
                        bad_documents: 1,
                        ..DumpStats::default()
                    }
                }
            };
            (part, errors, stats)
        },
        |(part, errors, stats): (Vec<T>, Vec<String>, DumpStats)| -> Result<(), ()> {
            counts.documents += stats.documents;
            counts.bad += stats.bad_documents;
            counts.read += part.len() as u64;
            errors.iter().for_each(|e| on_bad(e));
            sink(part);
            Ok(())
        },
    );
    counts
}

/// Merged, filtered meetings from files or the archive (the input of `list`, `export` and
/// `report`), with the saved runs' gaps.
pub fn merged(
    source: Source<'_>,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Reading, OfflineError> {
    match source {
        Source::Archive(path) => crate::archive::read(path, filter),
        Source::Files(expanded) => {
            let gaps = expanded.incomplete_runs()?;
            let mut reading = read_files(expanded, options, true, filter, on_bad);
            reading.gaps = gaps;
            Ok(reading)
        }
    }
}

/// `stats` over files: each record summarised where it is parsed ([`meeting_core::summary`])
/// and merged as it comes, so memory grows with the distinct meetings, not the input; the
/// summaries that pass `filter`.
pub fn summarize_files(
    expanded: &Expanded,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Summarizing, OfflineError> {
    let gaps = expanded.incomplete_runs()?;
    let mut merger = SummaryMerger::new();
    let counts = read_inputs(
        expanded,
        options,
        Observation::of,
        |part: Vec<Observation>| part.into_iter().for_each(|o| merger.push(o)),
        on_bad,
    );
    let mut summarizing = summarized(merger, filter)?;
    summarizing.counts = counts;
    summarizing.gaps = gaps;
    Ok(summarizing)
}

/// `stats` over the archive: its meetings summarised as they are read and merged with its
/// report stubs (rooms resolved across the archive), as [`summarize_files`] does for files.
pub fn summarize_archive(path: &Path, filter: &Filter) -> Result<Summarizing, OfflineError> {
    let mut merger = SummaryMerger::new();
    crate::archive::each(path, filter, |m| merger.push_meeting(m))?;
    summarized(merger, filter)
}

fn summarized(merger: SummaryMerger, filter: &Filter) -> Result<Summarizing, OfflineError> {
    let mut merged = merger.finish_with_stubs().map_err(OfflineError::TempFile)?;
    let stubs = Stubs {
        attached: merged.stubs,
        unmatched: merged.unmatched_stubs.clone(),
        dropped: 0,
    };
    merged.summaries.retain(|s| filter.matches(&s.outline()));
    Ok(Summarizing {
        merged,
        counts: Counts::default(),
        stubs,
        gaps: Vec::new(),
    })
}
