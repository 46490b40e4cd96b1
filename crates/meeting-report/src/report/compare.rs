//! What a reader needs beside the figures: numbers as people read them (thousands
//! separators, the currency on every amount), the previous period with the change, the
//! coverage of the data and whether personal data is masked; and text as the page needs it
//! (HTML escaping). A leaf: the sheets, the page and the charts all write through it.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::aggregate::{Aggregate, GroupBy, Totals};
use rust_decimal::Decimal;

/// Money as text: two decimals, or every decimal the amount has when it has more (never
/// rounded away).
pub(crate) fn money_text(amount: Decimal) -> String {
    if amount.scale() <= 2 {
        format!("{amount:.2}")
    } else {
        amount.normalize().to_string()
    }
}

/// Escapes text for HTML (element content and attribute values). Control characters (a
/// vendor's text may hold them) are shown as U+FFFD, never passed on.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `53087` → `53,087`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount with its currency as people read it: `¥1,234.50` for CNY, `1,234.50 USD`
/// otherwise; two decimals, or every decimal the amount has when it has more.
pub(crate) fn money_label(amount: Decimal, currency: &str) -> String {
    let text = money_text(amount.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let int = int
        .parse::<u64>()
        .map_or_else(|_| int.to_owned(), thousands);
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    let number = if frac.is_empty() {
        int
    } else {
        format!("{int}.{frac}")
    };
    if currency == "CNY" {
        format!("{sign}¥{number}")
    } else {
        format!("{sign}{number} {currency}")
    }
}

/// The period a report is compared with (the month before, usually) and its figures.
/// Build it with [`PreviousPeriod::from_meetings`] (the same selection as
/// [`super::Report::build`]) or [`PreviousPeriod::from_totals`] (figures already
/// aggregated, e.g. from an archive's summary rows); give it to the report with
/// [`super::ReportOptions::previous`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PreviousPeriod {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (inclusive).
    pub to: NaiveDate,
    /// Meetings held.
    pub meetings: u64,
    /// Measured minutes.
    pub minutes: u64,
    /// The vendor's billed minutes.
    pub billed_minutes: u64,
    /// Attendees.
    pub attendees: u64,
    /// Phone calls.
    pub phone_calls: u64,
    /// Phone minutes.
    pub phone_minutes: u64,
    /// Phone cost per currency.
    pub phone_cost: BTreeMap<String, Decimal>,
}

impl PreviousPeriod {
    /// The period before `from..=to`: the previous calendar month when the span is one
    /// whole month, else as many days ending the day before `from`. `None` when it would
    /// fall before the calendar's start.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use meeting_report::report::PreviousPeriod;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// assert_eq!(PreviousPeriod::span_before(d(2024, 3, 1), d(2024, 3, 31)), Some((d(2024, 2, 1), d(2024, 2, 29))));
    /// assert_eq!(PreviousPeriod::span_before(d(2024, 3, 5), d(2024, 3, 11)), Some((d(2024, 2, 27), d(2024, 3, 4))));
    /// ```
    pub fn span_before(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        if is_whole_month(from, to) {
            let start = from.checked_sub_months(Months::new(1))?;
            return Some((start, from.pred_opt()?));
        }
        let days = to.signed_duration_since(from).num_days().max(0);
        let end = from.pred_opt()?;
        Some((end.checked_sub_signed(chrono::Duration::days(days))?, end))
    }

    /// The figures of `from..=to` over `meetings`: those whose start (else scheduled start)
    /// falls on a day of the span in `zone`, report stubs left out, as in the report.
    pub fn from_meetings(meetings: &[Meeting], from: NaiveDate, to: NaiveDate, zone: Tz) -> Self {
        let kept = super::select(meetings, from, to, zone).kept;
        let agg = Aggregate::compute(&kept, GroupBy::Room, zone);
        Self::from_totals(from, to, &agg.total)
    }

    /// The figures of `from..=to` from totals already computed.
    pub fn from_totals(from: NaiveDate, to: NaiveDate, t: &Totals) -> Self {
        PreviousPeriod {
            from,
            to,
            meetings: t.meetings,
            minutes: t.minutes,
            billed_minutes: t.billed_minutes,
            attendees: t.attendees,
            phone_calls: t.phone_calls,
            phone_minutes: t.phone_minutes,
            phone_cost: t.cost().clone(),
        }
    }

    /// `2023-12` for a whole month, else `2023-12-05 .. 2023-12-11`.
    pub fn label(&self) -> String {
        if is_whole_month(self.from, self.to) {
            self.from.format("%Y-%m").to_string()
        } else {
            format!("{} .. {}", self.from, self.to)
        }
    }

    /// The phone cost in `currency` (zero when none).
    pub fn cost_in(&self, currency: &str) -> Decimal {
        self.phone_cost.get(currency).copied().unwrap_or_default()
    }
}

fn is_whole_month(from: NaiveDate, to: NaiveDate) -> bool {
    from.day() == 1
        && from.year() == to.year()
        && from.month() == to.month()
        && to.succ_opt().is_none_or(|next| next.day() == 1)
}

/// The change from `before` to `now`: `+1,234 (+5.2 %)`, `-3 (-50.0 %)`, `+7 (new)`,
/// `no change`.
pub(crate) fn change_count(now: u64, before: u64) -> String {
    if now == before {
        return String::from("no change");
    }
    let (sign, diff) = if now > before {
        ('+', now - before)
    } else {
        ('-', before - now)
    };
    format!(
        "{sign}{} ({})",
        thousands(diff),
        percent(sign, diff, before)
    )
}

/// The change of an amount: `+¥12.30 (+5.2 %)`.
pub(crate) fn change_money(now: Decimal, before: Decimal, currency: &str) -> String {
    if now == before {
        return String::from("no change");
    }
    let diff = now - before;
    let sign = if diff.is_sign_negative() { '-' } else { '+' };
    let pct = if before.is_zero() {
        String::from("new")
    } else {
        let p = (diff.abs() / before.abs() * Decimal::from(100)).round_dp(1);
        format!("{sign}{p:.1} %")
    };
    format!("{sign}{} ({pct})", money_label(diff.abs(), currency))
}

fn percent(sign: char, diff: u64, before: u64) -> String {
    if before == 0 {
        return String::from("new");
    }
    let p = (Decimal::from(diff) / Decimal::from(before) * Decimal::from(100)).round_dp(1);
    format!("{sign}{p:.1} %")
}

/// Whether the personal data of a report is masked (the default of `meeting report`) or
/// shown as the vendors gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersonalData {
    /// Participant names and user ids as pseudonyms, IP addresses omitted, phone numbers
    /// as country code and last four digits.
    Masked,
    /// As the vendors gave it.
    Included,
}

impl PersonalData {
    /// The sentence the report shows (the page's header, the Summary sheet).
    pub fn statement(self) -> &'static str {
        match self {
            PersonalData::Masked => {
                "masked — participant names and user ids as pseudonyms, IP addresses omitted, phone numbers as country code and last four digits"
            }
            PersonalData::Included => {
                "INCLUDED — names, user ids, IP addresses and phone numbers as the vendors gave them (personal data under PIPL: share with care)"
            }
        }
    }
}

/// What the page and the Summary say when no coverage was given.
pub(crate) const COVERAGE_NOT_STATED: &str = "coverage not stated";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_people_read_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(53_087), "53,087");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(
            money_label(Decimal::new(1_234_567, 1), "CNY"),
            "¥123,456.70"
        );
        assert_eq!(money_label(Decimal::new(-5, 1), "CNY"), "-¥0.50");
        assert_eq!(
            money_label(Decimal::new(1_000_125, 3), "USD"),
            "1,000.125 USD"
        );
        assert_eq!(money_label(Decimal::ZERO, "CNY"), "¥0.00");
    }

    #[test]
    fn changes() {
        assert_eq!(change_count(110, 100), "+10 (+10.0 %)");
        assert_eq!(change_count(50, 100), "-50 (-50.0 %)");
        assert_eq!(change_count(7, 0), "+7 (new)");
        assert_eq!(change_count(3, 3), "no change");
        assert_eq!(change_count(2_000, 1_000), "+1,000 (+100.0 %)");
        assert_eq!(
            change_money(Decimal::new(1230, 2), Decimal::new(1000, 2), "CNY"),
            "+¥2.30 (+23.0 %)"
        );
        assert_eq!(
            change_money(Decimal::ZERO, Decimal::new(1000, 2), "CNY"),
            "-¥10.00 (-100.0 %)"
        );
    }

    #[test]
    fn spans_before() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(
            PreviousPeriod::span_before(d(2024, 1, 1), d(2024, 1, 31)),
            Some((d(2023, 12, 1), d(2023, 12, 31)))
        );
        assert_eq!(
            PreviousPeriod::span_before(d(2024, 3, 1), d(2024, 3, 31)),
            Some((d(2024, 2, 1), d(2024, 2, 29)))
        );
        // Not a whole month: as many days before.
        assert_eq!(
            PreviousPeriod::span_before(d(2024, 1, 1), d(2024, 1, 30)),
            Some((d(2023, 12, 2), d(2023, 12, 31)))
        );
        assert_eq!(
            PreviousPeriod::span_before(d(2024, 1, 10), d(2024, 1, 10)),
            Some((d(2024, 1, 9), d(2024, 1, 9)))
        );
    }
}
