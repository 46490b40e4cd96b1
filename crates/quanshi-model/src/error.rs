//! Errors of parsing a Quanshi response.

use meeting_wire::DecodeError;
use std::fmt;

/// Why a Quanshi response could not be turned into a successful [`Envelope`](crate::Envelope).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The body is not valid JSON, or not of the documented shape. `Display` names the
    /// endpoint, the JSON path, the line and column, and what was expected.
    #[error("cannot decode the Quanshi `{endpoint}` response {error}")]
    Decode {
        /// Which endpoint's response it was (e.g. `dashboard_conference_info`).
        endpoint: &'static str,
        /// Where and why.
        error: DecodeError,
    },
    /// The vendor answered with a non-zero `status`.
    #[error(transparent)]
    Vendor(VendorError),
}

impl Error {
    /// The vendor's error, when this is one.
    pub fn as_vendor(&self) -> Option<&VendorError> {
        match self {
            Error::Vendor(v) => Some(v),
            Error::Decode { .. } => None,
        }
    }

    /// The located decode error, when this is one.
    pub fn as_decode(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode { error, .. } => Some(error),
            Error::Vendor(_) => None,
        }
    }
}

/// A Quanshi answer whose `status` is not 0: the vendor's own code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// Which endpoint answered (e.g. `conference_by_join_url`).
    pub endpoint: &'static str,
    /// The envelope's `status` (never 0).
    pub status: i64,
    /// The envelope's `msg`, when it sent one.
    pub msg: Option<String>,
    /// The envelope's `request_id`, or else its `reqid`, when it sent one.
    pub request_id: Option<String>,
}

impl VendorError {
    /// Builds a vendor error (for clients and simulators).
    pub fn new(
        endpoint: &'static str,
        status: i64,
        msg: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        VendorError {
            endpoint,
            status,
            msg,
            request_id,
        }
    }
}

impl fmt::Display for VendorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Quanshi `{}` answered status {}",
            self.endpoint, self.status
        )?;
        if let Some(msg) = &self.msg {
            write!(f, ": {msg}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for VendorError {}
