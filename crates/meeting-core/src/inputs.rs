//! Many inputs, read in order: files, directories (recursively, in name order) and stdin,
//! with what was skipped reported, and one ordered parallel reader ([`for_each_ordered`]) that
//! every offline command shares.
//!
//! ```no_run
//! use meeting_core::inputs::{expand, read_input};
//! use meeting_core::DumpOptions;
//!
//! let expanded = expand(&["runs/jan".into()])?;
//! for skipped in &expanded.skipped {
//!     eprintln!("skipped {}: {}", skipped.path.display(), skipped.reason);
//! }
//! let options = DumpOptions::new();
//! meeting_core::inputs::for_each_ordered(
//!     &expanded.inputs,
//!     2,
//!     |input| read_input(input, &options),
//!     |result| {
//!         println!("{}: {} meetings, {} bad", result.name, result.meetings.len(), result.bad);
//!         Ok::<(), std::io::Error>(())
//!     },
//! )?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use crate::{DumpOptions, Meeting, read_dump};

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

/// An entry of a directory that was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The entry.
    pub path: PathBuf,
    /// Why it was skipped.
    pub reason: SkipReason,
}

/// Why a directory entry was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Its name starts with a dot.
    Hidden,
    /// A named pipe, socket or device: reading it could block or never end.
    NotAFile,
    /// A symbolic link whose target does not exist.
    BrokenLink,
    /// An empty file: nothing to read.
    Empty,
    /// A link to a directory being walked already (a loop).
    Loop,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SkipReason::Hidden => "hidden (name starts with a dot)",
            SkipReason::NotAFile => "not a regular file (pipe, socket or device)",
            SkipReason::BrokenLink => "broken symbolic link",
            SkipReason::Empty => "empty file",
            SkipReason::Loop => "link back to a directory being read (a loop)",
        })
    }
}

/// The inputs named on a command line, expanded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expanded {
    /// What to read, in order.
    pub inputs: Vec<Input>,
    /// Whether any argument was a directory (a save-raw run, typically).
    pub saw_dir: bool,
    /// Directory entries not read, in walk order.
    pub skipped: Vec<Skipped>,
    /// Run manifests found in directories ([`crate::run::MANIFEST_FILE`]): not read as
    /// dumps, but they say whether each saved run is complete.
    pub manifests: Vec<PathBuf>,
    /// Directories given that hold no run manifest anywhere below them (an older save-raw
    /// run, or dumps collected by hand).
    pub without_manifest: Vec<PathBuf>,
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

/// Expands command-line inputs: `-` is stdin; a directory becomes every file below it, walked
/// recursively with each directory's entries in name order (hidden entries, pipes, sockets,
/// devices, broken links and empty files skipped and listed in [`Expanded::skipped`]; run
/// manifests listed in [`Expanded::manifests`]); a file is read as it is. A path that does not exist or cannot be opened is an error, found before
/// anything is read.
pub fn expand(args: &[PathBuf]) -> Result<Expanded, InputError> {
    let mut out = Expanded::default();
    for arg in args {
        if arg.as_os_str() == "-" {
            out.inputs.push(Input::Stdin);
            continue;
        }
        let meta = std::fs::metadata(arg).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => InputError::Missing { path: arg.clone() },
            _ => InputError::Unreadable {
                path: arg.clone(),
                source,
            },
        })?;
        if meta.is_dir() {
            out.saw_dir = true;
            let before = out.manifests.len();
            walk(arg, &mut out, &mut Vec::new())?;
            if out.manifests.len() == before {
                out.without_manifest.push(arg.clone());
            }
        } else {
            // Checked now, so a typo fails before any output is written.
            std::fs::File::open(arg).map_err(|source| InputError::Unreadable {
                path: arg.clone(),
                source,
            })?;
            out.inputs.push(Input::File(arg.clone()));
        }
    }
    Ok(out)
}

/// `ancestors`: the canonical directories being walked, so a symbolic link back up the tree
/// is skipped instead of walked forever.
fn walk(dir: &Path, out: &mut Expanded, ancestors: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let unreadable = |source| InputError::Unreadable {
        path: dir.to_path_buf(),
        source,
    };
    let canonical = std::fs::canonicalize(dir).map_err(unreadable)?;
    if ancestors.contains(&canonical) {
        out.skipped.push(Skipped {
            path: dir.to_path_buf(),
            reason: SkipReason::Loop,
        });
        return Ok(());
    }
    ancestors.push(canonical);
    let mut entries = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<PathBuf>, _>>()
        .map_err(unreadable)?;
    entries.sort();
    for path in entries {
        let skip = |reason| Skipped {
            path: path.clone(),
            reason,
        };
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.skipped.push(skip(SkipReason::Hidden));
            continue;
        }
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.skipped.push(skip(SkipReason::BrokenLink));
                continue;
            }
            Err(source) => return Err(InputError::Unreadable { path, source }),
        };
        if meta.is_dir() {
            walk(&path, out, ancestors)?;
        } else if !meta.is_file() {
            out.skipped.push(skip(SkipReason::NotAFile));
        } else if path
            .file_name()
            .is_some_and(|n| n == crate::run::MANIFEST_FILE)
        {
            out.manifests.push(path);
        } else if meta.len() == 0 {
            out.skipped.push(skip(SkipReason::Empty));
        } else {
            out.inputs.push(Input::File(path));
        }
    }
    ancestors.pop();
    Ok(())
}

/// What reading one input gave.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct InputResult {
    /// The input's name ([`Input::name`]).
    pub name: String,
    /// The meetings read, in input order.
    pub meetings: Vec<Meeting>,
    /// One located message per bad document (`NAME: ...`).
    pub errors: Vec<String>,
    /// Documents read.
    pub documents: u64,
    /// Bad documents.
    pub bad: u64,
}

/// Reads one whole input (memory grows with its meetings; stream with
/// [`read_dump`] for large ones). An input that cannot be opened counts as one bad document.
pub fn read_input(input: &Input, options: &DumpOptions) -> InputResult {
    read_input_with(input, options, |_| {})
}

/// [`read_input`], applying `each` to every meeting as it is read (to hold only what is
/// needed; for figures over large inputs, [`crate::summary`] keeps a compact summary per
/// distinct meeting instead).
pub fn read_input_with(
    input: &Input,
    options: &DumpOptions,
    each: impl Fn(&mut Meeting),
) -> InputResult {
    let name = input.name();
    let reader = match input.open() {
        Ok(reader) => reader,
        Err(e) => {
            return InputResult {
                name,
                errors: vec![e.to_string()],
                documents: 1,
                bad: 1,
                ..InputResult::default()
            };
        }
    };
    let mut out = InputResult {
        name,
        ..InputResult::default()
    };
    let mut dump = read_dump(reader, input.options_for(options));
    for item in dump.by_ref() {
        match item {
            Ok(mut m) => {
                each(&mut m);
                out.meetings.push(m);
            }
            Err(e) => out.errors.push(format!("{}: {e}", out.name)),
        }
    }
    let stats = dump.stats();
    out.documents = stats.documents;
    out.bad = stats.bad_documents;
    out
}

/// The default number of jobs: the CPUs available.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

struct Ordered<R> {
    /// The next item a worker may take.
    next: usize,
    /// Results done and not yet handed to the sink, by index.
    done: BTreeMap<usize, R>,
    /// The next index the sink takes.
    consumed: usize,
    /// The sink failed: workers stop.
    abort: bool,
}

/// Runs `work` over `items` on up to `jobs` threads and hands each result to `sink` in input
/// order, as soon as it and every earlier one are done. At most `2 × jobs` results are in
/// flight (done but not yet consumed, or being worked on), so memory stays bounded however
/// many items there are. The first error from `sink` stops the workers and is returned.
pub fn for_each_ordered<T, R, E>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    let jobs = jobs.clamp(1, items.len().max(1));
    if jobs == 1 {
        for item in items {
            sink(work(item))?;
        }
        return Ok(());
    }
    let window = 2 * jobs;
    let state = Mutex::new(Ordered {
        next: 0,
        done: BTreeMap::new(),
        consumed: 0,
        abort: false,
    });
    let changed = Condvar::new();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = {
                        let Ok(mut s) = state.lock() else { return };
                        while !s.abort && s.next < items.len() && s.next >= s.consumed + window {
                            s = match changed.wait(s) {
                                Ok(s) => s,
                                Err(_) => return,
                            };
                        }
                        if s.abort || s.next >= items.len() {
                            return;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    let Some(item) = items.get(i) else { return };
                    let r = work(item);
                    let Ok(mut s) = state.lock() else { return };
                    s.done.insert(i, r);
                    changed.notify_all();
                }
            });
        }
        let mut result = Ok(());
        for i in 0..items.len() {
            let r = {
                let Ok(mut s) = state.lock() else { break };
                loop {
                    if let Some(r) = s.done.remove(&i) {
                        s.consumed = i + 1;
                        changed.notify_all();
                        break Some(r);
                    }
                    s = match changed.wait(s) {
                        Ok(s) => s,
                        Err(_) => break None,
                    };
                }
            };
            let Some(r) = r else { break };
            if let Err(e) = sink(r) {
                result = Err(e);
                if let Ok(mut s) = state.lock() {
                    s.abort = true;
                }
                changed.notify_all();
                break;
            }
        }
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_whatever_the_jobs() {
        let items: Vec<u64> = (0..200).collect();
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = for_each_ordered(
                &items,
                jobs,
                |i| {
                    // Uneven work, so results complete out of order.
                    std::thread::sleep(std::time::Duration::from_micros((i * 37) % 300));
                    i * 2
                },
                |r| {
                    seen.push(r);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn sink_error_stops_early() {
        let items: Vec<u32> = (0..1000).collect();
        let mut n = 0;
        let r = for_each_ordered(
            &items,
            4,
            |i| *i,
            |i| {
                n += 1;
                if i == 10 { Err(i) } else { Ok(()) }
            },
        );
        assert_eq!(r, Err(10));
        assert_eq!(n, 11);
    }

    #[test]
    fn expand_walks_recursively_and_reports_skips() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile_dir()?;
        let root = dir.as_path();
        std::fs::create_dir_all(root.join("b/inner"))?;
        std::fs::write(root.join("a.json"), "{}")?;
        std::fs::write(root.join("b/inner/c.json"), "{}")?;
        std::fs::write(root.join("b/d.json"), "{}")?;
        std::fs::write(root.join(".hidden"), "{}")?;
        std::fs::write(root.join("empty.json"), "")?;
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("link.json"))?;
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("b/up"))?;
        let e = expand(&[root.to_path_buf()])?;
        let names: Vec<String> = e
            .inputs
            .iter()
            .map(|i| i.name().replace(&*root.to_string_lossy(), ""))
            .collect();
        assert_eq!(names, ["/a.json", "/b/d.json", "/b/inner/c.json"]);
        assert!(e.saw_dir);
        let skipped: Vec<SkipReason> = e.skipped.iter().map(|s| s.reason).collect();
        assert!(skipped.contains(&SkipReason::Hidden));
        assert!(skipped.contains(&SkipReason::Empty));
        #[cfg(unix)]
        assert!(skipped.contains(&SkipReason::BrokenLink));
        #[cfg(unix)]
        assert!(skipped.contains(&SkipReason::Loop));
        assert!(matches!(
            expand(&[root.join("missing.json")]),
            Err(InputError::Missing { .. })
        ));
        std::fs::remove_dir_all(root)?;
        Ok(())
    }

    fn tempfile_dir() -> std::io::Result<PathBuf> {
        let dir = std::env::temp_dir().join(format!(
            "meeting-core-inputs-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}
