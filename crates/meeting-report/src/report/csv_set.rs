//! The report as a set of CSV files, one per sheet (`summary.csv`, `rooms.csv`, ...), for a
//! directory: stable snake_case English headers, numbers as numbers (money as its exact
//! decimal, the currency in the header), times as RFC 3339 with the report zone's offset,
//! days as `YYYY-MM-DD`. The set is written to files, so it is bound for a spreadsheet: with
//! `bom` (the default of `meeting report`; `--no-bom` drops it) each file starts with a UTF-8
//! byte order mark, and text cells that a spreadsheet would run as a formula are always
//! neutralised ([`crate::pii::neutralize_formula`]). Total rows are not written
//! (the Summary holds the totals), as in `meeting stats -o csv`.

use std::io;

use crate::pii::neutralize_formula;
use chrono::TimeZone;

use super::compare::money_text;
use super::{Cell, Report, ReportError, Sheet};

/// The files of the set, in sheet order.
pub const CSV_FILES: [&str; 8] = [
    "summary.csv",
    "rooms.csv",
    "hosts.csv",
    "departments.csv",
    "days.csv",
    "meetings.csv",
    "participants.csv",
    "calls.csv",
];

/// The CSV set: `(file name, bytes)` for each sheet, in sheet order ([`CSV_FILES`]). The
/// caller writes them into a directory.
///
/// # Errors
/// Only if the CSV writer fails (it writes to memory).
pub fn csv_files(report: &Report, bom: bool) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    report
        .sheets()
        .iter()
        .map(|sheet| {
            let name = format!("{}.csv", sheet.name.to_ascii_lowercase());
            write_sheet(report, sheet, bom)
                .map(|bytes| (name.clone(), bytes))
                .map_err(|e| ReportError::new(format!("cannot write {name}: {e}")))
        })
        .collect()
}

fn write_sheet(report: &Report, sheet: &Sheet, bom: bool) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(sheet.columns.iter().map(|c| c.id.as_str()))?;
    for row in &sheet.rows {
        w.write_record(row.iter().map(|c| cell_text(report, c)))?;
    }
    w.flush()?;
    drop(w);
    Ok(out)
}

fn cell_text(report: &Report, cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => neutralize_formula(s).into_owned(),
        Cell::Int(n) => n.to_string(),
        Cell::Money { amount, .. } => money_text(*amount),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::DateTime(t) => report
            .options
            .zone
            .from_local_datetime(t)
            .earliest()
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| t.format("%Y-%m-%dT%H:%M:%S").to_string()),
    }
}
