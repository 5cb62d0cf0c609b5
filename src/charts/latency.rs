//! Latency quantiles (p50, p95, p99) against the first varied axis: one
//! plot for a single line, small multiples (one panel per combination of
//! the other axes, three quantiles each) otherwise.

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{Key, Layout, SweepLines};
use super::scale::Scale;
use super::style::{LineStyle, draw_line};
use crate::sweep::SweepTable;

/// The quantiles drawn, with their column and legend name.
const QUANTILES: [(&str, &str); 3] = [
    ("latency_p50_s", "p50 (median)"),
    ("latency_p95_s", "p95"),
    ("latency_p99_s", "p99"),
];

/// Draws the latency chart of a sweep.
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let mut lines = SweepLines::new(t);
    let ys: Vec<f64> = (0..t.rows.len())
        .flat_map(|r| QUANTILES.map(|(c, _)| t.get(r, c)))
        .flatten()
        .collect();
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
