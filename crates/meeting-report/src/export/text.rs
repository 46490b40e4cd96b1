//! The JSON Lines and CSV forms of the exported tables.

use std::io::{self, Write};

use chrono::SecondsFormat;

use super::schema::{Cell, Table};

/// `12345` scaled by 10^6 as `0.012345` (always six decimals).
pub(crate) fn decimal_text(scaled: i128) -> String {
    let sign = if scaled < 0 { "-" } else { "" };
    let v = scaled.unsigned_abs();
    format!("{sign}{}.{:06}", v / 1_000_000, v % 1_000_000)
}

fn time_text(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One JSON object per row, the columns in table order; `null` for null.
pub(crate) fn write_jsonl(w: &mut impl Write, table: &Table, rows: &[Vec<Cell>]) -> io::Result<()> {
    let names: Vec<String> = table
        .columns
        .iter()
        .map(|c| serde_json::to_string(c.name).unwrap_or_default())
        .collect();
    let mut line = String::new();
    for row in rows {
        line.clear();
        line.push('{');
        for (i, (name, cell)) in names.iter().zip(row).enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(name);
            line.push(':');
            match cell {
                Cell::Null => line.push_str("null"),
                Cell::Str(s) => line.push_str(&serde_json::to_string(s).map_err(io::Error::other)?),
                Cell::Int(n) => line.push_str(&n.to_string()),
                Cell::Bool(b) => line.push_str(if *b { "true" } else { "false" }),
                Cell::Ts(t) => {
                    line.push('"');
                    line.push_str(&time_text(t));
                    line.push('"');
                }
                Cell::Dec(d) => line.push_str(&decimal_text(*d)),
            }
        }
        line.push_str("}\n");
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A header row and one row per row; null is an empty cell.
pub(crate) fn write_csv(w: &mut impl Write, table: &Table, rows: &[Vec<Cell>]) -> io::Result<()> {
    let mut csv = csv::WriterBuilder::new().from_writer(w);
    csv.write_record(table.columns.iter().map(|c| c.name))
        .map_err(crate::table::csv_io)?;
    let mut record: Vec<String> = Vec::with_capacity(table.columns.len());
    for row in rows {
        record.clear();
        record.extend(row.iter().map(|cell| match cell {
            Cell::Null => String::new(),
            Cell::Str(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Ts(t) => time_text(t),
            Cell::Dec(d) => decimal_text(*d),
        }));
        csv.write_record(&record).map_err(crate::table::csv_io)?;
    }
    csv.flush()
}
