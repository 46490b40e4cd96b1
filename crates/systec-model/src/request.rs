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
