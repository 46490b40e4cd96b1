//! Neutral JSON Lines written straight from the borrowed views: the streaming path of
//! `parse` (no merge, no sort, no filter, no masking).
//!
//! A Systec document the borrowed fast path takes is normalised into
//! [`MeetingRef`](crate::normalize::borrowed::MeetingRef)s (the one mapping the owned path
//! goes through too) and each is written by hand in the neutral field order
//! ([`super::views`]): the same bytes `serde_json` writes for the [`Meeting`] the owned path
//! builds, strings copied as they are unless they hold `"`, `\` or a control byte. Times
//! are written from a table of digit pairs, and the vendor zone's offset is cached per local
//! day across the meetings of a chunk (`chrono-tz` only on a miss or a clock-change day). Every other document (Quanshi,
//! saved records, neutral lines, anything the fast path declines, every error) goes through
//! [`DumpChunk::read`]'s per-document code and is written with `serde_json`, so its
//! meetings and its located errors are exactly those of the owned path.

use std::io::{self, Write};

use super::chunk::{DEFAULT_CHUNK_BYTES, DumpChunk, input_chunks, map_ordered};
use super::scan::SegmentKind;
use super::views::{systec_views, view_source, write_meeting};
use super::{DumpError, DumpErrorKind, DumpOptions, segment_result};
use crate::Meeting;
use crate::inputs::Input;
use crate::normalize::DayCache;

/// What [`write_jsonl_inputs`] (or one chunk) read and wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LineCounts {
    /// Documents read, good and bad.
    pub documents: u64,
    /// Bad documents (each reported as a located message).
    pub bad: u64,
    /// Meetings read.
    pub read: u64,
    /// Meetings written.
    pub written: u64,
    /// Report stubs read and left out (annotations, never meetings on their own).
    pub stubs: u64,
}

impl LineCounts {
    fn add(&mut self, o: LineCounts) {
        self.documents += o.documents;
        self.bad += o.bad;
        self.read += o.read;
        self.written += o.written;
        self.stubs += o.stubs;
    }
}

/// Reads `inputs` in order and writes every meeting as a neutral JSON line, report stubs
/// left out (counted): the bytes `serde_json::to_writer` and a newline write for each
/// meeting [`read_dump`](super::read_dump) yields. Each bad document (or input that cannot
/// be opened) is handed to `on_error` as a located message (`name: position: why`).
///
/// As [`map_ordered`] over [`input_chunks`]: up to `jobs` threads render chunks of about
/// 1 MiB into their own buffers, written in input order; memory is bounded by the chunks in
/// flight.
///
/// # Errors
/// Writing to `out` failed.
pub fn write_jsonl_inputs(
    out: &mut dyn Write,
    inputs: &[Input],
    options: &DumpOptions,
    jobs: usize,
    on_error: &mut dyn FnMut(&str),
) -> io::Result<LineCounts> {
    let mut counts = LineCounts::default();
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let per_input: Vec<DumpOptions> = inputs.iter().map(|i| i.options_for(options)).collect();
    map_ordered(
        input_chunks(inputs, options, DEFAULT_CHUNK_BYTES),
        jobs,
        |item| {
            let name = names.get(item.input).map_or("", String::as_str);
            let mut errors = Vec::new();
            match item.chunk {
                Ok(chunk) => {
                    let options = per_input.get(item.input).unwrap_or(options);
                    let mut bytes = Vec::with_capacity(chunk.len() + chunk.len() / 2);
                    let c = chunk.write_jsonl(options, &mut bytes, &mut |e| {
                        errors.push(format!("{name}: {e}"));
                    });
                    (bytes, errors, c)
                }
                Err(e) => {
                    errors.push(e.to_string());
                    let c = LineCounts {
                        documents: 1,
                        bad: 1,
                        ..LineCounts::default()
                    };
                    (Vec::new(), errors, c)
                }
            }
        },
        |(bytes, errors, c): (Vec<u8>, Vec<String>, LineCounts)| -> io::Result<()> {
            for e in &errors {
                on_error(e);
            }
            counts.add(c);
            out.write_all(&bytes)
        },
    )?;
    out.flush()?;
    Ok(counts)
}

/// Writes one segment's meetings into `out`; `Err` as [`segment_result`] gives it.
pub(super) fn write_segment(
    kind: SegmentKind,
    bytes: &[u8],
    at_line_end: bool,
    options: &DumpOptions,
    w: &mut LineWriter,
    out: &mut Vec<u8>,
) -> Result<(), DumpErrorKind> {
    if let Some(source) = view_source(kind, bytes, options) {
        let counts = &mut w.counts;
        let taken = systec_views(
            source,
            bytes,
            &options.context,
            &mut w.cache,
            &mut |m, _| {
                counts.read += 1;
                if m.is_stub() {
                    counts.stubs += 1;
                } else {
                    write_meeting(&m, out);
                    out.push(b'\n');
                    counts.written += 1;
                }
            },
        );
        if taken {
            return Ok(());
        }
    }
    w.scratch.clear();
    segment_result(kind, bytes, at_line_end, options, &mut w.scratch)?;
    for m in std::mem::take(&mut w.scratch) {
        if !options.keeps(&m) {
            continue;
        }
        w.counts.read += 1;
        if m.is_stub() {
            w.counts.stubs += 1;
            continue;
        }
        serde_json::to_writer(&mut *out, &m).map_err(|e| DumpErrorKind::Io(e.into()))?;
        out.push(b'\n');
        w.counts.written += 1;
    }
    Ok(())
}

/// The state of one chunk's writing: the day cache, the counts, a reused list.
#[derive(Default)]
pub(super) struct LineWriter {
    cache: DayCache,
    pub(super) counts: LineCounts,
    scratch: Vec<Meeting>,
}

impl DumpChunk {
    /// Writes the chunk's meetings as neutral JSON Lines into `out`, report stubs left out
    /// (counted), each bad document handed to `on_error`: the bytes `serde_json` writes for
    /// the meetings [`DumpChunk::read`] yields, with the same errors, but Systec documents
    /// are written straight from their borrowed views, without building [`Meeting`]s (see
    /// [`write_jsonl_inputs`](super::write_jsonl_inputs)).
    pub fn write_jsonl(
        self,
        options: &DumpOptions,
        out: &mut Vec<u8>,
        on_error: &mut dyn FnMut(DumpError),
    ) -> LineCounts {
        let mut w = LineWriter::default();
        for entry in self.entries {
            w.counts.documents += 1;
            let bytes = self.bytes.get(entry.range).unwrap_or_default();
            let at = out.len();
            if let Err(kind) =
                write_segment(entry.kind, bytes, entry.at_line_end, options, &mut w, out)
            {
                out.truncate(at);
                w.counts.bad += 1;
                on_error(DumpError {
                    position: entry.position,
                    kind,
                });
            }
        }
        if let Some((position, e)) = self.io_error {
            w.counts.documents += 1;
            w.counts.bad += 1;
            on_error(DumpError {
                position,
                kind: DumpErrorKind::Io(e),
            });
        }
        w.counts
    }
}
