//! The Quanshi (全时) conference open API client.

use meeting_wire::{ApiRequest, Source, Vendor};
use quanshi_model::{
    Auth, ConferenceByJoinUrlRequest, DashboardConferenceInfoRequest, JoinLink, Token,
    TokenPlacement,
};
use std::sync::Arc;

use crate::error::{CallContext, Error, ErrorKind};
use crate::transport::{self, Transport, TransportConfig};

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
        let ctx = CallContext::build(Vendor::Quanshi);
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
        let base = transport::base_url(&base, &ctx)?;
        let dashboard = Source::QuanshiDashboard;
        let dashboard_path = self
            .dashboard_path
            .as_deref()
            .or(dashboard.default_path())
            .unwrap_or(quanshi_model::dashboard_conference_info::PATH);
        let dashboard_url =
            transport::endpoint_url(&base, dashboard_path, &CallContext::new(dashboard))?;
        let conference = Source::QuanshiConference;
        let conference_url = self
            .conference_path
            .as_deref()
            .or(conference.default_path())
            .map(|p| transport::endpoint_url(&base, p, &CallContext::new(conference)))
            .transpose()?;
        let transport =
            Transport::new(self.transport, &base).map_err(|m| Error::invalid(ctx, m))?;
        Ok(QuanshiClient {
            inner: Arc::new(Inner {
                transport,
                auth: Auth::new(token, self.placement),
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
    auth: Auth,
    conference_url: Option<reqwest::Url>,
    dashboard_url: reqwest::Url,
}

impl std::fmt::Debug for QuanshiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuanshiClient")
            .field("dashboard_url", &self.inner.dashboard_url.as_str())
            .field("token", &self.inner.auth.token)
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

    /// The URL of a Quanshi endpoint: `None` for another vendor's, or for the join-link
    /// endpoint when its path was not configured.
    fn url(&self, endpoint: Source) -> Option<&reqwest::Url> {
        match endpoint {
            Source::QuanshiConference => self.inner.conference_url.as_ref(),
            Source::QuanshiDashboard => Some(&self.inner.dashboard_url),
            Source::SystecDetail | Source::SystecHisMeeting | Source::SystecReports => None,
        }
    }

    /// Sends one request through the shared call path.
    async fn call<R>(&self, context: CallContext, request: &R) -> Result<R::Response, Error>
    where
        R: ApiRequest<Auth = Auth>,
    {
        let url = self.url(R::ENDPOINT).ok_or_else(|| {
            Error::invalid(
                context.clone(),
                match R::ENDPOINT {
                    Source::QuanshiConference => "the join-link endpoint's path is not configured (the vendor does not document it)",
                    Source::QuanshiDashboard
                    | Source::SystecDetail
                    | Source::SystecHisMeeting
                    | Source::SystecReports => "not an endpoint of the Quanshi client",
                },
            )
        })?;
        self.inner
            .transport
            .call(context, url, &self.inner.auth, request)
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
        let ctx = CallContext::new(Source::QuanshiConference);
        let link = JoinLink::new(attendee_join_url);
        tracing::debug!(link = %link, "quanshi conference by join link");
        let envelope = self
            .call(ctx, &ConferenceByJoinUrlRequest::new(link))
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
        let ctx = CallContext::new(Source::QuanshiDashboard);
        let envelope = self
            .call(
                ctx.clone(),
                &DashboardConferenceInfoRequest::new(temp_conference_id),
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
