//! Keeping what a job fetched: every accepted response saved as a record in a directory
//! (`--save-raw DIR`, replayable with `meeting parse DIR`), kept in memory for `--raw`, and
//! announced to an observer (a progress bar).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use meeting_core::{SavedResponse, Source};
use meeting_http::{RawCapture, RawResponse};

/// Called with the running count of accepted responses and the endpoint of the latest.
pub type ResponseObserver = Arc<dyn Fn(u64, Source) + Send + Sync>;

#[derive(Default)]
struct State {
    seq: u64,
    raw: Vec<Vec<u8>>,
    write_errors: Vec<String>,
}

/// Receives every accepted response of the clients it is hooked into
/// ([`Capture::hook`]): saves it as a record in a directory, keeps its body, and tells an
/// observer.
///
/// Records are named `000001-systec.his_meeting.json` in the order the clients accepted the
/// responses, so a directory listing sorts in fetch order; each holds the endpoint, the request
/// parameters (secrets removed), the time fetched and the verbatim body
/// ([`meeting_core::SavedResponse`]).
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
        prepare_dir(dir)?;
        self.dir = Some(dir.to_path_buf());
        Ok(self)
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
        let source = Source::from_name(raw.endpoint);
        if let (Some(observer), Some(source)) = (&self.observer, source) {
            observer(seq, source);
        }
        if let Some(dir) = &self.dir {
            let written = source
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

/// `--save-raw DIR` must be new or empty, so a replay reads exactly one run.
fn prepare_dir(dir: &Path) -> Result<(), CaptureError> {
    let io = |source| CaptureError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    if std::fs::read_dir(dir).map_err(io)?.next().is_some() {
        return Err(CaptureError::NotEmpty {
            path: dir.to_path_buf(),
        });
    }
    Ok(())
}
