//! One request trait for every endpoint of both vendors: a request type knows its endpoint,
//! how it is encoded (form or JSON), its body with the secrets inside, its public parameters
//! without them, and the parser of its response. An HTTP client sends any [`ApiRequest`]
//! through one code path; a test can check a request without a network.
//!
//! ```
//! use meeting_wire::{ApiRequest, Encoded, Encoding, Source, ResponseError};
//!
//! /// A toy request: `{"id": ...}`, authenticated by a key in the body.
//! struct Lookup(String);
//!
//! impl ApiRequest for Lookup {
//!     const ENDPOINT: Source = Source::QuanshiDashboard;
//!     const ENCODING: Encoding = Encoding::Json;
//!     type Auth = String;
//!     type Response = serde_json::Value;
//!     type EncodeError = std::convert::Infallible;
//!
//!     fn encode(&self, key: &String) -> Result<Encoded, Self::EncodeError> {
//!         let body = serde_json::json!({"id": self.0, "key": key}).to_string();
//!         Ok(Encoded::new(Self::ENCODING, body.into_bytes())
//!             .public_param("id", self.0.clone()))
//!     }
//!
//!     fn parse_response(bytes: &[u8]) -> Result<Self::Response, ResponseError> {
//!         meeting_wire::from_slice(bytes).map_err(ResponseError::Decode)
//!     }
//! }
//!
//! let encoded = Lookup("42".into()).encode(&"k3y".to_owned())?;
//! assert_eq!(encoded.public_params(), [("id".to_owned(), "42".to_owned())]);
//! assert!(!format!("{encoded:?}").contains("k3y"));
//! assert_eq!(encoded.body().content_type(), "application/json");
//! # Ok::<(), std::convert::Infallible>(())
//! ```

use crate::{DecodeError, Secret, Source};
use std::fmt;

/// How a request body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` (Systec).
    Form,
    /// `application/json` (Quanshi).
    Json,
}

impl Encoding {
    /// The `Content-Type` of a body in this encoding.
    pub const fn content_type(self) -> &'static str {
        match self {
            Encoding::Form => "application/x-www-form-urlencoded",
            Encoding::Json => "application/json",
        }
    }
}

/// A request body ready to send. It may hold secrets (credentials in a form, a token in a
/// JSON body): `Debug` shows only its encoding and length.
#[derive(Clone, PartialEq, Eq)]
pub struct Body {
    encoding: Encoding,
    bytes: Vec<u8>,
}

impl Body {
    /// The encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The `Content-Type` to send.
    pub fn content_type(&self) -> &'static str {
        self.encoding.content_type()
    }

    /// The bytes to send. They may hold secrets: send them, never log them.
    pub fn expose(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Body({:?}, {} bytes, <redacted>)",
            self.encoding,
            self.bytes.len()
        )
    }
}

/// An encoded request: the body (secrets inside), the headers that carry a secret, and the
/// public parameters (secrets removed or masked) for logs and saved responses.
#[derive(Clone, Debug)]
#[must_use]
pub struct Encoded {
    body: Body,
    secret_headers: Vec<(&'static str, Secret)>,
    public_params: Vec<(String, String)>,
}

impl Encoded {
    /// A body in `encoding`, with no secret headers and no public parameters yet.
    pub fn new(encoding: Encoding, bytes: Vec<u8>) -> Self {
        Encoded {
            body: Body { encoding, bytes },
            secret_headers: Vec::new(),
            public_params: Vec::new(),
        }
    }

    /// Adds a header whose value is a secret (a client marks it sensitive).
    pub fn secret_header(mut self, name: &'static str, value: Secret) -> Self {
        self.secret_headers.push((name, value));
        self
    }

    /// Adds a public parameter (never a secret: it goes to logs and saved responses).
    pub fn public_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.public_params.push((name.into(), value.into()));
        self
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The headers that carry a secret.
    pub fn secret_headers(&self) -> &[(&'static str, Secret)] {
        &self.secret_headers
    }

    /// The parameters without secrets, in request order.
    pub fn public_params(&self) -> &[(String, String)] {
        &self.public_params
    }
}

/// The vendor's own failure answer, in a shape common to both vendors.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorAnswer {
    /// The envelope's status (Systec: HTTP-like, 200 = success; Quanshi: 0 = success).
    pub status: Option<i64>,
    /// A Zoom-v1-style `{"error": {"code"}}` code (Systec), when sent.
    pub code: Option<i64>,
    /// The vendor's message, verbatim (empty when it sent none).
    pub message: String,
    /// The vendor's request id (Quanshi), when sent.
    pub request_id: Option<String>,
}

impl VendorAnswer {
    /// A vendor answer.
    pub fn new(
        status: Option<i64>,
        code: Option<i64>,
        message: impl Into<String>,
        request_id: Option<String>,
    ) -> Self {
        VendorAnswer {
            status,
            code,
            message: message.into(),
            request_id,
        }
    }
}

/// Why a response body is not the call's result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// The vendor answered with its own failure status and message.
    Vendor(VendorAnswer),
    /// The body is not a valid response of this endpoint (with its JSON path).
    Decode(DecodeError),
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Vendor(v) => {
                f.write_str("the vendor answered")?;
                if let Some(s) = v.status {
                    write!(f, " status {s}")?;
                }
                if let Some(c) = v.code {
                    write!(f, " code {c}")?;
                }
                if !v.message.is_empty() {
                    write!(f, ": {}", v.message)?;
                }
                Ok(())
            }
            ResponseError::Decode(e) => write!(f, "invalid response {e}"),
        }
    }
}

impl std::error::Error for ResponseError {}

/// A request of one endpoint: its identity, encoding, body and response parser.
///
/// Implemented by the model crates' request types (`systec_model::DetailQuery`,
/// `quanshi_model::DashboardConferenceInfoRequest`, ...); sent by `meeting-http`'s one call
/// path.
pub trait ApiRequest {
    /// The endpoint this request calls.
    const ENDPOINT: Source;
    /// How its body is encoded.
    const ENCODING: Encoding;
    /// What authenticates it (Systec credentials, a Quanshi token and where it goes).
    type Auth;
    /// What a successful answer parses to.
    type Response;
    /// Why a request cannot be encoded as built (a bad parameter).
    type EncodeError: fmt::Display;

    /// The body (secrets inside), the secret headers and the public parameters.
    ///
    /// # Errors
    /// A request that cannot be sent as built.
    fn encode(&self, auth: &Self::Auth) -> Result<Encoded, Self::EncodeError>;

    /// Parses a response body of this endpoint.
    ///
    /// # Errors
    /// [`ResponseError::Vendor`] for the vendor's failure answer, [`ResponseError::Decode`]
    /// for a body of the wrong shape.
    fn parse_response(bytes: &[u8]) -> Result<Self::Response, ResponseError>;
}
