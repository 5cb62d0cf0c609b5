//! Latency quantiles (p50, p95, p99) against the first varied axis: one
//! plot for a single line, small multiples (one panel per combination of
//! the other axes, three quantiles each) otherwise.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{Key, Layout, SweepLines};
use super::scale::{Scale, format_number};
use super::style::{LABEL_SIZE, LineStyle, draw_line, text};
use crate::sweep::SweepTable;

/// The quantiles drawn, with their column and legend name.
const QUANTILES: [(&str, &str); 3] = [
    ("latency_p50_s", "p50 (median)"),
    ("latency_p95_s", "p95"),
    ("latency_p99_s", "p99"),
];

/// The colour of SLO threshold lines: a grey that no data line uses.
const SLO_INK: RGBColor = RGBColor(0x55, 0x55, 0x55);

/// Draws the latency chart of a sweep, with the sweep's SLO thresholds
/// (`--slo`) as dashed grey lines.
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let mut lines = SweepLines::new(t);
    let ys: Vec<f64> = (0..t.rows.len())
        .flat_map(|r| QUANTILES.map(|(c, _)| t.get(r, c)))
        .flatten()
        .collect();
    let min = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ys.iter().copied().fold(0.0, f64::max);
    // SLO thresholds near the latencies are drawn as lines (and widen the
    // scale to show them); those far from them are named in a note.
    let (slo_shown, slo_far): (Vec<f64>, Vec<f64>) = t
        .slo_thresholds()
        .into_iter()
        .partition(|&x| x >= min / 4.0 && x <= max * 2.0);
    if !slo_far.is_empty() {
        let far: Vec<String> = slo_far
            .iter()
            .map(|x| format!("{} s", format_number(*x)))
            .collect();
        lines
            .remarks
            .push(format!("SLO thresholds off the scale: {}", far.join(", ")));
    }
    let ys: Vec<f64> = ys.into_iter().chain(slo_shown.iter().copied()).collect();
    let min = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let max = ys.iter().copied().fold(0.0, f64::max);
    let y_log = min > 0.0 && max / min > 10.0;
    if y_log {
        let note = "log scale: the latencies span more than a decade";
        lines.remarks.push(note.into());
    }
    let y = if y_log {
        Scale::fit(&ys, true, 0.05)
    } else {
        Scale::fit(&ys, false, 0.06).clamp(0.0, f64::INFINITY)
    };
    let layout = if lines.series.len() > 1 {
        Layout::Apart
    } else {
        Layout::Together
    };
    let legend: Vec<(String, Key)> = QUANTILES
        .iter()
        .enumerate()
        .map(|(q, (_, name))| (name.to_string(), Key::Line(LineStyle::nth(q))))
        .collect();
    let x = lines.x;
    let y_title = "end-to-end latency (s)";
    let apart = layout == Layout::Apart;
    for (area, group) in &lines.panels(root, "latency", layout, y_title, &legend)? {
        let mut chart = lines.plot(area, group, apart, y)?;
        for &threshold in &slo_shown {
            let (x0, x1) = (x.to(x.lo), x.to(x.hi));
            let level = y.to(threshold);
            chart.draw_series(DashedLineSeries::new(
                [(x0, level), (x1, level)],
                10,
                6,
                SLO_INK.stroke_width(2),
            ))?;
            // The label just above the line, at its left end.
            let label = format!("SLO {} s", format_number(threshold));
            chart.draw_series(std::iter::once(
                EmptyElement::at((x0, level))
                    + Text::new(
                        label,
                        (8, -(LABEL_SIZE as i32) - 4),
                        text(LABEL_SIZE).color(&SLO_INK),
                    ),
            ))?;
        }
        for &i in group {
            for (q, (column, _)) in QUANTILES.iter().enumerate() {
                let points: Vec<(f64, f64)> = lines.series[i]
                    .rows
                    .iter()
                    .filter_map(|&r| Some((x.to(t.axis_value(r, 0)), y.to(t.get(r, column)?))))
                    .filter(|(_, v)| v.is_finite())
                    .collect();
                draw_line(&mut chart, &points, LineStyle::nth(q))?;
            }
        }
    }
    Ok(())
}
