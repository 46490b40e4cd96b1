//! Values the vendor sends as a number in one place and a string in another.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// A value documented as a number in one place and a string in another, and sent either
/// way (`Location`, `Floor` of a meeting room). It keeps its form so it serialises back
/// unchanged.
///
/// ```
/// use quanshi_model::NumberOrText;
/// let floor: NumberOrText = serde_json::from_str("14")?;
/// assert_eq!(floor.as_i64(), Some(14));
/// let floor: NumberOrText = serde_json::from_str(r#""14""#)?;
/// assert_eq!(floor.as_i64(), Some(14));
/// assert_eq!(floor.to_string(), "14");
/// let place: NumberOrText = serde_json::from_str(r#""锦业路""#)?;
/// assert_eq!(place.as_i64(), None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOrText {
    /// Sent as a JSON number.
    Number(serde_json::Number),
    /// Sent as a JSON string.
    Text(String),
}

impl NumberOrText {
    /// The value as an integer: a JSON integer, or a string holding one (spaces trimmed).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumberOrText::Number(n) => n.as_i64(),
            NumberOrText::Text(s) => s.trim().parse().ok(),
        }
    }

    /// The string, when it was sent as a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            NumberOrText::Text(s) => Some(s),
            NumberOrText::Number(_) => None,
        }
    }
}

impl fmt::Display for NumberOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberOrText::Number(n) => fmt::Display::fmt(n, f),
            NumberOrText::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for NumberOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrText::Number(n) => n.serialize(serializer),
            NumberOrText::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumberOrText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberOrText, E> {
                serde_json::Number::from_f64(v)
                    .map(NumberOrText::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NumberOrText, E> {
                Ok(NumberOrText::Text(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The borrowed view of a [`NumberOrText`]: the text borrowed from the input unless
/// escaped. It accepts exactly what `NumberOrText` accepts, prints and serialises the same.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOrTextRef<'a> {
    /// Sent as a JSON number.
    Number(serde_json::Number),
    /// Sent as a JSON string.
    Text(std::borrow::Cow<'a, str>),
}

impl NumberOrTextRef<'_> {
    /// The value as an integer (as [`NumberOrText::as_i64`]).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumberOrTextRef::Number(n) => n.as_i64(),
            NumberOrTextRef::Text(s) => s.trim().parse().ok(),
        }
    }
}

impl fmt::Display for NumberOrTextRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberOrTextRef::Number(n) => fmt::Display::fmt(n, f),
            NumberOrTextRef::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for NumberOrTextRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumberOrTextRef::Number(n) => n.serialize(serializer),
            NumberOrTextRef::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'a> meeting_wire::ViewOf<'a, NumberOrText> for NumberOrTextRef<'a> {
    fn view_of(owned: &'a NumberOrText) -> Self {
        match owned {
            NumberOrText::Number(n) => NumberOrTextRef::Number(n.clone()),
            NumberOrText::Text(s) => NumberOrTextRef::Text(std::borrow::Cow::Borrowed(s)),
        }
    }
}

impl meeting_wire::IntoView<NumberOrText> for NumberOrTextRef<'static> {
    fn into_view(owned: NumberOrText) -> Self {
        match owned {
            NumberOrText::Number(n) => NumberOrTextRef::Number(n),
            NumberOrText::Text(s) => NumberOrTextRef::Text(std::borrow::Cow::Owned(s)),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for NumberOrTextRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = NumberOrTextRef<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberOrTextRef<'a>, E> {
                Ok(NumberOrTextRef::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberOrTextRef<'a>, E> {
                Ok(NumberOrTextRef::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberOrTextRef<'a>, E> {
                serde_json::Number::from_f64(v)
                    .map(NumberOrTextRef::Number)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
            }
            fn visit_borrowed_str<E: de::Error>(
                self,
                v: &'de str,
            ) -> Result<NumberOrTextRef<'a>, E> {
                Ok(NumberOrTextRef::Text(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumberOrTextRef<'a>, E> {
                Ok(NumberOrTextRef::Text(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NumberOrTextRef<'a>, E> {
                Ok(NumberOrTextRef::Text(std::borrow::Cow::Owned(v)))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}
