//! One input to read: a file or standard input, how to open it, and the dump options for
//! it (a saved run's span and start, read from its manifest). The dump chunker
//! ([`crate::dump::input_chunks`]) reads a list of them.
//!
//! Turning command-line paths into inputs (walking directories, skipping what cannot be
//! read, finding run manifests) is input resolution, a job of `meeting-sync`
//! (`meeting_sync::inputs`).

use std::io::Read;
use std::path::PathBuf;

use crate::DumpOptions;

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file (or anything that can be opened and read, such as a named pipe given by name).
    File(PathBuf),
}

impl Input {
    /// The name used in messages: the path, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => String::from("<stdin>"),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The dump options for reading this input: `options`, with the time the data was
    /// fetched by ([`crate::Context::as_of`]) set, unless already set, to the file's
    /// modification time (stdin: now); and for a file of a saved run whose manifest (in the
    /// same directory) names the days asked and their zone, only the meetings starting on
    /// those days kept ([`DumpOptions::keep`]), as the live run kept them, and its records
    /// observed at the run's start ([`DumpOptions::run_started`]).
    pub fn options_for(&self, options: &DumpOptions) -> DumpOptions {
        let mut options = options.clone();
        if let Input::File(p) = self
            && options.keep.is_none()
            && let Some(dir) = p.parent()
            && let Ok(run) = crate::run::RunManifest::read(&dir.join(crate::run::MANIFEST_FILE))
        {
            options.keep = run.kept_instants();
            options.run_started = Some(run.started_at);
            options.failed_windows = run.failed_windows();
        }
        if options.context.as_of().is_none() {
            let as_of = match self {
                Input::Stdin => Some(chrono::Utc::now()),
                Input::File(p) => std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .ok()
                    .map(chrono::DateTime::<chrono::Utc>::from),
            };
            options.context = options.context.with_as_of(as_of);
        }
        options
    }

    /// Opens the input for reading (buffered); the error names the input.
    pub fn open(&self) -> Result<Box<dyn Read>, InputError> {
        match self {
            Input::Stdin => Ok(Box::new(std::io::stdin().lock())),
            Input::File(p) => match std::fs::File::open(p) {
                Ok(f) => Ok(Box::new(std::io::BufReader::with_capacity(256 * 1024, f))),
                Err(source) => Err(InputError::Unreadable {
                    path: p.clone(),
                    source,
                }),
            },
        }
    }
}

/// An input that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The path does not exist.
    #[error("{}: no such file or directory", path.display())]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The path exists but cannot be opened or listed.
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
