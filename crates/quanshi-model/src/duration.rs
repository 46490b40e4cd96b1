//! The envelope's `request_duration`: a Go-style duration string such as `"125.711156ms"`.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// The server's processing time as sent (`"125.711156ms"`, `"68.5ms"`, `"1.2s"`,
/// `"1m2.5s"`): the text is kept as received; [`RequestDuration::as_duration`] parses it
/// when it can.
///
/// The format is Go's `time.Duration` text: one or more decimal numbers, each with a unit
/// `ns`, `us`, `µs`, `ms`, `s`, `m` or `h`, or a bare `0`.
///
/// ```
/// use quanshi_model::RequestDuration;
/// use std::time::Duration;
/// let d = RequestDuration::new("125.711156ms");
/// assert_eq!(d.as_duration(), Some(Duration::from_nanos(125_711_156)));
/// assert_eq!(RequestDuration::new("fast").as_duration(), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct RequestDuration(String);

impl RequestDuration {
    /// Wraps the text.
    pub fn new(raw: impl Into<String>) -> Self {
        RequestDuration(raw.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The duration, when the text parses (negative or overflowing values do not).
    pub fn as_duration(&self) -> Option<Duration> {
        parse_go_duration(&self.0)
    }
}

impl fmt::Debug for RequestDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestDuration({:?})", self.0)
    }
}

impl Serialize for RequestDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RequestDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(RequestDuration)
    }
}

/// Parses Go's duration text into nanoseconds, without panicking on any input.
fn parse_go_duration(text: &str) -> Option<Duration> {
    let s = text.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "0" {
        return Some(Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        // The number: digits, optionally a '.', digits.
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_len);
        let (int_part, frac_part) = match num.split_once('.') {
            Some((i, f)) => (i, f),
            None => (num, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        if frac_part.contains('.') {
            return None;
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let nanos_per: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        total = total.checked_add(int.checked_mul(nanos_per)?)?;
        // Fraction: at most 18 digits matter at nanosecond resolution for any unit here.
        let frac_digits: String = frac_part.chars().take(18).collect();
        if !frac_digits.is_empty() {
            let frac: u128 = frac_digits.parse().ok()?;
            let scale = 10u128.checked_pow(u32::try_from(frac_digits.len()).ok()?)?;
            total = total.checked_add(frac.checked_mul(nanos_per)? / scale)?;
        }
        rest = next;
    }
    let secs = u64::try_from(total / 1_000_000_000).ok()?;
    let nanos = u32::try_from(total % 1_000_000_000).ok()?;
    Some(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let ok = [
            ("125.711156ms", Duration::from_nanos(125_711_156)),
            ("68.5ms", Duration::from_micros(68_500)),
            ("0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("1.5s", Duration::from_millis(1_500)),
            ("1m2.5s", Duration::from_millis(62_500)),
            ("1h", Duration::from_secs(3_600)),
            ("850µs", Duration::from_micros(850)),
            ("42ns", Duration::from_nanos(42)),
            (".5s", Duration::from_millis(500)),
        ];
        for (text, want) in ok {
            assert_eq!(parse_go_duration(text), Some(want), "{text}");
        }
        for bad in [
            "",
            "ms",
            "12",
            "-1s",
            "1..2s",
            "1.2.3s",
            "1x",
            ".s",
            "99999999999999999999999999999999999999h",
        ] {
            assert_eq!(parse_go_duration(bad), None, "{bad}");
        }
    }
}
