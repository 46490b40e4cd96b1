//! Shared wire-level building blocks for the meeting-usage model crates
//! (`systec-model`, `quanshi-model`).
//!
//! The vendors' JSON is inconsistent and under-documented, and the model crates promise to be
//! *faithful and lossless*: every documented field typed, every undocumented field kept, so
//! that serialising a parsed response gives back the same JSON value. This crate holds the
//! pieces that promise is built from, once:
//!
//! - [`wire_object!`]: a struct whose typed fields are all optional, with a hand-written
//!   visitor that keeps unknown fields (and explicit `null`s) in [`Extra`]. It does not use
//!   `#[serde(flatten)]`, which buffers every object through serde's internal `Content` and
//!   loses error paths.
//! - [`open_enum!`]: vendor codes as `#[non_exhaustive]` enums with an `Unknown(raw)` variant
//!   that round-trips the raw value, so a new code never breaks parsing.
//! - [`Id`]: an identifier that arrives as a JSON number or string and prints the way the
//!   vendor wrote it.
//! - Borrowed views: `wire_object!` can also emit a `...Ref<'a>` companion from the same
//!   field list ([`Str`], [`IdRef`], [`ExtraRef`], [`ViewOf`]), for parsing without copying
//!   strings; an owned value is viewed through the same shape.
//! - [`Flag`]: a flag sent as `true`/`false` or `0`/`1`.
//! - [`Secret`]: a credential or meeting password; `Debug` prints `<redacted>` (and so does
//!   its borrowed view, [`SecretRef`]).
//! - [`from_slice`] and [`DecodeError`]: parse with the JSON path, line and column of any
//!   failure, at full speed on the success path.
//! - [`diff`]: compare two JSON values and name every difference by key path.
//! - [`Source`] and [`Vendor`]: the typed endpoint identity every crate shares (wire
//!   name, `sources` name, documented path).
//! - [`ApiRequest`]: the one request trait both model crates implement (endpoint, encoding,
//!   body with secrets, public parameters, response parser).
//!
//! ```
//! meeting_wire::wire_object! {
//!     /// A participant.
//!     pub struct Person {
//!         /// Display name.
//!         "name" => name: String,
//!         /// Age in years.
//!         "age" => age: u32,
//!     }
//! }
//!
//! let json = r#"{"name":"叶大红","age":null,"nickname":"Ye"}"#;
//! let person: Person = meeting_wire::from_slice(json.as_bytes())?;
//! assert_eq!(person.name.as_deref(), Some("叶大红"));
//! assert_eq!(person.age, None);
//! assert_eq!(person.extra["nickname"], "Ye");
//! // Lossless: the same JSON value comes back, the explicit null included.
//! assert_eq!(
//!     serde_json::to_value(&person)?,
//!     serde_json::from_str::<serde_json::Value>(json)?,
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod decode;
pub mod diff;
mod endpoint;
mod flag;
mod id;
mod macros;
mod request;
mod secret;
pub mod secret_key;
mod view;

pub use decode::{DecodeError, DecodeErrorKind, from_slice, from_str, strip_bom};
pub use endpoint::{Source, UnknownSource, Vendor};
pub use flag::Flag;
pub use id::Id;
pub use request::{ApiRequest, Body, Encoded, Encoding, ResponseError, VendorAnswer};
pub use secret::{Secret, SecretRef};
pub use view::{ExtraRef, ExtraRefIter, IdRef, IntoView, Str, ViewOf};

/// Fields of a wire object that its type does not name, verbatim, keyed by their wire name.
///
/// A typed field the vendor sent as an explicit `null` is recorded here as `null` too, so
/// that a parsed object serialises back to exactly what was received. Sorted by key, so
/// output is deterministic.
pub type Extra = std::collections::BTreeMap<String, serde_json::Value>;

#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json;

    /// A key read as raw bytes (borrowed views): the text, when it is UTF-8 without control
    /// characters (what a key read as a string must be).
    ///
    /// # Errors
    /// Otherwise.
    pub fn key_text<E: serde::de::Error>(key: &[u8]) -> Result<&str, E> {
        if key.iter().any(|b| *b < 0x20) {
            return Err(E::custom("control character in a key"));
        }
        std::str::from_utf8(key).map_err(|_| E::custom("a key is not UTF-8"))
    }
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
