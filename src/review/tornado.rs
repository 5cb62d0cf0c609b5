//! Charts as SVG via plotters' SVG backend (text in the SVG is left to the
//! viewer's fonts; plotters measures it with the embedded chart font): the
//! tornado chart of an analysis ranking and the stacked outcome bars of a
//! comparison.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

const GAIN: RGBColor = RGBColor(37, 99, 235);
const LOSS: RGBColor = RGBColor(220, 38, 38);
const LABEL_W: u32 = 250;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("cannot draw the chart: {e:?}")
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
    crate::charts::font::register()?;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(LABEL_W)
            .build_cartesian_2d(lo..hi, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(1)
            .y_label_formatter(&|_| String::new())
            .x_desc(x_desc)
            .x_label_formatter(&|v| format!("{v:+.3}"))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        let y_of = |i: usize| (n - 1 - i) as f64;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
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
            }))
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                let (l, h) = b.ci?;
                let y = y_of(i) + 0.5;
                Some(PathElement::new(
                    vec![(l, y), (h, y)],
                    BLACK.stroke_width(2),
                ))
            }))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
        let style = ("sans-serif", 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo, y_of(i) + 0.5));
            root.draw(&Text::new(b.label.clone(), (px - 8, py), style.clone()))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
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
    let colors = [
        RGBColor(22, 163, 74),
        RGBColor(220, 38, 38),
        RGBColor(234, 88, 12),
        RGBColor(100, 116, 139),
    ];
    let names = ["correct", "silent failure", "loud failure", "escalated"];
    crate::charts::font::register()?;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (900, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(14)
            .margin_bottom(44)
            .x_label_area_size(44)
            .y_label_area_size(LABEL_W)
            .build_cartesian_2d(start..1.0, 0f64..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(1)
            .y_label_formatter(&|_| String::new())
            .x_desc(format!("share of tasks (axis starts at {start:.2})"))
            .x_label_formatter(&|v| format!("{v:.2}"))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        for (k, color) in colors.iter().enumerate() {
            chart
                .draw_series(rows.iter().enumerate().map(|(i, r)| {
                    let y = (n - 1 - i) as f64;
                    let from: f64 = r.rates[..k].iter().sum::<f64>().max(start);
                    let to: f64 = r.rates[..=k].iter().sum::<f64>().max(start);
                    Rectangle::new([(from, y + 0.2), (to, y + 0.8)], color.filled())
                }))
                .map_err(err)?;
            let x = LABEL_W as i32 + 20 + 150 * k as i32;
            let y = height as i32 - 22;
            root.draw(&Rectangle::new(
                [(x, y - 6), (x + 14, y + 6)],
                color.filled(),
            ))
            .map_err(err)?;
            let legend = ("sans-serif", 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(names[k], (x + 20, y), legend))
                .map_err(err)?;
        }
        let style = ("sans-serif", 13)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, r) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(start, (n - 1 - i) as f64 + 0.5));
            let label = format!("{} ({:.4})", r.label, r.rates[0]);
            root.draw(&Text::new(label, (px - 8, py), style.clone()))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
}
