//! The API `token` and where it travels.

use meeting_wire::Secret;
use std::fmt;

/// The name of the HTTP header (and of the body field) that carries the token.
pub const TOKEN_FIELD: &str = "token";

/// The Quanshi API token. How one is obtained is not documented: it must be configured.
///
/// `Debug` prints `Token(<redacted>)`; there is no `Display` and no `Serialize`. Read it with
/// [`Token::expose`] only where it is sent.
///
/// ```
/// use quanshi_model::{Token, TokenPlacement};
/// let token = Token::new("s3cr3t");
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// assert_eq!(TokenPlacement::Header.header(&token), Some(("token", "s3cr3t")));
/// assert_eq!(TokenPlacement::Body.header(&token), None);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Token(Secret);

impl Token {
    /// Wraps a token.
    pub fn new(value: impl Into<String>) -> Self {
        Token(Secret::new(value))
    }

    /// The token itself. Call only where it must be sent.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl From<Secret> for Token {
    fn from(value: Secret) -> Self {
        Token(value)
    }
}

/// Where the token travels. The dashboard doc: in the `token` HTTP header, or in the JSON
/// body when the header is absent. The header is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenPlacement {
    /// In the `token` HTTP header (the default).
    #[default]
    Header,
    /// As a `"token"` field of the JSON body.
    Body,
}

impl TokenPlacement {
    /// The header to send, `("token", value)`, when the token travels in a header.
    /// Mark it sensitive in the HTTP client.
    pub fn header(self, token: &Token) -> Option<(&'static str, &str)> {
        match self {
            TokenPlacement::Header => Some((TOKEN_FIELD, token.expose())),
            TokenPlacement::Body => None,
        }
    }
}
