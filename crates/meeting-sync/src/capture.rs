//! Keeping what a job fetched: every accepted response saved as a record in a directory
//! (`--save-raw DIR`, replayable with `meeting parse DIR`), kept in memory for `--raw`, and
//! announced to an observer (a progress bar).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use meeting_core::run::{MANIFEST_FILE, RunManifest, Span};
use meeting_core::{SavedResponse, Source};
use meeting_http::{RawCapture, RawResponse};

use crate::Batch;

/// Called with the running count of accepted responses and the endpoint of the latest.
pub type ResponseObserver = Arc<dyn Fn(u64, Source) + Send + Sync>;

#[derive(Default)]
struct State {
    seq: u64,
    raw: Vec<Vec<u8>>,
    write_errors: Vec<String>,
    manifest: Option<RunManifest>,
    /// The directory, open and locked (an OS advisory lock the kernel releases if the
    /// process dies) for as long as the capture lives.
    lock: Option<std::fs::File>,
}

/// Receives every accepted response of the clients it is hooked into
/// ([`Capture::hook`]): saves it as a record in a directory, keeps its body, and tells an
/// observer.
///
/// Records are named `000001-systec.his_meeting.json` in the order the clients accepted the
/// responses, so a directory listing sorts in fetch order; each holds the endpoint, the request
/// parameters (secrets removed), the time fetched and the verbatim body
/// ([`meeting_core::SavedResponse`]).
///
/// A save-raw run is atomic and exclusive: the directory is locked (an OS advisory lock,
/// released by the kernel if the process dies) and must be empty once locked, so two runs
/// can never mix their records; each record is written under a hidden temporary name and
/// renamed, so a record is whole or absent; files are `0600` in a `0700` directory (Unix).
/// The run manifest ([`meeting_core::run::RunManifest`], file [`MANIFEST_FILE`]) is written
/// when the run starts ([`Capture::start_run`]), rewritten atomically after every batch
/// ([`Capture::record_batch`]), and marked complete only at the end
/// ([`Capture::finish_run`]): a replay of an interrupted or failed run says it is partial.
#[derive(Clone)]
pub struct Capture {
    dir: Option<PathBuf>,
    keep_raw: bool,
    observer: Option<ResponseObserver>,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("dir", &self.dir)
            .field("keep_raw", &self.keep_raw)
            .finish_non_exhaustive()
    }
}

/// The save-raw directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// It cannot be created or listed.
    #[error("cannot use the --save-raw directory {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It already holds files.
    #[error(
        "the --save-raw directory {} is not empty; choose a new or empty directory so a replay reads exactly one run",
        path.display()
    )]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// Another run holds it.
    #[error(
        "the --save-raw directory {} is in use by another run; choose another directory",
        path.display()
    )]
    Busy {
        /// The directory.
        path: PathBuf,
    },
}

impl Capture {
    /// A capture that saves nothing and keeps nothing (an observer may still be set).
    pub fn none() -> Self {
        Capture {
            dir: None,
            keep_raw: false,
            observer: None,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Saves every accepted response as a record in `dir`, which must be new or empty (so a
    /// replay reads exactly one run); created if missing.
    pub fn save_to(mut self, dir: &Path) -> Result<Self, CaptureError> {
        let lock = prepare_dir(dir)?;
        if let Ok(mut state) = self.state.lock() {
            state.lock = Some(lock);
        }
        self.dir = Some(dir.to_path_buf());
        Ok(self)
    }

    /// Starts the run's manifest: `job` (`systec fetch`), the dates asked and their zone;
    /// returns the run's start, the observation time of its records (a replay of the saved
    /// run observes them at the manifest's `started_at`, the same instant). Without a
    /// save-raw directory nothing is written.
    pub fn start_run(
        &self,
        job: &str,
        span: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
        zone: Option<&str>,
    ) -> chrono::DateTime<chrono::Utc> {
        let started = chrono::Utc::now();
        let mut manifest = RunManifest::start(job, started);
        manifest.span = span.map(|(from, to)| Span { from, to });
        manifest.zone = zone.map(str::to_owned);
        self.update_manifest(|m| *m = Some(manifest));
        started
    }

    /// Records a finished batch in the manifest (done, or failed with the reason).
    pub fn record_batch(&self, batch: &Batch) {
        let what = match batch.window {
            Some(w) => format!("{} {}..{}", batch.endpoint, w.from(), w.to()),
            None => batch.endpoint.to_string(),
        };
        self.update_manifest(|m| {
            if let Some(m) = m {
                if batch.is_complete() {
                    m.done.push(what);
                } else {
                    let reasons: Vec<String> =
                        batch.failures.iter().map(ToString::to_string).collect();
                    m.failed.push(format!("{what}: {}", reasons.join(" / ")));
                }
            }
        });
    }

    /// Ends the run: the manifest is complete when `complete` and no batch failed.
    pub fn finish_run(&self, complete: bool) {
        self.update_manifest(|m| {
            if let Some(m) = m {
                m.finished_at = Some(chrono::Utc::now());
                m.complete = complete && m.failed.is_empty();
            }
        });
    }

    /// Changes the manifest and rewrites it atomically (when saving).
    fn update_manifest(&self, change: impl FnOnce(&mut Option<RunManifest>)) {
        let Some(dir) = &self.dir else { return };
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        change(&mut state.manifest);
        let seq = state.seq;
        let Some(manifest) = state.manifest.as_mut() else {
            return;
        };
        manifest.updated_at = chrono::Utc::now();
        manifest.responses = seq;
        let written = serde_json::to_vec_pretty(&*manifest)
            .map_err(|e| e.to_string())
            .and_then(|mut text| {
                text.push(b'\n');
                write_atomically(dir, MANIFEST_FILE, &text)
            });
        if let Err(e) = written {
            state.write_errors.push(e);
        }
    }

    /// Keeps every accepted body in memory for [`Capture::take_raw`].
    #[must_use]
    pub fn keep_raw(mut self, on: bool) -> Self {
        self.keep_raw = on;
        self
    }

    /// Tells `observer` of every accepted response.
    #[must_use]
    pub fn observe(mut self, observer: ResponseObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The hook for the clients' builders (`raw_capture`).
    pub fn hook(&self) -> RawCapture {
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
        let source: Source = raw.endpoint;
        if let Some(observer) = &self.observer {
            observer(seq, source);
        }
        if let Some(dir) = &self.dir {
            let record = SavedResponse::new(
                source,
                raw.params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                raw.fetched_at,
                raw.http_status,
                &raw.body,
            );
            let written = serde_json::to_vec(&record)
                .map_err(|e| e.to_string())
                .and_then(|mut text| {
                    text.push(b'\n');
                    write_atomically(dir, &format!("{seq:06}-{source}.json"), &text)
                });
            if let Err(e) = written {
                state.write_errors.push(e);
            }
        }
        if self.keep_raw {
            state.raw.push(raw.body.to_vec());
        }
    }

    /// The bodies kept for `--raw`, in fetch order (and forgets them).
    pub fn take_raw(&self) -> Vec<Vec<u8>> {
        self.state
            .lock()
            .map(|mut s| std::mem::take(&mut s.raw))
            .unwrap_or_default()
    }

    /// Failures to write saved records (each names the file): the replay directory is
    /// incomplete when this is not empty.
    pub fn write_errors(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.write_errors.clone())
            .unwrap_or_default()
    }

    /// Responses accepted so far.
    pub fn responses(&self) -> u64 {
        self.state.lock().map(|s| s.seq).unwrap_or_default()
    }
}

/// `--save-raw DIR` must be new or empty, so a replay reads exactly one run: created (`0700`)
/// if missing, locked, then checked empty (after the lock, so two runs cannot both pass).
fn prepare_dir(dir: &Path) -> Result<std::fs::File, CaptureError> {
    let io = |source| CaptureError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io)?;
    let lock = std::fs::File::open(dir).map_err(io)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(CaptureError::Busy {
                path: dir.to_path_buf(),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(CaptureError::NotEmpty {
            path: dir.to_path_buf(),
        });
    }
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(io)?;
    Ok(lock)
}

/// Writes `dir/name` whole or not at all: a hidden temporary file (`0600`), synced, then
/// renamed over the name.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(name);
    let fail = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| fail(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_data())
        .map_err(|e| fail(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| fail(&path, e))
}
