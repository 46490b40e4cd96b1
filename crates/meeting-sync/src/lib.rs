//! The jobs meeting-usage operators run, as a library: usable from the `meeting` CLI, a
//! scheduler, or any program, with no command line involved (as cargo's `ops` are to
//! `cargo`). Jobs take typed options and return typed results (counts, skipped inputs, what
//! failed); they never print. Rendering is `meeting-report`'s.
//!
//! Offline jobs (always built):
//!
//! - [`inputs`]: input resolution: files or directories named, else the archive
//!   ([`inputs::resolve_source`]; standard input only when `-` is named), with what was
//!   skipped; the saved runs' manifests and gaps.
//! - [`offline`]: the offline read → merge → filter of saved dumps or the archive, with bad
//!   documents and report stubs accounted for; the summaries behind `stats`.
//! - [`report`]: the input of `meeting report`: the span's meetings, the archive's coverage
//!   of it, the previous period, and what follows (nothing to write, a partial span).
//! - [`stats`]: the summaries behind `meeting stats`, and what masking their aggregate reads.
//! - [`import`]: files loaded into the archive (`meeting archive import`).
//! - [`archive`]: the archive's path, `purge`, `migrate`, `dump`, whether a report should
//!   sync first, and its [`archive::Coverage`] of a span.
//! - [`outputs`]: outputs that never clobber: files written whole (temporary + rename),
//!   directory outputs that replace only what they wrote.
//! - [`confirm`]: the question a destructive job asks, and `--yes` without a terminal.
//! - [`summary`]: the run summary (`--summary`) of a job, written atomically.
//! - [`tempdir`]: private (0700) directories in the shared temporary directory.
//! - [`dates`]: days as operators type them (`--month`, `--last-month`, `--since 7d`).
//! - [`failure`]: the class of a job's failure (credentials, unreachable, refused by the
//!   vendor, not found, busy...), which a caller maps to its own codes.
//! - [`config`]: the profiles file, its precedence with the environment, its permission
//!   checks, `config use`/`init` writing, and the data of `config list`.
//!
//! Network jobs (default feature `live`: meeting-http, tokio, reqwest; without it the crate
//! pulls no async runtime):
//!
//! - [`systec::fetch_range`]: the main job. For a range of vendor-zone dates, the history
//!   (`hisMeeting`), the details with participants and phone calls (`detail`), then the
//!   reports of every occurrence seen, handed over [`Batch`] by batch (one month window of one
//!   endpoint at a time) so that a caller can commit as it goes, and a [`RunSummary`] at the
//!   end. [`systec::detail`], [`systec::history`], [`systec::reports`]: one endpoint.
//! - [`quanshi::conference`], [`quanshi::info`], [`quanshi::lookups`]: one or many lookups.
//! - [`sync::sync_profile`]: `meeting sync`: an archive brought up to today, one month
//!   window per transaction with its cursor, resumable after a kill; Quanshi refreshed.
//! - [`sync::sync_trial`]: a profile synced into a private temporary archive and read back
//!   (`meeting demo` against the simulator).
//! - [`clients`]: the vendor clients built from [`config::Settings`], and the credential
//!   check of `config check`.
//! - [`Capture`]: keep what was fetched (save-raw runs that `meeting parse DIR` replays, raw
//!   bodies for `--raw`, a progress observer).
//!
//! Jobs take built clients ([`meeting_http::SystecClient`], [`meeting_http::QuanshiClient`])
//! and a [`meeting_core::Context`] (the vendor zone), and return normalised, unmerged
//! records: merge them with [`meeting_core::query::merge_sorted`].
//!
//! ```no_run
//! # #[cfg(feature = "live")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use meeting_sync::{Fetched, Quiet, systec};
//! let client = meeting_http::SystecClient::builder().credentials("key", "secret").build()?;
//! let ctx = meeting_core::Context::default();
//! let range = systec::FetchRange::new("2024-01-01".parse()?, "2024-03-31".parse()?);
//! let mut fetched = Fetched::default();
//! let summary = systec::fetch_range(&client, &ctx, &range, &Quiet, &mut |b| fetched.push(b)).await?;
//! let meetings = meeting_core::query::merge_sorted(fetched.meetings);
//! println!("{} meetings from {} requests", meetings.len(), summary.requests);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
// Without `live`, the links above to the network jobs have nothing to point to.
#![cfg_attr(not(feature = "live"), allow(rustdoc::broken_intra_doc_links))]

pub mod archive;
#[cfg(feature = "live")]
mod capture;
#[cfg(feature = "live")]
pub mod clients;
pub mod config;
pub mod confirm;
pub mod dates;
mod error;
pub mod failure;
pub mod import;
pub mod inputs;
#[cfg(feature = "live")]
mod job;
pub mod offline;
pub mod outputs;
#[cfg(feature = "live")]
pub mod quanshi;
pub mod report;
pub mod stats;
pub mod summary;
#[cfg(feature = "live")]
pub mod sync;
#[cfg(feature = "live")]
pub mod systec;
pub mod tempdir;

#[cfg(feature = "live")]
pub use capture::{Capture, CaptureError, ResponseObserver};
#[cfg(feature = "live")]
pub use job::{Batch, ETA_AFTER, Fetched, Progress, Quiet, RunSummary, eta_text};

#[cfg(all(doctest, feature = "live"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
