//! Dates as operators type them: `--from/--to` (`YYYY-MM-DD`), `--month YYYY-MM`,
//! `--last-month`, `--since DATE|7d`, with `--to` defaulting to today, and errors that say
//! what was expected.

use chrono::{Datelike, Duration, NaiveDate};

use crate::error::{CliError, Result};

/// `--from` after `--to` is a usage error.
pub(crate) fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(CliError::usage(format!(
            "--from {from} is after --to {to}: the range is inclusive, from the first day to the last"
        )));
    }
    Ok(())
}

/// A calendar day, `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if parse_month(t).is_ok() {
        return Err(format!(
            "`{t}` is a month, not a day: expected YYYY-MM-DD (e.g. {t}-01), or use --month {t}"
        ));
    }
    let parts: Vec<&str> = t.split('-').collect();
    if let [y, m, d] = parts[..]
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
    {
        return Err(format!(
            "`{t}` is not a day of the calendar ({y}-{m:02} has no day {d}): expected YYYY-MM-DD"
        ));
    }
    Err(format!(
        "`{t}` is not a date: expected YYYY-MM-DD, e.g. 2024-01-31"
    ))
}

/// A month, `YYYY-MM`, as its first day.
pub(crate) fn parse_month(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| format!("`{t}` is not a month: expected YYYY-MM, e.g. 2024-01"))
}

/// `--since`: a day (`YYYY-MM-DD`) or a number of days back (`7d`: the last seven days,
/// today included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Since {
    Day(NaiveDate),
    DaysBack(u32),
}

pub(crate) fn parse_since(s: &str) -> Result<Since, String> {
    let t = s.trim();
    if let Some(n) = t.strip_suffix('d') {
        return n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .map(Since::DaysBack)
            .ok_or_else(|| format!("`{t}` is not a number of days: expected e.g. 7d or 30d"));
    }
    parse_date(t)
        .map(Since::Day)
        .map_err(|e| format!("{e}; or a number of days such as 7d"))
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
pub(crate) struct DateArgs {
    pub(crate) from: Option<NaiveDate>,
    pub(crate) to: Option<NaiveDate>,
    pub(crate) month: Option<NaiveDate>,
    pub(crate) last_month: bool,
    pub(crate) since: Option<Since>,
}

impl DateArgs {
    /// The inclusive span, or `None` when no date was given. An open end (`--from` or
    /// `--since` without `--to`) is `today` for a vendor range, unbounded
    /// ([`NaiveDate::MAX`]) for a filter (`open_end`), so booked meetings ahead still match.
    /// An inverted span is a usage error naming both days.
    pub(crate) fn resolve(
        &self,
        today: NaiveDate,
        open_end: bool,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, String> {
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
        if let Some((from, to)) = span
            && from > to
        {
            return Err(format!(
                "--from {from} is after --to {to}: the range is inclusive, from the first day to the last"
            ));
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
        let e = parse_date("2024-02-30").unwrap_err();
        assert!(e.contains("no day 30") && e.contains("YYYY-MM-DD"), "{e}");
        let e = parse_date("2024-01").unwrap_err();
        assert!(e.contains("--month 2024-01"), "{e}");
        assert!(parse_date("yesterday").unwrap_err().contains("YYYY-MM-DD"));
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
                .contains("after")
        );
    }
}
