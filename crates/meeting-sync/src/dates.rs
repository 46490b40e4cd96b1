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
    /// A day outside [`FIRST_DAY`]..=[`LAST_DAY`] (a typo such as `20244-01-01`).
    #[error("`{0}` is too far from today: days from {FIRST_DAY} to {LAST_DAY} are accepted")]
    TooFar(String),
    /// More days back than [`MAX_DAYS_BACK`].
    #[error(
        "`{0}` is too many days: at most {MAX_DAYS_BACK}d (100 years); or give a day, YYYY-MM-DD"
    )]
    TooManyDays(String),
    /// A report span over [`MAX_REPORT_DAYS`] days without `allow_long`.
    #[error(
        "the report span {from} .. {to} is {days} days, more than {MAX_REPORT_DAYS}: check the dates, or pass --allow-long-span to build it anyway"
    )]
    LongSpan {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
        /// Days in the span.
        days: i64,
    },
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

/// The first day a date flag accepts: no vendor or archive holds a meeting before it.
pub const FIRST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The last day a date flag accepts (a typo such as `20244-01-01` or `3024-01-01` is a
/// usage error, never a span of centuries).
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The longest `--since Nd` (100 years): more is a typo, and would overflow the calendar.
pub const MAX_DAYS_BACK: u32 = 36_525;

/// The longest report span without `--allow-long-span` (a leap year).
pub const MAX_REPORT_DAYS: i64 = 366;

/// A day outside [`FIRST_DAY`]..=[`LAST_DAY`] is a usage error naming the range.
fn in_range(d: NaiveDate, t: &str) -> Result<NaiveDate, DateError> {
    if (FIRST_DAY..=LAST_DAY).contains(&d) {
        Ok(d)
    } else {
        Err(DateError::TooFar(t.to_owned()))
    }
}

/// A report span longer than [`MAX_REPORT_DAYS`] needs `--allow-long-span`: a typo such as
/// `--from 1900-01-01` would otherwise build a page of centuries (found before any work).
///
/// # Errors
/// [`DateError::LongSpan`].
pub fn check_report_span(
    from: NaiveDate,
    to: NaiveDate,
    allow_long: bool,
) -> Result<(), DateError> {
    let days = (to - from).num_days() + 1;
    if days > MAX_REPORT_DAYS && !allow_long {
        return Err(DateError::LongSpan { from, to, days });
    }
    Ok(())
}

/// `sync --until`: a day after the vendor's today is clamped to today (a cursor can never
/// pass today, or every later sync would start after the meetings it should fetch); the
/// note says so.
pub fn clamp_until(until: Option<NaiveDate>, today: NaiveDate) -> (NaiveDate, Option<String>) {
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

/// Midnight of `day` in `zone`, as an instant (the earliest, on a day that starts in a
/// clock change): where a day typed in the report zone begins. `None` only for a day that
/// has no such instant.
#[must_use]
pub fn day_start(day: NaiveDate, zone: chrono_tz::Tz) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0)?;
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            // A zone whose clock skips midnight: the first instant of the day.
            zone.from_local_datetime(&day.and_hms_opt(1, 0, 0)?)
                .earliest()
        })
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `from` after `to` is an error naming both days.
///
/// # Errors
/// [`DateError::Inverted`].
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
        return in_range(d, t);
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
    let first = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| t.len() == 7)
        .ok_or_else(|| DateError::NotAMonth(t.to_owned()))?;
    in_range(first, t)
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
            .ok_or_else(|| DateError::NotDays(t.to_owned()))
            .and_then(|n| {
                if n > MAX_DAYS_BACK {
                    Err(DateError::TooManyDays(t.to_owned()))
                } else {
                    Ok(Since::DaysBack(n))
                }
            });
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
                Since::DaysBack(n) => today
                    .checked_sub_signed(Duration::days(i64::from(n) - 1))
                    .ok_or_else(|| DateError::TooManyDays(format!("{n}d")))?,
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
    fn far_dates_are_usage_errors_never_panics() {
        assert!(
            parse_since("99999999d")
                .unwrap_err()
                .to_string()
                .contains("too many days")
        );
        assert!(parse_since("4294967295d").is_err());
        assert!(parse_since("36525d").is_ok());
        assert!(
            parse_date("1900-01-01")
                .unwrap_err()
                .to_string()
                .contains("too far")
        );
        assert!(
            parse_date("9999-12-31")
                .unwrap_err()
                .to_string()
                .contains("too far")
        );
        assert!(
            parse_month("3024-01")
                .unwrap_err()
                .to_string()
                .contains("too far")
        );
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
                .to_string()
                .contains("after")
        );
    }
}
