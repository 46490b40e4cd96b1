//! Which columns a table or CSV shows: a default set for tables that fits a 100-column
//! terminal, every column (`-o wide`, and CSV by default), or the caller's choice by id.

use crate::{Format, RenderOptions, Rows};

/// Which columns a table or CSV shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Columns {
    /// Tables: [`default_columns`]; CSV: every column.
    #[default]
    Default,
    /// Every column ([`column_ids`]).
    All,
    /// These columns, by id, in this order.
    Only(Vec<String>),
}

/// The ids of every column of a row kind, in their order (snake_case, stable).
pub fn column_ids(rows: Rows) -> &'static [&'static str] {
    match rows {
        Rows::Meetings => &[
            "key",
            "topic",
            "room",
            "host",
            "status",
            "start",
            "end",
            "duration_seconds",
            "billed_minutes",
            "participants",
            "attendees",
            "calls",
            "phone_cost",
            "currency",
            "report",
            "sources",
        ],
        Rows::Participants => &[
            "meeting_key",
            "topic",
            "room",
            "name",
            "kind",
            "device",
            "ip",
            "city",
            "network",
            "join",
            "leave",
            "duration_seconds",
        ],
        Rows::Calls => &[
            "meeting_key",
            "topic",
            "room",
            "number",
            "direction",
            "start",
            "end",
            "billed_minutes",
            "cost",
            "currency",
        ],
    }
}

/// The columns a table shows by default: what fits a 100-column terminal.
pub fn default_columns(rows: Rows) -> &'static [&'static str] {
    match rows {
        Rows::Meetings => &[
            "start",
            "room",
            "topic",
            "duration_seconds",
            "attendees",
            "phone_cost",
        ],
        Rows::Participants => &["join", "room", "name", "device", "city", "duration_seconds"],
        Rows::Calls => &[
            "start",
            "room",
            "number",
            "direction",
            "billed_minutes",
            "cost",
        ],
    }
}

/// Checks column ids against a row kind: the unknown ones, with the valid list, as an error.
pub fn check_columns(rows: Rows, ids: &[String]) -> Result<(), String> {
    let valid = column_ids(rows);
    let unknown: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !valid.contains(id))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "unknown column(s) {}: expected some of {}",
            unknown.join(", "),
            valid.join(", ")
        ))
    }
}

/// The indices of the columns to show, or `None` for every column.
pub(crate) fn selection(r: &RenderOptions) -> Option<Vec<usize>> {
    let ids = column_ids(r.rows);
    let index = |id: &str| ids.iter().position(|c| *c == id);
    match &r.columns {
        Columns::All => None,
        Columns::Default if r.format != Format::Table => None,
        Columns::Default => Some(
            default_columns(r.rows)
                .iter()
                .filter_map(|id| index(id))
                .collect(),
        ),
        Columns::Only(list) => Some(list.iter().filter_map(|id| index(id)).collect()),
    }
}

/// Keeps the selected cells of a row, in the selection's order.
pub(crate) fn project(row: Vec<String>, selection: Option<&[usize]>) -> Vec<String> {
    match selection {
        None => row,
        Some(indices) => indices
            .iter()
            .map(|i| row.get(*i).cloned().unwrap_or_default())
            .collect(),
    }
}
