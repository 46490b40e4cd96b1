//! Meetings as a table, JSON, JSON Lines or CSV, with a stable column order.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::query::{host_label, participant_count, room_label};

use crate::columns::{project, selection};
use crate::{Format, Grid, RenderOptions, Rows, write_grid};

/// Writes meetings in the chosen format.
pub fn write_meetings(
    w: &mut dyn Write,
    meetings: &[Meeting],
    r: &RenderOptions,
) -> io::Result<()> {
    match r.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, meetings).map_err(io::Error::other)?;
            writeln!(w)
        }
        Format::Jsonl => {
            for m in meetings {
                serde_json::to_writer(&mut *w, m).map_err(io::Error::other)?;
                writeln!(w)?;
            }
            Ok(())
        }
        Format::Table | Format::Csv => {
            let grid = match r.rows {
                Rows::Meetings => meeting_grid(meetings, r.tz),
                Rows::Participants => participant_grid(meetings, r.tz),
                Rows::Calls => call_grid(meetings, r.tz),
            };
            let sel = selection(r);
            let grid = Grid {
                headers: project(grid.headers, sel.as_deref()),
                rows: grid
                    .rows
                    .into_iter()
                    .map(|row| project(row, sel.as_deref()))
                    .collect(),
            };
            write_grid(w, &grid, r)
        }
    }
}

/// Writes meetings one at a time, as they are read: JSON Lines, or CSV (header once). The
/// bytes are those [`write_meetings`] writes for the same meetings; memory stays bounded by
/// one meeting.
pub struct StreamWriter<'w> {
    format: Format,
    rows: Rows,
    tz: Tz,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    json: Option<&'w mut dyn Write>,
    line: Vec<u8>,
    selection: Option<Vec<usize>>,
    spreadsheet: bool,
}

impl<'w> StreamWriter<'w> {
    /// A stream writer, or `None` for formats that need every meeting first (table, JSON
    /// array).
    pub fn new(w: &'w mut dyn Write, r: &RenderOptions) -> io::Result<Option<Self>> {
        Self::with_header(w, r, true)
    }

    /// As [`StreamWriter::new`]; without the CSV header (and BOM) when `header` is false,
    /// for a part of the output rendered apart and written after the header.
    pub fn with_header(
        w: &'w mut dyn Write,
        r: &RenderOptions,
        header: bool,
    ) -> io::Result<Option<Self>> {
        match r.format {
            Format::Jsonl => Ok(Some(StreamWriter {
                format: r.format,
                rows: r.rows,
                tz: r.tz,
                csv: None,
                json: Some(w),
                line: Vec::with_capacity(4096),
                selection: None,
                spreadsheet: false,
            })),
            Format::Csv => {
                if r.csv_bom && header {
                    w.write_all("\u{feff}".as_bytes())?;
                }
                let mut out = csv::Writer::from_writer(w);
                let sel = selection(r);
                if header && r.headers {
                    out.write_record(project(headers_for(r.rows, r.tz), sel.as_deref()))
                        .map_err(io::Error::other)?;
                }
                Ok(Some(StreamWriter {
                    format: r.format,
                    rows: r.rows,
                    tz: r.tz,
                    csv: Some(out),
                    json: None,
                    line: Vec::new(),
                    selection: sel,
                    spreadsheet: r.spreadsheet,
                }))
            }
            Format::Json | Format::Table => Ok(None),
        }
    }

    /// Writes one meeting.
    pub fn write(&mut self, m: &Meeting) -> io::Result<()> {
        match (self.format, &mut self.json, &mut self.csv) {
            (Format::Jsonl, Some(w), _) => {
                // serde_json writes many small pieces; collect the line in a reused buffer
                // and hand the writer one piece.
                self.line.clear();
                serde_json::to_writer(&mut self.line, m).map_err(io::Error::other)?;
                self.line.push(b'\n');
                w.write_all(&self.line)
            }
            (_, _, Some(out)) => {
                // Only the rows: the header was written once, at the start. Cells are
                // written from the row as they are (no projected copy of the row).
                for row in rows_for(std::slice::from_ref(m), self.rows, self.tz) {
                    let mut write = |cell: &str| {
                        if self.spreadsheet {
                            out.write_field(crate::table::spreadsheet_cell(cell).as_bytes())
                        } else {
                            out.write_field(cell.as_bytes())
                        }
                    };
                    match self.selection.as_deref() {
                        None => row.iter().try_for_each(|c| write(c)),
                        Some(indices) => indices
                            .iter()
                            .try_for_each(|i| write(row.get(*i).map_or("", String::as_str))),
                    }
                    .and_then(|()| out.write_record(None::<&[u8]>))
                    .map_err(io::Error::other)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Flushes what is buffered.
    pub fn finish(mut self) -> io::Result<()> {
        match (&mut self.json, &mut self.csv) {
            (Some(w), _) => w.flush(),
            (_, Some(out)) => out.flush(),
            _ => Ok(()),
        }
    }
}

fn headers_for(rows: Rows, tz: Tz) -> Vec<String> {
    match rows {
        Rows::Meetings => meeting_headers(tz),
        Rows::Participants => participant_headers(tz),
        Rows::Calls => call_headers(tz),
    }
}

fn rows_for(meetings: &[Meeting], rows: Rows, tz: Tz) -> Vec<Vec<String>> {
    match rows {
        Rows::Meetings => meeting_rows(meetings, tz),
        Rows::Participants => participant_rows(meetings, tz),
        Rows::Calls => call_rows(meetings, tz),
    }
}

fn time_header(name: &str, tz: Tz) -> String {
    format!("{name} ({})", tz.name())
}

/// A UTC instant as `YYYY-MM-DD HH:MM:SS` in `tz`.
pub fn local(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write as _;
    let Some(t) = t else {
        return String::new();
    };
    let t = t.with_timezone(&tz);
    if !(0..=9999).contains(&t.year()) {
        return t.format("%Y-%m-%d %H:%M:%S").to_string();
    }
    // The same text as the format above, without interpreting a format string per value.
    let mut out = String::with_capacity(19);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    out
}

/// Seconds as `H:MM:SS`.
pub fn hms(seconds: Option<u64>) -> String {
    seconds
        .map(|s| format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))
        .unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn text(v: Option<&String>) -> String {
    v.cloned().unwrap_or_default()
}

/// Exact phone cost per currency, as `0.12 CNY` (several joined by `; `).
pub fn cost_label(costs: &std::collections::BTreeMap<String, rust_decimal::Decimal>) -> String {
    costs
        .iter()
        .map(|(cur, amount)| format!("{amount} {cur}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn enum_word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A source's short name for tables: `detail`, `history`, `reports`, `conference`, `dashboard`.
fn short_source(s: meeting_core::Source) -> &'static str {
    match s {
        meeting_core::Source::SystecHisMeeting => "history",
        other => other
            .source_name()
            .rsplit('.')
            .next()
            .unwrap_or(other.source_name()),
    }
}

fn meeting_grid(meetings: &[Meeting], tz: Tz) -> Grid {
    Grid {
        headers: meeting_headers(tz),
        rows: meeting_rows(meetings, tz),
    }
}

fn meeting_headers(tz: Tz) -> Vec<String> {
    vec![
        "key".to_owned(),
        "topic".to_owned(),
        "room".to_owned(),
        "host".to_owned(),
        "status".to_owned(),
        time_header("start", tz),
        time_header("end", tz),
        "duration".to_owned(),
        "billed min".to_owned(),
        "participants".to_owned(),
        "calls".to_owned(),
        "phone cost".to_owned(),
        "sources".to_owned(),
    ]
}

fn meeting_rows(meetings: &[Meeting], tz: Tz) -> Vec<Vec<String>> {
    meetings
        .iter()
        .map(|m| {
            vec![
                m.key.clone(),
                text(m.topic.as_ref()),
                room_label(m),
                host_label(m),
                enum_word(&m.status),
                local(m.start.or(m.scheduled_start), tz),
                local(m.end.or(m.scheduled_end), tz),
                hms(m.duration_seconds),
                opt(m.billed_minutes),
                participant_count(m).to_string(),
                m.phone_calls.len().to_string(),
                cost_label(&m.phone_cost()),
                m.sources
                    .iter()
                    .map(|s| short_source(*s))
                    .collect::<Vec<_>>()
                    .join("+"),
            ]
        })
        .collect()
}

fn participant_grid(meetings: &[Meeting], tz: Tz) -> Grid {
    Grid {
        headers: participant_headers(tz),
        rows: participant_rows(meetings, tz),
    }
}

fn participant_headers(tz: Tz) -> Vec<String> {
    vec![
        "meeting key".to_owned(),
        "topic".to_owned(),
        "room".to_owned(),
        "name".to_owned(),
        "kind".to_owned(),
        "device".to_owned(),
        "ip".to_owned(),
        "city".to_owned(),
        "network".to_owned(),
        time_header("join", tz),
        time_header("leave", tz),
        "duration".to_owned(),
    ]
}

fn participant_rows(meetings: &[Meeting], tz: Tz) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in meetings {
        for p in &m.participants {
            rows.push(vec![
                m.key.clone(),
                text(m.topic.as_ref()),
                room_label(m),
                text(p.name.as_ref()),
                enum_word(&p.kind),
                text(p.device.as_ref()),
                text(p.ip.as_ref()),
                text(p.city.as_ref()),
                text(p.network.as_ref()),
                local(p.join, tz),
                local(p.leave, tz),
                hms(p.duration_seconds),
            ]);
        }
    }
    rows
}

fn call_grid(meetings: &[Meeting], tz: Tz) -> Grid {
    Grid {
        headers: call_headers(tz),
        rows: call_rows(meetings, tz),
    }
}

fn call_headers(tz: Tz) -> Vec<String> {
    vec![
        "meeting key".to_owned(),
        "topic".to_owned(),
        "room".to_owned(),
        "number".to_owned(),
        "direction".to_owned(),
        time_header("start", tz),
        time_header("end", tz),
        "billed min".to_owned(),
        "cost".to_owned(),
        "currency".to_owned(),
    ]
}

fn call_rows(meetings: &[Meeting], tz: Tz) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in meetings {
        for c in &m.phone_calls {
            rows.push(vec![
                m.key.clone(),
                text(m.topic.as_ref()),
                room_label(m),
                text(c.number.as_ref()),
                c.direction.as_ref().map(enum_word).unwrap_or_default(),
                local(c.start, tz),
                local(c.end, tz),
                opt(c.billed_minutes),
                opt(c.cost.as_ref().map(|c| c.amount)),
                text(c.cost.as_ref().map(|c| &c.currency)),
            ]);
        }
    }
    rows
}
