//! A single-pass reader written for the `detail` answer: the fast path's parse, without
//! serde's visitor machinery.
//!
//! [`detail_page`] gives the `data` of a `detail` success answer as the borrowed view
//! [`DetailPageRef`], the value [`envelope_data`] gives for the same body. The reader
//! ([`read_detail_page`]) matches keys as bytes, borrows strings that hold no escape, and
//! scans numbers and times directly. It takes only what it handles exactly, and declines
//! (`None`) everything else: a key it does not type (including any key of the envelope but
//! `status`, `message` and `data`), a key sent twice, a key with an escape, a value of an
//! unexpected type, a negative or out-of-range number, a time or money string with an
//! escape, a lone surrogate, a body that is not UTF-8 or has trailing bytes. A declined body
//! goes to [`envelope_data`] (and from there, if that declines too, to the owned model,
//! which locates the error), so what the reader takes is exactly a subset of what the serde
//! path takes, with the same values: the tests hold it to that on every fixture, generated
//! dumps and corrupted documents.

use std::borrow::Cow;

use meeting_wire::{ExtraRef, Flag, IdRef, Str};
use serde_json::Value;

use crate::detail::{DetailMeetingRef, DetailPageRef, DetailParticipantRef, TelephonyUsageRef};
use crate::{LocalTime, WireDate, Yuan, envelope_data};

/// The `data` of a `detail` success answer as its borrowed view: the single-pass reader
/// ([`read_detail_page`]) when it takes the body, else [`envelope_data`]. `None` exactly
/// when `envelope_data` gives `None`: parse with the owned model then.
pub fn detail_page(bytes: &[u8]) -> Option<DetailPageRef<'_>> {
    read_detail_page(bytes).or_else(|| envelope_data(bytes))
}

/// The single-pass reader alone: `Some` only for a `detail` success answer it reads
/// exactly (then equal to what [`envelope_data`] gives), `None` for anything else, including
/// many valid answers (see the [module docs](self)).
pub fn read_detail_page(bytes: &[u8]) -> Option<DetailPageRef<'_>> {
    let text = simdutf8::basic::from_utf8(meeting_wire::strip_bom(bytes)).ok()?;
    let mut r = Reader { s: text, i: 0 };
    let page = r.envelope()?;
    r.ws();
    (r.i == text.len()).then_some(page)
}

/// Keys seen in one object (a bit per typed field).
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// Marks field `bit`; `None` when it was already seen (a repeated key: declined).
    fn mark(&mut self, bit: u32) -> Option<()> {
        let m = 1u32 << bit;
        if self.0 & m != 0 {
            return None;
        }
        self.0 |= m;
        Some(())
    }
}

/// The reader's position in the body (valid UTF-8; every index it slices at is next to an
/// ASCII byte, so a char boundary).
struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    /// Skips JSON whitespace.
    fn ws(&mut self) {
        let b = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes().get(self.i).copied()
    }

    /// Consumes `c` after whitespace.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// Consumes the literal `lit` (after whitespace) if it is next.
    fn literal(&mut self, lit: &[u8]) -> bool {
        self.ws();
        let hit = self
            .bytes()
            .get(self.i..)
            .is_some_and(|b| b.starts_with(lit));
        if hit {
            self.i += lit.len();
        }
        hit
    }

    /// An object: `each` is called with every key (the reader then at its value);
    /// declined unless the object is well formed.
    fn object(&mut self, mut each: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            each(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array of `item`s; declined unless well formed.
    fn array<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.eat(b'[')?;
        let mut out = Vec::new();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(out);
        }
        loop {
            out.push(item(self)?);
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// A key: a string without escapes or control bytes, as bytes.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let b = self.bytes();
        let start = self.i;
        loop {
            match *b.get(self.i)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        let key = b.get(start..self.i)?;
        self.i += 1;
        Some(key)
    }

    /// A string's raw text without escapes (`None` for one with an escape or a control
    /// byte), the reader after its closing quote.
    fn plain(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let b = self.bytes();
        loop {
            match *b.get(self.i)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        let text = self.s.get(start..self.i)?;
        self.i += 1;
        Some(text)
    }

    /// A string: borrowed when it holds no escape, unescaped otherwise (as `serde_json`
    /// does); declined for a control byte, a bad escape or a lone surrogate.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        let b = self.bytes();
        loop {
            match *b.get(self.i)? {
                b'"' => {
                    let text = self.s.get(start..self.i)?;
                    self.i += 1;
                    return Some(Cow::Borrowed(text));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(self.s.get(start..self.i)?);
        loop {
            let run = self.i;
            loop {
                match *b.get(self.i)? {
                    b'"' | b'\\' => break,
                    0..=0x1f => return None,
                    _ => self.i += 1,
                }
            }
            out.push_str(self.s.get(run..self.i)?);
            if b.get(self.i) == Some(&b'"') {
                self.i += 1;
                return Some(Cow::Owned(out));
            }
            self.i += 1;
            let c = match *b.get(self.i)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4(self.i + 1)?;
                    self.i += 4;
                    match hi {
                        0xD800..=0xDBFF => {
                            if b.get(self.i + 1..self.i + 3) != Some(b"\\u") {
                                return None;
                            }
                            let lo = self.hex4(self.i + 3)?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return None;
                            }
                            self.i += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        }
                        0xDC00..=0xDFFF => return None,
                        _ => char::from_u32(hi)?,
                    }
                }
                _ => return None,
            };
            out.push(c);
            self.i += 1;
        }
    }

    /// Four hex digits at `at`.
    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.bytes().get(at..at + 4)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            let v = char::from(d).to_digit(16)?;
            Some(acc * 16 + v)
        })
    }

    /// A non-negative JSON integer that fits `u64`; declined for a sign, a fraction, an
    /// exponent, a leading zero or an overflow (which `serde_json` reads as a float).
    fn u64(&mut self) -> Option<u64> {
        self.ws();
        let b = self.bytes();
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(&d @ b'0'..=b'9') = b.get(self.i) {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && b.get(start) == Some(&b'0')) {
            return None;
        }
        match b.get(self.i) {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    /// A JSON number's text, checked against the grammar.
    fn number_text(&mut self) -> Option<&'a str> {
        self.ws();
        let b = self.bytes();
        let start = self.i;
        if b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |r: &mut Self| {
            let from = r.i;
            while let Some(b'0'..=b'9') = b.get(r.i) {
                r.i += 1;
            }
            r.i - from
        };
        let int_at = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && b.get(int_at) == Some(&b'0')) {
            return None;
        }
        if b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = b.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        self.s.get(start..self.i)
    }

    fn bool(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A flag: a boolean, or a non-negative integer that fits `i64`.
    fn flag(&mut self) -> Option<Flag> {
        match self.peek()? {
            b't' | b'f' => self.bool().map(Flag::Bool),
            _ => i64::try_from(self.u64()?).ok().map(Flag::Int),
        }
    }

    /// An id: a string, or a non-negative integer.
    fn id(&mut self) -> Option<IdRef<'a>> {
        match self.peek()? {
            b'"' => self.string().map(IdRef::Text),
            _ => self.u64().map(IdRef::Unsigned),
        }
    }

    fn str(&mut self) -> Option<Str<'a>> {
        self.string().map(Str)
    }

    /// A local time: a string without escapes, read as `LocalTime`'s deserialiser reads it.
    fn local_time(&mut self) -> Option<LocalTime> {
        let t = self.plain()?;
        LocalTime::from_fixed(t.as_bytes()).or_else(|| t.parse().ok())
    }

    fn wire_date(&mut self) -> Option<WireDate> {
        let t = self.plain()?;
        WireDate::from_fixed(t.as_bytes()).or_else(|| t.parse().ok())
    }

    /// Money: a number's text, or a string without escapes (quotes included), read as
    /// `Yuan`'s deserialiser reads its raw value.
    fn yuan(&mut self) -> Option<Yuan> {
        let text = if self.peek()? == b'"' {
            let start = self.i;
            self.plain()?;
            self.s.get(start..self.i)?
        } else {
            self.number_text()?
        };
        Yuan::from_wire_text(text).ok()
    }

    /// A typed field's value into `slot`: an explicit `null` leaves it `None` and is
    /// recorded in `extra` (as the views' deserialiser does).
    fn field<T>(
        &mut self,
        slot: &mut Option<T>,
        extra: &mut ExtraRef<'a>,
        wire: &'static str,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<()> {
        if self.literal(b"null") {
            extra.push(Str::borrowed(wire), Value::Null);
        } else {
            *slot = Some(read(self)?);
        }
        Some(())
    }

    /// The envelope: `status` 200, `message` a string or `null`, `data` a detail page;
    /// no other key.
    fn envelope(&mut self) -> Option<DetailPageRef<'a>> {
        let mut seen = Seen::default();
        let mut status = None;
        let mut data = None;
        self.object(|r, key| match key {
            b"status" => {
                seen.mark(0)?;
                status = Some(r.u64()?);
                Some(())
            }
            b"message" => {
                seen.mark(1)?;
                if !r.literal(b"null") {
                    r.string()?;
                }
                Some(())
            }
            b"data" => {
                seen.mark(2)?;
                data = Some(r.page()?);
                Some(())
            }
            _ => None,
        })?;
        match status {
            Some(200) => data,
            _ => None,
        }
    }

    fn page(&mut self) -> Option<DetailPageRef<'a>> {
        let mut p = DetailPageRef::default();
        let mut seen = Seen::default();
        self.object(|r, key| {
            let x = &mut p.extra;
            match key {
                b"from" => seen
                    .mark(0)
                    .and_then(|()| r.field(&mut p.from, x, "from", Self::wire_date)),
                b"to" => seen
                    .mark(1)
                    .and_then(|()| r.field(&mut p.to, x, "to", Self::wire_date)),
                b"total_record" => seen
                    .mark(2)
                    .and_then(|()| r.field(&mut p.total_record, x, "total_record", Self::u64)),
                b"total_page" => seen
                    .mark(3)
                    .and_then(|()| r.field(&mut p.total_page, x, "total_page", Self::u64)),
                b"page_number" => seen
                    .mark(4)
                    .and_then(|()| r.field(&mut p.page_number, x, "page_number", Self::u64)),
                b"page_size" => seen
                    .mark(5)
                    .and_then(|()| r.field(&mut p.page_size, x, "page_size", Self::u64)),
                b"has_previous_page" => seen.mark(6).and_then(|()| {
                    r.field(&mut p.has_previous_page, x, "has_previous_page", Self::bool)
                }),
                b"has_next_page" => seen
                    .mark(7)
                    .and_then(|()| r.field(&mut p.has_next_page, x, "has_next_page", Self::bool)),
                b"meetings" => seen.mark(8).and_then(|()| {
                    r.field(&mut p.meetings, x, "meetings", |r| r.array(Self::meeting))
                }),
                _ => None,
            }
        })?;
        Some(p)
    }

    fn meeting(&mut self) -> Option<DetailMeetingRef<'a>> {
        let mut m = DetailMeetingRef::default();
        let mut seen = Seen::default();
        self.object(|r, key| {
            let x = &mut m.extra;
            match key {
                b"uuid" => seen
                    .mark(0)
                    .and_then(|()| r.field(&mut m.uuid, x, "uuid", Self::str)),
                b"host_id" => seen
                    .mark(1)
                    .and_then(|()| r.field(&mut m.host_id, x, "host_id", Self::str)),
                b"meeting_id" => seen
                    .mark(2)
                    .and_then(|()| r.field(&mut m.meeting_id, x, "meeting_id", Self::id)),
                b"topic" => seen
                    .mark(3)
                    .and_then(|()| r.field(&mut m.topic, x, "topic", Self::str)),
                b"start_time" => seen
                    .mark(4)
                    .and_then(|()| r.field(&mut m.start_time, x, "start_time", Self::local_time)),
                b"duration" => seen
                    .mark(5)
                    .and_then(|()| r.field(&mut m.duration, x, "duration", Self::u64)),
                b"end_time" => seen
                    .mark(6)
                    .and_then(|()| r.field(&mut m.end_time, x, "end_time", Self::local_time)),
                b"is_extra" => seen
                    .mark(7)
                    .and_then(|()| r.field(&mut m.is_extra, x, "is_extra", Self::flag)),
                b"participants" => seen.mark(8).and_then(|()| {
                    r.field(&mut m.participants, x, "participants", |r| {
                        r.array(Self::participant)
                    })
                }),
                b"telephony_usage" => seen.mark(9).and_then(|()| {
                    r.field(&mut m.telephony_usage, x, "telephony_usage", |r| {
                        r.array(Self::call)
                    })
                }),
                _ => None,
            }
        })?;
        Some(m)
    }

    fn participant(&mut self) -> Option<DetailParticipantRef<'a>> {
        let mut p = DetailParticipantRef::default();
        let mut seen = Seen::default();
        self.object(|r, key| {
            let x = &mut p.extra;
            match key {
                b"name" => seen
                    .mark(0)
                    .and_then(|()| r.field(&mut p.name, x, "name", Self::str)),
                b"join_time" => seen
                    .mark(1)
                    .and_then(|()| r.field(&mut p.join_time, x, "join_time", Self::local_time)),
                b"leave_time" => seen
                    .mark(2)
                    .and_then(|()| r.field(&mut p.leave_time, x, "leave_time", Self::local_time)),
                _ => None,
            }
        })?;
        Some(p)
    }

    fn call(&mut self) -> Option<TelephonyUsageRef<'a>> {
        let mut c = TelephonyUsageRef::default();
        let mut seen = Seen::default();
        self.object(|r, key| {
            let x = &mut c.extra;
            match key {
                b"phone_number" => seen
                    .mark(0)
                    .and_then(|()| r.field(&mut c.phone_number, x, "phone_number", Self::str)),
                b"type" => seen
                    .mark(1)
                    .and_then(|()| r.field(&mut c.call_type, x, "type", Self::str)),
                b"start_time" => seen
                    .mark(2)
                    .and_then(|()| r.field(&mut c.start_time, x, "start_time", Self::local_time)),
                b"end_time" => seen
                    .mark(3)
                    .and_then(|()| r.field(&mut c.end_time, x, "end_time", Self::local_time)),
                b"duration" => seen
                    .mark(4)
                    .and_then(|()| r.field(&mut c.duration, x, "duration", Self::u64)),
                b"total" => seen
                    .mark(5)
                    .and_then(|()| r.field(&mut c.total, x, "total", Self::yuan)),
                _ => None,
            }
        })?;
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader's value, when it takes `body`, is serde's; returns whether it took it.
    fn agrees(body: &str) -> bool {
        let Some(fast) = read_detail_page(body.as_bytes()) else {
            return false;
        };
        let serde = envelope_data::<DetailPageRef<'_>>(body.as_bytes());
        assert_eq!(format!("{:?}", Some(fast)), format!("{serde:?}"), "{body}");
        true
    }

    #[test]
    fn reads_the_sample_as_serde_does() {
        let sample = include_str!("../../../fixtures/systec/detail.sample.json");
        assert!(agrees(sample));
        let page = detail_page(sample.as_bytes()).expect("the sample");
        assert!(page.meetings.is_some_and(|m| !m.is_empty()));
    }

    #[test]
    fn declines_what_it_does_not_read_exactly() {
        for body in [
            r#"{"status":200,"data":{"meetings":[{"uuid":"u","other":1}]}}"#,
            r#"{"status":200,"data":{"meetings":[{"uuid":"u","uuid":"v"}]}}"#,
            r#"{"status":200,"data":{"meetings":[{"u\u0075id":"u"}]}}"#,
            r#"{"status":200,"data":{"meetings":[{"duration":-1}]}}"#,
            r#"{"status":200,"data":{"meetings":[{"duration":1.0}]}}"#,
            r#"{"status":200,"data":{"meetings":[{"topic":"\ud800"}]}}"#,
            r#"{"status":200,"data":{"meetings":[]}} x"#,
            r#"{"status":200,"data":{"meetings":[]},"extra":null}"#,
            r#"{"status":401,"data":{"meetings":[]}}"#,
        ] {
            assert!(read_detail_page(body.as_bytes()).is_none(), "{body}");
        }
        for body in [
            r#"{"status":200,"data":{"meetings":[{"topic":"a\"\u00e9\ud83d\ude00","meeting_id":7}]}}"#,
            r#"{"status":200,"data":{"meetings":null,"from":"2017-8-31"}}"#,
            r#" {"message":null,"data":{"meetings":[{"is_extra":true,"participants":[]}]},"status":200} "#,
        ] {
            assert!(agrees(body), "{body}");
        }
    }
}
