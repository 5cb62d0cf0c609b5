//! Success rate against the first varied axis, with its 95% band and the
//! closed-form curve (p^N for a chain) where the scenario has one.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, DrawResult};
use super::frame::{Frame, legend_corner, notes};
use super::scale::{Scale, prefers_log};
use super::series::{axis_title, lines};
use super::style::{Dash, INK, LineStyle, Marker, draw_legend, draw_line, legend_entry};
use crate::sweep::SweepTable;

/// The success chart of a sweep.
pub struct SuccessChart<'a>(pub &'a SweepTable);

impl Chart for SuccessChart<'_> {
    fn name(&self) -> &str {
        "success"
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
            .flat_map(|r| {
                ["success_ci_low", "success_ci_high", "theory_success"].map(|c| t.get(r, c))
            })
            .flatten()
            .collect();
        let x = Scale::fit(&xs, prefers_log(&xs), 0.03);
        let y = Scale::fit(&ys, false, 0.08).clamp(0.0, 1.0);
        let title = format!("{}: end-to-end success vs {}", t.scenario(), t.axes[0]);
        let x_title = axis_title(&t.axes[0]);
        let frame = Frame {
            title: &title,
            x,
            x_title: &x_title,
            y,
            y_title: "P(correct), end to end",
        };
        let mut chart = frame.draw(root)?;
        let mut theory_drawn = false;
        for (i, s) in series.iter().enumerate() {
            let style = LineStyle::nth(i);
            let at = |r: usize, col: &str| t.get(r, col).map(|v| (x.to(t.axis_value(r, 0)), v));
            let upper: Vec<(f64, f64)> = s
                .rows
                .iter()
                .filter_map(|&r| at(r, "success_ci_high"))
                .collect();
            let lower: Vec<(f64, f64)> = s
                .rows
                .iter()
                .rev()
                .filter_map(|&r| at(r, "success_ci_low"))
                .collect();
            let band: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                style.colour.mix(0.22).filled(),
            )))?;
            let points: Vec<(f64, f64)> = s
                .rows
                .iter()
                .filter_map(|&r| at(r, "success_rate"))
                .collect();
            let label = if s.label.is_empty() {
                "simulated, with 95% CI band".to_string()
            } else {
                format!("{} (95% CI band)", s.label)
            };
            draw_line(&mut chart, &points, style, Some(&label))?;
            let theory: Option<Vec<(f64, f64)>> =
                s.rows.iter().map(|&r| at(r, "theory_success")).collect();
            if let Some(theory) = theory {
                let dashed = LineStyle {
                    colour: INK,
                    dash: Dash::Dashed,
                    marker: Marker::None,
                };
                chart.draw_series(DashedLineSeries::new(theory, 10, 6, INK.stroke_width(2)))?;
                if !theory_drawn {
                    legend_entry(
                        &mut chart,
                        "closed form: product of step success (p^N)",
                        dashed,
                    )?;
                    theory_drawn = true;
                }
            }
        }
        if !theory_drawn {
            remarks.push(
                "no closed-form curve: the scenario has gates, timeouts or partial merges".into(),
            );
        }
        let first = series
            .first()
            .map(|s| (s.rows[0], s.rows[s.rows.len() - 1]));
        let corner = first.map_or(SeriesLabelPosition::UpperRight, |(a, b)| {
            legend_corner(
                t.get(a, "success_rate").unwrap_or(0.0),
                t.get(b, "success_rate").unwrap_or(0.0),
            )
        });
        draw_legend(&mut chart, corner)?;
        notes(root, &remarks)
    }
}
