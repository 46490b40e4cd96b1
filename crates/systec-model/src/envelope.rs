//! The response envelope shared by every endpoint, and the errors of parsing one.

use meeting_wire::{DecodeError, Extra};
use serde::de::{
    self, Deserialize, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor,
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt;
use std::marker::PhantomData;

use crate::Endpoint;

/// The `status` value that means success.
pub const STATUS_OK: i64 = 200;

/// A successful response: `{"status": 200, "message": "OK", "data": ...}`.
///
/// `status` is an HTTP-like code inside the body; any value other than 200 is a failure and
/// never becomes an `Envelope` (see [`Error::Vendor`]). Fields other than the three documented
/// ones are kept in `extra`.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope<T> {
    /// Always [`STATUS_OK`] for a parsed envelope.
    pub status: i64,
    /// The vendor's message (`"OK"`), when sent.
    pub message: Option<String>,
    /// The endpoint's payload.
    pub data: T,
    /// Every other top-level field, verbatim.
    pub extra: Extra,
}

/// Response payloads: each knows the endpoint it belongs to (for error messages).
pub trait EndpointData: DeserializeOwned {
    /// The endpoint this payload is the `data` of.
    const ENDPOINT: Endpoint;
}

impl<T: EndpointData> Envelope<T> {
    /// Parses a response body (a leading UTF-8 BOM is ignored).
    ///
    /// # Errors
    /// [`Error::Vendor`] for a failure envelope (`status` other than 200) or a Zoom-v1-style
    /// `{"error": {"code", "message"}}` body, whatever `data` holds; [`Error::Decode`], with
    /// JSON path, line and column, for anything else that is not a valid response.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        match meeting_wire::from_slice::<RawEnvelope<T>>(bytes) {
            Ok(raw) => raw.into_envelope(T::ENDPOINT),
            Err(error) => match probe_failure(bytes) {
                Some(vendor) => Err(Error::Vendor {
                    endpoint: T::ENDPOINT,
                    error: vendor,
                }),
                None => Err(Error::Decode {
                    endpoint: T::ENDPOINT,
                    error,
                }),
            },
        }
    }

    /// Wraps a payload in a success envelope (`status` 200, `message` `"OK"`).
    pub fn ok(data: T) -> Self {
        Envelope {
            status: STATUS_OK,
            message: Some(String::from("OK")),
            data,
            extra: Extra::new(),
        }
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(message) = &self.message {
            map.serialize_entry("message", message)?;
        }
        map.serialize_entry("data", &self.data)?;
        for (k, v) in &self.extra {
            let shadowed = match k.as_str() {
                "status" | "data" => true,
                "message" => self.message.is_some(),
                _ => false,
            };
            if !shadowed {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// The fast path's parse: the `data` of a success response (`status` 200 and `data`
/// present) as `T`, typically a borrowed view such as
/// [`DetailPageRef`](crate::detail::DetailPageRef), or `None` for anything else (a failure
/// answer, a body that does not parse). It takes exactly the bodies [`Envelope::from_slice`]
/// takes when `T` accepts what the owned payload accepts; on `None`, parse with
/// `from_slice` for the vendor's answer or the located error.
pub fn envelope_data<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<T> {
    // One UTF-8 check of the whole body, then `from_str`: serde_json skips its own check of
    // every string (a body that is not UTF-8 is left to `from_slice`, which locates it). The
    // check is SIMD (`simdutf8`): the bodies are megabytes of mostly ASCII.
    let text = simdutf8::basic::from_utf8(meeting_wire::strip_bom(bytes)).ok()?;
    let raw: RawEnvelope<T> = serde_json::from_str(text).ok()?;
    match (raw.status, raw.data) {
        (Some(STATUS_OK), Some(data)) => Some(data),
        _ => None,
    }
}

/// A failure the vendor reported: a non-200 `status`, or a Zoom-v1-style error body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// The envelope's `status` (absent for an `{"error": ...}` body).
    pub status: Option<i64>,
    /// The `{"error": {"code"}}` value (absent for an envelope).
    pub code: Option<i64>,
    /// The vendor's message, verbatim (empty when it sent none).
    pub message: String,
}

impl VendorError {
    /// Whether the vendor says this is a rate limit: status or code 429, or a message that
    /// says so (`rate limit`, `too many requests`, 频繁, 限流, 频率). The Zoom v1 API this one
    /// mirrors answered rate limits with code/HTTP 403 and such a message; a bare 403 is
    /// *not* taken for a rate limit (it is also how bad credentials look).
    pub fn is_rate_limit(&self) -> bool {
        if self.status == Some(429) || self.code == Some(429) {
            return true;
        }
        let m = self.message.to_ascii_lowercase();
        m.contains("rate limit")
            || m.contains("rate-limit")
            || m.contains("too many requests")
            || ["频繁", "限流", "频率"]
                .iter()
                .any(|w| self.message.contains(w))
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, self.code) {
            (Some(s), _) => write!(f, "status {s}")?,
            (None, Some(c)) => write!(f, "error code {c}")?,
            (None, None) => f.write_str("error")?,
        }
        if self.message.is_empty() {
            Ok(())
        } else {
            write!(f, ": {}", self.message)
        }
    }
}

/// Why a response body did not give a result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a valid response of this endpoint: malformed JSON or an unexpected value.
    #[error("invalid {endpoint} response {error}")]
    Decode {
        /// The endpoint whose response this was meant to be.
        endpoint: Endpoint,
        /// Where and why.
        error: DecodeError,
    },
    /// A well-formed failure answer from the vendor.
    #[error("{endpoint} failed: the vendor answered {error}")]
    Vendor {
        /// The endpoint that answered.
        endpoint: Endpoint,
        /// The vendor's status or code, and message.
        error: VendorError,
    },
}

impl Error {
    /// The endpoint the response belongs to.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            Error::Decode { endpoint, .. } | Error::Vendor { endpoint, .. } => *endpoint,
        }
    }
}

/// The body as parsed: everything optional, decided afterwards.
struct RawEnvelope<T> {
    status: Option<i64>,
    message: Option<String>,
    data: Option<T>,
    extra: Extra,
}

meeting_wire::wire_object! {
    /// The Zoom v1 error body: `{"error": {"code": 300, "message": "..."}}`.
    struct ZoomError {
        /// Numeric error code.
        "code" => code: i64,
        /// Message.
        "message" => message: String,
    }
}

impl<T> RawEnvelope<T> {
    /// The Zoom-v1-style error object, if the body has one.
    fn zoom_error(&self) -> Option<ZoomError> {
        let value = self.extra.get("error")?;
        ZoomError::deserialize(value).ok()
    }

    fn into_envelope(self, endpoint: Endpoint) -> Result<Envelope<T>, Error> {
        let error = self.zoom_error();
        let vendor = |status, error: Option<ZoomError>, message: Option<String>| Error::Vendor {
            endpoint,
            error: VendorError {
                status,
                code: error.as_ref().and_then(|e| e.code),
                message: message
                    .or_else(|| error.and_then(|e| e.message))
                    .unwrap_or_default(),
            },
        };
        match (self.status, self.data) {
            (Some(STATUS_OK), Some(data)) => Ok(Envelope {
                status: STATUS_OK,
                message: self.message,
                data,
                extra: self.extra,
            }),
            (Some(STATUS_OK), None) => Err(Error::Decode {
                endpoint,
                error: DecodeError::custom("data", "a success response without `data`"),
            }),
            (Some(status), _) => Err(vendor(Some(status), error, self.message)),
            (None, _) if error.is_some() => Err(vendor(None, error, self.message)),
            (None, _) => Err(Error::Decode {
                endpoint,
                error: DecodeError::custom(
                    "status",
                    "missing `status`: expected a {\"status\", \"message\", \"data\"} envelope",
                ),
            }),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for RawEnvelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = RawEnvelope<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a response envelope object {\"status\", \"message\", \"data\"}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = RawEnvelope {
                    status: None,
                    message: None,
                    data: None,
                    extra: Extra::new(),
                };
                while let Some(key) = map.next_key::<EnvelopeKey>()? {
                    match key {
                        EnvelopeKey::Status => out.status = map.next_value()?,
                        EnvelopeKey::Message => match map.next_value::<Option<String>>()? {
                            Some(m) => out.message = Some(m),
                            None => {
                                out.extra
                                    .insert(String::from("message"), serde_json::Value::Null);
                            }
                        },
                        EnvelopeKey::Data => out.data = map.next_value()?,
                        EnvelopeKey::Other(k) => {
                            let v = map.next_value()?;
                            out.extra.insert(k, v);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V(PhantomData))
    }
}

enum EnvelopeKey {
    Status,
    Message,
    Data,
    Other(String),
}

impl<'de> Deserialize<'de> for EnvelopeKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = EnvelopeKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnvelopeKey, E> {
                Ok(match v {
                    "status" => EnvelopeKey::Status,
                    "message" => EnvelopeKey::Message,
                    "data" => EnvelopeKey::Data,
                    other => EnvelopeKey::Other(String::from(other)),
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// After a failed parse: is this a failure answer (whose `data` may be of any shape)?
#[cold]
fn probe_failure(bytes: &[u8]) -> Option<VendorError> {
    let raw = meeting_wire::from_slice::<RawEnvelope<IgnoredAny>>(bytes).ok()?;
    match raw.into_envelope(Endpoint::Detail) {
        Err(Error::Vendor { error, .. }) => Some(error),
        _ => None,
    }
}
