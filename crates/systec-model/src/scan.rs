//! Single-pass readers written for the `detail` and `hisMeeting` answers: the fast path's
//! parse, without serde's visitor machinery.
//!
//! [`detail_page`] gives the `data` of a `detail` success answer as the borrowed view
//! [`DetailPageRef`], the value [`envelope_data`] gives for the same body ([`his_meetings`]
//! the same for `hisMeeting`). The reader ([`read_detail_page`], [`read_his_meetings`]) matches keys as bytes, borrows strings that hold no escape, and
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

use crate::detail::{
    DetailMeeting, DetailMeetingRef, DetailPage, DetailPageRef, DetailParticipant,
    DetailParticipantRef, TelephonyUsage, TelephonyUsageRef,
};
use crate::his_meeting::{HisMeeting, HisMeetingRef};
use crate::time::{fixed_date, fixed_time};
use crate::{LocalTime, UtcTime, VendorDuration, WireDate, Yuan, envelope_data};
use chrono::NaiveDate;

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
    read_body(bytes, Reader::page)
}

/// The `data` of a `hisMeeting` success answer as its borrowed views: the single-pass
/// reader ([`read_his_meetings`]) when it takes the body, else [`envelope_data`]. `None`
/// exactly when `envelope_data` gives `None`.
pub fn his_meetings(bytes: &[u8]) -> Option<Vec<HisMeetingRef<'_>>> {
    read_his_meetings(bytes).or_else(|| envelope_data(bytes))
}

/// The single-pass reader of `hisMeeting` answers alone: `Some` only for a success answer
/// it reads exactly (then equal to what [`envelope_data`] gives), as [`read_detail_page`].
pub fn read_his_meetings(bytes: &[u8]) -> Option<Vec<HisMeetingRef<'_>>> {
    read_body(bytes, |r| r.array(Reader::his_meeting))
}

/// A success answer whose `data` `data` reads, the whole body consumed.
fn read_body<'a, T>(bytes: &'a [u8], data: impl FnOnce(&mut Reader<'a>) -> Option<T>) -> Option<T> {
    let text = simdutf8::basic::from_utf8(meeting_wire::strip_bom(bytes)).ok()?;
    let mut r = Reader {
        s: text,
        i: 0,
        day: None,
    };
    let value = r.envelope(data)?;
    r.ws();
    (r.i == text.len()).then_some(value)
}

/// Eight bytes each `0x01`.
const LO: u64 = 0x0101_0101_0101_0101;
/// Eight bytes each `0x80`.
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `w` (little-endian) that may be `"`, `\` or a control
/// byte: exact for the lowest one (a borrow only flags bytes above a true one).
fn specials(w: u64) -> u64 {
    let q = w ^ (LO * u64::from(b'"'));
    let s = w ^ (LO * u64::from(b'\\'));
    ((q.wrapping_sub(LO) & !q) | (s.wrapping_sub(LO) & !s) | (w.wrapping_sub(LO * 0x20) & !w)) & HI
}

/// The index of the first `"`, `\` or control byte in `b` from `i` (or `b.len()`): a
/// string's end, eight bytes at a time.
fn stop(b: &[u8], mut i: usize) -> usize {
    while let Some(Ok(chunk)) = b.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let m = specials(u64::from_le_bytes(chunk));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// The reader's position in the body (valid UTF-8; every index it slices at is next to an
/// ASCII byte, so a char boundary).
struct Reader<'a> {
    s: &'a str,
    i: usize,
    /// The date bytes of the last fixed-form local time read, and their date: the times of
    /// a page mostly share a few days.
    day: Option<(&'a [u8], NaiveDate)>,
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

    /// An object whose keys are all among `names` (each at most once): `each` is called
    /// with the index of every key (the reader then at its value); declined for any other
    /// key (an escape in a key included: it then matches no name) or a malformed object.
    fn object(
        &mut self,
        names: &[&'static str],
        mut each: impl FnMut(&mut Self, usize, &'static str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        let mut seen = 0u32;
        loop {
            self.eat(b'"')?;
            // The key is `name` exactly when its bytes are followed by the closing quote (a
            // name holds no quote or backslash).
            let rest = self.bytes().get(self.i..)?;
            let k = names
                .iter()
                .position(|n| rest.get(n.len()) == Some(&b'"') && rest.starts_with(n.as_bytes()))?;
            let name = names.get(k)?;
            let bit = 1u32 << k;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            self.i += name.len() + 1;
            self.eat(b':')?;
            each(self, k, name)?;
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

    /// A string's raw text without escapes (`None` for one with an escape or a control
    /// byte), the reader after its closing quote.
    fn plain(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let b = self.bytes();
        self.i = stop(b, start);
        if b.get(self.i) != Some(&b'"') {
            return None;
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
        self.i = stop(b, start);
        match *b.get(self.i)? {
            b'"' => {
                let text = self.s.get(start..self.i)?;
                self.i += 1;
                return Some(Cow::Borrowed(text));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::from(self.s.get(start..self.i)?);
        loop {
            let run = self.i;
            self.i = stop(b, run);
            if !matches!(b.get(self.i), Some(b'"' | b'\\')) {
                return None;
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
        // The fixed form first: 19 bytes of digits and separators between quotes, read as
        // `LocalTime::from_fixed` reads them (the date from the last one when its bytes are
        // the same).
        if self.peek()? == b'"' {
            let b = self.bytes();
            if b.get(self.i + 20) == Some(&b'"')
                && let Some(t) = b.get(self.i + 1..self.i + 20)
                && let Some(t) = self.fixed_local(t)
            {
                self.i += 21;
                return Some(t);
            }
        }
        let t = self.plain()?;
        LocalTime::from_fixed(t.as_bytes()).or_else(|| t.parse().ok())
    }

    /// `LocalTime::from_fixed` of the 19 bytes `t`, with the day cache.
    fn fixed_local(&mut self, t: &'a [u8]) -> Option<LocalTime> {
        let (date_bytes, rest) = t.split_at_checked(10)?;
        if rest.first() != Some(&b' ') {
            return None;
        }
        let date = match self.day {
            Some((bytes, date)) if bytes == date_bytes => date,
            _ => {
                let date = fixed_date(date_bytes)?;
                self.day = Some((date_bytes, date));
                date
            }
        };
        Some(LocalTime::fixed(date.and_time(fixed_time(t, 11)?)))
    }

    /// A UTC time: a string without escapes, read as `UtcTime`'s deserialiser reads it.
    fn utc_time(&mut self) -> Option<UtcTime> {
        let t = self.plain()?;
        UtcTime::from_fixed(t.as_bytes()).or_else(|| t.parse().ok())
    }

    /// A vendor duration: any string (its text), or a non-negative integer of minutes.
    fn vendor_duration(&mut self) -> Option<VendorDuration> {
        match self.peek()? {
            b'"' => self.string().map(|t| VendorDuration::from_text(&t)),
            _ => self.u64().map(VendorDuration::from_minutes_number),
        }
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
        if self.peek()? == b'n' {
            if !self.literal(b"null") {
                return None;
            }
            extra.push(Str::borrowed(wire), Value::Null);
        } else {
            *slot = Some(read(self)?);
        }
        Some(())
    }

    /// The envelope: `status` 200, `message` a string or `null`, `data` as `read` reads
    /// it; no other key.
    fn envelope<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let mut status = None;
        let mut data = None;
        let mut read = Some(read);
        self.object(&["status", "message", "data"], |r, k, _| {
            match k {
                0 => status = Some(r.u64()?),
                1 => {
                    if !r.literal(b"null") {
                        r.string()?;
                    }
                }
                // Each key is taken once (`object` declines a repeated one).
                _ => {
                    let read = read.take()?;
                    data = Some(read(r)?);
                }
            }
            Some(())
        })?;
        match status {
            Some(200) => data,
            _ => None,
        }
    }

    fn page(&mut self) -> Option<DetailPageRef<'a>> {
        let mut p = DetailPageRef::default();
        self.object(DetailPage::FIELDS, |r, k, wire| {
            let x = &mut p.extra;
            match k {
                0 => r.field(&mut p.from, x, wire, Self::wire_date),
                1 => r.field(&mut p.to, x, wire, Self::wire_date),
                2 => r.field(&mut p.total_record, x, wire, Self::u64),
                3 => r.field(&mut p.total_page, x, wire, Self::u64),
                4 => r.field(&mut p.page_number, x, wire, Self::u64),
                5 => r.field(&mut p.page_size, x, wire, Self::u64),
                6 => r.field(&mut p.has_previous_page, x, wire, Self::bool),
                7 => r.field(&mut p.has_next_page, x, wire, Self::bool),
                _ => r.field(&mut p.meetings, x, wire, |r| r.array(Self::meeting)),
            }
        })?;
        Some(p)
    }

    fn meeting(&mut self) -> Option<DetailMeetingRef<'a>> {
        let mut m = DetailMeetingRef::default();
        self.object(DetailMeeting::FIELDS, |r, k, wire| {
            let x = &mut m.extra;
            match k {
                0 => r.field(&mut m.uuid, x, wire, Self::str),
                1 => r.field(&mut m.host_id, x, wire, Self::str),
                2 => r.field(&mut m.meeting_id, x, wire, Self::id),
                3 => r.field(&mut m.topic, x, wire, Self::str),
                4 => r.field(&mut m.start_time, x, wire, Self::local_time),
                5 => r.field(&mut m.duration, x, wire, Self::u64),
                6 => r.field(&mut m.end_time, x, wire, Self::local_time),
                7 => r.field(&mut m.is_extra, x, wire, Self::flag),
                8 => r.field(&mut m.participants, x, wire, |r| r.array(Self::participant)),
                _ => r.field(&mut m.telephony_usage, x, wire, |r| r.array(Self::call)),
            }
        })?;
        Some(m)
    }

    fn his_meeting(&mut self) -> Option<HisMeetingRef<'a>> {
        let mut h = HisMeetingRef::default();
        self.object(HisMeeting::FIELDS, |r, k, wire| {
            let x = &mut h.extra;
            match k {
                0 => r.field(&mut h.uuid, x, wire, Self::str),
                1 => r.field(&mut h.id, x, wire, Self::id),
                2 => r.field(&mut h.host, x, wire, Self::str),
                3 => r.field(&mut h.email, x, wire, Self::str),
                4 => r.field(&mut h.user_type, x, wire, Self::str),
                5 => r.field(&mut h.start_time, x, wire, Self::utc_time),
                6 => r.field(&mut h.end_time, x, wire, Self::utc_time),
                7 => r.field(&mut h.duration, x, wire, Self::vendor_duration),
                8 => r.field(&mut h.participants, x, wire, Self::u64),
                9 => r.field(&mut h.has_pstn, x, wire, Self::bool),
                10 => r.field(&mut h.has_voip, x, wire, Self::bool),
                11 => r.field(&mut h.has_3rd_party_audio, x, wire, Self::bool),
                12 => r.field(&mut h.has_video, x, wire, Self::bool),
                13 => r.field(&mut h.has_screen_share, x, wire, Self::bool),
                _ => r.field(&mut h.recording, x, wire, Self::flag),
            }
        })?;
        Some(h)
    }

    fn participant(&mut self) -> Option<DetailParticipantRef<'a>> {
        let mut p = DetailParticipantRef::default();
        self.object(DetailParticipant::FIELDS, |r, k, wire| {
            let x = &mut p.extra;
            match k {
                0 => r.field(&mut p.name, x, wire, Self::str),
                1 => r.field(&mut p.join_time, x, wire, Self::local_time),
                _ => r.field(&mut p.leave_time, x, wire, Self::local_time),
            }
        })?;
        Some(p)
    }

    fn call(&mut self) -> Option<TelephonyUsageRef<'a>> {
        let mut c = TelephonyUsageRef::default();
        self.object(TelephonyUsage::FIELDS, |r, k, wire| {
            let x = &mut c.extra;
            match k {
                0 => r.field(&mut c.phone_number, x, wire, Self::str),
                1 => r.field(&mut c.call_type, x, wire, Self::str),
                2 => r.field(&mut c.start_time, x, wire, Self::local_time),
                3 => r.field(&mut c.end_time, x, wire, Self::local_time),
                4 => r.field(&mut c.duration, x, wire, Self::u64),
                _ => r.field(&mut c.total, x, wire, Self::yuan),
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
    fn stop_finds_the_first_special_byte() {
        let slow = |b: &[u8], i: usize| {
            b.iter()
                .skip(i)
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .map_or(b.len(), |p| p + i)
        };
        let bytes: Vec<u8> = (0u8..=255)
            .chain(b"abc\"xyz\\\x01\x7f\xe9".iter().copied())
            .collect();
        for start in 0..bytes.len() {
            for end in start..bytes.len().min(start + 40) {
                let mut b = bytes[start..end].to_vec();
                let third = b.len() / 3;
                b.rotate_left(third);
                for i in [0, 1, 7, 9] {
                    let i = i.min(b.len());
                    assert_eq!(stop(&b, i), slow(&b, i), "{b:?} from {i}");
                }
            }
        }
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
