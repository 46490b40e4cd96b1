//! The report as typed tables: one [`Sheet`] per workbook sheet and CSV file, so that Excel,
//! CSV and HTML show the same cells.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::aggregate::Totals;
use meeting_core::query::{host_label, participant_count, room_label};
use rust_decimal::Decimal;

use super::compare::{
    COVERAGE_NOT_STATED, PersonalData, change_count, change_money, money_label, thousands,
};
use super::{Report, cost_in};
use crate::fields;

/// One typed cell.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cell {
    /// Nothing (the value is unknown).
    Empty,
    /// Text: names, ids and phone numbers too (never a number: no lost `+`, no scientific
    /// notation).
    Text(String),
    /// A count or a number of minutes or seconds.
    Int(u64),
    /// An exact amount of money in a currency.
    Money {
        /// The amount.
        amount: Decimal,
        /// The currency (`CNY`).
        currency: String,
    },
    /// A calendar day in the report zone.
    Date(NaiveDate),
    /// A time in the report zone.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// Text, or [`Cell::Empty`] when absent or empty.
    pub(crate) fn text(v: Option<&str>) -> Cell {
        match v {
            Some(s) if !s.is_empty() => Cell::Text(s.to_owned()),
            _ => Cell::Empty,
        }
    }

    fn int(v: Option<u64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Int)
    }

    fn time(t: Option<DateTime<Utc>>, zone: Tz) -> Cell {
        t.map_or(Cell::Empty, |t| {
            Cell::DateTime(t.with_timezone(&zone).naive_local())
        })
    }

    fn money(amount: Decimal, currency: &str) -> Cell {
        Cell::Money {
            amount,
            currency: currency.to_owned(),
        }
    }

    /// The cell as people read it (HTML and messages): counts with thousands separators
    /// (`53,087`), money with its currency (`¥1,234.50`, `12.00 USD`), times as
    /// `YYYY-MM-DD HH:MM:SS`.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => thousands(*n),
            Cell::Money { amount, currency } => money_label(*amount, currency),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// A column: its stable CSV header and the title people read in Excel and HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Column {
    /// The CSV header: stable snake_case English (`phone_cost_cny`).
    pub id: String,
    /// The title in Excel and HTML (`Phone cost (CNY)`).
    pub title: String,
    /// Whether a total is the sum of the column (a `SUM` formula in Excel, with its
    /// computed value stored): every figure of a sheet whose rows partition the meetings
    /// (minutes too: they are rounded per meeting, then summed).
    pub summable: bool,
}

impl Column {
    fn new(id: impl Into<String>, title: impl Into<String>) -> Column {
        Column {
            id: id.into(),
            title: title.into(),
            summable: false,
        }
    }

    /// The column of a field of the row schema: its id and label.
    fn of(field: fields::Field) -> Column {
        Column::new(field.id, field.label)
    }

    fn sum(id: impl Into<String>, title: impl Into<String>) -> Column {
        Column {
            summable: true,
            ..Column::new(id, title)
        }
    }
}

/// One sheet: its name, columns, rows and (for grouped figures) the total row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sheet {
    /// The sheet name in the workbook (`Rooms`); lower-cased, the CSV file's name.
    pub name: &'static str,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as the columns.
    pub rows: Vec<Vec<Cell>>,
    /// The total row (Rooms, Hosts, Departments, Days): the grand total, labelled `TOTAL`.
    pub total: Option<Vec<Cell>>,
    /// What the reader must know about the total, shown beneath the table: on a sheet whose
    /// rows do not partition the meetings (a meeting in two rooms is in each room's row), that
    /// the total is the distinct total, not the sum of the rows ([`DISTINCT_TOTAL_NOTE`]).
    pub note: Option<String>,
}

/// The note beneath a table whose rows do not partition its total.
pub const DISTINCT_TOTAL_NOTE: &str = "TOTAL counts each meeting once: a meeting in several rooms is in each of their rows, so the rows add up to more than the total.";

pub(super) fn sheets(r: &Report) -> Vec<Sheet> {
    vec![
        summary(r),
        rooms(r),
        grouped(
            r,
            "Hosts",
            r.hosts.total_is_sum,
            vec![Column::new("host", "Host")],
            r.hosts
                .groups
                .iter()
                .map(|t| (vec![Cell::Text(t.group.clone())], t)),
        ),
        departments(r),
        days(r),
        meetings(r),
        participants(r),
        calls(r),
    ]
}

/// The figure columns; `additive` when the groups split the meetings (each meeting in one
/// group), so that the total row can be a `SUM` of the rows. Rooms are not additive when a
/// meeting is in several rooms: it counts in each, and the total row is the distinct total.
fn figure_columns(r: &Report, additive: bool) -> Vec<Column> {
    let col = |id: &str, title: &str| {
        if additive {
            Column::sum(id, title)
        } else {
            Column::new(id, title)
        }
    };
    let mut cols = vec![
        col("meetings", "Meetings"),
        col("minutes", "Minutes"),
        col("billed_minutes", "Billed minutes"),
        col("attendees", "Attendees"),
        col("phone_calls", "Phone calls"),
        col("phone_minutes", "Phone minutes"),
    ];
    for cur in &r.currencies {
        cols.push(col(
            &format!("phone_cost_{}", cur.to_ascii_lowercase()),
            &format!("Phone cost ({cur})"),
        ));
    }
    cols.push(col("scheduled", "Scheduled"));
    cols.push(col("cancelled", "Cancelled"));
    cols
}

fn figure_cells(r: &Report, t: &Totals) -> Vec<Cell> {
    let mut cells = vec![
        Cell::Int(t.meetings),
        Cell::Int(t.minutes),
        Cell::Int(t.billed_minutes),
        Cell::Int(t.attendees),
        Cell::Int(t.phone_calls),
        Cell::Int(t.phone_minutes),
    ];
    for cur in &r.currencies {
        cells.push(Cell::money(cost_in(t, cur), cur));
    }
    cells.push(Cell::Int(t.scheduled));
    cells.push(Cell::Int(t.cancelled));
    cells
}

fn grouped<'a>(
    r: &Report,
    name: &'static str,
    additive: bool,
    label_columns: Vec<Column>,
    groups: impl Iterator<Item = (Vec<Cell>, &'a Totals)>,
) -> Sheet {
    let n_labels = label_columns.len();
    let mut columns = label_columns;
    columns.extend(figure_columns(r, additive));
    let rows = groups
        .map(|(mut labels, t)| {
            labels.extend(figure_cells(r, t));
            labels
        })
        .collect();
    let label = if additive {
        "TOTAL"
    } else {
        "TOTAL (distinct)"
    };
    let mut total = vec![Cell::Text(String::from(label))];
    total.extend(std::iter::repeat_n(Cell::Empty, n_labels.saturating_sub(1)));
    total.extend(figure_cells(r, r.total()));
    Sheet {
        name,
        columns,
        rows,
        total: Some(total),
        note: (!additive).then(|| String::from(DISTINCT_TOTAL_NOTE)),
    }
}

fn rooms(r: &Report) -> Sheet {
    let mut labels = vec![Column::new("room", "Room")];
    if r.allocated {
        labels.push(Column::new("department", "Department"));
        labels.push(Column::new("cost_centre", "Cost centre"));
    }
    grouped(
        r,
        "Rooms",
        r.rooms.total_is_sum,
        labels,
        r.rooms.groups.iter().map(|t| {
            let mut cells = vec![Cell::Text(t.group.clone())];
            if r.allocated {
                let (dept, centre) = r
                    .room_departments
                    .get(&t.group)
                    .cloned()
                    .unwrap_or_default();
                cells.push(Cell::text(Some(&dept)));
                cells.push(Cell::text(centre.as_deref()));
            }
            (cells, t)
        }),
    )
}

fn departments(r: &Report) -> Sheet {
    grouped(
        r,
        "Departments",
        true,
        vec![
            Column::new("department", "Department"),
            Column::new("cost_centres", "Cost centres"),
        ],
        r.departments.iter().map(|d| {
            (
                vec![
                    Cell::Text(d.totals.group.clone()),
                    Cell::text(Some(&d.cost_centres.join(", "))),
                ],
                &d.totals,
            )
        }),
    )
}

fn days(r: &Report) -> Sheet {
    grouped(
        r,
        "Days",
        true,
        vec![Column::new("day", "Day"), Column::new("weekday", "Weekday")],
        r.days.iter().map(|t| {
            let day = t.group.parse::<NaiveDate>().ok();
            (
                vec![
                    day.map_or_else(|| Cell::Text(t.group.clone()), Cell::Date),
                    Cell::text(day.map(|d| d.format("%a").to_string()).as_deref()),
                ],
                t,
            )
        }),
    )
}

fn summary(r: &Report) -> Sheet {
    let o = &r.options;
    let t = r.total();
    let p = o.previous.as_ref();
    let mut rows = vec![
        vec![
            Cell::Text("Report".into()),
            Cell::Text("Meeting usage".into()),
        ],
        vec![Cell::Text("From".into()), Cell::Date(o.from)],
        vec![Cell::Text("To".into()), Cell::Date(o.to)],
        vec![Cell::Text("Zone".into()), Cell::Text(o.zone.name().into())],
        vec![
            Cell::Text("Generated".into()),
            Cell::time(Some(o.generated_at), o.zone),
        ],
        vec![
            Cell::Text("Coverage".into()),
            Cell::Text(
                o.coverage
                    .clone()
                    .unwrap_or_else(|| COVERAGE_NOT_STATED.into()),
            ),
        ],
        vec![
            Cell::Text("Personal data".into()),
            Cell::Text(r.personal_data.statement().into()),
        ],
        vec![
            Cell::Text("Compared with".into()),
            Cell::Text(p.map_or_else(
                || String::from("no previous period given"),
                |p| format!("{} ({} .. {})", p.label(), p.from, p.to),
            )),
        ],
    ];
    let count = |label: &str, now: u64, before: Option<u64>| {
        let mut row = vec![Cell::Text(label.into()), Cell::Int(now)];
        if let Some(b) = before {
            row.push(Cell::Int(b));
            row.push(Cell::Text(change_count(now, b)));
        }
        row
    };
    rows.push(count("Meetings", t.meetings, p.map(|p| p.meetings)));
    rows.push(count("Minutes", t.minutes, p.map(|p| p.minutes)));
    rows.push(count(
        "Billed minutes",
        t.billed_minutes,
        p.map(|p| p.billed_minutes),
    ));
    rows.push(count("Attendees", t.attendees, p.map(|p| p.attendees)));
    rows.push(count(
        "Phone calls",
        t.phone_calls,
        p.map(|p| p.phone_calls),
    ));
    rows.push(count(
        "Phone minutes",
        t.phone_minutes,
        p.map(|p| p.phone_minutes),
    ));
    for cur in &r.currencies {
        let now = cost_in(t, cur);
        let mut row = vec![
            Cell::Text(format!("Phone cost ({cur})")),
            Cell::money(now, cur),
        ];
        if let Some(p) = p {
            let before = p.cost_in(cur);
            row.push(Cell::money(before, cur));
            row.push(Cell::Text(change_money(now, before, cur)));
        }
        rows.push(row);
    }
    rows.push(vec![
        Cell::Text("Rooms".into()),
        Cell::Int(r.rooms.groups.len() as u64),
    ]);
    rows.push(vec![
        Cell::Text("Hosts".into()),
        Cell::Int(r.hosts.groups.len() as u64),
    ]);
    rows.push(vec![
        Cell::Text("Departments".into()),
        Cell::Int(r.departments.len() as u64),
    ]);
    for (i, g) in top(&r.rooms.groups).into_iter().enumerate() {
        rows.push(vec![
            Cell::Text(format!("Top room {}", i + 1)),
            Cell::Text(top_label(g)),
        ]);
    }
    for (i, g) in top(&r.hosts.groups).into_iter().enumerate() {
        rows.push(vec![
            Cell::Text(format!("Top host {}", i + 1)),
            Cell::Text(top_label(g)),
        ]);
    }
    for (i, w) in r.warnings.iter().enumerate() {
        rows.push(vec![
            Cell::Text(format!("Warning {}", i + 1)),
            Cell::Text(w.clone()),
        ]);
    }
    // Every row as long as the columns (the CSV file is a rectangle).
    for row in &mut rows {
        row.resize(4, Cell::Empty);
    }
    Sheet {
        name: "Summary",
        columns: vec![
            Column::new("item", "Item"),
            Column::new("value", "Value"),
            Column::new("previous", "Previous period"),
            Column::new("change", "Change"),
        ],
        rows,
        total: None,
        note: None,
    }
}

/// The five groups with the most minutes (then meetings, then label).
pub(crate) fn top(groups: &[Totals]) -> Vec<&Totals> {
    let mut v: Vec<&Totals> = groups.iter().collect();
    v.sort_by(|a, b| {
        (b.minutes, b.meetings)
            .cmp(&(a.minutes, a.meetings))
            .then_with(|| a.group.cmp(&b.group))
    });
    v.truncate(5);
    v
}

fn top_label(t: &Totals) -> String {
    format!(
        "{}: {} min, {} meeting(s)",
        t.group,
        thousands(t.minutes),
        thousands(t.meetings)
    )
}

fn word<T: serde::Serialize>(v: &T) -> Option<String> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

fn meeting_cells(r: &Report, m: &Meeting) -> Vec<Cell> {
    let zone = r.options.zone;
    vec![
        Cell::time(meeting_core::query::sort_time(m), zone),
        Cell::text(Some(&room_label(m))),
        Cell::text(Some(&m.key)),
    ]
}

fn meetings(r: &Report) -> Sheet {
    let zone = r.options.zone;
    let mut columns = vec![
        Column::new("start", "Start"),
        Column::new("end", "End"),
        Column::new("room", "Room"),
    ];
    if r.allocated {
        columns.push(Column::new("department", "Department"));
        columns.push(Column::new("cost_centre", "Cost centre"));
    }
    columns.extend(
        [
            fields::HOST,
            fields::TOPIC,
            fields::STATUS,
            fields::VENDOR,
            fields::MEETING_NUMBER,
            fields::KEY,
            fields::MINUTES,
            fields::DURATION_SECONDS,
            fields::BILLED_MINUTES,
            fields::PARTICIPANTS,
            fields::ATTENDEES,
            fields::PHONE_CALLS,
            fields::PHONE_MINUTES,
        ]
        .map(Column::of),
    );
    for cur in &r.currencies {
        columns.push(Column::new(
            format!("phone_cost_{}", cur.to_ascii_lowercase()),
            format!("Phone cost ({cur})"),
        ));
    }
    columns.push(Column::new("warnings", "Warnings"));
    let rows = r
        .meetings
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut cells = vec![
                Cell::time(m.start.or(m.scheduled_start), zone),
                Cell::time(m.end.or(m.scheduled_end), zone),
                Cell::text(Some(&room_label(m))),
            ];
            if r.allocated {
                let (dept, centre) = r.allocation_of.get(i).cloned().unwrap_or_default();
                cells.push(Cell::text(Some(&dept)));
                cells.push(Cell::text(centre.as_deref()));
            }
            let calls_minutes: u64 = m.phone_calls.iter().filter_map(|c| c.billed_minutes).sum();
            let costs = m.phone_cost();
            cells.extend([
                Cell::text(Some(&host_label(m))),
                Cell::text(m.topic.as_deref()),
                Cell::text(word(&m.status).as_deref()),
                Cell::text(word(&m.vendor).as_deref()),
                Cell::text(m.meeting_number.as_deref()),
                Cell::Text(m.key.clone()),
                Cell::int(m.duration_seconds.map(meeting_core::aggregate::minutes_of)),
                Cell::int(m.duration_seconds),
                Cell::int(m.billed_minutes),
                Cell::Int(participant_count(m)),
                Cell::Int(meeting_core::aggregate::attendance(m).0),
                Cell::Int(m.phone_calls.len() as u64),
                Cell::Int(calls_minutes),
            ]);
            for cur in &r.currencies {
                cells.push(Cell::money(
                    costs.get(cur).copied().unwrap_or_default(),
                    cur,
                ));
            }
            cells.push(Cell::text(Some(&m.warnings.join("; "))));
            cells
        })
        .collect();
    Sheet {
        name: "Meetings",
        columns,
        rows,
        total: None,
        note: None,
    }
}

fn participants(r: &Report) -> Sheet {
    let zone = r.options.zone;
    let ip_title = match r.personal_data {
        PersonalData::Masked => "IP address (omitted)",
        PersonalData::Included => "IP address",
    };
    let columns = [
        ("meeting_start", "Meeting start"),
        ("room", "Room"),
        (fields::KEY.id, fields::KEY.label),
        ("name", "Name"),
        ("user_id", "User id"),
        ("kind", "Kind"),
        ("invitation", "Invitation"),
        ("device", "Device"),
        ("ip", ip_title),
        ("city", "City"),
        ("join", "Join"),
        ("leave", "Leave"),
        ("duration_seconds", "Duration (s)"),
    ]
    .map(|(id, title)| Column::new(id, title))
    .to_vec();
    let mut rows = Vec::new();
    for m in &r.meetings {
        for p in &m.participants {
            let mut cells = meeting_cells(r, m);
            cells.extend([
                Cell::text(p.name.as_deref()),
                Cell::text(p.user_id.as_deref()),
                Cell::text(word(&p.kind).as_deref()),
                Cell::text(p.invitation.as_ref().and_then(word).as_deref()),
                Cell::text(p.device.as_deref()),
                Cell::text(p.ip.as_deref()),
                Cell::text(p.city.as_deref()),
                Cell::time(p.join, zone),
                Cell::time(p.leave, zone),
                Cell::int(p.duration_seconds),
            ]);
            rows.push(cells);
        }
    }
    Sheet {
        name: "Participants",
        columns,
        rows,
        total: None,
        note: None,
    }
}

fn calls(r: &Report) -> Sheet {
    let zone = r.options.zone;
    let columns = [
        ("meeting_start", "Meeting start"),
        ("room", "Room"),
        (fields::KEY.id, fields::KEY.label),
        ("number", "Number"),
        ("direction", "Direction"),
        ("start", "Start"),
        ("end", "End"),
        ("duration_seconds", "Duration (s)"),
        ("billed_minutes", "Billed minutes"),
        ("cost", "Cost"),
        ("currency", "Currency"),
    ]
    .map(|(id, title)| Column::new(id, title))
    .to_vec();
    let mut rows = Vec::new();
    for m in &r.meetings {
        for c in &m.phone_calls {
            let mut cells = meeting_cells(r, m);
            cells.extend([
                Cell::text(c.number.as_deref()),
                Cell::text(c.direction.as_ref().and_then(word).as_deref()),
                Cell::time(c.start, zone),
                Cell::time(c.end, zone),
                Cell::int(c.duration_seconds),
                Cell::int(c.billed_minutes),
                c.cost
                    .as_ref()
                    .map_or(Cell::Empty, |m| Cell::money(m.amount, &m.currency)),
                Cell::text(c.cost.as_ref().map(|m| m.currency.as_str())),
            ]);
            rows.push(cells);
        }
    }
    Sheet {
        name: "Calls",
        columns,
        rows,
        total: None,
        note: None,
    }
}
