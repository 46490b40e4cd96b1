//! Outputs that never clobber what they do not own.
//!
//! - [`AtomicFile`]: a file output is written to a temporary name in the same directory
//!   (`.NAME.meeting-tmp-PID-N`, locked while it is written) and renamed over `NAME` only
//!   when complete, so a failed run leaves the previous file as it was. A run that fails
//!   removes its temporary (on drop); one that is killed leaves it, and the next run for the
//!   same name removes it ([`remove_stale`]: a temporary nobody holds the lock of).
//!   [`remove_temporaries`] removes the temporaries of this process at once (for a Ctrl-C
//!   handler).
//! - [`OutputDir`]: a directory output (`report -o csv`) is created, or must be empty, or
//!   must hold a previous output of the same command (its marker file, [`OUTPUT_MARKER`],
//!   which lists the files it wrote). Only those files are ever replaced or removed: a file
//!   the command did not write is never touched, and a directory that holds one without
//!   a marker (`/`, a home directory) is refused.
//!
//! ```
//! use meeting_sync::outputs::{AtomicFile, OutputDir};
//! use std::io::Write;
//!
//! let dir = tempfile::tempdir()?;
//! let mut file = AtomicFile::create(&dir.path().join("jan.html"))?;
//! file.write_all(b"<html></html>")?;
//! file.commit()?;
//!
//! let mut set = OutputDir::prepare(&dir.path().join("jan"), "report")?;
//! set.write("summary.csv", b"a,b\n")?;
//! set.finish()?;
//! // A directory holding someone else's files is refused.
//! assert!(OutputDir::prepare(dir.path(), "report").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

/// What went wrong with an output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A file system operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was done.
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The output directory holds files this command did not write.
    #[error(
        "{} holds files `meeting {command}` did not write (such as {example}): give a new or empty directory (an earlier output of `meeting {command}` is replaced, other files are never touched)",
        path.display()
    )]
    NotOurs {
        /// The directory.
        path: PathBuf,
        /// The command.
        command: String,
        /// One of the entries it does not own.
        example: String,
    },
    /// The output path exists and is not a directory.
    #[error("{} exists and is not a directory: give a directory for this output", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The directory a file is to be written in does not exist.
    #[error(
        "cannot write {}: the directory {} does not exist. Create it first (`mkdir -p {}`) or choose another path",
        file.display(),
        dir.display(),
        dir.display()
    )]
    NoDirectory {
        /// The file.
        file: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
}

/// Checks that the directory `file` is to be written in exists (a clear message rather
/// than a library's "unable to open"; `archive backup`).
///
/// # Errors
/// [`OutputError::NoDirectory`].
pub fn directory_exists(file: &Path) -> Result<(), OutputError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => {
            Err(OutputError::NoDirectory {
                file: file.to_path_buf(),
                dir: dir.to_path_buf(),
            })
        }
        _ => Ok(()),
    }
}

/// Where an output goes: a file written whole ([`AtomicFile`]: a temporary beside it,
/// renamed by [`Destination::finish`]) or standard output (locked, buffered).
#[derive(Debug)]
pub enum Destination {
    /// `--out FILE`.
    File(AtomicFile),
    /// Standard output.
    Stdout(io::BufWriter<io::StdoutLock<'static>>),
}

impl Destination {
    /// `out` (a temporary beside it), else standard output.
    ///
    /// # Errors
    /// As [`AtomicFile::create`].
    pub fn open(out: Option<&Path>) -> Result<Self, OutputError> {
        match out {
            Some(path) => AtomicFile::create(path).map(Destination::File),
            None => Ok(Destination::Stdout(io::BufWriter::new(io::stdout().lock()))),
        }
    }

    /// Puts a file in place (standard output: nothing to do).
    ///
    /// # Errors
    /// As [`AtomicFile::commit`].
    pub fn finish(self) -> Result<(), OutputError> {
        match self {
            Destination::File(f) => f.commit(),
            Destination::Stdout(_) => Ok(()),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::File(f) => f.write(buf),
            Destination::Stdout(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::File(f) => f.flush(),
            Destination::Stdout(w) => w.flush(),
        }
    }
}

impl OutputError {
    fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        OutputError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The temporaries of this process not yet committed or removed.
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn live() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every temporary this process is writing (for a Ctrl-C handler that exits next):
/// the outputs they were to replace stay as they were.
pub fn remove_temporaries() {
    let paths = std::mem::take(&mut *live());
    for p in paths {
        let _ = fs::remove_file(&p);
    }
}

/// The infix of temporaries' names: `.NAME.meeting-tmp-PID-N`.
const TMP_INFIX: &str = ".meeting-tmp-";

fn tmp_prefix(name: &str) -> String {
    format!(".{name}{TMP_INFIX}")
}

/// Removes the stale temporaries of `target` (`.NAME.meeting-tmp-*` beside it that no
/// running process holds the lock of: left by a run that was killed). Returns how many.
pub fn remove_stale(target: &Path) -> usize {
    let (Some(dir), Some(name)) = (parent_of(target), target.file_name()) else {
        return 0;
    };
    let prefix = tmp_prefix(&name.to_string_lossy());
    let Ok(entries) = fs::read_dir(&dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = fs::OpenOptions::new().write(true).open(&path) else {
            continue;
        };
        // Held by a run that is still writing it: not stale.
        if file.try_lock().is_ok() && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The directory of `path` (`.` for a bare name).
fn parent_of(path: &Path) -> Option<PathBuf> {
    match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Some(PathBuf::from(".")),
        Some(p) => Some(p.to_path_buf()),
        None => None,
    }
}

/// A file written to a temporary name beside its target and renamed over it by
/// [`AtomicFile::commit`]; dropped without it, the temporary is removed and the target is
/// as it was. See the module docs.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    file: Option<io::BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `target` (its stale temporaries removed first). The target's
    /// directory must exist.
    ///
    /// # Errors
    /// [`OutputError::Io`] when the temporary cannot be created.
    pub fn create(target: &Path) -> Result<Self, OutputError> {
        let dir = parent_of(target).ok_or_else(|| {
            OutputError::io(
                "write",
                target,
                io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
            )
        })?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                OutputError::io(
                    "write",
                    target,
                    io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
                )
            })?;
        remove_stale(target);
        let prefix = tmp_prefix(&name);
        let pid = std::process::id();
        let mut n = 0u32;
        // Created and listed under the lock: an interruption sees it as soon as it exists.
        let mut live = live();
        let (tmp, file) = loop {
            let tmp = dir.join(format!("{prefix}{pid}-{n}"));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(OutputError::io("create a temporary file for", target, e)),
            }
        };
        live.insert(tmp.clone());
        drop(live);
        // Held until the file is committed or removed: a later run sees it is not stale.
        let _ = file.try_lock();
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            file: Some(io::BufWriter::new(file)),
        })
    }

    /// The file it will replace.
    #[must_use]
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes, syncs and renames the temporary over the target.
    ///
    /// # Errors
    /// [`OutputError::Io`]; the temporary is removed and the target stays as it was.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let fail = |e| OutputError::io("write", &self.target, e);
        let Some(w) = self.file.take() else {
            return Ok(());
        };
        let file = w.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        drop(file);
        fs::rename(&self.tmp, &self.target).map_err(fail)?;
        live().remove(&self.tmp);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("the file was committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() || fs::symlink_metadata(&self.tmp).is_ok() {
            let _ = fs::remove_file(&self.tmp);
        }
        live().remove(&self.tmp);
    }
}

/// The marker file of a directory output: the command that wrote it and the files it
/// wrote there (the only ones it will ever replace or remove).
pub const OUTPUT_MARKER: &str = ".meeting-output.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Marker {
    command: String,
    files: BTreeSet<String>,
}

/// A directory output: see the module docs. [`OutputDir::prepare`] checks it may be
/// written; [`OutputDir::write`] writes each file whole ([`AtomicFile`]);
/// [`OutputDir::finish`] removes the files of the previous output that this one did not
/// write again and records the new list in the marker.
#[derive(Debug)]
pub struct OutputDir {
    path: PathBuf,
    command: String,
    previous: BTreeSet<String>,
    written: BTreeSet<String>,
}

impl OutputDir {
    /// Checks that `path` is new, empty, or an earlier output of `command`.
    ///
    /// # Errors
    /// [`OutputError::NotOurs`], [`OutputError::NotADirectory`], [`OutputError::Io`].
    pub fn prepare(path: &Path, command: &str) -> Result<Self, OutputError> {
        let mut out = OutputDir {
            path: path.to_path_buf(),
            command: command.to_owned(),
            previous: BTreeSet::new(),
            written: BTreeSet::new(),
        };
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(OutputError::io("read", path, e)),
        };
        if !meta.is_dir() {
            return Err(OutputError::NotADirectory {
                path: path.to_path_buf(),
            });
        }
        let marker = match fs::read(path.join(OUTPUT_MARKER)) {
            Ok(bytes) => serde_json::from_slice::<Marker>(&bytes).ok(),
            Err(_) => None,
        };
        if let Some(m) = marker.filter(|m| m.command == command) {
            // Only plain names: a marker never makes this command touch anything else.
            out.previous = m
                .files
                .into_iter()
                .filter(|f| is_plain_name(f) && f != OUTPUT_MARKER)
                .collect();
            return Ok(out);
        }
        let mut entries = fs::read_dir(path).map_err(|e| OutputError::io("read", path, e))?;
        if let Some(entry) = entries.next() {
            let example = entry.map_or_else(
                |_| String::from("an unreadable entry"),
                |e| e.file_name().to_string_lossy().into_owned(),
            );
            return Err(OutputError::NotOurs {
                path: path.to_path_buf(),
                command: command.to_owned(),
                example,
            });
        }
        Ok(out)
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the file `name` (a plain name) whole, replacing the previous output's file.
    ///
    /// # Errors
    /// [`OutputError::Io`].
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        if !is_plain_name(name) || name == OUTPUT_MARKER {
            return Err(OutputError::io(
                "write",
                &self.path.join(name),
                io::Error::new(io::ErrorKind::InvalidInput, "not a plain file name"),
            ));
        }
        fs::create_dir_all(&self.path).map_err(|e| OutputError::io("create", &self.path, e))?;
        // Recorded first: a file half renamed in is still ours to replace next time.
        self.written.insert(name.to_owned());
        let mut file = AtomicFile::create(&self.path.join(name))?;
        file.write_all(bytes)
            .map_err(|e| OutputError::io("write", &self.path.join(name), e))?;
        file.commit()
    }

    /// Removes the previous output's files not written again, and writes the marker.
    ///
    /// # Errors
    /// [`OutputError::Io`].
    pub fn finish(self) -> Result<(), OutputError> {
        fs::create_dir_all(&self.path).map_err(|e| OutputError::io("create", &self.path, e))?;
        for old in self.previous.difference(&self.written) {
            let p = self.path.join(old);
            // Only a regular file it wrote: never a directory someone put there since.
            if fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                fs::remove_file(&p).map_err(|e| OutputError::io("remove", &p, e))?;
            }
        }
        let marker = Marker {
            command: self.command,
            files: self.written,
        };
        let mut text = serde_json::to_vec_pretty(&marker)
            .map_err(|e| OutputError::io("write", &self.path, io::Error::other(e)))?;
        text.push(b'\n');
        let mut file = AtomicFile::create(&self.path.join(OUTPUT_MARKER))?;
        file.write_all(&text)
            .map_err(|e| OutputError::io("write", &self.path.join(OUTPUT_MARKER), e))?;
        file.commit()
    }
}

/// A name with no directory part, not `.` or `..`.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name().is_some_and(|n| n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_target_and_no_temporary() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("jan.xlsx");
        fs::write(&target, "old")?;
        {
            let mut f = AtomicFile::create(&target)?;
            f.write_all(b"half")?;
            // Dropped without commit: a failed run.
        }
        assert_eq!(fs::read_to_string(&target)?, "old");
        assert_eq!(fs::read_dir(dir.path())?.count(), 1);
        let mut f = AtomicFile::create(&target)?;
        f.write_all(b"new")?;
        f.commit()?;
        assert_eq!(fs::read_to_string(&target)?, "new");
        assert_eq!(fs::read_dir(dir.path())?.count(), 1);
        Ok(())
    }

    #[test]
    fn stale_temporaries_are_removed_live_ones_kept() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("out.jsonl");
        // Left by a killed run: nobody holds its lock.
        let stale = dir.path().join(".out.jsonl.meeting-tmp-99999-0");
        fs::write(&stale, "partial")?;
        // Someone else's file with a similar name is not ours.
        let other = dir.path().join(".out.jsonl.swp");
        fs::write(&other, "vim")?;
        let live = AtomicFile::create(&target)?;
        assert!(!stale.exists());
        assert!(other.exists());
        // A run in progress (its lock held) is not stale.
        assert_eq!(remove_stale(&target), 0);
        assert!(live.tmp.exists());
        // Listed for a Ctrl-C handler's `remove_temporaries` (not called here: the other
        // tests' temporaries are in the same list).
        assert!(super::live().contains(&live.tmp));
        let tmp = live.tmp.clone();
        drop(live);
        assert!(!tmp.exists() && !super::live().contains(&tmp));
        assert!(!target.exists());
        Ok(())
    }

    #[test]
    fn directories_are_new_empty_or_ours() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let out = dir.path().join("jan");
        let mut set = OutputDir::prepare(&out, "report")?;
        set.write("summary.csv", b"1")?;
        set.write("rooms.csv", b"2")?;
        set.finish()?;
        // The user's own file beside the output survives a second run, which replaces only
        // what the first one wrote.
        fs::write(out.join("MY_NOTES.txt"), "mine")?;
        fs::create_dir(out.join("cache"))?;
        let mut set = OutputDir::prepare(&out, "report")?;
        set.write("summary.csv", b"3")?;
        set.finish()?;
        assert_eq!(fs::read_to_string(out.join("summary.csv"))?, "3");
        assert!(!out.join("rooms.csv").exists());
        assert_eq!(fs::read_to_string(out.join("MY_NOTES.txt"))?, "mine");
        assert!(out.join("cache").is_dir());
        // Another command's output, or a directory of other files, is refused.
        assert!(matches!(
            OutputDir::prepare(&out, "export"),
            Err(OutputError::NotOurs { .. })
        ));
        let foreign = dir.path().join("home");
        fs::create_dir(&foreign)?;
        fs::write(foreign.join("thesis.tex"), "x")?;
        assert!(matches!(
            OutputDir::prepare(&foreign, "report"),
            Err(OutputError::NotOurs { .. })
        ));
        assert!(OutputDir::prepare(Path::new("/"), "report").is_err());
        // A marker that names paths outside never makes it touch them.
        fs::write(
            out.join(OUTPUT_MARKER),
            r#"{"command":"report","files":["../home/thesis.tex","MY_NOTES.txt"]}"#,
        )?;
        let set = OutputDir::prepare(&out, "report")?;
        set.finish()?;
        assert!(foreign.join("thesis.tex").exists());
        Ok(())
    }
}
