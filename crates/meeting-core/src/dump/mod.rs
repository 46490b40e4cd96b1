//! Reading saved dumps: a stream of [`Meeting`]s from a file or stdin.
//!
//! Accepted inputs, detected per file and per document:
//!
//! - one JSON document, a JSON array of documents, JSON Lines, or documents concatenated
//!   with or without whitespace between them;
//! - each document a vendor response body (any of the five endpoints), a saved-response
//!   record ([`SavedResponse`](crate::SavedResponse)) or a neutral [`Meeting`] (a line
//!   with `schema_version`, as `--output jsonl` writes it);
//! - gzip-compressed or not (the gzip magic bytes decide; concatenated gzip members are
//!   read as one stream), with or without a UTF-8 byte order mark.
//!
//! The byte stream is split into documents by a small hand-written scanner (strings,
//! escapes and depth only; no parse), so memory is bounded by the largest document (and by
//! [`DumpOptions::max_document_bytes`]), not by the file. Each document's shape is sniffed
//! from its keys (no second parse), then parsed and normalised. Every vendor document (Systec
//! `detail`, `reports` and `hisMeeting`, Quanshi conference by join link and dashboard) takes
//! the borrowed fast path first (the model crate's `...Ref<'a>` views, strings borrowed from
//! the document, normalised by the same code as the owned types); any document it does not
//! take (an error of any kind, a vendor failure answer) is parsed by the model crate's
//! `parse_response` and normalised by value, which also locates errors. See [`DumpOptions::borrowed_fast_path`].
//!
//! JSON Lines are recognised from the first complete document: when it sits alone on its
//! line, every newline ends a document, so a truncated line is one bad document and the next
//! line is read normally. Otherwise documents may span lines.
//!
//! One large dump on several cores: [`read_dump_chunks`] splits the input with the same
//! scanner into chunks of whole documents, [`DumpChunk::read`] gives each chunk's items
//! exactly as [`read_dump`] would (same meetings, same located errors, same order), and
//! [`map_ordered`] runs the chunks on several threads and hands the results back in input
//! order; [`input_chunks`] does the same across many inputs.
//!
//! A bad document (malformed, truncated, of an unknown shape, a vendor failure answer) is an
//! `Err` item carrying its position; reading goes on with the next document, and
//! [`DumpReader::stats`] counts documents, meetings and bad documents.
//!
//! Nothing is lost silently, and garbage is never scanned without bound:
//!
//! - an input that ends inside a top-level array (`[doc,doc` or `[doc,doc,` and the end) gives
//!   its documents, then a [`DumpErrorKind::UnclosedArray`] error at the end of the input;
//! - an input whose first byte cannot start JSON (NUL, binary, an HTML page) fails at once
//!   with [`DumpErrorKind::NotJson`], and reading stops;
//! - later, a NUL byte (never valid JSON, not even in a string) ends the document it is in
//!   (which then fails to parse, located), and a NUL byte or a line of non-JSON text longer
//!   than 64 KiB between documents is [`DumpErrorKind::Binary`], and reading stops. So an
//!   endless stream like `/dev/zero` ends with an error after a bounded amount of input.

mod chunk;
mod line;
mod scan;
mod sniff;
mod views;

pub use chunk::{
    ChunkReader, DEFAULT_CHUNK_BYTES, DumpChunk, DumpChunks, InputChunk, InputChunks, input_chunks,
    map_ordered, read_dump_chunks,
};
pub use line::{LineCounts, write_jsonl_inputs};
pub use views::MeetingJson;

use std::fmt;
use std::io::{self, Cursor, Read};

use chrono::{DateTime, Utc};
use flate2::read::MultiGzDecoder;
use meeting_wire::DecodeError;

use crate::{Context, Meeting, Normalize, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION, Source};
use scan::{SegmentKind, Splitter};
use sniff::Sniffed;

/// The default [`DumpOptions::max_document_bytes`]: 512 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 512 * 1024 * 1024;

/// How to read a dump.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DumpOptions {
    /// The normalisation context (the vendor zone).
    pub context: Context,
    /// Parse every vendor document (and saved body) as this endpoint instead of detecting it
    /// from the shape. Saved records and neutral lines are still recognised as such.
    pub endpoint: Option<Source>,
    /// A document longer than this is skipped (an error), keeping memory bounded.
    pub max_document_bytes: usize,
    /// Only meetings starting in `[from, to)` (UTC) are yielded; meetings without a start
    /// (or scheduled start) and report stubs are always yielded. Set when reading a saved
    /// run whose manifest names the days asked: the vendor windows were wider.
    pub keep: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The start of the saved run being read (its manifest's `started_at`): its records are
    /// observed then, as the live run observed them, rather than at each response's
    /// `fetched_at`.
    pub run_started: Option<DateTime<Utc>>,
    /// Windows of the saved run that failed (from its manifest): saved records of these
    /// windows (by their `from`/`to` parameters) get the incomplete-window warning, as the
    /// live run's records did ([`crate::run::incomplete_window_warning`]).
    pub failed_windows: Vec<(Source, chrono::NaiveDate, chrono::NaiveDate)>,
    /// Parse vendor documents with the borrowed fast path first (the default): strings are
    /// borrowed from the input and normalised straight into meetings, without the owned model
    /// values; a document the fast path cannot take (an error of any kind, a vendor failure
    /// answer) is parsed again by the owned model, which gives the same meetings and the
    /// located error. `false` uses the owned model for every document (same output, slower:
    /// for comparisons).
    pub borrowed_fast_path: bool,
}

impl Default for DumpOptions {
    fn default() -> Self {
        DumpOptions {
            context: Context::default(),
            endpoint: None,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            keep: None,
            run_started: None,
            failed_windows: Vec::new(),
            borrowed_fast_path: true,
        }
    }
}

impl DumpOptions {
    /// The defaults: vendor zone `Asia/Shanghai`, endpoints detected, 512 MiB per document.
    pub fn new() -> Self {
        DumpOptions::default()
    }

    /// Sets the normalisation context.
    #[must_use]
    pub fn context(mut self, context: Context) -> Self {
        self.context = context;
        self
    }

    /// Forces the endpoint of vendor documents.
    #[must_use]
    pub fn endpoint(mut self, endpoint: Source) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Sets the largest document accepted.
    #[must_use]
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document_bytes = bytes;
        self
    }

    /// Yields only meetings starting in `[from, to)` (see [`DumpOptions::keep`]).
    #[must_use]
    pub fn keep(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.keep = Some((from, to));
        self
    }

    /// Uses the borrowed fast path first, or not (see [`DumpOptions::borrowed_fast_path`]).
    #[must_use]
    pub fn borrowed_fast_path(mut self, on: bool) -> Self {
        self.borrowed_fast_path = on;
        self
    }

    /// Whether `m` is kept by [`DumpOptions::keep`].
    pub fn keeps(&self, m: &Meeting) -> bool {
        match (self.keep, crate::query::sort_time(m)) {
            (Some((from, to)), Some(t)) => t >= from && t < to,
            _ => true,
        }
    }
}

/// Counts of what a [`DumpReader`] has read so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DumpStats {
    /// Documents seen, good and bad.
    pub documents: u64,
    /// Meetings yielded.
    pub meetings: u64,
    /// Documents that gave an error.
    pub bad_documents: u64,
    /// Meetings read but outside the span kept ([`DumpOptions::keep`]).
    pub outside: u64,
}

/// Where a document starts in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based index of the document in the input.
    pub document: u64,
    /// 1-based line of its first byte.
    pub line: u64,
    /// Byte offset of its first byte (in the decompressed input).
    pub byte_offset: u64,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "document {} (line {}, byte {})",
            self.document, self.line, self.byte_offset
        )
    }
}

/// A document that gave no meetings, or a failure to read the input.
#[derive(Debug, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct DumpError {
    position: Position,
    kind: DumpErrorKind,
}

impl DumpError {
    /// Where the document starts.
    pub fn position(&self) -> Position {
        self.position
    }

    /// What went wrong.
    pub fn kind(&self) -> &DumpErrorKind {
        &self.kind
    }

    /// The located decode error, for documents that are not valid responses.
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match &self.kind {
            DumpErrorKind::Decode { error, .. } | DumpErrorKind::Neutral(error) => Some(error),
            _ => None,
        }
    }
}

/// What went wrong with one document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DumpErrorKind {
    /// Reading the input failed (reading stops).
    #[error("cannot read the input: {0}")]
    Io(#[source] io::Error),
    /// Not valid JSON of the detected endpoint's shape. Line and column are within the
    /// document.
    #[error("invalid {} response {error}", endpoint.map_or("vendor", Source::source_name))]
    Decode {
        /// The endpoint it was parsed as.
        endpoint: Option<Source>,
        /// Where (JSON path, line and column within the document) and why.
        error: DecodeError,
    },
    /// A neutral line that is not a valid `Meeting`.
    #[error("invalid neutral meeting {0}")]
    Neutral(DecodeError),
    /// A well-formed failure answer of the vendor: its status and message.
    #[error("the vendor answered a failure: {message}")]
    Vendor {
        /// The endpoint it was read as (`None` when the shape did not tell).
        endpoint: Option<Source>,
        /// The vendor's status or error code.
        status: Option<i64>,
        /// The vendor's error, rendered (status, message, request id).
        message: String,
    },
    /// Neither vendor's shape.
    #[error("not a Systec or Quanshi response: top-level keys were {}", render_keys(.keys))]
    Unrecognised {
        /// The top-level keys (at most 32).
        keys: Vec<String>,
    },
    /// A Systec list whose records fit both `reports` and `hisMeeting`.
    #[error(
        "cannot tell systec.reports from systec.his_meeting: no record has a telling field (participants_count, type, participants); set the endpoint in the options"
    )]
    Ambiguous,
    /// Not a JSON object.
    #[error("not a JSON object: starts with `{excerpt}`")]
    NotAnObject {
        /// The start of the segment.
        excerpt: String,
    },
    /// The document is cut short.
    #[error("truncated document: its braces do not balance before the end of the {}", if *.at_line_end { "line" } else { "input" })]
    Truncated {
        /// Cut by the end of a line (JSON Lines) rather than the end of the input.
        at_line_end: bool,
    },
    /// The input ends inside a top-level JSON array (`[doc,doc` or `[doc,doc,` and then
    /// nothing): the documents before the cut were read; whatever followed it is lost.
    #[error(
        "truncated input: the top-level JSON array is not closed by `]` before the end of the input (the documents before the cut were read)"
    )]
    UnclosedArray,
    /// The input does not start like JSON (binary data, NUL bytes, an HTML page): reading
    /// stops at once.
    #[error(
        "not JSON: the input starts with `{excerpt}`, which cannot start a JSON document; reading stopped"
    )]
    NotJson {
        /// The first bytes, control and non-UTF-8 bytes escaped (`\x00`).
        excerpt: String,
    },
    /// Binary data after the first document (a NUL byte outside any document, or a line of
    /// non-JSON text longer than 64 KiB): reading stops.
    #[error("binary data, not JSON (`{excerpt}`): reading stopped")]
    Binary {
        /// The bytes around the first NUL (or the start of the long line), escaped.
        excerpt: String,
    },
    /// The document is larger than [`DumpOptions::max_document_bytes`].
    #[error("document larger than the limit of {limit} bytes: skipped")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// A saved record whose body was not JSON.
    #[error("saved response (HTTP {http_status}) has no JSON body: `{excerpt}`")]
    BodyNotJson {
        /// The HTTP status recorded.
        http_status: String,
        /// The start of the body text.
        excerpt: String,
    },
    /// A saved record that is not usable (no endpoint, unknown endpoint, no body, version).
    #[error("invalid saved response: {0}")]
    Saved(String),
    /// A neutral line of another schema version.
    #[error(
        "unsupported neutral schema_version {0} (this reader knows {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION})"
    )]
    SchemaVersion(u64),
}

fn render_keys(keys: &[String]) -> String {
    if keys.is_empty() {
        String::from("none")
    } else {
        keys.iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn excerpt(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes.get(..60).unwrap_or(bytes))
        .chars()
        .filter(|c| !c.is_control())
        .take(40)
        .collect()
}

/// The first bytes of `bytes`, with control and non-UTF-8 bytes escaped (`\x00`), so an
/// error message stays one readable line.
fn escaped_excerpt(bytes: &[u8]) -> String {
    let head = bytes.get(..16).unwrap_or(bytes);
    let mut out = String::new();
    for chunk in head.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if bytes.len() > head.len() {
        out.push('…');
    }
    out
}

/// The input, decompressed when it starts with the gzip magic bytes.
enum Input<R> {
    Start(Option<R>),
    Plain(io::Chain<Cursor<Vec<u8>>, R>),
    Gzip(Box<MultiGzDecoder<io::Chain<Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self {
                Input::Plain(r) => return r.read(out),
                Input::Gzip(r) => return r.read(out),
                Input::Start(r) => {
                    let Some(mut r) = r.take() else {
                        return Ok(0);
                    };
                    let mut magic = Vec::with_capacity(2);
                    while magic.len() < 2 {
                        let mut one = [0u8; 1];
                        match r.read(&mut one) {
                            Ok(0) => break,
                            Ok(_) => magic.extend_from_slice(&one),
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    }
                    let gzip = magic == [0x1f, 0x8b];
                    let chained = Cursor::new(magic).chain(r);
                    *self = if gzip {
                        Input::Gzip(Box::new(MultiGzDecoder::new(chained)))
                    } else {
                        Input::Plain(chained)
                    };
                }
            }
        }
    }
}

/// Reads a dump: an iterator of meetings and per-document errors. See the module docs.
///
/// ```
/// use meeting_core::{read_dump, DumpOptions};
/// let input = br#"{"status":200,"message":"OK","data":[{"id":"1579334441"}]}
/// {"status":401,"message":"bad key","data":null}
/// {"status":0,"result":{"tempConferenceId":"56039682","status":2,"startTime":1715600000,"stopTime":0}}
/// "#;
/// let mut reader = read_dump(&input[..], DumpOptions::default());
/// let items: Vec<_> = reader.by_ref().collect();
/// assert_eq!(items.len(), 3);
/// assert_eq!(items[0].as_ref().unwrap().key, "systec:stub:1579334441");
/// let err = items[1].as_ref().unwrap_err();
/// assert_eq!(err.position().line, 2);
/// assert!(err.to_string().contains("bad key"), "{err}");
/// assert_eq!(items[2].as_ref().unwrap().key, "quanshi:temp:56039682");
/// let stats = reader.stats();
/// assert_eq!((stats.documents, stats.meetings, stats.bad_documents), (3, 2, 1));
/// ```
pub fn read_dump<R: Read>(reader: R, options: DumpOptions) -> DumpReader<R> {
    DumpReader {
        splitter: Splitter::new(Input::Start(Some(reader)), options.max_document_bytes),
        options,
        pending: Vec::new().into_iter(),
        scratch: Vec::new(),
        stats: DumpStats::default(),
        done: false,
    }
}

/// The iterator [`read_dump`] returns.
pub struct DumpReader<R> {
    splitter: Splitter<Input<R>>,
    options: DumpOptions,
    pending: std::vec::IntoIter<Meeting>,
    scratch: Vec<Meeting>,
    stats: DumpStats,
    done: bool,
}

impl<R> fmt::Debug for DumpReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DumpReader")
            .field("options", &self.options)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<R> DumpReader<R> {
    /// What has been read so far.
    pub fn stats(&self) -> DumpStats {
        self.stats
    }
}

impl<R: Read> Iterator for DumpReader<R> {
    type Item = Result<Meeting, DumpError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(m) = self.pending.next() {
                if !self.options.keeps(&m) {
                    self.stats.outside += 1;
                    continue;
                }
                self.stats.meetings += 1;
                return Some(Ok(m));
            }
            if self.done {
                return None;
            }
            let seg = match self.splitter.next_segment() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    self.done = true;
                    self.stats.documents += 1;
                    self.stats.bad_documents += 1;
                    let (line, byte_offset) = self.splitter.here();
                    return Some(Err(DumpError {
                        position: Position {
                            document: self.stats.documents,
                            line,
                            byte_offset,
                        },
                        kind: DumpErrorKind::Io(e),
                    }));
                }
                Some(Ok(seg)) => seg,
            };
            self.stats.documents += 1;
            let position = Position {
                document: self.stats.documents,
                line: seg.line,
                byte_offset: seg.offset,
            };
            let at_line_end = !self.splitter.at_end();
            let bytes = self.splitter.segment_bytes(&seg);
            let mut out = std::mem::take(&mut self.scratch);
            out.clear();
            let result = segment_result(seg.kind, bytes, at_line_end, &self.options, &mut out);
            if seg.kind.is_fatal() {
                self.done = true;
            }
            match result {
                Ok(()) => {
                    self.pending = out.into_iter();
                }
                Err(kind) => {
                    self.scratch = out;
                    self.stats.bad_documents += 1;
                    return Some(Err(DumpError { position, kind }));
                }
            }
        }
    }
}

/// What one segment of the input gives: its meetings in `out`, or why it gave none. The
/// sequential reader and the chunked one ([`DumpChunk`]) share it, so both give the same
/// items.
fn segment_result(
    kind: SegmentKind,
    bytes: &[u8],
    at_line_end: bool,
    options: &DumpOptions,
    out: &mut Vec<Meeting>,
) -> Result<(), DumpErrorKind> {
    match kind {
        SegmentKind::Document => read_document(bytes, options, out),
        SegmentKind::Garbage => Err(DumpErrorKind::NotAnObject {
            excerpt: excerpt(bytes),
        }),
        SegmentKind::Truncated => Err(DumpErrorKind::Truncated { at_line_end }),
        SegmentKind::TooLarge => Err(DumpErrorKind::TooLarge {
            limit: options.max_document_bytes,
        }),
        SegmentKind::UnclosedArray => Err(DumpErrorKind::UnclosedArray),
        SegmentKind::NotJson => Err(DumpErrorKind::NotJson {
            excerpt: escaped_excerpt(bytes),
        }),
        SegmentKind::Binary => Err(DumpErrorKind::Binary {
            excerpt: escaped_excerpt(bytes),
        }),
    }
}

/// Parses one document into `out`.
fn read_document(
    doc: &[u8],
    options: &DumpOptions,
    out: &mut Vec<Meeting>,
) -> Result<(), DumpErrorKind> {
    match sniff::sniff(doc) {
        Sniffed::Neutral => {
            let mut m: Meeting = meeting_wire::from_slice(doc).map_err(DumpErrorKind::Neutral)?;
            if !(OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&m.schema_version) {
                return Err(DumpErrorKind::SchemaVersion(u64::from(m.schema_version)));
            }
            // Read under this version's rules (a v1 stub line is a stub here too).
            m.schema_version = SCHEMA_VERSION;
            out.push(m);
            Ok(())
        }
        Sniffed::Saved {
            endpoint,
            body,
            body_text,
            http_status,
            fetched_at,
            params,
        } => {
            let text = |r: Option<std::ops::Range<usize>>| {
                r.and_then(|r| doc.get(r))
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            };
            let status = text(http_status).unwrap_or_default();
            let endpoint_name = text(endpoint)
                .ok_or_else(|| DumpErrorKind::Saved(String::from("no `endpoint`")))?;
            let source = match options.endpoint {
                Some(s) => s,
                None => Source::from_name(&endpoint_name).ok_or_else(|| {
                    DumpErrorKind::Saved(format!(
                        "unknown endpoint `{}`",
                        excerpt(endpoint_name.as_bytes())
                    ))
                })?,
            };
            match (body, body_text) {
                (Some(range), _) => {
                    let start = range.start;
                    let bytes = doc.get(range).unwrap_or_default();
                    let first = out.len();
                    let fetched = fetched_at
                        .and_then(|r| doc.get(r))
                        .and_then(|b| serde_json::from_slice::<DateTime<Utc>>(b).ok());
                    let observed = DumpOptions {
                        context: options.context.with_as_of(None),
                        ..options.clone()
                    };
                    parse_as(source, true, bytes, &observed, out)
                        .map_err(|e| relocate(e, doc, start))?;
                    let produced = out.get_mut(first..).unwrap_or_default();
                    match (options.run_started.or(fetched), options.context.as_of()) {
                        (Some(at), _) => crate::normalize::observe(produced, at),
                        (None, Some(at)) => crate::normalize::classify(produced, at),
                        (None, None) => {}
                    }
                    let params = params.and_then(|r| doc.get(r));
                    if source == Source::SystecReports {
                        scope_stubs(produced, params);
                    }
                    if !options.failed_windows.is_empty() {
                        warn_failed_window(source, produced, params, &options.failed_windows);
                    }
                    Ok(())
                }
                (None, Some(range)) => {
                    let raw = doc.get(range).unwrap_or_default();
                    let body: String = serde_json::from_slice(raw).unwrap_or_default();
                    Err(DumpErrorKind::BodyNotJson {
                        http_status: status,
                        excerpt: excerpt(body.as_bytes()),
                    })
                }
                (None, None) => Err(DumpErrorKind::Saved(String::from(
                    "no `body` or `body_text`",
                ))),
            }
        }
        Sniffed::Response { source, certain } => match options.endpoint {
            Some(forced) => parse_as(forced, true, doc, options, out),
            None => parse_as(source, certain, doc, options, out),
        },
        Sniffed::Ambiguous => match options.endpoint {
            Some(forced) => parse_as(forced, true, doc, options, out),
            None => Err(DumpErrorKind::Ambiguous),
        },
        Sniffed::Unrecognised(keys) => match options.endpoint {
            Some(forced) => parse_as(forced, true, doc, options, out),
            None => Err(DumpErrorKind::Unrecognised { keys }),
        },
        Sniffed::Malformed => {
            // Let the parser say where and why.
            let source = options.endpoint.unwrap_or(Source::SystecReports);
            match meeting_wire::from_slice::<serde::de::IgnoredAny>(doc) {
                Err(error) => Err(DumpErrorKind::Decode {
                    endpoint: options.endpoint,
                    error,
                }),
                Ok(_) => parse_as(source, options.endpoint.is_some(), doc, options, out),
            }
        }
    }
}

/// Moves a decode error found in a saved record's body to the record's coordinates.
fn relocate(kind: DumpErrorKind, doc: &[u8], body_start: usize) -> DumpErrorKind {
    match kind {
        DumpErrorKind::Decode { endpoint, error } => {
            let before = doc.get(..body_start).unwrap_or_default();
            let body_line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let body_col = body_start
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            let line = body_line + error.line().saturating_sub(1);
            let column = if error.line() <= 1 {
                body_col + error.column().saturating_sub(1)
            } else {
                error.column()
            };
            let message = if error.line() == 0 {
                error.message().to_owned()
            } else {
                format!(
                    "{} (line {line}, column {column} of the record)",
                    error.message()
                )
            };
            DumpErrorKind::Decode {
                endpoint,
                error: DecodeError::custom(error.path(), message).with_path_prefix("body"),
            }
        }
        other => other,
    }
}

/// Warns on the records of a saved response whose window (its `from`/`to` parameters)
/// failed in the run.
fn warn_failed_window(
    source: Source,
    meetings: &mut [Meeting],
    params: Option<&[u8]>,
    failed: &[(Source, chrono::NaiveDate, chrono::NaiveDate)],
) {
    let Some(params) = params
        .and_then(|p| serde_json::from_slice::<std::collections::BTreeMap<String, String>>(p).ok())
    else {
        return;
    };
    let day = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.parse::<chrono::NaiveDate>().ok())
    };
    let (Some(from), Some(to)) = (day("from"), day("to")) else {
        return;
    };
    if failed.contains(&(source, from, to)) {
        let warning = crate::run::incomplete_window_warning(source, from, to);
        for m in meetings {
            m.warn(warning.clone());
        }
    }
}

/// Gives the report stubs of a saved `reports` record the request's UUIDs (its `uuid`
/// parameter, comma-separated), so they attach only to those occurrences.
fn scope_stubs(meetings: &mut [Meeting], params: Option<&[u8]>) {
    let Some(params) = params
        .and_then(|p| serde_json::from_slice::<std::collections::BTreeMap<String, String>>(p).ok())
    else {
        return;
    };
    let Some(list) = params.get("uuid") else {
        return;
    };
    let uuids: Vec<String> = list
        .split(',')
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .collect();
    for m in meetings.iter_mut().filter(|m| m.is_stub()) {
        m.set_stub_scope(uuids.clone());
    }
}

/// Parses `bytes` as `source`'s response and normalises it into `out`, classified as of the
/// context's time when it has one.
fn parse_as(
    source: Source,
    certain: bool,
    bytes: &[u8],
    options: &DumpOptions,
    out: &mut Vec<Meeting>,
) -> Result<(), DumpErrorKind> {
    let ctx = &options.context;
    let first = out.len();
    if options.borrowed_fast_path && fast_path(source, bytes, ctx, out) {
        return Ok(());
    }
    let endpoint = certain.then_some(source);
    let systec = |e: systec_model::Error| match e {
        systec_model::Error::Vendor { error, .. } => DumpErrorKind::Vendor {
            endpoint,
            status: error.status.or(error.code),
            message: format!("Systec answered {error}"),
        },
        systec_model::Error::Decode { error, .. } => DumpErrorKind::Decode {
            endpoint: Some(source),
            error,
        },
        other => DumpErrorKind::Saved(other.to_string()),
    };
    let quanshi = |e: quanshi_model::Error| match e {
        quanshi_model::Error::Vendor(v) => DumpErrorKind::Vendor {
            endpoint,
            status: Some(v.status),
            message: {
                let mut s = format!("Quanshi answered status {}", v.status);
                if let Some(m) = &v.msg {
                    s.push_str(": ");
                    s.push_str(m);
                }
                if let Some(id) = &v.request_id {
                    s.push_str(&format!(" (request id {id})"));
                }
                s
            },
        },
        quanshi_model::Error::Decode { error, .. } => DumpErrorKind::Decode {
            endpoint: Some(source),
            error,
        },
        other => DumpErrorKind::Saved(other.to_string()),
    };
    match source {
        Source::SystecDetail => systec_model::detail::parse_response(bytes)
            .map_err(systec)?
            .normalize_into(ctx, out),
        Source::SystecReports => systec_model::reports::parse_response(bytes)
            .map_err(systec)?
            .normalize_into(ctx, out),
        Source::SystecHisMeeting => systec_model::his_meeting::parse_response(bytes)
            .map_err(systec)?
            .normalize_into(ctx, out),
        Source::QuanshiConference => quanshi_model::conference_by_join_url::parse_response(bytes)
            .map_err(quanshi)?
            .normalize_into(ctx, out),
        Source::QuanshiDashboard => quanshi_model::dashboard_conference_info::parse_response(bytes)
            .map_err(quanshi)?
            .normalize_into(ctx, out),
    }
    if let Some(at) = ctx.as_of() {
        crate::normalize::classify(out.get_mut(first..).unwrap_or_default(), at);
    }
    Ok(())
}

/// The borrowed fast path: parses `bytes` as `source`'s success response into borrowed views
/// and normalises them into `out` (the same code the owned model's `normalize_into` runs, on
/// views of owned values). `false`, with nothing added to `out`, for anything it does not
/// take: the caller then parses with the owned model, which locates the error.
fn fast_path(source: Source, bytes: &[u8], ctx: &Context, out: &mut Vec<Meeting>) -> bool {
    match source {
        Source::SystecDetail | Source::SystecReports | Source::SystecHisMeeting => {
            let mut cache = crate::normalize::DayCache::default();
            let first = out.len();
            views::systec_views(source, bytes, ctx, &mut cache, &mut |m, n| {
                if out.len() == first {
                    out.reserve(n);
                }
                out.push(m.into_meeting());
            })
        }
        Source::QuanshiConference => match quanshi_model::envelope_result::<
            quanshi_model::conference_by_join_url::ConferenceListRef<'_>,
        >(bytes)
        {
            Some(result) => {
                if let Some(list) = result {
                    crate::normalize::normalize_conferences_view(list, out);
                }
                true
            }
            None => false,
        },
        Source::QuanshiDashboard => match quanshi_model::envelope_result::<
            quanshi_model::dashboard_conference_info::DashboardConferenceRef<'_>,
        >(bytes)
        {
            Some(result) => {
                if let Some(d) = result {
                    out.push(crate::normalize::normalize_dashboard_view(d));
                }
                true
            }
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meeting_sim::dump::{DumpEndpoint, write_dump};

    /// The fast path takes `file` (under `fixtures/{dir}`) and every document of a generated
    /// dump of `endpoint`, and leaves each of `failures` to the owned model, adding nothing.
    fn takes(dir: &str, file: &str, source: Source, endpoint: DumpEndpoint, failures: &[&[u8]]) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(dir);
        let ctx = Context::default();
        let sample = std::fs::read(root.join(file)).unwrap_or_default();
        let mut out = Vec::new();
        assert!(fast_path(source, &sample, &ctx, &mut out), "{file}");
        assert!(!out.is_empty(), "{file}");
        let mut dump = Vec::new();
        assert!(write_dump(endpoint, 50_000, 3, &mut dump).is_ok());
        for line in dump.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            assert!(fast_path(source, line, &ctx, &mut out), "{file}: generated");
        }
        for failure in failures {
            let before = out.len();
            assert!(
                !fast_path(source, failure, &ctx, &mut out),
                "{file}: failure"
            );
            assert_eq!(out.len(), before);
        }
    }

    /// The fast path takes the documented samples and generated dumps (rather than falling
    /// back to the owned model, which would give the same output, only slower); a failure
    /// answer is left to the owned model.
    #[test]
    fn the_fast_path_takes_good_documents() {
        let failure: &[u8] = br#"{"status":401,"message":"bad key","data":[]}"#;
        for (file, source, endpoint) in [
            (
                "detail.sample.json",
                Source::SystecDetail,
                DumpEndpoint::Detail,
            ),
            (
                "reports.sample.json",
                Source::SystecReports,
                DumpEndpoint::Reports,
            ),
            (
                "his-meeting.sample.json",
                Source::SystecHisMeeting,
                DumpEndpoint::HisMeeting,
            ),
        ] {
            takes("systec", file, source, endpoint, &[failure]);
        }
    }

    /// The same for Quanshi: the samples (the join-link `result` as an array and as a JSON
    /// string), generated dumps, and failure answers left to the owned model.
    #[test]
    fn the_fast_path_takes_good_quanshi_documents() {
        let failures: [&[u8]; 3] = [
            br#"{"status":401,"msg":"bad token","result":null}"#,
            br#"{"result":[]}"#,
            br#"{"status":0,"result":[{"conferenceId":1.5,"tempConferenceId":1.5}]}"#,
        ];
        for (file, source, endpoint) in [
            (
                "conference-by-join-url.sample.json",
                Source::QuanshiConference,
                DumpEndpoint::QuanshiConference,
            ),
            (
                "quirks/result-as-json-string.json",
                Source::QuanshiConference,
                DumpEndpoint::QuanshiConference,
            ),
            (
                "dashboard-conference-info.sample.json",
                Source::QuanshiDashboard,
                DumpEndpoint::QuanshiDashboard,
            ),
        ] {
            takes("quanshi", file, source, endpoint, &failures);
        }
    }
}
