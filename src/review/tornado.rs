//! The review's SVG charts, drawn on the shared chart frame
//! ([`crate::charts::frame::svg_chart`]: embedded font, outlined text, the
//! Okabe–Ito palette): the tornado chart of an analysis ranking and the
//! stacked outcome bars of a comparison.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::canvas::{Area, Backend, DrawResult};
use crate::charts::frame::svg_chart;
use crate::charts::outcomes::OUTCOMES;
use crate::charts::style::{BLUE, INK, VERMILLION, text};

/// One bar of a tornado chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Length of the bar (a difference).
    pub value: f64,
    /// 95% interval drawn as a whisker.
    pub ci: Option<(f64, f64)>,
    /// Significant bars are drawn solid, the rest pale.
    pub significant: bool,
}

/// The tornado chart of an analysis: its top `n` what-ifs by gain in P(correct).
pub fn ranking_chart(a: &crate::review::Analysis, n: usize) -> Result<String, String> {
    let bars: Vec<Bar> = a
        .ranking
        .iter()
        .take(n)
        .map(|f| Bar {
            label: f.label.clone(),
            value: f.gain.diff.unwrap_or(0.0),
            ci: f.gain.ci95.map(|c| (c[0], c[1])),
            significant: f.gain.significant,
        })
        .collect();
    tornado_svg(
        &format!("Where the gap opens: {}", a.scenario),
        "gain in P(correct) (bars: estimate, whiskers: 95% CI)",
        &bars,
    )
}

/// Bars of a gain and of a loss.
const GAIN: RGBColor = BLUE;
const LOSS: RGBColor = VERMILLION;
/// Room for the bars' labels on the left, in pixels.
const LABEL_W: u32 = 250;
/// Chart width in pixels.
const WIDTH: u32 = 900;

/// The frame of a horizontal bar chart with `n` rows over `lo..hi`: caption,
/// the label column on the left, the value axis titled `x_desc`.
fn bar_frame<'a, DB: Backend>(
    root: &'a Area<DB>,
    title: &str,
    x_desc: &str,
    (lo, hi): (f64, f64),
    n: usize,
    bottom: u32,
    x_format: &dyn Fn(&f64) -> String,
) -> Result<
    ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    Box<dyn std::error::Error>,
> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, text(18))
        .margin(14)
        .margin_bottom(bottom)
        .x_label_area_size(44)
        .y_label_area_size(LABEL_W)
        .build_cartesian_2d(lo..hi, 0f64..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(1)
        .y_label_formatter(&|_| String::new())
        .x_desc(x_desc)
        .x_label_formatter(x_format)
        .label_style(text(12))
        .axis_desc_style(text(13))
        .bold_line_style(INK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()?;
    Ok(chart)
}

/// A label right-aligned against the left end of row `i`'s bar.
fn row_label(root: &Area<SVGBackend<'_>>, label: String, (px, py): (i32, i32)) -> DrawResult {
    let style = text(13).pos(Pos::new(HPos::Right, VPos::Center));
    root.draw(&Text::new(label, (px - 8, py), style))?;
    Ok(())
}

/// A horizontal bar chart, top bar first, with interval whiskers.
pub fn tornado_svg(title: &str, x_desc: &str, bars: &[Bar]) -> Result<String, String> {
    let n = bars.len().max(1);
    let height = 90 + 28 * n as u32;
    let mut lo = bars
        .iter()
        .map(|b| b.ci.map_or(b.value, |c| c.0).min(b.value))
        .fold(0.0f64, f64::min);
    let mut hi = bars
        .iter()
        .map(|b| b.ci.map_or(b.value, |c| c.1).max(b.value))
        .fold(0.0f64, f64::max);
    if hi - lo <= 0.0 {
        hi = 1e-3;
    }
    let pad = (hi - lo) * 0.06;
    lo -= if lo < 0.0 { pad } else { 0.0 };
    hi += pad;
    svg_chart(WIDTH, height, |root| {
        let format = |v: &f64| format!("{v:+.3}");
        let chart = bar_frame(root, title, x_desc, (lo, hi), n, 14, &format)?;
        let mut chart = chart;
        let y_of = |i: usize| (n - 1 - i) as f64;
        chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
            let base = if b.value >= 0.0 { GAIN } else { LOSS };
            let color = if b.significant {
                base.mix(0.85)
            } else {
                base.mix(0.3)
            };
            Rectangle::new(
                [(0.0, y_of(i) + 0.18), (b.value, y_of(i) + 0.82)],
                color.filled(),
            )
        }))?;
        chart.draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
            let (l, h) = b.ci?;
            let y = y_of(i) + 0.5;
            Some(PathElement::new(vec![(l, y), (h, y)], INK.stroke_width(2)))
        }))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            INK.stroke_width(1),
        )))?;
        for (i, b) in bars.iter().enumerate() {
            let at = chart.backend_coord(&(lo, y_of(i) + 0.5));
            row_label(root, b.label.clone(), at)?;
        }
        Ok(())
    })
}

/// One row of a stacked outcome chart: rates of correct, silent, loud, escalated.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// The arm's name.
    pub label: String,
    /// Correct, silent, loud, escalated (summing to 1).
    pub rates: [f64; 4],
}

/// Stacked horizontal bars of outcome rates, one per arm, zoomed to start at
/// the smallest correct rate so that small differences stay visible.
pub fn outcomes_svg(title: &str, rows: &[OutcomeRow]) -> Result<String, String> {
    let n = rows.len().max(1);
    let height = 140 + 40 * n as u32;
    let min_correct = rows.iter().map(|r| r.rates[0]).fold(1.0f64, f64::min);
    let start = ((min_correct - 0.05) * 20.0).floor().max(0.0) / 20.0;
    svg_chart(WIDTH, height, |root| {
        let format = |v: &f64| format!("{v:.2}");
        let x_desc = format!("share of tasks (axis starts at {start:.2})");
        let mut chart = bar_frame(root, title, &x_desc, (start, 1.0), n, 44, &format)?;
        for (k, (_, name, colour)) in OUTCOMES.iter().enumerate() {
            chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
                let y = (n - 1 - i) as f64;
                let from: f64 = r.rates[..k].iter().sum::<f64>().max(start);
                let to: f64 = r.rates[..=k].iter().sum::<f64>().max(start);
                Rectangle::new([(from, y + 0.2), (to, y + 0.8)], colour.filled())
            }))?;
            let x = 20 + 215 * k as i32;
            let y = height as i32 - 22;
            root.draw(&Rectangle::new(
                [(x, y - 7), (x + 16, y + 7)],
                colour.filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(x, y - 7), (x + 16, y + 7)],
                INK.stroke_width(1),
            ))?;
            let short = name.split(" (").next().unwrap_or(name);
            let legend = text(12).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(short, (x + 22, y), legend))?;
        }
        for (i, r) in rows.iter().enumerate() {
            let at = chart.backend_coord(&(start, (n - 1 - i) as f64 + 0.5));
            row_label(root, format!("{} ({:.4})", r.label, r.rates[0]), at)?;
        }
        Ok(())
    })
}
