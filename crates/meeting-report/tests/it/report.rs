//! The finance report over a small fixture month (`fixtures/report/month.jsonl`: simulator
//! meetings of January 2024 with Chinese names, phone calls, markup and a formula in topics,
//! two Quanshi records and one February meeting), read back: the workbook with calamine,
//! the page with scraper, the CSV set as text.

use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use meeting_core::aggregate::{Aggregate, GroupBy, Totals};
use meeting_core::query::merge_sorted;
use meeting_core::{DumpOptions, Meeting};
use meeting_report::allocation::Allocation;
use meeting_report::mask::Masker;
use meeting_report::report::{CSV_FILES, Report, ReportOptions, csv_files, write_html, write_xlsx};
use meeting_sync::inputs::{Input, read_input};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use scraper::{Html, Selector};

const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")).join(rel)
}

fn month() -> Vec<Meeting> {
    let r = read_input(
        &Input::File(fixture("report/month.jsonl")),
        &DumpOptions::new(),
    );
    assert_eq!(r.bad, 0, "{:?}", r.errors);
    merge_sorted(r.meetings)
}

fn allocation() -> Allocation {
    let path = fixture("allocation/example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    Allocation::parse("example.toml", &text).unwrap()
}

fn options() -> ReportOptions {
    ReportOptions::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
        SH,
        "2024-02-01T01:02:03Z".parse().unwrap(),
    )
}

/// The January meetings the report should hold (no stubs, start in January in Shanghai).
fn january(meetings: &[Meeting]) -> Vec<Meeting> {
    let o = options();
    meetings
        .iter()
        .filter(|m| {
            meeting_core::query::sort_time(m)
                .map(|t| t.with_timezone(&SH).date_naive())
                .is_some_and(|d| d >= o.from && d <= o.to)
        })
        .cloned()
        .collect()
}

fn cny(t: &Totals) -> Decimal {
    t.cost().get("CNY").copied().unwrap_or_default()
}

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// The column index of a header in the first row.
fn col(range: &calamine::Range<Data>, header: &str) -> usize {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| c == &Data::String(header.to_owned()))
        .unwrap_or_else(|| panic!("no column {header}"))
}

fn assert_total_row(range: &calamine::Range<Data>, t: &Totals) {
    let last = range.rows().next_back().unwrap();
    assert_eq!(last[0], Data::String("TOTAL".into()));
    for (header, want) in [
        ("Meetings", t.meetings as f64),
        ("Minutes", t.minutes as f64),
        ("Billed minutes", t.billed_minutes as f64),
        ("Attendees", t.attendees as f64),
        ("Scheduled", t.scheduled as f64),
        ("Cancelled", t.cancelled as f64),
        ("Phone calls", t.phone_calls as f64),
        ("Phone minutes", t.phone_minutes as f64),
    ] {
        assert_eq!(num(&last[col(range, header)]), want, "{header}");
    }
    let cost = num(&last[col(range, "Phone cost (CNY)")]);
    assert_eq!(cost, cny(t).to_f64().unwrap(), "cost");
    // To the cent: the exact sum's text is the number's.
    assert_eq!(format!("{cost:.2}"), format!("{:.2}", cny(t)));
}

#[test]
fn workbook_reads_back_typed_and_equal_to_the_aggregates() {
    let meetings = month();
    let alloc = allocation();
    let report = Report::build(&meetings, Some(&alloc), &options(), None);
    let jan = january(&meetings);
    let want = Aggregate::compute(&jan, GroupBy::Room, SH);
    assert_eq!(report.total(), &want.total);
    assert_eq!(
        report.outside, 2,
        "the February meeting and booking are left out"
    );
    assert!(want.total.meetings >= 7 && want.total.phone_calls >= 10);

    let mut wb = workbook(write_xlsx(&report).unwrap());
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Rooms",
            "Hosts",
            "Departments",
            "Days",
            "Meetings",
            "Participants",
            "Calls"
        ]
    );
    // Every grouped sheet ends with the grand total; rows add up to it, except rooms: a
    // meeting in several rooms counts in each (none in this fixture month, so they do).
    for name in ["Rooms", "Hosts", "Departments", "Days"] {
        let range = wb.worksheet_range(name).unwrap();
        assert_total_row(&range, &want.total);
        let c = col(&range, "Meetings");
        let rows: Vec<_> = range.rows().skip(1).collect();
        let sum: f64 = rows[..rows.len() - 1].iter().map(|r| num(&r[c])).sum();
        assert_eq!(sum, want.total.meetings as f64, "{name}");
        // Totals of rows that partition the meetings are formulas (their results stored,
        // read back above); Rooms too here, as no meeting is in two rooms (a sheet where
        // one is writes the distinct total as a value: `tests/it/numbers.rs`).
        let formulas = wb.worksheet_formula(name).unwrap();
        assert!(
            formulas.rows().flatten().any(|f| f.starts_with("SUM(")),
            "{name}: SUM formulas"
        );
    }
    // Per room: equal to meeting-core's aggregate, room by room.
    let rooms = wb.worksheet_range("Rooms").unwrap();
    for g in &want.groups {
        let row = rooms
            .rows()
            .find(|r| r[0] == Data::String(g.group.clone()))
            .unwrap_or_else(|| panic!("no row for {}", g.group));
        assert_eq!(num(&row[col(&rooms, "Minutes")]), g.minutes as f64);
        assert_eq!(
            num(&row[col(&rooms, "Phone cost (CNY)")]),
            cny(g).to_f64().unwrap()
        );
    }
    // Departments: equal to the allocated aggregate.
    let depts = Aggregate::compute_allocated(&jan, GroupBy::Department, SH, Some(&alloc));
    let sheet = wb.worksheet_range("Departments").unwrap();
    for g in &depts.groups {
        let row = sheet
            .rows()
            .find(|r| r[0] == Data::String(g.group.clone()))
            .unwrap_or_else(|| panic!("no department {}", g.group));
        assert_eq!(num(&row[col(&sheet, "Meetings")]), g.meetings as f64);
    }
    assert!(depts.groups.iter().any(|g| g.group == "财务部"));

    // Types: money numeric, phone numbers and ids text, times dates.
    let calls = wb.worksheet_range("Calls").unwrap();
    let (number, cost, start) = (
        col(&calls, "Number"),
        col(&calls, "Cost"),
        col(&calls, "Start"),
    );
    assert_eq!(calls.rows().count() as u64 - 1, want.total.phone_calls);
    for row in calls.rows().skip(1) {
        match &row[number] {
            Data::String(s) => assert!(s.starts_with('+'), "{s}"),
            other => panic!("phone number not text: {other:?}"),
        }
        assert!(matches!(row[cost], Data::Float(_)), "{:?}", row[cost]);
        assert!(matches!(row[start], Data::DateTime(_)), "{:?}", row[start]);
    }
    let m = wb.worksheet_range("Meetings").unwrap();
    let (num_col, key_col) = (col(&m, "Meeting number"), col(&m, "Meeting key"));
    for row in m.rows().skip(1) {
        assert!(matches!(row[key_col], Data::String(_)));
        assert!(matches!(row[num_col], Data::String(_) | Data::Empty));
    }
    let summary = wb.worksheet_range("Summary").unwrap();
    let value = |item: &str| {
        summary
            .rows()
            .find(|r| r[0] == Data::String(item.into()))
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no summary item {item}"))
    };
    assert_eq!(value("Zone"), Data::String("Asia/Shanghai".into()));
    assert!(matches!(value("From"), Data::DateTime(_)));
    assert!(matches!(value("Generated"), Data::DateTime(_)));
    assert_eq!(num(&value("Meetings")), want.total.meetings as f64);
    assert_eq!(
        num(&value("Phone cost (CNY)")),
        cny(&want.total).to_f64().unwrap()
    );
    // The first of January is day 45292 in Excel.
    if let Data::DateTime(d) = value("From") {
        assert_eq!(d.as_f64(), 45292.0);
    }
}

#[test]
fn page_is_self_contained_escaped_and_has_the_totals_and_charts() {
    let mut meetings = month();
    // A host name with markup: shown as text, never as an element.
    let q = meetings
        .iter_mut()
        .find(|m| m.key == "quanshi:temp:45533314")
        .unwrap();
    q.host.as_mut().unwrap().name = Some("<img src=x onerror=alert(1)>王五".into());
    let report = Report::build(&meetings, Some(&allocation()), &options(), None);
    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    let sel = |s: &str| Selector::parse(s).unwrap();

    // Inert and self-contained.
    assert_eq!(doc.select(&sel("script")).count(), 0);
    assert_eq!(
        doc.select(&sel("img, link, iframe, object, embed")).count(),
        0
    );
    let external: Vec<String> = doc
        .select(&sel("[src], [href], [xlink\\:href]"))
        .map(|el| el.html())
        .collect();
    assert!(external.is_empty(), "external references: {external:?}");
    let csp = doc
        .select(&sel("meta[http-equiv=\"Content-Security-Policy\"]"))
        .next()
        .unwrap();
    let policy = csp.value().attr("content").unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(!page.contains("url("), "no CSS url()");
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;王五"));

    // The totals, equal to meeting-core's.
    let t = Aggregate::compute(&january(&meetings), GroupBy::Room, SH).total;
    let kpi = |id: &str| {
        doc.select(&sel(&format!("[data-total=\"{id}\"] .value")))
            .next()
            .unwrap()
            .text()
            .collect::<String>()
    };
    // As people read them: thousands separators, the currency (report_v2.rs checks them).
    let plain = |s: String| s.replace([',', '¥'], "");
    assert_eq!(plain(kpi("meetings")), t.meetings.to_string());
    assert_eq!(plain(kpi("minutes")), t.minutes.to_string());
    assert_eq!(plain(kpi("phone_calls")), t.phone_calls.to_string());
    assert_eq!(kpi("phone_cost_cny"), format!("¥{:.2}", cny(&t)));
    let rooms_total: Vec<String> = doc
        .select(&sel("table[data-sheet=\"rooms\"] tfoot td"))
        .map(|td| td.text().collect())
        .collect();
    assert_eq!(rooms_total[0], "TOTAL");
    assert!(rooms_total.contains(&format!("¥{:.2}", cny(&t))));

    // The charts: inline SVG, with their series.
    let figures: Vec<_> = doc.select(&sel("figure")).collect();
    assert!(figures.len() >= 3);
    for f in &figures {
        assert_eq!(f.select(&sel("svg")).count(), 1, "{:?}", f.value().id());
    }
    let chart = |id: &str| {
        doc.select(&sel(&format!("figure#chart-{id}")))
            .next()
            .unwrap_or_else(|| panic!("no chart {id}"))
    };
    let texts = |id: &str| -> Vec<String> {
        chart(id)
            .select(&sel("svg text"))
            .map(|t| t.text().collect::<String>().trim().to_owned())
            .collect()
    };
    // Minutes per day: a bar per room and day, a legend entry per room.
    let rooms: Vec<String> = Aggregate::compute(&january(&meetings), GroupBy::Room, SH)
        .groups
        .into_iter()
        .map(|g| g.group)
        .collect();
    let day_texts = texts("minutes-per-day");
    for room in &rooms {
        assert!(day_texts.contains(room), "legend lacks {room}");
    }
    assert_eq!(
        chart("minutes-per-day")
            .value()
            .attr("data-series")
            .unwrap(),
        rooms_by_minutes(&meetings).join("|")
    );
    assert!(chart("minutes-per-day").select(&sel("svg rect")).count() > rooms.len());
    // Cost per room: one label per room; per department with the allocation.
    let cost_texts = texts("cost-per-room");
    for room in &rooms {
        assert!(cost_texts.contains(room), "cost chart lacks {room}");
    }
    assert!(texts("cost-per-department").contains(&"财务部".to_owned()));
    // Heat map: 7 × 24 cells and the weekdays.
    let heat = chart("weekday-hour");
    assert!(heat.select(&sel("svg rect")).count() >= 7 * 24);
    assert!(texts("weekday-hour").contains(&"Mon".to_owned()));
}

fn rooms_by_minutes(meetings: &[Meeting]) -> Vec<String> {
    let mut groups = Aggregate::compute(&january(meetings), GroupBy::Room, SH).groups;
    groups.sort_by(|a, b| {
        b.duration_seconds
            .cmp(&a.duration_seconds)
            .then_with(|| a.group.cmp(&b.group))
    });
    groups.into_iter().map(|g| g.group).collect()
}

/// Chart labels are placed by their measured width: a label column as wide as the widest
/// Chinese label (two columns a character), not three times its characters (bytes).
#[test]
fn chinese_labels_are_measured_as_text() {
    let report = Report::build(&month(), Some(&allocation()), &options(), None);
    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    let sel = Selector::parse("figure#chart-cost-per-department svg text").unwrap();
    let labels: Vec<_> = doc
        .select(&sel)
        .filter(|t| t.value().attr("text-anchor") == Some("end"))
        .collect();
    assert!(!labels.is_empty());
    // All right-aligned at one x: the margin measured from the widest label's display
    // width (7 px a column, 16 px of air), not from its length in bytes.
    let xs: Vec<i32> = labels
        .iter()
        .map(|t| t.value().attr("x").unwrap().parse().unwrap())
        .collect();
    assert!(xs.windows(2).all(|w| w[0] == w[1]), "{xs:?}");
    let widest = labels
        .iter()
        .map(|t| meeting_report::report::display_width(t.text().collect::<String>().trim()))
        .max()
        .unwrap();
    assert_eq!(xs[0], i32::try_from(widest * 7 + 16 - 8).unwrap());
    // 研发中心 measures 8 columns (56 px), not 12 bytes.
    assert_eq!(meeting_report::report::display_width("研发中心"), 8);
}

fn text_of_page(page: &str) -> String {
    let doc = Html::parse_document(page);
    let body = Selector::parse("body").unwrap();
    let mut out = String::new();
    for el in doc.select(&body).next().unwrap().descendants() {
        if let Some(t) = el.value().as_text() {
            // Skip the charts' drawing (numbers of axes), keep their labels out too: the
            // series are checked above.
            let in_svg = el
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "svg"));
            let t = t.trim();
            if !in_svg && !t.is_empty() {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn snapshots_of_the_csv_set_and_the_page_text() {
    let report = Report::build(&month(), Some(&allocation()), &options(), None);
    let files = csv_files(&report, true).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, CSV_FILES);
    let mut all = String::new();
    for (name, bytes) in &files {
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with('\u{feff}'), "{name}: BOM");
        all.push_str(&format!(
            "== {name}\n{}",
            text.trim_start_matches('\u{feff}')
        ));
    }
    // Formulas in topics are neutralised; money is a number.
    assert!(all.contains("\"'=HYPERLINK("));
    insta::assert_snapshot!("report_csv_set", all);
    insta::assert_snapshot!(
        "report_html_text",
        text_of_page(&write_html(&report).unwrap())
    );
}

#[test]
fn masking_reaches_every_sheet_and_page_and_changes_no_figure() {
    let meetings = month();
    let masker = Masker::new(meeting_report::pii::Pseudonymizer::from_passphrase("test"));
    let plain = Report::build(&meetings, None, &options(), None);
    let masked = Report::build(&meetings, None, &options(), Some(&masker));
    assert_eq!(plain.total(), masked.total());
    let names: Vec<String> = january(&meetings)
        .iter()
        .flat_map(|m| m.participants.iter().filter_map(|p| p.name.clone()))
        .collect();
    let numbers: Vec<String> = january(&meetings)
        .iter()
        .flat_map(|m| m.phone_calls.iter().filter_map(|c| c.number.clone()))
        .collect();
    assert!(!names.is_empty() && !numbers.is_empty());
    let csv: String = csv_files(&masked, false)
        .unwrap()
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    let page = write_html(&masked).unwrap();
    let mut wb = workbook(write_xlsx(&masked).unwrap());
    let mut cells = String::new();
    for name in wb.sheet_names() {
        for row in wb.worksheet_range(&name).unwrap().rows() {
            for c in row {
                cells.push_str(&c.to_string());
                cells.push('\n');
            }
        }
    }
    for secret in names.iter().chain(&numbers) {
        for (what, text) in [("csv", &csv), ("html", &page), ("xlsx", &cells)] {
            assert!(!text.contains(secret.as_str()), "{what} shows {secret}");
        }
    }
    // The Quanshi host (a person) is a pseudonym on the Hosts sheet.
    assert!(!page.contains("何芳"));
    assert!(cells.contains("person-"));
}

proptest::proptest! {
    /// Whatever the meetings, the report's sheets add up to meeting-core's totals and the
    /// chart series hold every measured second.
    #[test]
    fn sheets_add_up(durations in proptest::collection::vec((0u32..31 * 24 * 3600, 0u64..20_000, 0u8..4, 0u32..500), 0..25)) {
        let meetings: Vec<Meeting> = durations
            .iter()
            .enumerate()
            .map(|(i, (offset, secs, room, cents))| {
                let mut m = Meeting::new(meeting_core::Vendor::Systec, meeting_core::Source::SystecDetail, format!("systec:{i}"));
                m.status = if i % 5 == 4 { meeting_core::Status::Scheduled } else { meeting_core::Status::Ended };
                m.start = Some("2023-12-31T16:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap() + chrono::Duration::seconds(i64::from(*offset)));
                m.duration_seconds = Some(*secs);
                let mut r = meeting_core::Room::default();
                r.name = Some(format!("会议室{room}"));
                m.room = Some(r);
                let mut call = meeting_core::PhoneCall::default();
                call.billed_minutes = Some(1);
                call.cost = Some(meeting_core::Money { amount: Decimal::new(i64::from(*cents), 2), currency: "CNY".into() });
                m.phone_calls = vec![call];
                m
            })
            .collect();
        let report = Report::build(&meetings, None, &options(), None);
        let want = Aggregate::compute(&meetings, GroupBy::Room, SH).total;
        proptest::prop_assert_eq!(report.total(), &want);
        proptest::prop_assert_eq!(report.days.iter().map(|d| d.meetings).sum::<u64>(), want.meetings);
        proptest::prop_assert_eq!(report.days.len(), 31);
        let days_cost: Decimal = report.days.iter().map(cny).sum();
        proptest::prop_assert_eq!(days_cost, cny(&want));
        let heat: u64 = report.heat_seconds.iter().flatten().sum();
        proptest::prop_assert_eq!(heat, want.duration_seconds);
        let stacked: u64 = report.day_room_seconds.iter().flat_map(|d| d.values()).sum();
        proptest::prop_assert_eq!(stacked, want.duration_seconds);
    }
}
