//! Wire times: Unix seconds, Unix milliseconds (each a JSON number or a string), and the
//! conference's IANA time zone.
//!
//! Each type keeps the form it arrived in, so it serialises back unchanged, and converts to
//! `chrono` once, on request. Conversions never panic: an out-of-range or non-numeric value
//! gives a [`TimeError`].

use chrono::{DateTime, Utc};
use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// Why a wire time could not be converted to a `DateTime<Utc>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The value was sent as a string that is not an integer.
    #[error("not a Unix time: {raw:?}")]
    NotANumber {
        /// The string as received.
        raw: String,
    },
    /// The number is outside the range `chrono` can represent.
    #[error("Unix time out of range: {value}")]
    OutOfRange {
        /// The number as received.
        value: i64,
    },
}

/// The two wire forms of a Unix time.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Number(i64),
    Text(Box<str>),
}

impl Repr {
    fn value(&self) -> Result<i64, TimeError> {
        match self {
            Repr::Number(n) => Ok(*n),
            Repr::Text(s) => s.trim().parse::<i64>().map_err(|_| TimeError::NotANumber {
                raw: String::from(&**s),
            }),
        }
    }

    fn fmt_raw(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::Number(n) => fmt::Display::fmt(n, f),
            Repr::Text(s) => write!(f, "{s:?}"),
        }
    }
}

impl Serialize for Repr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Repr::Number(n) => serializer.serialize_i64(*n),
            Repr::Text(s) => serializer.serialize_str(s),
        }
    }
}

struct ReprVisitor(&'static str);

impl Visitor<'_> for ReprVisitor {
    type Value = Repr;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Repr, E> {
        Ok(Repr::Number(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Repr, E> {
        i64::try_from(v)
            .map(Repr::Number)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Repr, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Repr, E> {
        Ok(Repr::Text(v.into()))
    }
}

macro_rules! unix_time {
    ($(#[$meta:meta])* $name:ident, $unit:literal, $expecting:literal, $to_utc:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(Repr);

        impl $name {
            #[doc = concat!("A time sent as a JSON number of ", $unit, ".")]
            pub fn number(value: i64) -> Self {
                $name(Repr::Number(value))
            }

            #[doc = concat!("A time sent as a JSON string (normally the decimal number of ", $unit, ").")]
            pub fn text(value: impl Into<String>) -> Self {
                $name(Repr::Text(value.into().into_boxed_str()))
            }

            /// Whether the vendor sent it as a JSON string.
            pub fn is_text(&self) -> bool {
                matches!(self.0, Repr::Text(_))
            }

            /// The string as received, when it was sent as a string.
            pub fn as_text(&self) -> Option<&str> {
                match &self.0 {
                    Repr::Text(s) => Some(s),
                    Repr::Number(_) => None,
                }
            }

            #[doc = concat!("The number of ", $unit, " since the Unix epoch; `None` for a string that is not an integer.")]
            pub fn value(&self) -> Option<i64> {
                self.0.value().ok()
            }

            /// The instant in UTC.
            ///
            /// # Errors
            /// [`TimeError::NotANumber`] for a string that is not an integer,
            /// [`TimeError::OutOfRange`] for a number `chrono` cannot represent.
            pub fn to_utc(&self) -> Result<DateTime<Utc>, TimeError> {
                let value = self.0.value()?;
                let convert: fn(i64) -> Option<DateTime<Utc>> = $to_utc;
                convert(value).ok_or(TimeError::OutOfRange { value })
            }

            /// The instant in UTC, or `None` when [`Self::to_utc`] fails.
            pub fn to_utc_opt(&self) -> Option<DateTime<Utc>> {
                self.to_utc().ok()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "("))?;
                self.0.fmt_raw(f)?;
                if let Ok(t) = self.to_utc() {
                    write!(f, " = {}", t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))?;
                }
                f.write_str(")")
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                $name::number(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(ReprVisitor($expecting)).map($name)
            }
        }
    };
}

unix_time! {
    /// A Unix time in **seconds**, sent as a JSON number (`1654608600`) or a string
    /// (`"1654608600"`); it keeps its form so it serialises back unchanged.
    ///
    /// ```
    /// use quanshi_model::UnixSeconds;
    /// let t: UnixSeconds = serde_json::from_str(r#""1654608600""#)?;
    /// assert_eq!(t.value(), Some(1654608600));
    /// assert_eq!(t.to_utc()?.to_rfc3339(), "2022-06-07T13:30:00+00:00");
    /// assert_eq!(serde_json::to_string(&t)?, r#""1654608600""#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    UnixSeconds, "seconds", "a Unix time in seconds (an integer or a string)",
    |s| DateTime::from_timestamp(s, 0)
}

unix_time! {
    /// A Unix time in **milliseconds** (the envelope's `timestamp`), sent as a JSON number
    /// or a string; it keeps its form so it serialises back unchanged.
    ///
    /// ```
    /// use quanshi_model::UnixMillis;
    /// let t: UnixMillis = serde_json::from_str("1654580475434")?;
    /// assert_eq!(t.to_utc()?.to_rfc3339(), "2022-06-07T05:41:15.434+00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    UnixMillis, "milliseconds", "a Unix time in milliseconds (an integer or a string)",
    DateTime::from_timestamp_millis
}

/// The conference's time zone: an IANA name such as `Asia/Shanghai`.
///
/// A name `chrono-tz` does not know is kept, not rejected: [`ZoneName::tz`] is then `None`.
/// Serialises as the raw text received.
///
/// ```
/// use quanshi_model::ZoneName;
/// let z: ZoneName = serde_json::from_str(r#""Asia/Shanghai""#)?;
/// assert_eq!(z.tz(), Some(chrono_tz::Asia::Shanghai));
/// let z: ZoneName = serde_json::from_str(r#""Mars/Olympus""#)?;
/// assert_eq!(z.tz(), None);
/// assert_eq!(z.as_str(), "Mars/Olympus");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ZoneName {
    raw: String,
    tz: Option<chrono_tz::Tz>,
}

impl ZoneName {
    /// Wraps a zone name, resolving it if `chrono-tz` knows it.
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let tz = raw.parse::<chrono_tz::Tz>().ok();
        ZoneName { raw, tz }
    }

    /// The zone, when the name is a known IANA zone.
    pub fn tz(&self) -> Option<chrono_tz::Tz> {
        self.tz
    }

    /// The name as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The name as received, by value.
    pub fn into_string(self) -> String {
        self.raw
    }
}

/// A zone name's borrowed view is its text (the name as received, not resolved: the views
/// serve normalising, which keeps the name verbatim).
impl<'a> meeting_wire::ViewOf<'a, ZoneName> for meeting_wire::Str<'a> {
    fn view_of(owned: &'a ZoneName) -> Self {
        meeting_wire::Str::borrowed(owned.as_str())
    }
}

impl meeting_wire::IntoView<ZoneName> for meeting_wire::Str<'static> {
    fn into_view(owned: ZoneName) -> Self {
        meeting_wire::Str(std::borrow::Cow::Owned(owned.into_string()))
    }
}

impl fmt::Debug for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tz {
            Some(_) => write!(f, "ZoneName({:?})", self.raw),
            None => write!(f, "ZoneName({:?}, unknown)", self.raw),
        }
    }
}

impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for ZoneName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ZoneName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ZoneName::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        let t = UnixSeconds::number(i64::MAX);
        assert_eq!(t.to_utc(), Err(TimeError::OutOfRange { value: i64::MAX }));
        let t = UnixMillis::number(i64::MIN);
        assert!(t.to_utc().is_err());
        let t = UnixSeconds::text("soon");
        assert!(matches!(t.to_utc(), Err(TimeError::NotANumber { .. })));
        assert_eq!(t.value(), None);
    }

    #[test]
    fn floats_and_other_types_are_rejected() {
        for bad in ["1.5", "true", "[]", "{}", "18446744073709551615"] {
            assert!(serde_json::from_str::<UnixSeconds>(bad).is_err(), "{bad}");
        }
    }
}
