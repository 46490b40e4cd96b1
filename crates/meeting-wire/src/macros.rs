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
/// With `struct Name as NameRef<'a> { ... }` it also emits a **borrowed companion** from the
/// same field list, so the wire names exist once: `NameRef<'a>` has the same fields, each
/// of the type written after the field's `as` (`"name" => name: String as Str<'a>`), or
/// of the owned type when there is none (small values: numbers, flags, times); fields not
/// typed are kept in an [`ExtraRef`](crate::ExtraRef) (values parsed as
/// `serde_json::Value`, so a view accepts exactly what the owned type accepts). `NameRef`
/// deserialises with the same rules (explicit `null`s recorded in `extra`), borrowing
/// strings when parsed by `serde_json` from a slice or string; `Name::view()` gives the
/// view of an owned value (each `as` type implements [`ViewOf`](crate::ViewOf) of the
/// owned one), so code written once over the view serves both. A view serialises to the
/// JSON value of the owned object (so each `as` type must be `Serialize` too, as the owned
/// value's type).
///
/// ```
/// use meeting_wire::Str;
/// meeting_wire::wire_object! {
///     /// A participant.
///     pub struct Person as PersonRef<'a> {
///         /// Display name.
///         "name" => name: String as Str<'a>,
///         /// Age in years.
///         "age" => age: u32,
///     }
/// }
/// let json = r#"{"name":"叶大红","age":null,"nickname":"Ye"}"#;
/// let view: PersonRef<'_> = serde_json::from_str(json)?;
/// assert!(matches!(view.name.as_ref().map(|n| &n.0), Some(std::borrow::Cow::Borrowed("叶大红"))));
/// let owned: Person = serde_json::from_str(json)?;
/// assert_eq!(owned.view().name.as_deref(), Some("叶大红"));
/// let keys: Vec<_> = view.extra.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
/// assert_eq!(keys, [("age".into(), serde_json::Value::Null), ("nickname".into(), "Ye".into())]);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// See the crate-level example.
#[macro_export]
macro_rules! wire_object {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident as $rname:ident < $lt:lifetime > {
            $(
                $(#[$fmeta:meta])*
                $wire:literal => $field:ident : $ty:ty $(as $rty:ty)?
            ),* $(,)?
        }
    ) => {
        $crate::wire_object! {
            $(#[$meta])*
            $vis struct $name {
                $(
                    $(#[$fmeta])*
                    $wire => $field : $ty
                ),*
            }
        }

        #[doc = concat!(
            "The borrowed view of [`", stringify!($name), "`]: the same fields (the same wire ",
            "names, from the same declaration), strings borrowed from the input where the ",
            "field's view type allows. Parse it with `serde_json` (from a slice or a string, so ",
            "that strings can be borrowed), or view an owned value with `",
            stringify!($name), "::view`."
        )]
        #[derive(Clone, Debug, Default)]
        $vis struct $rname<$lt> {
            $(
                $(#[$fmeta])*
                pub $field: ::core::option::Option<$crate::__wire_view_ty!($ty $(, $rty)?)>,
            )*
            /// Every field not typed above (and an explicit `null` for each typed field sent
            /// as `null`), as in the owned type's `extra`.
            pub extra: $crate::ExtraRef<$lt>,
        }

        impl $name {
            /// A borrowed view of this value, in the shape of the fast parse.
            pub fn view<$lt>(&$lt self) -> $rname<$lt> {
                $rname {
                    $(
                        $field: self.$field.as_ref().map(|v| $crate::__wire_view!(v $(, $rty)?)),
                    )*
                    extra: $crate::ExtraRef::Map(&self.extra),
                }
            }

            /// This value as its view, strings moved rather than copied.
            pub fn into_view(self) -> $rname<'static> {
                $rname {
                    $(
                        $field: self.$field.map(|v| $crate::__wire_into_view!(v $(, $rty)?)),
                    )*
                    extra: $crate::ExtraRef::from_extra(self.extra),
                }
            }
        }

        impl $crate::IntoView<$name> for $rname<'static> {
            fn into_view(owned: $name) -> Self {
                owned.into_view()
            }
        }

        impl $rname<'_> {
            /// Whether the typed field with this wire name is set (as the owned type's
            /// `has_field`).
            pub fn has_field(&self, wire_name: &str) -> bool {
                match wire_name {
                    $($wire => self.$field.is_some(),)*
                    _ => false,
                }
            }
        }

        impl<$lt> $crate::ViewOf<$lt, $name> for $rname<$lt> {
            fn view_of(owned: &$lt $name) -> Self {
                owned.view()
            }
        }

        impl $crate::__private::serde::Serialize for $rname<'_> {
            /// The JSON the owned type writes: the typed fields that are set, in declaration
            /// order, then the extra entries (an entry whose key is a typed field that is set
            /// skipped). Serialised to a `serde_json::Value`, a view gives the same value as
            /// the owned object it views or was parsed as (a key repeated on the wire: the
            /// last one counts, as in the owned map).
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
                for (k, v) in self.extra.iter() {
                    if !self.has_field(k) {
                        map.serialize_entry(k, v)?;
                    }
                }
                map.end()
            }
        }

        impl<'de: $lt, $lt> $crate::__private::serde::Deserialize<'de> for $rname<$lt> {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                use $crate::__private::serde::de::{self, MapAccess, Visitor};
                use ::core::fmt;
                use ::core::result::Result;

                #[allow(non_camel_case_types)]
                enum __Field<'k> {
                    $($field,)*
                    __other($crate::Str<'k>),
                }

                struct __FieldVisitor;

                impl<'k> Visitor<'k> for __FieldVisitor {
                    type Value = __Field<'k>;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a field name")
                    }

                    // Keys come as raw bytes (serde_json then skips validating their UTF-8):
                    // a typed field's name is matched as bytes; any other key must be text
                    // without control characters, as `visit_str` would have had it.
                    fn visit_borrowed_bytes<E: de::Error>(self, v: &'k [u8]) -> Result<__Field<'k>, E> {
                        $(
                            if v == $wire.as_bytes() {
                                return Ok(__Field::$field);
                            }
                        )*
                        $crate::__private::key_text(v).map(|k| __Field::__other($crate::Str::borrowed(k)))
                    }

                    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<__Field<'k>, E> {
                        $(
                            if v == $wire.as_bytes() {
                                return Ok(__Field::$field);
                            }
                        )*
                        $crate::__private::key_text(v).map(|k| {
                            __Field::__other($crate::Str(::std::borrow::Cow::Owned(
                                ::std::string::String::from(k),
                            )))
                        })
                    }

                    fn visit_borrowed_str<E: de::Error>(self, v: &'k str) -> Result<__Field<'k>, E> {
                        Ok(match v {
                            $($wire => __Field::$field,)*
                            _ => __Field::__other($crate::Str::borrowed(v)),
                        })
                    }

                    fn visit_str<E: de::Error>(self, v: &str) -> Result<__Field<'k>, E> {
                        Ok(match v {
                            $($wire => __Field::$field,)*
                            _ => __Field::__other($crate::Str(::std::borrow::Cow::Owned(
                                ::std::string::String::from(v),
                            ))),
                        })
                    }

                    fn visit_string<E: de::Error>(self, v: ::std::string::String) -> Result<__Field<'k>, E> {
                        Ok(match v.as_str() {
                            $($wire => __Field::$field,)*
                            _ => __Field::__other($crate::Str(::std::borrow::Cow::Owned(v))),
                        })
                    }
                }

                impl<'k> $crate::__private::serde::Deserialize<'k> for __Field<'k> {
                    fn deserialize<D2>(d: D2) -> Result<Self, D2::Error>
                    where
                        D2: $crate::__private::serde::Deserializer<'k>,
                    {
                        d.deserialize_bytes(__FieldVisitor)
                    }
                }

                struct __Visitor<$lt>(::core::marker::PhantomData<&$lt ()>);

                impl<'de: $lt, $lt> Visitor<'de> for __Visitor<$lt> {
                    type Value = $rname<$lt>;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }

                    fn visit_map<A>(self, mut map: A) -> Result<$rname<$lt>, A::Error>
                    where
                        A: MapAccess<'de>,
                    {
                        let mut out = <$rname<$lt> as ::core::default::Default>::default();
                        while let Some(key) = map.next_key::<__Field<'de>>()? {
                            match key {
                                $(
                                    __Field::$field => match map.next_value::<::core::option::Option<$crate::__wire_view_ty!($ty $(, $rty)?)>>()? {
                                        Some(v) => out.$field = Some(v),
                                        None => {
                                            out.$field = None;
                                            out.extra.push(
                                                $crate::Str::borrowed($wire),
                                                $crate::__private::serde_json::Value::Null,
                                            );
                                        }
                                    },
                                )*
                                __Field::__other(k) => {
                                    let v = map.next_value::<$crate::__private::serde_json::Value>()?;
                                    out.extra.push(k, v);
                                }
                            }
                        }
                        Ok(out)
                    }
                }

                deserializer.deserialize_map(__Visitor(::core::marker::PhantomData))
            }
        }
    };

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

/// The view type of a `wire_object!` field: the declared `as` type, else the owned type.
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_view_ty {
    ($ty:ty) => {
        $ty
    };
    ($ty:ty, $rty:ty) => {
        $rty
    };
}

/// The view of a `wire_object!` field's value: through [`ViewOf`](crate::ViewOf) when the
/// field declares an `as` type, else a clone (small `Copy`-like values).
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_view {
    ($v:expr) => {
        ::core::clone::Clone::clone($v)
    };
    ($v:expr, $rty:ty) => {
        $crate::ViewOf::view_of($v)
    };
}

/// A `wire_object!` field's value moved into its view type (see [`__wire_view!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __wire_into_view {
    ($v:expr) => {
        $v
    };
    ($v:expr, $rty:ty) => {
        $crate::IntoView::into_view($v)
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
