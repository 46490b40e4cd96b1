//! What every Quanshi request has in common: a JSON body, a path, a token, a response type.

use crate::auth::{TOKEN_FIELD, Token, TokenPlacement};
use crate::envelope::{Envelope, Payload};
use crate::error::Error;

/// A Quanshi request: POST, JSON body, `accept`/`content-type: application/json`.
///
/// The HTTP client joins [`Request::PATH`] (relative, no leading slash) to its configured
/// base URL; when it is `None` the path is undocumented and must be configured.
pub trait Request {
    /// The endpoint's name in errors (e.g. `dashboard_conference_info`).
    const ENDPOINT: &'static str;
    /// The documented path relative to the base URL, or `None` when the doc gives none.
    const PATH: Option<&'static str>;
    /// The type of the response's `result`.
    type Result: Payload;

    /// The JSON body without the token.
    fn to_json(&self) -> serde_json::Value;

    /// The JSON body to send: [`Request::to_json`], plus `"token"` when the token travels
    /// in the body. With [`TokenPlacement::Header`], send
    /// [`TokenPlacement::header`] as well.
    fn body(&self, token: &Token, placement: TokenPlacement) -> serde_json::Value {
        let mut body = self.to_json();
        if placement == TokenPlacement::Body
            && let serde_json::Value::Object(map) = &mut body
        {
            map.insert(
                TOKEN_FIELD.to_owned(),
                serde_json::Value::String(token.expose().to_owned()),
            );
        }
        body
    }

    /// Parses this endpoint's response body; see [`Envelope::from_slice`].
    ///
    /// # Errors
    /// [`Error::Vendor`] for a non-zero `status`, [`Error::Decode`] for a body of the wrong
    /// shape.
    fn parse_response(bytes: &[u8]) -> Result<Envelope<Self::Result>, Error> {
        Envelope::from_slice(bytes)
    }
}
