//! The report as an Excel workbook (`rust_xlsxwriter`): one worksheet per [`Sheet`], typed
//! cells (numbers; dates and times in the report zone with a date format; money as numbers
//! with a CNY number format; ids and phone numbers as text), a frozen header row, an
//! autofilter, column widths that fit Chinese text, and total rows whose additive figures
//! are `SUM` formulas with their computed result stored (so previewers that do not
//! recalculate show the right number). Counts and minutes have the format `#,##0`.
//!
//! Excel's limits are met, not hit: a text cell longer than [`EXCEL_MAX_TEXT`] characters
//! (a vendor's topic can be) is truncated with a note in the cell and a line on the
//! Summary (the CSV set keeps the whole text), and a sheet of more than [`EXCEL_MAX_ROWS`]
//! rows is refused by [`check_xlsx_limits`] before anything is built.

use chrono::NaiveDateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, Format, FormatBorder, Formula, Workbook, Worksheet, XlsxError, column_number_to_name,
};

use super::compare::money_text;
use super::compare::thousands;
use super::{Cell, Report, ReportError, Sheet, display_width};

/// The most characters Excel keeps in a cell.
pub const EXCEL_MAX_TEXT: usize = 32_767;
/// The most rows of an Excel worksheet (the header and a total row included).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;
/// Excel's format for counts and minutes.
const COUNT_FORMAT: &str = "#,##0";

/// Excel's number format for yuan (the format Excel itself writes for `¥` in Chinese).
pub(crate) const CNY_FORMAT: &str = "[$¥-804]#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";
const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";
const MAX_WIDTH: usize = 60;

struct Formats {
    header: Format,
    count: Format,
    total_count: Format,
    date: Format,
    datetime: Format,
    money_cny: Format,
    total: Format,
    total_money_cny: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x00DD_E6F0))
            .set_border_bottom(FormatBorder::Thin);
        let total = Format::new().set_bold().set_border_top(FormatBorder::Thin);
        Formats {
            header,
            count: Format::new().set_num_format(COUNT_FORMAT),
            total_count: total.clone().set_num_format(COUNT_FORMAT),
            date: Format::new().set_num_format(DATE_FORMAT),
            datetime: Format::new().set_num_format(DATETIME_FORMAT),
            money_cny: Format::new().set_num_format(CNY_FORMAT),
            total_money_cny: total.clone().set_num_format(CNY_FORMAT),
            total,
        }
    }

    fn money(currency: &str, total: bool) -> Format {
        let f = if currency == "CNY" {
            Format::new().set_num_format(CNY_FORMAT)
        } else {
            Format::new().set_num_format(format!("#,##0.00 \"{currency}\""))
        };
        if total {
            f.set_bold().set_border_top(FormatBorder::Thin)
        } else {
            f
        }
    }
}

/// The rows each sheet of the workbook would have (the header and a total row
/// included), counted without building it.
fn sheet_rows(report: &Report) -> [(&'static str, u64); 8] {
    let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
    let participants: usize = report.meetings.iter().map(|m| m.participants.len()).sum();
    let calls: usize = report.meetings.iter().map(|m| m.phone_calls.len()).sum();
    [
        ("Summary", 64 + n(report.warnings.len())),
        ("Rooms", n(report.rooms.groups.len()).saturating_add(2)),
        ("Hosts", n(report.hosts.groups.len()).saturating_add(2)),
        ("Departments", n(report.departments.len()).saturating_add(2)),
        ("Days", n(report.days.len()).saturating_add(2)),
        ("Meetings", n(report.meetings.len()).saturating_add(1)),
        ("Participants", n(participants).saturating_add(1)),
        ("Calls", n(calls).saturating_add(1)),
    ]
}

/// Checks that the report fits in an Excel workbook: no sheet over [`EXCEL_MAX_ROWS`]
/// rows. Cheap (it counts, it builds nothing): call it before the work of writing, as
/// [`write_xlsx`] does.
///
/// # Errors
/// The first sheet that does not fit, with its row count and what to do instead.
pub fn check_xlsx_limits(report: &Report) -> Result<(), ReportError> {
    for (name, rows) in sheet_rows(report) {
        check_rows(name, rows)?;
    }
    Ok(())
}

fn check_rows(name: &str, rows: u64) -> Result<(), ReportError> {
    if rows > EXCEL_MAX_ROWS {
        return Err(ReportError::new(format!(
            "the Excel sheet {name} would have {} rows, more than Excel's limit of {}: \
             write the CSV set (-o csv), or report a shorter span",
            thousands(rows),
            thousands(EXCEL_MAX_ROWS)
        )));
    }
    Ok(())
}

/// `text` cut to Excel's limit with a note saying so, or `None` when it fits.
fn truncated(text: &str) -> Option<String> {
    let chars = text.chars().count();
    if chars <= EXCEL_MAX_TEXT {
        return None;
    }
    // Room for the note (about 110 characters).
    let keep = EXCEL_MAX_TEXT - 200;
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(&format!(
        " … [truncated at Excel's cell limit: the first {} of {} characters; the CSV set holds the whole text]",
        thousands(keep as u64),
        thousands(u64::try_from(chars).unwrap_or(u64::MAX))
    ));
    Some(out)
}

/// Writes the report as an `.xlsx` workbook (the bytes of the file).
///
/// # Errors
/// A sheet larger than Excel allows ([`check_xlsx_limits`], checked first), or the
/// writer's own failure.
pub fn write_xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    check_xlsx_limits(report)?;
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    let mut sheets = report.sheets();
    // Text over Excel's limit: cut with a note in the cell, counted on the Summary.
    let mut cut: Vec<(&'static str, usize)> = Vec::new();
    for sheet in &mut sheets {
        let mut n = 0;
        for cell in sheet.rows.iter_mut().flatten() {
            if let Cell::Text(s) = cell
                && let Some(t) = truncated(s)
            {
                *s = t;
                n += 1;
            }
        }
        if n > 0 {
            cut.push((sheet.name, n));
        }
    }
    if !cut.is_empty()
        && let Some(summary) = sheets.first_mut()
    {
        let list: Vec<String> = cut.iter().map(|(s, n)| format!("{n} on {s}")).collect();
        summary.rows.push(vec![
            Cell::Text("Note".into()),
            Cell::Text(format!(
                "text cells longer than Excel's limit of {} characters are truncated, with a note in the cell ({}); the CSV set (-o csv) holds the whole text",
                thousands(EXCEL_MAX_TEXT as u64),
                list.join(", ")
            )),
            Cell::Empty,
            Cell::Empty,
        ]);
    }
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        write_sheet(ws, &sheet, &formats).map_err(|e| xlsx_error(sheet.name, &e))?;
    }
    workbook
        .save_to_buffer()
        .map_err(|e| xlsx_error("the workbook", &e))
}

fn xlsx_error(what: &str, e: &XlsxError) -> ReportError {
    ReportError::new(format!("cannot write the Excel sheet {what}: {e}"))
}

/// Days since Excel's epoch (1899-12-30), with the time of day as the fraction.
pub(crate) fn excel_serial(t: NaiveDateTime) -> f64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let secs = t.signed_duration_since(epoch).num_seconds();
    // Whole seconds of a few centuries: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    let serial = secs as f64 / 86_400.0;
    serial
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    f: &Formats,
    total: bool,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty if total => {
            ws.write_blank(row, col, &f.total)?;
        }
        Cell::Empty => {}
        Cell::Text(s) if total => {
            ws.write_string_with_format(row, col, s, &f.total)?;
        }
        Cell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        Cell::Int(n) => {
            #[allow(clippy::cast_precision_loss)]
            let v = *n as f64;
            let fmt = if total { &f.total_count } else { &f.count };
            ws.write_number_with_format(row, col, v, fmt)?;
        }
        Cell::Money { amount, currency } => {
            let v = amount.to_f64().unwrap_or_default();
            let fmt = match (currency.as_str(), total) {
                ("CNY", false) => f.money_cny.clone(),
                ("CNY", true) => f.total_money_cny.clone(),
                (cur, t) => Formats::money(cur, t),
            };
            ws.write_number_with_format(row, col, v, &fmt)?;
        }
        Cell::Date(d) => {
            let t = d.and_hms_opt(0, 0, 0).unwrap_or_default();
            ws.write_number_with_format(row, col, excel_serial(t), &f.date)?;
        }
        Cell::DateTime(t) => {
            ws.write_number_with_format(row, col, excel_serial(*t), &f.datetime)?;
        }
    }
    Ok(())
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    let mut widths: Vec<usize> = sheet
        .columns
        .iter()
        .map(|c| display_width(&c.title))
        .collect();
    for (col, c) in (0u16..).zip(&sheet.columns) {
        ws.write_string_with_format(0, col, &c.title, &f.header)?;
    }
    let mut row: u32 = 1;
    for cells in &sheet.rows {
        for ((col, cell), w) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            write_cell(ws, row, col, cell, f, false)?;
            *w = (*w).max(cell_width(cell));
        }
        row += 1;
    }
    let last_data = row - 1;
    if let Some(total) = &sheet.total {
        for ((col, cell), c) in (0u16..).zip(total).zip(&sheet.columns) {
            let sums =
                c.summable && last_data >= 1 && matches!(cell, Cell::Int(_) | Cell::Money { .. });
            if sums {
                let letter = column_number_to_name(col);
                let result = match cell {
                    Cell::Money { amount, .. } => money_text(*amount),
                    Cell::Int(n) => n.to_string(),
                    other => other.display(),
                };
                let formula = Formula::new(format!("=SUM({letter}2:{letter}{})", last_data + 1))
                    .set_result(result);
                let fmt = match cell {
                    Cell::Money { currency, .. } if currency == "CNY" => f.total_money_cny.clone(),
                    Cell::Money { currency, .. } => Formats::money(currency, true),
                    _ => f.total_count.clone(),
                };
                ws.write_formula_with_format(row, col, formula, &fmt)?;
            } else {
                write_cell(ws, row, col, cell, f, true)?;
            }
        }
    }
    if let Some(note) = &sheet.note {
        // Beneath the table: why its total is not the sum of its rows.
        ws.write_string(row + 2, 0, note)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = u16::try_from(sheet.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
    ws.autofilter(0, 0, last_data.max(1), last_col)?;
    for (col, w) in (0u16..).zip(widths) {
        // A little air, and a cap so that a long topic does not push the rest away.
        #[allow(clippy::cast_precision_loss)]
        let width = (w.min(MAX_WIDTH) + 2) as f64;
        ws.set_column_width(col, width)?;
    }
    Ok(())
}

fn cell_width(cell: &Cell) -> usize {
    match cell {
        Cell::Date(_) => 10,
        Cell::DateTime(_) => 19,
        Cell::Money { amount, currency } => super::compare::money_label(*amount, currency).len(),
        other => display_width(&other.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_over_excels_limit_are_refused_with_a_message() {
        assert!(check_rows("Participants", EXCEL_MAX_ROWS).is_ok());
        let e = check_rows("Participants", EXCEL_MAX_ROWS + 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "the Excel sheet Participants would have 1,048,577 rows, more than Excel's limit of 1,048,576: write the CSV set (-o csv), or report a shorter span"
        );
    }

    #[test]
    fn long_text_is_cut_to_the_limit_with_a_note() {
        assert_eq!(truncated(&"x".repeat(EXCEL_MAX_TEXT)), None);
        for len in [EXCEL_MAX_TEXT + 1, 100_000] {
            let t = truncated(&"周".repeat(len)).unwrap_or_default();
            assert!(t.chars().count() <= EXCEL_MAX_TEXT, "{len}");
            assert!(t.chars().count() > EXCEL_MAX_TEXT - 200, "{len}");
            assert!(t.contains(&format!("of {} characters", thousands(len as u64))));
        }
    }
}
