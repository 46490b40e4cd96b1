//! Many dump inputs rendered as they are read (JSON Lines and CSV): memory bounded by one
//! document with one job; with several jobs, whole files are rendered in parallel and written
//! in input order.

use std::io::{self, Write};

use meeting_core::inputs::{Input, for_each_ordered};
use meeting_core::{DumpOptions, Meeting, read_dump};

use crate::{RenderOptions, StreamWriter};

/// What [`stream_inputs`] read and wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamCounts {
    /// Documents read.
    pub documents: u64,
    /// Bad documents (each reported through `on_error`).
    pub bad: u64,
    /// Meetings read.
    pub read: u64,
    /// Meetings written (those `keep` accepted).
    pub written: u64,
}

impl StreamCounts {
    fn add(&mut self, other: StreamCounts) {
        self.documents += other.documents;
        self.bad += other.bad;
        self.read += other.read;
        self.written += other.written;
    }
}

/// Reads `inputs` in order and writes the meetings `keep` accepts (masked with `mask`)
/// as they are read, without merging. Each bad document (or input that cannot be opened) is
/// handed to `on_error` as a located message. Returns `None`, writing nothing, for formats
/// that need every meeting first (table, JSON array).
///
/// With `jobs > 1` and several inputs, files are parsed and rendered on up to `jobs` threads
/// and written in input order; the bytes are the same as with one job.
#[allow(clippy::too_many_arguments)]
pub fn stream_inputs(
    out: &mut dyn Write,
    inputs: &[Input],
    options: &DumpOptions,
    r: &RenderOptions,
    keep: &(dyn Fn(&Meeting) -> bool + Sync),
    mask: Option<&crate::mask::Masker>,
    jobs: usize,
    on_error: &mut dyn FnMut(&str),
) -> io::Result<Option<StreamCounts>> {
    let mut counts = StreamCounts::default();
    if jobs > 1 && inputs.len() > 1 {
        match StreamWriter::new(&mut *out, r)? {
            Some(header) => header.finish()?,
            None => return Ok(None),
        }
        for_each_ordered(
            inputs,
            jobs,
            |input| {
                let mut bytes = Vec::new();
                let mut errors = Vec::new();
                let c = match StreamWriter::with_header(&mut bytes, r, false) {
                    Ok(Some(mut stream)) => {
                        let c = render_one(&mut stream, input, options, keep, mask, &mut |e| {
                            errors.push(e.to_owned());
                        });
                        stream.finish().and(c)
                    }
                    Ok(None) => Ok(StreamCounts::default()),
                    Err(e) => Err(e),
                };
                (c, bytes, errors)
            },
            |(c, bytes, errors)| -> io::Result<()> {
                for e in &errors {
                    on_error(e);
                }
                counts.add(c?);
                out.write_all(&bytes)
            },
        )?;
        return Ok(Some(counts));
    }
    let Some(mut stream) = StreamWriter::new(&mut *out, r)? else {
        return Ok(None);
    };
    for input in inputs {
        counts.add(render_one(
            &mut stream,
            input,
            options,
            keep,
            mask,
            on_error,
        )?);
    }
    stream.finish()?;
    Ok(Some(counts))
}

/// Reads one input into a stream writer.
fn render_one(
    stream: &mut StreamWriter<'_>,
    input: &Input,
    options: &DumpOptions,
    keep: &(dyn Fn(&Meeting) -> bool + Sync),
    mask: Option<&crate::mask::Masker>,
    on_error: &mut dyn FnMut(&str),
) -> io::Result<StreamCounts> {
    let mut counts = StreamCounts::default();
    let reader = match input.open() {
        Ok(reader) => reader,
        Err(e) => {
            on_error(&e.to_string());
            counts.documents = 1;
            counts.bad = 1;
            return Ok(counts);
        }
    };
    let name = input.name();
    let mut dump = read_dump(reader, input.options_for(options));
    for item in dump.by_ref() {
        match item {
            Ok(mut m) => {
                counts.read += 1;
                if !keep(&m) {
                    continue;
                }
                if let Some(masker) = mask {
                    masker.mask_meeting(&mut m);
                }
                stream.write(&m)?;
                counts.written += 1;
            }
            Err(e) => on_error(&format!("{name}: {e}")),
        }
    }
    let stats = dump.stats();
    counts.documents = stats.documents;
    counts.bad = stats.bad_documents;
    Ok(counts)
}
