//! The report, version 2 (issue "The report finance can hand on"): numbers as people read
//! them, the previous period and the coverage, tooltips and series of the charts, the
//! page's layout rules, personal data masked in every format, Excel's limits. The page is
//! read with scraper, the workbook with calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, NaiveDate};
use meeting_core::aggregate::{Aggregate, GroupBy};
use meeting_core::query::merge_sorted;
use meeting_core::{DumpOptions, Meeting, Room, Source, Status, Vendor};
use meeting_report::mask::Masker;
use meeting_report::pii::Pseudonymizer;
use meeting_report::report::{
    EXCEL_MAX_TEXT, PersonalData, PreviousPeriod, Report, ReportOptions, check_xlsx_limits,
    csv_files, write_html, write_xlsx,
};
use meeting_sync::inputs::{Input, read_input};
use scraper::{ElementRef, Html, Selector};

const SH: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn month() -> Vec<Meeting> {
    let path = std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/report/month.jsonl"
    ));
    let r = read_input(&Input::File(path), &DumpOptions::new());
    assert_eq!(r.bad, 0, "{:?}", r.errors);
    merge_sorted(r.meetings)
}

fn options() -> ReportOptions {
    ReportOptions::new(
        day(2024, 1, 1),
        day(2024, 1, 31),
        SH,
        "2024-02-01T01:02:03Z".parse().unwrap(),
    )
}

/// An ended Systec meeting in `room`, starting `start` (UTC), `secs` long.
fn meeting(key: &str, room: &str, start: &str, secs: u64) -> Meeting {
    let mut m = Meeting::new(Vendor::Systec, Source::SystecHisMeeting, key);
    m.status = Status::Ended;
    let mut r = Room::default();
    r.name = Some(room.into());
    m.room = Some(r);
    m.start = Some(start.parse().unwrap());
    m.end = m
        .start
        .map(|s| s + Duration::seconds(i64::try_from(secs).unwrap()));
    m.duration_seconds = Some(secs);
    m
}

/// The meetings shifted by `days` (a fake previous month).
fn shifted(meetings: &[Meeting], days: i64) -> Vec<Meeting> {
    meetings
        .iter()
        .map(|m| {
            let mut m = m.clone();
            let d = Duration::days(days);
            m.start = m.start.map(|t| t + d);
            m.end = m.end.map(|t| t + d);
            m.scheduled_start = m.scheduled_start.map(|t| t + d);
            m.scheduled_end = m.scheduled_end.map(|t| t + d);
            m
        })
        .collect()
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: ElementRef<'_>) -> String {
    e.text().collect::<String>().trim().to_owned()
}

fn kpi(doc: &Html, id: &str, part: &str) -> String {
    doc.select(&sel(&format!("[data-total=\"{id}\"] .{part}")))
        .next()
        .map(text)
        .unwrap_or_else(|| panic!("no {part} on the card {id}"))
}

fn workbook(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).unwrap()
}

/// Every cell of every sheet as text, one a line.
fn workbook_text(bytes: Vec<u8>) -> String {
    let mut wb = workbook(bytes);
    let mut cells = String::new();
    for name in wb.sheet_names() {
        for row in wb.worksheet_range(&name).unwrap().rows() {
            for c in row {
                cells.push_str(&c.to_string());
                cells.push('\n');
            }
        }
    }
    cells
}

/// The Summary row whose first cell is `item`.
fn summary_row(bytes: Vec<u8>, item: &str) -> Vec<Data> {
    let mut wb = workbook(bytes);
    let range = wb.worksheet_range("Summary").unwrap();
    range
        .rows()
        .find(|r| r[0] == Data::String(item.into()))
        .unwrap_or_else(|| panic!("no Summary row {item}"))
        .to_vec()
}

#[test]
fn counts_have_thousands_separators_and_amounts_their_currency() {
    let mut meetings = month();
    // A long month: 53,087 minutes in one room.
    meetings.push(meeting(
        "systec:long",
        "room04",
        "2024-01-10T01:00:00Z",
        53_087 * 60,
    ));
    let report = Report::build(&meetings, None, &options(), None);
    let t = report.total().clone();
    assert!(t.minutes > 53_087);
    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    let minutes = kpi(&doc, "minutes", "value");
    assert_eq!(minutes.replace(',', ""), t.minutes.to_string());
    assert!(minutes.contains(','), "{minutes}");
    assert!(kpi(&doc, "phone_cost_cny", "value").starts_with('¥'));
    // Tables: every count grouped by three, every amount with ¥.
    let rooms = doc
        .select(&sel("table[data-sheet=\"rooms\"]"))
        .next()
        .unwrap();
    let headers: Vec<String> = rooms.select(&sel("thead th")).map(text).collect();
    let cost_col = headers
        .iter()
        .position(|h| h == "Phone cost (CNY)")
        .unwrap();
    let minutes_col = headers.iter().position(|h| h == "Minutes").unwrap();
    let mut saw_big = false;
    for tr in rooms.select(&sel("tbody tr, tfoot tr")) {
        let cells: Vec<String> = tr.select(&sel("td")).map(text).collect();
        assert!(cells[cost_col].starts_with('¥'), "{cells:?}");
        let m = &cells[minutes_col];
        let digits = m.replace(',', "");
        assert!(digits.chars().all(|c| c.is_ascii_digit()), "{m}");
        if digits.len() > 3 {
            saw_big = true;
            let groups: Vec<&str> = m.split(',').collect();
            assert!(groups[1..].iter().all(|g| g.len() == 3), "{m}");
        }
    }
    assert!(saw_big);
    // The workbook keeps numbers (formatted by Excel), the CSV plain numbers.
    let row = summary_row(write_xlsx(&report).unwrap(), "Minutes");
    assert_eq!(row[1], Data::Float(t.minutes as f64));
    let csv = csv_files(&report, false).unwrap();
    let summary = String::from_utf8(csv[0].1.clone()).unwrap();
    assert!(summary.contains(&format!("\nMinutes,{},,\n", t.minutes)));
}

#[test]
fn key_figures_beside_the_previous_month_with_the_change() {
    let jan = month();
    // December: the same meetings a month earlier, less the first two.
    let dec: Vec<Meeting> = shifted(&jan, -31).into_iter().skip(2).collect();
    let previous = PreviousPeriod::from_meetings(&dec, day(2023, 12, 1), day(2023, 12, 31), SH);
    assert_eq!(
        PreviousPeriod::span_before(day(2024, 1, 1), day(2024, 1, 31)),
        Some((previous.from, previous.to))
    );
    let want = Aggregate::compute(
        &dec.iter()
            .filter(|m| {
                m.start
                    .is_some_and(|s| s.with_timezone(&SH).date_naive() < day(2024, 1, 1))
            })
            .cloned()
            .collect::<Vec<_>>(),
        GroupBy::Room,
        SH,
    )
    .total;
    assert_eq!(previous.meetings, want.meetings);
    let report = Report::build(&jan, None, &options().previous(previous.clone()), None);
    let t = report.total().clone();
    assert_ne!(
        t.meetings, previous.meetings,
        "the fixture must show a change"
    );

    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    for (id, now, before) in [
        ("meetings", t.meetings, previous.meetings),
        ("minutes", t.minutes, previous.minutes),
        ("attendees", t.attendees, previous.attendees),
        ("phone_minutes", t.phone_minutes, previous.phone_minutes),
    ] {
        assert_eq!(
            kpi(&doc, id, "prev"),
            format!("2023-12: {before}"),
            "{id} (small numbers: no separator)"
        );
        let change = kpi(&doc, id, "change");
        let sign = if now >= before { '+' } else { '-' };
        assert!(
            change == "no change" || change.starts_with(&format!("{sign}{}", now.abs_diff(before))),
            "{id}: {change}"
        );
    }
    let cost = kpi(&doc, "phone_cost_cny", "change");
    assert!(cost.contains('¥') && cost.contains('%'), "{cost}");
    // The Summary sheet: value, previous, change.
    let row = summary_row(write_xlsx(&report).unwrap(), "Meetings");
    assert_eq!(row[1], Data::Float(t.meetings as f64));
    assert_eq!(row[2], Data::Float(previous.meetings as f64));
    assert!(matches!(&row[3], Data::String(s) if s.contains('%') || s.contains("new")));
    let compared = summary_row(write_xlsx(&report).unwrap(), "Compared with");
    assert_eq!(
        compared[1],
        Data::String("2023-12 (2023-12-01 .. 2023-12-31)".into())
    );

    // Without a previous period the cards say so.
    let page = write_html(&Report::build(&jan, None, &options(), None)).unwrap();
    let doc = Html::parse_document(&page);
    assert_eq!(kpi(&doc, "meetings", "prev"), "no previous period");
}

#[test]
fn the_coverage_is_under_the_title() {
    let jan = month();
    let doc = |o: ReportOptions| {
        let r = Report::build(&jan, None, &o, None);
        (
            Html::parse_document(&write_html(&r).unwrap()),
            summary_row(write_xlsx(&r).unwrap(), "Coverage"),
        )
    };
    let (page, row) = doc(options());
    let p = page.select(&sel("header .coverage")).next().unwrap();
    assert_eq!(text(p), "Coverage: coverage not stated");
    assert_eq!(p.value().attr("data-coverage"), Some("not-stated"));
    assert_eq!(row[1], Data::String("coverage not stated".into()));
    let (page, row) = doc(options().coverage("archive synced through 2024-02-01 <all>"));
    let p = page.select(&sel("header .coverage")).next().unwrap();
    assert_eq!(text(p), "Coverage: archive synced through 2024-02-01 <all>");
    assert_eq!(
        row[1],
        Data::String("archive synced through 2024-02-01 <all>".into())
    );
    // Right under the title.
    let header: Vec<String> = page
        .select(&sel("header > *"))
        .map(|e| e.value().name().to_owned())
        .collect();
    assert_eq!(header[0], "h1");
    assert!(header.iter().position(|n| n == "p").unwrap() <= 2);
}

/// `n` rooms with meetings on a few days.
fn rooms(n: usize) -> Vec<Meeting> {
    (0..n)
        .map(|i| {
            meeting(
                &format!("systec:r{i}"),
                &format!("第{i}会议室"),
                &format!("2024-01-{:02}T02:00:00Z", 2 + i % 20),
                600 * (i as u64 + 1),
            )
        })
        .collect()
}

fn figure<'a>(doc: &'a Html, id: &str) -> ElementRef<'a> {
    doc.select(&sel(&format!("figure#chart-{id}")))
        .next()
        .unwrap_or_else(|| panic!("no chart {id}"))
}

#[test]
fn every_mark_has_a_tooltip() {
    let report = Report::build(&month(), None, &options(), None);
    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    for id in ["minutes-per-day", "cost-per-room", "weekday-hour"] {
        let f = figure(&doc, id);
        let titles: Vec<String> = f.select(&sel("svg rect > title")).map(text).collect();
        assert!(!titles.is_empty(), "{id}");
        assert!(titles.iter().all(|t| !t.is_empty()), "{id}");
        // No mark left with the marker opacity.
        assert!(!f.html().contains("0.9990234375"), "{id}");
    }
    // The heat map: one per cell, with the weekday, the hour and the minutes.
    let heat: Vec<String> = figure(&doc, "weekday-hour")
        .select(&sel("svg rect > title"))
        .map(text)
        .collect();
    assert_eq!(heat.len(), 7 * 24);
    assert!(heat[9].starts_with("Mon 09:00–10:00: "), "{}", heat[9]);
    // Minutes per day: one per segment drawn (each room on each day it was used).
    let segments: usize = report
        .day_room_seconds
        .iter()
        .map(|d| d.values().filter(|s| **s > 0).count())
        .sum();
    let day_titles: Vec<String> = figure(&doc, "minutes-per-day")
        .select(&sel("svg rect > title"))
        .map(text)
        .collect();
    assert_eq!(day_titles.len(), segments);
    assert!(
        day_titles
            .iter()
            .all(|t| t.starts_with("2024-01-") && t.contains(" min"))
    );
    // Cost per room: one per bar with an amount, with the room and the yuan.
    let cost: Vec<String> = figure(&doc, "cost-per-room")
        .select(&sel("svg rect > title"))
        .map(text)
        .collect();
    let paying = report
        .rooms
        .groups
        .iter()
        .filter(|g| g.cost().get("CNY").is_some_and(|c| !c.is_zero()))
        .count();
    assert_eq!(cost.len(), paying);
    assert!(cost.iter().all(|t| t.contains(": ¥")), "{cost:?}");
}

#[test]
fn no_other_bucket_with_ten_series_or_fewer() {
    for (n, want_other) in [(8, false), (10, false), (11, true), (14, true)] {
        let report = Report::build(&rooms(n), None, &options(), None);
        let doc = Html::parse_document(&write_html(&report).unwrap());
        let f = figure(&doc, "minutes-per-day");
        let series: Vec<&str> = f.value().attr("data-series").unwrap().split('|').collect();
        assert_eq!(
            series.contains(&"other"),
            want_other,
            "{n} rooms: {series:?}"
        );
        assert_eq!(series.len(), n.min(10), "{n} rooms");
        let legend: Vec<String> = f.select(&sel("svg text")).map(text).collect();
        if want_other {
            assert!(
                legend.contains(&format!("other ({} rooms)", n - 9)),
                "{legend:?}"
            );
        } else {
            for i in 0..n {
                assert!(legend.contains(&format!("第{i}会议室")), "{n}: {legend:?}");
            }
        }
    }
}

#[test]
fn the_page_lays_out_for_1366_px_print_and_chinese() {
    let report = Report::build(&month(), None, &options(), None);
    let page = write_html(&report).unwrap();
    let doc = Html::parse_document(&page);
    // Every card in one grid row: as many columns as cards.
    let kpis = doc.select(&sel("section.kpis")).next().unwrap();
    let cards = kpis.select(&sel(".kpi")).count();
    assert_eq!(
        kpis.value().attr("style"),
        Some(format!("--cards: {cards}").as_str())
    );
    let style: String = doc.select(&sel("head style")).map(text).collect();
    assert!(style.contains("grid-template-columns: repeat(var(--cards), minmax(0, 1fr))"));
    assert!(style.contains("max-width: 1280px"));
    // Print: A4, tables not cut (rows kept whole, the header repeated, the total once).
    assert!(style.contains("@page { size: A4;"));
    let print = &style[style.find("@media print").unwrap()..];
    for rule in [
        "thead { display: table-header-group; }",
        "tfoot { display: table-row-group; }",
        "tr, figure { break-inside: avoid; }",
    ] {
        assert!(print.contains(rule), "{rule}");
    }
    // A CJK-capable font stack, used by the charts' text too.
    for font in [
        "PingFang SC",
        "Microsoft YaHei",
        "Noto Sans CJK SC",
        "sans-serif",
    ] {
        assert!(style.contains(font), "{font}");
    }
    assert!(style.contains("svg text { font-family: var(--font); }"));
}

fn ips(meetings: &[Meeting]) -> Vec<String> {
    meetings
        .iter()
        .flat_map(|m| m.participants.iter().filter_map(|p| p.ip.clone()))
        .collect()
}

#[test]
fn personal_data_masked_in_every_format_and_the_report_says_so() {
    let meetings = month();
    let key = Pseudonymizer::with_key([42; 16]);
    let masked = Report::build(&meetings, None, &options(), Some(&Masker::new(key.clone())));
    assert_eq!(masked.personal_data, PersonalData::Masked);
    let ips = ips(&meetings);
    assert!(!ips.is_empty());
    let csv: String = csv_files(&masked, false)
        .unwrap()
        .into_iter()
        .map(|(_, b)| String::from_utf8(b).unwrap())
        .collect();
    let page = write_html(&masked).unwrap();
    let cells = workbook_text(write_xlsx(&masked).unwrap());
    for (what, out) in [("csv", &csv), ("html", &page), ("xlsx", &cells)] {
        for ip in &ips {
            let two = ip.split('.').take(2).collect::<Vec<_>>().join(".");
            assert!(!out.contains(ip.as_str()), "{what} shows {ip}");
            assert!(
                !out.contains(&format!("{two}.*.*")),
                "{what}: IPs are omitted"
            );
        }
    }
    // Phone numbers: country code and last four digits.
    assert!(cells.contains("+86 ****0797"), "the Calls sheet");
    assert!(!cells.contains("+861832520797"));
    // Pseudonyms: stable for one key (the archive's), different for another.
    let again = Report::build(&meetings, None, &options(), Some(&Masker::new(key)));
    let other = Report::build(
        &meetings,
        None,
        &options(),
        Some(&Masker::new(Pseudonymizer::with_key([7; 16]))),
    );
    let names = |r: &Report| -> Vec<String> {
        r.meetings
            .iter()
            .flat_map(|m| m.participants.iter().filter_map(|p| p.name.clone()))
            .collect()
    };
    assert!(names(&masked).iter().all(|n| n.starts_with("person-")));
    assert_eq!(names(&masked), names(&again));
    assert_ne!(names(&masked), names(&other));
    // The report says which it is.
    let doc = Html::parse_document(&page);
    let p = doc.select(&sel("header .pii")).next().unwrap();
    assert_eq!(p.value().attr("data-pii"), Some("masked"));
    assert!(text(p).starts_with("Personal data: masked"));
    let row = summary_row(write_xlsx(&masked).unwrap(), "Personal data");
    assert!(matches!(&row[1], Data::String(s) if s.starts_with("masked")));
    assert!(csv.contains("Personal data,\"masked — "));

    // Included: shown, and said so.
    let plain = Report::build(&meetings, None, &options(), None);
    assert_eq!(plain.personal_data, PersonalData::Included);
    let cells = workbook_text(write_xlsx(&plain).unwrap());
    assert!(cells.contains(ips[0].as_str()));
    let doc = Html::parse_document(&write_html(&plain).unwrap());
    let p = doc.select(&sel("header .pii")).next().unwrap();
    assert_eq!(p.value().attr("data-pii"), Some("included"));
}

#[test]
fn text_over_excels_limit_is_truncated_with_a_note() {
    let mut meetings = month();
    let long = format!("议程{}", "长".repeat(40_000));
    let m = meetings
        .iter_mut()
        .find(|m| m.key == "systec:AOOP0s0FaZgqJS/+gl0yjg==")
        .unwrap();
    m.topic = Some(long.clone());
    let report = Report::build(&meetings, None, &options(), None);
    assert!(check_xlsx_limits(&report).is_ok());
    let bytes = write_xlsx(&report).expect("a long topic does not fail the workbook");
    let mut wb = workbook(bytes.clone());
    let range = wb.worksheet_range("Meetings").unwrap();
    let topic_col = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| c == &Data::String("Topic".into()))
        .unwrap();
    let cell = range
        .rows()
        .map(|r| r[topic_col].to_string())
        .find(|t| t.starts_with("议程"))
        .unwrap();
    assert!(cell.chars().count() <= EXCEL_MAX_TEXT);
    assert!(
        cell.ends_with("characters; the CSV set holds the whole text]"),
        "{}",
        &cell[cell.len() - 120..]
    );
    assert!(cell.contains("of 40,002 characters"));
    let note = summary_row(bytes, "Note");
    assert!(
        matches!(&note[1], Data::String(s) if s.contains("1 on Meetings")),
        "{note:?}"
    );
    // The CSV set keeps the whole text.
    let csv = csv_files(&report, false).unwrap();
    let meetings_csv = String::from_utf8(csv[5].1.clone()).unwrap();
    assert!(meetings_csv.contains(&long));
}
