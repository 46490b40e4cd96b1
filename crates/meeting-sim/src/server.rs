//! The HTTP server: routes, credentials, faults, the request log.

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use systec_model::Envelope;
use tokio::sync::watch;

use crate::config::{FaultKind, SimConfig};
use crate::data::SystecData;
use crate::faults::{self, FaultState};
use crate::quanshi::{self, QuanshiData};
use crate::systec::{self, BadRequest, DetailParams, Params};
use crate::{RequestRecord, SimEndpoint};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    pub(crate) systec: RwLock<SystecData>,
    pub(crate) quanshi: QuanshiData,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) log: Mutex<Vec<RequestRecord>>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// "Today" in the vendor zone.
    pub(crate) fn today(&self) -> NaiveDate {
        self.config.today.unwrap_or_else(|| {
            Utc::now()
                .with_timezone(&self.config.vendor_zone)
                .date_naive()
        })
    }
}

/// A normal (unfaulted) answer.
pub(crate) struct Reply {
    pub(crate) http: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) vendor_status: Option<i64>,
}

impl Reply {
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

    fn into_response(self) -> Response {
        let mut resp = Response::new(Body::from(self.body));
        *resp.status_mut() = self.http;
        resp.headers_mut().insert(header::CONTENT_TYPE, json_type());
        resp
    }
}

fn json_type() -> HeaderValue {
    HeaderValue::from_static("application/json;charset=UTF-8")
}

/// A Systec failure envelope: `{"status": N, "message": "...", "data": null}`.
pub(crate) fn systec_error(http: StatusCode, status: i64, message: &str) -> Reply {
    #[derive(Serialize)]
    struct ErrorEnvelope<'a> {
        status: i64,
        message: &'a str,
        data: Option<()>,
    }
    Reply::json(
        http,
        status,
        &ErrorEnvelope {
            status,
            message,
            data: None,
        },
    )
}

/// The router for `config`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let prefix = shared.config.quanshi_prefix.clone();
    let conference = format!("{prefix}{}", shared.config.quanshi_conference_path);
    let dashboard = format!("{prefix}{}", crate::config::QUANSHI_DASHBOARD_PATH);
    Router::new()
        .route(
            "/umeeting/share/reports",
            post(
                |s: State<Arc<Shared>>, f: Result<Form<Vec<(String, String)>>, FormRejection>| {
                    systec_call(s, SimEndpoint::SystecReports, f)
                },
            ),
        )
        .route(
            "/umeeting/share/detail",
            post(
                |s: State<Arc<Shared>>, f: Result<Form<Vec<(String, String)>>, FormRejection>| {
                    systec_call(s, SimEndpoint::SystecDetail, f)
                },
            ),
        )
        .route(
            "/umeeting/share/hisMeeting",
            post(
                |s: State<Arc<Shared>>, f: Result<Form<Vec<(String, String)>>, FormRejection>| {
                    systec_call(s, SimEndpoint::SystecHisMeeting, f)
                },
            ),
        )
        .route(
            &conference,
            post(|s: State<Arc<Shared>>, h: HeaderMap, b: Bytes| {
                quanshi_call(s, SimEndpoint::QuanshiConference, h, b)
            }),
        )
        .route(
            &dashboard,
            post(|s: State<Arc<Shared>>, h: HeaderMap, b: Bytes| {
                quanshi_call(s, SimEndpoint::QuanshiDashboard, h, b)
            }),
        )
        .with_state(shared)
}

async fn systec_call(
    State(shared): State<Arc<Shared>>,
    endpoint: SimEndpoint,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        let reply = systec_error(
            StatusCode::BAD_REQUEST,
            400,
            "expected an application/x-www-form-urlencoded body",
        );
        return finish_unfaulted(&shared, endpoint, Vec::new(), reply);
    };
    let public: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "api_key" && k != "api_secret")
        .cloned()
        .collect();
    let params = Params(&pairs);
    // Credentials first: a wrong one is always the 401 envelope, never a fault.
    let key_ok = params.get("api_key") == Some(shared.config.api_key.as_str());
    let secret_ok = params.get("api_secret") == Some(shared.config.api_secret.as_str());
    if !(key_ok && secret_ok) {
        let reply = systec_error(StatusCode::OK, 401, "Invalid api_key or api_secret.");
        return finish_unfaulted(&shared, endpoint, public, reply);
    }
    let decision =
        lock(&shared.faults).decide(&shared.config.faults, endpoint == SimEndpoint::SystecDetail);
    let reply = match systec_answer(&shared, endpoint, &params, decision.drift) {
        Ok(reply) => reply,
        Err(BadRequest(message)) => systec_error(StatusCode::OK, 400, &message),
    };
    finish(&shared, endpoint, public, reply, decision).await
}

fn systec_answer(
    shared: &Shared,
    endpoint: SimEndpoint,
    params: &Params<'_>,
    drift: bool,
) -> Result<Reply, BadRequest> {
    let zone = shared.config.vendor_zone;
    Ok(match endpoint {
        SimEndpoint::SystecDetail => {
            let q = DetailParams::parse(params, shared.today())?;
            if drift {
                write(&shared.systec).insert_drift(&q.window.served(), q.host_id.as_deref());
            }
            let page = systec::detail_page(&read(&shared.systec), &zone, &q);
            Reply::json(StatusCode::OK, 200, &Envelope::ok(page))
        }
        SimEndpoint::SystecHisMeeting => {
            let w = systec::his_meeting_params(params)?;
            let list = systec::his_meetings(&read(&shared.systec), &zone, &w.requested);
            Reply::json(StatusCode::OK, 200, &Envelope::ok(list))
        }
        _ => {
            let uuids = systec::reports_params(params)?;
            let list = systec::reports(&read(&shared.systec), &uuids);
            Reply::json(StatusCode::OK, 200, &Envelope::ok(list))
        }
    })
}

async fn quanshi_call(
    State(shared): State<Arc<Shared>>,
    endpoint: SimEndpoint,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = quanshi::QuanshiRequest::read(&headers, &body);
    let public = request.public_params();
    if !request.token_is(&shared.config.token) {
        let reply = quanshi::error_reply(&shared.quanshi, 401, "token invalid");
        return finish_unfaulted(&shared, endpoint, public, reply);
    }
    let decision = lock(&shared.faults).decide(&shared.config.faults, false);
    let reply = quanshi::answer(&shared.quanshi, endpoint, &request);
    finish(&shared, endpoint, public, reply, decision).await
}

fn record(
    shared: &Shared,
    endpoint: SimEndpoint,
    params: Vec<(String, String)>,
    http_status: Option<u16>,
    vendor_status: Option<i64>,
    fault: Option<FaultKind>,
    drift: bool,
) {
    let mut log = lock(&shared.log);
    let seq = log.len() as u64;
    log.push(RequestRecord {
        seq,
        endpoint,
        params,
        http_status,
        vendor_status,
        fault,
        drift,
    });
}

fn finish_unfaulted(
    shared: &Shared,
    endpoint: SimEndpoint,
    params: Vec<(String, String)>,
    reply: Reply,
) -> Response {
    record(
        shared,
        endpoint,
        params,
        Some(reply.http.as_u16()),
        reply.vendor_status,
        None,
        false,
    );
    reply.into_response()
}

/// Sleeps, unless the simulator is shutting down.
async fn pause(shared: &Shared, delay: Duration) {
    if delay.is_zero() {
        return;
    }
    let mut shutdown = shared.shutdown.clone();
    tokio::select! {
        () = tokio::time::sleep(delay) => {}
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

async fn finish(
    shared: &Shared,
    endpoint: SimEndpoint,
    params: Vec<(String, String)>,
    reply: Reply,
    decision: faults::Decision,
) -> Response {
    pause(shared, decision.delay).await;
    let config = &shared.config.faults;
    let (response, http, vendor) = match decision.fault {
        None => {
            let (h, v) = (reply.http.as_u16(), reply.vendor_status);
            (reply.into_response(), Some(h), v)
        }
        Some(FaultKind::Slow) => {
            pause(shared, config.slow_delay).await;
            let (h, v) = (reply.http.as_u16(), reply.vendor_status);
            (reply.into_response(), Some(h), v)
        }
        Some(FaultKind::ServerError) => {
            let status = lock(&shared.faults).server_error_status();
            (faults::server_error(status), Some(status), None)
        }
        Some(FaultKind::TooManyRequests) => (
            faults::too_many_requests(config.retry_after_secs),
            Some(429),
            None,
        ),
        Some(FaultKind::RateLimit) => {
            let resp = faults::rate_limit(decision.variant);
            let status = resp.status().as_u16();
            (resp, Some(status), None)
        }
        Some(FaultKind::Drop) => (faults::dropped(), None, None),
        Some(FaultKind::Truncate) | Some(_) => {
            (faults::truncated(&reply.body, json_type()), Some(200), None)
        }
    };
    record(
        shared,
        endpoint,
        params,
        http,
        vendor,
        decision.fault,
        decision.drift,
    );
    response
}
