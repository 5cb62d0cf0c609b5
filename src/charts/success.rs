//! Success rate against the first varied axis, with its 95% band and the
//! closed-form curve (p^N for a chain, E[p^N] over a random loop length)
//! where the scenario has one.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::SweepLines;
use super::scale::Scale;
use super::style::{Dash, INK, LineStyle, Marker, draw_line, legend_entry};
use crate::sweep::SweepTable;

/// Draws the success chart of a sweep.
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let mut lines = SweepLines::new(t);
    let ys: Vec<f64> = (0..t.rows.len())
        .flat_map(|r| ["success_ci_low", "success_ci_high", "theory_success"].map(|c| t.get(r, c)))
        .flatten()
        .collect();
    let y = Scale::fit(&ys, false, 0.08).clamp(0.0, 1.0);
    let mut chart = lines.frame(root, "end-to-end success", "", y, "P(correct), end to end")?;
    let x = lines.x;
    // Over a loop's or fan-out's count the closed form is E[p^N].
    let theory_label = if t.axes.first().is_some_and(|a| a.contains(".count.")) {
        "closed form: E[p^N] over the random count"
    } else {
        "closed form: product of step success (p^N)"
    };
    let mut theory_drawn = false;
    for (i, s) in lines.series.iter().enumerate() {
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
                legend_entry(&mut chart, theory_label, dashed)?;
                theory_drawn = true;
            }
        }
    }
    if !theory_drawn {
        lines.remarks.push(
            "no closed-form curve: the scenario has gates, timeouts or partial merges".into(),
        );
    }
    let upper_right = SeriesLabelPosition::UpperRight;
    lines.finish(root, &mut chart, Some("success_rate"), upper_right)
}
