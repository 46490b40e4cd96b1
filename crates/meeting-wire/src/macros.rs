//! The `wire_object!` and `open_enum!` macros.

/// Defines a lossless wire object: a struct whose typed fields are all `Option`s, plus an
/// [`Extra`](crate::Extra) map holding everything else the vendor sent.
///
/// Each field is written `"wireName" => rust_name: Type`. The generated type:
///
/// - derives `Clone`, `Debug`, `Default` and `PartialEq` (so field types must too: wrap
///   secrets in [`Secret`](crate::Secret), whose `Debug` is redacted);
/// - deserialises with a hand-written visitor (no `#[serde(flatten)]`): a missing field is
///   `None`, an explicit `null` is `None` *and* an `extra` entry `"wireName": null`, an
///   unknown field goes to `extra` verbatim;
/// - serialises the typed fields that are `Some`, then `extra` (skipping an `extra` entry
///   whose key is a typed field that is `Some`, so a key is never written twice);
/// - has `FIELDS`, the typed wire names in declaration order, and `has_field(wire_name)`.
///
/// See the crate-level example.
#[macro_export]
macro_rules! wire_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $wire:literal => $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name {
            $(
                $(#[$fmeta])*
                pub $field: ::core::option::Option<$ty>,
            )*
            /// Every field the vendor sent that is not typed above, verbatim, and an explicit
            /// `null` for each typed field sent as `null`: serialising gives back exactly what
            /// was parsed.
            pub extra: $crate::Extra,
        }

        impl $name {
            /// The wire names of the typed fields, in declaration order.
            pub const FIELDS: &'static [&'static str] = &[$($wire),*];

            /// Whether the typed field with this wire name is set (`false` for a name that is
            /// not a typed field, even when `extra` holds it).
            pub fn has_field(&self, wire_name: &str) -> bool {
                match wire_name {
                    $($wire => self.$field.is_some(),)*
                    _ => false,
                }
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                use $crate::__private::serde::de::{self, MapAccess, Visitor};
                use ::core::fmt;
                use ::core::result::Result;
                use ::std::string::String;

                #[allow(non_camel_case_types)]
                enum __Field {
                    $($field,)*
                    __other(String),
                }

                struct __FieldVisitor;

                impl<'de> Visitor<'de> for __FieldVisitor {
                    type Value = __Field;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a field name")
                    }

                    fn visit_str<E: de::Error>(self, v: &str) -> Result<__Field, E> {
                        Ok(match v {
                            $($wire => __Field::$field,)*
                            _ => __Field::__other(String::from(v)),
                        })
                    }

                    fn visit_string<E: de::Error>(self, v: String) -> Result<__Field, E> {
                        Ok(match v.as_str() {
                            $($wire => __Field::$field,)*
                            _ => __Field::__other(v),
                        })
                    }
                }

                impl<'de> $crate::__private::serde::Deserialize<'de> for __Field {
                    fn deserialize<D2>(d: D2) -> Result<Self, D2::Error>
                    where
                        D2: $crate::__private::serde::Deserializer<'de>,
                    {
                        d.deserialize_identifier(__FieldVisitor)
                    }
                }

                struct __Visitor;

                impl<'de> Visitor<'de> for __Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }

                    fn visit_map<A>(self, mut map: A) -> Result<$name, A::Error>
                    where
                        A: MapAccess<'de>,
                    {
                        let mut out = <$name as ::core::default::Default>::default();
                        while let Some(key) = map.next_key::<__Field>()? {
                            match key {
                                $(
                                    __Field::$field => match map.next_value::<::core::option::Option<$ty>>()? {
                                        Some(v) => out.$field = Some(v),
                                        None => {
                                            out.$field = None;
                                            out.extra.insert(
                                                String::from($wire),
                                                $crate::__private::serde_json::Value::Null,
                                            );
                                        }
                                    },
                                )*
                                __Field::__other(k) => {
                                    let v = map.next_value::<$crate::__private::serde_json::Value>()?;
                                    out.extra.insert(k, v);
                                }
                            }
                        }
                        Ok(out)
                    }
                }

                deserializer.deserialize_map(__Visitor)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                use $crate::__private::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if let Some(v) = &self.$field {
                        map.serialize_entry($wire, v)?;
                    }
                )*
                for (k, v) in &self.extra {
                    if !self.has_field(k) {
                        map.serialize_entry(k, v)?;
                    }
                }
                map.end()
            }
        }
    };
}

/// Defines an open enum for a vendor code: known variants plus `Unknown(raw)`, which keeps
/// any other value and serialises it back unchanged. The enum is `#[non_exhaustive]`.
///
/// Two flavours: string codes (`enum Name: str { Variant = "wire", ... }`, unknown holds a
/// `String`) and integer codes (`enum Name: i64 { Variant = 1, ... }`, unknown holds an
/// `i64`). Both get `code()` (the raw wire value), `is_known()`, `Display` (the raw value),
/// `From<raw>` and `ALL_KNOWN`.
///
/// ```
/// meeting_wire::open_enum! {
///     /// Call direction.
///     pub enum Direction: str {
///         /// Dialled out by the bridge.
///         Out = "call-out",
///         /// Dialled in by the caller.
///         In = "call-in",
///     }
/// }
/// let d: Direction = serde_json::from_str(r#""call-back""#)?;
/// assert_eq!(d, Direction::Unknown("call-back".into()));
/// assert_eq!(serde_json::to_string(&d)?, r#""call-back""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : str {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )*
            /// A value the documentation does not list, kept verbatim.
            Unknown(::std::string::String),
        }

        impl $name {
            /// Every documented value.
            pub const ALL_KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The raw wire value.
            pub fn code(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(raw) => raw.as_str(),
                }
            }

            /// Whether this is a documented value.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(raw: &str) -> Self {
                match raw {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(::std::string::String::from(other)),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                struct V;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("a string code (", stringify!($name), ")"))
                    }
                    fn visit_str<E>(self, v: &str) -> ::core::result::Result<$name, E>
                    where
                        E: $crate::__private::serde::de::Error,
                    {
                        Ok($name::from(v))
                    }
                }
                deserializer.deserialize_str(V)
            }
        }
    };

    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : i64 {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $wire:literal
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )*
            /// A value the documentation does not list, kept verbatim.
            Unknown(i64),
        }

        impl $name {
            /// Every documented value.
            pub const ALL_KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The raw wire value.
            pub fn code(&self) -> i64 {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(raw) => *raw,
                }
            }

            /// Whether this is a documented value.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::core::convert::From<i64> for $name {
            fn from(raw: i64) -> Self {
                match raw {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.code(), f)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_i64(self.code())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                struct V;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        f.write_str(concat!("an integer code (", stringify!($name), ")"))
                    }
                    fn visit_i64<E>(self, v: i64) -> ::core::result::Result<$name, E>
                    where
                        E: $crate::__private::serde::de::Error,
                    {
                        Ok($name::from(v))
                    }
                    fn visit_u64<E>(self, v: u64) -> ::core::result::Result<$name, E>
                    where
                        E: $crate::__private::serde::de::Error,
                    {
                        i64::try_from(v).map($name::from).map_err(|_| {
                            E::invalid_value($crate::__private::serde::de::Unexpected::Unsigned(v), &self)
                        })
                    }
                }
                deserializer.deserialize_i64(V)
            }
        }
    };
}
