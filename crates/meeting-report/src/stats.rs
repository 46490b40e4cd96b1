//! Aggregates (`meeting stats`) as a table, CSV, JSON or JSON Lines.

use std::io::{self, Write};

use meeting_core::aggregate::{Aggregate, GroupBy, Totals};

use crate::{Format, Grid, RenderOptions, cost_label, write_grid};

/// The grid of an aggregate; `with_total` adds the total row (tables show it, CSV does not).
pub fn aggregate_grid(agg: &Aggregate, with_total: bool) -> Grid {
    let first = match agg.by {
        GroupBy::Day => format!("day ({})", agg.zone.name()),
        GroupBy::Month | GroupBy::RoomMonth => format!("month ({})", agg.zone.name()),
        other => other.name().to_owned(),
    };
    // `--by room,month`: the room and the month in two columns.
    let split = agg.by == GroupBy::RoomMonth;
    let lead: Vec<&str> = if split {
        vec!["room", first.as_str()]
    } else {
        vec![first.as_str()]
    };
    let headers = lead
        .into_iter()
        .chain([
            "meetings",
            "minutes",
            "participants",
            "phone calls",
            "phone minutes",
            "phone cost",
        ])
        .map(str::to_owned)
        .collect();
    let total = with_total.then_some(&agg.total);
    let rows = agg
        .groups
        .iter()
        .chain(total)
        .map(|t| {
            let mut cells = row(t);
            if split {
                let (room, month) = t
                    .group
                    .rsplit_once(meeting_core::aggregate::ROOM_MONTH_SEPARATOR)
                    .map_or((t.group.clone(), String::new()), |(r, m)| {
                        (r.to_owned(), m.to_owned())
                    });
                cells.splice(0..1, [room, month]);
            }
            cells
        })
        .collect();
    Grid { headers, rows }
}

fn row(t: &Totals) -> Vec<String> {
    vec![
        t.group.clone(),
        t.meetings.to_string(),
        t.minutes.to_string(),
        t.participants.to_string(),
        t.phone_calls.to_string(),
        t.phone_minutes.to_string(),
        cost_label(t.cost()),
    ]
}

/// Writes an aggregate: a table with the total row, CSV without it, one JSON document
/// (`{"by", "tz", "groups", "total"}`), or one group per JSON line.
pub fn write_aggregate(out: &mut dyn Write, agg: &Aggregate, r: &RenderOptions) -> io::Result<()> {
    match r.format {
        Format::Table => write_grid(out, &aggregate_grid(agg, true), r),
        Format::Csv => write_grid(out, &aggregate_grid(agg, false), r),
        Format::Json => {
            let doc = serde_json::json!({
                "by": agg.by.name(),
                "tz": agg.zone.name(),
                "groups": agg.groups,
                "total": agg.total,
            });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for t in &agg.groups {
                serde_json::to_writer(&mut *out, t).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}
