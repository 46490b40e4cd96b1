//! The one-month limit, defined once.
//!
//! `hisMeeting` documents it (查询时段不能超多一个月，超过一个月只能查询出最后一个月时段记录:
//! a range longer than one month silently returns only the last month), and the vendor's
//! notes say the same of `detail`. This module is the single definition the HTTP client and
//! the simulator both use:
//!
//! - `from` and `to` are **inclusive calendar dates in the vendor's zone** (the zone is
//!   applied by whoever turns dates into instants: [`DateWindow::utc_bounds`]);
//! - a **compliant** window never spans more than one calendar month: `from` and `to` are in
//!   the same month of the same year;
//! - a range is split at month boundaries, with no gaps and no overlaps:
//!   `2024-01-15..=2024-03-10` → `01-15..=01-31`, `02-01..=02-29`, `03-01..=03-10`;
//! - a non-compliant window is served as its **last** compliant piece
//!   ([`DateWindow::vendor_served`]): here, `03-01..=03-10`. The doc's "last month" is read as
//!   the last calendar month, the only reading consistent with the definition above.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};

use crate::time::resolve_local;

/// An inclusive range of calendar dates, `from..=to`, with `from <= to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateWindow {
    from: NaiveDate,
    to: NaiveDate,
}

/// A date range that cannot be a window.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date range {from}..{to}: `from` is after `to`")]
pub struct WindowError {
    /// The requested start.
    pub from: NaiveDate,
    /// The requested end.
    pub to: NaiveDate,
}

impl DateWindow {
    /// The window `from..=to`.
    ///
    /// # Errors
    /// When `from` is after `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, WindowError> {
        if from <= to {
            Ok(DateWindow { from, to })
        } else {
            Err(WindowError { from, to })
        }
    }

    /// A one-day window.
    pub fn day(date: NaiveDate) -> Self {
        DateWindow {
            from: date,
            to: date,
        }
    }

    /// First day, inclusive.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// Last day, inclusive.
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Number of days, at least 1.
    pub fn days(&self) -> u64 {
        u64::try_from((self.to - self.from).num_days()).unwrap_or(0) + 1
    }

    /// Whether `date` is in the window.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Whether the vendor serves this window whole: it lies within one calendar month.
    pub fn is_compliant(&self) -> bool {
        self.from.year() == self.to.year() && self.from.month() == self.to.month()
    }

    /// The compliant windows covering this one, in order, split at month boundaries.
    pub fn split_by_month(&self) -> MonthWindows {
        MonthWindows {
            next: Some(self.from),
            to: self.to,
        }
    }

    /// What the vendor actually serves for this window: all of it when compliant, otherwise
    /// only its last calendar month (silently, as the docs say).
    pub fn vendor_served(&self) -> DateWindow {
        DateWindow {
            from: self.from.max(first_of_month(self.to)),
            to: self.to,
        }
    }

    /// The half-open instant range `[start of from, start of the day after to)` in `zone`.
    /// A midnight that a daylight-saving change skips is read as the first instant of that
    /// day, never a panic.
    pub fn utc_bounds<Tz: TimeZone>(&self, zone: &Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = resolve_local(self.from.and_time(chrono::NaiveTime::MIN), zone).earliest();
        let end_day = self.to.checked_add_days(Days::new(1)).unwrap_or(self.to);
        let end = resolve_local(end_day.and_time(chrono::NaiveTime::MIN), zone).earliest();
        (start, end)
    }
}

/// Splits `from..=to` into compliant windows; see the [module docs](self).
///
/// # Errors
/// When `from` is after `to`.
///
/// ```
/// use chrono::NaiveDate;
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let windows: Vec<_> = systec_model::month_windows(d("2024-01-15"), d("2024-03-10"))?
///     .map(|w| format!("{}..{}", w.from(), w.to()))
///     .collect();
/// assert_eq!(windows, ["2024-01-15..2024-01-31", "2024-02-01..2024-02-29", "2024-03-01..2024-03-10"]);
/// # Ok::<(), systec_model::WindowError>(())
/// ```
pub fn month_windows(from: NaiveDate, to: NaiveDate) -> Result<MonthWindows, WindowError> {
    DateWindow::new(from, to).map(|w| w.split_by_month())
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn last_of_month(d: NaiveDate) -> NaiveDate {
    let first_next = first_of_month(d)
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    first_next.pred_opt().unwrap_or(d).max(d)
}

/// Iterator over the compliant windows of a range; see [`DateWindow::split_by_month`].
#[derive(Clone, Debug)]
pub struct MonthWindows {
    next: Option<NaiveDate>,
    to: NaiveDate,
}

impl Iterator for MonthWindows {
    type Item = DateWindow;

    fn next(&mut self) -> Option<DateWindow> {
        let from = self.next?;
        if from > self.to {
            self.next = None;
            return None;
        }
        let to = last_of_month(from).min(self.to);
        self.next = to.succ_opt().filter(|_| to < self.to);
        Some(DateWindow { from, to })
    }
}

impl std::iter::FusedIterator for MonthWindows {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn leap_year_and_single_month() {
        let w: Vec<_> = month_windows(d("2024-02-01"), d("2024-02-29"))
            .unwrap()
            .collect();
        assert_eq!(
            w,
            vec![DateWindow::new(d("2024-02-01"), d("2024-02-29")).unwrap()]
        );
        let w: Vec<_> = month_windows(d("2023-12-31"), d("2024-01-01"))
            .unwrap()
            .collect();
        assert_eq!(w.len(), 2);
        assert!(month_windows(d("2024-01-02"), d("2024-01-01")).is_err());
        let w: Vec<_> = month_windows(NaiveDate::MAX, NaiveDate::MAX)
            .unwrap()
            .collect();
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn vendor_serves_last_month() {
        let w = DateWindow::new(d("2024-01-15"), d("2024-03-10")).unwrap();
        assert_eq!(
            w.vendor_served(),
            DateWindow::new(d("2024-03-01"), d("2024-03-10")).unwrap()
        );
        let c = DateWindow::new(d("2024-03-02"), d("2024-03-10")).unwrap();
        assert_eq!(c.vendor_served(), c);
    }
}
