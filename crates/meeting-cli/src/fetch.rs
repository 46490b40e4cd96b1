//! Live commands: building the clients, raw capture (`--raw`, `--save-raw`), the main job.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use futures::StreamExt;
use meeting_core::normalize::{normalize_detail_meeting, normalize_his_meeting};
use meeting_core::{Context, Meeting, Normalize, SavedResponse, Source};
use meeting_http::{QuanshiClient, RateLimit, RawResponse, SystecClient};
use systec_model::detail::DetailQuery;

use crate::config::Settings;
use crate::error::{CliError, Result};

/// One captured body, for `--raw`.
pub(crate) struct RawBody {
    pub(crate) body: Vec<u8>,
}

#[derive(Default)]
struct CaptureState {
    seq: u64,
    raw: Vec<RawBody>,
    write_errors: Vec<String>,
}

/// Receives every accepted response: saves it (`--save-raw`), keeps it (`--raw`), and
/// ticks the progress bar.
#[derive(Clone)]
pub(crate) struct Capture {
    dir: Option<PathBuf>,
    keep_raw: bool,
    state: Arc<Mutex<CaptureState>>,
    progress: indicatif::ProgressBar,
}

impl Capture {
    /// A capture writing to `dir` (which must be new or empty) and/or keeping bodies.
    pub(crate) fn new(
        dir: Option<&Path>,
        keep_raw: bool,
        progress: indicatif::ProgressBar,
    ) -> Result<Self> {
        if let Some(dir) = dir {
            prepare_dir(dir)?;
        }
        Ok(Capture {
            dir: dir.map(Path::to_path_buf),
            keep_raw,
            state: Arc::new(Mutex::new(CaptureState::default())),
            progress,
        })
    }

    /// The hook for the clients.
    pub(crate) fn hook(&self) -> meeting_http::RawCapture {
        let this = self.clone();
        Arc::new(move |raw: &RawResponse| this.receive(raw))
    }

    fn receive(&self, raw: &RawResponse) {
        if !raw.accepted {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.seq += 1;
        let seq = state.seq;
        self.progress
            .set_message(format!("{seq} responses ({})", raw.endpoint));
        self.progress.tick();
        if let Some(dir) = &self.dir {
            let written = Source::from_name(raw.endpoint)
                .ok_or_else(|| format!("unknown endpoint {}", raw.endpoint))
                .and_then(|source| {
                    let record = SavedResponse::new(
                        source,
                        raw.params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                        raw.fetched_at,
                        raw.http_status,
                        &raw.body,
                    );
                    let mut text = serde_json::to_vec(&record).map_err(|e| e.to_string())?;
                    text.push(b'\n');
                    let path = dir.join(format!("{seq:06}-{}.json", raw.endpoint));
                    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
                });
            if let Err(e) = written {
                state.write_errors.push(e);
            }
        }
        if self.keep_raw {
            state.raw.push(RawBody {
                body: raw.body.to_vec(),
            });
        }
    }

    /// The bodies kept for `--raw`, in fetch order.
    pub(crate) fn take_raw(&self) -> Vec<RawBody> {
        self.state
            .lock()
            .map(|mut s| std::mem::take(&mut s.raw))
            .unwrap_or_default()
    }

    /// Failures to write saved records.
    pub(crate) fn check_saved(&self) -> Result<()> {
        let errors = self
            .state
            .lock()
            .map(|s| s.write_errors.clone())
            .unwrap_or_default();
        match errors.first() {
            None => Ok(()),
            Some(first) => Err(CliError::new(
                crate::error::Exit::Partial,
                format!(
                    "could not save {} raw response(s), first: {first}. The replay directory is incomplete.",
                    errors.len()
                ),
            )),
        }
    }
}

/// `--save-raw DIR` must be new or empty, so a replay reads exactly one run.
fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::usage(format!(
            "cannot create the --save-raw directory {}: {e}",
            dir.display()
        ))
    })?;
    let non_empty = std::fs::read_dir(dir)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", dir.display())))?
        .next()
        .is_some();
    if non_empty {
        return Err(CliError::usage(format!(
            "the --save-raw directory {} is not empty; choose a new or empty directory so a replay reads exactly one run",
            dir.display()
        )));
    }
    Ok(())
}

/// Client tuning that does not come from the vendor docs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tuning {
    /// Requests per second overall (`Some(0)` = off).
    pub(crate) rate_limit: Option<u32>,
    /// `reports` requests per second (`Some(0)` = off).
    pub(crate) reports_rate_limit: Option<u32>,
    pub(crate) page_size: Option<u32>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) max_attempts: Option<u32>,
}

impl Tuning {
    pub(crate) fn from_settings(s: &Settings) -> Self {
        Tuning {
            rate_limit: s.profile.rate_limit,
            reports_rate_limit: s.profile.reports_rate_limit,
            page_size: s.profile.page_size,
            concurrency: s.profile.concurrency,
            max_attempts: s.profile.max_attempts,
        }
    }
}

/// The Systec client from the settings.
pub(crate) fn systec_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
) -> Result<SystecClient> {
    let (Some(key), Some(secret)) = (&s.systec_api_key, &s.systec_api_secret) else {
        return Err(CliError::usage(format!(
            "no Systec credentials: set SYSTEC_API_KEY and SYSTEC_API_SECRET, or add them to the profile `{}` in {} with `meeting config init`",
            s.profile_name,
            s.path.display()
        )));
    };
    let mut b = SystecClient::builder()
        .credentials(key.clone(), secret.clone())
        .raw_capture(capture.hook());
    if let Some(url) = &s.systec_base_url {
        b = b.base_url(url.clone());
    }
    if let Some(n) = tuning.rate_limit {
        b = b.rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.reports_rate_limit {
        b = b.reports_rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.page_size {
        b = b.page_size(n);
    }
    if let Some(n) = tuning.concurrency {
        b = b.concurrency(n);
    }
    if let Some(n) = tuning.max_attempts {
        b = b.retry(meeting_http::RetryPolicy::default().max_attempts(n));
    }
    b.build().map_err(|e| CliError::http(&e))
}

/// The Quanshi client from the settings.
pub(crate) fn quanshi_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
) -> Result<QuanshiClient> {
    let Some(token) = &s.quanshi_token else {
        return Err(CliError::usage(format!(
            "no Quanshi token: set QUANSHI_TOKEN, or add it to the profile `{}` in {} with `meeting config init`",
            s.profile_name,
            s.path.display()
        )));
    };
    let Some(base) = &s.quanshi_base_url else {
        return Err(CliError::usage(
            "no Quanshi base URL (the vendor documents none): set QUANSHI_BASE_URL or the profile's quanshi_base_url",
        ));
    };
    let mut b = QuanshiClient::builder()
        .base_url(base.clone())
        .token(token.clone())
        .raw_capture(capture.hook());
    if let Some(path) = &s.quanshi_conference_path {
        b = b.conference_path(path.clone());
    }
    if let Some(n) = tuning.rate_limit {
        b = b.rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.max_attempts {
        b = b.retry(meeting_http::RetryPolicy::default().max_attempts(n));
    }
    b.build().map_err(|e| CliError::http(&e))
}

/// What a live command got: meetings, and the calls that failed.
#[derive(Default)]
pub(crate) struct Fetched {
    pub(crate) meetings: Vec<Meeting>,
    pub(crate) errors: Vec<meeting_http::Error>,
}

impl Fetched {
    fn fail(&mut self, e: meeting_http::Error) {
        tracing::warn!(error = %e, "call failed");
        self.errors.push(e);
    }

    /// Whether an authentication failure makes everything else moot.
    fn auth_failed(&self) -> bool {
        self.errors
            .iter()
            .any(meeting_http::Error::is_authentication)
    }
}

/// The main job: history, detail (participants and calls), reports of every uuid seen.
pub(crate) async fn systec_fetch(
    client: &SystecClient,
    ctx: &Context,
    from: NaiveDate,
    to: NaiveDate,
    room: Option<&str>,
    progress: &indicatif::ProgressBar,
) -> Fetched {
    let mut out = Fetched::default();
    let mut uuids: BTreeSet<String> = BTreeSet::new();

    progress.set_prefix("systec history");
    let history = client.his_meetings(from, to);
    futures::pin_mut!(history);
    while let Some(item) = history.next().await {
        match item {
            Ok(h) => {
                if room.is_none()
                    && let Some(u) = &h.uuid
                {
                    uuids.insert(u.as_str().to_owned());
                }
                out.meetings.push(normalize_his_meeting(h, ctx));
            }
            Err(e) => out.fail(e),
        }
    }
    if out.auth_failed() {
        return out;
    }

    progress.set_prefix("systec detail");
    let mut query = DetailQuery::new()
        .from(from)
        .to(to)
        .show_participants(true)
        .show_telephony_usage(true);
    if let Some(room) = room {
        query = query.host_id(room);
    }
    let detail = client.detail(query);
    futures::pin_mut!(detail);
    while let Some(item) = detail.next().await {
        match item {
            Ok(d) => {
                if let Some(u) = &d.uuid {
                    uuids.insert(u.as_str().to_owned());
                }
                out.meetings.push(normalize_detail_meeting(d, ctx));
            }
            Err(e) => out.fail(e),
        }
    }
    if out.auth_failed() {
        return out;
    }

    progress.set_prefix("systec reports");
    if !uuids.is_empty() {
        match client.reports(uuids.iter().map(String::as_str)).await {
            Ok(entries) => entries.normalize_into(ctx, &mut out.meetings),
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `meeting systec detail`.
pub(crate) async fn systec_detail(
    client: &SystecClient,
    ctx: &Context,
    query: DetailQuery,
) -> Fetched {
    let mut out = Fetched::default();
    let detail = client.detail(query);
    futures::pin_mut!(detail);
    while let Some(item) = detail.next().await {
        match item {
            Ok(d) => out.meetings.push(normalize_detail_meeting(d, ctx)),
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `meeting systec history`.
pub(crate) async fn systec_history(
    client: &SystecClient,
    ctx: &Context,
    from: NaiveDate,
    to: NaiveDate,
) -> Fetched {
    let mut out = Fetched::default();
    let history = client.his_meetings(from, to);
    futures::pin_mut!(history);
    while let Some(item) = history.next().await {
        match item {
            Ok(h) => out.meetings.push(normalize_his_meeting(h, ctx)),
            Err(e) => out.fail(e),
        }
    }
    out
}

/// `meeting systec reports`.
pub(crate) async fn systec_reports(
    client: &SystecClient,
    ctx: &Context,
    uuids: &[String],
) -> Fetched {
    let mut out = Fetched::default();
    match client.reports(uuids.iter().map(String::as_str)).await {
        Ok(entries) => entries.normalize_into(ctx, &mut out.meetings),
        Err(e) => out.fail(e),
    }
    out
}

/// `meeting quanshi conference`.
pub(crate) async fn quanshi_conference(
    client: &QuanshiClient,
    ctx: &Context,
    link: &str,
) -> Fetched {
    let mut out = Fetched::default();
    match client.conference_by_join_url(link).await {
        Ok(list) => list.normalize_into(ctx, &mut out.meetings),
        Err(e) => out.fail(e),
    }
    out
}

/// `meeting quanshi info`.
pub(crate) async fn quanshi_info(client: &QuanshiClient, ctx: &Context, temp_id: &str) -> Fetched {
    let mut out = Fetched::default();
    match client.dashboard_conference_info(temp_id).await {
        Ok(d) => d.normalize_into(ctx, &mut out.meetings),
        Err(e) => out.fail(e),
    }
    out
}
