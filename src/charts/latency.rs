//! Latency quantiles (p50, p95, p99) against the first varied axis.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::SweepLines;
use super::scale::Scale;
use super::style::{Dash, INK, LineStyle, Marker, draw_line, legend_entry};
use crate::sweep::SweepTable;

/// The quantiles drawn, with their column and legend name.
const QUANTILES: [(&str, &str); 3] = [
    ("latency_p50_s", "p50 (median)"),
    ("latency_p95_s", "p95"),
    ("latency_p99_s", "p99"),
];

/// Draws the latency chart of a sweep. With one line per combination of the other
/// axes, colour tells the lines apart and dash and marker the quantiles.
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
    let mut chart = lines.frame(root, "latency", "", y, "end-to-end latency (s)")?;
    let (x, series) = (lines.x, &lines.series);
    let single = series.len() == 1;
    for (i, s) in series.iter().enumerate() {
        for (q, (column, name)) in QUANTILES.iter().enumerate() {
            let by_quantile = LineStyle::nth(q);
            let style = if single {
                by_quantile
            } else {
                LineStyle {
                    colour: LineStyle::nth(i).colour,
                    ..by_quantile
                }
            };
            let points: Vec<(f64, f64)> = s
                .rows
                .iter()
                .filter_map(|&r| Some((x.to(t.axis_value(r, 0)), y.to(t.get(r, column)?))))
                .filter(|(_, v)| v.is_finite())
                .collect();
            draw_line(&mut chart, &points, style, single.then_some(*name))?;
        }
    }
    if !single {
        // Colour tells the lines apart, dash and marker the quantiles.
        for (i, s) in series.iter().enumerate() {
            let colour = LineStyle::nth(i).colour;
            legend_entry(
                &mut chart,
                &s.label,
                LineStyle {
                    colour,
                    dash: Dash::Solid,
                    marker: Marker::None,
                },
            )?;
        }
        for (q, (_, name)) in QUANTILES.iter().enumerate() {
            legend_entry(
                &mut chart,
                name,
                LineStyle {
                    colour: INK,
                    ..LineStyle::nth(q)
                },
            )?;
        }
    }
    let upper_left = SeriesLabelPosition::UpperLeft;
    lines.finish(root, &mut chart, Some("latency_p99_s"), upper_left)
}
