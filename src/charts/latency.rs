//! Latency quantiles (p50, p95, p99) against the first varied axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, DrawResult};
use super::frame::{Frame, legend_corner, notes};
use super::scale::{Scale, prefers_log};
use super::series::{axis_title, lines};
use super::style::{Dash, INK, LineStyle, Marker, draw_legend, draw_line, legend_entry};
use crate::sweep::SweepTable;

/// The quantiles drawn, with their column and legend name.
const QUANTILES: [(&str, &str); 3] = [
    ("latency_p50_s", "p50 (median)"),
    ("latency_p95_s", "p95"),
    ("latency_p99_s", "p99"),
];

/// The latency chart of a sweep. With one line per combination of the other
/// axes, colour tells the lines apart and dash and marker the quantiles.
pub struct LatencyChart<'a>(pub &'a SweepTable);

impl Chart for LatencyChart<'_> {
    fn name(&self) -> &str {
        "latency"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let t = self.0;
        let (series, truncated) = lines(t);
        let mut remarks: Vec<String> = truncated.into_iter().collect();
        let rows = 0..t.rows.len();
        let xs: Vec<f64> = rows.clone().map(|r| t.axis_value(r, 0)).collect();
        let ys: Vec<f64> = rows
            .flat_map(|r| QUANTILES.map(|(c, _)| t.get(r, c)))
            .flatten()
            .collect();
        let min = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let max = ys.iter().copied().fold(0.0, f64::max);
        let y_log = min > 0.0 && max / min > 10.0;
        if y_log {
            remarks.push("log scale: the latencies span more than a decade".into());
        }
        let x = Scale::fit(&xs, prefers_log(&xs), 0.03);
        let y = if y_log {
            Scale::fit(&ys, true, 0.05)
        } else {
            Scale::fit(&ys, false, 0.06).clamp(0.0, f64::INFINITY)
        };
        let title = format!("{}: latency vs {}", t.scenario(), t.axes[0]);
        let x_title = axis_title(&t.axes[0]);
        let frame = Frame {
            title: &title,
            x,
            x_title: &x_title,
            y,
            y_title: "end-to-end latency (s)",
        };
        let mut chart = frame.draw(root)?;
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
        let first = series
            .first()
            .map(|s| (s.rows[0], s.rows[s.rows.len() - 1]));
        let corner = first.map_or(SeriesLabelPosition::UpperLeft, |(a, b)| {
            let p99 = |r| t.get(r, "latency_p99_s").unwrap_or(0.0);
            legend_corner(p99(a), p99(b))
        });
        draw_legend(&mut chart, corner)?;
        notes(root, &remarks)
    }
}
