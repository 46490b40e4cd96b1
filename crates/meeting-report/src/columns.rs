//! Which columns a table or CSV shows: a default set for tables that fits a 100-column
//! terminal, every column (`-o wide`, and CSV by default), or the caller's choice by id.

use crate::fields::{
    ATTENDEES, BILLED_MINUTES, CITY, COST, CURRENCY, DEVICE, DIRECTION, DURATION_SECONDS, END,
    HOST, IP, JOIN, KEY, KIND, LEAVE, NAME, NETWORK, NUMBER, PARTICIPANTS, PHONE_CALLS, PHONE_COST,
    REPORT, ROOM, SOURCES, START, STATUS, TOPIC,
};
use crate::{Format, RenderOptions, Rows};

/// The columns of a meeting row ([`crate::fields`]).
const MEETING_COLUMNS: &[&str] = &[
    KEY.id,
    TOPIC.id,
    ROOM.id,
    HOST.id,
    STATUS.id,
    START.id,
    END.id,
    DURATION_SECONDS.id,
    BILLED_MINUTES.id,
    PARTICIPANTS.id,
    ATTENDEES.id,
    PHONE_CALLS.id,
    PHONE_COST.id,
    CURRENCY.id,
    REPORT.id,
    SOURCES.id,
];

/// The columns of a participant row.
const PARTICIPANT_COLUMNS: &[&str] = &[
    KEY.id,
    TOPIC.id,
    ROOM.id,
    NAME.id,
    KIND.id,
    DEVICE.id,
    IP.id,
    CITY.id,
    NETWORK.id,
    JOIN.id,
    LEAVE.id,
    DURATION_SECONDS.id,
];

/// The columns of a phone call row.
const CALL_COLUMNS: &[&str] = &[
    KEY.id,
    TOPIC.id,
    ROOM.id,
    NUMBER.id,
    DIRECTION.id,
    START.id,
    END.id,
    BILLED_MINUTES.id,
    COST.id,
    CURRENCY.id,
];

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

/// The ids of every column of a row kind, in their order (snake_case, stable: the ids of
/// [`crate::fields`], as the export names the same columns).
pub fn column_ids(rows: Rows) -> &'static [&'static str] {
    match rows {
        Rows::Meetings => MEETING_COLUMNS,
        Rows::Participants => PARTICIPANT_COLUMNS,
        Rows::Calls => CALL_COLUMNS,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One vocabulary: every `list` column is named as the export names the same figure
    /// (`phone_cost` is the sum of the calls' `cost`).
    #[test]
    fn list_columns_are_named_as_the_export_names_them() {
        for rows in [Rows::Meetings, Rows::Participants, Rows::Calls] {
            for id in column_ids(rows) {
                let exported = crate::export::TABLES
                    .iter()
                    .any(|t| t.columns.iter().any(|c| c.name == *id));
                assert!(exported || *id == PHONE_COST.id, "{rows:?} {id}");
            }
        }
    }
}
