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
    Purge(DateTime<Utc>, mpsc::SyncSender<Result<PurgeSummary>>),
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
    thread: Option<thread::JoinHandle<()>>,
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
        let path = path.as_ref().to_path_buf();
        let conn = schema::open_writable(&path)?;
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

    /// Stops the writer thread, waiting for the write in flight.
    ///
    /// # Errors
    /// `WriterGone` if the thread panicked.
    pub fn close(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        drop(self.tx.take());
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| self.gone()),
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

fn run(mut conn: Connection, path: &Path, rx: &mpsc::Receiver<Command>) {
    while let Ok(command) = rx.recv() {
        match command {
            Command::Commit(commit, reply) => {
                let result = in_transaction(&mut conn, path, |c| write::apply(c, *commit));
                let _ = reply.send(result);
            }
            Command::Purge(before, reply) => {
                let _ = reply.send(crate::purge::run(&mut conn, path, before));
            }
        }
    }
    // The writer ends by folding the WAL into the archive and cutting it to nothing, so
    // what was written (and what `secure_delete` overwrote) is not left in the `-wal`.
    // Best effort: a reader holding a snapshot keeps the WAL, which is still correct.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
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
