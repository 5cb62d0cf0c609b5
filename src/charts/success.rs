//! Success rate against the first varied axis, with its 95% band and the
//! closed-form curve (p^N for a chain, E[p^N] over a random loop length)
//! where the scenario has one. Lines
//! whose bands would blend are drawn as small multiples.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{Key, Layout, SweepLines};
use super::scale::Scale;
use super::series::MAX_SERIES;
use super::style::{Dash, INK, LineStyle, Marker, draw_line};
use crate::sweep::SweepTable;

/// The closed form's line.
const THEORY: LineStyle = LineStyle {
    colour: INK,
    dash: Dash::Dashed,
    marker: Marker::None,
};

/// Draws the success chart of a sweep.
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let mut lines = SweepLines::new(t);
    let ys: Vec<f64> = (0..t.rows.len())
        .flat_map(|r| ["success_ci_low", "success_ci_high", "theory_success"].map(|c| t.get(r, c)))
        .flatten()
        .collect();
    let y = Scale::fit(&ys, false, 0.08).clamp(0.0, 1.0);
    let x = lines.x;
    let at = |r: usize, col: &str| t.get(r, col).map(|v| (x.to(t.axis_value(r, 0)), v));
    let has_theory = lines
        .series
        .iter()
        .any(|s| s.rows.iter().all(|&r| t.get(r, "theory_success").is_some()));
    let layout = if lines.series.len() > MAX_SERIES || overlap(t, &lines, y) {
        Layout::Apart
    } else {
        Layout::Together
    };
    let mut legend: Vec<(String, Key)> = Vec::new();
    match layout {
        Layout::Apart => {
            legend.push(("simulated P(correct)".into(), Key::Line(LineStyle::nth(0))));
        }
        Layout::Together => {
            for (i, s) in lines.series.iter().enumerate() {
                let label = if s.label.is_empty() {
                    "simulated P(correct)".to_string()
                } else {
                    s.label.clone()
                };
                legend.push((label, Key::Line(LineStyle::nth(i))));
            }
        }
    }
    legend.push(("95% confidence band".into(), Key::Band(INK)));
    if has_theory {
        // Over a loop's or fan-out's count the closed form is E[p^N].
        let label = if t.axes.first().is_some_and(|a| a.contains(".count.")) {
            "closed form: E[p^N] over the random count"
        } else {
            "closed form: product of step success (p^N)"
        };
        legend.push((label.into(), Key::Line(THEORY)));
    } else {
        lines.remarks.push(
            "no closed-form curve: the scenario has gates, timeouts or partial merges".into(),
        );
    }
    let y_title = "P(correct), end to end";
    let panels = lines.panels(root, "end-to-end success", layout, y_title, &legend)?;
    let apart = layout == Layout::Apart;
    for (area, group) in &panels {
        let mut chart = lines.plot(area, group, apart, y)?;
        for &i in group {
            let s = &lines.series[i];
            let style = LineStyle::nth(if apart { 0 } else { i });
            let upper = s.rows.iter().filter_map(|&r| at(r, "success_ci_high"));
            let lower = s.rows.iter().rev().filter_map(|&r| at(r, "success_ci_low"));
            let band: Vec<(f64, f64)> = upper.chain(lower).collect();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                style.colour.mix(0.22).filled(),
            )))?;
            let points: Vec<(f64, f64)> = s
                .rows
                .iter()
                .filter_map(|&r| at(r, "success_rate"))
                .collect();
            draw_line(&mut chart, &points, style)?;
            let theory: Option<Vec<(f64, f64)>> =
                s.rows.iter().map(|&r| at(r, "theory_success")).collect();
            if let Some(theory) = theory {
                chart.draw_series(DashedLineSeries::new(theory, 10, 6, INK.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// True when two lines would blend: at half or more of the points they
/// share, their success rates lie within 3% of the axis's span.
fn overlap(t: &SweepTable, lines: &SweepLines<'_>, y: Scale) -> bool {
    let close = 0.03 * (y.hi - y.lo);
    let values = |i: usize| -> Vec<(f64, f64)> {
        lines.series[i]
            .rows
            .iter()
            .filter_map(|&r| Some((t.axis_value(r, 0), t.get(r, "success_rate")?)))
            .collect()
    };
    let n = lines.series.len();
    (0..n).any(|i| {
        let a = values(i);
        (i + 1..n).any(|j| {
            let b = values(j);
            let shared: Vec<f64> = a
                .iter()
                .filter_map(|(x, ya)| {
                    b.iter()
                        .find(|(xb, _)| xb == x)
                        .map(|(_, yb)| (ya - yb).abs())
                })
                .collect();
            !shared.is_empty() && 2 * shared.iter().filter(|d| **d < close).count() >= shared.len()
        })
    })
}
