//! The summary path (`meeting_core::summary`: what `stats` over files holds) gives exactly
//! the figures of `Aggregate` over the whole merged meetings: over the accounting fixtures
//! in any order, and over random Systec observations of a few meetings through several
//! endpoints (participant rows matched across reports and detail, rejoins, invitations,
//! unlisted rows, stubs, rooms known by id or by name).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use meeting_core::MeetingSummary;
use meeting_core::aggregate::Departments;
use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_core::merge::Merger;
use meeting_core::summary::SummaryMerger;
use meeting_core::{
    DumpOptions, Host, Meeting, Money, Participant, PhoneCall, ReportState, Room, Source, Status,
    Vendor, read_dump,
};
use proptest::prelude::*;

use crate::common::root;

const GROUPINGS: [GroupBy; 6] = [
    GroupBy::Room,
    GroupBy::Host,
    GroupBy::Day,
    GroupBy::Department,
    GroupBy::Month,
    GroupBy::RoomMonth,
];

/// The allocation fixture (room → department, optional `from`/`to` days), read here: the
/// file format is `meeting-report`'s, aggregation only sees [`Departments`].
#[derive(Debug)]
struct Allocation(
    Vec<(
        String,
        String,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    )>,
);

impl Departments for Allocation {
    fn department_of(&self, m: &MeetingSummary, zone: Tz) -> Option<&str> {
        let day = m
            .effective_start
            .map(|t| t.with_timezone(&zone).date_naive());
        let mut names: Vec<&str> = [&m.room_id, &m.room_name, &m.room_email]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .collect();
        for r in &m.booked_rooms {
            names.extend([&r.id, &r.name].into_iter().flatten().map(|s| s.trim()));
        }
        self.0.iter().find_map(|(room, dept, from, to)| {
            let holds = match day {
                Some(d) => from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t),
                None => from.is_none() && to.is_none(),
            };
            (holds && names.contains(&room.as_str())).then_some(dept.as_str())
        })
    }
}

fn allocation() -> Allocation {
    let path = root().join("fixtures/allocation/example.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let date = |s: &str| (!s.is_empty()).then(|| s.parse().unwrap());
    Allocation(
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0].into(), f[1].into(), date(f[3]), date(f[4]))
            })
            .collect(),
    )
}

/// Both paths over `records`, in every grouping and zone: the aggregates are equal, and so
/// are the number of meetings and what became of the stubs.
fn assert_same(records: &[Meeting], allocation: Option<&dyn Departments>) {
    let mut merger = Merger::new();
    merger.extend(records.iter().cloned());
    let whole = merger.finish_with_stubs();
    // Rows in a temporary file, or in memory: the same.
    let mut in_memory = SummaryMerger::with_rows(meeting_core::summary::RowStore::in_memory());
    records
        .iter()
        .cloned()
        .for_each(|m| in_memory.push_meeting(m));
    let in_memory = in_memory.finish_with_stubs().unwrap();
    let mut summaries = SummaryMerger::new();
    records
        .iter()
        .cloned()
        .for_each(|m| summaries.push_meeting(m));
    let compact = summaries.finish_with_stubs().unwrap();
    assert_eq!(in_memory.summaries.len(), compact.summaries.len());
    assert_eq!(compact.summaries.len(), whole.meetings.len());
    assert_eq!(compact.stubs, whole.stubs);
    assert_eq!(compact.unmatched_stubs, whole.unmatched_stubs);
    for zone in [chrono_tz::UTC, chrono_tz::Asia::Shanghai] {
        for by in GROUPINGS {
            let expected = Aggregate::compute_allocated(&whole.meetings, by, zone, allocation);
            let got = meeting_core::summary::aggregate(&compact, by, zone, allocation).unwrap();
            assert_eq!(got, expected, "{by:?} in {zone}");
            let got = meeting_core::summary::aggregate(&in_memory, by, zone, allocation).unwrap();
            assert_eq!(got, expected, "{by:?} in {zone}, rows in memory");
        }
    }
    // The filters see what they saw on the whole records.
    let keys = |filter: &meeting_core::query::Filter| -> (Vec<String>, Vec<String>) {
        let mut a: Vec<String> = whole
            .meetings
            .iter()
            .filter(|m| filter.matches(m))
            .map(|m| m.key.clone())
            .collect();
        let mut b: Vec<String> = compact
            .summaries
            .iter()
            .filter(|s| filter.matches(&s.outline()))
            .map(|s| s.key().to_owned())
            .collect();
        a.sort();
        b.sort();
        (a, b)
    };
    let zone: Tz = chrono_tz::Asia::Shanghai;
    let mut rooms: Vec<String> = Vec::new();
    for m in &whole.meetings {
        if let Some(r) = &m.room {
            rooms.extend([&r.id, &r.name, &r.email].into_iter().flatten().cloned());
        }
        if let Some(h) = &m.host {
            rooms.extend(h.name.iter().cloned());
        }
    }
    for r in rooms.iter().take(6) {
        let (a, b) = keys(&meeting_core::query::Filter::new(zone).room(r.clone()));
        assert_eq!(a, b, "--room {r}");
        let (a, b) = keys(&meeting_core::query::Filter::new(zone).host(r.clone()));
        assert_eq!(a, b, "--host {r}");
    }
    let day = "2024-02-01".parse().unwrap();
    let (a, b) = keys(&meeting_core::query::Filter::new(zone).from(day));
    assert_eq!(a, b, "--from");
}

fn fixture(name: &str) -> Vec<Meeting> {
    let bytes = std::fs::read(root().join("fixtures/accounting").join(name)).unwrap();
    read_dump(&bytes[..], DumpOptions::default())
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_accounting_fixtures_give_the_same_figures_in_any_order() {
    let alloc = allocation();
    let mut all = Vec::new();
    for name in [
        "systec-stubs-and-rooms.jsonl",
        "quanshi-bookings.jsonl",
        "month-boundary.json",
    ] {
        let records = fixture(name);
        assert!(!records.is_empty(), "{name}");
        assert_same(&records, Some(&alloc));
        let mut reversed = records.clone();
        reversed.reverse();
        assert_same(&reversed, None);
        all.extend(records);
    }
    assert_same(&all, Some(&alloc));
}

const R: Source = Source::SystecReports;
const H: Source = Source::SystecHisMeeting;
const D: Source = Source::SystecDetail;

fn t0() -> DateTime<Utc> {
    "2024-01-31T15:00:00Z".parse().unwrap()
}

fn row() -> impl Strategy<Value = Participant> {
    (
        prop::option::of(0u8..4),
        prop::option::of(prop_oneof![
            Just(String::from("张三")),
            Just(String::from(" 张三 ")),
            Just(String::from("李四")),
            Just(String::from("  ")),
            Just(String::new()),
        ]),
        prop::option::of(0i64..5),
        prop::option::of(-1i64..8),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(uid, name, join, leave, invited, nanos)| {
            let at = |q: i64| t0() + Duration::minutes(10 * q);
            let mut p = Participant::default();
            p.user_id = uid.map(|u| format!("u{u}"));
            p.name = name;
            p.join = join.map(at);
            p.leave = match (join, leave) {
                (Some(j), Some(l)) => Some(at(j + l)),
                (None, Some(l)) => Some(at(l)),
                _ => None,
            };
            if nanos {
                p.leave = p.leave.map(|l| l + Duration::milliseconds(500));
            }
            if invited {
                p.invitation = Some(meeting_core::Invitation::Accepted);
            }
            p
        })
}

/// One observation of one of three Systec meetings (two share a meeting number) through
/// one endpoint, or a stub.
fn observation() -> impl Strategy<Value = Meeting> {
    (
        (0usize..3, 0usize..4, prop::option::of(0usize..3)),
        (
            prop_oneof![
                Just(Status::Ended),
                Just(Status::Live),
                Just(Status::Unknown),
                Just(Status::Cancelled),
                Just(Status::Scheduled),
            ],
            prop::option::of(0u64..20),
            prop::option::of(0u64..400),
            prop::option::of(0i64..4),
        ),
        prop::collection::vec(row(), 0..6),
        prop::collection::vec((prop::option::of(0u64..9), prop::option::of(0u8..3)), 0..3),
        (0u8..4, 0u8..3, 0u64..1_000_000),
    )
        .prop_map(
            |((k, s, room), (status, count, billed, start), rows, calls, (host, report, at))| {
                let source = [R, H, D, R][s];
                let key = if s == 3 {
                    format!("systec:stub:{}", ["111", "111", "222"][k])
                } else {
                    format!("systec:U{k}==")
                };
                let mut m = Meeting::new(Vendor::Systec, source, key);
                m.occurrence_id = Some(format!("U{k}=="));
                m.meeting_number = Some(["111", "111", "222"][k].to_owned());
                m.status = status;
                m.participant_count = count;
                m.billed_minutes = billed;
                m.start = start.map(|q| t0() + Duration::hours(4 * q));
                m.end = m.start.map(|s| s + Duration::seconds(1_234));
                m.duration_seconds = m.start.map(|_| 1_234);
                m.room = room.map(|r| {
                    let mut room = Room::default();
                    room.id = (source == D || r == 0).then(|| format!("HX{r}"));
                    room.name = (source != D).then(|| format!("room0{r}"));
                    room
                });
                if host > 0 {
                    let mut h = Host::default();
                    h.name = Some(format!("host{host}"));
                    m.host = Some(h);
                }
                m.report = [None, None, Some(ReportState::NotFetched)][usize::from(report)];
                m.participants = rows;
                m.phone_calls = calls
                    .into_iter()
                    .map(|(minutes, cur)| {
                        let mut c = PhoneCall::default();
                        c.billed_minutes = minutes;
                        c.cost = cur.map(|i| Money {
                            amount: rust_decimal::Decimal::new(i64::from(i) * 7 + 1, 2),
                            currency: ["CNY", "USD", "CNY"][usize::from(i)].to_owned(),
                        });
                        c
                    })
                    .collect();
                // Each observation has its own time: the twin-observation tie-break (a hash
                // of the JSON text on the summary path) is never reached.
                m.observe(t0() + Duration::seconds(i64::try_from(at).unwrap_or(0)));
                m
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_observations_give_the_figures_of_the_whole_records(
        records in prop::collection::vec(observation(), 1..12),
    ) {
        let mut seen = std::collections::BTreeSet::new();
        for m in &records {
            prop_assume!(seen.insert(m.last_observed()));
        }
        assert_same(&records, Some(&allocation()));
    }
}
