//! JSON that the vendor may send encoded inside a JSON string.

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// A value that arrives either as plain JSON or as JSON encoded inside a JSON string
/// (the docs call the latter "json字符串").
///
/// Used for the join-link endpoint's `result` (an array in the sample, "json字符串" in the
/// table) and for `calExtraInfo.labels` (a string holding a JSON array). It keeps the form
/// it arrived in: a value that came as a string keeps that exact string and serialises back
/// to it.
///
/// Decisions:
/// - a string that is empty or only whitespace means "nothing": the value is `T::default()`
///   (an empty list) and the raw string is kept;
/// - a string whose contents are not valid JSON of the expected shape is a decode error at
///   the field's own path (e.g. `result[0].calExtraInfo.labels`), whose message quotes the
///   inner error with its line and column inside the string;
/// - `Debug` shows the decoded value and the form, never the raw string (which may hold
///   secrets).
///
/// ```
/// use quanshi_model::Embedded;
/// let labels: Embedded<Vec<String>> = serde_json::from_str(r#""[\"年会\",\"培训\"]""#)?;
/// assert_eq!(labels.value(), &["年会", "培训"]);
/// assert_eq!(labels.raw_text(), Some(r#"["年会","培训"]"#));
/// assert_eq!(serde_json::to_string(&labels)?, r#""[\"年会\",\"培训\"]""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Embedded<T> {
    value: T,
    raw: Option<String>,
}

impl<T> Embedded<T> {
    /// A value sent as plain JSON.
    pub fn inline(value: T) -> Self {
        Embedded { value, raw: None }
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, by value.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The string as received, when the value came encoded in a string.
    pub fn raw_text(&self) -> Option<&str> {
        self.raw.as_deref()
    }

    /// Whether the value came encoded in a JSON string.
    pub fn is_encoded(&self) -> bool {
        self.raw.is_some()
    }
}

impl<T: Serialize> Embedded<T> {
    /// A value to be sent encoded in a JSON string (its compact JSON text).
    ///
    /// # Errors
    /// When `T`'s serialisation fails (it cannot for the types of this crate).
    pub fn encoded(value: T) -> Result<Self, serde_json::Error> {
        let raw = serde_json::to_string(&value)?;
        Ok(Embedded {
            value,
            raw: Some(raw),
        })
    }
}

impl<T: fmt::Debug> fmt::Debug for Embedded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.raw.is_some() {
            "Embedded::Encoded"
        } else {
            "Embedded::Inline"
        };
        f.debug_tuple(name).field(&self.value).finish()
    }
}

impl<T: Serialize> Serialize for Embedded<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.raw {
            Some(raw) => serializer.serialize_str(raw),
            None => self.value.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned + Default> Deserialize<'de> for Embedded<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);

        impl<T: DeserializeOwned + Default> V<T> {
            fn from_text<E: de::Error>(raw: String) -> Result<Embedded<T>, E> {
                let value = decode_text::<T, E>(&raw)?;
                Ok(Embedded {
                    value,
                    raw: Some(raw),
                })
            }
        }

        impl<'de, T: DeserializeOwned + Default> Visitor<'de> for V<T> {
            type Value = Embedded<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON, or a string holding JSON")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Embedded<T>, E> {
                Self::from_text(v.to_owned())
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Embedded<T>, E> {
                Self::from_text(v)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Embedded<T>, A::Error> {
                T::deserialize(SeqAccessDeserializer::new(seq)).map(Embedded::inline)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Embedded<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Embedded::inline)
            }
        }

        deserializer.deserialize_any(V(PhantomData))
    }
}

/// The value a string holds, by [`Embedded`]'s rule (empty or only whitespace: the
/// default; otherwise JSON of `T`, or an error quoting the inner one). Shared with the
/// borrowed views, so both read a string the same.
pub(crate) fn decode_text<T: DeserializeOwned + Default, E: de::Error>(raw: &str) -> Result<T, E> {
    if raw.trim().is_empty() {
        return Ok(T::default());
    }
    meeting_wire::from_str::<T>(raw)
        .map_err(|err| E::custom(format_args!("invalid JSON inside the string: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let e: Embedded<Vec<u32>> = serde_json::from_str("[1,2]").unwrap();
        assert!(!e.is_encoded());
        assert_eq!(serde_json::to_string(&e).unwrap(), "[1,2]");
        let e: Embedded<Vec<u32>> = serde_json::from_str(r#"" [1, 2] ""#).unwrap();
        assert_eq!(e.value(), &[1, 2]);
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"" [1, 2] ""#);
        let e: Embedded<Vec<u32>> = serde_json::from_str(r#""""#).unwrap();
        assert!(e.value().is_empty());
        assert_eq!(e.raw_text(), Some(""));
        let err = serde_json::from_str::<Embedded<Vec<u32>>>(r#""[1,""#).unwrap_err();
        assert!(
            err.to_string().contains("invalid JSON inside the string"),
            "{err}"
        );
        assert!(serde_json::from_str::<Embedded<Vec<u32>>>("12").is_err());
    }
}
