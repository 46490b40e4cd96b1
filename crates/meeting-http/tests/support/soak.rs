//! The fault soak, shared by the short soak test (`tests/it/soak.rs`) and the long one
//! (`examples/soak.rs`, run by `cargo xtask soak`).
//!
//! One run: a simulator with its own seed and every transient fault switched on at a rate
//! drawn up to `max_rate`; the client fetches `detail` (with participants and calls) and
//! `hisMeeting` over a range of three months, then `reports` for a sample; the result must be
//! exactly the simulator's ground truth, or a clear error naming what is missing. A silent
//! partial result counts as lost records and fails the soak.

use futures::{StreamExt, TryStreamExt};
use meeting_http::{RetryPolicy, SystecClient};
use meeting_sim::{FaultConfig, FaultKind, Sim, SimConfig};
use std::time::Duration;
use systec_model::{DateWindow, DetailQuery};

/// Totals over runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct SoakReport {
    pub(crate) runs: u64,
    pub(crate) runs_exact: u64,
    pub(crate) runs_failed_clearly: u64,
    pub(crate) requests: u64,
    pub(crate) faults: u64,
    pub(crate) records_compared: u64,
    pub(crate) records_lost: u64,
    /// Windows and batches that came back with a failure (the partial rounds).
    pub(crate) partial_units: u64,
    /// Records kept from those windows and batches (received before or after the failure).
    pub(crate) records_kept_under_failure: u64,
    pub(crate) failures: Vec<String>,
}

impl std::fmt::Display for SoakReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "runs={} exact={} failed_clearly={} requests={} faults_injected={} records_compared={} records_lost={} partial_units={} records_kept_under_failure={}",
            self.runs,
            self.runs_exact,
            self.runs_failed_clearly,
            self.requests,
            self.faults,
            self.records_compared,
            self.records_lost,
            self.partial_units,
            self.records_kept_under_failure
        )
    }
}

/// splitmix64, for the per-run fault rates.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[allow(clippy::cast_precision_loss)]
fn rate(seed: u64, kind: u64, max_rate: f64) -> f64 {
    (mix(seed ^ kind.wrapping_mul(0x1000_0001)) >> 11) as f64 / (1u64 << 53) as f64 * max_rate
}

/// Every transient fault on, each at its own rate up to `max_rate` (drawn from the seed and
/// `offset`), slow replies short and `Retry-After` zero so a run stays quick.
fn every_fault(seed: u64, offset: u64, max_rate: f64) -> FaultConfig {
    let mut faults = FaultConfig::none();
    for (i, kind) in FaultKind::ALL.into_iter().enumerate() {
        faults = faults.with(kind, rate(seed, i as u64 + offset, max_rate));
    }
    faults.seed = seed;
    faults.slow_delay = Duration::from_millis(1500);
    faults.retry_after_secs = 0;
    faults
}

/// The soak's client against `sim`: no rate limits, small pages, short timeouts (the caller
/// sets the retry policy).
fn soak_client(sim: &meeting_sim::SimHandle) -> meeting_http::SystecClientBuilder {
    SystecClient::builder()
        .base_url(sim.systec_base_url())
        .credentials_from(sim.credentials())
        .rate_limit(None)
        .reports_rate_limit(None)
        .concurrency(6)
        .page_size(20)
        .timeouts(
            Duration::from_millis(400),
            Duration::from_millis(400),
            Duration::from_millis(800),
        )
}

/// One soak run; adds to `report`.
pub(crate) async fn run_once(seed: u64, meetings: usize, max_rate: f64, report: &mut SoakReport) {
    let faults = every_fault(seed, 1, max_rate);
    let sim = Sim::start(SimConfig::new(seed, meetings).with_faults(faults))
        .await
        .expect("simulator starts");
    let client = soak_client(&sim)
        .retry(
            RetryPolicy::default()
                .max_attempts(10)
                .backoff(Duration::from_millis(1), Duration::from_millis(20))
                .deadline(Duration::from_secs(30)),
        )
        .build()
        .expect("client builds");
    let (from, to) = (
        "2024-01-01".parse().unwrap_or_default(),
        "2024-03-31".parse().unwrap_or_default(),
    );
    report.runs += 1;
    let detail: Result<Vec<_>, _> = client
        .detail(
            DetailQuery::new()
                .from(from)
                .to(to)
                .show_participants(true)
                .show_telephony_usage(true),
        )
        .try_collect()
        .await;
    let history: Result<Vec<_>, _> = client.his_meetings(from, to).try_collect().await;
    let windows: Vec<DateWindow> = DateWindow::new(from, to)
        .map(|w| w.split_by_month().collect())
        .unwrap_or_default();
    // Read the truth after the run: drift added records while it ran.
    let truth = sim.truth();
    let mut clean = true;
    match detail {
        Ok(got) => {
            let want: Vec<_> = windows.iter().flat_map(|w| truth.detail(w, None)).collect();
            report.records_compared += want.len() as u64;
            let lost = want.iter().filter(|w| !got.contains(w)).count() as u64;
            let extra = got.len().saturating_sub(want.len() - lost as usize);
            if lost > 0 || extra > 0 || got != want {
                report.records_lost += lost.max(1);
                report.failures.push(format!(
                    "seed {seed}: detail differs from the truth ({lost} lost, {extra} extra)"
                ));
                clean = false;
            }
        }
        Err(e) => {
            clean = false;
            judge_error(seed, &e, report);
        }
    }
    match history {
        Ok(got) => {
            let want: Vec<_> = windows.iter().flat_map(|w| truth.his_meetings(w)).collect();
            report.records_compared += want.len() as u64;
            if got != want {
                let lost = want.iter().filter(|w| !got.contains(w)).count() as u64;
                report.records_lost += lost.max(1);
                report.failures.push(format!(
                    "seed {seed}: history differs from the truth ({lost} lost)"
                ));
                clean = false;
            }
        }
        Err(e) => {
            clean = false;
            judge_error(seed, &e, report);
        }
    }
    let sample: Vec<_> = truth.uuids().into_iter().step_by(17).take(40).collect();
    match client.reports(sample.clone()).await {
        Ok(got) => {
            report.records_compared += sample.len() as u64;
            for (uuid, entry) in sample.iter().zip(&got) {
                let want = truth.report(uuid.as_str());
                let same = match (entry, &want) {
                    (
                        systec_model::ReportEntry::Stub(a),
                        Some(systec_model::ReportEntry::Stub(b)),
                    ) => a == b,
                    (
                        systec_model::ReportEntry::Report(a),
                        Some(systec_model::ReportEntry::Report(b)),
                    ) => a.uuid == b.uuid,
                    _ => false,
                };
                if !same {
                    report.records_lost += 1;
                    report
                        .failures
                        .push(format!("seed {seed}: report {uuid} differs"));
                    clean = false;
                }
            }
        }
        Err(e) => {
            clean = false;
            judge_error(seed, &e, report);
        }
    }
    if clean {
        report.runs_exact += 1;
    }
    report.requests += sim.requests().len() as u64;
    report.faults += sim.fault_counts().values().sum::<u64>();
    sim.shutdown().await;
}

/// An error is acceptable only when it is clear: it names the endpoint and what failed.
fn judge_error(seed: u64, e: &meeting_http::Error, report: &mut SoakReport) {
    let text = e.to_string();
    if text.starts_with("systec.") && e.is_transient()
        || matches!(e.kind(), meeting_http::ErrorKind::Incomplete { .. })
    {
        report.runs_failed_clearly += 1;
    } else {
        report
            .failures
            .push(format!("seed {seed}: unexpected error: {text}"));
    }
}

/// Whether `got` is `want` with some records left out, in the same order, with no record
/// twice and none that `want` lacks.
fn is_subsequence<T: PartialEq>(got: &[T], want: &[T]) -> bool {
    let mut rest = want.iter();
    got.iter().all(|g| rest.any(|w| w == g))
}

/// One "keeps everything received" run: the simulator fails half its answers with 5xx (and
/// injects every other transient fault at a rate drawn up to `max_rate`, drift included), the
/// client retries at most twice, so windows, pages and batches fail. Every window must come
/// back with records that are the truth with some left out (in order, nothing extra, no
/// duplicate), exactly the truth when it is complete, and each failure must name its window
/// (and page) or batch. A partial window that kept nothing while other pages arrived, or a
/// record that is not the truth, counts as lost.
pub(crate) async fn run_partial(
    seed: u64,
    meetings: usize,
    max_rate: f64,
    report: &mut SoakReport,
) {
    let faults = every_fault(seed, 11, max_rate).with(FaultKind::ServerError, 0.5);
    let sim = Sim::start(SimConfig::new(seed, meetings).with_faults(faults))
        .await
        .expect("simulator starts");
    let client = soak_client(&sim)
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .backoff(Duration::from_millis(1), Duration::from_millis(5))
                .deadline(Duration::from_secs(10)),
        )
        .reports_batch_size(5)
        .build()
        .expect("client builds");
    let (from, to) = (
        "2024-01-01".parse().unwrap_or_default(),
        "2024-03-31".parse().unwrap_or_default(),
    );
    report.runs += 1;
    let detail: Vec<_> = client
        .detail_windows(
            DetailQuery::new()
                .from(from)
                .to(to)
                .show_participants(true)
                .show_telephony_usage(true),
        )
        .collect()
        .await;
    let history: Vec<_> = client.his_meeting_windows(from, to).collect().await;
    let sample: Vec<_> = sim
        .truth()
        .uuids()
        .into_iter()
        .step_by(11)
        .take(40)
        .collect();
    let batches: Vec<_> = client.reports_batches(sample.clone()).collect().await;
    let truth = sim.truth();
    let mut clean = true;
    let mut fail = |report: &mut SoakReport, message: String| {
        report.records_lost += 1;
        report
            .failures
            .push(format!("seed {seed} (partial): {message}"));
        clean = false;
    };
    for w in &detail {
        let want = truth.detail(&w.window, None);
        report.records_compared += w.records.len() as u64;
        let named = w.failures.iter().all(|e| {
            e.context().window == Some(w.window)
                && (e.context().page.is_some()
                    || matches!(e.kind(), meeting_http::ErrorKind::Incomplete { .. }))
        });
        if !named {
            fail(
                report,
                format!(
                    "a detail failure does not name its window/page: {:?}",
                    w.failures
                ),
            );
        }
        if w.is_complete() {
            if w.records != want {
                fail(
                    report,
                    format!(
                        "complete detail window {:?} differs from the truth",
                        w.window
                    ),
                );
            }
        } else {
            report.partial_units += 1;
            report.records_kept_under_failure += w.records.len() as u64;
            if !is_subsequence(&w.records, &want) {
                fail(
                    report,
                    format!(
                        "partial detail window {:?} holds records that are not the truth, out of order or twice",
                        w.window
                    ),
                );
            }
            let page1_failed = w.failures.iter().any(|e| e.context().page == Some(1));
            if !page1_failed && w.records.is_empty() && !want.is_empty() {
                fail(
                    report,
                    format!("partial detail window {:?} kept nothing", w.window),
                );
            }
        }
    }
    for w in &history {
        let want = truth.his_meetings(&w.window);
        report.records_compared += w.records.len() as u64;
        if w.is_complete() {
            if w.records != want {
                fail(
                    report,
                    format!("history window {:?} differs from the truth", w.window),
                );
            }
        } else {
            report.partial_units += 1;
            if !w.records.is_empty()
                || w.failures
                    .iter()
                    .any(|e| e.context().window != Some(w.window))
            {
                fail(
                    report,
                    format!(
                        "failed history window {:?} is not reported as such",
                        w.window
                    ),
                );
            }
        }
    }
    let asked: Vec<String> = batches.iter().flat_map(|b| b.uuids.clone()).collect();
    if asked
        != sample
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect::<Vec<_>>()
    {
        fail(
            report,
            "the batches do not list the UUIDs asked, in order".to_owned(),
        );
    }
    let any_batch_failed = batches.iter().any(|b| b.result.is_err());
    for (i, b) in batches.iter().enumerate() {
        match &b.result {
            Ok(entries) => {
                report.records_compared += entries.len() as u64;
                if any_batch_failed {
                    report.records_kept_under_failure += entries.len() as u64;
                }
                for (uuid, entry) in b.uuids.iter().zip(entries) {
                    let same = match (entry, truth.report(uuid)) {
                        (
                            systec_model::ReportEntry::Report(a),
                            Some(systec_model::ReportEntry::Report(b)),
                        ) => a.uuid == b.uuid,
                        (a, Some(b)) => *a == b,
                        (_, None) => false,
                    };
                    if !same {
                        fail(report, format!("report {uuid} differs"));
                    }
                }
            }
            Err(e) => {
                report.partial_units += 1;
                if e.context().batch != Some(i) {
                    fail(
                        report,
                        format!("failed batch {i} names batch {:?}", e.context().batch),
                    );
                }
            }
        }
    }
    if clean {
        report.runs_exact += 1;
    }
    report.requests += sim.requests().len() as u64;
    report.faults += sim.fault_counts().values().sum::<u64>();
    sim.shutdown().await;
}
