//! The monthly finance report (`meeting report`): one data model built from merged meetings
//! and an optional cost allocation, and three renderers that show the same figures —
//! an Excel workbook ([`write_xlsx`]), a self-contained HTML page with SVG charts
//! ([`write_html`]) and a set of CSV files, one per sheet ([`csv_files`]).
//!
//! # The sheets
//!
//! | sheet | one row per | figures |
//! |---|---|---|
//! | Summary | item | the span, zone and generation time; the totals; the top rooms and hosts; warnings |
//! | Rooms | room | meetings, minutes, participants, phone calls, phone minutes, phone cost (+ department and cost centre with an allocation) |
//! | Hosts | host | the same figures |
//! | Departments | department | the same figures, and the department's cost centres |
//! | Days | day of the span (in the report zone, every day, also those without meetings) | the same figures |
//! | Meetings | meeting | start, end, room, host, topic, status, minutes, participants, phone figures |
//! | Participants | participant row (as the vendor listed it) | name, user id, kind, device, IP, join, leave |
//! | Calls | phone call | number (text), direction, start, end, minutes, cost and currency |
//!
//! Every figure comes from [`meeting_core::aggregate::Aggregate`] (the same code as
//! `meeting stats`), so the report and `stats` agree to the cent. Money is exact: one column
//! per currency (`phone_cost_cny`; the vendors charge in CNY), written as a number.
//!
//! # Decisions
//!
//! - **Which meetings.** The report holds the meetings whose start (else scheduled start)
//!   falls on a day of the span in the report zone; report stubs are annotations, never
//!   meetings. Meetings outside the span are left out and counted ([`Report::outside`]);
//!   meetings with no time at all cannot be placed in the span and are counted in a
//!   warning on the Summary (nothing is dropped silently).
//! - **Departments** come from the allocation ([`crate::allocation`]); without one,
//!   every meeting is `(unallocated)`. Rooms that no line covers are named in a warning, and
//!   so are allocation lines whose room had no meeting.
//! - **Masking** (the default of `meeting report`; `--include-pii` turns it off): the
//!   figures are computed first, then host labels, meetings, participants and calls are
//!   masked with [`crate::mask::Masker`] (pseudonyms stable for one key: give the archive's),
//!   and IP addresses are omitted, so every sheet, page and file is masked and no figure
//!   changes. The page and the Summary say which it is ([`PersonalData`]).
//! - **Numbers as people read them**: counts and minutes with thousands separators, every
//!   amount with its currency (`¥1,234.50`) on the page; in the workbook the cells stay
//!   numbers with the formats `#,##0` and `[$¥-804]#,##0.00`; in CSV plain numbers.
//! - **Context**: the coverage of the data under the title ([`ReportOptions::coverage`];
//!   `coverage not stated` when absent) and the key figures beside the previous period with
//!   the change ([`ReportOptions::previous`]).
//! - **Excel's limits**: a text cell over 32,767 characters is truncated with a note (the
//!   CSV set keeps it whole); a sheet over 1,048,576 rows is refused before anything is
//!   written ([`check_xlsx_limits`]).
//! - **Charts** (HTML): minutes per day stacked by room (every room up to ten; beyond, the
//!   nine busiest and `other`), phone cost per room, room use by weekday and hour (minutes
//!   of meetings in each hour, split at hour boundaries in the report zone), and with an
//!   allocation minutes per department. Every mark has a `<title>` tooltip.

mod charts;
mod compare;
mod csv_set;
mod html;
mod sheet;
mod width;
mod xlsx;

use std::collections::{BTreeMap, BTreeSet};

use crate::allocation::{Allocation, UNALLOCATED};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::aggregate::{Aggregate, GroupBy, Totals};
use meeting_core::query::{is_report_stub, room_label, sort_time};
use rust_decimal::Decimal;

pub use compare::{PersonalData, PreviousPeriod};
pub use csv_set::{CSV_FILES, csv_files};
pub use html::write_html;
pub use sheet::{Cell, Column, DISTINCT_TOTAL_NOTE, Sheet};
pub use width::display_width;
pub use xlsx::{EXCEL_MAX_ROWS, EXCEL_MAX_TEXT, check_xlsx_limits, write_xlsx};

use crate::mask::Masker;

/// A report that could not be rendered (the workbook writer failed, a sheet is larger than
/// Excel allows). Its message says which sheet and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportError {
    message: String,
}

impl ReportError {
    pub(crate) fn new(message: impl Into<String>) -> ReportError {
        ReportError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReportError {}

/// What a report covers: its days (inclusive, in `zone`) and when it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
    /// The report zone: days, buckets and displayed times.
    pub zone: Tz,
    /// When the report was generated (shown on the Summary).
    pub generated_at: DateTime<Utc>,
    /// How complete the data of the span is (shown under the title and on the Summary;
    /// `coverage not stated` when absent): e.g. `archive synced through 2024-02-01 for
    /// every profile`.
    pub coverage: Option<String>,
    /// The period the key figures are compared with (the month before).
    pub previous: Option<PreviousPeriod>,
}

impl ReportOptions {
    /// A report of `from..=to` in `zone`, generated at `generated_at`.
    pub fn new(from: NaiveDate, to: NaiveDate, zone: Tz, generated_at: DateTime<Utc>) -> Self {
        ReportOptions {
            from,
            to,
            zone,
            generated_at,
            coverage: None,
            previous: None,
        }
    }

    /// States how complete the data of the span is (see [`ReportOptions::coverage`]).
    #[must_use]
    pub fn coverage(mut self, coverage: impl Into<String>) -> Self {
        self.coverage = Some(coverage.into());
        self
    }

    /// Compares the key figures with `previous` (see [`PreviousPeriod`]).
    #[must_use]
    pub fn previous(mut self, previous: PreviousPeriod) -> Self {
        self.previous = Some(previous);
        self
    }
}

/// A department's figures and its cost centres.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DepartmentTotals {
    /// The figures (labelled with the department).
    pub totals: Totals,
    /// The cost centres of the allocation lines its meetings were charged to.
    pub cost_centres: Vec<String>,
}

/// The report's data: every figure, the meetings behind them and the chart series. Build
/// it with [`Report::build`]; render it with [`write_xlsx`], [`write_html`], [`csv_files`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Report {
    /// The span, zone and generation time.
    pub options: ReportOptions,
    /// Per room (and the grand total).
    pub rooms: Aggregate,
    /// Per host.
    pub hosts: Aggregate,
    /// Per department.
    pub departments: Vec<DepartmentTotals>,
    /// Per day: every day of the span, in order (days without meetings have zero figures).
    pub days: Vec<Totals>,
    /// The meetings of the report (no stubs), in output order; masked when asked.
    pub meetings: Vec<Meeting>,
    /// Per meeting (same order): its department and cost centre (with an allocation).
    pub allocation_of: Vec<(String, Option<String>)>,
    /// Per room (label): its department and cost centre when all its meetings share one.
    pub room_departments: BTreeMap<String, (String, Option<String>)>,
    /// Whether an allocation was given.
    pub allocated: bool,
    /// What the reader must know: meetings left out, unallocated rooms, unknown rooms.
    pub warnings: Vec<String>,
    /// Meetings given to [`Report::build`] that start outside the span (left out: a
    /// month's report from a longer archive or dump).
    pub outside: u64,
    /// Measured seconds per day (index into [`Report::days`]) and room.
    pub day_room_seconds: Vec<BTreeMap<String, u64>>,
    /// Measured seconds of meetings per weekday (0 = Monday) and hour of the day.
    pub heat_seconds: [[u64; 24]; 7],
    /// The currencies of the phone costs (always holds `CNY`), in order.
    pub currencies: Vec<String>,
    /// Whether personal data is masked (a masker was given to [`Report::build`]).
    pub personal_data: PersonalData,
}

/// The meetings of a span: [`Report::build`]'s selection.
pub(crate) struct Selection {
    pub(crate) kept: Vec<Meeting>,
    pub(crate) outside: u64,
    pub(crate) timeless: u64,
}

/// The meetings whose start (else scheduled start) falls on a day of `from..=to` in
/// `zone`, no report stubs, in output order; the others counted.
pub(crate) fn select(meetings: &[Meeting], from: NaiveDate, to: NaiveDate, zone: Tz) -> Selection {
    let (mut outside, mut timeless) = (0u64, 0u64);
    let mut kept: Vec<Meeting> = Vec::new();
    for m in meetings.iter().filter(|m| !is_report_stub(m)) {
        match sort_time(m).map(|t| t.with_timezone(&zone).date_naive()) {
            Some(day) if day >= from && day <= to => kept.push(m.clone()),
            Some(_) => outside += 1,
            None => timeless += 1,
        }
    }
    meeting_core::query::sort_for_output(&mut kept);
    Selection {
        kept,
        outside,
        timeless,
    }
}

/// The longest a meeting is spread over the heat map (longer ones are capped there: a
/// record with a wrong end must not take the loop for years). Figures are not affected.
const HEAT_CAP_HOURS: i64 = 24 * 14;

impl Report {
    /// Builds the report from merged meetings (see the module docs for which are kept).
    /// Figures are computed first; with `masker`, personal data is masked afterwards.
    pub fn build(
        meetings: &[Meeting],
        allocation: Option<&Allocation>,
        options: &ReportOptions,
        masker: Option<&Masker>,
    ) -> Report {
        let zone = options.zone;
        let mut warnings = Vec::new();
        let Selection {
            mut kept,
            outside,
            timeless,
        } = select(meetings, options.from, options.to, zone);
        if timeless > 0 {
            warnings.push(format!(
                "{timeless} meeting(s) without any start time left out (they cannot be placed in the span)"
            ));
        }
        let rooms = Aggregate::compute(&kept, GroupBy::Room, zone);
        let mut hosts = Aggregate::compute(&kept, GroupBy::Host, zone);
        let dept_agg = Aggregate::compute_allocated(
            &kept,
            GroupBy::Department,
            zone,
            allocation.map(|a| a as &dyn meeting_core::aggregate::Departments),
        );
        let day_agg = Aggregate::compute(&kept, GroupBy::Day, zone);

        // Departments' cost centres, each meeting's allocation, each room's.
        let mut centres: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut allocation_of = Vec::with_capacity(kept.len());
        let mut per_room: BTreeMap<String, BTreeSet<(String, Option<String>)>> = BTreeMap::new();
        for m in &kept {
            let (dept, centre) = match allocation.and_then(|a| a.assign(m, zone)) {
                Some(l) => (l.department.clone(), l.cost_centre.clone()),
                None => (String::from(UNALLOCATED), None),
            };
            if let Some(c) = &centre {
                centres.entry(dept.clone()).or_default().insert(c.clone());
            }
            per_room
                .entry(GroupBy::Room.group_of(m, zone))
                .or_default()
                .insert((dept.clone(), centre.clone()));
            allocation_of.push((dept, centre));
        }
        let room_departments = per_room
            .into_iter()
            .map(|(room, set)| {
                let value = if set.len() == 1 {
                    set.into_iter().next().unwrap_or_default()
                } else {
                    let depts: BTreeSet<String> = set.into_iter().map(|(d, _)| d).collect();
                    (depts.into_iter().collect::<Vec<_>>().join(" / "), None)
                };
                (room, value)
            })
            .collect();
        let departments = dept_agg
            .groups
            .into_iter()
            .map(|t| DepartmentTotals {
                cost_centres: centres
                    .get(&t.group)
                    .map(|s| s.iter().cloned().collect())
                    .unwrap_or_default(),
                totals: t,
            })
            .collect();

        if let Some(a) = allocation {
            let unallocated = a.unallocated_rooms(&kept, zone);
            if !unallocated.is_empty() {
                warnings.push(format!(
                    "{} room(s) not in the allocation {}, counted as {UNALLOCATED}: {}",
                    unallocated.len(),
                    a.file(),
                    unallocated.join(", ")
                ));
            }
            let unknown: Vec<String> = a
                .unknown_rooms(&kept)
                .iter()
                .map(|l| format!("{} (line {})", l.room, l.line))
                .collect();
            if !unknown.is_empty() {
                warnings.push(format!(
                    "{} allocation line(s) of {} name a room with no meeting in the report: {}",
                    unknown.len(),
                    a.file(),
                    unknown.join(", ")
                ));
            }
        }

        // Every day of the span, with its figures.
        let mut by_day: BTreeMap<String, Totals> = day_agg
            .groups
            .into_iter()
            .map(|t| (t.group.clone(), t))
            .collect();
        let span: Vec<NaiveDate> = options
            .from
            .iter_days()
            .take_while(|d| *d <= options.to)
            .collect();
        let days: Vec<Totals> = span
            .iter()
            .map(|d| {
                let label = d.format("%Y-%m-%d").to_string();
                by_day.remove(&label).unwrap_or_else(|| {
                    let mut t = Totals::new(label);
                    t.finish();
                    t
                })
            })
            .collect();

        // Chart series: seconds per day and room, seconds per weekday and hour.
        let mut day_room_seconds = vec![BTreeMap::new(); span.len()];
        let mut heat_seconds = [[0u64; 24]; 7];
        for m in &kept {
            // Charts show meetings held, as the figures count them.
            if !matches!(
                m.status,
                meeting_core::Status::Live | meeting_core::Status::Ended
            ) {
                continue;
            }
            let Some(start) = sort_time(m) else { continue };
            let secs = m.duration_seconds.unwrap_or(0);
            let day = start.with_timezone(&zone).date_naive();
            if let Some(slot) = day
                .signed_duration_since(options.from)
                .num_days()
                .try_into()
                .ok()
                .and_then(|i: usize| day_room_seconds.get_mut(i))
            {
                *slot.entry(room_label_or_unknown(m)).or_insert(0) += secs;
            }
            spread_over_hours(&mut heat_seconds, start, secs, zone);
        }

        let mut currencies: BTreeSet<String> = rooms.total.cost().keys().cloned().collect();
        currencies.insert(String::from("CNY"));
        let mut currencies: Vec<String> = currencies.into_iter().collect();
        // CNY first: the vendors' currency.
        currencies.sort_by_key(|c| (c != "CNY", c.clone()));

        if let Some(masker) = masker {
            masker.mask_aggregate(&mut hosts, &kept);
            for m in &mut kept {
                masker.mask_meeting(m);
                // A report omits IP addresses (the masking table keeps two octets
                // elsewhere): finance has no use for them.
                for p in &mut m.participants {
                    p.ip = None;
                }
            }
        }
        Report {
            options: options.clone(),
            rooms,
            hosts,
            departments,
            days,
            meetings: kept,
            allocation_of,
            room_departments,
            allocated: allocation.is_some(),
            warnings,
            outside,
            day_room_seconds,
            heat_seconds,
            currencies,
            personal_data: if masker.is_some() {
                PersonalData::Masked
            } else {
                PersonalData::Included
            },
        }
    }

    /// The grand total (the same in every grouping).
    pub fn total(&self) -> &Totals {
        &self.rooms.total
    }

    /// The sheets, in workbook order: Summary, Rooms, Hosts, Departments, Days, Meetings,
    /// Participants, Calls.
    pub fn sheets(&self) -> Vec<Sheet> {
        sheet::sheets(self)
    }
}

fn room_label_or_unknown(m: &Meeting) -> String {
    let label = room_label(m);
    if label.is_empty() {
        String::from(meeting_core::aggregate::UNKNOWN_GROUP)
    } else {
        label
    }
}

/// Adds `secs` from `start` to the weekday × hour grid, split at hour boundaries in `zone`.
fn spread_over_hours(grid: &mut [[u64; 24]; 7], start: DateTime<Utc>, secs: u64, zone: Tz) {
    let cap = u64::try_from(HEAT_CAP_HOURS * 3600).unwrap_or(u64::MAX);
    let mut left = secs.min(cap);
    let mut t = start;
    while left > 0 {
        let local = t.with_timezone(&zone);
        let into_hour = u64::from(local.minute()) * 60 + u64::from(local.second());
        let chunk = (3600 - into_hour.min(3599)).min(left);
        let wd = local.weekday().num_days_from_monday() as usize;
        let hour = local.hour() as usize;
        if let Some(cell) = grid.get_mut(wd).and_then(|row| row.get_mut(hour)) {
            *cell += chunk;
        }
        left -= chunk;
        t += Duration::seconds(i64::try_from(chunk).unwrap_or(3600));
    }
}

/// The phone cost of `totals` in `currency` (zero when none).
pub(crate) fn cost_in(totals: &Totals, currency: &str) -> Decimal {
    totals.cost().get(currency).copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_split_at_boundaries() {
        let mut grid = [[0u64; 24]; 7];
        // Monday 2024-01-01 09:50 in Shanghai, 30 minutes.
        let start = "2024-01-01T01:50:00Z".parse().unwrap_or_default();
        spread_over_hours(&mut grid, start, 1800, chrono_tz::Asia::Shanghai);
        assert_eq!(grid[0][9], 600);
        assert_eq!(grid[0][10], 1200);
        assert_eq!(grid.iter().flatten().sum::<u64>(), 1800);
    }
}
