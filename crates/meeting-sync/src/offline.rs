//! The offline jobs: saved dumps (or the archive) read, merged and filtered, with the bad
//! documents and the report stubs accounted for. No printing: every count and note is in
//! the result, and each bad document is handed to the caller's `on_bad` as it is found (a
//! located message, `FILE: line L, column C, byte B: ...`).
//!
//! - [`read_files`]: the inputs split into chunks of whole documents, parsed on up to `jobs`
//!   threads, in input order; merged by key when asked, filtered.
//! - [`merge`]: merge by key (report stubs attached to their occurrences) in the output
//!   order ([`meeting_core::query::sort_for_output`]).
//! - [`load_files`]: files loaded into a private temporary archive (0700, removed when
//!   dropped), which `stats`, `report` and `export` read exactly as they read the archive:
//!   one code path, and memory bounded by the archive.
//! - [`aggregate_files`], [`aggregate_archive`]: `stats`, the aggregate of the archive's
//!   summary rows (nothing decompressed), read in passes without holding them; files
//!   through their temporary archive. [`summarize_files`], [`summarize_archive`]: the same
//!   summaries held, one [`MeetingSummary`] per distinct meeting.
//! - [`merged`]: the input of `export` and `report`: the archive (files through their
//!   temporary archive), merged, filtered. [`listed`]: the input of `list`, files read and
//!   merged in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use meeting_core::aggregate::{Accumulator, Aggregate, Departments, GroupBy};
use meeting_core::dump::{DEFAULT_CHUNK_BYTES, input_chunks, map_ordered};
use meeting_core::query::Filter;
use meeting_core::{DumpOptions, DumpStats, Meeting, MeetingSummary};
use meeting_store::{Archive, Query, StoreError, SummaryFields, SummaryOrder};

use crate::inputs::{Expanded, Input};

pub use crate::error::OfflineError;

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

impl Stubs {
    /// The stubs of a merged read: `attached` to their meetings, `unmatched` numbers.
    fn merged(attached: u64, unmatched: Vec<String>) -> Self {
        Stubs {
            attached,
            unmatched,
            dropped: 0,
        }
    }

    /// What an operator may want to know of them (each a line): how many annotate their
    /// meetings, and which matched none; how many were left out of an unmerged output.
    #[must_use]
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.attached > 0 {
            let unmatched = self.unmatched.len();
            let mut text = format!(
                "{} report stub(s) (the vendor has no report: fewer than two participants, or not ended) annotate their meetings (`report: none`); they are not meetings",
                self.attached
            );
            if unmatched > 0 {
                let shown: Vec<&str> = self.unmatched.iter().take(5).map(String::as_str).collect();
                text.push_str(&format!(
                    "; {unmatched} matched no meeting of the input (meeting number(s) {}{})",
                    shown.join(", "),
                    if unmatched > shown.len() { ", ..." } else { "" }
                ));
            }
            notes.push(text);
        }
        if self.dropped > 0 {
            notes.push(format!(
                "{} report stub(s) not written: they are not meetings (--merge attaches them to their meetings as `report: none`)",
                self.dropped
            ));
        }
        notes
    }
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

/// `parsed N documents, M meetings, K bad`.
impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "parsed {} documents, {} meetings, {} bad",
            self.documents, self.read, self.bad
        )
    }
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
    /// One summary per distinct meeting that passes the filter, by key: report stubs
    /// attached, rooms resolved across the input (the input of
    /// [`meeting_core::aggregate::Aggregate::of_summaries`]).
    pub summaries: Vec<MeetingSummary>,
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
    /// The archive at this path (resolved: `archive::path`).
    Archive(&'a Path),
}

impl crate::inputs::Resolved {
    /// The source to read ([`merged`]).
    #[must_use]
    pub fn source(&self) -> Source<'_> {
        match self {
            crate::inputs::Resolved::Files(e) => Source::Files(e),
            crate::inputs::Resolved::Archive(p) => Source::Archive(p),
        }
    }
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
    let stubs = Stubs::merged(merged.stubs, merged.unmatched_stubs);
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

/// Merged, filtered meetings from files or the archive (the input of `export` and
/// `report`), with the saved runs' gaps: files through their temporary archive
/// ([`load_files`]), read as the archive is.
///
/// # Errors
/// A manifest cannot be read, the temporary archive cannot be made, the archive fails.
pub fn merged(
    source: Source<'_>,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Reading, OfflineError> {
    match source {
        Source::Archive(path) => read(path, filter),
        Source::Files(expanded) => {
            let loaded = load_files(expanded, options, on_bad)?;
            let mut reading = read(&loaded.path(), filter)?;
            reading.counts = loaded.counts;
            reading.gaps = loaded.gaps;
            Ok(reading)
        }
    }
}

/// Merged, filtered meetings from files (read and merged in memory) or the archive: the
/// input of `list`, with the saved runs' gaps.
///
/// # Errors
/// A manifest cannot be read, the archive fails.
pub fn listed(
    source: Source<'_>,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Reading, OfflineError> {
    match source {
        Source::Archive(path) => read(path, filter),
        Source::Files(expanded) => {
            let gaps = expanded.incomplete_runs()?;
            let mut reading = read_files(expanded, options, true, filter, on_bad);
            reading.gaps = gaps;
            Ok(reading)
        }
    }
}

/// The file name of the temporary archive in its private directory.
const FILES_ARCHIVE: &str = "files.sqlite";

/// The profile the records of files are kept under in their temporary archive (a record's
/// own profile, when it has one, stays in it).
const FILES_PROFILE: &str = "files";

/// Files loaded into a private temporary archive ([`load_files`]); the directory and the
/// archive are removed when this is dropped.
#[derive(Debug)]
#[non_exhaustive]
pub struct LoadedFiles {
    dir: crate::tempdir::TempDir,
    /// What was read.
    pub counts: Counts,
    /// The saved runs among the inputs that did not complete (`DIR: what is missing`).
    pub gaps: Vec<String>,
}

impl LoadedFiles {
    /// The temporary archive: read it as any archive.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        self.dir.path().join(FILES_ARCHIVE)
    }
}

/// Loads the inputs into a temporary archive in a private (0700) directory, as `meeting
/// archive import` would (parsed on `options.jobs` threads, the writer only writes); each
/// bad document goes to `on_bad`. The saved runs' gaps are read from their manifests. The
/// archive is removed when the result is dropped, and at once on an error.
///
/// # Errors
/// A manifest cannot be read, the directory cannot be created, the import fails (a full
/// disk: [`meeting_store::ErrorKind::Io`]).
pub fn load_files(
    expanded: &Expanded,
    options: &ReadOptions,
    on_bad: &mut dyn FnMut(&str),
) -> Result<LoadedFiles, OfflineError> {
    let gaps = expanded.incomplete_runs()?;
    let dir = crate::tempdir::TempDir::new("meeting-files").map_err(OfflineError::TempFile)?;
    // The runs are not archived: their gaps are reported from the manifests, as above.
    let mut inputs = expanded.clone();
    inputs.manifests.clear();
    let import = crate::import::ImportOptions::new(FILES_PROFILE, options.dump.context)
        .dump_options(options.dump.clone())
        .jobs(options.jobs)
        .temporary(true);
    let s = crate::import::import(&dir.path().join(FILES_ARCHIVE), &inputs, &import, on_bad)?;
    Ok(LoadedFiles {
        dir,
        counts: Counts {
            documents: s.documents,
            read: s.records,
            bad: s.bad,
        },
        gaps,
    })
}

/// `stats` over files: loaded into a temporary archive ([`load_files`]) and summarised
/// from its summary rows as [`summarize_archive`] does; the summaries that pass `filter`.
///
/// # Errors
/// As [`load_files`] and [`summarize_archive`].
pub fn summarize_files(
    expanded: &Expanded,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Summarizing, OfflineError> {
    let loaded = load_files(expanded, options, on_bad)?;
    let mut summarizing = summarize_archive(&loaded.path(), filter)?;
    summarizing.counts = loaded.counts;
    summarizing.gaps = loaded.gaps;
    Ok(summarizing)
}

/// `stats` over the archive: its summary rows (nothing decompressed) that the query of
/// `filter` selects, with its report stubs attached and the rooms resolved across them, as
/// [`summarize_files`] does for files; then filtered.
///
/// What this holds is one [`MeetingSummary`] per meeting: [`aggregate_archive`] gives the
/// aggregate of the same summaries without holding them.
pub fn summarize_archive(path: &Path, filter: &Filter) -> Result<Summarizing, OfflineError> {
    let archive = Archive::open_read_only(path)?;
    let q = query(filter);
    let mut summaries = archive.in_snapshot(|archive| {
        let mut rule = StubRule::new(archive.stubs()?, is_span(&q));
        let count = archive.summary_count(&q)?;
        let mut summaries: Vec<MeetingSummary> =
            Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        archive.each_summary(&q, SummaryOrder::Key, &mut |mut r| {
            rule.apply(&mut r, true);
            summaries.push(r.summary);
            Ok(())
        })?;
        Ok::<_, StoreError>((summaries, rule.finish()))
    })??;
    drop(archive);
    let (attached, unmatched) = summaries.1;
    let mut dir = meeting_core::identity::RoomDirectory::new();
    for s in &summaries.0 {
        dir.learn(s);
    }
    for s in &mut summaries.0 {
        dir.resolve_summary(s);
    }
    summaries.0.retain(|s| filter.keeps(s));
    Ok(Summarizing {
        summaries: summaries.0,
        counts: Counts::default(),
        stubs: Stubs::merged(attached, unmatched),
        gaps: Vec::new(),
    })
}

/// How `stats` groups its meetings: the arguments of [`Accumulator::new`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Grouping<'a> {
    /// What the meetings are grouped by.
    pub by: GroupBy,
    /// The zone days are read in.
    pub zone: chrono_tz::Tz,
    /// The cost allocation ([`GroupBy::Department`]).
    pub allocation: Option<&'a dyn Departments>,
}

impl<'a> Grouping<'a> {
    /// A grouping `by`, in `zone`, with `allocation`.
    #[must_use]
    pub fn new(by: GroupBy, zone: chrono_tz::Tz, allocation: Option<&'a dyn Departments>) -> Self {
        Grouping {
            by,
            zone,
            allocation,
        }
    }
}

/// The aggregate of `stats`, computed without holding the summaries
/// ([`aggregate_archive`], [`aggregate_files`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Aggregated {
    /// The groups and totals of the summaries that pass the filter.
    pub aggregate: Aggregate,
    /// How many summaries passed the filter (report stubs included, as
    /// [`Summarizing::summaries`] counts them).
    pub summaries: u64,
    /// What was read (files only).
    pub counts: Counts,
    /// What became of the report stubs.
    pub stubs: Stubs,
    /// The saved runs among the inputs that did not complete.
    pub gaps: Vec<String>,
}

/// `stats` over files: loaded into a temporary archive ([`load_files`]) and aggregated
/// from its summary rows as [`aggregate_archive`] does.
///
/// # Errors
/// As [`load_files`] and [`aggregate_archive`].
pub fn aggregate_files(
    expanded: &Expanded,
    options: &ReadOptions,
    filter: &Filter,
    grouping: Grouping<'_>,
    on_bad: &mut dyn FnMut(&str),
    each: &mut dyn FnMut(&MeetingSummary),
) -> Result<Aggregated, OfflineError> {
    let loaded = load_files(expanded, options, on_bad)?;
    let mut aggregated = aggregate_archive(&loaded.path(), filter, grouping, each)?;
    aggregated.counts = loaded.counts;
    aggregated.gaps = loaded.gaps;
    Ok(aggregated)
}

/// `stats` over the archive: [`Aggregate::of_summaries`] of the summaries
/// [`summarize_archive`] gives (the same figures, stubs and notes), without holding them.
/// The summary rows are read in the order they are stored (a walk of the table, no seek
/// per row: every step below gives the same result in any order) in one snapshot, in
/// passes: the first (only the
/// columns of [`SummaryFields::Identity`]) attaches the report stubs and learns the room
/// directory, the second (only when some summary has an event: Quanshi) resolves, filters
/// and shows the accumulator what reservations lend, the last resolves, filters, counts and
/// hands each summary that passes to `each` (in that order). What is held: the stubs, the
/// rooms and the groups.
///
/// The archive is read on a thread of its own, one pass after the other
/// in one snapshot, a batch of rows at a time, while this thread works through the rows
/// read before them, in the same order: the figures are those of reading and working in
/// turn, and the batches in flight are few.
///
/// # Errors
/// The archive cannot be opened or read.
pub fn aggregate_archive(
    path: &Path,
    filter: &Filter,
    grouping: Grouping<'_>,
    each: &mut dyn FnMut(&MeetingSummary),
) -> Result<Aggregated, OfflineError> {
    let q = query(filter);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Passes>(PASS_BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        // The reader owns the sender: the channel closes when it returns.
        let read_q = &q;
        let reader = std::thread::Builder::new()
            .name("meeting-stats-read".into())
            .spawn_scoped(scope, move || read_passes(path, read_q, &tx))
            .map_err(|e| {
                OfflineError::from(StoreError::from_io("cannot start the archive's reader", e))
            })?;
        let mut rule: Option<StubRule> = None;
        let mut dir = meeting_core::identity::RoomDirectory::new();
        let mut acc = Accumulator::new(grouping.by, grouping.zone, grouping.allocation);
        let mut summaries = 0u64;
        // Every message is worked through, in order, until the reader is done (or fails:
        // then it stops sending, and its error is the result).
        for message in rx {
            match message {
                Passes::Stubs(stubs) => rule = Some(StubRule::new(stubs, is_span(&q))),
                Passes::Rows(pass, rows) => {
                    let Some(rule) = rule.as_mut() else { continue };
                    rows.decode_each(&mut |mut r| {
                        if pass == Pass::Identity {
                            rule.apply(&mut r, true);
                            dir.learn(&r.summary);
                            return Ok(());
                        }
                        rule.apply(&mut r, false);
                        dir.resolve_summary(&mut r.summary);
                        if !filter.keeps(&r.summary) {
                            return Ok(());
                        }
                        if pass == Pass::Lending {
                            acc.learn(&r.summary);
                        } else {
                            acc.add(&r.summary);
                            summaries += 1;
                            each(&r.summary);
                        }
                        Ok(())
                    })?;
                }
            }
        }
        match reader.join() {
            Ok(read) => read?,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        let (attached, unmatched) = rule.map(StubRule::finish).unwrap_or_default();
        Ok(Aggregated {
            aggregate: acc.finish(),
            summaries,
            counts: Counts::default(),
            stubs: Stubs::merged(attached, unmatched),
            gaps: Vec::new(),
        })
    })
}

/// Rows per batch [`read_passes`] hands over.
const PASS_BATCH_ROWS: usize = 2048;

/// Batches [`read_passes`] may be ahead by.
const PASS_BATCHES_IN_FLIGHT: usize = 2;

/// A pass over the summary rows of [`aggregate_archive`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    /// Stubs attached, rooms learnt (the identity columns only).
    Identity,
    /// What reservations lend to their occurrences (only when some row has an event).
    Lending,
    /// Counted.
    Counting,
}

/// What [`read_passes`] hands over, in order: the stubs, then each pass's rows.
enum Passes {
    Stubs(Vec<Meeting>),
    Rows(Pass, meeting_store::SummaryBatch),
}

/// Reads the archive at `path` for [`aggregate_archive`] in one snapshot: its stubs, then
/// the rows `q` selects in their stored order, pass after pass (the lending pass only when a row
/// that is not a stub has an event), a batch at a time into `tx`. (The receiver reads
/// until the channel closes: it is gone only when its thread stopped early, on a row that
/// does not decode or a panic, which is then the outcome; the read stops at its next
/// batch.)
fn read_passes(
    path: &Path,
    q: &Query,
    tx: &std::sync::mpsc::SyncSender<Passes>,
) -> Result<(), OfflineError> {
    let gone = || {
        StoreError::from_io(
            "cannot hand over the summary rows",
            std::io::Error::from(std::io::ErrorKind::BrokenPipe),
        )
    };
    let archive = Archive::open_read_only(path)?;
    archive.in_snapshot(|archive| {
        tx.send(Passes::Stubs(archive.stubs()?))
            .map_err(|_| gone())?;
        let pass = |pass: Pass, fields: SummaryFields| {
            let mut lends = false;
            archive.each_summary_batch(
                q,
                SummaryOrder::Stored,
                fields,
                PASS_BATCH_ROWS,
                &mut |rows| {
                    lends |= pass == Pass::Identity && rows.has_events();
                    tx.send(Passes::Rows(pass, rows)).map_err(|_| gone())
                },
            )?;
            Ok::<_, StoreError>(lends)
        };
        if pass(Pass::Identity, SummaryFields::Identity)? {
            pass(Pass::Lending, SummaryFields::All)?;
        }
        pass(Pass::Counting, SummaryFields::All).map(|_| ())
    })??;
    Ok(())
}

/// Whether the archive's query reads a span of days (its stubs are then only those that
/// can annotate the span's meetings).
fn is_span(q: &Query) -> bool {
    q.from.is_some() || q.to.is_some()
}

/// The merge's stub rule ([`meeting_core::merge`]) over summary rows, one row at a time:
/// the stubs (the newest of each meeting number and request scope) annotate the Systec
/// occurrences with their meeting number (within the scope's UUIDs, when the stub has one)
/// that lack a full report: their report state becomes `none`, the stub's observation time
/// counts as theirs and its profile fills theirs when they have none. Which stubs are
/// distinct depends on the stubs alone, and what a row becomes on the row and the stubs,
/// so every pass over the rows annotates them alike.
struct StubRule {
    /// The distinct stubs, in the order they apply (meeting number, then scope).
    distinct: Vec<Meeting>,
    /// Whether each distinct stub annotated a row.
    matched: Vec<bool>,
    /// The distinct stubs of each meeting number (indexes, ascending).
    by_number: BTreeMap<String, Vec<usize>>,
    /// A span's read: only the stubs that can annotate its meetings count (their meeting
    /// number, and their request's UUIDs, name a row without a full report); the others
    /// annotate meetings of other months, and are not "unmatched".
    span: bool,
    /// The rows a stub may annotate (their meeting number is a stub's, and they lack a full
    /// report): their occurrence ids by meeting number.
    open: BTreeMap<String, BTreeSet<String>>,
}

impl StubRule {
    /// The rule of `stubs` (all the archive holds), for a span's read or not.
    fn new(stubs: Vec<Meeting>, span: bool) -> Self {
        let completeness = |m: &Meeting| {
            (
                matches!(
                    m.status,
                    meeting_core::Status::Ended | meeting_core::Status::Cancelled
                ),
                m.participants.len(),
                m.phone_calls.len(),
                m.warnings.len(),
            )
        };
        let mut distinct: BTreeMap<(String, Option<Vec<String>>), Meeting> = BTreeMap::new();
        // A span keeps no stub without a meeting number: none can annotate its rows. (What
        // it keeps otherwise depends on the meeting number and scope, the same for every
        // stub of one distinct stub: done in `finish`.)
        for stub in stubs
            .into_iter()
            .filter(|s| !span || s.meeting_number.is_some())
        {
            let id = (
                stub.meeting_number.clone().unwrap_or_default(),
                stub.stub_scope().map(<[String]>::to_vec),
            );
            match distinct.get_mut(&id) {
                Some(held) => {
                    let newer = stub
                        .last_observed()
                        .cmp(&held.last_observed())
                        .then_with(|| completeness(&stub).cmp(&completeness(held)))
                        .then_with(|| {
                            let a = serde_json::to_string(&stub).unwrap_or_default();
                            let b = serde_json::to_string(&*held).unwrap_or_default();
                            a.cmp(&b)
                        });
                    if newer == std::cmp::Ordering::Greater {
                        *held = stub;
                    }
                }
                None => {
                    distinct.insert(id, stub);
                }
            }
        }
        let distinct: Vec<Meeting> = distinct.into_values().collect();
        let mut by_number: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, stub) in distinct.iter().enumerate() {
            by_number
                .entry(stub.meeting_number.clone().unwrap_or_default())
                .or_default()
                .push(i);
        }
        StubRule {
            matched: vec![false; distinct.len()],
            distinct,
            by_number,
            span,
            open: BTreeMap::new(),
        }
    }

    /// Annotates the row `r` as the stubs do; with `record`, notes what `finish` counts
    /// (once per row: on one pass).
    fn apply(&mut self, r: &mut meeting_store::StoredSummary, record: bool) {
        use meeting_core::ReportState;
        let Some(number) = r.meeting_number.as_deref() else {
            return;
        };
        if r.summary.report == Some(ReportState::Full) {
            return;
        }
        let Some(stubs) = self.by_number.get(number) else {
            return;
        };
        if record && self.span {
            let open = self.open.entry(number.to_owned()).or_default();
            open.extend(r.occurrence_id.iter().cloned());
        }
        if r.summary.vendor != meeting_core::Vendor::Systec || r.summary.stub {
            return;
        }
        let s = &mut r.summary;
        for &i in stubs {
            let Some(stub) = self.distinct.get(i) else {
                continue;
            };
            let applies = stub.stub_scope().is_none_or(|uuids| {
                r.occurrence_id
                    .as_deref()
                    .is_some_and(|u| uuids.iter().any(|x| x == u))
            });
            if !applies {
                continue;
            }
            if record && let Some(m) = self.matched.get_mut(i) {
                *m = true;
            }
            s.report = Some(ReportState::None);
            if let Some(at) = stub
                .observed_at
                .get(&meeting_core::Source::SystecReports)
                .copied()
            {
                s.observed_at = Some(s.observed_at.map_or(at, |o| o.max(at)));
            }
            if s.profile.is_none() {
                s.profile.clone_from(&stub.profile);
            }
        }
    }

    /// The number of distinct stubs and the sorted meeting numbers of those that
    /// annotated nothing (of a span's read: among those that could annotate its rows).
    fn finish(self) -> (u64, Vec<String>) {
        let mut count = 0;
        let mut unmatched = Vec::new();
        for (stub, matched) in self.distinct.iter().zip(self.matched) {
            if self.span {
                let kept = stub
                    .meeting_number
                    .as_deref()
                    .and_then(|n| self.open.get(n))
                    .is_some_and(|uuids| {
                        stub.stub_scope()
                            .is_none_or(|scope| scope.iter().any(|u| uuids.contains(u.as_str())))
                    });
                if !kept {
                    continue;
                }
            }
            count += 1;
            if !matched {
                unmatched.push(stub.meeting_number.clone().unwrap_or_default());
            }
        }
        unmatched.sort();
        (count, unmatched)
    }
}

/// A meeting that carries what a summary knows of its identity, times and rooms (no
/// participants, calls or figures): for the readers of rooms and days that take meetings
/// (an allocation's warnings, masking).
#[must_use]
pub fn outline(s: &MeetingSummary) -> Meeting {
    let source = match s.vendor {
        meeting_core::Vendor::Quanshi => meeting_core::Source::QuanshiConference,
        _ => meeting_core::Source::SystecDetail,
    };
    let mut m = Meeting::new(s.vendor, source, s.key.clone());
    m.sources.clear();
    m.profile.clone_from(&s.profile);
    m.status = s.status;
    m.report = s.report;
    m.start = s.start;
    m.end = s.end;
    if s.start.is_none() {
        m.scheduled_start = s.effective_start;
    }
    m.event_id.clone_from(&s.event_id);
    if s.has_room {
        let mut room = meeting_core::Room::default();
        room.id.clone_from(&s.room_id);
        room.name.clone_from(&s.room_name);
        room.email.clone_from(&s.room_email);
        m.room = Some(room);
    }
    if s.has_host {
        let mut host = meeting_core::Host::default();
        host.id.clone_from(&s.host_id);
        host.name.clone_from(&s.host_name);
        host.email.clone_from(&s.host_email);
        m.host = Some(host);
    }
    m.rooms = s
        .booked_rooms
        .iter()
        .map(|r| {
            let mut b = meeting_core::BookedRoom::default();
            b.id.clone_from(&r.id);
            b.name.clone_from(&r.name);
            b
        })
        .collect();
    m
}

// ---------------------------------------------------------------------------------------
// Reading the archive as meetings.

/// The archive's query for a filter: whole days of the filter's zone as UTC instants. Rooms
/// and hosts are matched after the room identities are resolved (a `detail`-only meeting is
/// stored under its room id, and matches the room's name).
#[must_use]
pub fn query(filter: &Filter) -> Query {
    let instant = |day: NaiveDate| -> Option<DateTime<Utc>> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        filter
            .zone
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut q = Query::all();
    q.from = filter.from.and_then(instant);
    q.to = filter.to.and_then(|d| d.succ_opt()).and_then(instant);
    q.vendor = filter.vendor;
    q
}

/// The archive's meetings that pass `filter`, in the output order: the report stubs
/// attached and the rooms resolved across the archive, as for files.
pub fn read(path: &Path, filter: &Filter) -> Result<Reading, OfflineError> {
    let mut meetings = Vec::new();
    each(path, filter, |m| meetings.push(m))?;
    let (meetings, stubs) = merge(meetings);
    Ok(Reading {
        meetings: meetings.into_iter().filter(|m| filter.matches(m)).collect(),
        stubs,
        ..Reading::default()
    })
}

/// `meeting archive dump`: every meeting of the archive merged as a read merges it (each
/// key's observations, then its report stubs attached), in key order, one neutral JSON line
/// each into `out`: the auditor's view, and the same lines whatever order the archive was
/// loaded in. Unmasked (the records hold no secrets: join links are never output). Returns
/// the meetings written; the merge holds the archive's meetings in memory.
///
/// # Errors
/// The archive cannot be read; `out` fails ([`OfflineError::Write`]).
pub fn dump(path: &Path, out: &mut dyn std::io::Write) -> Result<u64, OfflineError> {
    let mut meetings = Vec::new();
    each(path, &Filter::new(chrono_tz::UTC), |m| meetings.push(m))?;
    let (mut meetings, _) = merge(meetings);
    meetings.sort_by(|a, b| a.key.cmp(&b.key));
    let mut line = Vec::with_capacity(4096);
    for m in &meetings {
        line.clear();
        serde_json::to_writer(&mut line, m)
            .map_err(|e| OfflineError::Write(std::io::Error::other(e)))?;
        line.push(b'\n');
        out.write_all(&line).map_err(OfflineError::Write)?;
    }
    Ok(meetings.len() as u64)
}

/// Hands `each` the archive's meetings that the query of `filter` selects (each key's own
/// merge, a page at a time), then its report stubs: the input of a merge, read without
/// holding the archive in memory. The archive is read and its records parsed on a thread of
/// their own while `each` works (at most 1024 meetings between them).
pub fn each(
    path: &Path,
    filter: &Filter,
    mut each: impl FnMut(Meeting),
) -> Result<(), OfflineError> {
    let query = query(filter);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Meeting, StoreError>>(IN_FLIGHT);
        let reader = scope.spawn(move || {
            let archive = match Archive::open_read_only(path) {
                Ok(a) => a,
                Err(e) => return tx.send(Err(e)).unwrap_or(()),
            };
            // A span's read takes only the stubs that can annotate its meetings (their
            // meeting number, and their request's UUIDs, name an occurrence read without a
            // full report): the others annotate meetings of other months, and are not
            // "unmatched".
            let bounded = query.from.is_some() || query.to.is_some();
            let mut open: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for m in archive.meetings(&query) {
                if bounded
                    && let Ok(m) = &m
                    && let Some(n) = &m.meeting_number
                    && m.report != Some(meeting_core::ReportState::Full)
                    && !m.sources.contains(&meeting_core::Source::SystecReports)
                {
                    open.entry(n.clone())
                        .or_default()
                        .extend(m.occurrence_id.clone());
                }
                let failed = m.is_err();
                if tx.send(m).is_err() || failed {
                    return;
                }
            }
            match archive.stubs() {
                Ok(stubs) => {
                    let ours = stubs.into_iter().filter(|s| {
                        !bounded
                            || s.meeting_number
                                .as_ref()
                                .and_then(|n| open.get(n))
                                .is_some_and(|uuids| {
                                    s.stub_scope()
                                        .is_none_or(|scope| scope.iter().any(|u| uuids.contains(u)))
                                })
                    });
                    for s in ours {
                        if tx.send(Ok(s)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tx.send(Err(e)).unwrap_or(()),
            }
        });
        let mut result = Ok(());
        for m in rx {
            match m {
                Ok(m) => each(m),
                Err(e) => {
                    result = Err(OfflineError::Store(e));
                    break;
                }
            }
        }
        if reader.join().is_err() {
            result = result.and(Err(OfflineError::ReaderStopped));
        }
        result
    })
}

/// The meetings read ahead of [`each`]'s consumer.
const IN_FLIGHT: usize = 1024;
