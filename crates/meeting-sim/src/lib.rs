//! A simulator of two Chinese meeting vendors' HTTP APIs — **Systec Cloud UMeeting** (shared
//! rooms) and **Quanshi** (全时) — over real HTTP (axum), in the spirit of stripe-mock and
//! LocalStack: for the clients' tests, for benchmarks and for the demo.
//!
//! Everything it serves is built from the model crates' types (`systec-model`,
//! `quanshi-model`), never from hand-written strings, so what a client parses is what the
//! models can express.
//!
//! # Example
//!
//! ```no_run
//! use meeting_sim::{FaultConfig, FaultKind, Sim, SimConfig};
//! use systec_model::DateWindow;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = SimConfig::new(7, 2_000)
//!     .with_faults(FaultConfig::parse("5xx=0.05,429=0.02,drift=0.1")?);
//! let sim = Sim::start(config).await?;
//! // http://127.0.0.1:PORT/umeeting/share/ — join `reports`, `detail`, `hisMeeting`.
//! let systec = sim.systec_base_url();
//! // http://127.0.0.1:PORT/quanshi/ — join `confopenapi/admin/dashboard/conference/info`
//! // or `sim.quanshi_conference_path()`.
//! let quanshi = sim.quanshi_base_url();
//! let credentials = sim.credentials();
//! # let _ = (systec, quanshi, credentials);
//!
//! // ... run the client under test ...
//!
//! // What the simulator holds for that query, drifted meetings included.
//! let window = DateWindow::new("2024-02-01".parse()?, "2024-02-29".parse()?)?;
//! let expected = sim.truth().detail(&window, None);
//! let five_xx = sim.faults_injected(FaultKind::ServerError);
//! # let _ = (expected, five_xx);
//! for record in sim.requests() {
//!     println!("{} {:?} {:?}", record.endpoint, record.http_status, record.fault);
//! }
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! From the command line:
//!
//! ```text
//! meeting-sim serve --seed 7 --meetings 10000 --latency 20ms --jitter 5ms --faults 5xx=0.05,429=0.02
//! meeting-sim gen --endpoint detail --size 200MB --seed 7 --out detail.jsonl
//! ```
//!
//! # What is simulated
//!
//! **Systec** (`POST`, `application/x-www-form-urlencoded`, under `/umeeting/share/`):
//!
//! - `detail`: shared-room meetings of a date window, paged (`page_size` default 30, at most
//!   1000; `page_number` default 1; `total_record`, `total_page`, `has_previous_page`,
//!   `has_next_page`), filtered by `uuid` and `host_id` (both applied within the window);
//!   `participants` and `telephony_usage` only with `show_participants` /
//!   `show_telephony_usage` (`true`/`1`); `from`/`to` default to today in the vendor zone
//!   ([`SimConfig::today`] fixes "today" for tests) and are echoed **as sent** (`2024-1-5`
//!   stays unpadded). Times are zone-less local times in the vendor zone (default
//!   `Asia/Shanghai`); `meeting_id` is a string; `duration` is the *scheduled* minutes, not
//!   end − start; phone calls have billed minutes (rounded up) and exact costs (0.06 yuan per
//!   minute out, 0.04 in).
//! - `hisMeeting`: `from`/`to` required; one record per ended occurrence (meeting numbers
//!   repeat), UTC ISO times, `duration` `"N分钟"` rounded up, `participants` a count.
//! - `reports`: a `uuid` list separated by `,` or `，`, answered in request order; a full
//!   report (numeric `id`) for ended meetings with at least two participants, else a stub
//!   `{"id": "..."}` with a **string** id; participants paged at 100 (`participants_count` is
//!   the true total, `page_count`, `page_number` 1, `page_size` 100, only the first 100 listed,
//!   as the real API would: incomplete).
//! - The one-month rule: a window whose `from` and `to` are in different calendar months
//!   ([`systec_model::DateWindow::is_compliant`]) silently serves only its last calendar month
//!   ([`systec_model::DateWindow::vendor_served`]) while echoing the requested dates. A
//!   meeting belongs to a window by the local date (vendor zone) of its start.
//! - Host names carry the vendor's trailing space (`"7 "`, `"room02 "`); `host`/`email` are
//!   the shared room's account and mailbox; UUIDs are 24-character base64 with `+`, `/`, `=`
//!   (clients must percent-encode them: an unencoded `+` arrives as a space, as on any
//!   form endpoint).
//!
//! **Quanshi** (`POST`, JSON, under a configurable prefix, default [`DEFAULT_QUANSHI_PREFIX`],
//! so clients are tested with a base URL that has a path):
//!
//! - Conference by join link at [`DEFAULT_QUANSHI_CONFERENCE_PATH`]
//!   (`confopenapi/conference/queryByAttendeeJoinUrl`) — **this path is invented**: the
//!   vendor's doc leaves it empty; configure it with [`SimConfig::quanshi_conference_path`].
//!   Body `{"attendeeJoinUrl": "..."}`; `result` is an array (one conference, or empty for an
//!   unknown link); the envelope has both `request_id` and `reqid`, like the doc's sample.
//! - Dashboard conference info at [`QUANSHI_DASHBOARD_PATH`]: body `{"tempConferenceId":
//!   "..."}`; `msg` `"success"`; running conferences (`status` 2, `stopTime` 0) and ended ones
//!   (`status` 4); `isSecureConf`/`isRecord` sometimes `null`.
//! - The token is read from the `token` header, or from the body's `"token"` when the header
//!   is absent.
//! - Envelopes: `status` 0, `result`, `msg`, `request_id`/`reqid`, `timestamp` (ms),
//!   `request_duration`. Timestamps and request ids come from a **deterministic clock**
//!   (after the data range, one second per Quanshi request), so responses are byte-identical
//!   across runs.
//!
//! # Data
//!
//! Generated from [`DataConfig::seed`] and [`DataConfig::meetings`] over
//! [`DataConfig::from`]..=[`DataConfig::to`] (default 2024-01-01..=2024-03-31: month ends and
//! the leap day 2024-02-29), with a tiny SplitMix64 generator: same seed and configuration,
//! byte-identical responses. Systec: 8 shared rooms; 10-digit meeting numbers drawn from a
//! pool a third the size of the data, so numbers repeat across occurrences; meetings start
//! 07:00–21:59 local; about 5 % have 0–1 participants and 2 % are live (both become report
//! stubs; live meetings have no `end_time` and are not history), about 3 % have 101–260
//! participants; Chinese, Latin and device-style names (`王芳的 iPhone`), devices, IPs,
//! cities, networks, empty participant ids; a quarter have phone calls (`call-out`/`call-in`).
//! Quanshi: reservations with attendees of every `userType` (1/2/3) and `status` (W/A/R),
//! `houseList`/`equipList`/`detailHouseList` with `SubDevices` (or `detailHouseList: null`),
//! secrets (`pcode1`, `pcode2`, `hostJoinUrl`, `wcallurl`, `livePullPwd`, `eventWatchword`),
//! `calExtraInfo` either `{}` or with `labels` as a JSON string; and as many dashboard
//! conferences. 10,000 meetings generate in well under a second (release build).
//!
//! # Ground truth
//!
//! [`SimHandle::truth`] tells a test what the simulator holds, read at call time:
//! [`Truth::detail`] (full records with participants and calls, in serving order, for the
//! served window), [`Truth::his_meetings`], [`Truth::report`] (with the **whole** participant
//! list), [`Truth::uuids`], [`Truth::rooms`], [`Truth::quanshi_conference`],
//! [`Truth::dashboard`], the known links and ids, and the accounting figures
//! ([`Truth::accounting`], below). Records added by page drift are
//! included. [`SimHandle::requests`] is the request log (endpoint as a
//! [`meeting_wire::Source`], parameters without secrets, HTTP and vendor status, fault);
//! [`SimHandle::fault_counts`] counts faults.
//!
//! The request log is bounded, for long runs (soak tests, a served demo): it keeps the newest
//! [`SimConfig::request_log_cap`] records (default [`DEFAULT_REQUEST_LOG_CAP`]), counts what
//! it dropped ([`SimHandle::requests_dropped`]) and can be emptied at any time
//! ([`SimHandle::clear_requests`]); [`RequestRecord::seq`] and
//! [`SimHandle::requests_answered`] count every request regardless.
//!
//! # Accounting cases
//!
//! [`SimConfig::with_accounting_cases`] (off by default, so the default data and every byte
//! served from it stay as they were) adds fixed records whose figures are known by hand, on
//! the data range's first day, after the generated ones:
//!
//! - **Systec** (rooms 1–6): report stubs for a meeting with one participant, one with none
//!   and a live one; a meeting only `detail` lists (`hisMeeting` does not, `reports` leaves its
//!   UUID out) in a room whose account name other meetings give (one is added there); a
//!   meeting where one person joins three times (five participant rows, three persons, with a
//!   call in and a call out); and an occurrence only `reports` knows, as a stub whose meeting
//!   number (`999000001`) matches no listed occurrence.
//! - **Quanshi** (rooms `DeviceId` 6701–6705): a reservation that booked several rooms, whose
//!   `houseList` (6701, 6702) and `detailHouseList` (6701 renamed, 6703) differ, and whose
//!   `eventId` (990001) its dashboard occurrence shares; a cancelled booking; a scheduled one;
//!   an ended reservation without an occurrence; a live occurrence without a reservation.
//!
//! The tables of times, participants and calls are in the source (`src/systec/cases.rs`,
//! `src/quanshi/cases.rs`); `tests/it/accounting.rs` checks the truth against them.
//!
//! # Ground truth for accounting
//!
//! [`Truth::accounting`] applies the design's accounting rules to everything the simulator
//! holds (generated data, drifted meetings, the accounting cases when on) and returns an
//! [`Accounting`]: [`Figures`] in total, per room ([`RoomKey`]) and for meetings in no room,
//! plus report-stub counts. The definitions:
//!
//! - **Room identity**: a Systec room is its account name, trimmed (`"7 "` → `7`; `detail`'s
//!   `host_id` resolves to it, so a `detail`-only meeting is counted under its name). A
//!   Quanshi room is its `DeviceId`: the rooms of a reservation are the union of `houseList`
//!   and `detailHouseList` by `DeviceId` (the `detailHouseList` name wins), whatever their
//!   approval status; entries without a `DeviceId` cannot be identified and are not rooms.
//! - **Meetings held**: occurrences `live` or `ended`. Every Systec occurrence `detail` or
//!   `hisMeeting` lists (the simulator has no future Systec meetings); every Quanshi dashboard
//!   occurrence with status 2 or 4. A Quanshi reservation whose `eventId` an occurrence shares
//!   is not counted: it lends that occurrence its rooms. A reservation alone counts as held
//!   when its status is 4 (ended), as **scheduled** when 1, **cancelled** when 0, else
//!   **unknown**. A meeting in several rooms counts once in each room and once in the total.
//! - **Measured seconds** (and [`Figures::measured_minutes`]): end − start of what happened;
//!   for a Quanshi occurrence without an end (live: `stopTime` 0), its `confDuration`;
//!   nothing for a live Systec meeting or a Quanshi reservation counted alone (a booking's
//!   times are not a measurement).
//! - **Billed minutes**: the vendor's own figure, Systec's `"N分钟"` (end − start rounded up),
//!   for ended meetings `hisMeeting`/`reports` list; none for a `detail`-only meeting (`detail`
//!   gives only the scheduled length) and none from Quanshi (it gives no billed figure).
//! - **Attendees**: distinct persons per meeting, summed over meetings. Systec: by user id
//!   when `reports` has a full report (over its whole participant list, not only the 100
//!   listed), else by trimmed name (the stubs' and `detail`-only meetings' participants are
//!   known from `detail`, which gives names only). Quanshi: the dashboard's `attendeeCnt`;
//!   `attendList` is the invitation list and never counts; a reservation counted alone has
//!   no attendance record (0).
//! - **Phone calls, minutes, cost**: the `telephony_usage` rows of Systec meetings held, their
//!   billed minutes (rounded up) and their exact cost in yuan (0.06 per minute out, 0.04 in).
//!   Quanshi gives no calls (its `pstnCnt` is a connection count).
//! - **Stubs**: the occurrences `reports` answers with a stub (ended with fewer than two
//!   participants, or live); **unmatched** when no occurrence `detail` or `hisMeeting` lists
//!   has the stub's meeting number and lacks a full report. Stubs are never meetings.
//!
//! # Faults
//!
//! Each kind has a rate in `[0, 1]` ([`FaultConfig`], or `--faults 5xx=0.05,429=0.02,...`;
//! `all=R` sets every kind). Decisions come from a generator seeded with
//! [`FaultConfig::seed`]: for each request (after its credentials are accepted) every kind is
//! rolled once, in the order of [`FaultKind::ALL`], and the first hit replaces the answer.
//!
//! | kind | what the client gets |
//! |---|---|
//! | `5xx` | HTTP 500, 502 or 503 with a small HTML body (as a proxy would send) |
//! | `429` | HTTP 429, `Retry-After: 1` ([`FaultConfig::retry_after_secs`]), a small JSON body |
//! | `ratelimit` | the Zoom-v1 family's answers, alternating: HTTP 403 `{"error":{"code":403,"message":"You have reached the maximum per-second rate limit for this API."}}` and HTTP 200 `{"error":{"code":429,"message":"rate limit exceeded"}}` (on the Quanshi endpoints too: Quanshi documents no rate-limit answer) |
//! | `slow` | the normal answer after [`FaultConfig::slow_delay`] (default 10 s), so a client timeout fires; cut short by shutdown |
//! | `drop` | the response body fails at once, so the server closes the connection before sending anything: the client sees a connection closed without a response |
//! | `truncate` | HTTP 200 announcing the full `Content-Length`, half the body, then the connection is closed |
//! | `drift` | `detail` only: before the page is served, a new ended meeting is inserted that sorts before every other meeting of the window (it starts before 07:00 local on the window's first day), so later pages shift and a walk sees duplicates; it is then a real meeting (truth, `reports`, `hisMeeting`) |
//!
//! Latency ([`FaultConfig::latency`] plus uniform [`FaultConfig::jitter`]) is added to every
//! answer that passed the credential check; it is not counted as a fault.
//!
//! # Decisions
//!
//! - **Credentials are checked first.** A wrong or missing `api_key`/`api_secret` is always
//!   the envelope `{"status": 401, "message": "Invalid api_key or api_secret.", "data": null}`
//!   (HTTP 200, like every Systec envelope: the status lives in the body), never a fault, so
//!   clients can test "fail on the first attempt, no retry" with every fault at rate 1.0. A
//!   wrong Quanshi token is likewise `{"status": 401, "msg": "token invalid", "result": null,
//!   ...}`.
//! - **Bad input never panics**: bad dates, numbers or flags, `from` after `to`, a missing
//!   required parameter are a status-400 envelope (HTTP 200); a body that is not a form is
//!   an HTTP 400 with a status-400 envelope; a Quanshi body that is not a JSON object, or
//!   lacks its id, is a status-400 Quanshi envelope.
//! - Unknown UUIDs in `reports` are left out of the answer (the vendor documents nothing).
//!   An unknown join link gives `result: []`; an unknown `tempConferenceId` gives `status`
//!   404, `msg` `"conference not found"` (both invented).
//! - An empty `detail` window has `total_page` 0.
//! - The simulator binds loopback addresses only (anything else is
//!   [`ConfigError::NotLoopback`]); dropping the [`SimHandle`] stops it, and
//!   [`SimHandle::shutdown`] stops it gracefully.
//! - Demo credentials ([`DEFAULT_API_KEY`], [`DEFAULT_API_SECRET`], [`DEFAULT_TOKEN`]) are
//!   not secrets; the binary takes others with `--api-key`, `--api-secret`, `--token` (or the
//!   `MEETING_SIM_*` environment variables).
//!
//! # Layout
//!
//! `server` routes (an exhaustive match on [`Source`]: no endpoint can be served another's
//! answer), checks credentials, injects faults and keeps the request log; `systec/` and
//! `quanshi/` each hold `data` (generation), `cases` (the accounting cases) and `answer`
//! (parameters in, model types out); `truth` and `accounting` read the data; `reply`, `rng`,
//! `text`, `config` and `faults` are leaves. No module imports one that imports it back.
//!
//! # Dumps
//!
//! [`dump::write_dump`] (and `meeting-sim gen`) writes JSON Lines, one raw response body per
//! line, until a target size: `detail` pages of 100 with participants and telephony, `reports`
//! answers of 20 UUIDs, `hisMeeting` answers of one day, one Quanshi answer per conference.
//! Data is generated lazily in batches of 1,000 meetings, so memory stays small.
#![forbid(unsafe_code)]

mod accounting;
mod config;
pub mod dump;
mod faults;
mod quanshi;
mod reply;
mod rng;
mod server;
mod systec;
mod text;
mod truth;

pub use accounting::{Accounting, Figures, RoomAccount, RoomKey};
pub use config::{
    ConfigError, DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_QUANSHI_CONFERENCE_PATH,
    DEFAULT_QUANSHI_PREFIX, DEFAULT_REQUEST_LOG_CAP, DEFAULT_TOKEN, DataConfig, FaultConfig,
    FaultKind, QUANSHI_DASHBOARD_PATH, SimConfig, parse_duration,
};
pub use meeting_wire::Source;
pub use server::RequestRecord;
pub use truth::{RoomInfo, Truth};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use systec_model::{Credentials, DateWindow};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::server::{Shared, lock};

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
    let generator =
        systec::data::Generator::new(d.seed, d.meetings, window, d.rooms, config.vendor_zone);
    let mut systec = systec::data::SystecData::generate(generator, d.meetings);
    if d.accounting_cases {
        systec::cases::add(&mut systec, d.seed, &config.vendor_zone);
    }
    let mut quanshi =
        quanshi::data::QuanshiData::generate(d.seed, d.quanshi_conferences, window, &config);
    if d.accounting_cases {
        let first = quanshi::data::day_start(window.from(), &config.vendor_zone);
        quanshi::cases::add(&mut quanshi, d.seed, first);
    }
    Ok(Shared {
        faults: Mutex::new(faults::FaultState::new(config.faults.seed)),
        systec: RwLock::new(systec),
        quanshi,
        log: Mutex::new(server::RequestLog::new(config.request_log_cap)),
        shutdown,
        reports_held: std::sync::atomic::AtomicBool::new(false),
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
    /// Holds back every meeting's report (`reports` answers stubs, as Systec does before it
    /// has built them) until called again with `false`: late reports, for testing the
    /// look-back of `meeting sync`. The ground truth ([`SimHandle::truth`]) is unchanged.
    pub fn hold_reports(&self, held: bool) {
        self.shared
            .reports_held
            .store(held, std::sync::atomic::Ordering::Relaxed);
    }

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

    /// The requests answered so far, oldest first: all of them, unless more than
    /// [`SimConfig::request_log_cap`] were answered since the start or the last
    /// [`SimHandle::clear_requests`], in which case the newest `cap` (see
    /// [`SimHandle::requests_dropped`]).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).records()
    }

    /// Forgets the logged requests, so a long run can keep its log small (fault counters,
    /// [`SimHandle::requests_answered`] and [`SimHandle::requests_dropped`] are kept;
    /// [`RequestRecord::seq`] keeps counting).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// How many log entries the cap ([`SimConfig::request_log_cap`]) has dropped since the
    /// start (the oldest go first). Entries forgotten by [`SimHandle::clear_requests`] are
    /// not counted.
    pub fn requests_dropped(&self) -> u64 {
        lock(&self.shared.log).dropped()
    }

    /// How many requests were answered since the start (logged or not).
    pub fn requests_answered(&self) -> u64 {
        lock(&self.shared.log).total()
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

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
