//! Durations as the vendor writes them: `"6分钟"`, and the other forms it plausibly sends.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// A meeting duration as sent by `reports` and `hisMeeting`: a string with a Chinese unit,
/// `"6分钟"` (6 minutes).
///
/// The vendor rounds **up** to the whole minute (5 min 04 s is `"6分钟"`), so this is a
/// billed figure, not a measurement: measure `end_time - start_time` for the real length.
///
/// Also understood, because the Zoom v1 API this one mirrors and plausible vendor changes
/// send them: `"1小时5分钟"`, `"30秒"`, `"1分30秒"`, `"2小时"`, Zoom's `"4 mins"`, English
/// units (`h`, `hr`, `hour(s)`, `min(s)`, `minute(s)`, `s`, `sec(s)`, `second(s)`), and a
/// plain integer (JSON number or digits), read as **minutes** as in Zoom v1. Text in any
/// other form is kept, with [`VendorDuration::seconds`] returning `None`: it is not an error,
/// because the meeting's start and end still tell its length.
///
/// The wire value (text or number) is kept and serialised back unchanged.
///
/// ```
/// use systec_model::VendorDuration;
/// let d: VendorDuration = serde_json::from_str(r#""1小时5分钟""#)?;
/// assert_eq!(d.seconds(), Some(3900));
/// assert_eq!(d.minutes_rounded_up(), Some(65));
/// assert_eq!(d.to_string(), "1小时5分钟");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VendorDuration {
    raw: Raw,
    seconds: Option<u64>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Raw {
    Text(Box<str>),
    Number(u64),
}

impl VendorDuration {
    /// Parses the vendor's text. Never fails: unknown forms have no [`seconds`](Self::seconds).
    pub fn from_text(text: &str) -> Self {
        VendorDuration {
            seconds: parse_duration_text(text),
            raw: Raw::Text(Box::from(text)),
        }
    }

    /// A duration sent as a plain JSON integer, in minutes.
    pub fn from_minutes_number(minutes: u64) -> Self {
        VendorDuration {
            seconds: minutes.checked_mul(60),
            raw: Raw::Number(minutes),
        }
    }

    /// The duration in the vendor's canonical form, `"N分钟"`.
    pub fn minutes(minutes: u64) -> Self {
        VendorDuration::from_text(&format!("{minutes}分钟"))
    }

    /// The length in seconds, when the form is understood.
    pub fn seconds(&self) -> Option<u64> {
        self.seconds
    }

    /// The length in whole minutes, rounded up (the vendor's billing figure).
    pub fn minutes_rounded_up(&self) -> Option<u64> {
        self.seconds.map(|s| s.div_ceil(60))
    }

    /// The wire text, when it was sent as a string.
    pub fn text(&self) -> Option<&str> {
        match &self.raw {
            Raw::Text(t) => Some(t),
            Raw::Number(_) => None,
        }
    }
}

/// The vendor's rounding: whole minutes, rounded up (5 min 04 s is 6 minutes).
pub fn billed_minutes(seconds: u64) -> u64 {
    seconds.div_ceil(60)
}

/// Seconds per unit word, or `None` for a word that is not a unit.
fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "天" | "d" | "day" | "days" => 86_400,
        "小时" | "时" | "个小时" | "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "分钟" | "分" | "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "秒" | "秒钟" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        _ => {
            let lower = unit.to_ascii_lowercase();
            return (lower != unit).then(|| unit_seconds(&lower)).flatten();
        }
    })
}

/// Parses `"1小时5分钟"`, `"4 mins"`, `"90"` (minutes) and the like into seconds.
fn parse_duration_text(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<u64>().ok()?.checked_mul(60);
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 12 {
            return None;
        }
        let (number, tail) = rest.split_at(digits);
        let number: u64 = number.parse().ok()?;
        let tail = tail.trim_start();
        let unit_len = tail
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || c.is_whitespace())
            .map_or(tail.len(), |(i, _)| i);
        let (unit, tail) = tail.split_at(unit_len);
        total = total.checked_add(number.checked_mul(unit_seconds(unit)?)?)?;
        rest = tail.trim_start();
    }
    Some(total)
}

impl fmt::Display for VendorDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.raw {
            Raw::Text(t) => f.write_str(t),
            Raw::Number(n) => fmt::Display::fmt(n, f),
        }
    }
}

impl fmt::Debug for VendorDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.raw, self.seconds) {
            (Raw::Text(t), Some(s)) => write!(f, "VendorDuration({t:?} = {s}s)"),
            (Raw::Text(t), None) => write!(f, "VendorDuration({t:?} = unknown)"),
            (Raw::Number(n), _) => write!(f, "VendorDuration({n} min)"),
        }
    }
}

impl Serialize for VendorDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.raw {
            Raw::Text(t) => serializer.serialize_str(t),
            Raw::Number(n) => serializer.serialize_u64(*n),
        }
    }
}

impl<'de> Deserialize<'de> for VendorDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = VendorDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration like \"6分钟\" or a whole number of minutes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VendorDuration, E> {
                Ok(VendorDuration::from_text(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<VendorDuration, E> {
                Ok(VendorDuration::from_minutes_number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<VendorDuration, E> {
                u64::try_from(v)
                    .map(VendorDuration::from_minutes_number)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let cases: &[(&str, Option<u64>)] = &[
            ("6分钟", Some(360)),
            ("1小时5分钟", Some(3900)),
            ("30秒", Some(30)),
            ("1分30秒", Some(90)),
            ("2小时", Some(7200)),
            ("4 mins", Some(240)),
            ("1 min", Some(60)),
            ("1h 5m", Some(3900)),
            ("90 Seconds", Some(90)),
            ("15", Some(900)),
            (" 6分钟 ", Some(360)),
            ("", None),
            ("分钟", None),
            ("6 fortnights", None),
            ("about an hour", None),
            ("-5分钟", None),
            ("99999999999999999999分钟", None),
        ];
        for (text, want) in cases {
            assert_eq!(VendorDuration::from_text(text).seconds(), *want, "{text}");
        }
    }
}
