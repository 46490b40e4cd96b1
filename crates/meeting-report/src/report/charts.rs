//! The HTML report's charts, drawn with `plotters` on its SVG backend: inline `<svg>`
//! elements, no script, no font file. Labels are placed by their measured width
//! ([`display_width`]: East Asian wide characters count twice), not by the crate's own
//! estimate, which without its font feature counts bytes (a Chinese character is three) and
//! would make room names overlap or leave gaps. Text is anchored (`text-anchor`) so the
//! browser lays it out with its own fonts.
//!
//! Every mark (a bar, a stacked segment, a heat-map cell) carries an SVG `<title>`, the
//! tooltip a browser shows on hover: plotters writes none, so marks are drawn with a
//! marker opacity ([`MARK_ALPHA`]) and given their titles, in drawing order, afterwards
//! ([`add_titles`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use rust_decimal::Decimal;

use super::compare::{escape, money_label, thousands};
use super::{Report, ReportError, cost_in, display_width};

/// Pixels per column of [`display_width`] at the labels' 12 px font: a Latin letter is
/// about 6.5 px wide in common sans-serif fonts, a Chinese character 12 px (two columns).
const PX_PER_COLUMN: u32 = 7;
const FONT: &str = "sans-serif";
/// The labels' font size as plotters takes it: its SVG backend writes `size / 1.24` px, so
/// this is 12 px in the page.
const LABEL_SIZE: f64 = 12.0 * 1.24;

/// The palette of the stacked series (Tableau 10); `other` is a light grey of its own.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0x79, 0x70, 0x6E),
];
const OTHER: RGBColor = RGBColor(0xC9, 0xC5, 0xC2);

/// The opacity marks are drawn with (`1 - 1/1024`, exact in binary and in its decimal
/// text), so that [`add_titles`] finds them; it sets them to 1.
const MARK_ALPHA: f64 = 0.999_023_437_5;
const MARK_OPACITY: &str = "opacity=\"0.9990234375\"";

/// The style of a mark: filled, with the marker opacity.
fn mark(color: RGBColor) -> ShapeStyle {
    color.mix(MARK_ALPHA).filled()
}

/// Gives every mark of `svg` its tooltip, in drawing order: `<rect … opacity="0.99…"/>`
/// becomes `<rect … opacity="1"><title>…</title></rect>`.
///
/// # Errors
/// When the marks and the titles are not as many (a drawing bug, never silent).
fn add_titles(what: &str, svg: &str, titles: &[String]) -> Result<String, ReportError> {
    let mut out =
        String::with_capacity(svg.len() + titles.iter().map(|t| t.len() + 24).sum::<usize>());
    let mut rest = svg;
    let mut titles = titles.iter();
    while let Some(at) = rest.find(MARK_OPACITY) {
        let after = rest.get(at + MARK_OPACITY.len()..).unwrap_or_default();
        let Some(close) = after.find("/>") else { break };
        let Some(title) = titles.next() else {
            return Err(err(what, &"more marks than titles"));
        };
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push_str("opacity=\"1\"");
        out.push_str(after.get(..close).unwrap_or_default());
        out.push_str("><title>");
        out.push_str(&escape(title));
        out.push_str("</title></rect>");
        rest = after.get(close + 2..).unwrap_or_default();
    }
    if titles.next().is_some() {
        return Err(err(what, &"more titles than marks"));
    }
    out.push_str(rest);
    Ok(out)
}
const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// One chart: an id (`minutes-per-day`), its title and its SVG text, and the names of its
/// series (for the page's text and the tests).
#[derive(Clone, Debug)]
pub(crate) struct Chart {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) svg: String,
    pub(crate) series: Vec<String>,
}

fn err(what: &str, e: &dyn std::fmt::Display) -> ReportError {
    ReportError::new(format!("cannot draw the chart {what}: {e}"))
}

/// A label as drawn: control characters (vendor text may hold them) shown as U+FFFD.
fn clean(label: &str) -> String {
    label
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

fn px(width: usize) -> u32 {
    u32::try_from(width)
        .unwrap_or(u32::MAX / PX_PER_COLUMN)
        .saturating_mul(PX_PER_COLUMN)
}

fn label_style(pos: Pos) -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().color(&BLACK).pos(pos)
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

#[allow(clippy::cast_precision_loss)]
fn f(v: u64) -> f64 {
    v as f64
}

/// Every chart of the report, in page order.
pub(crate) fn charts(r: &Report) -> Result<Vec<Chart>, ReportError> {
    let mut out = vec![minutes_per_day(r)?];
    let rooms: Vec<(String, Decimal)> = r
        .rooms
        .groups
        .iter()
        .map(|t| (t.group.clone(), cost_in(t, "CNY")))
        .collect();
    out.push(bars(
        "cost-per-room",
        "Phone cost per room (CNY)",
        rooms,
        Unit::Yuan,
    )?);
    if r.allocated {
        let depts: Vec<(String, Decimal)> = r
            .departments
            .iter()
            .map(|d| (d.totals.group.clone(), Decimal::from(d.totals.minutes)))
            .collect();
        out.push(bars(
            "minutes-per-department",
            "Minutes per department",
            depts,
            Unit::Minutes,
        )?);
        let costs: Vec<(String, Decimal)> = r
            .departments
            .iter()
            .map(|d| (d.totals.group.clone(), cost_in(&d.totals, "CNY")))
            .collect();
        out.push(bars(
            "cost-per-department",
            "Phone cost per department (CNY)",
            costs,
            Unit::Yuan,
        )?);
    }
    out.push(heat_map(r)?);
    Ok(out)
}

fn decimal_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or_default()
}

/// An axis label: whole numbers with thousands separators.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn axis_label(v: f64) -> String {
    let n = v.round().max(0.0) as u64;
    thousands(n)
}

/// Minutes as a tooltip or a label shows them.
fn minutes_label(minutes: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let n = minutes.round().max(0.0) as u64;
    format!("{} min", thousands(n))
}

/// The most series the stacked chart shows: every room up to ten; beyond, the nine
/// busiest and one `other` (so `other` never hides a room of a small site).
const STACKED_SERIES: usize = 10;

fn minutes_per_day(r: &Report) -> Result<Chart, ReportError> {
    let what = "minutes per day";
    // Rooms by total minutes, the busiest first.
    let mut rooms: Vec<(&str, u64)> = r
        .rooms
        .groups
        .iter()
        .map(|t| (t.group.as_str(), t.duration_seconds))
        .collect();
    rooms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let has_other = rooms.len() > STACKED_SERIES;
    let own = if has_other {
        STACKED_SERIES - 1
    } else {
        rooms.len()
    };
    let mut series: Vec<String> = rooms
        .iter()
        .take(own)
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let mut labels: Vec<String> = series.iter().map(|s| clean(s)).collect();
    if has_other {
        let label = format!("other ({} rooms)", rooms.len() - own);
        series.push(String::from("other"));
        labels.push(label);
    }
    let n_days = r.day_room_seconds.len().max(1);
    // Minutes of each series on each day.
    let stacks: Vec<Vec<f64>> = r
        .day_room_seconds
        .iter()
        .map(|day| {
            let mut v = vec![0.0; series.len()];
            for (room, secs) in day {
                let i = series
                    .iter()
                    .take(own)
                    .position(|s| s == room)
                    .unwrap_or(own);
                if let Some(slot) = v.get_mut(i) {
                    *slot += f(*secs) / 60.0;
                }
            }
            v
        })
        .collect();
    let max = stacks
        .iter()
        .map(|v| v.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(1.0);

    let legend_w = labels
        .iter()
        .map(|s| px(display_width(s)) + 28)
        .max()
        .unwrap_or(0)
        .max(80);
    let (w, h) = (960u32, 340u32);
    let mut svg = String::new();
    let mut titles = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(what, &e))?;
        let (plot, legend) = root.split_horizontally(w.saturating_sub(legend_w));
        let n = i32::try_from(n_days).unwrap_or(i32::MAX);
        let mut chart = ChartBuilder::on(&plot)
            .margin(10)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d(0..n, 0.0..max * 1.08)
            .map_err(|e| err(what, &e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            // Day labels are drawn below, centred under their bars.
            .x_labels(1)
            .x_label_formatter(&|_| String::new())
            .y_desc("minutes")
            .y_label_formatter(&|v| axis_label(*v))
            .axis_style(AXIS)
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE8, 0xEC))
            .label_style((FONT, LABEL_SIZE))
            .draw()
            .map_err(|e| err(what, &e))?;
        let mut rects = Vec::new();
        for ((i, day), totals) in (0i32..).zip(&stacks).zip(&r.days) {
            let mut base = 0.0;
            let day_total: f64 = day.iter().sum();
            for (s, minutes) in day.iter().enumerate() {
                if *minutes <= 0.0 {
                    continue;
                }
                let color = color_of(s, has_other && s + 1 == series.len());
                let mut rect = Rectangle::new([(i, base), (i + 1, base + minutes)], mark(color));
                rect.set_margin(0, 0, 1, 1);
                rects.push(rect);
                titles.push(format!(
                    "{} · {}: {} (the day: {})",
                    totals.group,
                    labels.get(s).map_or("", String::as_str),
                    minutes_label(*minutes),
                    minutes_label(day_total)
                ));
                base += minutes;
            }
        }
        chart.draw_series(rects).map_err(|e| err(what, &e))?;
        // Day labels under the bars, centred, at most ~31 of them.
        let step = n_days.div_ceil(31).max(1);
        for (i, day) in r.days.iter().enumerate().step_by(step) {
            let i = i32::try_from(i).unwrap_or(i32::MAX);
            let (x0, y0) = chart.backend_coord(&(i, 0.0));
            let (x1, _) = chart.backend_coord(&(i.saturating_add(1), 0.0));
            let label = day.group.get(8..).unwrap_or(&day.group).to_owned();
            plot.draw(&Text::new(
                label,
                ((x0 + x1) / 2, y0 + 6),
                label_style(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(|e| err(what, &e))?;
        }
        draw_legend(&legend, &labels, has_other).map_err(|e| err(what, &e))?;
        root.present().map_err(|e| err(what, &e))?;
    }
    let svg = add_titles(what, &svg, &titles)?;
    Ok(Chart {
        id: "minutes-per-day",
        title: format!(
            "Minutes per day, stacked by room ({} .. {})",
            r.options.from, r.options.to
        ),
        svg,
        series,
    })
}

fn color_of(i: usize, other: bool) -> RGBColor {
    if other {
        OTHER
    } else {
        PALETTE.get(i % PALETTE.len()).copied().unwrap_or(OTHER)
    }
}

fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    series: &[String],
    has_other: bool,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    for (i, name) in series.iter().enumerate() {
        let y = 20 + to_i32(u32::try_from(i).unwrap_or(0).saturating_mul(20));
        let color = color_of(i, has_other && i + 1 == series.len());
        area.draw(&Rectangle::new([(4, y - 6), (16, y + 6)], color.filled()))?;
        area.draw(&Text::new(
            name.clone(),
            (22, y),
            label_style(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// What a bar chart's values are.
#[derive(Clone, Copy)]
enum Unit {
    /// Yuan: `¥1,234.50`.
    Yuan,
    /// Minutes: `1,234 min`.
    Minutes,
}

impl Unit {
    fn label(self, v: Decimal) -> String {
        match self {
            Unit::Yuan => money_label(v, "CNY"),
            Unit::Minutes => minutes_label(decimal_f64(v)),
        }
    }
}

/// The most bars a chart shows; beyond, the busiest fourteen and one `other`.
const SHOWN_BARS: usize = 15;

/// Horizontal bars, one per label, the largest first; the labels right-aligned in a margin
/// as wide as the widest label measures; the value at the end of each bar and in its
/// tooltip.
fn bars(
    id: &'static str,
    title: &str,
    mut items: Vec<(String, Decimal)>,
    unit: Unit,
) -> Result<Chart, ReportError> {
    items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if items.len() > SHOWN_BARS {
        let rest: Decimal = items.iter().skip(SHOWN_BARS - 1).map(|(_, v)| *v).sum();
        let n = items.len() - (SHOWN_BARS - 1);
        items.truncate(SHOWN_BARS - 1);
        items.push((format!("other ({n})"), rest));
    }
    let n = items.len().max(1);
    let label_w = items
        .iter()
        .map(|(l, _)| px(display_width(&clean(l))))
        .max()
        .unwrap_or(0)
        + 16;
    let value_w = items
        .iter()
        .map(|(_, v)| px(display_width(&unit.label(*v))))
        .max()
        .unwrap_or(0)
        + 16;
    let max = items
        .iter()
        .map(|(_, v)| decimal_f64(*v))
        .fold(0.0, f64::max)
        .max(1.0);
    let row_px = 26u32;
    let (w, h) = (
        960u32,
        60 + row_px.saturating_mul(u32::try_from(n).unwrap_or(1)),
    );
    let mut svg = String::new();
    let mut titles = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(title, &e))?;
        let n_i = i32::try_from(n).unwrap_or(i32::MAX);
        let mut chart = ChartBuilder::on(&root)
            .margin_top(10)
            .margin_bottom(10)
            .margin_left(label_w)
            .margin_right(value_w)
            .x_label_area_size(24)
            .build_cartesian_2d(0.0..max, 0..n_i)
            .map_err(|e| err(title, &e))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            // Bar labels are drawn beside the bars, measured.
            .y_labels(1)
            .y_label_formatter(&|_| String::new())
            .x_labels(6)
            .x_label_formatter(&|v| axis_label(*v))
            .axis_style(AXIS)
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(0xE4, 0xE8, 0xEC))
            .label_style((FONT, LABEL_SIZE))
            .draw()
            .map_err(|e| err(title, &e))?;
        let mut rects: Vec<Rectangle<(f64, i32)>> = Vec::new();
        for (i, (label, v)) in (0i32..).zip(&items) {
            if v.is_zero() {
                // No bar to hover: the value is written beside the axis.
                continue;
            }
            // The largest at the top.
            let row = n_i - 1 - i;
            let mut rect =
                Rectangle::new([(0.0, row), (decimal_f64(*v), row + 1)], mark(PALETTE[0]));
            rect.set_margin(4, 4, 0, 0);
            rects.push(rect);
            titles.push(format!("{}: {}", clean(label), unit.label(*v)));
        }
        chart.draw_series(rects).map_err(|e| err(title, &e))?;
        for (i, (label, v)) in (0i32..).zip(&items) {
            let row = n_i - 1 - i;
            let (x0, y_top) = chart.backend_coord(&(0.0, row + 1));
            let (_, y_bottom) = chart.backend_coord(&(0.0, row));
            let (x_end, _) = chart.backend_coord(&(decimal_f64(*v), row));
            let y = (y_top + y_bottom) / 2;
            root.draw(&Text::new(
                clean(label),
                (x0 - 8, y),
                label_style(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| err(title, &e))?;
            root.draw(&Text::new(
                unit.label(*v),
                (x_end + 6, y),
                label_style(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| err(title, &e))?;
        }
        root.present().map_err(|e| err(title, &e))?;
    }
    let svg = add_titles(title, &svg, &titles)?;
    Ok(Chart {
        id,
        title: title.to_owned(),
        svg,
        series: items.into_iter().map(|(l, _)| l).collect(),
    })
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Minutes of meetings per weekday and hour, as shades of one colour.
fn heat_map(r: &Report) -> Result<Chart, ReportError> {
    let what = "room use by weekday and hour";
    let max = r
        .heat_seconds
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, h) = (960u32, 300u32);
    let (left, top, cell_w, cell_h) = (60i32, 34i32, 34i32, 28i32);
    let mut svg = String::new();
    let mut titles = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(what, &e))?;
        for hour in 0..24i32 {
            root.draw(&Text::new(
                format!("{hour:02}"),
                (left + hour * cell_w + cell_w / 2, top - 8),
                label_style(Pos::new(HPos::Center, VPos::Bottom)),
            ))
            .map_err(|e| err(what, &e))?;
        }
        for (d, (name, row)) in (0i32..).zip(WEEKDAYS.iter().zip(&r.heat_seconds)) {
            let y = top + d * cell_h;
            root.draw(&Text::new(
                (*name).to_owned(),
                (left - 8, y + cell_h / 2),
                label_style(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(|e| err(what, &e))?;
            for (hour, secs) in (0i32..).zip(row) {
                let x = left + hour * cell_w;
                root.draw(&Rectangle::new(
                    [(x + 1, y + 1), (x + cell_w - 1, y + cell_h - 1)],
                    mark(shade(*secs, max)),
                ))
                .map_err(|e| err(what, &e))?;
                titles.push(format!(
                    "{name} {hour:02}:00–{:02}:00: {}",
                    hour + 1,
                    minutes_label(f(*secs) / 60.0)
                ));
            }
        }
        // The scale: five steps from none to the busiest hour.
        let y = top + 7 * cell_h + 18;
        root.draw(&Text::new(
            String::from("minutes:"),
            (left - 8, y + 7),
            label_style(Pos::new(HPos::Right, VPos::Center)),
        ))
        .map_err(|e| err(what, &e))?;
        for step in 0..5u64 {
            let secs = max * step / 4;
            let x = left + to_i32(u32::try_from(step).unwrap_or(0)) * 90;
            root.draw(&Rectangle::new(
                [(x, y), (x + 24, y + 14)],
                shade(secs, max).filled(),
            ))
            .map_err(|e| err(what, &e))?;
            root.draw(&Text::new(
                thousands((secs + 30) / 60),
                (x + 30, y + 7),
                label_style(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(|e| err(what, &e))?;
        }
        root.present().map_err(|e| err(what, &e))?;
    }
    let svg = add_titles(what, &svg, &titles)?;
    Ok(Chart {
        id: "weekday-hour",
        title: format!(
            "Room use by weekday and hour (minutes of meetings, {})",
            r.options.zone.name()
        ),
        svg,
        series: WEEKDAYS.iter().map(|d| (*d).to_owned()).collect(),
    })
}

/// White for nothing, dark blue for the busiest hour.
fn shade(secs: u64, max: u64) -> RGBColor {
    let t = f(secs) / f(max.max(1));
    let mix = |from: u8, to: u8| {
        let v = f64::from(from) + (f64::from(to) - f64::from(from)) * t.clamp(0.0, 1.0);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let b = v.round().clamp(0.0, 255.0) as u8;
        b
    };
    if secs == 0 {
        return RGBColor(0xF4, 0xF6, 0xF8);
    }
    RGBColor(mix(0xDC, 0x08), mix(0xEA, 0x30), mix(0xF7, 0x6B))
}
