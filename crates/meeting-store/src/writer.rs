//! The one writer: a dedicated thread owning the read-write connection, fed by a channel.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};

use crate::error::{ErrorKind, Result, StoreError};
use crate::model::{LoadSummary, Observation, PurgeSummary, WindowCommit};
use crate::{schema, write};

enum Command {
    Commit(Box<WindowCommit>, mpsc::SyncSender<Result<LoadSummary>>),
    Part(Box<WindowCommit>, mpsc::SyncSender<Result<LoadSummary>>),
    Purge(DateTime<Utc>, mpsc::SyncSender<Result<PurgeSummary>>),
}

/// How a [`Writer`] opens its archive.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct WriterOptions {
    temporary: bool,
}

impl WriterOptions {
    /// The options of an archive that is kept: WAL, `synchronous=FULL`.
    #[must_use]
    pub fn new() -> Self {
        WriterOptions::default()
    }

    /// An archive that is thrown away after use (files read through a temporary archive):
    /// no journal, no `fsync`, and a small page cache, since nothing in it has to survive
    /// a crash or a failed write. A write that fails or is interrupted leaves it unusable:
    /// never for an archive that is kept.
    #[must_use]
    pub fn temporary(mut self, on: bool) -> Self {
        self.temporary = on;
        self
    }
}

/// The archive's writer: opens (creating if missing) the archive and
/// owns its read-write connection on a dedicated thread. Every write is one transaction.
/// Calls block until the thread answers: from async code, call them in `spawn_blocking`.
///
/// Dropping the writer closes the channel and waits for the thread to finish the write in
/// flight.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    tx: Option<mpsc::Sender<Command>>,
    thread: Option<thread::JoinHandle<Result<()>>>,
}

impl Writer {
    /// Opens the archive at `path` for writing, creating it (mode 0600, its directory 0700)
    /// if it does not exist. The schema version is checked before anything is written: a
    /// newer archive is refused and left untouched, and so is an older one
    /// (`NeedsMigration`: [`crate::migrate`] upgrades it, explicitly).
    ///
    /// # Errors
    /// `NewerVersion`, `NeedsMigration`, `NotAnArchive` (not SQLite, damaged, or another program's database),
    /// `Io`, `Busy`, `Database`.
    pub fn open(path: impl AsRef<Path>) -> Result<Writer> {
        Writer::open_with(path, &WriterOptions::new())
    }

    /// [`Writer::open`] with `options` (a [temporary](WriterOptions::temporary) archive).
    ///
    /// # Errors
    /// As [`Writer::open`].
    pub fn open_with(path: impl AsRef<Path>, options: &WriterOptions) -> Result<Writer> {
        let path = path.as_ref().to_path_buf();
        let conn = schema::open_writable(&path)?;
        if options.temporary {
            schema::make_temporary(&conn, &path)?;
        }
        let (tx, rx) = mpsc::channel::<Command>();
        let thread_path = path.clone();
        let thread = thread::Builder::new()
            .name("meeting-store-writer".into())
            .spawn(move || run(conn, &thread_path, &rx))
            .map_err(|e| StoreError::io("cannot start the writer thread", e).at(&path))?;
        Ok(Writer {
            path,
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Commits one window in ONE transaction: its observations (the newest of each
    /// `(key, source)` kept, the meetings rebuilt), its raw responses, the run manifest and
    /// the cursor. Either all of it is committed or nothing.
    ///
    /// # Errors
    /// `BadRecord` (e.g. an observation with several sources), `Busy`, `Database`,
    /// `WriterGone`; the archive is unchanged then.
    pub fn commit_window(&self, commit: WindowCommit) -> Result<LoadSummary> {
        self.send_window(commit)?.wait()
    }

    /// Hands one window to the writer thread and returns at once: the caller prepares the
    /// next window while this one is written, then [waits](PendingCommit::wait) for its
    /// answer. Windows are committed in the order they are sent, each in ONE transaction
    /// as by [`Writer::commit_window`]. A caller that waits for each answer before sending
    /// the window after the next keeps at most two windows in memory.
    ///
    /// # Errors
    /// `WriterGone`; the commit's own errors come from [`PendingCommit::wait`].
    pub fn send_window(&self, commit: WindowCommit) -> Result<PendingCommit> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Command::Commit(Box::new(commit), reply))?;
        Ok(PendingCommit {
            answer,
            path: self.path.clone(),
        })
    }

    /// Hands one part of a larger transaction to the writer thread and returns at once (as
    /// [`Writer::send_window`]): the part is written inside the writer's open transaction
    /// (begun by the first part), which the next window sent ([`Writer::send_window`],
    /// [`Writer::commit_window`]; it is written in the same transaction) or the writer's
    /// closing commits. A bulk load (`import`) sends its batches as parts and a window
    /// every so often: each page of the archive's indexes is then written once per
    /// transaction rather than once per batch. If a part fails, the open transaction is
    /// rolled back: the parts sent since the last commit are lost with it. From then on
    /// (and likewise after the window that ends parts fails) this writer refuses every part
    /// and window sent, so that none is written without the ones before it: a caller may
    /// keep several parts in flight, and stops at its first error.
    ///
    /// # Errors
    /// `WriterGone`; the part's own errors come from [`PendingCommit::wait`].
    pub fn send_part(&self, commit: WindowCommit) -> Result<PendingCommit> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Command::Part(Box::new(commit), reply))?;
        Ok(PendingCommit {
            answer,
            path: self.path.clone(),
        })
    }

    /// Loads observations in one transaction (a [`WindowCommit`] without run or cursor).
    ///
    /// # Errors
    /// As [`Writer::commit_window`].
    pub fn load(&self, observations: Vec<Observation>) -> Result<LoadSummary> {
        self.commit_window(WindowCommit::new(observations))
    }

    /// Deletes meetings that started (or, without a start, were scheduled to start) before
    /// `before`, with their summary rows, observations and join links; report stubs before
    /// it (without a time: fetched before it, or of a purged meeting's number); raw
    /// responses whose request window ended before its day (without a window: fetched
    /// before it) and every other one naming a purged meeting. Meetings with neither time
    /// are kept. The deletion is one transaction; then `VACUUM` and
    /// `wal_checkpoint(TRUNCATE)` remove the bytes from the file and its `-wal`. Free space
    /// is checked first: the `VACUUM` rewrites every page in use.
    ///
    /// # Errors
    /// `Io` (not enough free space: the message names the space needed; nothing was
    /// deleted), `Busy` (also when a reader keeps the WAL after the deletion was
    /// committed), `Database`, `WriterGone`.
    pub fn purge(&self, before: DateTime<Utc>) -> Result<PurgeSummary> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.send(Command::Purge(before, reply))?;
        answer.recv().map_err(|_| self.gone())?
    }

    /// Stops the writer thread, waiting for the write in flight and committing the parts
    /// sent ([`Writer::send_part`]) since the last window.
    ///
    /// # Errors
    /// `WriterGone` if the thread panicked; the commit's own errors (`Io`, `Database`).
    pub fn close(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        drop(self.tx.take());
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| self.gone())?,
            None => Ok(()),
        }
    }

    fn send(&self, command: Command) -> Result<()> {
        self.tx
            .as_ref()
            .ok_or_else(|| self.gone())?
            .send(command)
            .map_err(|_| self.gone())
    }

    fn gone(&self) -> StoreError {
        StoreError::new(ErrorKind::WriterGone, "the writer thread stopped").at(&self.path)
    }
}

/// A window sent with [`Writer::send_window`] whose answer has not been read yet.
#[derive(Debug)]
#[must_use = "a window's failure is only known from its answer: call `wait`"]
pub struct PendingCommit {
    answer: mpsc::Receiver<Result<LoadSummary>>,
    path: PathBuf,
}

impl PendingCommit {
    /// Waits until the window is committed (or has failed, leaving the archive as it was
    /// before it).
    ///
    /// # Errors
    /// As [`Writer::commit_window`].
    pub fn wait(self) -> Result<LoadSummary> {
        self.answer.recv().map_err(|_| {
            StoreError::new(ErrorKind::WriterGone, "the writer thread stopped").at(&self.path)
        })?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

fn run(conn: Connection, path: &Path, rx: &mpsc::Receiver<Command>) -> Result<()> {
    let mut conn = conn;
    // Whether a transaction of parts is open.
    let mut open = false;
    // Whether a transaction of parts failed (a part, or the window that ended it: it was
    // rolled back). The parts and windows sent after it are refused, never written
    // without it: a bulk load keeps several in flight, and stops at its first error.
    let mut failed = false;
    while let Ok(command) = rx.recv() {
        match command {
            Command::Commit(commit, reply) => {
                let result = if failed {
                    Err(refused(path))
                } else if open {
                    open = false;
                    let r = in_open_transaction(&conn, path, |c| write::apply(c, *commit), true);
                    failed = r.is_err();
                    r
                } else {
                    in_transaction(&mut conn, path, |c| write::apply(c, *commit))
                };
                let _ = reply.send(result);
            }
            Command::Part(commit, reply) => {
                let result = if failed {
                    Err(refused(path))
                } else if !open && let Err(e) = begin(&conn, path) {
                    Err(e)
                } else {
                    // A failed part rolled the transaction back.
                    in_open_transaction(&conn, path, |c| write::apply(c, *commit), false)
                };
                open = result.is_ok();
                failed = result.is_err();
                let _ = reply.send(result);
            }
            Command::Purge(before, reply) => {
                if open {
                    open = false;
                    if let Err(e) = commit_open(&conn, path) {
                        let _ = reply.send(Err(e));
                        continue;
                    }
                }
                let _ = reply.send(crate::purge::run(&mut conn, path, before));
            }
        }
    }
    let committed = if open {
        commit_open(&conn, path)
    } else {
        Ok(())
    };
    // The writer ends by folding the WAL into the archive and cutting it to nothing, so
    // what was written (and what `secure_delete` overwrote) is not left in the `-wal`.
    // Best effort: a reader holding a snapshot keeps the WAL, which is still correct.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    committed
}

/// What a part or window sent after a failed transaction of parts gets.
fn refused(path: &Path) -> StoreError {
    StoreError::new(
        ErrorKind::InvalidInput,
        "not written: an earlier part of the load failed, and its transaction was rolled back",
    )
    .at(path)
}

/// Begins the immediate transaction that parts are written in.
fn begin(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(|e| StoreError::sqlite("cannot start a write (another writer?)", e).at(path))
}

/// Commits the open transaction of parts.
fn commit_open(conn: &Connection, path: &Path) -> Result<()> {
    conn.execute_batch("COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        StoreError::sqlite("cannot commit", e).at(path)
    })
}

/// Runs `f` in the open transaction; then commits it when `commit`. On failure, the open
/// transaction is rolled back.
fn in_open_transaction<T>(
    conn: &Connection,
    path: &Path,
    f: impl FnOnce(&Connection) -> Result<T>,
    commit: bool,
) -> Result<T> {
    match f(conn) {
        Ok(value) => {
            if commit {
                commit_open(conn, path)?;
            }
            Ok(value)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.at(path))
        }
    }
}

/// Runs `f` in an immediate transaction; commits on success, rolls back otherwise.
fn in_transaction<T>(
    conn: &mut Connection,
    path: &Path,
    f: impl FnOnce(&Connection) -> Result<T>,
) -> Result<T> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| StoreError::sqlite("cannot start a write (another writer?)", e).at(path))?;
    let value = f(&tx).map_err(|e| e.at(path))?;
    tx.commit()
        .map_err(|e| StoreError::sqlite("cannot commit", e).at(path))?;
    Ok(value)
}
