//! Rectangular results (headers and rows of text) as a table or CSV.

use std::io::{self, Write};

use std::borrow::Cow;

use crate::pii::{escape_control, neutralize_formula};

use crate::{Format, RenderOptions};

/// A CSV cell: neutralised when bound for a spreadsheet and not a plain number.
/// A CSV writer's error as the I/O error it carries, its kind kept (a closed pipe stays a
/// closed pipe, which the CLI ends quietly); any other CSV error as an I/O error.
pub(crate) fn csv_io(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

pub(crate) fn csv_cell<'a>(cell: &'a str, r: &RenderOptions) -> Cow<'a, str> {
    if r.spreadsheet {
        spreadsheet_cell(cell)
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell of spreadsheet-bound CSV: a text cell that a spreadsheet would run as a formula is
/// neutralised; a number is left as it is.
pub(crate) fn spreadsheet_cell(cell: &str) -> Cow<'_, str> {
    if cell.parse::<f64>().is_err() {
        neutralize_formula(cell)
    } else {
        Cow::Borrowed(cell)
    }
}

/// A rectangular result: headers and rows of text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grid {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, each as long as the headers.
    pub rows: Vec<Vec<String>>,
}

/// Writes a grid as CSV (with `--csv-bom`'s BOM when asked) or, for any other format, as a
/// table.
pub fn write_grid(w: &mut dyn Write, grid: &Grid, r: &RenderOptions) -> io::Result<()> {
    if r.format == Format::Csv {
        if r.csv_bom {
            w.write_all("\u{feff}".as_bytes())?;
        }
        let mut out = csv::Writer::from_writer(&mut *w);
        if r.headers {
            out.write_record(&grid.headers).map_err(csv_io)?;
        }
        for row in &grid.rows {
            out.write_record(row.iter().map(|c| csv_cell(c, r).into_owned()))
                .map_err(csv_io)?;
        }
        out.flush()
    } else {
        let mut table = comfy_table::Table::new();
        table.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
        table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        if r.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        if r.headers {
            table.set_header(grid.headers.iter().map(|h| {
                let cell = comfy_table::Cell::new(h);
                if r.color {
                    cell.add_attribute(comfy_table::Attribute::Bold)
                } else {
                    cell
                }
            }));
        }
        // Vendor text on a terminal: control characters are shown, never obeyed.
        for row in &grid.rows {
            table.add_row(row.iter().map(|c| escape_control(c).into_owned()));
        }
        writeln!(w, "{table}")
    }
}
