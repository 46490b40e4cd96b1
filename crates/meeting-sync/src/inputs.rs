//! Input resolution: the paths a command names, turned into inputs read in order. `-` is
//! standard input, a directory every file below it (recursively, in name order), with what
//! was skipped and every saved run's manifest reported. [`resolve_source`] is the input
//! of `stats`, `list`, `report` and `export` (nothing named: the archive; standard input
//! only when `-` is named); [`resolve`] that of `parse`, a filter (nothing named: standard
//! input when it is not a terminal).
//!
//! ```no_run
//! use meeting_sync::inputs::{expand, read_input};
//! use meeting_core::DumpOptions;
//!
//! let expanded = expand(&["runs/jan".into()])?;
//! for skipped in &expanded.skipped {
//!     eprintln!("skipped {}: {}", skipped.path.display(), skipped.reason);
//! }
//! for input in &expanded.inputs {
//!     let result = read_input(input, &DumpOptions::new());
//!     println!("{}: {} meetings, {} bad", result.name, result.meetings.len(), result.bad);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use meeting_core::run::{ManifestError, RunManifest};
use meeting_core::{DumpOptions, Meeting, read_dump};

pub use meeting_core::inputs::{Input, InputError};

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
    /// Run manifests found in directories ([`meeting_core::run::MANIFEST_FILE`]): not read as
    /// dumps, but they say whether each saved run is complete.
    pub manifests: Vec<PathBuf>,
    /// Directories given that hold no run manifest anywhere below them (an older save-raw
    /// run, or dumps collected by hand).
    pub without_manifest: Vec<PathBuf>,
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
            .is_some_and(|n| n == meeting_core::run::MANIFEST_FILE)
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
/// needed; for figures over large inputs, load them into a temporary archive:
/// [`crate::offline::load_files`]).
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

/// What [`resolve`] and [`resolve_source`] found wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No path was named and standard input is a terminal: nothing to read.
    #[error("no input: give files, directories or `-` for stdin")]
    NoInput,
    /// `--archive PATH` was given together with files: one input or the other.
    #[error(
        "--archive and input files do not go together: give files (or `-` for stdin), or --archive PATH, not both"
    )]
    ArchiveWithFiles,
    /// A path named cannot be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The archive's path cannot be resolved (no user data directory, a bad path).
    #[error(transparent)]
    Archive(#[from] meeting_store::StoreError),
}

/// The inputs of `meeting parse`, a filter like `jq`: [`expand`] of `args`, or standard
/// input when `args` is empty and standard input is not a terminal (`stdin_is_terminal`);
/// then nothing named is [`ResolveError::NoInput`]. A missing or unreadable path is an
/// error, found before anything is read. The commands that read the archive by default use
/// [`resolve_source`] instead.
pub fn resolve(args: &[PathBuf], stdin_is_terminal: bool) -> Result<Expanded, ResolveError> {
    if args.is_empty() {
        if stdin_is_terminal {
            return Err(ResolveError::NoInput);
        }
        return Ok(expand(&[PathBuf::from("-")])?);
    }
    Ok(expand(args)?)
}

/// Where the meetings of `stats`, `list`, `report` and `export` come from, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolved {
    /// Files, directories and `-` (standard input), expanded.
    Files(Expanded),
    /// The archive at this path (it may not exist: reading it says so).
    Archive(PathBuf),
}

impl Resolved {
    /// The archive's path, when the input is the archive.
    #[must_use]
    pub fn archive(&self) -> Option<&Path> {
        match self {
            Resolved::Archive(p) => Some(p),
            Resolved::Files(_) => None,
        }
    }
}

/// Input resolution of the commands that read meetings (`stats`, `list`, `report`,
/// `export`), the way cron and CI run them:
///
/// - files or directories named → those (`-` among them is standard input: only then is
///   it read);
/// - nothing named → the archive: `archive` (`--archive PATH`), else `MEETING_ARCHIVE`,
///   else the default path ([`archive_path`]).
///
/// Standard input is never read implicitly, whether it is a terminal or not (cron, CI and
/// ssh give a non-terminal one). `archive` together with files is
/// [`ResolveError::ArchiveWithFiles`]; a missing or unreadable path is an error, found
/// before anything is read.
pub fn resolve_source(args: &[PathBuf], archive: Option<&Path>) -> Result<Resolved, ResolveError> {
    match (args.is_empty(), archive) {
        (false, Some(_)) => Err(ResolveError::ArchiveWithFiles),
        (false, None) => Ok(Resolved::Files(expand(args)?)),
        (true, flag) => Ok(Resolved::Archive(archive_path(flag)?)),
    }
}

impl Expanded {
    /// The saved runs among the inputs that did not complete, each as `DIR: what is
    /// missing`; a manifest that cannot be read is an error.
    pub fn incomplete_runs(&self) -> Result<Vec<String>, ManifestError> {
        let mut gaps = Vec::new();
        for path in &self.manifests {
            let manifest = RunManifest::read(path)?;
            if let Some(g) = manifest.gaps() {
                let dir = path.parent().unwrap_or(path);
                gaps.push(format!("{}: {g}", dir.display()));
            }
        }
        Ok(gaps)
    }
}

/// The archive's path: `flag` (an empty path means the default), else `MEETING_ARCHIVE`,
/// else the user data directory.
pub fn archive_path(flag: Option<&Path>) -> Result<PathBuf, meeting_store::StoreError> {
    let flag = flag.filter(|p| !p.as_os_str().is_empty());
    let env = std::env::var_os(meeting_store::ARCHIVE_ENV);
    meeting_store::resolve_archive_path(flag, env.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

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
