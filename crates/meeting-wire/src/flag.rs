//! Flags sent as booleans or as 0/1.

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// A yes/no value the vendor sends as `true`/`false` or as an integer (`0`/`1`).
///
/// It keeps the form it arrived in, so it serialises back unchanged; [`Flag::is_set`] reads
/// any non-zero integer as yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flag {
    /// Sent as a JSON boolean.
    Bool(bool),
    /// Sent as a JSON integer.
    Int(i64),
}

impl Flag {
    /// Whether the flag is on.
    pub fn is_set(self) -> bool {
        match self {
            Flag::Bool(b) => b,
            Flag::Int(n) => n != 0,
        }
    }
}

impl Default for Flag {
    fn default() -> Self {
        Flag::Int(0)
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Flag::Bool(b) => serializer.serialize_bool(b),
            Flag::Int(n) => serializer.serialize_i64(n),
        }
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a flag (true/false or an integer)")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Flag, E> {
                Ok(Flag::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Flag, E> {
                i64::try_from(v)
                    .map(Flag::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
        }
        deserializer.deserialize_any(V)
    }
}
