//! meeting-sim (docs below are completed at the end).
#![forbid(unsafe_code)]

mod config;
mod data;
pub mod dump;
mod faults;
mod quanshi;
mod rng;
mod server;
mod systec;
mod truth;

pub use config::{
    ConfigError, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_QUANSHI_CONFERENCE_PATH,
    DEFAULT_QUANSHI_PREFIX, DEFAULT_TOKEN, DataConfig, FaultConfig, FaultKind,
    QUANSHI_DASHBOARD_PATH, SimConfig, parse_duration,
};
pub use truth::{RoomInfo, Truth};

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use systec_model::{Credentials, DateWindow};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::server::{Shared, lock};

/// One of the simulated endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SimEndpoint {
    /// Systec `POST umeeting/share/reports`.
    SystecReports,
    /// Systec `POST umeeting/share/detail`.
    SystecDetail,
    /// Systec `POST umeeting/share/hisMeeting`.
    SystecHisMeeting,
    /// Quanshi conference by join link (invented path, see [`DEFAULT_QUANSHI_CONFERENCE_PATH`]).
    QuanshiConference,
    /// Quanshi `POST confopenapi/admin/dashboard/conference/info`.
    QuanshiDashboard,
}

impl SimEndpoint {
    /// The source name: `systec.reports`, `systec.detail`, `systec.his_meeting`,
    /// `quanshi.conference`, `quanshi.dashboard`.
    pub fn name(self) -> &'static str {
        match self {
            SimEndpoint::SystecReports => "systec.reports",
            SimEndpoint::SystecDetail => "systec.detail",
            SimEndpoint::SystecHisMeeting => "systec.his_meeting",
            SimEndpoint::QuanshiConference => "quanshi.conference",
            SimEndpoint::QuanshiDashboard => "quanshi.dashboard",
        }
    }
}

impl fmt::Display for SimEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One request the simulator answered, for tests to inspect.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Arrival order, from 0 (in the order answers were decided).
    pub seq: u64,
    /// The endpoint called.
    pub endpoint: SimEndpoint,
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

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("cannot bind {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The simulator. See the [crate docs](crate).
#[derive(Debug)]
pub struct Sim;

impl Sim {
    /// Generates the data, binds `config.addr` (loopback only; port 0 picks a free port) and
    /// serves in a background task until [`SimHandle::shutdown`] or the handle is dropped.
    ///
    /// # Errors
    /// An invalid configuration (a non-loopback address, a bad path prefix, an empty date
    /// range) or a bind failure.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        validate(&config)?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.addr,
            source,
        })?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = Arc::new(build_shared(config, stop_rx.clone())?);
        let app = server::router(Arc::clone(&shared));
        let mut signal = stop_rx;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = signal.wait_for(|stop| *stop).await;
                })
                .await;
        });
        Ok(SimHandle {
            shared,
            addr,
            stop: stop_tx,
            task: Some(task),
        })
    }
}

fn validate(config: &SimConfig) -> Result<(), ConfigError> {
    if !config.addr.ip().is_loopback() {
        return Err(ConfigError::NotLoopback(config.addr));
    }
    let p = &config.quanshi_prefix;
    let bad = |s: &str| s.contains(['{', '}', '*', '?', '#', ' ']);
    if !p.starts_with('/') || !p.ends_with('/') || bad(p) || p.contains("//") {
        return Err(ConfigError::BadPath(p.clone()));
    }
    let c = &config.quanshi_conference_path;
    if c.is_empty() || c.starts_with('/') || bad(c) || c == QUANSHI_DASHBOARD_PATH {
        return Err(ConfigError::BadPath(c.clone()));
    }
    if config.data.from > config.data.to {
        return Err(ConfigError::BadData(String::from("`from` is after `to`")));
    }
    Ok(())
}

fn build_shared(config: SimConfig, shutdown: watch::Receiver<bool>) -> Result<Shared, ConfigError> {
    let d = &config.data;
    let window = DateWindow::new(d.from, d.to).map_err(|e| ConfigError::BadData(e.to_string()))?;
    let generator = data::Generator::new(d.seed, d.meetings, window, d.rooms, config.vendor_zone);
    let systec = data::SystecData::generate(generator, d.meetings);
    let quanshi = quanshi::QuanshiData::generate(d.seed, d.quanshi_conferences, window, &config);
    Ok(Shared {
        faults: Mutex::new(faults::FaultState::new(config.faults.seed)),
        systec: RwLock::new(systec),
        quanshi,
        log: Mutex::new(Vec::new()),
        shutdown,
        config,
    })
}

/// A running simulator. Dropping it stops the server (abruptly); prefer
/// [`SimHandle::shutdown`].
#[derive(Debug)]
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/umeeting/share/`: join `reports`, `detail`, `hisMeeting`.
    pub fn systec_base_url(&self) -> String {
        format!("http://{}/umeeting/share/", self.addr)
    }

    /// `http://127.0.0.1:PORT/quanshi/` (the configured prefix, with its trailing slash):
    /// join [`QUANSHI_DASHBOARD_PATH`] or [`SimHandle::quanshi_conference_path`].
    pub fn quanshi_base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.shared.config.quanshi_prefix)
    }

    /// The conference-by-join-link path relative to [`SimHandle::quanshi_base_url`].
    pub fn quanshi_conference_path(&self) -> &str {
        &self.shared.config.quanshi_conference_path
    }

    /// The Systec credentials the simulator accepts.
    pub fn credentials(&self) -> Credentials {
        Credentials::new(
            self.shared.config.api_key.clone(),
            self.shared.config.api_secret.clone(),
        )
    }

    /// The `api_key` the simulator accepts.
    pub fn api_key(&self) -> &str {
        &self.shared.config.api_key
    }

    /// The `api_secret` the simulator accepts.
    pub fn api_secret(&self) -> &str {
        &self.shared.config.api_secret
    }

    /// The Quanshi token the simulator accepts.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// The ground truth.
    pub fn truth(&self) -> Truth {
        Truth {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the request log (fault counters are kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Faults injected so far, per kind (kinds never injected are absent).
    pub fn fault_counts(&self) -> BTreeMap<FaultKind, u64> {
        lock(&self.shared.faults).counts.clone()
    }

    /// Faults of one kind injected so far.
    pub fn faults_injected(&self, kind: FaultKind) -> u64 {
        self.fault_counts().get(&kind).copied().unwrap_or(0)
    }

    /// Stops accepting connections, lets requests in flight finish (slow replies are cut
    /// short) and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
