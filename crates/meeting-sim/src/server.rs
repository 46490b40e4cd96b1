//! The HTTP server: routes, credentials, faults and the request log. What an endpoint answers
//! is decided in [`crate::systec::answer`] and [`crate::quanshi::answer`]; this module only
//! routes to them, by an exhaustive match on [`Source`].

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use bytes::Bytes;
use chrono::{NaiveDate, Utc};
use meeting_wire::Source;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;
use systec_model::Envelope;
use tokio::sync::watch;

use crate::config::{FaultKind, SimConfig};
use crate::faults::{self, FaultState};
use crate::quanshi::answer::{self as quanshi, QuanshiRequest};
use crate::quanshi::data::QuanshiData;
use crate::reply::{Reply, json_type};
use crate::systec::answer::{self as systec, BadRequest, DetailParams, Params};
use crate::systec::data::SystecData;

/// One request the simulator answered, for tests to inspect.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Arrival order, from 0 (in the order answers were decided). It keeps counting across
    /// [`SimHandle::clear_requests`](crate::SimHandle::clear_requests) and entries dropped
    /// by the log's cap, so it is also the number of requests answered before this one.
    pub seq: u64,
    /// The endpoint called.
    pub endpoint: Source,
    /// The request's parameters without secrets (`api_key`, `api_secret`, `token` are
    /// removed), in the order sent.
    pub params: Vec<(String, String)>,
    /// The HTTP status sent; `None` when the connection was dropped.
    pub http_status: Option<u16>,
    /// The vendor status inside the body (Systec `status`, Quanshi `status`), when a normal
    /// answer was sent.
    pub vendor_status: Option<i64>,
    /// The fault that replaced or delayed the answer.
    pub fault: Option<FaultKind>,
    /// Whether page drift added a meeting before this `detail` page.
    pub drift: bool,
}

/// The bounded request log: the newest `cap` records; older ones are dropped and counted.
#[derive(Debug)]
pub(crate) struct RequestLog {
    entries: VecDeque<RequestRecord>,
    cap: usize,
    next_seq: u64,
    dropped: u64,
}

impl RequestLog {
    pub(crate) fn new(cap: usize) -> Self {
        RequestLog {
            entries: VecDeque::new(),
            cap,
            next_seq: 0,
            dropped: 0,
        }
    }

    fn push(&mut self, make: impl FnOnce(u64) -> RequestRecord) {
        let record = make(self.next_seq);
        self.next_seq += 1;
        if self.cap == 0 {
            self.dropped += 1;
            return;
        }
        while self.entries.len() >= self.cap {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(record);
    }

    /// The records kept, oldest first.
    pub(crate) fn records(&self) -> Vec<RequestRecord> {
        self.entries.iter().cloned().collect()
    }

    /// Records dropped by the cap since the start (clearing does not count as dropping).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Requests answered since the start.
    pub(crate) fn total(&self) -> u64 {
        self.next_seq
    }

    /// Forgets the kept records (the counters stay).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: SimConfig,
    pub(crate) systec: RwLock<SystecData>,
    pub(crate) quanshi: QuanshiData,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) log: Mutex<RequestLog>,
    pub(crate) shutdown: watch::Receiver<bool>,
    /// While set, `reports` answers every occurrence with a stub, as Systec does before it
    /// has built a meeting's report ([`crate::SimHandle::hold_reports`]).
    pub(crate) reports_held: std::sync::atomic::AtomicBool,
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

/// The path of `endpoint` under this configuration. Systec: `/umeeting/share/` and the
/// documented name; Quanshi: the configured prefix and path.
pub(crate) fn path(config: &SimConfig, endpoint: Source) -> String {
    match endpoint {
        Source::SystecDetail | Source::SystecHisMeeting | Source::SystecReports => {
            format!("/umeeting/share/{}", endpoint.wire_name())
        }
        Source::QuanshiConference => {
            format!(
                "{}{}",
                config.quanshi_prefix, config.quanshi_conference_path
            )
        }
        Source::QuanshiDashboard => {
            format!(
                "{}{}",
                config.quanshi_prefix,
                crate::config::QUANSHI_DASHBOARD_PATH
            )
        }
    }
}

/// The router for `config`: one route per endpoint, each bound to its own endpoint id.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for endpoint in Source::ALL {
        let at = path(&shared.config, endpoint);
        router = match endpoint {
            Source::SystecDetail | Source::SystecHisMeeting | Source::SystecReports => {
                router.route(
                    &at,
                    post(
                        move |s: State<Arc<Shared>>,
                              f: Result<Form<Vec<(String, String)>>, FormRejection>| {
                            systec_call(s, endpoint, f)
                        },
                    ),
                )
            }
            Source::QuanshiConference | Source::QuanshiDashboard => router.route(
                &at,
                post(move |s: State<Arc<Shared>>, h: HeaderMap, b: Bytes| {
                    quanshi_call(s, endpoint, h, b)
                }),
            ),
        };
    }
    router.with_state(shared)
}

async fn systec_call(
    State(shared): State<Arc<Shared>>,
    endpoint: Source,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(pairs)) = form else {
        let reply = systec::error(
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
        let reply = systec::error(StatusCode::OK, 401, "Invalid api_key or api_secret.");
        return finish_unfaulted(&shared, endpoint, public, reply);
    }
    let decision =
        lock(&shared.faults).decide(&shared.config.faults, endpoint == Source::SystecDetail);
    let reply = match systec_answer(&shared, endpoint, &params, decision.drift) {
        Ok(reply) => reply,
        Err(BadRequest(message)) => systec::error(StatusCode::OK, 400, &message),
    };
    finish(&shared, endpoint, public, reply, decision).await
}

fn systec_answer(
    shared: &Shared,
    endpoint: Source,
    params: &Params<'_>,
    drift: bool,
) -> Result<Reply, BadRequest> {
    let zone = shared.config.vendor_zone;
    Ok(match endpoint {
        Source::SystecDetail => {
            let q = DetailParams::parse(params, shared.today())?;
            if drift {
                write(&shared.systec).insert_drift(&q.window.served(), q.host_id.as_deref());
            }
            let page = systec::detail_page(&read(&shared.systec), &zone, &q);
            Reply::json(StatusCode::OK, 200, &Envelope::ok(page))
        }
        Source::SystecHisMeeting => {
            let w = systec::his_meeting_params(params)?;
            let list = systec::his_meetings(&read(&shared.systec), &zone, &w.requested);
            Reply::json(StatusCode::OK, 200, &Envelope::ok(list))
        }
        Source::SystecReports => {
            let uuids = systec::reports_params(params)?;
            let list = systec::reports(
                &read(&shared.systec),
                &uuids,
                shared
                    .reports_held
                    .load(std::sync::atomic::Ordering::Relaxed),
            );
            Reply::json(StatusCode::OK, 200, &Envelope::ok(list))
        }
        // Never routed here (see `router`); answered as an unknown path, never as another
        // endpoint's answer.
        Source::QuanshiConference | Source::QuanshiDashboard => {
            systec::error(StatusCode::NOT_FOUND, 404, "not a Systec endpoint")
        }
    })
}

async fn quanshi_call(
    State(shared): State<Arc<Shared>>,
    endpoint: Source,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = QuanshiRequest::read(&headers, &body);
    let public = request.public_params();
    if !request.token_is(&shared.config.token) {
        let reply = quanshi::error_reply(&shared.quanshi, 401, "token invalid");
        return finish_unfaulted(&shared, endpoint, public, reply);
    }
    let decision = lock(&shared.faults).decide(&shared.config.faults, false);
    let data = &shared.quanshi;
    let reply = match endpoint {
        Source::QuanshiConference => quanshi::conference(data, &request),
        Source::QuanshiDashboard => quanshi::dashboard(data, &request),
        // Never routed here (see `router`).
        Source::SystecDetail | Source::SystecHisMeeting | Source::SystecReports => {
            quanshi::error_reply(data, 404, "not a Quanshi endpoint")
        }
    };
    finish(&shared, endpoint, public, reply, decision).await
}

fn record(
    shared: &Shared,
    endpoint: Source,
    params: Vec<(String, String)>,
    http_status: Option<u16>,
    vendor_status: Option<i64>,
    fault: Option<FaultKind>,
    drift: bool,
) {
    lock(&shared.log).push(|seq| RequestRecord {
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
    endpoint: Source,
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
    endpoint: Source,
    params: Vec<(String, String)>,
    reply: Reply,
    decision: faults::Decision,
) -> Response {
    pause(shared, decision.delay).await;
    let config = &shared.config.faults;
    let (response, http, vendor) = match decision.fault {
        // `drift` changes the data before the page and is never the fault of a decision.
        None | Some(FaultKind::Drift) => {
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
        Some(FaultKind::Truncate) => (faults::truncated(&reply.body, json_type()), Some(200), None),
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
