//! The simulator's configuration: data, credentials, paths and faults.

use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

/// The demo `api_key` the simulator expects unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "sim-api-key";
/// The demo `api_secret` the simulator expects unless configured otherwise.
pub const DEFAULT_API_SECRET: &str = "sim-api-secret";
/// The demo Quanshi `token` the simulator expects unless configured otherwise.
pub const DEFAULT_TOKEN: &str = "sim-token";
/// The default path prefix under which the Quanshi API is served.
pub const DEFAULT_QUANSHI_PREFIX: &str = "/quanshi/";
/// The default path (relative to the Quanshi prefix) of the conference-by-join-link
/// endpoint. **Invented**: the vendor's doc leaves the path empty.
pub const DEFAULT_QUANSHI_CONFERENCE_PATH: &str = "confopenapi/conference/queryByAttendeeJoinUrl";
/// How many request records [`SimHandle::requests`](crate::SimHandle::requests) keeps by
/// default (the newest; older ones are dropped and counted).
pub const DEFAULT_REQUEST_LOG_CAP: usize = 100_000;
/// The documented path (relative to the Quanshi prefix) of the dashboard endpoint.
pub const QUANSHI_DASHBOARD_PATH: &str = "confopenapi/admin/dashboard/conference/info";

/// Everything [`Sim::start`](crate::Sim::start) needs. Start from [`SimConfig::default`]
/// and change what matters.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SimConfig {
    /// The generated data.
    pub data: DataConfig,
    /// The zone of the vendor's zone-less times and date parameters (default
    /// `Asia/Shanghai`).
    pub vendor_zone: Tz,
    /// The `api_key` the Systec endpoints expect.
    pub api_key: String,
    /// The `api_secret` the Systec endpoints expect.
    pub api_secret: String,
    /// The Quanshi `token` expected in the `token` header (or the body's `"token"`).
    pub token: String,
    /// The path prefix of the Quanshi API, with leading and trailing `/` (default
    /// [`DEFAULT_QUANSHI_PREFIX`]).
    pub quanshi_prefix: String,
    /// The conference-by-join-link path relative to the prefix (default
    /// [`DEFAULT_QUANSHI_CONFERENCE_PATH`], invented).
    pub quanshi_conference_path: String,
    /// The faults to inject.
    pub faults: FaultConfig,
    /// "Today" in the vendor zone, for `detail` without `from`/`to`; `None` reads the clock.
    pub today: Option<NaiveDate>,
    /// The address to bind: loopback only (default `127.0.0.1:0`, any free port).
    pub addr: SocketAddr,
    /// How many request records the log keeps (the newest); 0 keeps none. Default
    /// [`DEFAULT_REQUEST_LOG_CAP`].
    pub request_log_cap: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            data: DataConfig::default(),
            vendor_zone: systec_model::DEFAULT_VENDOR_ZONE,
            api_key: DEFAULT_API_KEY.to_owned(),
            api_secret: DEFAULT_API_SECRET.to_owned(),
            token: DEFAULT_TOKEN.to_owned(),
            quanshi_prefix: DEFAULT_QUANSHI_PREFIX.to_owned(),
            quanshi_conference_path: DEFAULT_QUANSHI_CONFERENCE_PATH.to_owned(),
            faults: FaultConfig::default(),
            today: None,
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            request_log_cap: DEFAULT_REQUEST_LOG_CAP,
        }
    }
}

impl SimConfig {
    /// The default configuration with this seed and number of meetings.
    pub fn new(seed: u64, meetings: usize) -> Self {
        let mut config = SimConfig::default();
        config.data.seed = seed;
        config.data.meetings = meetings;
        config
    }

    /// Adds (or not) the accounting cases to the generated data: see
    /// [`DataConfig::accounting_cases`] and the crate docs, "Accounting cases". Off by default.
    #[must_use]
    pub fn with_accounting_cases(mut self, on: bool) -> Self {
        self.data.accounting_cases = on;
        self
    }

    /// Sets how many request records the log keeps (see [`SimConfig::request_log_cap`]).
    #[must_use]
    pub fn with_request_log_cap(mut self, cap: usize) -> Self {
        self.request_log_cap = cap;
        self
    }

    /// Sets the faults.
    #[must_use]
    pub fn with_faults(mut self, faults: FaultConfig) -> Self {
        self.faults = faults;
        self
    }
}

/// What data to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DataConfig {
    /// The seed: same seed and configuration, byte-identical responses.
    pub seed: u64,
    /// The number of Systec meeting occurrences.
    pub meetings: usize,
    /// The first day (vendor zone) meetings start on.
    pub from: NaiveDate,
    /// The last day (vendor zone) meetings start on.
    pub to: NaiveDate,
    /// The number of Systec shared rooms (at least 1).
    pub rooms: usize,
    /// The number of Quanshi reservations (and as many dashboard conferences).
    pub quanshi_conferences: usize,
    /// Adds the accounting cases (off by default, so the default data stays as it was):
    /// report stubs, a `detail`-only meeting, rejoining participants, a stub that matches
    /// nothing, multi-room, cancelled and scheduled Quanshi bookings, `houseList` and
    /// `detailHouseList` that differ, an occurrence sharing its reservation's `eventId`. See
    /// the crate docs, "Accounting cases".
    pub accounting_cases: bool,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            seed: 7,
            meetings: 500,
            from: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default(),
            rooms: 8,
            quanshi_conferences: 50,
            accounting_cases: false,
        }
    }
}

/// One kind of fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// `5xx`: HTTP 500, 502 or 503 with a small HTML body.
    ServerError,
    /// `429`: HTTP 429 with `Retry-After`.
    TooManyRequests,
    /// `ratelimit`: the Zoom-v1-family rate-limit answers, alternating an HTTP 403 and an
    /// HTTP 200, both with an `{"error": {...}}` body.
    RateLimit,
    /// `slow`: the reply is delayed by [`FaultConfig::slow_delay`].
    Slow,
    /// `drop`: the connection is closed without a response.
    Drop,
    /// `truncate`: HTTP 200 whose body stops half-way (the connection is then closed).
    Truncate,
    /// `drift`: `detail` only; a new meeting is inserted before the current page, so later
    /// pages shift.
    Drift,
}

impl FaultKind {
    /// Every kind, in the order they are decided.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Drop,
        FaultKind::Truncate,
        FaultKind::ServerError,
        FaultKind::TooManyRequests,
        FaultKind::RateLimit,
        FaultKind::Slow,
        FaultKind::Drift,
    ];

    /// The name used in `--faults`: `5xx`, `429`, `ratelimit`, `slow`, `drop`, `truncate`,
    /// `drift`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::ServerError => "5xx",
            FaultKind::TooManyRequests => "429",
            FaultKind::RateLimit => "ratelimit",
            FaultKind::Slow => "slow",
            FaultKind::Drop => "drop",
            FaultKind::Truncate => "truncate",
            FaultKind::Drift => "drift",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ConfigError::UnknownFault(s.trim().to_owned()))
    }
}

/// Which faults to inject, how often, and how they behave.
///
/// Each request (after its credentials are accepted) rolls once per kind, in the order of
/// [`FaultKind::ALL`], from a generator seeded with [`FaultConfig::seed`]; the first kind
/// whose roll is under its rate replaces the normal answer. `drift` is independent: it
/// changes the data and the page is then served normally (or faulted).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FaultConfig {
    /// Rate in `[0, 1]` per kind; a missing kind is 0.
    pub rates: BTreeMap<FaultKind, f64>,
    /// Added to every reply.
    pub latency: Duration,
    /// A uniform random extra in `[0, jitter]` added to every reply.
    pub jitter: Duration,
    /// How long a `slow` reply is delayed (default 10 s).
    pub slow_delay: Duration,
    /// The `Retry-After` of a `429`, in seconds (default 1).
    pub retry_after_secs: u64,
    /// The fault generator's seed.
    pub seed: u64,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rates: BTreeMap::new(),
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            slow_delay: Duration::from_secs(10),
            retry_after_secs: 1,
            seed: 0x5EED,
        }
    }
}

impl FaultConfig {
    /// No faults.
    pub fn none() -> Self {
        FaultConfig::default()
    }

    /// Every kind at the same rate.
    pub fn all(rate: f64) -> Self {
        let mut config = FaultConfig::default();
        for kind in FaultKind::ALL {
            config.rates.insert(kind, rate.clamp(0.0, 1.0));
        }
        config
    }

    /// Sets one kind's rate (clamped to `[0, 1]`).
    #[must_use]
    pub fn with(mut self, kind: FaultKind, rate: f64) -> Self {
        self.rates.insert(kind, rate.clamp(0.0, 1.0));
        self
    }

    /// One kind's rate.
    pub fn rate(&self, kind: FaultKind) -> f64 {
        self.rates.get(&kind).copied().unwrap_or(0.0)
    }

    /// Parses `5xx=0.05,429=0.02,ratelimit=0.01,slow=0.01,drop=0.01,truncate=0.01,drift=0.1`
    /// (any subset, any order; `all=R` sets every kind; an empty string is no fault).
    ///
    /// # Errors
    /// An unknown kind, or a rate that is not a number in `[0, 1]`.
    pub fn parse(spec: &str) -> Result<Self, ConfigError> {
        let mut config = FaultConfig::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, rate) = item
                .split_once('=')
                .ok_or_else(|| ConfigError::BadFaultItem(item.to_owned()))?;
            let rate: f64 = rate
                .trim()
                .parse()
                .map_err(|_| ConfigError::BadRate(item.to_owned()))?;
            if !(0.0..=1.0).contains(&rate) {
                return Err(ConfigError::BadRate(item.to_owned()));
            }
            if name.trim().eq_ignore_ascii_case("all") {
                for kind in FaultKind::ALL {
                    config.rates.insert(kind, rate);
                }
            } else {
                config.rates.insert(name.parse()?, rate);
            }
        }
        Ok(config)
    }
}

impl FromStr for FaultConfig {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultConfig::parse(s)
    }
}

/// Parses `20ms`, `1.5s`, `10s`, `250us`, `1m`, or a bare number of milliseconds.
///
/// # Errors
/// Anything else.
pub fn parse_duration(text: &str) -> Result<Duration, ConfigError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| ConfigError::BadDuration(text.to_owned()))?;
    let seconds = match unit.trim() {
        "" | "ms" => value / 1000.0,
        "us" | "µs" => value / 1_000_000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        _ => return Err(ConfigError::BadDuration(text.to_owned())),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| ConfigError::BadDuration(text.to_owned()))
}

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A fault name that is not one of [`FaultKind::ALL`].
    #[error(
        "unknown fault kind `{0}` (expected 5xx, 429, ratelimit, slow, drop, truncate, drift or all)"
    )]
    UnknownFault(String),
    /// A fault item without `=`.
    #[error("invalid fault `{0}`: expected KIND=RATE")]
    BadFaultItem(String),
    /// A rate that is not a number in `[0, 1]`.
    #[error("invalid fault rate in `{0}`: expected a number from 0 to 1")]
    BadRate(String),
    /// A duration that cannot be read.
    #[error("invalid duration `{0}`: expected e.g. 20ms, 1.5s")]
    BadDuration(String),
    /// An address that is not loopback.
    #[error("refusing to bind {0}: the simulator binds loopback addresses only")]
    NotLoopback(SocketAddr),
    /// A path prefix or endpoint path that cannot be routed.
    #[error("invalid path `{0}`: expected a prefix like /quanshi/ and a relative path")]
    BadPath(String),
    /// A data range whose end is before its start, or with no rooms.
    #[error("invalid data configuration: {0}")]
    BadData(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_faults_and_durations() {
        let f = FaultConfig::parse("5xx=0.05, 429=0.02,drift=1").unwrap();
        assert_eq!(f.rate(FaultKind::ServerError), 0.05);
        assert_eq!(f.rate(FaultKind::TooManyRequests), 0.02);
        assert_eq!(f.rate(FaultKind::Drift), 1.0);
        assert_eq!(f.rate(FaultKind::Drop), 0.0);
        assert!(FaultConfig::parse("nope=0.1").is_err());
        assert!(FaultConfig::parse("5xx=2").is_err());
        assert!(FaultConfig::parse("5xx").is_err());
        assert_eq!(FaultConfig::parse("all=0.5").unwrap().rates.len(), 7);
        assert_eq!(parse_duration("20ms").unwrap(), Duration::from_millis(20));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("5").unwrap(), Duration::from_millis(5));
        assert!(parse_duration("fast").is_err());
    }
}
