//! The report as one self-contained HTML page: no script, no external stylesheet, font or
//! image (it opens offline, from an e-mail attachment), a `Content-Security-Policy` meta
//! that makes it inert (`default-src 'none'`; inline styles and `data:` images allowed),
//! every piece of vendor text escaped, the summary tables and the charts as inline SVG
//! ([`super::charts`]). Light, readable on a laptop, printable (charts and tables do not
//! break across pages where the browser can avoid it).

use std::fmt::Write as _;

use super::charts::charts;
use super::{Cell, Report, ReportError, Sheet};

/// The page's `Content-Security-Policy`.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1040px; padding: 24px 32px 48px; color: #1f2328; background: #fff;
  font: 14px/1.5 -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
.meta { color: #57606a; margin: 0 0 16px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0; }
.kpi { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; }
.kpi .label { color: #57606a; font-size: 12px; }
.kpi .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 16px; }
.warnings li { margin: 2px 0; overflow-wrap: anywhere; }
figure { margin: 16px 0 24px; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 6px; }
figure svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eaeef2; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; border-bottom: 1px solid #d0d7de; white-space: nowrap; }
tfoot td { font-weight: 600; border-top: 2px solid #d0d7de; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fbfcfd; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"#;

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
}

/// Writes the report as one self-contained HTML page (see the module docs).
///
/// # Errors
/// A chart could not be drawn.
pub fn write_html(report: &Report) -> Result<String, ReportError> {
    let o = &report.options;
    let sheets = report.sheets();
    let t = report.total();
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("Meeting usage {} .. {}", o.from, o.to);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"meeting-report\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    let generated = o
        .generated_at
        .with_timezone(&o.zone)
        .format("%Y-%m-%d %H:%M:%S");
    let _ = write!(
        out,
        "<header>\n<h1>Meeting usage</h1>\n<p class=\"meta\">{} .. {} · times and days in {} · generated {generated}</p>\n</header>\n",
        o.from,
        o.to,
        escape(o.zone.name())
    );

    out.push_str("<section class=\"kpis\">\n");
    let mut kpi = |id: &str, label: &str, value: String| {
        let _ = writeln!(
            out,
            "<div class=\"kpi\" data-total=\"{id}\"><div class=\"label\">{}</div><div class=\"value\">{}</div></div>",
            escape(label),
            escape(&value)
        );
    };
    kpi("meetings", "Meetings", t.meetings.to_string());
    kpi("minutes", "Minutes", t.minutes.to_string());
    kpi(
        "billed_minutes",
        "Billed minutes",
        t.billed_minutes.to_string(),
    );
    kpi("attendees", "Attendees", t.attendees.to_string());
    kpi("phone_calls", "Phone calls", t.phone_calls.to_string());
    kpi(
        "phone_minutes",
        "Phone minutes",
        t.phone_minutes.to_string(),
    );
    for cur in &report.currencies {
        kpi(
            &format!("phone_cost_{}", cur.to_ascii_lowercase()),
            &format!("Phone cost ({cur})"),
            super::sheet::money_text(super::cost_in(t, cur)),
        );
    }
    out.push_str("</section>\n");

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
