//! A normal (unfaulted) answer: HTTP status, JSON body and the vendor status inside it.
//! Shared by both vendors' answering code and the server, and depending on neither.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde::Serialize;

/// A normal (unfaulted) answer.
pub(crate) struct Reply {
    pub(crate) http: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) vendor_status: Option<i64>,
}

impl Reply {
    /// `value` as JSON (an HTTP 500 in the impossible case that it cannot be serialised).
    pub(crate) fn json<T: Serialize>(http: StatusCode, vendor_status: i64, value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply {
                http,
                body: Bytes::from(body),
                vendor_status: Some(vendor_status),
            },
            Err(_) => Reply {
                http: StatusCode::INTERNAL_SERVER_ERROR,
                body: Bytes::from_static(b"serialisation failed"),
                vendor_status: None,
            },
        }
    }

    /// The HTTP response.
    pub(crate) fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() = self.http;
        resp.headers_mut().insert(header::CONTENT_TYPE, json_type());
        resp
    }
}

/// The content type of every JSON answer.
pub(crate) fn json_type() -> HeaderValue {
    HeaderValue::from_static("application/json;charset=UTF-8")
}
