//! The report as one self-contained HTML page: no script, no external stylesheet, font or
//! image (it opens offline, from an e-mail attachment), a `Content-Security-Policy` meta
//! that makes it inert (`default-src 'none'`; inline styles and `data:` images allowed),
//! every piece of vendor text escaped, the summary tables and the charts as inline SVG
//! ([`super::charts`]). Light, readable on a laptop, printable (charts and tables do not
//! break across pages where the browser can avoid it).

use std::fmt::Write as _;

use super::charts::charts;
use super::compare::{
    COVERAGE_NOT_STATED, PersonalData, PreviousPeriod, change_count, change_money, escape,
    money_label, thousands,
};
use super::{Cell, Report, ReportError, Sheet, cost_in};

/// The page's `Content-Security-Policy`.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// The page's fonts: the system's UI font, then the Chinese fonts of macOS, Windows and
/// Linux (so Chinese text never falls back to a font without the glyphs), then any sans.
pub(crate) const FONT_STACK: &str = "-apple-system, BlinkMacSystemFont, \"Segoe UI\", \"PingFang SC\", \"Hiragino Sans GB\", \"Microsoft YaHei UI\", \"Microsoft YaHei\", \"Source Han Sans SC\", \"Noto Sans CJK SC\", \"Noto Sans SC\", \"WenQuanYi Micro Hei\", sans-serif";

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 24px 32px 48px; color: #1f2328; background: #fff;
  font: 14px/1.5 var(--font); }
svg text { font-family: var(--font); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
.meta { color: #57606a; margin: 0; }
.coverage, .pii { margin: 2px 0 0; font-size: 13px; }
.coverage[data-coverage="not-stated"] { color: #9a6700; }
.pii[data-pii="included"] { color: #cf222e; font-weight: 600; }
.kpis { display: grid; grid-template-columns: repeat(var(--cards), minmax(0, 1fr)); gap: 10px; margin: 16px 0; }
.kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 0; }
.kpi .label { color: #57606a; font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kpi .value { font-size: 21px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kpi .prev, .kpi .change { font-size: 12px; color: #57606a; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kpi .change { color: #1f2328; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 16px; }
.warnings li { margin: 2px 0; overflow-wrap: anywhere; }
figure { margin: 16px 0 24px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 4px 6px; border-bottom: 1px solid #eaeef2; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
thead th { background: #f6f8fa; border-bottom: 1px solid #d0d7de; vertical-align: bottom; }
tfoot td { font-weight: 600; border-top: 2px solid #d0d7de; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; overflow-wrap: normal; }
tbody tr:nth-child(even) { background: #fbfcfd; }
.note { color: #57606a; font-size: 12px; margin: -8px 0 16px; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; }
@media (max-width: 1000px) {
  .kpis { grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); }
}
@page { size: A4; margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10px; }
  h1 { font-size: 18px; }
  h2 { font-size: 13px; margin: 14px 0 4px; break-after: avoid; }
  .kpis { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; }
  .kpi { padding: 4px 8px; break-inside: avoid; }
  .kpi .value { font-size: 15px; }
  .kpi .prev, .kpi .change { font-size: 9px; }
  table { font-size: 8px; width: 100%; }
  th, td { padding: 1px 3px; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, figure { break-inside: avoid; }
  tbody tr:nth-child(even) { background: none; }
  figure svg { width: 100%; }
}
"#;

/// A key figure card: id, label, value, and the previous value, change and direction.
type Card = (String, String, String, Option<(String, String, i8)>);

/// The key figures, in one row, each beside the previous period with the change.
fn kpis(out: &mut String, report: &Report) {
    let t = report.total();
    let p = report.options.previous.as_ref();
    let mut cards: Vec<Card> = Vec::new();
    let mut count = |id: &str, label: &str, now: u64, before: Option<u64>| {
        cards.push((
            id.to_owned(),
            label.to_owned(),
            thousands(now),
            before.map(|b| (thousands(b), change_count(now, b), direction(now.cmp(&b)))),
        ));
    };
    count("meetings", "Meetings", t.meetings, p.map(|p| p.meetings));
    count("minutes", "Minutes", t.minutes, p.map(|p| p.minutes));
    count(
        "billed_minutes",
        "Billed minutes",
        t.billed_minutes,
        p.map(|p| p.billed_minutes),
    );
    count(
        "attendees",
        "Attendees",
        t.attendees,
        p.map(|p| p.attendees),
    );
    count(
        "phone_calls",
        "Phone calls",
        t.phone_calls,
        p.map(|p| p.phone_calls),
    );
    count(
        "phone_minutes",
        "Phone minutes",
        t.phone_minutes,
        p.map(|p| p.phone_minutes),
    );
    for cur in &report.currencies {
        let now = cost_in(t, cur);
        cards.push((
            format!("phone_cost_{}", cur.to_ascii_lowercase()),
            format!("Phone cost ({cur})"),
            money_label(now, cur),
            p.map(|p| {
                let before = p.cost_in(cur);
                (
                    money_label(before, cur),
                    change_money(now, before, cur),
                    direction(now.cmp(&before)),
                )
            }),
        ));
    }
    let _ = writeln!(
        out,
        "<section class=\"kpis\" style=\"--cards: {}\">",
        cards.len()
    );
    let label = p.map(PreviousPeriod::label).unwrap_or_default();
    for (id, name, value, before) in &cards {
        let _ = write!(
            out,
            "<div class=\"kpi\" data-total=\"{id}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
            escape(name),
            escape(value)
        );
        match before {
            Some((b, change, dir)) => {
                let class = match dir {
                    1 => " up",
                    -1 => " down",
                    _ => "",
                };
                let _ = write!(
                    out,
                    "<div class=\"prev\" title=\"the previous period\">{}: {}</div><div class=\"change{class}\">{}</div>",
                    escape(&label),
                    escape(b),
                    escape(change)
                );
            }
            None => out.push_str("<div class=\"prev\">no previous period</div>"),
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn direction(o: std::cmp::Ordering) -> i8 {
    match o {
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
    }
}

fn is_number(cell: &Cell) -> bool {
    matches!(cell, Cell::Int(_) | Cell::Money { .. })
}

fn table(out: &mut String, sheet: &Sheet) {
    let numeric: Vec<bool> = sheet
        .columns
        .iter()
        .enumerate()
        .map(|(i, _)| {
            sheet
                .rows
                .iter()
                .chain(sheet.total.iter())
                .any(|r| r.get(i).is_some_and(is_number))
        })
        .collect();
    let _ = write!(
        out,
        "<table data-sheet=\"{}\">\n<thead><tr>",
        sheet.name.to_ascii_lowercase()
    );
    for (c, n) in sheet.columns.iter().zip(&numeric) {
        let class = if *n { " class=\"n\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", escape(&c.title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let row = |out: &mut String, cells: &[Cell]| {
        out.push_str("<tr>");
        for (cell, n) in cells.iter().zip(&numeric) {
            let class = if *n { " class=\"n\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(&cell.display()));
        }
        out.push_str("</tr>\n");
    };
    for cells in &sheet.rows {
        row(out, cells);
    }
    out.push_str("</tbody>\n");
    if let Some(total) = &sheet.total {
        out.push_str("<tfoot>");
        row(out, total);
        out.push_str("</tfoot>\n");
    }
    out.push_str("</table>\n");
    if let Some(note) = &sheet.note {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
}

/// Writes the report as one self-contained HTML page (see the module docs).
///
/// # Errors
/// A chart could not be drawn.
pub fn write_html(report: &Report) -> Result<String, ReportError> {
    let o = &report.options;
    let sheets = report.sheets();
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Meeting usage {} .. {}", o.from, o.to);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"meeting-report\">\n\
         <title>{}</title>\n<style>:root {{ --font: {FONT_STACK}; }}{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let generated = o
        .generated_at
        .with_timezone(&o.zone)
        .format("%Y-%m-%d %H:%M:%S");
    let _ = write!(
        out,
        "<header>\n<h1>Meeting usage</h1>\n<p class=\"meta\">{} .. {} · times and days in {} · generated {generated}</p>\n",
        o.from,
        o.to,
        escape(o.zone.name())
    );
    match &o.coverage {
        Some(c) => {
            let _ = writeln!(
                out,
                "<p class=\"coverage\" data-coverage=\"stated\">Coverage: {}</p>",
                escape(c)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "<p class=\"coverage\" data-coverage=\"not-stated\">Coverage: {COVERAGE_NOT_STATED}</p>"
            );
        }
    }
    let pii = match report.personal_data {
        PersonalData::Masked => "masked",
        PersonalData::Included => "included",
    };
    let _ = writeln!(
        out,
        "<p class=\"pii\" data-pii=\"{pii}\">Personal data: {}</p>\n</header>",
        escape(report.personal_data.statement())
    );

    kpis(&mut out, report);

    if !report.warnings.is_empty() {
        out.push_str("<section class=\"warnings\">\n<ul>\n");
        for w in &report.warnings {
            let _ = writeln!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str("<h2>Charts</h2>\n");
    for chart in charts(report)? {
        let _ = write!(
            out,
            "<figure id=\"chart-{}\" data-series=\"{}\">\n<figcaption>{}</figcaption>\n{}\n</figure>\n",
            chart.id,
            escape(&chart.series.join("|")),
            escape(&chart.title),
            strip_xml_declaration(&chart.svg)
        );
    }

    for name in ["Rooms", "Departments", "Hosts", "Days"] {
        if name == "Departments" && !report.allocated {
            continue;
        }
        if let Some(sheet) = sheets.iter().find(|s| s.name == name) {
            let _ = writeln!(out, "<h2>{name}</h2>");
            table(&mut out, sheet);
        }
    }
    let _ = write!(
        out,
        "<footer>{} meetings in the report. The workbook (-o xlsx) and the CSV set (-o csv) hold every meeting, participant and call behind these figures.</footer>\n</body>\n</html>\n",
        report.meetings.len()
    );
    Ok(out)
}

/// The SVG element alone (no XML declaration: it is inline in HTML).
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg.get(i..).unwrap_or(svg),
        None => svg,
    }
}
