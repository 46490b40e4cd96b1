//! One dump on several cores: the input split into chunks of whole documents (cheap: the
//! scanner only), each chunk parsed and normalised on any thread, the results put back in
//! input order.
//!
//! The split runs on one thread and copies each segment's bytes into its chunk; a chunk holds
//! about [`DEFAULT_CHUNK_BYTES`] of input (or one larger document), with every segment's
//! position and kind decided by the same scanner [`read_dump`](super::read_dump) uses. Reading
//! a chunk ([`DumpChunk::read`]) goes through the same per-segment code as the sequential
//! reader, so the items (meetings and located errors, with their messages) are the same, in
//! the same order, whatever the chunk size or the number of threads.
//!
//! [`map_ordered`] runs any work over a stream of items on several threads and hands the
//! results to one sink in input order, with a bounded number of items in flight, so memory
//! is bounded by `chunk size × (2 × jobs + 1)` however large the dump.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read};
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::scan::{SegmentKind, Splitter};
use super::views::{MeetingJson, systec_meetings_with_json, view_source};
use super::{DumpError, DumpErrorKind, DumpOptions, DumpStats, Input, Position, segment_result};
use crate::Meeting;
use crate::inputs::InputError;
use crate::normalize::DayCache;

/// The default size of a chunk of input: 1 MiB (a document larger than that is a chunk of
/// its own).
pub const DEFAULT_CHUNK_BYTES: usize = 1024 * 1024;

/// One segment of the input held by a chunk.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) position: Position,
    pub(super) kind: SegmentKind,
    pub(super) range: Range<usize>,
    pub(super) at_line_end: bool,
}

/// Consecutive documents of one input, copied out of it at document boundaries, to be read
/// on any thread with [`DumpChunk::read`].
pub struct DumpChunk {
    pub(super) bytes: Vec<u8>,
    pub(super) entries: Vec<Entry>,
    /// Reading the input failed after the entries (the last item of the chunk).
    pub(super) io_error: Option<(Position, io::Error)>,
}

impl fmt::Debug for DumpChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DumpChunk")
            .field("bytes", &self.bytes.len())
            .field("documents", &self.documents())
            .finish_non_exhaustive()
    }
}

impl DumpChunk {
    /// The number of documents (segments, good or bad, and a read failure) in the chunk.
    pub fn documents(&self) -> u64 {
        self.entries.len() as u64 + u64::from(self.io_error.is_some())
    }

    /// The number of input bytes the chunk holds.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the chunk holds no input bytes (it may still hold an error).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Parses and normalises the chunk's documents: the same items, in the same order, as
    /// [`read_dump`](super::read_dump) yields for them.
    pub fn read(self, options: &DumpOptions) -> ChunkReader<'_> {
        ChunkReader {
            entries: self.entries.into_iter(),
            bytes: self.bytes,
            io_error: self.io_error,
            options,
            pending: Vec::new().into_iter(),
            scratch: Vec::new(),
            stats: DumpStats::default(),
            json: None,
        }
    }
}

/// The items of one chunk: meetings and located errors ([`DumpChunk::read`]).
pub struct ChunkReader<'o> {
    entries: std::vec::IntoIter<Entry>,
    bytes: Vec<u8>,
    io_error: Option<(Position, io::Error)>,
    options: &'o DumpOptions,
    pending: std::vec::IntoIter<Meeting>,
    scratch: Vec<Meeting>,
    stats: DumpStats,
    /// With [`ChunkReader::with_json`]: the JSON of the pending meetings.
    json: Option<JsonState>,
}

/// What [`ChunkReader::next_with_json`] keeps between documents.
#[derive(Default)]
struct JsonState {
    /// The JSON of each of the pending meetings, when the document they came from was
    /// written from its views; empty otherwise.
    pending: std::vec::IntoIter<Option<MeetingJson>>,
    cache: DayCache,
    scratch: Vec<u8>,
}

impl fmt::Debug for ChunkReader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkReader")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl ChunkReader<'_> {
    /// What has been read of this chunk so far (documents, meetings, bad documents).
    pub fn stats(&self) -> DumpStats {
        self.stats
    }

    /// Also writes each meeting's neutral JSON where the borrowed path reads it (Systec
    /// answers), for [`ChunkReader::next_with_json`] (those meetings then come without
    /// their participant rows).
    #[must_use]
    pub fn with_json(mut self) -> Self {
        self.json.get_or_insert_with(JsonState::default);
        self
    }

    /// The next item, as [`Iterator::next`] gives it, with the meeting's JSON when the
    /// reader writes it ([`ChunkReader::with_json`]; Systec answers read whole from their
    /// borrowed views, report stubs left out): the bytes `serde_json` writes for the meeting,
    /// written from the views without serialising the meeting. A meeting that comes with
    /// its JSON comes **without its participant rows**: they are in the JSON only, counted
    /// in [`MeetingJson::persons`] (what its summary needs of them), so that no owned row is
    /// built for a record that is stored as its JSON.
    pub fn next_with_json(&mut self) -> Option<Result<(Meeting, Option<MeetingJson>), DumpError>> {
        loop {
            if let Some(m) = self.pending.next() {
                let json = self.json.as_mut().and_then(|j| j.pending.next()).flatten();
                if !self.options.keeps(&m) {
                    self.stats.outside += 1;
                    continue;
                }
                self.stats.meetings += 1;
                return Some(Ok((m, json)));
            }
            let Some(entry) = self.entries.next() else {
                let (position, e) = self.io_error.take()?;
                self.stats.documents += 1;
                self.stats.bad_documents += 1;
                return Some(Err(DumpError {
                    position,
                    kind: DumpErrorKind::Io(e),
                }));
            };
            self.stats.documents += 1;
            let mut out = std::mem::take(&mut self.scratch);
            out.clear();
            let bytes = self.bytes.get(entry.range).unwrap_or_default();
            if let Some(j) = self.json.as_mut()
                && let Some(source) = view_source(entry.kind, bytes, self.options)
            {
                let mut jsons = Vec::new();
                if systec_meetings_with_json(
                    source,
                    bytes,
                    &self.options.context,
                    &mut j.cache,
                    &mut j.scratch,
                    (&mut out, &mut jsons),
                ) {
                    self.pending = out.into_iter();
                    j.pending = jsons.into_iter();
                    continue;
                }
            }
            match segment_result(entry.kind, bytes, entry.at_line_end, self.options, &mut out) {
                Ok(()) => {
                    self.pending = out.into_iter();
                    if let Some(j) = self.json.as_mut() {
                        j.pending = Vec::new().into_iter();
                    }
                }
                Err(kind) => {
                    self.scratch = out;
                    self.stats.bad_documents += 1;
                    return Some(Err(DumpError {
                        position: entry.position,
                        kind,
                    }));
                }
            }
        }
    }
}

impl Iterator for ChunkReader<'_> {
    type Item = Result<Meeting, DumpError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_with_json().map(|item| item.map(|(m, _)| m))
    }
}

/// Splits a dump into [`DumpChunk`]s of about `chunk_bytes` each, at document boundaries:
/// the scanner of [`read_dump`](super::read_dump) (gzip, BOM, arrays, JSON Lines, every bad
/// segment located), without parsing. Memory: one chunk and the largest document.
pub fn read_dump_chunks<R: Read>(
    reader: R,
    options: &DumpOptions,
    chunk_bytes: usize,
) -> DumpChunks<R> {
    DumpChunks {
        splitter: Splitter::new(Input::Start(Some(reader)), options.max_document_bytes),
        chunk_bytes: chunk_bytes.max(1),
        documents: 0,
        done: false,
    }
}

/// The iterator [`read_dump_chunks`] returns.
pub struct DumpChunks<R> {
    splitter: Splitter<Input<R>>,
    chunk_bytes: usize,
    documents: u64,
    done: bool,
}

impl<R> fmt::Debug for DumpChunks<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DumpChunks")
            .field("chunk_bytes", &self.chunk_bytes)
            .field("documents", &self.documents)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Iterator for DumpChunks<R> {
    type Item = DumpChunk;

    fn next(&mut self) -> Option<DumpChunk> {
        if self.done {
            return None;
        }
        let mut chunk = DumpChunk {
            bytes: Vec::with_capacity(self.chunk_bytes.min(DEFAULT_CHUNK_BYTES * 4)),
            entries: Vec::new(),
            io_error: None,
        };
        while chunk.bytes.len() < self.chunk_bytes {
            let seg = match self.splitter.next_segment() {
                None => {
                    self.done = true;
                    break;
                }
                Some(Err(e)) => {
                    self.done = true;
                    self.documents += 1;
                    let (line, byte_offset) = self.splitter.here();
                    let position = Position {
                        document: self.documents,
                        line,
                        byte_offset,
                    };
                    chunk.io_error = Some((position, e));
                    break;
                }
                Some(Ok(seg)) => seg,
            };
            self.documents += 1;
            let at_line_end = !self.splitter.at_end();
            let bytes = self.splitter.segment_bytes(&seg);
            let start = chunk.bytes.len();
            chunk.bytes.extend_from_slice(bytes);
            chunk.entries.push(Entry {
                position: Position {
                    document: self.documents,
                    line: seg.line,
                    byte_offset: seg.offset,
                },
                kind: seg.kind,
                range: start..chunk.bytes.len(),
                at_line_end,
            });
            if seg.kind.is_fatal() {
                self.done = true;
                break;
            }
        }
        if chunk.entries.is_empty() && chunk.io_error.is_none() {
            return None;
        }
        Some(chunk)
    }
}

/// A chunk of one of several inputs ([`input_chunks`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct InputChunk {
    /// The index of its input in the slice given.
    pub input: usize,
    /// The chunk, or why the input could not be opened (counted as one bad document).
    pub chunk: Result<DumpChunk, InputError>,
}

/// The chunks of every input in turn, in order ([`read_dump_chunks`] on each; an input is
/// opened when the one before it is done, so one file is open at a time).
pub fn input_chunks<'a>(
    inputs: &'a [crate::inputs::Input],
    options: &'a DumpOptions,
    chunk_bytes: usize,
) -> InputChunks<'a> {
    InputChunks {
        inputs,
        options,
        chunk_bytes,
        next: 0,
        current: None,
    }
}

/// The iterator [`input_chunks`] returns.
pub struct InputChunks<'a> {
    inputs: &'a [crate::inputs::Input],
    options: &'a DumpOptions,
    chunk_bytes: usize,
    next: usize,
    current: Option<(usize, DumpChunks<Box<dyn Read>>)>,
}

impl fmt::Debug for InputChunks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputChunks")
            .field("inputs", &self.inputs.len())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Iterator for InputChunks<'_> {
    type Item = InputChunk;

    fn next(&mut self) -> Option<InputChunk> {
        loop {
            if let Some((input, chunks)) = &mut self.current {
                if let Some(chunk) = chunks.next() {
                    return Some(InputChunk {
                        input: *input,
                        chunk: Ok(chunk),
                    });
                }
                self.current = None;
            }
            let input = self.next;
            let source = self.inputs.get(input)?;
            self.next += 1;
            match source.open() {
                Ok(reader) => {
                    self.current = Some((
                        input,
                        read_dump_chunks(reader, self.options, self.chunk_bytes),
                    ));
                }
                Err(e) => {
                    return Some(InputChunk {
                        input,
                        chunk: Err(e),
                    });
                }
            }
        }
    }
}

/// Runs `work` over `items` on up to `jobs` worker threads and hands every result to `sink`,
/// in input order, each as soon as it and every earlier one are done.
///
/// `items` is pulled and `sink` is called on the calling thread (neither needs to be `Send`:
/// a reader of stdin, a writer of stdout), at most `2 × jobs` items ahead of `sink`, so memory
/// stays bounded however long the stream. With `jobs <= 1` everything runs on the calling
/// thread, one item at a time. The first error from `sink` stops the stream and the workers,
/// and is returned; a panic in `work` stops them too and is raised again on the calling
/// thread.
///
/// ```
/// let mut squares = Vec::new();
/// meeting_core::dump::map_ordered(0..100u64, 3, |i| i * i, |r| {
///     squares.push(r);
///     Ok::<(), ()>(())
/// })
/// .unwrap();
/// assert_eq!(squares, (0..100u64).map(|i| i * i).collect::<Vec<_>>());
/// ```
pub fn map_ordered<I, T, R, E>(
    mut items: I,
    jobs: usize,
    work: impl Fn(T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    I: Iterator<Item = T>,
    T: Send,
    R: Send,
{
    if jobs <= 1 {
        for item in items {
            sink(work(item))?;
        }
        return Ok(());
    }
    let window = 2 * jobs;
    std::thread::scope(|scope| {
        let (work_tx, work_rx) = mpsc::channel::<(usize, T)>();
        let work_rx = Arc::new(Mutex::new(work_rx));
        // `Err`: the work panicked; the calling thread raises the panic again.
        let (done_tx, done_rx) = mpsc::channel::<(usize, std::thread::Result<R>)>();
        let work = &work;
        for _ in 0..jobs {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, item)) = next else { return };
                    let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(item)));
                    let failed = result.is_err();
                    if done_tx.send((i, result)).is_err() || failed {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut work_tx = Some(work_tx);
        let mut waiting = BTreeMap::new();
        let (mut produced, mut consumed) = (0usize, 0usize);
        loop {
            while let Ok((i, r)) = done_rx.try_recv() {
                waiting.insert(i, r);
            }
            while let Some(r) = waiting.remove(&consumed) {
                consumed += 1;
                match r {
                    Ok(r) => sink(r)?,
                    // The work panicked: raised again here, with its own message; unwinding
                    // drops the work queue, so the other workers stop and the scope ends.
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            if let Some(tx) = &work_tx
                && produced - consumed < window
            {
                match items.next() {
                    Some(item) => {
                        if tx.send((produced, item)).is_err() {
                            // Every worker is gone (one panicked): the scope says why.
                            break;
                        }
                        produced += 1;
                    }
                    None => work_tx = None,
                }
                continue;
            }
            if work_tx.is_none() && consumed == produced {
                break;
            }
            match done_rx.recv() {
                Ok((i, r)) => {
                    waiting.insert(i, r);
                }
                Err(_) => break,
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_ordered_keeps_order_and_stops_on_error() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = map_ordered(
                0..500u32,
                jobs,
                |i| {
                    // Uneven work, so results finish out of order.
                    let spin = (0..(i % 7) * 1000).fold(0u32, |a, b| a.wrapping_add(b));
                    std::hint::black_box(spin);
                    i
                },
                |r| {
                    seen.push(r);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..500).collect::<Vec<_>>(), "jobs {jobs}");
            let mut count = 0;
            let r = map_ordered(
                0..10_000u32,
                jobs,
                |i| i,
                |i| {
                    count += 1;
                    if i == 20 { Err(i) } else { Ok(()) }
                },
            );
            assert_eq!(r, Err(20));
            assert_eq!(count, 21);
        }
    }

    /// A panic in the work reaches the caller (no deadlock waiting for its result).
    #[test]
    #[should_panic(expected = "work failed on 37")]
    #[allow(clippy::panic)]
    fn a_panicking_work_is_raised_again() {
        let _ = map_ordered(
            0..1000u32,
            2,
            |i| {
                if i == 37 {
                    panic!("work failed on {i}");
                }
                i
            },
            |_| Ok::<(), ()>(()),
        );
    }
}
