//! Every output of the meeting-usage toolkit, as a library: the renderers that turn neutral
//! meetings ([`meeting_core::Meeting`]) and aggregates ([`meeting_core::aggregate::Aggregate`])
//! into a table for people, CSV, JSON and JSON Lines, and the masking of personal data
//! (`--mask-pii`). The `meeting` CLI is a thin layer over this crate; any program can render
//! the same bytes.
//!
//! - [`write_meetings`]: a whole list in one format; [`StreamWriter`]: meeting by meeting
//!   (JSON Lines and CSV) with memory bounded by one meeting; [`stream_inputs`]: dump
//!   files (one large one or many) read in chunks on several threads and written in input
//!   order.
//! - [`write_aggregate`]: `meeting stats` output.
//! - [`write_raw_bodies`]: vendor bodies verbatim (`--raw`).
//! - [`fields`]: the one row schema (stable ids and labels) every output names its
//!   meeting, participant and call columns by.
//! - [`mask`]: personal data masked for `--mask-pii`.
//! - [`report`]: the monthly finance report (`meeting report`) as an Excel workbook, a
//!   self-contained HTML page with SVG charts, or a set of CSV files.
//! - [`export`]: `meeting export`, the tables for data teams (Parquet with the feature
//!   `parquet`, JSON Lines, CSV), Hive-partitioned by vendor and month.
//!
//! JSON and JSON Lines are exactly meeting-core's serialisation (UTC, RFC 3339); table and
//! CSV times are shown in the options' zone as `YYYY-MM-DD HH:MM:SS`, the zone named in the
//! header. This crate does no HTTP and no argument parsing.
//!
//! ```
//! use meeting_report::{Format, RenderOptions, write_meetings};
//! use meeting_core::{Meeting, Source, Vendor};
//!
//! let mut m = Meeting::new(Vendor::Systec, Source::SystecHisMeeting, "systec:abc");
//! m.topic = Some("周会".into());
//! let mut out = Vec::new();
//! write_meetings(&mut out, &[m], &RenderOptions::new(Format::Csv, chrono_tz::Asia::Shanghai))?;
//! let csv = String::from_utf8(out)?;
//! assert!(csv.starts_with("key,topic,room,host,status,start,end,duration_seconds"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod allocation;
mod columns;
pub mod export;
pub mod fields;
pub mod mask;
mod meetings;
pub mod pii;
mod raw;
pub mod report;
mod stats;
mod stream;
mod table;

pub use columns::{Columns, check_columns, column_ids, default_columns};
pub use meetings::{
    StreamWriter, cost_cells, cost_label, hms, local, money_cells, rfc3339, write_meetings,
};
pub use raw::write_raw_bodies;
pub use stats::{aggregate_csv_grid, aggregate_grid, total_kind, write_aggregate};
pub use stream::{StreamCounts, stream_inputs};
pub use table::{Grid, write_grid};

use chrono_tz::Tz;

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A table for people (times in the options' zone).
    Table,
    /// One pretty JSON array of neutral meetings (UTC).
    Json,
    /// One neutral meeting per line (UTC).
    Jsonl,
    /// Comma-separated values (times in the options' zone).
    Csv,
}

/// What a table or CSV row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Rows {
    /// One row per meeting.
    #[default]
    Meetings,
    /// One row per participant.
    Participants,
    /// One row per phone call (number, direction, billed minutes, exact cost).
    Calls,
}

/// How to render.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RenderOptions {
    /// The format.
    pub format: Format,
    /// What a table or CSV row is.
    pub rows: Rows,
    /// The zone table and CSV times are shown in.
    pub tz: Tz,
    /// Start CSV with a UTF-8 byte order mark.
    pub csv_bom: bool,
    /// Colour (bold headers) in tables.
    pub color: bool,
    /// Which columns tables and CSV show.
    pub columns: Columns,
    /// Whether tables and CSV start with a header row.
    pub headers: bool,
    /// CSV bound for a spreadsheet (written to a file): a text cell that a spreadsheet
    /// would run as a formula (`=`, `+`, `-`, `@`, TAB or CR first, and not a plain number)
    /// gets a `'` in front ([`crate::pii::neutralize_formula`]). Off for CSV that
    /// programs read (stdout, exports).
    pub spreadsheet: bool,
}

impl RenderOptions {
    /// Options for a format and a display zone: meeting rows, no BOM, no colour.
    pub fn new(format: Format, tz: Tz) -> Self {
        RenderOptions {
            format,
            rows: Rows::Meetings,
            tz,
            csv_bom: false,
            color: false,
            columns: Columns::Default,
            headers: true,
            spreadsheet: false,
        }
    }

    /// CSV bound for a spreadsheet: formulas neutralised (see [`RenderOptions::spreadsheet`]).
    #[must_use]
    pub fn spreadsheet(mut self, on: bool) -> Self {
        self.spreadsheet = on;
        self
    }

    /// Which columns tables and CSV show.
    #[must_use]
    pub fn columns(mut self, columns: Columns) -> Self {
        self.columns = columns;
        self
    }

    /// Whether tables and CSV start with a header row.
    #[must_use]
    pub fn headers(mut self, on: bool) -> Self {
        self.headers = on;
        self
    }

    /// What a row is.
    #[must_use]
    pub fn rows(mut self, rows: Rows) -> Self {
        self.rows = rows;
        self
    }

    /// Start CSV with a UTF-8 byte order mark.
    #[must_use]
    pub fn csv_bom(mut self, on: bool) -> Self {
        self.csv_bom = on;
        self
    }

    /// Colour in tables.
    #[must_use]
    pub fn color(mut self, on: bool) -> Self {
        self.color = on;
        self
    }
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
