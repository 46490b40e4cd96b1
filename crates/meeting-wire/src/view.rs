//! Borrowed views of wire objects: the shapes of the fast, allocation-light parse.
//!
//! [`wire_object!`](crate::wire_object) can emit, next to an owned wire object, a borrowed
//! companion (`FooRef<'a>`) from the same field list: string fields borrow from the input
//! ([`Str`], [`IdRef`]), and fields the type does not name are kept in an [`ExtraRef`]. An
//! owned value is viewed through the same shape with `view()`, so code written once over the
//! view serves both.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::{Extra, Id};

/// A borrowed view of an owned wire value of type `O`: how a field of a `...Ref<'a>`
/// companion is built from the owned object's field.
pub trait ViewOf<'a, O: ?Sized>: Sized {
    /// The view of `owned`.
    fn view_of(owned: &'a O) -> Self;
}

/// An owned wire value of type `O` turned into its view type, moving its strings (no copy):
/// how the owned type's `into_view()` builds each field.
pub trait IntoView<O>: Sized {
    /// The view owning what `owned` held.
    fn into_view(owned: O) -> Self;
}

impl<O, R: IntoView<O>> IntoView<Vec<O>> for Vec<R> {
    fn into_view(owned: Vec<O>) -> Self {
        owned.into_iter().map(R::into_view).collect()
    }
}

impl IntoView<String> for Str<'static> {
    fn into_view(owned: String) -> Self {
        Str(Cow::Owned(owned))
    }
}

impl IntoView<Id> for IdRef<'static> {
    fn into_view(owned: Id) -> Self {
        owned.into_view()
    }
}

impl<'a, O, R: ViewOf<'a, O>> ViewOf<'a, Vec<O>> for Vec<R> {
    fn view_of(owned: &'a Vec<O>) -> Self {
        owned.iter().map(R::view_of).collect()
    }
}

/// A JSON string borrowed from the input when it holds no escapes, owned otherwise. It
/// accepts exactly what `String` accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'a> Str<'a> {
    /// A borrowed string.
    pub fn borrowed(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, borrowed or owned.
    pub fn into_cow(self) -> Cow<'a, str> {
        self.0
    }

    /// The text as an owned `String` (copied only when it is borrowed).
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Str<'_> {
    /// As the `String` it views.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'a> ViewOf<'a, String> for Str<'a> {
    fn view_of(owned: &'a String) -> Self {
        Str::borrowed(owned)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_string(V(PhantomData))
    }
}

/// The borrowed view of an [`Id`]: a number, or a string borrowed from the input. It
/// accepts exactly what `Id` accepts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IdRef<'a> {
    /// Sent as a non-negative JSON number.
    Unsigned(u64),
    /// Sent as a negative JSON number.
    Signed(i64),
    /// Sent as a JSON string.
    Text(Cow<'a, str>),
}

impl IdRef<'_> {
    /// The text, when the vendor sent a string.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            IdRef::Text(t) => Some(t),
            _ => None,
        }
    }
}

impl fmt::Display for IdRef<'_> {
    /// The way the vendor wrote it (as [`Id`]'s `Display`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdRef::Unsigned(n) => fmt::Display::fmt(n, f),
            IdRef::Signed(n) => fmt::Display::fmt(n, f),
            IdRef::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for IdRef<'_> {
    /// As the [`Id`] it views: a number as a number, a string as a string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IdRef::Unsigned(n) => serializer.serialize_u64(*n),
            IdRef::Signed(n) => serializer.serialize_i64(*n),
            IdRef::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'a> ViewOf<'a, Id> for IdRef<'a> {
    fn view_of(owned: &'a Id) -> Self {
        owned.view()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for IdRef<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = IdRef<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (an integer or a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdRef<'a>, E> {
                Ok(IdRef::Unsigned(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdRef<'a>, E> {
                Ok(match u64::try_from(v) {
                    Ok(u) => IdRef::Unsigned(u),
                    Err(_) => IdRef::Signed(v),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdRef<'a>, E> {
                Err(E::invalid_type(Unexpected::Float(v), &self))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<IdRef<'a>, E> {
                Ok(IdRef::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdRef<'a>, E> {
                Ok(IdRef::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdRef<'a>, E> {
                Ok(IdRef::Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

/// The fields of a borrowed view that its type does not name: the owned object's
/// [`Extra`] when viewing an owned value, or the entries as parsed (wire order, keys
/// borrowed, values parsed as `serde_json::Value` so that they are accepted exactly as the
/// owned object's are). An explicit `null` of a typed field is an entry `null`, as in
/// [`Extra`].
#[derive(Clone, Debug)]
pub enum ExtraRef<'a> {
    /// Viewing an owned object's map.
    Map(&'a Extra),
    /// Parsed by a borrowed view, in wire order (a repeated key: the last one counts).
    Entries(Vec<(Str<'a>, Value)>),
}

impl Default for ExtraRef<'_> {
    fn default() -> Self {
        ExtraRef::Entries(Vec::new())
    }
}

impl ExtraRef<'static> {
    /// The entries of an owned map, moved.
    pub fn from_extra(extra: Extra) -> Self {
        if extra.is_empty() {
            return ExtraRef::default();
        }
        ExtraRef::Entries(
            extra
                .into_iter()
                .map(|(k, v)| (Str(Cow::Owned(k)), v))
                .collect(),
        )
    }
}

impl<'a> ExtraRef<'a> {
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        match self {
            ExtraRef::Map(m) => m.is_empty(),
            ExtraRef::Entries(e) => e.is_empty(),
        }
    }

    /// The entries, borrowed (in wire order for parsed entries, a repeated key once per
    /// time it was sent; sorted for a viewed map).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        let (map, entries) = match self {
            ExtraRef::Map(m) => (Some(m.iter()), None),
            ExtraRef::Entries(e) => (None, Some(e.iter())),
        };
        map.into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v))
            .chain(entries.into_iter().flatten().map(|(k, v)| (k.as_str(), v)))
    }

    /// Appends an entry (to a parsed view; a view of a map is first copied).
    pub fn push(&mut self, key: Str<'a>, value: Value) {
        match self {
            ExtraRef::Entries(e) => e.push((key, value)),
            ExtraRef::Map(m) => {
                let mut e: Vec<(Str<'a>, Value)> = m
                    .iter()
                    .map(|(k, v)| (Str::borrowed(k.as_str()), v.clone()))
                    .collect();
                e.push((key, value));
                *self = ExtraRef::Entries(e);
            }
        }
    }
}

/// The entries of an [`ExtraRef`], by value: key and value borrowed from a viewed map,
/// moved out of parsed entries.
#[derive(Debug)]
pub enum ExtraRefIter<'a> {
    /// Over a viewed map.
    Map(std::collections::btree_map::Iter<'a, String, Value>),
    /// Over parsed entries.
    Entries(std::vec::IntoIter<(Str<'a>, Value)>),
}

impl<'a> Iterator for ExtraRefIter<'a> {
    type Item = (Cow<'a, str>, Cow<'a, Value>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            ExtraRefIter::Map(it) => it
                .next()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v))),
            ExtraRefIter::Entries(it) => it.next().map(|(k, v)| (k.0, Cow::Owned(v))),
        }
    }
}

impl<'a> IntoIterator for ExtraRef<'a> {
    type Item = (Cow<'a, str>, Cow<'a, Value>);
    type IntoIter = ExtraRefIter<'a>;
    fn into_iter(self) -> ExtraRefIter<'a> {
        match self {
            ExtraRef::Map(m) => ExtraRefIter::Map(m.iter()),
            ExtraRef::Entries(e) => ExtraRefIter::Entries(e.into_iter()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_unless_escaped() {
        let s: Str<'_> = serde_json::from_str(r#""叶大红""#).unwrap();
        assert!(matches!(s.0, Cow::Borrowed("叶大红")));
        let s: Str<'_> = serde_json::from_str(r#""a\"b""#).unwrap();
        assert!(matches!(&s.0, Cow::Owned(o) if o == "a\"b"));
        for bad in ["1", "null", "true", "[]", "{}"] {
            assert!(serde_json::from_str::<Str<'_>>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_accept_what_id_accepts() {
        for text in [
            "1",
            "-3",
            r#""x""#,
            r#""""#,
            "18446744073709551615",
            "1.5",
            "true",
            "null",
            "[]",
            "{}",
        ] {
            let owned = serde_json::from_str::<Id>(text);
            let view = serde_json::from_str::<IdRef<'_>>(text);
            assert_eq!(owned.is_ok(), view.is_ok(), "{text}");
            if let (Ok(o), Ok(v)) = (owned, view) {
                assert_eq!(o.to_string(), v.to_string(), "{text}");
                assert_eq!(o.as_text(), v.as_text(), "{text}");
                assert_eq!(IdRef::view_of(&o), v, "{text}");
            }
        }
    }
}
