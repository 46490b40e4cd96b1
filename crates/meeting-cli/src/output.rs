//! Renderers: table, JSON, JSON Lines and CSV, with a stable column order.
//!
//! - `json`: one pretty JSON array of neutral meetings; `jsonl`: one meeting per line.
//!   Both are exactly meeting-core's serialisation (UTC, RFC 3339).
//! - `table` and `csv`: one row per meeting, participant or phone call (`--rows`), times in
//!   the display zone (`--tz`) as `YYYY-MM-DD HH:MM:SS`, the zone named in the header.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;

use crate::cli::{OutputFormat, Rows};

/// How to render.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Render {
    pub(crate) format: OutputFormat,
    pub(crate) rows: Rows,
    pub(crate) tz: Tz,
    pub(crate) csv_bom: bool,
    pub(crate) color: bool,
}

/// A rectangular result: headers and rows of text.
pub(crate) struct Grid {
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// Writes meetings in the chosen format.
pub(crate) fn write_meetings(
    w: &mut dyn Write,
    meetings: &[Meeting],
    r: &Render,
) -> io::Result<()> {
    match r.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, meetings).map_err(io::Error::other)?;
            writeln!(w)
        }
        OutputFormat::Jsonl => {
            for m in meetings {
                serde_json::to_writer(&mut *w, m).map_err(io::Error::other)?;
                writeln!(w)?;
            }
            Ok(())
        }
        OutputFormat::Table | OutputFormat::Csv => {
            let grid = match r.rows {
                Rows::Meetings => meeting_grid(meetings, r.tz),
                Rows::Participants => participant_grid(meetings, r.tz),
                Rows::Calls => call_grid(meetings, r.tz),
            };
            write_grid(w, &grid, r)
        }
    }
}

/// Writes meetings one at a time, as they are read: JSON Lines, or CSV (header once). The
/// bytes are those [`write_meetings`] writes for the same meetings; memory stays bounded by
/// one meeting.
pub(crate) struct StreamWriter<'w> {
    format: OutputFormat,
    rows: Rows,
    tz: Tz,
    csv: Option<csv::Writer<&'w mut dyn Write>>,
    json: Option<&'w mut dyn Write>,
    line: Vec<u8>,
}

impl<'w> StreamWriter<'w> {
    /// A stream writer, or `None` for formats that need every meeting first (table, JSON
    /// array).
    pub(crate) fn new(w: &'w mut dyn Write, r: &Render) -> io::Result<Option<Self>> {
        Self::with_header(w, r, true)
    }

    /// As [`StreamWriter::new`]; without the CSV header (and BOM) when `header` is false,
    /// for a part of the output rendered apart and written after the header.
    pub(crate) fn with_header(
        w: &'w mut dyn Write,
        r: &Render,
        header: bool,
    ) -> io::Result<Option<Self>> {
        match r.format {
            OutputFormat::Jsonl => Ok(Some(StreamWriter {
                format: r.format,
                rows: r.rows,
                tz: r.tz,
                csv: None,
                json: Some(w),
                line: Vec::with_capacity(4096),
            })),
            OutputFormat::Csv => {
                if r.csv_bom && header {
                    w.write_all("\u{feff}".as_bytes())?;
                }
                let mut out = csv::Writer::from_writer(w);
                if header {
                    out.write_record(headers_for(r.rows, r.tz))
                        .map_err(io::Error::other)?;
                }
                Ok(Some(StreamWriter {
                    format: r.format,
                    rows: r.rows,
                    tz: r.tz,
                    csv: Some(out),
                    json: None,
                    line: Vec::new(),
                }))
            }
            OutputFormat::Json | OutputFormat::Table => Ok(None),
        }
    }

    /// Writes one meeting.
    pub(crate) fn write(&mut self, m: &Meeting) -> io::Result<()> {
        match (self.format, &mut self.json, &mut self.csv) {
            (OutputFormat::Jsonl, Some(w), _) => {
                // serde_json writes many small pieces; collect the line in a reused buffer
                // and hand the writer one piece.
                self.line.clear();
                serde_json::to_writer(&mut self.line, m).map_err(io::Error::other)?;
                self.line.push(b'\n');
                w.write_all(&self.line)
            }
            (_, _, Some(out)) => {
                // Only the rows: the header was written once, at the start.
                for row in rows_for(std::slice::from_ref(m), self.rows, self.tz) {
                    out.write_record(&row).map_err(io::Error::other)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Flushes what is buffered.
    pub(crate) fn finish(mut self) -> io::Result<()> {
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

/// Writes a grid as a table or CSV (JSON formats are the caller's business).
pub(crate) fn write_grid(w: &mut dyn Write, grid: &Grid, r: &Render) -> io::Result<()> {
    if r.format == OutputFormat::Csv {
        if r.csv_bom {
            w.write_all("\u{feff}".as_bytes())?;
        }
        let mut out = csv::Writer::from_writer(&mut *w);
        out.write_record(&grid.headers).map_err(io::Error::other)?;
        for row in &grid.rows {
            out.write_record(row).map_err(io::Error::other)?;
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
        table.set_header(grid.headers.iter().map(|h| {
            let cell = comfy_table::Cell::new(h);
            if r.color {
                cell.add_attribute(comfy_table::Attribute::Bold)
            } else {
                cell
            }
        }));
        for row in &grid.rows {
            table.add_row(row);
        }
        writeln!(w, "{table}")
    }
}

fn time_header(name: &str, tz: Tz) -> String {
    format!("{name} ({})", tz.name())
}

/// A UTC instant as `YYYY-MM-DD HH:MM:SS` in `tz`.
pub(crate) fn local(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Seconds as `H:MM:SS`.
pub(crate) fn hms(seconds: Option<u64>) -> String {
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

/// The room shown for a meeting: the Systec room's name (else id), else the booked rooms.
pub(crate) fn room_label(m: &Meeting) -> String {
    if let Some(room) = &m.room
        && let Some(label) = room.name.as_ref().or(room.id.as_ref())
    {
        return label.clone();
    }
    m.rooms
        .iter()
        .filter_map(|r| r.name.as_ref().or(r.id.as_ref()))
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The host shown for a meeting: its name, else e-mail, else id.
pub(crate) fn host_label(m: &Meeting) -> String {
    m.host
        .as_ref()
        .and_then(|h| h.name.as_ref().or(h.email.as_ref()).or(h.id.as_ref()))
        .cloned()
        .unwrap_or_default()
}

/// The number of participants: the vendor's count, else the listed ones.
pub(crate) fn participants(m: &Meeting) -> u64 {
    m.participant_count
        .unwrap_or(m.participants.len() as u64)
        .max(m.participants.len() as u64)
}

/// Exact phone cost per currency, as `0.12 CNY` (several joined by `; `).
pub(crate) fn cost_label(
    costs: &std::collections::BTreeMap<String, rust_decimal::Decimal>,
) -> String {
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
                participants(m).to_string(),
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
