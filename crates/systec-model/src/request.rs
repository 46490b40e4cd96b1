//! What every request shares: the endpoints, the credentials and the form body.

use meeting_wire::Secret;
use std::fmt;

/// The documented base URL; endpoint names are joined to it.
///
/// The docs' Markdown links point at `.../schedule` and `.../meetingTime`; the real paths are
/// the visible text: `reports`, `detail`, `hisMeeting`.
pub const DEFAULT_BASE_URL: &str = "https://api.systeccloud.com/umeeting/share/";

/// One of the three documented endpoints. Every call is an HTTPS POST with form fields
/// (`application/x-www-form-urlencoded`) and answers JSON (the vendor's notes, 注意事项).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Endpoint {
    /// `reports`: usage reports with participants for a list of meeting UUIDs.
    Reports,
    /// `detail`: paginated shared-room meetings in a date range.
    Detail,
    /// `hisMeeting`: past meetings in a date range, one record per occurrence.
    HisMeeting,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 3] = [Endpoint::Reports, Endpoint::Detail, Endpoint::HisMeeting];

    /// The path relative to [`DEFAULT_BASE_URL`]: `reports`, `detail`, `hisMeeting`.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Reports => "reports",
            Endpoint::Detail => "detail",
            Endpoint::HisMeeting => "hisMeeting",
        }
    }

    /// The source name used in the neutral schema: `systec.reports`, `systec.detail`,
    /// `systec.his_meeting`.
    pub fn source_name(self) -> &'static str {
        match self {
            Endpoint::Reports => "systec.reports",
            Endpoint::Detail => "systec.detail",
            Endpoint::HisMeeting => "systec.his_meeting",
        }
    }

    /// Parses a path (`hisMeeting`) or a source name (`systec.his_meeting`).
    pub fn from_name(name: &str) -> Option<Endpoint> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.path() == name || e.source_name() == name)
    }
}

impl From<Endpoint> for meeting_wire::Source {
    /// The workspace's typed endpoint id of this endpoint.
    fn from(endpoint: Endpoint) -> Self {
        match endpoint {
            Endpoint::Reports => meeting_wire::Source::SystecReports,
            Endpoint::Detail => meeting_wire::Source::SystecDetail,
            Endpoint::HisMeeting => meeting_wire::Source::SystecHisMeeting,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source_name())
    }
}

/// The API credentials, sent as the form fields `api_key` and `api_secret` on every call.
///
/// `Debug` prints `<redacted>` for both.
///
/// ```
/// let c = systec_model::Credentials::new("key-123", "secret-456");
/// assert!(!format!("{c:?}").contains("key-123"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `api_key`.
    pub api_key: Secret,
    /// `api_secret`.
    pub api_secret: Secret,
}

impl Credentials {
    /// Credentials from the key and the secret.
    pub fn new(api_key: impl Into<String>, api_secret: impl Into<String>) -> Self {
        Credentials {
            api_key: Secret::new(api_key),
            api_secret: Secret::new(api_secret),
        }
    }
}

/// A request body: the form fields of one call, credentials included.
///
/// `Debug` redacts the credentials; [`Form::encode`] is the only way to the full body and
/// [`Form::public_pairs`] gives the parameters without credentials (for logs and saved
/// responses).
#[derive(Clone)]
pub struct Form {
    credentials: Credentials,
    params: Vec<(&'static str, String)>,
}

impl Form {
    pub(crate) fn new(credentials: &Credentials, params: Vec<(&'static str, String)>) -> Self {
        Form {
            credentials: credentials.clone(),
            params,
        }
    }

    /// The `application/x-www-form-urlencoded` body, credentials first. It holds the
    /// secrets: send it, never log it.
    pub fn encode(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("api_key", self.credentials.api_key.expose());
        out.append_pair("api_secret", self.credentials.api_secret.expose());
        for (k, v) in &self.params {
            out.append_pair(k, v);
        }
        out.finish()
    }

    /// The parameters other than the credentials, in order.
    pub fn public_pairs(&self) -> &[(&'static str, String)] {
        &self.params
    }

    /// The request as the one HTTP call path sends it: this form's body (credentials inside)
    /// and its public parameters (credentials left out).
    pub fn into_encoded(self) -> meeting_wire::Encoded {
        let body = self.encode().into_bytes();
        self.params.into_iter().fold(
            meeting_wire::Encoded::new(meeting_wire::Encoding::Form, body),
            |e, (k, v)| e.public_param(k, v),
        )
    }

    /// The value of one non-secret parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        m.entry(&"api_key", &self.credentials.api_key);
        m.entry(&"api_secret", &self.credentials.api_secret);
        for (k, v) in &self.params {
            m.entry(k, v);
        }
        m.finish()
    }
}

/// A request that cannot be sent as built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// `from` is after `to`.
    #[error(transparent)]
    Window(#[from] crate::WindowError),
    /// A page number or size of zero.
    #[error("`{field}` must be at least 1")]
    Zero {
        /// `page_size` or `page_number`.
        field: &'static str,
    },
    /// `reports` without any UUID.
    #[error("`reports` needs at least one meeting UUID")]
    NoUuids,
    /// A UUID that is empty or contains a list separator.
    #[error("invalid meeting UUID {0:?}: it is empty or contains a comma")]
    BadUuid(String),
}

/// A parse error in the vendor-neutral shape of [`meeting_wire::ApiRequest`].
pub(crate) fn response_error(error: crate::Error) -> meeting_wire::ResponseError {
    match error {
        crate::Error::Decode { error, .. } => meeting_wire::ResponseError::Decode(error),
        crate::Error::Vendor { error, .. } => meeting_wire::ResponseError::Vendor(
            meeting_wire::VendorAnswer::new(error.status, error.code, error.message, None),
        ),
    }
}

/// Implements [`meeting_wire::ApiRequest`] for a query type whose `to_form` builds its body.
macro_rules! api_request {
    ($query:ty, $endpoint:ident, $data:ty) => {
        impl meeting_wire::ApiRequest for $query {
            const ENDPOINT: meeting_wire::Source = meeting_wire::Source::$endpoint;
            const ENCODING: meeting_wire::Encoding = meeting_wire::Encoding::Form;
            type Auth = $crate::Credentials;
            type Response = $data;
            type EncodeError = $crate::RequestError;

            fn encode(
                &self,
                credentials: &$crate::Credentials,
            ) -> Result<meeting_wire::Encoded, $crate::RequestError> {
                Ok(self.to_form(credentials)?.into_encoded())
            }

            fn parse_response(bytes: &[u8]) -> Result<$data, meeting_wire::ResponseError> {
                $crate::Envelope::<$data>::from_slice(bytes)
                    .map(|e| e.data)
                    .map_err($crate::request::response_error)
            }
        }
    };
}
pub(crate) use api_request;

#[cfg(test)]
mod tests {
    use crate::{DateWindow, DetailQuery, HisMeetingQuery, ReportsQuery};
    use meeting_wire::{ApiRequest, Encoding, ResponseError, Source};

    fn creds() -> super::Credentials {
        super::Credentials::new("K-123", "S-456")
    }

    #[test]
    fn every_query_is_an_api_request_with_secrets_only_in_the_body() {
        let jan = DateWindow::new(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
        )
        .unwrap();
        let detail = DetailQuery::new()
            .window(jan)
            .page_number(2)
            .encode(&creds())
            .unwrap();
        let his = HisMeetingQuery::new(jan).encode(&creds()).unwrap();
        let reports = ReportsQuery::new(["a/b+c=", "d"]).encode(&creds()).unwrap();
        for e in [&detail, &his, &reports] {
            assert_eq!(e.body().encoding(), Encoding::Form);
            let body = String::from_utf8(e.body().expose().to_vec()).unwrap();
            assert!(
                body.starts_with("api_key=K-123&api_secret=S-456&"),
                "{body}"
            );
            let public = format!("{:?}", e.public_params());
            assert!(!public.contains("K-123") && !public.contains("S-456"));
            assert!(!format!("{e:?}").contains("K-123"));
            assert!(e.secret_headers().is_empty());
        }
        assert_eq!(
            detail.public_params(),
            [
                ("from".to_owned(), "2024-01-01".to_owned()),
                ("to".to_owned(), "2024-01-31".to_owned()),
                ("page_number".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(reports.public_params()[0].1, "a/b+c=,d");
        assert_eq!(DetailQuery::ENDPOINT, Source::SystecDetail);
        assert_eq!(HisMeetingQuery::ENDPOINT, Source::SystecHisMeeting);
        assert_eq!(ReportsQuery::ENDPOINT, Source::SystecReports);
        assert!(
            ReportsQuery::new(Vec::<String>::new())
                .encode(&creds())
                .is_err()
        );
    }

    #[test]
    fn responses_parse_through_the_trait() {
        let ok = br#"{"status":200,"message":"OK","data":[{"id":"1579334441"}]}"#;
        assert_eq!(ReportsQuery::parse_response(ok).unwrap().len(), 1);
        let vendor = br#"{"status":503,"message":"busy"}"#;
        match ReportsQuery::parse_response(vendor) {
            Err(ResponseError::Vendor(v)) => {
                assert_eq!((v.status, v.message.as_str()), (Some(503), "busy"));
            }
            other => panic!("{other:?}"),
        }
        let zoom = br#"{"error":{"code":403,"message":"rate limit"}}"#;
        assert!(matches!(
            HisMeetingQuery::parse_response(zoom),
            Err(ResponseError::Vendor(v)) if v.code == Some(403)
        ));
        assert!(matches!(
            DetailQuery::parse_response(br#"{"status":200,"data":{"meetings":[{"uuid":1}"#),
            Err(ResponseError::Decode(_))
        ));
    }
}
