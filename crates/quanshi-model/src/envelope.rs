//! The envelope every Quanshi response comes in:
//! `{"status": 0, "result": ..., "msg": ..., "request_id" | "reqid": ..., "timestamp": ..., "request_duration": ...}`.

use crate::duration::RequestDuration;
use crate::error::{Error, VendorError};
use crate::time::UnixMillis;
use meeting_wire::{DecodeError, Extra};
use serde::de::{self, DeserializeOwned, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// A result type with its endpoint's name, so [`Envelope::from_slice`] can say which
/// endpoint a failure belongs to.
pub trait Payload: DeserializeOwned {
    /// The endpoint's name in errors (e.g. `dashboard_conference_info`).
    const ENDPOINT: &'static str;
}

/// A Quanshi response: the `status` (0 = success) and the endpoint's `result`, with the
/// envelope's metadata.
///
/// Lossless: `Deserialize`/`Serialize` are hand-written; top-level fields not named here
/// are kept in `extra`, and so is an explicit `null` for a typed field, so a parsed envelope
/// serialises back to the same JSON value. `status` is required (a body without it is not a
/// Quanshi envelope).
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope<T> {
    /// `status`: 0 for success, anything else a failure.
    pub status: i64,
    /// `result`: the endpoint's payload.
    pub result: Option<T>,
    /// `msg`: the vendor's message (`"success"`, or why it failed).
    pub msg: Option<String>,
    /// `request_id` (the join-link sample has it alongside `reqid`).
    pub request_id: Option<String>,
    /// `reqid`: another request id some services send instead of, or with, `request_id`.
    pub reqid: Option<String>,
    /// `timestamp`: when the server answered, Unix **milliseconds**.
    pub timestamp: Option<UnixMillis>,
    /// `request_duration`: the server's processing time as text (`"125.711156ms"`).
    pub request_duration: Option<RequestDuration>,
    /// Top-level fields not named above, verbatim, plus an explicit `null` for each named
    /// field sent as `null`.
    pub extra: Extra,
}

impl<T> Envelope<T> {
    /// A successful envelope around `result` (for simulators and tests).
    pub fn success(result: T) -> Self {
        Envelope {
            status: 0,
            result: Some(result),
            msg: None,
            request_id: None,
            reqid: None,
            timestamp: None,
            request_duration: None,
            extra: Extra::new(),
        }
    }

    /// Whether `status` is 0.
    pub fn is_success(&self) -> bool {
        self.status == 0
    }

    /// The request id: `request_id` when present, else `reqid`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref().or(self.reqid.as_deref())
    }

    /// The vendor error this envelope stands for, when `status` is not 0.
    pub fn vendor_error(&self, endpoint: &'static str) -> Option<VendorError> {
        (self.status != 0).then(|| {
            VendorError::new(
                endpoint,
                self.status,
                self.msg.clone(),
                self.request_id().map(str::to_owned),
            )
        })
    }
}

impl<T: Payload> Envelope<T> {
    /// Parses a response body (a leading UTF-8 BOM is ignored).
    ///
    /// # Errors
    /// [`Error::Vendor`] when `status` is not 0 — even when the error body's `result` does
    /// not have the success shape — and [`Error::Decode`] (with JSON path, line and column)
    /// when the body is not a Quanshi envelope of this endpoint.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_slice_for(T::ENDPOINT, bytes)
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// [`Envelope::from_slice`] for any result type, naming the endpoint in errors.
    ///
    /// The success path is one `serde_json` parse. Only when it fails is the body parsed
    /// again, as a small probe (`status`, `msg`, the ids; everything else skipped with
    /// `IgnoredAny`): a non-zero status then gives [`Error::Vendor`]; otherwise the body is
    /// parsed a last time to locate the failure.
    ///
    /// # Errors
    /// As [`Envelope::from_slice`].
    pub fn from_slice_for(endpoint: &'static str, bytes: &[u8]) -> Result<Self, Error> {
        let bytes = meeting_wire::strip_bom(bytes);
        match serde_json::from_slice::<Envelope<T>>(bytes) {
            Ok(envelope) => match envelope.vendor_error(endpoint) {
                None => Ok(envelope),
                Some(vendor) => Err(Error::Vendor(vendor)),
            },
            Err(_) => Err(slow_path::<T>(endpoint, bytes)),
        }
    }
}

/// The fast path's parse: the `result` of a success response (`status` 0) as `T`, typically
/// a borrowed view such as [`ConferenceListRef`](crate::conference_by_join_url::ConferenceListRef)
/// (`Some(None)`: a success without `result`), or `None` for anything else (a failure
/// answer, a body that does not parse). It takes exactly the bodies
/// [`Envelope::from_slice`] takes when `T` accepts what the owned payload accepts (the same
/// envelope parse); on `None`, parse with `from_slice` for the vendor's answer or the
/// located error.
///
/// ```
/// use quanshi_model::conference_by_join_url::ConferenceListRef;
/// let body = r#"{"status":0,"result":[{"conferenceId":"239719428","title":"周会"}]}"#.as_bytes();
/// let list = quanshi_model::envelope_result::<ConferenceListRef<'_>>(body).flatten().unwrap();
/// assert_eq!(list.conferences[0].title.as_deref(), Some("周会"));
/// let failure = br#"{"status":401,"msg":"bad token"}"#;
/// assert!(quanshi_model::envelope_result::<ConferenceListRef<'_>>(failure).is_none());
/// ```
pub fn envelope_result<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<Option<T>> {
    // One UTF-8 check of the whole body, then `from_str` (see systec-model's `envelope_data`).
    let text = simdutf8::basic::from_utf8(meeting_wire::strip_bom(bytes)).ok()?;
    let envelope: Envelope<T> = serde_json::from_str(text).ok()?;
    (envelope.status == 0).then_some(envelope.result)
}

/// The error path: probe for a vendor error, else locate the decode error.
#[cold]
fn slow_path<T: DeserializeOwned>(endpoint: &'static str, bytes: &[u8]) -> Error {
    if let Ok(probe) = serde_json::from_slice::<Probe>(bytes)
        && probe.status != 0
    {
        return Error::Vendor(VendorError::new(
            endpoint,
            probe.status,
            probe.msg.0,
            probe.request_id.0.or(probe.reqid.0),
        ));
    }
    let source = match meeting_wire::from_slice::<Envelope<T>>(bytes) {
        Err(err) => err,
        // Unreachable in practice (the fast parse failed); never panic.
        Ok(_) => located_fallback(bytes),
    };
    Error::Decode {
        endpoint,
        error: source,
    }
}

/// A decode error for the (unexpected) case where the slow parse succeeds.
fn located_fallback(bytes: &[u8]) -> DecodeError {
    match meeting_wire::from_slice::<NeverOk>(bytes) {
        Err(err) => err,
        Ok(never) => match never {},
    }
}

/// A type no document parses into, to get a `DecodeError` with position from
/// `meeting_wire` without its private constructor.
enum NeverOk {}

impl<'de> Deserialize<'de> for NeverOk {
    fn deserialize<D: Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(de::Error::custom("the response could not be decoded"))
    }
}

/// The part of an envelope needed to recognise a vendor error.
#[derive(Deserialize)]
struct Probe {
    status: i64,
    #[serde(default)]
    msg: LooseText,
    #[serde(default)]
    request_id: LooseText,
    #[serde(default)]
    reqid: LooseText,
}

/// A string if it is one (numbers are written out); anything else is skipped.
#[derive(Default)]
struct LooseText(Option<String>);

impl<'de> Deserialize<'de> for LooseText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LooseText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseText, E> {
                Ok(LooseText(Some(v.to_owned())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseText, E> {
                Ok(LooseText(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseText, E> {
                Ok(LooseText(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<LooseText, E> {
                Ok(LooseText(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<LooseText, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<LooseText, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(LooseText(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LooseText, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LooseText(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

const STATUS: &str = "status";
const RESULT: &str = "result";
const MSG: &str = "msg";
const REQUEST_ID: &str = "request_id";
const REQID: &str = "reqid";
const TIMESTAMP: &str = "timestamp";
const REQUEST_DURATION: &str = "request_duration";

impl<T> Envelope<T> {
    /// Whether `extra` holds `key` only as the explicit-null marker of a typed field that is
    /// now set (the serialiser then writes the typed value instead).
    fn shadowed(&self, key: &str) -> bool {
        match key {
            STATUS => true,
            RESULT => self.result.is_some(),
            MSG => self.msg.is_some(),
            REQUEST_ID => self.request_id.is_some(),
            REQID => self.reqid.is_some(),
            TIMESTAMP => self.timestamp.is_some(),
            REQUEST_DURATION => self.request_duration.is_some(),
            _ => false,
        }
    }
}

impl<T: Serialize> Serialize for Envelope<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(STATUS, &self.status)?;
        if let Some(v) = &self.result {
            map.serialize_entry(RESULT, v)?;
        }
        if let Some(v) = &self.msg {
            map.serialize_entry(MSG, v)?;
        }
        if let Some(v) = &self.request_id {
            map.serialize_entry(REQUEST_ID, v)?;
        }
        if let Some(v) = &self.reqid {
            map.serialize_entry(REQID, v)?;
        }
        if let Some(v) = &self.timestamp {
            map.serialize_entry(TIMESTAMP, v)?;
        }
        if let Some(v) = &self.request_duration {
            map.serialize_entry(REQUEST_DURATION, v)?;
        }
        for (k, v) in &self.extra {
            if !self.shadowed(k) {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

enum Field {
    Status,
    Result,
    Msg,
    RequestId,
    Reqid,
    Timestamp,
    RequestDuration,
    Other(String),
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    STATUS => Field::Status,
                    RESULT => Field::Result,
                    MSG => Field::Msg,
                    REQUEST_ID => Field::RequestId,
                    REQID => Field::Reqid,
                    TIMESTAMP => Field::Timestamp,
                    REQUEST_DURATION => Field::RequestDuration,
                    other => Field::Other(other.to_owned()),
                })
            }
        }
        deserializer.deserialize_identifier(V)
    }
}

/// Stores an optional typed value, recording an explicit `null` in `extra`.
fn put<U>(slot: &mut Option<U>, extra: &mut Extra, key: &str, value: Option<U>) {
    match value {
        Some(v) => *slot = Some(v),
        None => {
            *slot = None;
            extra.insert(key.to_owned(), serde_json::Value::Null);
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Envelope<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Quanshi response envelope (a JSON object with `status`)")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<T>, A::Error> {
                let mut status = None;
                let mut out = Envelope {
                    status: 0,
                    result: None,
                    msg: None,
                    request_id: None,
                    reqid: None,
                    timestamp: None,
                    request_duration: None,
                    extra: Extra::new(),
                };
                while let Some(key) = map.next_key::<Field>()? {
                    let extra = &mut out.extra;
                    match key {
                        Field::Status => status = Some(map.next_value::<i64>()?),
                        Field::Result => put(&mut out.result, extra, RESULT, map.next_value()?),
                        Field::Msg => put(&mut out.msg, extra, MSG, map.next_value()?),
                        Field::RequestId => {
                            put(&mut out.request_id, extra, REQUEST_ID, map.next_value()?);
                        }
                        Field::Reqid => put(&mut out.reqid, extra, REQID, map.next_value()?),
                        Field::Timestamp => {
                            put(&mut out.timestamp, extra, TIMESTAMP, map.next_value()?);
                        }
                        Field::RequestDuration => put(
                            &mut out.request_duration,
                            extra,
                            REQUEST_DURATION,
                            map.next_value()?,
                        ),
                        Field::Other(k) => {
                            let v = map.next_value::<serde_json::Value>()?;
                            out.extra.insert(k, v);
                        }
                    }
                }
                out.status = status.ok_or_else(|| de::Error::missing_field(STATUS))?;
                Ok(out)
            }
        }

        deserializer.deserialize_map(V(PhantomData))
    }
}
