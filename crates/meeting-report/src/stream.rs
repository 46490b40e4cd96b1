//! Many dump inputs rendered as they are read (JSON Lines and CSV): every input split into
//! chunks of whole documents, chunks rendered on up to `jobs` threads and written in input
//! order, so one large dump uses every core as well as many files do.

use std::io::{self, Write};

use meeting_core::dump::{DEFAULT_CHUNK_BYTES, DumpChunk, input_chunks, map_ordered};
use meeting_core::inputs::Input;
use meeting_core::{DumpOptions, Meeting};

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
/// Every input, one large dump as well as many small ones, is split into chunks of whole
/// documents ([`meeting_core::dump::input_chunks`]); up to `jobs` threads parse, normalise
/// and render chunks into their own buffers, and the calling thread writes the buffers in
/// input order ([`meeting_core::dump::map_ordered`]). The bytes, the messages and the counts
/// are the same whatever `jobs`; memory is bounded by the chunks in flight (`2 × jobs`, about
/// 1 MiB of input each, plus their rendered output).
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
    match StreamWriter::new(&mut *out, r)? {
        Some(header) => header.finish()?,
        None => return Ok(None),
    }
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    // Each input's own options: a saved run's span, start and failed windows.
    let per_input: Vec<DumpOptions> = inputs.iter().map(|i| i.options_for(options)).collect();
    map_ordered(
        input_chunks(inputs, options, DEFAULT_CHUNK_BYTES),
        jobs,
        |item| {
            let mut rendered = Rendered::default();
            let name = names.get(item.input).map_or("", String::as_str);
            match item.chunk {
                Ok(chunk) => {
                    let options = per_input.get(item.input).unwrap_or(options);
                    let result = render_chunk(&mut rendered, chunk, name, options, r, keep, mask);
                    (result, rendered)
                }
                Err(e) => {
                    rendered.errors.push(e.to_string());
                    rendered.counts.documents = 1;
                    rendered.counts.bad = 1;
                    (Ok(()), rendered)
                }
            }
        },
        |(result, rendered): (io::Result<()>, Rendered)| -> io::Result<()> {
            for e in &rendered.errors {
                on_error(e);
            }
            result?;
            counts.add(rendered.counts);
            out.write_all(&rendered.bytes)
        },
    )?;
    out.flush()?;
    Ok(Some(counts))
}

/// One chunk, rendered apart: its output bytes, its located error messages, its counts.
#[derive(Default)]
struct Rendered {
    bytes: Vec<u8>,
    errors: Vec<String>,
    counts: StreamCounts,
}

/// Parses, filters, masks and renders one chunk (without the CSV header).
fn render_chunk(
    rendered: &mut Rendered,
    chunk: DumpChunk,
    name: &str,
    options: &DumpOptions,
    r: &RenderOptions,
    keep: &(dyn Fn(&Meeting) -> bool + Sync),
    mask: Option<&crate::mask::Masker>,
) -> io::Result<()> {
    rendered.bytes.reserve(chunk.len() + chunk.len() / 2);
    let Some(mut stream) = StreamWriter::with_header(&mut rendered.bytes, r, false)? else {
        return Ok(());
    };
    let mut reader = chunk.read(options);
    for item in reader.by_ref() {
        match item {
            Ok(mut m) => {
                rendered.counts.read += 1;
                if !keep(&m) {
                    continue;
                }
                if let Some(masker) = mask {
                    masker.mask_meeting(&mut m);
                }
                stream.write(&m)?;
                rendered.counts.written += 1;
            }
            Err(e) => rendered.errors.push(format!("{name}: {e}")),
        }
    }
    stream.finish()?;
    let stats = reader.stats();
    rendered.counts.documents = stats.documents;
    rendered.counts.bad = stats.bad_documents;
    Ok(())
}
