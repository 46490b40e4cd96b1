//! Days as operators type them: `YYYY-MM-DD`, a month `YYYY-MM`, the last month, `since
//! DATE|7d`, with an open end defaulting to today (a vendor range) or unbounded (a filter),
//! and errors that say what was expected. The `meeting` CLI's `--from/--to`, `--month`,
//! `--last-month` and `--since`; any scheduler's "last month" the same way.

use chrono::{Datelike, Duration, NaiveDate};

/// A day, month or span that does not parse or does not hold together; the message says
/// what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not a date at all.
    #[error("`{0}` is not a date: expected YYYY-MM-DD, e.g. 2024-01-31")]
    NotADate(String),
    /// A month where a day was expected.
    #[error("`{0}` is a month, not a day: expected YYYY-MM-DD (e.g. {0}-01), or use --month {0}")]
    Month(String),
    /// Shaped like a day, but not one of the calendar.
    #[error(
        "`{text}` is not a day of the calendar ({year}-{month:02} has no day {day}): expected YYYY-MM-DD"
    )]
    NoSuchDay {
        /// What was typed.
        text: String,
        /// Its year.
        year: i32,
        /// Its month.
        month: u32,
        /// Its day.
        day: u32,
    },
    /// Not a month.
    #[error("`{0}` is not a month: expected YYYY-MM, e.g. 2024-01")]
    NotAMonth(String),
    /// Not a number of days (`7d`).
    #[error("`{0}` is not a number of days: expected e.g. 7d or 30d")]
    NotDays(String),
    /// Neither a day nor a number of days.
    #[error("{0}; or a number of days such as 7d")]
    NotSince(Box<DateError>),
    /// The first day is after the last.
    #[error(
        "--from {from} is after --to {to}: the range is inclusive, from the first day to the last"
    )]
    Inverted {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
}

/// `from` after `to` is an error naming both days.
pub fn check_range(from: NaiveDate, to: NaiveDate) -> Result<(), DateError> {
    if from > to {
        return Err(DateError::Inverted { from, to });
    }
    Ok(())
}

/// A calendar day, `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateError> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if parse_month(t).is_ok() {
        return Err(DateError::Month(t.to_owned()));
    }
    let parts: Vec<&str> = t.split('-').collect();
    if let [y, m, d] = parts[..]
        && let (Ok(year), Ok(month), Ok(day)) =
            (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    {
        return Err(DateError::NoSuchDay {
            text: t.to_owned(),
            year,
            month,
            day,
        });
    }
    Err(DateError::NotADate(t.to_owned()))
}

/// A month, `YYYY-MM`, as its first day.
pub fn parse_month(s: &str) -> Result<NaiveDate, DateError> {
    let t = s.trim();
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| DateError::NotAMonth(t.to_owned()))
}

/// `since`: a day (`YYYY-MM-DD`) or a number of days back (`7d`: the last seven days,
/// today included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// From this day.
    Day(NaiveDate),
    /// The last N days, today included.
    DaysBack(u32),
}

/// A day (`YYYY-MM-DD`) or a number of days (`7d`).
pub fn parse_since(s: &str) -> Result<Since, DateError> {
    let t = s.trim();
    if let Some(n) = t.strip_suffix('d') {
        return n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Since::DaysBack)
            .ok_or_else(|| DateError::NotDays(t.to_owned()));
    }
    parse_date(t)
        .map(Since::Day)
        .map_err(|e| DateError::NotSince(Box::new(e)))
}

/// The last day of `first`'s month.
fn month_end(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(first)
}

/// The ways to say which days: at most one start (`from`, `month`, `last_month`, `since`),
/// `to` only with `from`/`since`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DateArgs {
    /// The first day.
    pub from: Option<NaiveDate>,
    /// The last day, inclusive.
    pub to: Option<NaiveDate>,
    /// A whole month (its first day).
    pub month: Option<NaiveDate>,
    /// The previous calendar month.
    pub last_month: bool,
    /// From a day, or the last N days.
    pub since: Option<Since>,
}

impl DateArgs {
    /// The inclusive span, or `None` when no date was given. An open end (`--from` or
    /// `--since` without `--to`) is `today` for a vendor range, unbounded
    /// ([`NaiveDate::MAX`]) for a filter (`open_end`), so booked meetings ahead still match.
    /// An inverted span is a usage error naming both days.
    pub fn resolve(
        &self,
        today: NaiveDate,
        open_end: bool,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, DateError> {
        let end = self
            .to
            .unwrap_or(if open_end { NaiveDate::MAX } else { today });
        let span = if let Some(first) = self.month {
            Some((first, month_end(first)))
        } else if self.last_month {
            let this = today.with_day(1).unwrap_or(today);
            let first = this.pred_opt().and_then(|d| d.with_day(1)).unwrap_or(this);
            Some((first, month_end(first)))
        } else if let Some(since) = self.since {
            let from = match since {
                Since::Day(d) => d,
                Since::DaysBack(n) => today - Duration::days(i64::from(n) - 1),
            };
            Some((from, end))
        } else {
            match (self.from, self.to) {
                (None, None) => None,
                (Some(f), _) => Some((f, end)),
                (None, Some(t)) => Some((NaiveDate::MIN, t)),
            }
        };
        if let Some((from, to)) = span {
            check_range(from, to)?;
        }
        Ok(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn dates_say_what_is_expected() {
        assert_eq!(parse_date(" 2024-02-29 "), Ok(d("2024-02-29")));
        let e = parse_date("2024-02-30").unwrap_err().to_string();
        assert!(e.contains("no day 30") && e.contains("YYYY-MM-DD"), "{e}");
        let e = parse_date("2024-01").unwrap_err().to_string();
        assert!(e.contains("--month 2024-01"), "{e}");
        assert!(
            parse_date("yesterday")
                .unwrap_err()
                .to_string()
                .contains("YYYY-MM-DD")
        );
        assert_eq!(parse_month("2024-02"), Ok(d("2024-02-01")));
        assert!(parse_month("2024-13").is_err());
        assert!(parse_month("2024-2").is_err());
        assert_eq!(parse_since("7d"), Ok(Since::DaysBack(7)));
        assert!(parse_since("0d").is_err());
        assert_eq!(parse_since("2024-01-05"), Ok(Since::Day(d("2024-01-05"))));
    }

    #[test]
    fn spans() {
        let today = d("2024-03-15");
        let none = DateArgs::default();
        assert_eq!(none.resolve(today, false), Ok(None));
        let month = DateArgs {
            month: Some(d("2024-02-01")),
            ..none
        };
        assert_eq!(
            month.resolve(today, false),
            Ok(Some((d("2024-02-01"), d("2024-02-29"))))
        );
        let dec = DateArgs {
            month: Some(d("2023-12-01")),
            ..none
        };
        assert_eq!(
            dec.resolve(today, false),
            Ok(Some((d("2023-12-01"), d("2023-12-31"))))
        );
        let last = DateArgs {
            last_month: true,
            ..none
        };
        assert_eq!(
            last.resolve(today, false),
            Ok(Some((d("2024-02-01"), d("2024-02-29"))))
        );
        assert_eq!(
            last.resolve(d("2024-01-10"), false),
            Ok(Some((d("2023-12-01"), d("2023-12-31"))))
        );
        let week = DateArgs {
            since: Some(Since::DaysBack(7)),
            ..none
        };
        assert_eq!(
            week.resolve(today, false),
            Ok(Some((d("2024-03-09"), today)))
        );
        let open = DateArgs {
            from: Some(d("2024-03-01")),
            ..none
        };
        assert_eq!(
            open.resolve(today, false),
            Ok(Some((d("2024-03-01"), today)))
        );
        assert_eq!(
            open.resolve(today, true),
            Ok(Some((d("2024-03-01"), NaiveDate::MAX)))
        );
        let inverted = DateArgs {
            from: Some(d("2024-04-01")),
            ..none
        };
        assert!(
            inverted
                .resolve(today, false)
                .unwrap_err()
                .to_string()
                .contains("after")
        );
    }
}
