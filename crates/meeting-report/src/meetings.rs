//! Meetings as a table, JSON, JSON Lines or CSV, with a stable column order.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::aggregate::attendance;
use meeting_core::query::{host_label, participant_count, room_label};

use crate::columns::{project, selection};
use crate::fields::{
    ATTENDEES, BILLED_MINUTES, CITY, COST, CURRENCY, DEVICE, DIRECTION, DURATION_SECONDS, END,
    HOST, IP, JOIN, KEY, KIND, LEAVE, NAME, NETWORK, NUMBER, PARTICIPANTS, PHONE_CALLS, PHONE_COST,
    REPORT, ROOM, SOURCES, START, STATUS, TOPIC,
};
use crate::{Format, Grid, RenderOptions, Rows, write_grid};

/// Writes meetings in the chosen format.
pub fn write_meetings(
    w: &mut dyn Write,
    meetings: &[Meeting],
    r: &RenderOptions,
) -> io::Result<()> {
    match r.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, meetings).map_err(io::Error::from)?;
            writeln!(w)
        }
        Format::Jsonl => {
            for m in meetings {
                serde_json::to_writer(&mut *w, m).map_err(io::Error::from)?;
                writeln!(w)?;
            }
            Ok(())
        }
        Format::Table | Format::Csv => {
            let style = Style::of(r);
            let grid = Grid {
                headers: headers_for(r.rows, style),
                rows: rows_for(meetings, r.rows, style),
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
    style: Style,
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
                style: Style::of(r),
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
                    out.write_record(project(headers_for(r.rows, Style::of(r)), sel.as_deref()))
                        .map_err(crate::table::csv_io)?;
                }
                Ok(Some(StreamWriter {
                    format: r.format,
                    rows: r.rows,
                    style: Style::of(r),
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
                serde_json::to_writer(&mut self.line, m).map_err(io::Error::from)?;
                self.line.push(b'\n');
                w.write_all(&self.line)
            }
            (_, _, Some(out)) => {
                // Only the rows: the header was written once, at the start. Cells are
                // written from the row as they are (no projected copy of the row).
                for row in rows_for(std::slice::from_ref(m), self.rows, self.style) {
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
                    .map_err(crate::table::csv_io)?;
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

/// How cells are written: for a table (local times, `H:MM:SS`, `0.12 CNY`, readable
/// headers) or for CSV (snake_case headers that never change with a flag, RFC 3339 times
/// with their offset, durations in seconds, money as a plain number with a currency column).
#[derive(Clone, Copy, Debug)]
struct Style {
    tz: Tz,
    csv: bool,
}

impl Style {
    fn of(r: &RenderOptions) -> Style {
        Style {
            tz: r.tz,
            csv: r.format == Format::Csv,
        }
    }

    /// The header of column `id`: the id itself in CSV; `human`, with the zone for times,
    /// in a table.
    fn header(self, id: &str, human: &str, time: bool) -> String {
        if self.csv {
            id.to_owned()
        } else if time {
            time_header(human, self.tz)
        } else {
            human.to_owned()
        }
    }

    fn time(self, t: Option<DateTime<Utc>>) -> String {
        if self.csv {
            rfc3339(t, self.tz)
        } else {
            local(t, self.tz)
        }
    }

    fn duration(self, seconds: Option<u64>) -> String {
        if self.csv { opt(seconds) } else { hms(seconds) }
    }
}

/// A UTC instant as RFC 3339 in `tz`, with its offset (`2024-01-02T09:30:00+08:00`).
pub fn rfc3339(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    let Some(t) = t else {
        return String::new();
    };
    let t = t.with_timezone(&tz);
    let offset = chrono::Offset::fix(t.offset()).local_minus_utc();
    let mut out = String::with_capacity(25);
    if !push_local(&mut out, &t.naive_local(), b'T') || offset % 60 != 0 {
        return t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    }
    // The same text as the format above, without interpreting a format string per value.
    let minutes = offset.unsigned_abs() / 60;
    out.push(if offset < 0 { '-' } else { '+' });
    push_digits(&mut out, minutes / 60, 2);
    out.push(':');
    push_digits(&mut out, minutes % 60, 2);
    out
}

/// Appends `YYYY-MM-DD?HH:MM:SS` (`?` is `sep`) for a year in 0..=9999 and whole seconds;
/// `false`, appending nothing, otherwise.
fn push_local(out: &mut String, t: &chrono::NaiveDateTime, sep: u8) -> bool {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) || t.nanosecond() >= 1_000_000_000 {
        return false;
    }
    let secs = t.num_seconds_from_midnight();
    push_digits(out, year.unsigned_abs(), 4);
    out.push('-');
    push_digits(out, t.month(), 2);
    out.push('-');
    push_digits(out, t.day(), 2);
    out.push(char::from(sep));
    push_digits(out, secs / 3600, 2);
    out.push(':');
    push_digits(out, secs / 60 % 60, 2);
    out.push(':');
    push_digits(out, secs % 60, 2);
    true
}

/// Appends `v` in decimal, zero-padded to `width` digits (more when it needs more).
fn push_digits(out: &mut String, v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let (mut v, mut i) = (v, buf.len());
    while v > 0 && i > 0 {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // A digit: `v % 10` is below 10.
            *slot = b'0' + u8::try_from(v % 10).unwrap_or(0);
        }
        v /= 10;
    }
    let start = i.min(buf.len().saturating_sub(width));
    for &b in buf.get(start..).unwrap_or_default() {
        out.push(char::from(b));
    }
}

/// A meeting's phone cost for CSV: the amount as a plain number (`0.00` when it has no
/// call) and its currency; amounts in several currencies are joined by `; `. Unknown (calls
/// without a cost) is empty.
pub fn cost_cells(m: &Meeting) -> (String, String) {
    let costs = m.phone_cost();
    money_cells(&costs, m.phone_calls.is_empty())
}

/// Exact amounts per currency as CSV cells (see [`cost_cells`]); `zero_if_empty` writes
/// `0.00` for no amount.
pub fn money_cells(
    costs: &std::collections::BTreeMap<String, rust_decimal::Decimal>,
    zero_if_empty: bool,
) -> (String, String) {
    if costs.is_empty() {
        let amount = if zero_if_empty { "0.00" } else { "" };
        return (amount.to_owned(), String::new());
    }
    let amounts: Vec<String> = costs.values().map(|a| format!("{a:.2}")).collect();
    let amounts: Vec<String> = costs
        .values()
        .zip(amounts)
        .map(|(a, two)| {
            // Never round: two places unless the amount has more.
            if a.scale() > 2 { a.to_string() } else { two }
        })
        .collect();
    (
        amounts.join("; "),
        costs.keys().cloned().collect::<Vec<_>>().join("; "),
    )
}

fn headers_for(rows: Rows, style: Style) -> Vec<String> {
    match rows {
        Rows::Meetings => meeting_headers(style),
        Rows::Participants => participant_headers(style),
        Rows::Calls => call_headers(style),
    }
}

fn rows_for(meetings: &[Meeting], rows: Rows, style: Style) -> Vec<Vec<String>> {
    match rows {
        Rows::Meetings => meeting_rows(meetings, style),
        Rows::Participants => participant_rows(meetings, style),
        Rows::Calls => call_rows(meetings, style),
    }
}

fn time_header(name: &str, tz: Tz) -> String {
    format!("{name} ({})", tz.name())
}

/// A UTC instant as `YYYY-MM-DD HH:MM:SS` in `tz`.
pub fn local(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    let Some(t) = t else {
        return String::new();
    };
    let t = t.with_timezone(&tz);
    let mut out = String::with_capacity(19);
    // The same text as the format below, without interpreting a format string per value.
    if push_local(&mut out, &t.naive_local(), b' ') {
        out
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    }
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

fn meeting_headers(style: Style) -> Vec<String> {
    let h = |id: &str, human: &str| style.header(id, human, false);
    vec![
        h(KEY.id, "key"),
        h(TOPIC.id, "topic"),
        h(ROOM.id, "room"),
        h(HOST.id, "host"),
        h(STATUS.id, "status"),
        style.header(START.id, "start", true),
        style.header(END.id, "end", true),
        h(DURATION_SECONDS.id, "duration"),
        h(BILLED_MINUTES.id, "billed min"),
        h(PARTICIPANTS.id, "participants"),
        h(ATTENDEES.id, "attendees"),
        h(PHONE_CALLS.id, "calls"),
        h(PHONE_COST.id, "phone cost"),
        h(CURRENCY.id, "currency"),
        h(REPORT.id, "report"),
        h(SOURCES.id, "sources"),
    ]
}

fn meeting_rows(meetings: &[Meeting], style: Style) -> Vec<Vec<String>> {
    meetings
        .iter()
        .map(|m| {
            let (cost, currency) = if style.csv {
                cost_cells(m)
            } else {
                (cost_label(&m.phone_cost()), String::new())
            };
            let currency = if style.csv {
                currency
            } else {
                m.phone_cost()
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            vec![
                m.key.clone(),
                text(m.topic.as_ref()),
                room_label(m),
                host_label(m),
                enum_word(&m.status),
                style.time(m.start.or(m.scheduled_start)),
                style.time(m.end.or(m.scheduled_end)),
                style.duration(m.duration_seconds),
                opt(m.billed_minutes),
                participant_count(m).to_string(),
                attendance(m).0.to_string(),
                m.phone_calls.len().to_string(),
                cost,
                currency,
                m.report.as_ref().map(enum_word).unwrap_or_default(),
                m.sources
                    .iter()
                    .map(|s| short_source(*s))
                    .collect::<Vec<_>>()
                    .join("+"),
            ]
        })
        .collect()
}

fn participant_headers(style: Style) -> Vec<String> {
    let h = |id: &str, human: &str| style.header(id, human, false);
    vec![
        h(KEY.id, "meeting key"),
        h(TOPIC.id, "topic"),
        h(ROOM.id, "room"),
        h(NAME.id, "name"),
        h(KIND.id, "kind"),
        h(DEVICE.id, "device"),
        h(IP.id, "ip"),
        h(CITY.id, "city"),
        h(NETWORK.id, "network"),
        style.header(JOIN.id, "join", true),
        style.header(LEAVE.id, "leave", true),
        h(DURATION_SECONDS.id, "duration"),
    ]
}

fn participant_rows(meetings: &[Meeting], style: Style) -> Vec<Vec<String>> {
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
                style.time(p.join),
                style.time(p.leave),
                style.duration(p.duration_seconds),
            ]);
        }
    }
    rows
}

fn call_headers(style: Style) -> Vec<String> {
    let h = |id: &str, human: &str| style.header(id, human, false);
    vec![
        h(KEY.id, "meeting key"),
        h(TOPIC.id, "topic"),
        h(ROOM.id, "room"),
        h(NUMBER.id, "number"),
        h(DIRECTION.id, "direction"),
        style.header(START.id, "start", true),
        style.header(END.id, "end", true),
        h(BILLED_MINUTES.id, "billed min"),
        h(COST.id, "cost"),
        h(CURRENCY.id, "currency"),
    ]
}

fn call_rows(meetings: &[Meeting], style: Style) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in meetings {
        for c in &m.phone_calls {
            rows.push(vec![
                m.key.clone(),
                text(m.topic.as_ref()),
                room_label(m),
                text(c.number.as_ref()),
                c.direction.as_ref().map(enum_word).unwrap_or_default(),
                style.time(c.start),
                style.time(c.end),
                opt(c.billed_minutes),
                opt(c.cost.as_ref().map(|c| c.amount)),
                text(c.cost.as_ref().map(|c| &c.currency)),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod time_tests {
    use chrono::{DateTime, TimeZone, Utc};
    use chrono_tz::Tz;

    const ZONES: [Tz; 7] = [
        chrono_tz::UTC,
        chrono_tz::Asia::Shanghai,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::America::St_Johns,
        chrono_tz::Asia::Kathmandu,
        chrono_tz::Europe::Amsterdam,
        chrono_tz::America::New_York,
    ];

    proptest::proptest! {
        /// The hand-written times are the text of chrono's format strings, for any instant
        /// (before year 0 and after 9999 too) in zones with whole-hour, half-hour,
        /// quarter-hour and (historic) second offsets.
        #[test]
        fn same_text_as_the_format_strings(
            secs in -65_000_000_000i64..260_000_000_000i64,
            nanos in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
            zone in 0usize..ZONES.len(),
        ) {
            let tz = ZONES[zone];
            let t: Option<DateTime<Utc>> = Utc.timestamp_opt(secs, nanos).single();
            if let Some(t) = t {
                let z = t.with_timezone(&tz);
                proptest::prop_assert_eq!(
                    super::rfc3339(Some(t), tz),
                    z.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
                );
                proptest::prop_assert_eq!(
                    super::local(Some(t), tz),
                    z.format("%Y-%m-%d %H:%M:%S").to_string()
                );
            }
        }
    }

    #[test]
    fn none_is_empty_and_a_historic_offset_keeps_its_text() {
        assert_eq!(super::rfc3339(None, chrono_tz::UTC), "");
        let t = Utc.with_ymd_and_hms(1900, 1, 1, 12, 0, 0).unwrap();
        let tz = chrono_tz::Europe::Amsterdam;
        assert_eq!(
            super::rfc3339(Some(t), tz),
            t.with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        );
        let t = Utc.with_ymd_and_hms(2024, 1, 2, 1, 30, 0).unwrap();
        assert_eq!(
            super::rfc3339(Some(t), chrono_tz::Asia::Shanghai),
            "2024-01-02T09:30:00+08:00"
        );
        assert_eq!(
            super::local(Some(t), chrono_tz::America::St_Johns),
            "2024-01-01 22:00:00"
        );
    }
}
