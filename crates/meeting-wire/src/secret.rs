//! Secrets: credentials, meeting passwords, host links.

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// A secret string: an API credential, a meeting password, a host join link.
///
/// `Debug` prints `<redacted>`, and there is no `Display`; the value is zeroed when dropped.
/// Read it with [`Secret::expose`] only where it must be sent.
///
/// It **does** serialise to its plain value: model types must serialise back exactly what
/// the vendor sent (lossless round-trips and saved raw responses). Keep model values that hold
/// secrets away from logs and neutral output; the neutral schema never carries them.
///
/// ```
/// use meeting_wire::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "<redacted>");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret itself. Call only where it must be sent or compared.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is the empty string (vendors send `""` for "none").
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret::new(String::new())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // Constant-time in the length of the shorter input is not needed here: these
        // comparisons serve tests and round-trip checks, not authentication.
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    /// Reads a JSON string. Any other type is an error that does **not** repeat the value
    /// (serde's usual "invalid type: integer `123456`" would print the secret).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (a secret: its value is never shown)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Secret, E> {
                Ok(Secret::new(v))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
                Err(E::invalid_type(de::Unexpected::Other("a boolean"), &self))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The borrowed view of a [`Secret`] (the `as SecretRef<'a>` type of a `wire_object!`
/// field): the text borrowed from the input when it holds no escapes, else an owned
/// [`Secret`] (zeroed when dropped). `Debug` prints `<redacted>`, as `Secret` does; there is
/// no `Display`. It accepts exactly what `Secret` accepts (a JSON string) and serialises to
/// the plain value, as `Secret` does.
///
/// ```
/// use meeting_wire::{Secret, SecretRef, ViewOf};
/// let s: SecretRef<'_> = serde_json::from_str(r#""hunter2""#)?;
/// assert_eq!(format!("{s:?}"), "<redacted>");
/// assert_eq!(s.expose(), "hunter2");
/// let owned = Secret::new("hunter2");
/// assert_eq!(SecretRef::view_of(&owned).expose(), "hunter2");
/// assert!(serde_json::from_str::<SecretRef<'_>>("123456").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub enum SecretRef<'a> {
    /// Borrowed from the input (or from a viewed `Secret`).
    Borrowed(&'a str),
    /// Unescaped from the input, or moved out of an owned value.
    Owned(Secret),
}

impl SecretRef<'_> {
    /// The secret itself. Call only where it must be sent or compared.
    pub fn expose(&self) -> &str {
        match self {
            SecretRef::Borrowed(s) => s,
            SecretRef::Owned(s) => s.expose(),
        }
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for SecretRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<'a> crate::ViewOf<'a, Secret> for SecretRef<'a> {
    fn view_of(owned: &'a Secret) -> Self {
        SecretRef::Borrowed(owned.expose())
    }
}

impl crate::IntoView<Secret> for SecretRef<'static> {
    fn into_view(owned: Secret) -> Self {
        SecretRef::Owned(owned)
    }
}

impl Serialize for SecretRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for SecretRef<'a> {
    /// A JSON string, as [`Secret`]'s; an error never repeats the value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = SecretRef<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (a secret: its value is never shown)")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<SecretRef<'a>, E> {
                Ok(SecretRef::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretRef<'a>, E> {
                Ok(SecretRef::Owned(Secret::new(v)))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<SecretRef<'a>, E> {
                Ok(SecretRef::Owned(Secret::new(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<SecretRef<'a>, E> {
                Err(E::invalid_type(de::Unexpected::Other("a boolean"), &self))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretRef<'a>, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretRef<'a>, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretRef<'a>, E> {
                Err(E::invalid_type(de::Unexpected::Other("a number"), &self))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serde_is_exact() {
        let s: Secret = serde_json::from_str(r#""201501000037434973""#).unwrap();
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#""201501000037434973""#
        );
    }

    #[test]
    fn the_view_accepts_what_secret_accepts_and_stays_redacted() {
        for text in [
            r#""p""#,
            r#""a\"b""#,
            r#""""#,
            "1",
            "-1",
            "1.5",
            "true",
            "null",
            "[]",
            "{}",
            r#""\ud800""#,
        ] {
            let owned = serde_json::from_str::<Secret>(text);
            let view = serde_json::from_str::<SecretRef<'_>>(text);
            assert_eq!(owned.is_ok(), view.is_ok(), "{text}");
            if let (Ok(o), Ok(v)) = (owned, view) {
                assert_eq!(o.expose(), v.expose(), "{text}");
                assert_eq!(format!("{v:?}"), "<redacted>");
                assert_eq!(format!("{:?}", Some(&v)), "Some(<redacted>)");
                assert_eq!(
                    serde_json::to_string(&v).unwrap(),
                    serde_json::to_string(&o).unwrap()
                );
            }
        }
    }
}
