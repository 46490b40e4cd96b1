//! Splitting a byte stream into JSON documents without parsing them.
//!
//! A small state machine tracks strings, escapes and nesting depth; it never builds values.
//! Only the current document is buffered (plus one read chunk), so memory is bounded by the
//! largest document, not by the input.

use std::io::{self, Read};

/// How much is read at a time.
const CHUNK: usize = 64 * 1024;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// The longest line of non-JSON text skipped as one bad segment: beyond it, the input is
/// taken for binary data and reading stops (an endless stream without newlines, like
/// `/dev/zero`, ends after a bounded amount of input).
pub(crate) const MAX_GARBAGE_LINE: usize = 64 * 1024;

/// What a segment of the input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegmentKind {
    /// A balanced `{...}` document.
    Document,
    /// Something that does not start with `{` (up to the end of its line).
    Garbage,
    /// A document cut short: by the end of its line (JSON Lines) or of the input.
    Truncated,
    /// A document longer than the limit (its bytes were discarded).
    TooLarge,
    /// The input ended inside a top-level JSON array (no `]`): the documents before were
    /// read, what followed the cut is lost. The segment is empty, at the end of the input.
    UnclosedArray,
    /// The first byte of the input cannot start a JSON document (reading stops).
    NotJson,
    /// Binary data: a NUL byte in a segment that is not a document, or a line of non-JSON
    /// text longer than [`MAX_GARBAGE_LINE`] (reading stops). Its bytes are an excerpt.
    Binary,
}

impl SegmentKind {
    /// Whether reading stops after this segment.
    pub(crate) fn is_fatal(self) -> bool {
        matches!(self, SegmentKind::NotJson | SegmentKind::Binary)
    }
}

/// How documents are laid out, decided from the first complete document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Undecided,
    /// JSON Lines: a newline ends every document (an unbalanced line is truncated).
    Lines,
    /// Documents may span lines (pretty-printed, arrays, concatenated).
    Stream,
}

/// The scanning state inside one document.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    depth: u32,
    in_str: bool,
    esc: bool,
    newline: bool,
}

/// One segment found: where it starts and what it is; its bytes are
/// [`Splitter::segment_bytes`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub(crate) kind: SegmentKind,
    /// Absolute byte offset of its first byte in the (decompressed) input.
    pub(crate) offset: u64,
    /// 1-based line of its first byte.
    pub(crate) line: u64,
    start: usize,
    end: usize,
}

/// Splits a reader into documents.
pub(crate) struct Splitter<R> {
    reader: R,
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Scan position in `buf`.
    pos: usize,
    /// Newlines counted in `buf[..counted]` (relative) are in `lines`.
    counted: usize,
    lines: u64,
    eof: bool,
    mode: Mode,
    in_array: bool,
    /// Whether a segment has been returned (the first one is checked for a JSON start).
    started: bool,
    /// Absolute offset up to which the input was searched for NUL bytes.
    nul_searched: u64,
    /// Absolute offset of the first NUL byte found (and not yet passed).
    nul_found: Option<u64>,
    max_document: usize,
}

impl<R: Read> Splitter<R> {
    pub(crate) fn new(reader: R, max_document: usize) -> Self {
        Splitter {
            reader,
            buf: Vec::with_capacity(CHUNK),
            base: 0,
            pos: 0,
            counted: 0,
            lines: 0,
            eof: false,
            mode: Mode::Undecided,
            in_array: false,
            started: false,
            nul_searched: 0,
            nul_found: None,
            max_document: max_document.max(1),
        }
    }

    /// Whether the whole input has been consumed.
    pub(crate) fn at_end(&self) -> bool {
        self.eof && self.pos >= self.buf.len()
    }

    /// Where scanning stands: the 1-based line and the absolute byte offset of the next byte
    /// (for errors that are not about one document, like a read failing part-way).
    pub(crate) fn here(&mut self) -> (u64, u64) {
        let pos = self.pos.min(self.buf.len());
        self.count_to(pos);
        (self.lines + 1, self.base + pos as u64)
    }

    /// The bytes of a segment returned by the last [`Splitter::next_segment`].
    pub(crate) fn segment_bytes(&self, seg: &Segment) -> &[u8] {
        self.buf.get(seg.start..seg.end).unwrap_or_default()
    }

    /// Counts newlines up to `to` (relative), so that `lines` is the count before it.
    fn count_to(&mut self, to: usize) {
        if to > self.counted {
            let n = memchr::memchr_iter(b'\n', self.buf.get(self.counted..to).unwrap_or_default())
                .count();
            self.lines += n as u64;
            self.counted = to;
        }
    }

    /// The index in `buf` of the first NUL byte at or after `pos`, or `buf.len()`. NUL is
    /// never valid in JSON (not even inside a string), so a document ends there: an endless
    /// run of zeros inside a string or a line cannot keep the scanner busy. Each byte is
    /// searched once (one `memchr` per chunk), whatever the number of documents.
    fn nul_limit(&mut self) -> usize {
        let here = self.base + self.pos as u64;
        if self.nul_found.is_some_and(|n| n < here) {
            self.nul_found = None;
        }
        if self.nul_found.is_none() {
            let from = self.nul_searched.max(here);
            let rel = usize::try_from(from - self.base).unwrap_or(usize::MAX);
            let tail = self.buf.get(rel..).unwrap_or_default();
            if let Some(i) = memchr::memchr(0, tail) {
                self.nul_found = Some(from + i as u64);
            }
            self.nul_searched = self.base + self.buf.len() as u64;
        }
        match self.nul_found {
            Some(n) => usize::try_from(n - self.base)
                .unwrap_or(self.buf.len())
                .min(self.buf.len()),
            None => self.buf.len(),
        }
    }

    /// Drops `buf[..keep]` and reads one more chunk. Returns false at end of input.
    fn refill(&mut self, keep: usize) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if keep > 0 {
            self.count_to(keep);
            self.buf.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
            self.counted -= keep;
        }
        let len = self.buf.len();
        self.buf.resize(len + CHUNK, 0);
        loop {
            let target = self.buf.get_mut(len..).unwrap_or_default();
            match self.reader.read(target) {
                Ok(0) => {
                    self.buf.truncate(len);
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.truncate(len + n);
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.buf.truncate(len);
                    self.eof = true;
                    return Err(e);
                }
            }
        }
    }

    /// The next segment, `None` at the end of the input.
    pub(crate) fn next_segment(&mut self) -> Option<io::Result<Segment>> {
        // Skip what lies between documents.
        loop {
            let Some(&b) = self.buf.get(self.pos) else {
                let keep = self.pos;
                match self.refill(keep) {
                    Ok(true) => continue,
                    Ok(false) if self.in_array => {
                        // `[doc,doc` or `[doc,doc,` and then the end: cut short.
                        self.in_array = false;
                        self.count_to(self.pos);
                        let pos = self.pos;
                        return Some(Ok(Segment {
                            kind: SegmentKind::UnclosedArray,
                            offset: self.base + pos as u64,
                            line: self.lines + 1,
                            start: pos,
                            end: pos,
                        }));
                    }
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e)),
                }
            };
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b',' if self.in_array => self.pos += 1,
                b'[' if !self.in_array => {
                    self.in_array = true;
                    self.pos += 1;
                }
                b']' if self.in_array => {
                    self.in_array = false;
                    self.pos += 1;
                }
                0xEF => {
                    // A byte order mark (at the start, or where files were concatenated).
                    if self.buf.len() < self.pos + 3 && !self.eof {
                        let keep = self.pos;
                        match self.refill(keep) {
                            Ok(_) => continue,
                            Err(e) => return Some(Err(e)),
                        }
                    }
                    if self.buf.get(self.pos..self.pos + 3) == Some(&BOM[..]) {
                        self.pos += 3;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        let start = self.pos;
        self.count_to(start);
        let line = self.lines + 1;
        let offset = self.base + start as u64;
        let opening = !self.started;
        if opening {
            // Enough of the start to show it in an error.
            while self.buf.len() < start + 16 && !self.eof {
                if let Err(e) = self.refill(0) {
                    return Some(Err(e));
                }
            }
        }
        let first = self.buf.get(start).copied();
        self.started = true;
        let result = if opening && !first.is_some_and(can_start_json) {
            // Not JSON at all (binary, NUL, an HTML page): say so at once and stop, rather
            // than scanning an input of unknown length for a line end.
            let end = self.buf.len().min(start + 16);
            self.pos = self.buf.len();
            Ok((SegmentKind::NotJson, start, end))
        } else if first == Some(b'{') && self.mode == Mode::Lines && !self.in_array {
            self.scan_line(start)
        } else if first == Some(b'{') {
            self.scan_document(start)
        } else {
            self.scan_garbage(start)
        };
        Some(result.map(|(kind, start, end)| Segment {
            kind,
            offset,
            line,
            start,
            end,
        }))
    }

    /// Skips to the end of the line (or input): a segment that is not a document. Only a
    /// bounded excerpt of a long one is kept. A NUL byte, or more than
    /// [`MAX_GARBAGE_LINE`] bytes without a line end, make it [`SegmentKind::Binary`].
    fn scan_garbage(&mut self, mut start: usize) -> io::Result<(SegmentKind, usize, usize)> {
        // Garbage runs to the end of its line, so it may swallow an array's `]`: the array's
        // structure is lost (this segment is reported), so its end is not looked for.
        self.in_array = false;
        let mut scanned = 0usize;
        loop {
            let rest = self.buf.get(self.pos..).unwrap_or_default();
            let newline = memchr::memchr(b'\n', rest);
            let upto = rest
                .get(..newline.unwrap_or(rest.len()))
                .unwrap_or_default();
            if let Some(nul) = memchr::memchr(0, upto) {
                let at = self.pos + nul;
                let from = start.max(at.saturating_sub(8));
                self.pos = self.buf.len();
                return Ok((SegmentKind::Binary, from, (at + 8).min(self.buf.len())));
            }
            if let Some(i) = newline {
                self.pos += i + 1;
                return Ok((SegmentKind::Garbage, start, self.pos - 1));
            }
            scanned += rest.len();
            if scanned > MAX_GARBAGE_LINE {
                let end = self.buf.len().min(start + 16);
                self.pos = self.buf.len();
                return Ok((SegmentKind::Binary, start, end));
            }
            self.pos = self.buf.len();
            let discard = self.pos - start > 256;
            let keep = if discard { self.pos } else { start };
            let more = self.refill(keep)?;
            start = if discard { self.pos } else { start - keep };
            if !more {
                return Ok((SegmentKind::Garbage, start, self.pos));
            }
        }
    }

    /// JSON Lines: the document is the rest of the line. A raw newline cannot occur inside a
    /// JSON string, so the newline (found with `memchr`) ends the document without tracking
    /// strings and nesting; a line whose last non-blank byte is not `}` is truncated (and a
    /// line cut after an inner `}` fails to parse, with its position, like any bad document).
    fn scan_line(&mut self, mut start: usize) -> io::Result<(SegmentKind, usize, usize)> {
        let mut discarding = false;
        loop {
            let limit = self.nul_limit();
            let rest = self.buf.get(self.pos..limit).unwrap_or_default();
            let (found, end) = match memchr::memchr(b'\n', rest) {
                Some(i) => (true, self.pos + i),
                None if limit < self.buf.len() => {
                    // A NUL byte: the line's document ends there (the parser says where);
                    // what follows is scanned as binary data.
                    self.pos = limit;
                    if discarding {
                        return Ok((SegmentKind::TooLarge, self.pos, self.pos));
                    }
                    return Ok((SegmentKind::Document, start, limit + 1));
                }
                None if self.eof => (true, self.buf.len()),
                None => (false, 0),
            };
            if found {
                self.pos = (end + 1).min(self.buf.len());
                if discarding {
                    return Ok((SegmentKind::TooLarge, self.pos, self.pos));
                }
                let mut last = end;
                while last > start && matches!(self.buf.get(last - 1), Some(b' ' | b'\t' | b'\r')) {
                    last -= 1;
                }
                let kind = if last > start && self.buf.get(last - 1) == Some(&b'}') {
                    SegmentKind::Document
                } else {
                    SegmentKind::Truncated
                };
                return Ok((kind, start, last));
            }
            self.pos = self.buf.len();
            if self.pos - start > self.max_document {
                discarding = true;
            }
            let keep = if discarding { self.pos } else { start };
            let before = self.pos;
            self.refill(keep)?;
            start = start.saturating_sub(before - self.pos);
            if discarding {
                start = 0;
            }
        }
    }

    /// Scans a `{...}` document starting at `start`.
    fn scan_document(&mut self, mut start: usize) -> io::Result<(SegmentKind, usize, usize)> {
        let mut st = State::default();
        let mut discarding = false;
        loop {
            let line_mode = self.mode == Mode::Lines;
            let limit = self.nul_limit();
            let stop = scan(
                self.buf.get(self.pos..limit).unwrap_or_default(),
                &mut st,
                line_mode,
            );
            let stop = match stop {
                Stop::More if limit < self.buf.len() => Stop::Invalid(limit - self.pos),
                other => other,
            };
            match stop {
                Stop::End(i) => {
                    self.pos += i;
                    if discarding {
                        return Ok((SegmentKind::TooLarge, self.pos, self.pos));
                    }
                    self.decide_mode(&st);
                    return Ok((SegmentKind::Document, start, self.pos));
                }
                Stop::Invalid(i) => {
                    // A control byte outside any string: not JSON. The document ends there
                    // and the parser says where; the rest is scanned as what it is (a NUL
                    // run is binary data and stops the reading).
                    self.pos += i;
                    if discarding {
                        return Ok((SegmentKind::TooLarge, self.pos, self.pos));
                    }
                    return Ok((SegmentKind::Document, start, self.pos + 1));
                }
                Stop::Newline(i) => {
                    // JSON Lines: the line ended inside the document.
                    self.pos += i + 1;
                    let kind = if discarding {
                        SegmentKind::TooLarge
                    } else {
                        SegmentKind::Truncated
                    };
                    return Ok((kind, start, self.pos - 1));
                }
                Stop::More => {
                    self.pos = self.buf.len();
                    if self.pos - start > self.max_document {
                        discarding = true;
                    }
                    let keep = if discarding { self.pos } else { start };
                    let before = self.pos;
                    let more = self.refill(keep)?;
                    start = start.saturating_sub(before - self.pos);
                    if discarding {
                        start = 0;
                    }
                    if !more {
                        // The truncation is reported once, for the document and the
                        // array it was in.
                        self.in_array = false;
                        let kind = if discarding {
                            SegmentKind::TooLarge
                        } else {
                            SegmentKind::Truncated
                        };
                        return Ok((kind, start, self.pos));
                    }
                }
            }
        }
    }

    /// After the first complete document: JSON Lines when it sat on one line followed by a
    /// newline, a stream otherwise.
    fn decide_mode(&mut self, st: &State) {
        if self.mode != Mode::Undecided {
            return;
        }
        if self.in_array || st.newline {
            self.mode = Mode::Stream;
            return;
        }
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        match rest.iter().find(|&&b| !matches!(b, b' ' | b'\t' | b'\r')) {
            Some(b'\n') => self.mode = Mode::Lines,
            Some(_) => self.mode = Mode::Stream,
            None => {} // decide at the next document
        }
    }
}

/// Why a scan stopped.
enum Stop {
    /// The document ends before this index (exclusive end).
    End(usize),
    /// A newline at this index, in line mode.
    Newline(usize),
    /// The bytes ran out inside the document.
    More,
    /// A control byte that JSON never allows outside a string, at this index.
    Invalid(usize),
}

/// Whether `b` can be the first byte of a JSON text.
fn can_start_json(b: u8) -> bool {
    matches!(
        b,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// The hot loop: advances `st` over `bytes`.
#[inline]
fn scan(bytes: &[u8], st: &mut State, line_mode: bool) -> Stop {
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        if st.in_str {
            if st.esc {
                st.esc = false;
                i += 1;
                continue;
            }
            // Skip ordinary string bytes quickly.
            let rest = bytes.get(i..).unwrap_or_default();
            match memchr::memchr3(b'"', b'\\', b'\n', rest) {
                None => return Stop::More,
                Some(k) => {
                    i += k;
                    match bytes.get(i) {
                        Some(b'"') => st.in_str = false,
                        Some(b'\\') => st.esc = true,
                        _ => {
                            st.newline = true;
                            if line_mode {
                                return Stop::Newline(i);
                            }
                        }
                    }
                    i += 1;
                }
            }
        } else {
            match bytes.get(i).copied().unwrap_or(b' ') {
                b'"' => st.in_str = true,
                b'{' | b'[' => st.depth += 1,
                b'}' | b']' => {
                    st.depth = st.depth.saturating_sub(1);
                    if st.depth == 0 {
                        return Stop::End(i + 1);
                    }
                }
                b'\n' => {
                    st.newline = true;
                    if line_mode {
                        return Stop::Newline(i);
                    }
                }
                0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F => return Stop::Invalid(i),
                _ => {}
            }
            i += 1;
        }
    }
    Stop::More
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8]) -> Vec<(SegmentKind, String, u64)> {
        let mut s = Splitter::new(input, 1 << 20);
        let mut out = Vec::new();
        while let Some(seg) = s.next_segment() {
            let seg = seg.unwrap();
            out.push((
                seg.kind,
                String::from_utf8_lossy(s.segment_bytes(&seg)).into_owned(),
                seg.line,
            ));
        }
        out
    }

    #[test]
    fn forms() {
        let docs = split(b"{\"a\":\"}\\\"{\"}{\"b\":[1,{}]}\n \n{\"c\":1}");
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].1, "{\"a\":\"}\\\"{\"}");
        assert_eq!(docs[2].2, 3);
        let docs = split(b"\xEF\xBB\xBF[\n {\"a\": 1},\n {\"b\": 2}\n]\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].1, "{\"b\": 2}");
        assert_eq!(docs[1].2, 3);
        let docs = split(b"{\"a\":1}\n{\"b\":\nnot json\n{\"c\":2}\n");
        let kinds: Vec<_> = docs.iter().map(|d| d.0).collect();
        assert_eq!(
            kinds,
            [
                SegmentKind::Document,
                SegmentKind::Truncated,
                SegmentKind::Garbage,
                SegmentKind::Document
            ]
        );
        assert_eq!(docs[3].2, 4);
    }

    #[test]
    fn too_large_is_discarded() {
        let mut input = b"{\"a\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 300_000));
        input.extend(b"\"}\n{\"b\":1}\n");
        let mut s = Splitter::new(&input[..], 100_000);
        let first = s.next_segment().unwrap().unwrap();
        assert_eq!(first.kind, SegmentKind::TooLarge);
        let second = s.next_segment().unwrap().unwrap();
        assert_eq!(second.kind, SegmentKind::Document);
        assert_eq!(s.segment_bytes(&second), b"{\"b\":1}");
        assert_eq!(second.line, 2);
        assert!(s.buf.capacity() < 1 << 20);
    }
}
