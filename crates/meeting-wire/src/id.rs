//! Identifiers that arrive as a JSON number or a JSON string.

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// An identifier the vendor sends as a JSON number or a JSON string (sometimes both, for the
/// same kind of id, in different endpoints).
///
/// It keeps the form it arrived in, so it serialises back unchanged, and prints as the
/// vendor wrote it. Equality and ordering compare the form too (`1` and `"1"` differ); use
/// [`Id::same_value`] to compare what they identify.
///
/// ```
/// use meeting_wire::Id;
/// let a: Id = serde_json::from_str("1579334441")?;
/// let b: Id = serde_json::from_str(r#""1579334441""#)?;
/// assert_ne!(a, b);
/// assert!(a.same_value(&b));
/// assert_eq!(b.to_string(), "1579334441");
/// assert_eq!(serde_json::to_string(&b)?, r#""1579334441""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(Repr);

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Repr {
    Unsigned(u64),
    Signed(i64),
    Text(Box<str>),
}

impl Id {
    /// The view owning this id's text ([`crate::IdRef`]).
    pub(crate) fn into_view(self) -> crate::IdRef<'static> {
        match self.0 {
            Repr::Unsigned(n) => crate::IdRef::Unsigned(n),
            Repr::Signed(n) => crate::IdRef::Signed(n),
            Repr::Text(t) => crate::IdRef::Text(std::borrow::Cow::Owned(t.into_string())),
        }
    }

    /// The borrowed view ([`crate::IdRef`]).
    pub(crate) fn view(&self) -> crate::IdRef<'_> {
        match &self.0 {
            Repr::Unsigned(n) => crate::IdRef::Unsigned(*n),
            Repr::Signed(n) => crate::IdRef::Signed(*n),
            Repr::Text(t) => crate::IdRef::Text(std::borrow::Cow::Borrowed(t)),
        }
    }

    /// An id sent as a JSON string.
    pub fn text(value: impl Into<String>) -> Self {
        Id(Repr::Text(value.into().into_boxed_str()))
    }

    /// An id sent as a JSON number.
    pub fn number(value: u64) -> Self {
        Id(Repr::Unsigned(value))
    }

    /// Whether the vendor sent it as a JSON string.
    pub fn is_text(&self) -> bool {
        matches!(self.0, Repr::Text(_))
    }

    /// The id as an unsigned number: a JSON number, or a string of ASCII digits.
    pub fn as_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Unsigned(n) => Some(*n),
            Repr::Signed(n) => u64::try_from(*n).ok(),
            Repr::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().ok()
            }
            Repr::Text(_) => None,
        }
    }

    /// The id as a string slice, when it was sent as a string.
    pub fn as_text(&self) -> Option<&str> {
        match &self.0 {
            Repr::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Whether two ids name the same thing, whatever form each arrived in
    /// (`1579334441` and `"1579334441"` do).
    pub fn same_value(&self, other: &Id) -> bool {
        match (self.as_u64(), other.as_u64()) {
            (Some(a), Some(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Unsigned(n) => fmt::Display::fmt(n, f),
            Repr::Signed(n) => fmt::Display::fmt(n, f),
            Repr::Text(s) => f.write_str(s),
        }
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(s) => write!(f, "Id({s:?})"),
            _ => write!(f, "Id({self})"),
        }
    }
}

impl From<u64> for Id {
    fn from(value: u64) -> Self {
        Id::number(value)
    }
}

impl From<&str> for Id {
    fn from(value: &str) -> Self {
        Id::text(value)
    }
}

impl From<String> for Id {
    fn from(value: String) -> Self {
        Id::text(value)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Unsigned(n) => serializer.serialize_u64(*n),
            Repr::Signed(n) => serializer.serialize_i64(*n),
            Repr::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (an integer or a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                Ok(Id(Repr::Unsigned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(match u64::try_from(v) {
                    Ok(u) => Id(Repr::Unsigned(u)),
                    Err(_) => Id(Repr::Signed(v)),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Id, E> {
                Err(E::invalid_type(Unexpected::Float(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::text(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::text(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn numbers_round_trip(n in any::<u64>()) {
            let id: Id = serde_json::from_str(&n.to_string()).unwrap();
            prop_assert_eq!(id.as_u64(), Some(n));
            prop_assert_eq!(serde_json::to_string(&id).unwrap(), n.to_string());
        }

        #[test]
        fn strings_round_trip(s in ".*") {
            let json = serde_json::to_string(&s).unwrap();
            let id: Id = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(id.to_string(), s);
            prop_assert_eq!(serde_json::to_string(&id).unwrap(), json);
        }
    }

    #[test]
    fn other_types_are_errors() {
        for bad in ["1.5", "true", "null", "[]", "{}"] {
            assert!(serde_json::from_str::<Id>(bad).is_err(), "{bad}");
        }
        let neg: Id = serde_json::from_str("-3").unwrap();
        assert_eq!(neg.to_string(), "-3");
        assert_eq!(neg.as_u64(), None);
    }
}
