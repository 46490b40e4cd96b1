//! The meeting archive: one SQLite file of vendor **observations** and the meetings rebuilt
//! from them, with run manifests, sync cursors and (optionally) the verbatim vendor
//! responses. A library: no HTTP, no argument parsing. The CLI's `meeting archive ...`
//! commands and the sync job call it.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use meeting_core::{Meeting, Source, Vendor};
//! use meeting_store::{Archive, Observation, Query, Writer};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("archive.sqlite");
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:u1==");
//! m.topic = Some("Weekly".into());
//! let fetched = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
//!
//! let writer = Writer::open(&path)?; // creates the file (0600), WAL, schema v1
//! let summary = writer.load(vec![Observation::new("acme", fetched, m.clone())])?;
//! assert_eq!(summary.new, 1);
//! // The same data again changes nothing.
//! assert_eq!(writer.load(vec![Observation::new("acme", fetched, m)])?.unchanged, 1);
//! writer.close()?;
//!
//! let archive = Archive::open_read_only(&path)?; // never creates, never writes
//! let meetings: Vec<Meeting> = archive.meetings(&Query::all()).collect::<Result<_, _>>()?;
//! assert_eq!(meetings[0].topic.as_deref(), Some("Weekly"));
//! assert!(archive.check()?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Where
//!
//! [`resolve_archive_path`]: `--archive PATH`, else `MEETING_ARCHIVE` (when not empty), else
//! [`default_archive_path`] (`etcetera`'s user data directory:
//! `~/.local/share/meeting/archive.sqlite` on Linux, `$XDG_DATA_HOME` honoured). A pure
//! function of the flag and the variable's value.
//!
//! # The file
//!
//! SQLite compiled in (rusqlite `bundled`), WAL with `synchronous=FULL` (a commit survives
//! power loss, not only a killed process). The file is created by this crate with mode 0600
//! before SQLite opens it (its directory, if created, 0700), and the `-wal`/`-shm` sidecars
//! are set to 0600 after opening, whatever the umask. [`Archive::backup`] (`VACUUM INTO`)
//! writes one consistent 0600 file, the WAL folded in.
//!
//! **Versions.** The schema version is `PRAGMA user_version` ([`SCHEMA_VERSION`], now 4).
//! It is read before anything is written: an archive newer than this build is refused
//! ([`ErrorKind::NewerVersion`]) and its bytes are left as they were; an older one is
//! migrated forward only by [`migrate`] (`meeting archive migrate`): free space checked, a
//! `VACUUM INTO` backup first, one step per version in one transaction (the migrations are
//! a list of SQL steps, one entry per version), sync cursors clamped to today, a `VACUUM`
//! after. Any other opening of an older archive, [`Writer::open`] included, fails with
//! [`ErrorKind::NeedsMigration`] and writes nothing.
//!
//! **Read-only places.** [`Archive::open_read_only`] reads an archive whose file or
//! directory this user cannot write (SQLite cannot make the WAL's `-shm` index there) by
//! opening it `immutable=1`, only when its `-wal` is absent or empty; otherwise committed
//! windows held in the log would vanish silently, and it fails with
//! [`ErrorKind::ReadOnlyWithLog`], saying why. A file that is not
//! SQLite (or is damaged), or a SQLite database of another program (version 0 with
//! tables), is [`ErrorKind::NotAnArchive`], naming the path; it is never re-created.
//! Read commands use [`Archive::open_read_only`]: a missing file is
//! [`ErrorKind::NotFound`], and nothing is created.
//!
//! # Tables (schema 4)
//!
//! | table | one row per | what |
//! |---|---|---|
//! | `observations` | `(key, source)` | the newest single-source record seen: `profile`, `fetched_at`, `record` (the normalised [`Meeting`](meeting_core::Meeting)'s canonical JSON, zstd-compressed with the embedded dictionary named by `dict`: [`DICTIONARY_ID`]), `hash` (128-bit SipHash of the uncompressed JSON) |
//! | `summaries` | `key` | the [`MeetingSummary`](meeting_core::MeetingSummary) of the merge of the key's observations, as columns (booked rooms and phone cost packed as small JSON arrays; times in UTC with nine fractional digits), with its `rules_version`, the profile and fetch time of its newest observation, the hash of the merged content, and the meeting number, occurrence id and scheduled end; see [`StoredSummary`] |
//! | `report_stubs` | `(key, record)` | Systec report stubs (`systec:stub:...`): never meetings |
//! | `runs` | run id | the [`RunManifest`] as JSON, with its start, finish and `complete` flag |
//! | `sync_cursors` | `(profile, vendor)` | the last fully committed vendor day and the run that set it |
//! | `quanshi_links` | reservation key | (schema 2) the attendee join link of a Quanshi reservation, a secret column never output, so sync can look it up again ([`Archive::quanshi_to_refresh`]); purged with its meeting |
//! | `raw_responses` | response | optional verbatim bodies: endpoint, parameters, fetch time, request window end, status, body (zlib, secrets removed) |
//!
//! Since schema 4 observation records are compressed (a schema 3 archive's are compressed
//! by the migration) and meetings are **merged on read**: there is no stored merged copy,
//! no row per participant, call or booked room, and no room table (rooms are read from the
//! summary rows). A neutral record (the project's own JSON Lines, several sources) is one
//! observation under the source `neutral` ([`Observation::neutral`]), ranked below the
//! vendor's: a key with a vendor observation is merged from those only. Writers run with
//! `secure_delete=ON` and end with `wal_checkpoint(TRUNCATE)`.
//!
//! **Rules version.** A summary row names the [`meeting_core::RULES_VERSION`] it was built
//! under; a row of other rules is recomputed from its observations on read
//! ([`Archive::summaries`]: never served stale) and rewritten when a writer opens the
//! archive.
//!
//! Since schema 3 the first five tables are rowid tables, their "one row per" a unique
//! index: rows are appended in the order they are written, and a record stays in its page
//! (new archives use 16 KiB pages). The archive's order comes from its indexes, never from
//! where a row sits (a reader whose result does not depend on the order reads the rows as
//! they sit, with no seek per row: [`SummaryOrder::Stored`], what `stats` reads).
//!
//! Times are stored as RFC 3339 UTC with six fractional digits (`2024-01-02T03:04:05.000000Z`),
//! so text order is time order. A summary row's phone cost is exact integer micro-units
//! (millionths) with its currency and the scale it was written with.
//!
//! # The rules
//!
//! - **Observations, not last-writer-wins.** Each record loaded is an observation of one
//!   `(key, source)`. The archive keeps the greatest observation of each by
//!   `(fetched_at, hash of the record's JSON, profile)`: the newest wins, and ties are
//!   broken by the hash, so the result does not depend on the order of loading. The meeting is
//!   then rebuilt from the key's current observations with
//!   [`meeting_core::merge::merge`]. Loading the same data twice changes nothing; loading A
//!   then B equals B then A (a property test over random splits and orders of simulator
//!   data checks it); the archive always equals the merge of the newest observations.
//! - **Profile and observation time of a meeting**: those of its newest observation (ties:
//!   the greater profile name). A query by profile selects on that.
//! - **Stubs** go to `report_stubs`, never to `meetings`. Meeting numbers repeat, so stubs
//!   are never merged; a stub identical to one held (same key, same JSON) is the same stub
//!   (its latest fetch time kept), so reloading adds none.
//! - **Rooms.** Every name a room id was seen under (the Systec room of a meeting, or a
//!   booked room with an id) is an alias; the room's name is the alias of the meeting
//!   observed last (ties: the greater name). Derived from the meetings held, so it is
//!   order-independent too; a purge forgets names seen only in purged meetings.
//! - **One writer.** [`Writer`] owns the read-write connection on a dedicated thread fed by
//!   a channel (not inside async tasks; its calls block: use `spawn_blocking` from async
//!   code). Each call is ONE `BEGIN IMMEDIATE` transaction:
//!   [`Writer::commit_window`] commits a window's observations, its raw responses, the run
//!   manifest and (when the window completed) the cursor together, so a killed sync loses
//!   at most the window in flight. A second writer waits up to 5 s for the lock, then fails
//!   with [`ErrorKind::Busy`]. A failed call rolls back: the archive is as before.
//! - **Cursors** are stored as given (the sync job decides when a window is complete);
//!   [`Archive::check`] verifies each names a stored run of its profile with a completed
//!   window of its vendor ending on the cursor's day.
//! - **Raw responses** are kept with secrets removed at any depth, JSON held in strings
//!   included, by the one secret-key rule ([`meeting_wire::secret_key::is_secret_key`]:
//!   passwords, `pcode*`, passcodes, secrets, tokens, credentials, join, host, live-stream
//!   and phone-bridge links). Request parameters are stored as
//!   [`SavedResponse`](meeting_core::SavedResponse) keeps them (credentials already dropped).
//! - **Purge** ([`Writer::purge`]) deletes meetings that started (else were scheduled to
//!   start) before a date, with their summary rows, observations and join links; stubs
//!   before it (without a time: fetched before it, or of a purged meeting's number); raw
//!   responses whose request window (`to`, `end_date`, `endDate` or `date` parameter) ended
//!   before that day, or without a window, fetched before it, and every other raw body that
//!   names a purged meeting (its uuid or conference id as a parameter or body value: a
//!   verbatim body cannot be cut, so it goes whole). Meetings with no time at all are kept.
//!   Run manifests and cursors are kept. Free space is checked first; after the deletion,
//!   `VACUUM` and `wal_checkpoint(TRUNCATE)`: with `secure_delete`, no byte of a purged
//!   meeting is left in the file or its `-wal`.
//!
//! - **Run lock.** A sync holds [`RunLock`] (an OS advisory lock on `<archive>.lock`,
//!   released by the kernel if the process dies) for its whole run, so two syncs never
//!   interleave their windows; the second waits a bounded time, then fails with
//!   [`ErrorKind::Busy`].
//!
//! # Reading
//!
//! [`Archive::dump`] hands every meeting, merged and decompressed, in key order (a
//! canonical order: the same content gives the same sequence whatever the load order).
//! [`Archive::summaries`] reads the summary rows matching a [`Query`] (`from`/`to` on the
//! effective start: the start, else the scheduled start; rooms by id, name or alias, hosts
//! by name, id or e-mail, vendor, profiles) without decompressing anything: what `stats`
//! reads. [`Archive::meetings`] streams the matching meetings, each merged from its
//! observations on read, in output order: effective start ascending, meetings without one
//! last, then key; it reads pages of 256 summary rows by keyset pagination inside one read
//! transaction (one snapshot, memory bounded by a page). [`Archive::merged`] merges the
//! meetings of given keys. [`Archive::check`] runs SQLite's `integrity_check` and the
//! invariants listed there; [`Archive::info`] reports size, version, meetings per
//! profile, vendor and month (of the start, UTC), the last finished run, cursors and runs
//! with gaps.
#![forbid(unsafe_code)]

mod codec;
mod error;
mod lock;
mod migrate;
mod model;
mod path;
mod purge;
mod read;
mod record;
mod schema;
mod summary_row;
mod write;
mod writer;

pub use error::{ErrorKind, Result, StoreError};
pub use lock::RunLock;
pub use migrate::{Migration, MigrationStep, migrate};
pub use model::{
    Cursor, Info, JoinLink, LoadSummary, MonthCount, Observation, PreparedObservation, Problem,
    PurgeSummary, Query, RawResponse, Refresh, RunManifest, SecretText, Window, WindowCommit,
};
pub use path::{ARCHIVE_ENV, ARCHIVE_FILE_NAME, default_archive_path, resolve_archive_path};
pub use read::{Archive, Meetings, REFRESH_GRACE_DAYS, RoomRecord, SummaryFields, SummaryOrder};
pub use record::DICTIONARY_ID;
pub use schema::SCHEMA_VERSION;
pub use summary_row::{StoredSummary, SummaryBatch};
pub use writer::{PendingCommit, Writer, WriterOptions};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
