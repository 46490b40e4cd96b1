//! One set of numbers over the simulator's data: for random spans, zones and groupings,
//! every output's totals equal the sum of the rows that partition them and equal
//! `meeting stats`' totals; and the export's participants reproduce `stats`' attendees.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use meeting_core::aggregate::{Aggregate, GroupBy, Totals};
use meeting_core::query::merge_sorted;
use meeting_core::{DumpOptions, Meeting};
use meeting_report::allocation::Allocation;
use meeting_report::report::{Report, ReportOptions, write_xlsx};
use meeting_report::{Format, RenderOptions, write_aggregate};
use meeting_sim::dump::{DumpEndpoint, write_dump};
use rust_decimal::Decimal;

/// A simulator quarter (2024-01-01..=2024-03-31): a dump of every endpoint, one seed (the
/// Systec ones describe the same meetings), read and merged in-process.
fn quarter() -> &'static [Meeting] {
    static QUARTER: OnceLock<Vec<Meeting>> = OnceLock::new();
    QUARTER.get_or_init(|| {
        let mut all = Vec::new();
        for e in DumpEndpoint::ALL {
            let mut bytes = Vec::new();
            write_dump(e, 400_000, 11, &mut bytes).unwrap();
            for m in meeting_core::read_dump(&bytes[..], DumpOptions::new()) {
                all.push(m.unwrap());
            }
        }
        merge_sorted(all)
    })
}

fn allocation() -> Allocation {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/allocation/example.csv"
    );
    Allocation::parse("example.csv", &std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every figure of a total, comparable (the group's label left out).
fn figures(t: &Totals) -> Vec<String> {
    let mut v: Vec<String> = [
        t.meetings,
        t.minutes,
        t.duration_seconds,
        t.billed_minutes,
        t.attendees,
        t.attendee_minutes,
        t.attendee_seconds(),
        t.invitees,
        t.phone_calls,
        t.phone_minutes,
        t.scheduled,
        t.cancelled,
        t.unknown,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    v.extend(t.cost().iter().map(|(c, a)| format!("{a} {c}")));
    v
}

/// The figures of the rows, summed.
fn sum(rows: &[&Totals]) -> Vec<String> {
    let mut s = Totals::new("sum");
    let mut cost: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut attendee_seconds = 0;
    for t in rows {
        s.meetings += t.meetings;
        s.minutes += t.minutes;
        s.duration_seconds += t.duration_seconds;
        s.billed_minutes += t.billed_minutes;
        s.attendees += t.attendees;
        s.attendee_minutes += t.attendee_minutes;
        attendee_seconds += t.attendee_seconds();
        s.invitees += t.invitees;
        s.phone_calls += t.phone_calls;
        s.phone_minutes += t.phone_minutes;
        s.scheduled += t.scheduled;
        s.cancelled += t.cancelled;
        s.unknown += t.unknown;
        for (c, a) in t.cost() {
            *cost.entry(c.clone()).or_default() += *a;
        }
    }
    let mut v = figures(&s);
    v[6] = attendee_seconds.to_string();
    v.extend(
        cost.iter()
            .filter(|(_, a)| !a.is_zero())
            .map(|(c, a)| format!("{a} {c}")),
    );
    v
}

fn without_zero_cost(mut v: Vec<String>) -> Vec<String> {
    v.retain(|s| !s.starts_with("0 ") && !s.starts_with("0.00 "));
    v
}

fn assert_adds_up(what: &str, groups: &[&Totals], total: &Totals) {
    assert_eq!(
        without_zero_cost(sum(groups)),
        without_zero_cost(figures(total)),
        "{what}: the rows do not add up to the total"
    );
}

/// Whether a cell is this text.
fn is(c: &Data, text: &str) -> bool {
    matches!(c, Data::String(s) if s == text)
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        _ => 0.0,
    }
}

/// Checks a grouped sheet of the workbook: its TOTAL row is the sum of its rows in every
/// figure column when the rows partition, and equals `total` in Meetings and Minutes.
fn assert_sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str, partitions: bool, total: &Totals) {
    let range = wb.worksheet_range(name).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header = rows[0];
    let at = |title: &str| header.iter().position(|c| is(c, title)).unwrap();
    let total_row = rows
        .iter()
        .position(|r| r[0].to_string().starts_with("TOTAL"))
        .unwrap();
    let tr = rows[total_row];
    assert_eq!(num(&tr[at("Meetings")]), total.meetings as f64, "{name}");
    assert_eq!(num(&tr[at("Minutes")]), total.minutes as f64, "{name}");
    assert_eq!(num(&tr[at("Attendees")]), total.attendees as f64, "{name}");
    assert_eq!(
        num(&tr[at("Phone calls")]),
        total.phone_calls as f64,
        "{name}"
    );
    let cost = rust_decimal::prelude::ToPrimitive::to_f64(
        &total.cost().get("CNY").copied().unwrap_or_default(),
    )
    .unwrap();
    assert!(
        (num(&tr[at("Phone cost (CNY)")]) - cost).abs() < 0.005,
        "{name}"
    );
    if partitions {
        for title in [
            "Meetings",
            "Minutes",
            "Attendees",
            "Phone calls",
            "Phone cost (CNY)",
        ] {
            let c = at(title);
            let s: f64 = rows[1..total_row].iter().map(|r| num(&r[c])).sum();
            assert!((s - num(&tr[c])).abs() < 0.005, "{name} {title}: {s}");
        }
    } else {
        assert_eq!(tr[0].to_string(), "TOTAL (distinct)");
        let note = rows[total_row + 1..]
            .iter()
            .flat_map(|r| r.iter())
            .any(|c| is(c, meeting_report::report::DISTINCT_TOTAL_NOTE));
        assert!(note, "{name}: the note beneath the table");
    }
}

/// Checks the page's tables: each grouped table's footer is `total`, and the sum of its
/// body when the rows partition (`rooms` says which).
fn assert_page(page: &str, rooms_partition: bool, total: &Totals) {
    let html = scraper::Html::parse_document(page);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let int = |s: String| -> u64 { s.replace(',', "").trim().parse().unwrap_or(0) };
    for sheet in ["rooms", "hosts", "departments", "days"] {
        let table = html
            .select(&sel(&format!("table[data-sheet=\"{sheet}\"]")))
            .next()
            .unwrap();
        let headers: Vec<String> = table
            .select(&sel("thead th"))
            .map(|h| h.text().collect())
            .collect();
        let foot: Vec<String> = table
            .select(&sel("tfoot td"))
            .map(|h| h.text().collect())
            .collect();
        for (title, want) in [
            ("Meetings", total.meetings),
            ("Minutes", total.minutes),
            ("Attendees", total.attendees),
            ("Phone calls", total.phone_calls),
        ] {
            let c = headers.iter().position(|h| h == title).unwrap();
            assert_eq!(int(foot[c].clone()), want, "page {sheet} {title}");
            if sheet != "rooms" || rooms_partition {
                let body: u64 = table
                    .select(&sel("tbody tr"))
                    .map(|r| int(r.select(&sel("td")).nth(c).unwrap().text().collect()))
                    .sum();
                assert_eq!(body, want, "page {sheet} {title}: rows");
            }
        }
    }
    if !rooms_partition {
        assert!(page.contains(meeting_report::report::DISTINCT_TOTAL_NOTE));
    }
}

const ZONES: [Tz; 4] = [
    chrono_tz::UTC,
    chrono_tz::Asia::Shanghai,
    chrono_tz::America::New_York,
    chrono_tz::Asia::Kolkata,
];

const GROUPINGS: [GroupBy; 6] = [
    GroupBy::Room,
    GroupBy::Host,
    GroupBy::Day,
    GroupBy::Department,
    GroupBy::Month,
    GroupBy::RoomMonth,
];

fn check(from_day: u32, days: u32, zone: Tz, by: GroupBy) {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let from = first + Duration::days(i64::from(from_day));
    let to = from + Duration::days(i64::from(days));
    let alloc = allocation();
    let options = ReportOptions::new(from, to, zone, "2024-04-01T00:00:00Z".parse().unwrap());
    let report = Report::build(quarter(), Some(&alloc), &options, None);
    let kept = &report.meetings;
    // `meeting stats` over the span: its total is the one every output shows.
    let stats = Aggregate::compute_allocated(kept, by, zone, Some(&alloc));
    let want = stats.total.clone();
    for g in GROUPINGS {
        let agg = Aggregate::compute_allocated(kept, g, zone, Some(&alloc));
        assert_eq!(figures(&agg.total), figures(&want), "{g:?}");
        let groups: Vec<&Totals> = agg.groups.iter().collect();
        if agg.total_is_sum {
            assert_adds_up(g.name(), &groups, &agg.total);
        } else {
            assert!(matches!(g, GroupBy::Room | GroupBy::RoomMonth), "{g:?}");
        }
    }
    // `stats -o json`: the groups and the total as written.
    let mut json = Vec::new();
    write_aggregate(&mut json, &stats, &RenderOptions::new(Format::Json, zone)).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let total_kind = doc["total_kind"].as_str().unwrap();
    assert_eq!(total_kind == "sum_of_groups", stats.total_is_sum);
    for field in [
        "meetings",
        "minutes",
        "duration_seconds",
        "attendees",
        "attendee_minutes",
        "phone_calls",
        "phone_minutes",
    ] {
        let total = doc["total"][field].as_u64().unwrap();
        let rows: u64 = doc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g[field].as_u64().unwrap())
            .sum();
        if stats.total_is_sum {
            assert_eq!(rows, total, "stats json {field}");
        }
        assert_eq!(doc["total"][field], serde_json::json!(total));
    }
    assert_eq!(doc["total"]["minutes"].as_u64(), Some(want.minutes));
    // The report: the days, hosts and departments partition its total; rooms say which.
    assert_eq!(figures(report.total()), figures(&want));
    let days: Vec<&Totals> = report.days.iter().collect();
    assert_adds_up("days", &days, report.total());
    let hosts: Vec<&Totals> = report.hosts.groups.iter().collect();
    assert_adds_up("hosts", &hosts, report.total());
    let depts: Vec<&Totals> = report.departments.iter().map(|d| &d.totals).collect();
    assert_adds_up("departments", &depts, report.total());
    let rooms: Vec<&Totals> = report.rooms.groups.iter().collect();
    if report.rooms.total_is_sum {
        assert_adds_up("rooms", &rooms, report.total());
    }
    // The workbook, read back.
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(write_xlsx(&report).unwrap())).unwrap();
    assert_sheet(&mut wb, "Days", true, &want);
    assert_sheet(&mut wb, "Hosts", true, &want);
    assert_sheet(&mut wb, "Departments", true, &want);
    assert_sheet(&mut wb, "Rooms", report.rooms.total_is_sum, &want);
    // The page.
    let page = meeting_report::report::write_html(&report).unwrap();
    assert_page(&page, report.rooms.total_is_sum, &want);
    // The Meetings sheet: one row per meeting, its minutes add up to the total's.
    let range = wb.worksheet_range("Meetings").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let minutes = rows[0].iter().position(|c| is(c, "Minutes")).unwrap();
    let status = rows[0].iter().position(|c| is(c, "Status")).unwrap();
    let key = rows[0].iter().position(|c| is(c, "Meeting key")).unwrap();
    let counted: std::collections::BTreeSet<&str> = counted_keys(kept);
    let sheet_minutes: f64 = rows[1..]
        .iter()
        .filter(|r| matches!(r[status].to_string().as_str(), "live" | "ended"))
        .filter(|r| counted.contains(r[key].to_string().as_str()))
        .map(|r| num(&r[minutes]))
        .sum();
    assert_eq!(sheet_minutes, want.minutes as f64);
}

/// The keys of the meetings `stats` counts as themselves: every one but a Quanshi
/// reservation whose event has an occurrence among `meetings` (counted through it).
fn counted_keys(meetings: &[Meeting]) -> std::collections::BTreeSet<&str> {
    let occurring: std::collections::BTreeSet<&str> = meetings
        .iter()
        .filter(|m| m.key.starts_with("quanshi:temp:"))
        .filter_map(|m| m.event_id.as_deref())
        .collect();
    meetings
        .iter()
        .filter(|m| {
            !(m.key.starts_with("quanshi:conference:")
                && m.event_id.as_deref().is_some_and(|e| occurring.contains(e)))
        })
        .map(|m| m.key.as_str())
        .collect()
}

#[test]
fn the_whole_quarter_adds_up_in_shanghai() {
    assert!(quarter().len() > 200, "{} meetings", quarter().len());
    check(0, 90, chrono_tz::Asia::Shanghai, GroupBy::Day);
    // The quarter has meetings in several rooms: the distinct total is exercised.
    let rooms = Aggregate::compute(quarter(), GroupBy::Room, chrono_tz::Asia::Shanghai);
    assert!(!rooms.total_is_sum);
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 6, ..proptest::test_runner::Config::default() })]
    /// Whatever the span, zone and grouping, every output's totals are the sum of their
    /// partitioning rows and equal `stats`' total.
    #[test]
    fn every_total_is_the_sum_of_its_rows(from_day in 0u32..85, days in 0u32..60, zone in 0usize..4, by in 0usize..6) {
        check(from_day, days, ZONES[zone], GROUPINGS[by]);
    }
}

/// The export's participants reproduce `stats`' attendees: `count(distinct (key,
/// person_key))` over the attendance rows plus the meetings' `unlisted_attendees`, over the
/// meetings `stats` counts; read back from Parquet with the `parquet` crate.
#[cfg(feature = "parquet")]
#[test]
fn parquet_participants_reproduce_stats_attendees() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Array, RecordBatch};
    use meeting_report::export::{ExportFormat, ExportOptions, export};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::collections::BTreeSet;

    fn read(dir: &std::path::Path, table: &str) -> Vec<RecordBatch> {
        let mut out = Vec::new();
        let mut stack = vec![dir.join(table)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "parquet") {
                    let r =
                        ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&p).unwrap())
                            .unwrap()
                            .build()
                            .unwrap();
                    out.extend(r.map(Result::unwrap));
                }
            }
        }
        out
    }

    let zone = chrono_tz::Asia::Shanghai;
    let meetings: Vec<Meeting> = quarter()
        .iter()
        .filter(|m| !meeting_core::query::is_report_stub(m))
        .cloned()
        .collect();
    let stats = Aggregate::compute(&meetings, GroupBy::Day, zone).total;
    let dir = std::env::temp_dir().join(format!("meeting-numbers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("lake");
    export(
        &out,
        meetings.clone(),
        &ExportOptions::new(ExportFormat::Parquet, zone),
    )
    .unwrap();

    // The meetings `stats` counts: held, not a reservation counted through its occurrence.
    let counted: BTreeSet<String> = counted_keys(&meetings)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut held: BTreeSet<String> = BTreeSet::new();
    let mut unlisted = 0i64;
    let mut minutes = 0i64;
    for b in read(&out, "meetings") {
        let key = b.column_by_name("key").unwrap().as_string::<i32>();
        let status = b.column_by_name("status").unwrap().as_string::<i32>();
        let u = b
            .column_by_name("unlisted_attendees")
            .unwrap()
            .as_primitive::<Int64Type>();
        let mins = b
            .column_by_name("minutes")
            .unwrap()
            .as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            let k = key.value(i);
            if matches!(status.value(i), "live" | "ended") && counted.contains(k) {
                held.insert(k.to_owned());
                unlisted += u.value(i);
                if !mins.is_null(i) {
                    minutes += mins.value(i);
                }
            }
        }
    }
    let mut persons: BTreeSet<(String, String)> = BTreeSet::new();
    let mut rows = 0u64;
    let mut invitations = 0u64;
    for b in read(&out, "participants") {
        let key = b.column_by_name("key").unwrap().as_string::<i32>();
        let person = b.column_by_name("person_key").unwrap().as_string::<i32>();
        let invitation = b.column_by_name("is_invitation").unwrap().as_boolean();
        for i in 0..b.num_rows() {
            rows += 1;
            if invitation.value(i) {
                invitations += 1;
                assert!(person.is_null(i));
                continue;
            }
            if held.contains(key.value(i)) && !person.is_null(i) {
                persons.insert((key.value(i).to_owned(), person.value(i).to_owned()));
            }
        }
    }
    assert!(
        rows > persons.len() as u64,
        "rejoins make more rows than persons"
    );
    assert!(
        invitations > 0,
        "the Quanshi reservations' invitations are marked"
    );
    assert_eq!(
        persons.len() as u64 + u64::try_from(unlisted).unwrap(),
        stats.attendees
    );
    assert_eq!(u64::try_from(minutes).unwrap(), stats.minutes);
    std::fs::remove_dir_all(&dir).unwrap();
}
