//! Dates as operators type them: `--from/--to` (`YYYY-MM-DD`), `--month YYYY-MM`,
//! `--last-month`, `--since DATE|7d`, with `--to` defaulting to today, and errors that say
//! what was expected.

use chrono::{Datelike, Duration, NaiveDate};

use crate::error::{CliError, Result};

/// The first day a date flag accepts: no vendor or archive holds a meeting before it.
pub(crate) const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The last day a date flag accepts (a typo such as `20244-01-01` or `3024-01-01` is a
/// usage error, never a span of centuries).
pub(crate) const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The longest `--since Nd` (100 years): more is a typo, and would overflow the calendar.
pub(crate) const MAX_DAYS_BACK: u32 = 36_525;

/// The longest report span without `--allow-long-span` (a leap year).
pub(crate) const MAX_REPORT_DAYS: i64 = 366;

/// A day outside [`FIRST_DAY`]..=[`LAST_DAY`] is a usage error naming the range.
fn in_range(d: NaiveDate, t: &str) -> Result<NaiveDate, String> {
    if (FIRST_DAY..=LAST_DAY).contains(&d) {
        Ok(d)
    } else {
        Err(format!(
            "`{t}` is too far from today: days from {FIRST_DAY} to {LAST_DAY} are accepted"
        ))
    }
}

/// A report span longer than [`MAX_REPORT_DAYS`] needs `--allow-long-span`: a typo such as
/// `--from 1900-01-01` would otherwise build a page of centuries (found before any work).
pub(crate) fn check_report_span(from: NaiveDate, to: NaiveDate, allow_long: bool) -> Result<()> {
    let days = (to - from).num_days() + 1;
    if days > MAX_REPORT_DAYS && !allow_long {
        return Err(CliError::usage(format!(
            "the report span {from} .. {to} is {days} days, more than {MAX_REPORT_DAYS}: check the dates, or pass --allow-long-span to build it anyway"
        )));
    }
    Ok(())
}

/// `sync --until`: a day after the vendor's today is clamped to today (a cursor can never
/// pass today, or every later sync would start after the meetings it should fetch); the
/// note says so.
pub(crate) fn clamp_until(
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> (NaiveDate, Option<String>) {
    match until {
        Some(u) if u > today => (
            today,
            Some(format!(
                "note: --until {u} is after today ({today} in the vendor zone): syncing up to {today}"
            )),
        ),
        Some(u) => (u, None),
        None => (today, None),
    }
}

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
        return in_range(d, t);
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
    let first = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| format!("`{t}` is not a month: expected YYYY-MM, e.g. 2024-01"))?;
    in_range(first, t)
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
            .ok_or_else(|| format!("`{t}` is not a number of days: expected e.g. 7d or 30d"))
            .and_then(|n| {
                if n > MAX_DAYS_BACK {
                    Err(format!(
                        "`{t}` is too many days: at most {MAX_DAYS_BACK}d (100 years); or give a day, YYYY-MM-DD"
                    ))
                } else {
                    Ok(Since::DaysBack(n))
                }
            });
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
                Since::DaysBack(n) => today
                    .checked_sub_signed(Duration::days(i64::from(n) - 1))
                    .ok_or_else(|| format!("--since {n}d goes back before the calendar starts"))?,
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
    fn far_dates_are_usage_errors_never_panics() {
        assert!(
            parse_since("99999999d")
                .unwrap_err()
                .contains("too many days")
        );
        assert!(parse_since("4294967295d").is_err());
        assert!(parse_since("36525d").is_ok());
        assert!(parse_date("1900-01-01").unwrap_err().contains("too far"));
        assert!(parse_date("9999-12-31").unwrap_err().contains("too far"));
        assert!(parse_month("3024-01").unwrap_err().contains("too far"));
        let back = DateArgs {
            since: Some(Since::DaysBack(MAX_DAYS_BACK)),
            ..DateArgs::default()
        };
        assert!(back.resolve(d("2024-03-15"), false).is_ok());
        assert!(check_report_span(d("2024-01-01"), d("2024-12-31"), false).is_ok());
        assert!(check_report_span(d("2024-01-01"), d("2025-01-01"), false).is_err());
        assert!(check_report_span(d("2024-01-01"), d("2025-01-01"), true).is_ok());
        let today = d("2024-03-15");
        assert_eq!(clamp_until(Some(d("2030-01-31")), today).0, today);
        assert!(clamp_until(Some(d("2030-01-31")), today).1.is_some());
        assert_eq!(
            clamp_until(Some(d("2024-03-01")), today),
            (d("2024-03-01"), None)
        );
        assert_eq!(clamp_until(None, today), (today, None));
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
