//! `meeting export`: the tables data teams load into DuckDB, Spark, Trino, pandas or Polars.
//!
//! Four tables, joined by `key`: `meetings` (one row per meeting; report stubs are
//! annotations, not meetings, and are counted in [`ExportSummary::stubs_skipped`] instead),
//! `participants`, `phone_calls` and `rooms` (one row per list entry of the meeting, with its
//! `ordinal` in the vendor's order). Their columns are [`TABLES`] (documented below).
//!
//! # Layout
//!
//! ```text
//! DIR/_meeting_export.json                     zone, format, tables and columns, counts
//! DIR/<table>/vendor=<vendor>/month=<YYYY-MM>/part-0.parquet     (or .jsonl, .csv)
//! ```
//!
//! Hive partitions: `vendor` (`systec`, `quanshi`) and `month`, the month of the meeting's
//! start (else its scheduled start) in the export's report zone ([`ExportOptions::zone`]);
//! participants, calls and rooms go in their meeting's partition. A meeting with neither
//! time goes to `month=__HIVE_DEFAULT_PARTITION__` (the partition engines read as null). The
//! month is also the `report_month` column of every table; `vendor` and `month` are not
//! columns of the files (engines add them from the paths; a file column of the same name
//! would clash). Every partition holds a file for each of the four tables (possibly with no
//! rows), so every table's schema can be read from any partition.
//!
//! # Types
//!
//! Times are UTC instants (Parquet `TIMESTAMP(MICROS, isAdjustedToUTC=true)`; RFC 3339 `Z`
//! text in JSON Lines and CSV); money is `DECIMAL(18,6)` with its `currency` column (an
//! amount that does not fit exactly is an error, never rounded); counts, seconds and
//! minutes are `INT64`; the lists and maps that stay nested (`warnings`, `vendor_extra`,
//! a room's `devices`) are JSON text.
//!
//! # Determinism
//!
//! Re-exporting the same meetings gives byte-identical files: rows sorted by key (list rows
//! keep the vendor's order within a meeting), a fixed `created_by` ([`CREATED_BY`]), row
//! groups cut by row count ([`ExportOptions::row_group_rows`]), no time of export anywhere.
//! The export is written to a temporary directory beside `DIR` and swapped in at the end, so
//! no partition of an earlier export survives and a failed export leaves the old one intact.
//! A failed export removes its temporary directory; an interrupted one removes it through
//! [`remove_temporaries`] (called by the program's Ctrl-C handler); one that was killed
//! leaves it for the next export to the same `DIR`, which removes the temporaries of its
//! own pattern whose process is gone ([`STALE_AFTER`] has the rule).
//! An existing `DIR` must be an earlier export (it holds `_meeting_export.json`) or empty;
//! only the export's own entries (the manifest and the table directories) are replaced:
//! other files in it are never moved or removed.
//!
//! # Memory
//!
//! Meetings are given one at a time, in output order (by start, else scheduled start;
//! meetings with neither last: [`meeting_core::query::output_order`], as
//! [`meeting_core::query::merge_sorted`] and the archive give them). The rows of the month
//! in progress are held until a later month starts, then written: memory is bounded by one
//! month's partitions, not by the input. A meeting of a month already written is an error
//! ([`ExportErrorKind::Unsorted`]); one of an earlier month not yet written is simply added
//! to it.
//!
//! # The same numbers as `meeting stats`
//!
//! Every figure of `meeting stats` can be recomputed from the tables. `stats` counts the
//! meetings held (`status` `live` or `ended`), except a Quanshi reservation
//! (`quanshi:conference:` key) whose `event_id` an occurrence (`quanshi:temp:`) shares: that
//! one is counted through its occurrence. Over those meetings, its minutes are the sum of
//! `minutes` (each meeting's seconds rounded half up), its attendee minutes the sum of
//! `attendee_minutes`, and its attendees are the distinct persons of the participants'
//! attendance rows plus the persons no row stands for:
//!
//! ```sql
//! with counted as (
//!   select * from meetings m
//!   where status in ('live', 'ended')
//!     and not (key like 'quanshi:conference:%' and event_id is not null and event_id in
//!       (select event_id from meetings
//!        where key like 'quanshi:temp:%' and event_id is not null))
//! )
//! select (select count(distinct (p.key, p.person_key)) from participants p
//!           where not p.is_invitation and p.person_key is not null
//!             and p.key in (select key from counted))
//!      + (select sum(unlisted_attendees) from counted) as attendees,
//!        (select sum(minutes) from counted) as minutes;
//! ```
//!
//! `person_key` is the key that makes attendees distinct (`id:<user id>`, else
//! `name:<trimmed name>`, else the row itself); when the meetings were masked before the
//! export, it is made of the pseudonyms, so it is pseudonymised with them (stable for one
//! pseudonym key: give the archive's) and counts the same persons. Invitation rows (Quanshi
//! `attendList`) are marked by `is_invitation` and never counted.
//!
//! Parquet needs the crate feature `parquet` (the `parquet` and `arrow` crates: Zstd or
//! Snappy compression); JSON Lines and CSV need none.
//!
//! # Columns
//!
//! | table | column | type | from the neutral field |
//! |---|---|---|---|
#![doc = include_str!("columns.md")]
//!
//! ```
//! use meeting_core::{Meeting, Source, Vendor};
//! use meeting_report::export::{ExportFormat, ExportOptions, export};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:abc");
//! m.start = "2024-01-31T17:00:00Z".parse().ok(); // 1 February in Shanghai
//! let dir = std::env::temp_dir().join(format!("export-doc-{}", std::process::id()));
//! let options = ExportOptions::new(ExportFormat::Jsonl, chrono_tz::Asia::Shanghai);
//! let summary = export(&dir, [m], &options)?;
//! assert_eq!(summary.meetings, 1);
//! assert!(dir.join("meetings/vendor=systec/month=2024-02/part-0.jsonl").is_file());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "parquet")]
mod parquet;
mod schema;
mod temps;
#[cfg(test)]
mod tests;
mod text;

pub use schema::{
    Column, ColumnType, DECIMAL_PRECISION, DECIMAL_SCALE, EXCLUDED, MEETINGS, PARTICIPANTS,
    PHONE_CALLS, ROOMS, TABLES, Table, decimal_scaled, report_month,
};
pub use temps::{STALE_AFTER, remove_temporaries};

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use meeting_core::Meeting;
use serde::Serialize;

use schema::{Cell, meeting_rows};

/// The file describing an export, at its root.
pub const MANIFEST_FILE: &str = "_meeting_export.json";

/// The partition of meetings that have no start and no scheduled start (Hive's null
/// partition, read as null by DuckDB, Spark and Trino).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The fixed `created_by` of every Parquet file (no version: re-exports stay identical
/// across releases that write the same bytes).
pub const CREATED_BY: &str = "meeting-usage export";

/// The export's format version in [`MANIFEST_FILE`].
pub const EXPORT_VERSION: u32 = 1;

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExportFormat {
    /// Apache Parquet (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
    /// One JSON object per row.
    Jsonl,
    /// Comma-separated values with a header row, no BOM, no formula neutralising (data for
    /// programs).
    Csv,
}

impl ExportFormat {
    /// The files' extension: `parquet`, `jsonl`, `csv`.
    pub fn extension(self) -> &'static str {
        match self {
            #[cfg(feature = "parquet")]
            ExportFormat::Parquet => "parquet",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }
}

/// Parquet compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Compression {
    /// Zstandard, level 3 (the default: small files, fast to read).
    #[default]
    Zstd,
    /// Snappy (what older readers expect).
    Snappy,
    /// None.
    None,
}

/// How to export.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportOptions {
    /// The file format.
    pub format: ExportFormat,
    /// The report zone: the `month=` partitions and `report_month`.
    pub zone: Tz,
    /// Parquet row groups hold at most this many rows (the last one of a file the rest).
    pub row_group_rows: usize,
    /// Parquet compression.
    pub compression: Compression,
    /// Whether the caller masked personal data (recorded in [`MANIFEST_FILE`]).
    pub pii_masked: bool,
}

/// Rows per Parquet row group unless set: large enough for engines to skip by statistics,
/// small enough to write with little memory.
pub const DEFAULT_ROW_GROUP_ROWS: usize = 131_072;

impl ExportOptions {
    /// Options for a format and a report zone: Zstd, [`DEFAULT_ROW_GROUP_ROWS`].
    pub fn new(format: ExportFormat, zone: Tz) -> Self {
        ExportOptions {
            format,
            zone,
            row_group_rows: DEFAULT_ROW_GROUP_ROWS,
            compression: Compression::Zstd,
            pii_masked: false,
        }
    }

    /// Rows per Parquet row group (at least 1).
    #[must_use]
    pub fn row_group_rows(mut self, rows: usize) -> Self {
        self.row_group_rows = rows.max(1);
        self
    }

    /// Parquet compression.
    #[must_use]
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Records that personal data was masked.
    #[must_use]
    pub fn pii_masked(mut self, on: bool) -> Self {
        self.pii_masked = on;
        self
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportSummary {
    /// Meetings exported (rows of `meetings`).
    pub meetings: u64,
    /// Rows of `participants`.
    pub participants: u64,
    /// Rows of `phone_calls`.
    pub phone_calls: u64,
    /// Rows of `rooms`.
    pub rooms: u64,
    /// Report stubs given and not exported (annotations, not meetings).
    #[serde(skip)]
    pub stubs_skipped: u64,
    /// The partitions written, `vendor=<v>/month=<m>`, in order.
    pub partitions: Vec<String>,
    /// Files written (data files, not the manifest).
    #[serde(skip)]
    pub files: u64,
    /// Bytes of the data files.
    #[serde(skip)]
    pub bytes: u64,
}

/// Why an export failed.
#[derive(Debug)]
pub struct ExportError(Box<ExportErrorKind>);

/// The kinds of [`ExportError`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ExportErrorKind {
    /// Reading or writing a file or directory failed.
    Io {
        /// What was being done, e.g. `writing`.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The output directory exists, is not empty and is not an earlier export: it is never
    /// replaced.
    NotAnExport {
        /// The directory.
        path: PathBuf,
    },
    /// A value does not fit its column's type (money outside DECIMAL(18,6) or with more than
    /// six decimals; a count beyond INT64).
    Overflow {
        /// The meeting's key.
        key: String,
        /// The neutral field.
        field: String,
        /// The value.
        value: String,
        /// What the column holds.
        expected: String,
    },
    /// A meeting came after its month's partition was written: the input is not in output
    /// order.
    Unsorted {
        /// The meeting's key.
        key: String,
        /// Its partition.
        partition: String,
    },
    /// The Parquet writer failed.
    Parquet {
        /// The file.
        path: PathBuf,
        /// The writer's message.
        message: String,
    },
}

impl ExportError {
    pub(crate) fn new(kind: ExportErrorKind) -> Self {
        ExportError(Box::new(kind))
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        ExportError::new(ExportErrorKind::Io {
            action,
            path: path.to_path_buf(),
            source,
        })
    }

    /// What went wrong.
    pub fn kind(&self) -> &ExportErrorKind {
        &self.0
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ExportErrorKind::Io {
                action,
                path,
                source,
            } => {
                write!(f, "{action} {}: {source}", path.display())
            }
            ExportErrorKind::NotAnExport { path } => write!(
                f,
                "{} exists, is not empty and is not an export (no {MANIFEST_FILE}): it is never replaced; choose a new or empty directory",
                path.display()
            ),
            ExportErrorKind::Overflow {
                key,
                field,
                value,
                expected,
            } => write!(
                f,
                "meeting {key}: {field} = {value} does not fit the export column: expected {expected} (money is never rounded)"
            ),
            ExportErrorKind::Unsorted { key, partition } => write!(
                f,
                "meeting {key} belongs to {partition}, which was already written: give meetings in output order (by start, as merge_sorted and the archive give them)"
            ),
            ExportErrorKind::Parquet { path, message } => {
                write!(f, "writing {}: {message}", path.display())
            }
        }
    }
}

impl std::error::Error for ExportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ExportErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A partition's place in the output order: months ascending, the null month last.
type MonthOrder = (bool, String);

fn month_order(month: Option<&str>) -> MonthOrder {
    match month {
        Some(m) => (false, m.to_owned()),
        None => (true, String::new()),
    }
}

/// The rows of one partition, waiting to be written.
#[derive(Default)]
struct Pending {
    tables: [Vec<Vec<Cell>>; 4],
}

/// Writes an export meeting by meeting (see the module docs): [`Exporter::create`], then
/// [`Exporter::push`] each meeting in output order, then [`Exporter::finish`], which swaps
/// the export in. Dropped without `finish`, it removes its temporary directory and leaves
/// `DIR` as it was.
pub struct Exporter {
    out: PathBuf,
    tmp: PathBuf,
    options: ExportOptions,
    /// Partitions of the month in progress, by (month order, vendor).
    pending: BTreeMap<(MonthOrder, &'static str), Pending>,
    written: BTreeSet<(MonthOrder, &'static str)>,
    summary: ExportSummary,
    done: bool,
}

impl fmt::Debug for Exporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exporter")
            .field("out", &self.out)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Exports `meetings` (in output order) to `out`: [`Exporter`] in one call.
///
/// # Errors
/// See [`ExportErrorKind`].
pub fn export(
    out: &Path,
    meetings: impl IntoIterator<Item = Meeting>,
    options: &ExportOptions,
) -> Result<ExportSummary, ExportError> {
    let mut exporter = Exporter::create(out, options.clone())?;
    for m in meetings {
        exporter.push(&m)?;
    }
    exporter.finish()
}

impl Exporter {
    /// Starts an export to `out` (checked first: an existing non-empty directory must be an
    /// earlier export) in a new temporary directory beside it.
    ///
    /// # Errors
    /// [`ExportErrorKind::NotAnExport`], [`ExportErrorKind::Io`].
    pub fn create(out: &Path, options: ExportOptions) -> Result<Self, ExportError> {
        check_replaceable(out)?;
        let parent = temps::parent_of(out);
        std::fs::create_dir_all(&parent).map_err(|e| ExportError::io("creating", &parent, e))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| String::from("export"));
        temps::remove_stale(out);
        let tmp = {
            let _gate = temps::gate(out)?;
            temps::create(&parent, &name, "tmp")?
        };
        Ok(Exporter {
            out: out.to_path_buf(),
            tmp,
            options,
            pending: BTreeMap::new(),
            written: BTreeSet::new(),
            summary: ExportSummary::default(),
            done: false,
        })
    }

    /// Adds one meeting (report stubs are counted and skipped). Writes the partitions of
    /// earlier months when this meeting starts a later one.
    ///
    /// # Errors
    /// [`ExportErrorKind::Overflow`], [`ExportErrorKind::Unsorted`], and the errors of
    /// writing.
    pub fn push(&mut self, m: &Meeting) -> Result<(), ExportError> {
        if meeting_core::query::is_report_stub(m) {
            self.summary.stubs_skipped += 1;
            return Ok(());
        }
        let month = report_month(m, self.options.zone);
        let order = month_order(month.as_deref());
        let id = (order, m.vendor.name());
        if self.written.contains(&id) {
            return Err(ExportError::new(ExportErrorKind::Unsorted {
                key: m.key.clone(),
                partition: partition_name(id.1, &id.0),
            }));
        }
        let rows = meeting_rows(m, self.options.zone)?;
        // A later month: the earlier ones are complete.
        let earlier: Vec<_> = self
            .pending
            .keys()
            .filter(|(o, _)| *o < id.0)
            .cloned()
            .collect();
        for k in earlier {
            if let Some(p) = self.pending.remove(&k) {
                self.write_partition(&k, p)?;
            }
        }
        let pending = self.pending.entry(id).or_default();
        for (table, rows) in pending.tables.iter_mut().zip(rows.tables) {
            table.extend(rows);
        }
        self.summary.meetings += 1;
        self.summary.participants += m.participants.len() as u64;
        self.summary.phone_calls += m.phone_calls.len() as u64;
        self.summary.rooms += m.rooms.len() as u64;
        Ok(())
    }

    /// Writes what is pending and the manifest, then swaps the export in for `out`.
    ///
    /// # Errors
    /// The errors of writing and renaming.
    pub fn finish(mut self) -> Result<ExportSummary, ExportError> {
        let pending = std::mem::take(&mut self.pending);
        for (k, p) in pending {
            self.write_partition(&k, p)?;
        }
        self.write_manifest()?;
        swap_in(&self.tmp, &self.out)?;
        self.done = true;
        Ok(std::mem::take(&mut self.summary))
    }

    fn write_partition(
        &mut self,
        id: &(MonthOrder, &'static str),
        mut p: Pending,
    ) -> Result<(), ExportError> {
        let name = partition_name(id.1, &id.0);
        for (table, rows) in TABLES.iter().zip(p.tables.iter_mut()) {
            // Stable: list rows keep their vendor order within a meeting.
            rows.sort_by(|a, b| key_of(a).cmp(key_of(b)));
            let dir = self.tmp.join(table.name).join(&name);
            let path = dir.join(format!("part-0.{}", self.options.format.extension()));
            // Under the gate: never created again once an interruption removed `tmp`.
            let file = {
                let _gate = temps::gate(&self.out)?;
                std::fs::create_dir_all(&dir).map_err(|e| ExportError::io("creating", &dir, e))?;
                std::fs::File::create(&path).map_err(|e| ExportError::io("creating", &path, e))?
            };
            let bytes = self.write_table(table, rows, file, &path)?;
            self.summary.files += 1;
            self.summary.bytes += bytes;
        }
        self.summary.partitions.push(name);
        self.written.insert(id.clone());
        Ok(())
    }

    fn write_table(
        &self,
        table: &Table,
        rows: &[Vec<Cell>],
        file: std::fs::File,
        path: &Path,
    ) -> Result<u64, ExportError> {
        let mut w = CountingWriter {
            inner: io::BufWriter::with_capacity(256 * 1024, file),
            bytes: 0,
        };
        match self.options.format {
            #[cfg(feature = "parquet")]
            ExportFormat::Parquet => parquet::write(&mut w, table, rows, &self.options, path)?,
            ExportFormat::Jsonl => text::write_jsonl(&mut w, table, rows)
                .map_err(|e| ExportError::io("writing", path, e))?,
            ExportFormat::Csv => text::write_csv(&mut w, table, rows)
                .map_err(|e| ExportError::io("writing", path, e))?,
        }
        w.flush().map_err(|e| ExportError::io("writing", path, e))?;
        let file = w
            .inner
            .into_inner()
            .map_err(|e| ExportError::io("writing", path, e.into_error()))?;
        file.sync_all()
            .map_err(|e| ExportError::io("syncing", path, e))?;
        Ok(w.bytes)
    }

    fn write_manifest(&self) -> Result<(), ExportError> {
        #[derive(Serialize)]
        struct Manifest<'a> {
            format: &'static str,
            version: u32,
            file_format: ExportFormat,
            zone: &'a str,
            partitioning: [&'static str; 2],
            month: String,
            neutral_schema_version: u32,
            pii_masked: bool,
            counts: &'a ExportSummary,
            tables: &'a [Table],
            excluded_neutral_fields: BTreeMap<&'static str, &'static str>,
        }
        let manifest = Manifest {
            format: "meeting-export",
            version: EXPORT_VERSION,
            file_format: self.options.format,
            zone: self.options.zone.name(),
            partitioning: ["vendor", "month"],
            month: format!(
                "YYYY-MM of the meeting's start (else scheduled start) in {}; {NULL_PARTITION} when it has neither",
                self.options.zone.name()
            ),
            neutral_schema_version: meeting_core::SCHEMA_VERSION,
            pii_masked: self.options.pii_masked,
            counts: &self.summary,
            tables: &TABLES,
            excluded_neutral_fields: EXCLUDED.iter().copied().collect(),
        };
        let _gate = temps::gate(&self.out)?;
        std::fs::create_dir_all(&self.tmp)
            .map_err(|e| ExportError::io("creating", &self.tmp, e))?;
        let path = self.tmp.join(MANIFEST_FILE);
        let mut text = serde_json::to_vec_pretty(&manifest).map_err(|e| {
            ExportError::io(
                "writing",
                &path,
                io::Error::new(io::ErrorKind::InvalidData, e),
            )
        })?;
        text.push(b'\n');
        std::fs::write(&path, text).map_err(|e| ExportError::io("writing", &path, e))
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        if !self.done {
            let _ = temps::remove(&self.tmp);
        }
    }
}

fn key_of(row: &[Cell]) -> &str {
    match row.first() {
        Some(Cell::Str(k)) => k,
        _ => "",
    }
}

fn partition_name(vendor: &str, order: &MonthOrder) -> String {
    let month = if order.0 { NULL_PARTITION } else { &order.1 };
    format!("vendor={vendor}/month={month}")
}

struct CountingWriter<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// An existing `out` must be a directory that is empty or an earlier export.
fn check_replaceable(out: &Path) -> Result<(), ExportError> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ExportError::io("reading", out, e)),
    };
    if !meta.is_dir() {
        return Err(ExportError::new(ExportErrorKind::NotAnExport {
            path: out.to_path_buf(),
        }));
    }
    if out.join(MANIFEST_FILE).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| ExportError::io("reading", out, e))?;
    if entries.next().is_some() {
        return Err(ExportError::new(ExportErrorKind::NotAnExport {
            path: out.to_path_buf(),
        }));
    }
    Ok(())
}

/// The entries of `DIR` an export owns: its manifest and one directory per table. Nothing
/// else in `DIR` is ever moved, replaced or removed.
fn owned_entries() -> impl DoubleEndedIterator<Item = &'static str> {
    TABLES
        .iter()
        .map(|t| t.name)
        .chain(std::iter::once(MANIFEST_FILE))
}

/// Replaces the export in `out` with the one in `tmp`. A new `out` is `tmp` renamed. An
/// earlier export has its own entries (the table directories, then the manifest) moved
/// aside and the new ones renamed in, the manifest last; anything else in `out` (a user's
/// notes, a cache) stays where it is. The old entries are removed at the end.
fn swap_in(tmp: &Path, out: &Path) -> Result<(), ExportError> {
    // Ctrl-C waits for the renames: never an export half swapped with its old entries gone.
    let _gate = temps::gate(out)?;
    check_replaceable(out)?;
    if !out.exists() {
        std::fs::rename(tmp, out).map_err(|e| ExportError::io("renaming the export to", out, e))?;
        temps::forget(tmp);
        return Ok(());
    }
    let parent = tmp.parent().unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let old = temps::create(parent, &name, "old")?;
    let mut moved: Vec<&str> = Vec::new();
    let result = (|| {
        // The manifest first: while entries move, `out` is not a complete export.
        for entry in owned_entries().rev() {
            let from = out.join(entry);
            if std::fs::symlink_metadata(&from).is_ok() {
                std::fs::rename(&from, old.join(entry))
                    .map_err(|e| ExportError::io("moving aside", &from, e))?;
                moved.push(entry);
            }
        }
        for entry in owned_entries() {
            let from = tmp.join(entry);
            if std::fs::symlink_metadata(&from).is_ok() {
                std::fs::rename(&from, out.join(entry))
                    .map_err(|e| ExportError::io("renaming the export to", out, e))?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        // Back as it was: the new entries out, the old ones in.
        for entry in owned_entries() {
            if std::fs::symlink_metadata(tmp.join(entry)).is_err() {
                let _ = std::fs::rename(out.join(entry), tmp.join(entry));
            }
        }
        for entry in moved {
            let _ = std::fs::rename(old.join(entry), out.join(entry));
        }
        let _ = temps::remove(&old);
        return Err(e);
    }
    let _ = temps::remove(tmp);
    temps::remove(&old).map_err(|e| ExportError::io("removing", &old, e))
}
