//! Wire times: ISO-8601 UTC instants, zone-less local date-times, calendar dates.
//!
//! The formats are fixed-width (`2018-05-08T02:32:34Z`, `2017-08-31 00:00:00`,
//! `2017-08-31`), so the common case is parsed directly from the bytes, without a
//! format-string parser. Other spellings the vendor plausibly sends (fractional seconds, an
//! offset instead of `Z`, unpadded fields like `2017-8-31`) are accepted on a slower path, and
//! their text is kept so that a value serialises back exactly as received.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// A wire time that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{text}`: expected {expected}")]
pub struct TimeParseError {
    what: &'static str,
    text: String,
    expected: &'static str,
}

impl TimeParseError {
    fn new(what: &'static str, text: &str, expected: &'static str) -> Self {
        // Keep error text bounded: the input may be anything.
        let text: String = text.chars().take(64).collect();
        TimeParseError {
            what,
            text,
            expected,
        }
    }
}

/// Two ASCII digits at `at`, as a number.
fn two(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at..at + 2)? {
        [x @ b'0'..=b'9', y @ b'0'..=b'9'] => Some(u32::from(x - b'0') * 10 + u32::from(y - b'0')),
        _ => None,
    }
}

/// Four ASCII digits at `at`, as a number.
fn four(b: &[u8], at: usize) -> Option<i32> {
    let hi = two(b, at)?;
    let lo = two(b, at + 2)?;
    i32::try_from(hi * 100 + lo).ok()
}

/// `YYYY-MM-DD` at the start of `b`, exactly.
pub(crate) fn fixed_date(b: &[u8]) -> Option<NaiveDate> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(four(b, 0)?, two(b, 5)?, two(b, 8)?)
}

/// `HH:MM:SS` at `at`, exactly: the eight bytes checked and read at once (what
/// `NaiveTime::from_hms_opt` of the three fields gives).
pub(crate) fn fixed_time(b: &[u8], at: usize) -> Option<NaiveTime> {
    let [h1, h2, b':', m1, m2, b':', s1, s2] = *<&[u8; 8]>::try_from(b.get(at..at + 8)?).ok()?
    else {
        return None;
    };
    let digit = |x: u8| x.is_ascii_digit().then(|| u32::from(x - b'0'));
    let h = digit(h1)? * 10 + digit(h2)?;
    let m = digit(m1)? * 10 + digit(m2)?;
    let s = digit(s1)? * 10 + digit(s2)?;
    if h >= 24 || m >= 60 || s >= 60 {
        return None;
    }
    NaiveTime::from_num_seconds_from_midnight_opt(h * 3600 + m * 60 + s, 0)
}

/// Splits `text` into its runs of ASCII digits, which must be separated by exactly one of
/// `seps` each; returns `None` for anything else.
fn numeric_fields(text: &str, seps: &[u8], max: usize) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(max);
    let mut cur: Option<u32> = None;
    let mut digits = 0;
    for &c in text.as_bytes() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits > 4 {
                return None;
            }
            cur = Some(cur.unwrap_or(0) * 10 + u32::from(c - b'0'));
        } else if seps.contains(&c) {
            out.push(cur.take()?);
            digits = 0;
        } else {
            return None;
        }
    }
    out.push(cur?);
    (out.len() <= max).then_some(out)
}

/// A lenient local date-time: `Y-M-D`, then optionally ` H:M` or ` H:M:S` (or `T`), with
/// one- or two-digit fields.
fn lenient_local(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let date = lenient_date(date)?;
    let time = match time {
        None => NaiveTime::MIN,
        Some(t) => match numeric_fields(t, b":", 3)?.as_slice() {
            [h, m] => NaiveTime::from_hms_opt(*h, *m, 0)?,
            [h, m, s] => NaiveTime::from_hms_opt(*h, *m, *s)?,
            _ => return None,
        },
    };
    Some(date.and_time(time))
}

/// A lenient date: `Y-M-D` with a four-digit year and one- or two-digit month and day.
fn lenient_date(text: &str) -> Option<NaiveDate> {
    match numeric_fields(text, b"-", 3)?.as_slice() {
        [y, m, d] if *y >= 1000 => NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d),
        _ => None,
    }
}

/// Keeps `text` only when it is not what the canonical format would write.
fn raw_unless(canonical: bool, text: &str) -> Option<Box<str>> {
    (!canonical).then(|| Box::from(text))
}

macro_rules! string_visitor {
    ($ty:ident, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                    // The fixed-width forms are ASCII: parse the raw bytes (serde_json then
                    // skips validating UTF-8); anything else must be valid text.
                    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<$ty, E> {
                        if let Some(t) = $ty::from_fixed(v) {
                            return Ok(t);
                        }
                        match std::str::from_utf8(v) {
                            Ok(s) => s.parse().map_err(E::custom),
                            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
                        }
                    }
                }
                deserializer.deserialize_bytes(V)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match &self.raw {
                    Some(raw) => serializer.serialize_str(raw),
                    None => serializer.collect_str(self),
                }
            }
        }
    };
}

/// An ISO-8601 UTC instant as the `reports` and `hisMeeting` endpoints send it:
/// `2018-05-08T02:32:34Z`.
///
/// The doc's comment says callers must convert it to local time themselves; it is UTC.
/// Other RFC 3339 spellings (fractional seconds, a numeric offset) are accepted and kept
/// verbatim for serialisation.
///
/// ```
/// use systec_model::UtcTime;
/// let t: UtcTime = "2018-05-08T02:32:34Z".parse()?;
/// assert_eq!(t.to_utc().to_rfc3339(), "2018-05-08T02:32:34+00:00");
/// # Ok::<(), systec_model::TimeParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UtcTime {
    value: DateTime<Utc>,
    raw: Option<Box<str>>,
}

impl UtcTime {
    /// The instant.
    pub fn to_utc(&self) -> DateTime<Utc> {
        self.value
    }

    /// The wire text, when it differs from the canonical `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn non_canonical_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Converts to `time::OffsetDateTime` (UTC).
    #[cfg(feature = "time")]
    pub fn to_offset_date_time(&self) -> Option<time::OffsetDateTime> {
        let nanos = self.value.timestamp_nanos_opt()?;
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).ok()
    }
}

impl From<DateTime<Utc>> for UtcTime {
    /// The instant, written canonically (whole seconds; sub-second precision is dropped from
    /// the wire text only if it is zero).
    fn from(value: DateTime<Utc>) -> Self {
        let canonical = value.nanosecond() == 0;
        let raw = (!canonical).then(|| {
            value
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                .into_boxed_str()
        });
        UtcTime { value, raw }
    }
}

impl UtcTime {
    /// The canonical `YYYY-MM-DDTHH:MM:SSZ`, straight from bytes.
    pub(crate) fn from_fixed(b: &[u8]) -> Option<Self> {
        if b.len() == 20 && b.get(10) == Some(&b'T') && b.get(19) == Some(&b'Z') {
            let (d, t) = (fixed_date(b)?, fixed_time(b, 11)?);
            return Some(UtcTime {
                value: d.and_time(t).and_utc(),
                raw: None,
            });
        }
        None
    }
}

impl std::str::FromStr for UtcTime {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = UtcTime::from_fixed(s.as_bytes()) {
            return Ok(t);
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| UtcTime {
                value: t.with_timezone(&Utc),
                raw: Some(Box::from(s)),
            })
            .map_err(|_| {
                TimeParseError::new(
                    "UTC time",
                    s,
                    "an ISO-8601 UTC time like 2018-05-08T02:32:34Z",
                )
            })
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            Some(raw) => f.write_str(raw),
            None => write!(f, "{}", self.value.format("%Y-%m-%dT%H:%M:%SZ")),
        }
    }
}

impl fmt::Debug for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UtcTime({self})")
    }
}

string_visitor!(
    UtcTime,
    "an ISO-8601 UTC time like \"2018-05-08T02:32:34Z\""
);

/// A zone-less local date-time as the `detail` endpoint sends it: `2017-08-31 00:00:00`.
///
/// It is local to the vendor's zone, which this crate does not assume: apply it with
/// [`LocalTime::in_zone`] (the `meeting-core` crate does, with `Asia/Shanghai` by default).
/// Unpadded fields, a `T` separator and a missing seconds field are accepted and kept
/// verbatim for serialisation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LocalTime {
    value: NaiveDateTime,
    raw: Option<Box<str>>,
}

/// How a zone-less time maps to an instant in a given zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalResolution {
    /// Exactly one instant.
    Single(DateTime<Utc>),
    /// The local time occurs twice (clocks went back); both instants, earliest first.
    Ambiguous(DateTime<Utc>, DateTime<Utc>),
    /// The local time never occurs (clocks went forward); the instant the same wall-clock
    /// reading would have had with the offset in force just before the gap.
    Skipped(DateTime<Utc>),
}

impl LocalResolution {
    /// One instant for every case: the single one, the earlier of two, or the gap's
    /// before-offset reading. A deliberate, documented choice rather than a panic.
    pub fn earliest(self) -> DateTime<Utc> {
        match self {
            LocalResolution::Single(t)
            | LocalResolution::Ambiguous(t, _)
            | LocalResolution::Skipped(t) => t,
        }
    }
}

impl LocalTime {
    /// The zone-less date-time.
    pub fn naive(&self) -> NaiveDateTime {
        self.value
    }

    /// The wire text, when it differs from the canonical `YYYY-MM-DD HH:MM:SS`.
    pub fn non_canonical_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// The instant(s) this local time names in `zone`, never panicking on daylight-saving
    /// gaps or overlaps.
    pub fn in_zone<Tz: TimeZone>(&self, zone: &Tz) -> LocalResolution {
        resolve_local(self.value, zone)
    }

    /// Converts to `time::PrimitiveDateTime` (still zone-less).
    #[cfg(feature = "time")]
    pub fn to_primitive_date_time(&self) -> Option<time::PrimitiveDateTime> {
        use chrono::Datelike;
        let d = self.value.date();
        let month = time::Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
        let date =
            time::Date::from_calendar_date(d.year(), month, u8::try_from(d.day()).ok()?).ok()?;
        let t = self.value.time();
        let time = time::Time::from_hms(
            u8::try_from(t.hour()).ok()?,
            u8::try_from(t.minute()).ok()?,
            u8::try_from(t.second()).ok()?,
        )
        .ok()?;
        Some(time::PrimitiveDateTime::new(date, time))
    }
}

/// Resolves a zone-less date-time in `zone`; see [`LocalResolution`].
pub fn resolve_local<Tz: TimeZone>(value: NaiveDateTime, zone: &Tz) -> LocalResolution {
    use chrono::LocalResult;
    match zone.from_local_datetime(&value) {
        LocalResult::Single(t) => LocalResolution::Single(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Ambiguous(a.min(b), a.max(b))
        }
        LocalResult::None => {
            // In a gap: read the wall clock with the offset in force before it. Gaps are at
            // most a few hours; look back a day at most for that offset.
            let mut probe = value;
            for _ in 0..48 {
                probe -= chrono::Duration::minutes(30);
                if let Some(before) = zone.from_local_datetime(&probe).earliest() {
                    let offset = before.offset().fix();
                    let instant =
                        value - chrono::Duration::seconds(i64::from(offset.local_minus_utc()));
                    return LocalResolution::Skipped(instant.and_utc());
                }
            }
            LocalResolution::Skipped(value.and_utc())
        }
    }
}

use chrono::Offset as _;

impl From<NaiveDateTime> for LocalTime {
    fn from(value: NaiveDateTime) -> Self {
        let value = value.with_nanosecond(0).unwrap_or(value);
        LocalTime { value, raw: None }
    }
}

impl LocalTime {
    /// The value `from_fixed` gives for the canonical text of `value` (whole seconds).
    pub(crate) fn fixed(value: NaiveDateTime) -> Self {
        LocalTime { value, raw: None }
    }

    /// The canonical `YYYY-MM-DD HH:MM:SS`, straight from bytes.
    pub(crate) fn from_fixed(b: &[u8]) -> Option<Self> {
        if b.len() == 19 && b.get(10) == Some(&b' ') {
            let (d, t) = (fixed_date(b)?, fixed_time(b, 11)?);
            return Some(LocalTime {
                value: d.and_time(t),
                raw: None,
            });
        }
        None
    }
}

impl std::str::FromStr for LocalTime {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(t) = LocalTime::from_fixed(s.as_bytes()) {
            return Ok(t);
        }
        let value = lenient_local(s).ok_or_else(|| {
            TimeParseError::new("local time", s, "a zone-less time like 2017-08-31 00:00:00")
        })?;
        let canonical = value.format("%Y-%m-%d %H:%M:%S").to_string() == s;
        Ok(LocalTime {
            value,
            raw: raw_unless(canonical, s),
        })
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            Some(raw) => f.write_str(raw),
            None => write!(f, "{}", self.value.format("%Y-%m-%d %H:%M:%S")),
        }
    }
}

impl fmt::Debug for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalTime({self})")
    }
}

string_visitor!(LocalTime, "a zone-less time like \"2017-08-31 00:00:00\"");

/// A calendar date as the `detail` endpoint echoes it: `2017-09-01`, or unpadded
/// `2017-8-31` (kept verbatim for serialisation).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WireDate {
    value: NaiveDate,
    raw: Option<Box<str>>,
}

impl WireDate {
    /// The date.
    pub fn date(&self) -> NaiveDate {
        self.value
    }

    /// The wire text, when it differs from the canonical `YYYY-MM-DD`.
    pub fn non_canonical_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }
}

impl From<NaiveDate> for WireDate {
    fn from(value: NaiveDate) -> Self {
        WireDate { value, raw: None }
    }
}

impl WireDate {
    /// The canonical `YYYY-MM-DD`, straight from bytes.
    pub(crate) fn from_fixed(b: &[u8]) -> Option<Self> {
        if b.len() == 10 {
            return fixed_date(b).map(|value| WireDate { value, raw: None });
        }
        None
    }
}

impl std::str::FromStr for WireDate {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(d) = WireDate::from_fixed(s.as_bytes()) {
            return Ok(d);
        }
        let value = lenient_date(s)
            .ok_or_else(|| TimeParseError::new("date", s, "a date like 2018-01-01"))?;
        Ok(WireDate {
            value,
            raw: raw_unless(false, s),
        })
    }
}

impl fmt::Display for WireDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            Some(raw) => f.write_str(raw),
            None => write!(f, "{}", self.value.format("%Y-%m-%d")),
        }
    }
}

impl fmt::Debug for WireDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WireDate({self})")
    }
}

string_visitor!(WireDate, "a date like \"2018-01-01\"");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_lenient_forms() {
        let t: LocalTime = "2017-8-31 0:51:00".parse().unwrap();
        assert_eq!(t.naive().to_string(), "2017-08-31 00:51:00");
        assert_eq!(t.to_string(), "2017-8-31 0:51:00");
        let t: LocalTime = "2017-08-31 00:51".parse().unwrap();
        assert_eq!(t.naive().to_string(), "2017-08-31 00:51:00");
        let d: WireDate = "2017-8-31".parse().unwrap();
        assert_eq!(d.date().to_string(), "2017-08-31");
        assert_eq!(d.to_string(), "2017-8-31");
        let u: UtcTime = "2018-05-08T02:32:34.500Z".parse().unwrap();
        assert_eq!(u.to_utc().timestamp_millis(), 1_525_746_754_500);
        assert_eq!(u.to_string(), "2018-05-08T02:32:34.500Z");
        let u: UtcTime = "2018-05-08T10:32:34+08:00".parse().unwrap();
        assert_eq!(u.to_utc().to_rfc3339(), "2018-05-08T02:32:34+00:00");
    }

    #[test]
    fn fixed_time_is_from_hms_opt() {
        for h in 0..=30u32 {
            for m in (0..=99u32).step_by(7).chain([59, 60]) {
                for s in [0u32, 1, 59, 60, 61, 99] {
                    let text = format!("{h:02}:{m:02}:{s:02}");
                    let want = NaiveTime::from_hms_opt(h, m, s);
                    assert_eq!(fixed_time(text.as_bytes(), 0), want, "{text}");
                }
            }
        }
        for bad in [
            "1:00:000",
            "10-00-00",
            "10:00:0",
            "a0:00:00",
            "10:00:0 ",
            "\u{e9}0:00:0",
        ] {
            assert_eq!(fixed_time(bad.as_bytes(), 0), None, "{bad}");
        }
    }

    #[test]
    fn invalid_times_are_errors() {
        for bad in [
            "",
            "2018-02-30T00:00:00Z",
            "2018-05-08 02:32:34",
            "yesterday",
            "2018-05-08T25:00:00Z",
        ] {
            assert!(bad.parse::<UtcTime>().is_err(), "{bad}");
        }
        for bad in [
            "",
            "2017-02-29 00:00:00",
            "2017-08-31 24:00:00",
            "31/08/2017",
            "2017-08-31 00:00:00Z",
            "20170-08-31 00:00:00",
        ] {
            assert!(bad.parse::<LocalTime>().is_err(), "{bad}");
        }
        let err = "yesterday".parse::<WireDate>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid date `yesterday`: expected a date like 2018-01-01"
        );
    }
}
