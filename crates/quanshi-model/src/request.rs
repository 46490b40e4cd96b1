//! What every Quanshi request has in common: a JSON body, a path, a token, a response type.

use crate::auth::{TOKEN_FIELD, Token, TokenPlacement};
use crate::envelope::{Envelope, Payload};
use crate::error::Error;
use meeting_wire::{Encoded, Encoding, ResponseError, VendorAnswer};

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

/// How Quanshi calls are authenticated: the token, and where it travels. The `Auth` of
/// [`meeting_wire::ApiRequest`] for Quanshi requests.
///
/// `Debug` redacts the token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Auth {
    /// The API token.
    pub token: Token,
    /// Where it travels (the `token` header by default).
    pub placement: TokenPlacement,
}

impl Auth {
    /// The token, in the given place.
    pub fn new(token: Token, placement: TokenPlacement) -> Self {
        Auth { token, placement }
    }
}

/// The JSON body of `request` with `auth` applied, as [`meeting_wire::ApiRequest::encode`]
/// returns it: the token in a secret header or in the body, and `public` as the public
/// parameters.
pub(crate) fn encode<R: Request>(
    request: &R,
    auth: &Auth,
    public: Vec<(String, String)>,
) -> Result<Encoded, serde_json::Error> {
    let body = serde_json::to_vec(&request.body(&auth.token, auth.placement))?;
    let mut encoded = Encoded::new(Encoding::Json, body);
    if let Some((name, value)) = auth.placement.header(&auth.token) {
        encoded = encoded.secret_header(name, meeting_wire::Secret::new(value));
    }
    Ok(public
        .into_iter()
        .fold(encoded, |e, (k, v)| e.public_param(k, v)))
}

/// A parse error in the vendor-neutral shape of [`meeting_wire::ApiRequest`].
pub(crate) fn response_error(error: Error) -> ResponseError {
    match error {
        Error::Decode { error, .. } => ResponseError::Decode(error),
        Error::Vendor(v) => ResponseError::Vendor(VendorAnswer::new(
            Some(v.status),
            None,
            v.msg.unwrap_or_default(),
            v.request_id,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::Auth;
    use crate::{
        ConferenceByJoinUrlRequest, DashboardConferenceInfoRequest, Token, TokenPlacement,
    };
    use meeting_wire::{ApiRequest, Encoding, ResponseError, Source};

    #[test]
    fn requests_encode_with_the_token_where_configured_and_never_in_public_params() {
        let link = "https://mtest.qsh1.cn/k/mkIW3Txa0Uk";
        let header = Auth::new(Token::new("T0K"), TokenPlacement::Header);
        let body = Auth::new(Token::new("T0K"), TokenPlacement::Body);
        let e = ConferenceByJoinUrlRequest::new(link)
            .encode(&header)
            .unwrap();
        assert_eq!(e.body().encoding(), Encoding::Json);
        assert_eq!(e.secret_headers().len(), 1);
        assert_eq!(e.secret_headers()[0].0, "token");
        assert_eq!(e.secret_headers()[0].1.expose(), "T0K");
        let sent: serde_json::Value = serde_json::from_slice(e.body().expose()).unwrap();
        assert_eq!(sent, serde_json::json!({"attendeeJoinUrl": link}));
        let public = format!("{:?}", e.public_params());
        assert!(
            !public.contains("mkIW3Txa0Uk") && !public.contains("T0K"),
            "{public}"
        );
        assert!(!format!("{e:?}").contains("T0K"));

        let e = DashboardConferenceInfoRequest::new("56039682")
            .encode(&body)
            .unwrap();
        assert!(e.secret_headers().is_empty());
        let sent: serde_json::Value = serde_json::from_slice(e.body().expose()).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"tempConferenceId": "56039682", "token": "T0K"})
        );
        assert_eq!(
            e.public_params(),
            [("tempConferenceId".to_owned(), "56039682".to_owned())]
        );
        assert_eq!(
            <ConferenceByJoinUrlRequest as ApiRequest>::ENDPOINT,
            Source::QuanshiConference
        );
        assert_eq!(
            <DashboardConferenceInfoRequest as ApiRequest>::ENDPOINT,
            Source::QuanshiDashboard
        );
    }

    #[test]
    fn vendor_failures_keep_status_message_and_request_id() {
        let body = br#"{"status":10001,"msg":"no such conference","reqid":"r-9"}"#;
        match <DashboardConferenceInfoRequest as ApiRequest>::parse_response(body) {
            Err(ResponseError::Vendor(v)) => {
                assert_eq!(v.status, Some(10001));
                assert_eq!(v.message, "no such conference");
                assert_eq!(v.request_id.as_deref(), Some("r-9"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            <DashboardConferenceInfoRequest as ApiRequest>::parse_response(b"{\"status\":0,"),
            Err(ResponseError::Decode(_))
        ));
    }
}
