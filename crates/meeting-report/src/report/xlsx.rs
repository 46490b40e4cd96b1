//! The report as an Excel workbook (`rust_xlsxwriter`): one worksheet per [`Sheet`], typed
//! cells (numbers; dates and times in the report zone with a date format; money as numbers
//! with a CNY number format; ids and phone numbers as text), a frozen header row, an
//! autofilter, column widths that fit Chinese text, and total rows whose additive figures
//! are `SUM` formulas with their computed result stored (so previewers that do not
//! recalculate show the right number).

use chrono::NaiveDateTime;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Color, Format, FormatBorder, Formula, Workbook, Worksheet, XlsxError, column_number_to_name,
};

use super::sheet::money_text;
use super::{Cell, Report, ReportError, Sheet, display_width};

/// Excel's number format for yuan (the format Excel itself writes for `¥` in Chinese).
pub(crate) const CNY_FORMAT: &str = "[$¥-804]#,##0.00";
const DATE_FORMAT: &str = "yyyy-mm-dd";
const DATETIME_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";
const MAX_WIDTH: usize = 60;

struct Formats {
    header: Format,
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

/// Writes the report as an `.xlsx` workbook (the bytes of the file).
///
/// # Errors
/// A sheet larger than Excel allows (1 048 576 rows), or the writer's own failure.
pub fn write_xlsx(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    for sheet in report.sheets() {
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
            if total {
                ws.write_number_with_format(row, col, v, &f.total)?;
            } else {
                ws.write_number(row, col, v)?;
            }
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
                    other => other.display(),
                };
                let formula = Formula::new(format!("=SUM({letter}2:{letter}{})", last_data + 1))
                    .set_result(result);
                let fmt = match cell {
                    Cell::Money { currency, .. } if currency == "CNY" => f.total_money_cny.clone(),
                    Cell::Money { currency, .. } => Formats::money(currency, true),
                    _ => f.total.clone(),
                };
                ws.write_formula_with_format(row, col, formula, &fmt)?;
            } else {
                write_cell(ws, row, col, cell, f, true)?;
            }
        }
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
        Cell::Money { amount, .. } => money_text(*amount).len() + 4,
        other => display_width(&other.display()),
    }
}
