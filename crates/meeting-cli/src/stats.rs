//! `meeting stats`: usage per room, host or day.
//!
//! Meetings are merged by key first (a meeting seen by several endpoints counts once).
//! `minutes` is the measured length (end − start) summed in seconds, then rounded to the
//! nearest minute; `phone minutes` is the vendor's billed minutes of the calls; the phone
//! cost is an exact decimal sum per currency.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use meeting_core::Meeting;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::cli::GroupBy;
use crate::output::{Grid, cost_label, host_label, participants, room_label};

/// One group's totals.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Totals {
    pub(crate) group: String,
    pub(crate) meetings: u64,
    pub(crate) minutes: u64,
    pub(crate) duration_seconds: u64,
    pub(crate) participants: u64,
    pub(crate) phone_calls: u64,
    pub(crate) phone_minutes: u64,
    pub(crate) phone_cost: Vec<meeting_core::Money>,
    #[serde(skip)]
    cost: BTreeMap<String, Decimal>,
}

impl Totals {
    fn add(&mut self, m: &Meeting) {
        self.meetings += 1;
        self.duration_seconds += m.duration_seconds.unwrap_or(0);
        self.participants += participants(m);
        self.phone_calls += m.phone_calls.len() as u64;
        self.phone_minutes += m
            .phone_calls
            .iter()
            .filter_map(|c| c.billed_minutes)
            .sum::<u64>();
        for (cur, amount) in m.phone_cost() {
            let sum = self.cost.entry(cur).or_default();
            *sum = sum.saturating_add(amount);
        }
    }

    fn finish(&mut self) {
        self.minutes = (self.duration_seconds + 30) / 60;
        self.phone_cost = self
            .cost
            .iter()
            .map(|(cur, amount)| meeting_core::Money {
                amount: *amount,
                currency: cur.clone(),
            })
            .collect();
    }
}

/// The group of a meeting.
fn group_of(m: &Meeting, by: GroupBy, tz: Tz) -> String {
    let label = match by {
        GroupBy::Room => room_label(m),
        GroupBy::Host => host_label(m),
        GroupBy::Day => m
            .start
            .or(m.scheduled_start)
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    };
    if label.is_empty() {
        String::from("(unknown)")
    } else {
        label
    }
}

/// Groups and totals; the second value is the grand total.
pub(crate) fn compute(meetings: &[Meeting], by: GroupBy, tz: Tz) -> (Vec<Totals>, Totals) {
    let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
    let mut total = Totals {
        group: String::from("TOTAL"),
        ..Totals::default()
    };
    for m in meetings {
        let g = group_of(m, by, tz);
        groups
            .entry(g.clone())
            .or_insert_with(|| Totals {
                group: g,
                ..Totals::default()
            })
            .add(m);
        total.add(m);
    }
    let mut list: Vec<Totals> = groups.into_values().collect();
    list.iter_mut().for_each(Totals::finish);
    total.finish();
    (list, total)
}

/// The grid for table and CSV (the table adds the total row).
pub(crate) fn grid(by: GroupBy, tz: Tz, list: &[Totals], total: Option<&Totals>) -> Grid {
    let first = match by {
        GroupBy::Room => String::from("room"),
        GroupBy::Host => String::from("host"),
        GroupBy::Day => format!("day ({})", tz.name()),
    };
    let headers = vec![
        first,
        "meetings".to_owned(),
        "minutes".to_owned(),
        "participants".to_owned(),
        "phone calls".to_owned(),
        "phone minutes".to_owned(),
        "phone cost".to_owned(),
    ];
    let rows = list
        .iter()
        .chain(total)
        .map(|t| {
            vec![
                t.group.clone(),
                t.meetings.to_string(),
                t.minutes.to_string(),
                t.participants.to_string(),
                t.phone_calls.to_string(),
                t.phone_minutes.to_string(),
                cost_label(&t.cost),
            ]
        })
        .collect();
    Grid { headers, rows }
}
