//! Aggregates (`meeting stats`) as a table, CSV, JSON or JSON Lines.

use std::io::{self, Write};

use meeting_core::aggregate::{Aggregate, GroupBy, Totals};

use crate::{Format, Grid, RenderOptions, cost_label, money_cells, write_grid};

/// The grid of an aggregate as a table: readable headers, money as `0.12 CNY`, the zone in
/// the day header; `with_total` adds the total row.
pub fn aggregate_grid(agg: &Aggregate, with_total: bool) -> Grid {
    grid(agg, with_total, false)
}

/// The grid of an aggregate as CSV: snake_case headers that never change with a flag,
/// numbers as plain numbers, money with a `currency` column, no total row.
pub fn aggregate_csv_grid(agg: &Aggregate) -> Grid {
    grid(agg, false, true)
}

fn grid(agg: &Aggregate, with_total: bool, csv: bool) -> Grid {
    let first = match agg.by {
        GroupBy::Day if !csv => format!("day ({})", agg.zone.name()),
        GroupBy::Month | GroupBy::RoomMonth if !csv => format!("month ({})", agg.zone.name()),
        GroupBy::RoomMonth => String::from("month"),
        other => other.name().to_owned(),
    };
    // `--by room,month`: the room and the month in two columns.
    let split = agg.by == GroupBy::RoomMonth;
    let lead: Vec<String> = if split {
        vec![String::from("room"), first]
    } else {
        vec![first]
    };
    let metrics: Vec<String> = if csv {
        [
            "meetings",
            "measured_minutes",
            "measured_seconds",
            "billed_minutes",
            "attendees",
            "attendee_minutes",
            "invitees",
            "phone_calls",
            "phone_minutes",
            "phone_cost",
            "currency",
            "scheduled",
            "cancelled",
            "unknown",
        ]
        .map(str::to_owned)
        .to_vec()
    } else {
        [
            "meetings",
            "minutes",
            "billed min",
            "attendees",
            "phone calls",
            "phone min",
            "phone cost",
            "scheduled",
            "cancelled",
            "unknown",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let headers = lead.into_iter().chain(metrics).collect();
    let total = with_total.then_some(&agg.total);
    let rows = agg
        .groups
        .iter()
        .chain(total)
        .map(|t| {
            let mut cells = if csv { csv_row(t) } else { row(t) };
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
        t.billed_minutes.to_string(),
        t.attendees.to_string(),
        t.phone_calls.to_string(),
        t.phone_minutes.to_string(),
        cost_label(t.cost()),
        t.scheduled.to_string(),
        t.cancelled.to_string(),
        t.unknown.to_string(),
    ]
}

fn csv_row(t: &Totals) -> Vec<String> {
    let (cost, currency) = money_cells(t.cost(), true);
    vec![
        t.group.clone(),
        t.meetings.to_string(),
        t.minutes.to_string(),
        t.duration_seconds.to_string(),
        t.billed_minutes.to_string(),
        t.attendees.to_string(),
        t.attendee_minutes.to_string(),
        t.invitees.to_string(),
        t.phone_calls.to_string(),
        t.phone_minutes.to_string(),
        cost,
        currency,
        t.scheduled.to_string(),
        t.cancelled.to_string(),
        t.unknown.to_string(),
    ]
}

/// What the total of an aggregate is: `sum_of_groups` when the groups partition the
/// meetings (every figure of the total is the sum of the groups'), `distinct` when a meeting
/// counts in several groups (a meeting in two rooms) and the total counts it once.
pub fn total_kind(agg: &Aggregate) -> &'static str {
    if agg.total_is_sum {
        "sum_of_groups"
    } else {
        "distinct"
    }
}

/// Writes an aggregate: a table with the total row (and, when the groups do not partition
/// the meetings, a line beneath saying the total is the distinct total), CSV without it,
/// one JSON document (`{"by", "tz", "groups", "total", "total_kind"}`: [`total_kind`]), or
/// one group per JSON line.
pub fn write_aggregate(out: &mut dyn Write, agg: &Aggregate, r: &RenderOptions) -> io::Result<()> {
    match r.format {
        Format::Table => {
            write_grid(out, &aggregate_grid(agg, true), r)?;
            if !agg.total_is_sum {
                writeln!(out, "{}", crate::report::DISTINCT_TOTAL_NOTE)?;
            }
            Ok(())
        }
        Format::Csv => write_grid(out, &aggregate_csv_grid(agg), r),
        Format::Json => {
            let doc = serde_json::json!({
                "by": agg.by.name(),
                "tz": agg.zone.name(),
                "groups": agg.groups,
                "total": agg.total,
                "total_kind": total_kind(agg),
            });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
            writeln!(out)
        }
        Format::Jsonl => {
            for t in &agg.groups {
                serde_json::to_writer(&mut *out, t).map_err(io::Error::from)?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}
