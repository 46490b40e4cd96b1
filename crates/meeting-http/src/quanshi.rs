//! The Quanshi (全时) conference open API client.

use bytes::Bytes;
use quanshi_model::{
    ConferenceByJoinUrlRequest, DashboardConferenceInfoRequest, JoinLink, Request, Token,
    TokenPlacement,
};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderValue};
use std::sync::Arc;

use crate::error::{CallContext, Error, ErrorKind};
use crate::transport::{self, Transport, TransportConfig, Verdict};

/// Builds a [`QuanshiClient`]. The base URL and the token are required (neither is
/// documented); the join-link endpoint's path is required only to call it.
#[derive(Clone, Default)]
#[must_use]
pub struct QuanshiClientBuilder {
    base_url: Option<String>,
    token: Option<Token>,
    placement: TokenPlacement,
    conference_path: Option<String>,
    dashboard_path: Option<String>,
    transport: TransportConfig,
}

impl QuanshiClientBuilder {
    /// The base URL; endpoint paths are joined to it as relative paths, so a base with a
    /// prefix (`https://host/gateway/`) works. HTTPS is required except for loopback.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The API token.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Token::new(token));
        self
    }

    /// Where the token goes: the `token` header (default, marked sensitive) or the body.
    pub fn token_placement(mut self, placement: TokenPlacement) -> Self {
        self.placement = placement;
        self
    }

    /// The join-link endpoint's path, relative to the base URL (undocumented by the vendor).
    pub fn conference_path(mut self, path: impl Into<String>) -> Self {
        self.conference_path = Some(path.into());
        self
    }

    /// Overrides the dashboard path (default `confopenapi/admin/dashboard/conference/info`).
    pub fn dashboard_path(mut self, path: impl Into<String>) -> Self {
        self.dashboard_path = Some(path.into());
        self
    }

    crate::transport::transport_setters!();

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`]: no base URL or token, a bad or non-HTTPS URL.
    pub fn build(self) -> Result<QuanshiClient, Error> {
        let ctx = CallContext::new("quanshi");
        let base = self.base_url.ok_or_else(|| {
            Error::invalid(
                ctx.clone(),
                "no base URL: the vendor documents none, so it must be configured",
            )
        })?;
        let token = self
            .token
            .ok_or_else(|| Error::invalid(ctx.clone(), "no token"))?;
        if token.expose().is_empty() {
            return Err(Error::invalid(ctx, "the token must not be empty"));
        }
        let mut base = base;
        if !base.ends_with('/') {
            base.push('/');
        }
        let base: reqwest::Url = base
            .parse()
            .map_err(|e| Error::invalid(ctx.clone(), format!("invalid base URL: {e}")))?;
        transport::check_scheme(&base).map_err(|m| Error::invalid(ctx.clone(), m))?;
        let join = |path: &str| {
            base.join(path.trim_start_matches('/'))
                .map_err(|e| Error::invalid(ctx.clone(), format!("invalid path `{path}`: {e}")))
        };
        let dashboard_url = join(
            self.dashboard_path
                .as_deref()
                .unwrap_or(quanshi_model::dashboard_conference_info::PATH),
        )?;
        let conference_url = self.conference_path.as_deref().map(join).transpose()?;
        let transport = Transport::new(self.transport).map_err(|m| Error::invalid(ctx, m))?;
        Ok(QuanshiClient {
            inner: Arc::new(Inner {
                transport,
                token,
                placement: self.placement,
                conference_url,
                dashboard_url,
            }),
        })
    }
}

/// An async client for the Quanshi conference open API. Cheap to clone.
#[derive(Clone)]
pub struct QuanshiClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    token: Token,
    placement: TokenPlacement,
    conference_url: Option<reqwest::Url>,
    dashboard_url: reqwest::Url,
}

impl std::fmt::Debug for QuanshiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuanshiClient")
            .field("dashboard_url", &self.inner.dashboard_url.as_str())
            .field("token", &self.inner.token)
            .finish_non_exhaustive()
    }
}

impl QuanshiClient {
    /// A builder.
    pub fn builder() -> QuanshiClientBuilder {
        QuanshiClientBuilder::default()
    }

    /// Requests sent by this client so far.
    pub fn requests_sent(&self) -> u64 {
        self.inner.transport.requests_sent()
    }

    async fn call<R: Request>(
        &self,
        context: CallContext,
        url: &reqwest::Url,
        request: &R,
        params: Vec<(String, String)>,
    ) -> Result<quanshi_model::Envelope<R::Result>, Error> {
        let body = serde_json::to_vec(&request.body(&self.inner.token, self.inner.placement))
            .map_err(|e| Error::invalid(context.clone(), e.to_string()))?;
        let token_header = match self.inner.placement.header(&self.inner.token) {
            Some((name, value)) => {
                let mut v = HeaderValue::from_str(value).map_err(|_| {
                    Error::invalid(context.clone(), "the token is not a valid header value")
                })?;
                v.set_sensitive(true);
                Some((name, v))
            }
            None => None,
        };
        let client = self.inner.transport.client();
        self.inner
            .transport
            .execute(
                context,
                &params,
                || {
                    let mut rb = client
                        .post(url.clone())
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::ACCEPT, "application/json")
                        .body(body.clone());
                    if let Some((name, v)) = &token_header {
                        rb = rb.header(*name, v.clone());
                    }
                    rb
                },
                |status, bytes| judge::<R>(status, bytes),
            )
            .await
    }

    /// A reservation's details by the attendee's join link. The link is masked in logs and
    /// errors.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidRequest`] when no join-link path was configured; otherwise see
    /// [`ErrorKind`].
    pub async fn conference_by_join_url(
        &self,
        attendee_join_url: &str,
    ) -> Result<Vec<quanshi_model::Conference>, Error> {
        let ctx = CallContext::new("quanshi.conference");
        let url = self.inner.conference_url.as_ref().ok_or_else(|| {
            Error::invalid(
                ctx.clone(),
                "the join-link endpoint's path is not configured (the vendor does not document it)",
            )
        })?;
        let link = JoinLink::new(attendee_join_url);
        let params = vec![("attendeeJoinUrl".to_owned(), link.masked())];
        tracing::debug!(link = %link, "quanshi conference by join link");
        let envelope = self
            .call(ctx, url, &ConferenceByJoinUrlRequest::new(link), params)
            .await?;
        Ok(envelope.result.map(|r| r.into_value()).unwrap_or_default())
    }

    /// One conference's statistics by its temporary conference id.
    ///
    /// # Errors
    /// See [`ErrorKind`]; a success answer without a `result` is a decode error.
    pub async fn dashboard_conference_info(
        &self,
        temp_conference_id: &str,
    ) -> Result<quanshi_model::DashboardConference, Error> {
        let ctx = CallContext::new("quanshi.dashboard");
        let params = vec![("tempConferenceId".to_owned(), temp_conference_id.to_owned())];
        let url = self.inner.dashboard_url.clone();
        let envelope = self
            .call(
                ctx.clone(),
                &url,
                &DashboardConferenceInfoRequest::new(temp_conference_id),
                params,
            )
            .await?;
        envelope.result.ok_or_else(|| {
            Error::new(
                ErrorKind::Decode {
                    path: "result".to_owned(),
                    line: 0,
                    column: 0,
                    message: "a success answer without `result`".to_owned(),
                    excerpt: String::new(),
                },
                ctx,
            )
        })
    }
}

/// Judges a Quanshi answer.
fn judge<R: Request>(
    status: StatusCode,
    body: &Bytes,
) -> Verdict<quanshi_model::Envelope<R::Result>> {
    let parsed = R::parse_response(body);
    if status != StatusCode::OK {
        let says = match &parsed {
            Err(quanshi_model::Error::Vendor(v)) => {
                v.status == 429 || v.msg.as_deref().is_some_and(transport::says_rate_limit)
            }
            _ => false,
        } || transport::says_rate_limit(&String::from_utf8_lossy(body));
        return transport::judge_http_status(status, body, says);
    }
    match parsed {
        Ok(envelope) => Verdict::Ok(envelope),
        Err(quanshi_model::Error::Vendor(v)) => {
            let message = v.msg.clone().unwrap_or_default();
            if v.status == 429 || transport::says_rate_limit(&message) {
                Verdict::Fail {
                    kind: ErrorKind::RateLimited { message },
                    retry: true,
                }
            } else if matches!(v.status, 401 | 403) || transport::says_bad_credentials(&message) {
                Verdict::Fail {
                    kind: ErrorKind::Authentication {
                        message: format!("status {}: {message}", v.status),
                    },
                    retry: false,
                }
            } else {
                Verdict::Fail {
                    kind: ErrorKind::Vendor {
                        status: Some(v.status),
                        code: None,
                        message,
                        request_id: v.request_id,
                    },
                    retry: false,
                }
            }
        }
        Err(e) => match e.as_decode() {
            Some(d) => transport::judge_decode(d, body),
            None => Verdict::Fail {
                kind: ErrorKind::Vendor {
                    status: None,
                    code: None,
                    message: e.to_string(),
                    request_id: None,
                },
                retry: false,
            },
        },
    }
}
