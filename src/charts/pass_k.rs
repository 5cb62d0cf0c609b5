//! pass^k against k for one run (from its summary.json): the chance that k
//! runs of the same task all succeed, with its interval over tasks, beside
//! what independent runs would give, (pass^1)^k, and pass@k.
//!
//! The gap between the simulated curve and the independence curve is what
//! correlated failures (hard tasks, persistent faults, common causes) cost
//! an agent that must succeed every time.

use plotters::prelude::*;
use serde::Deserialize;

use super::canvas::{Area, Backend, Chart, DrawResult};
use super::frame::{Key, LEGEND_WIDTH, house_style, legend_at_right, notes, plot};
use super::scale::{Ticked, format_number};
use super::style::{BLUE, Dash, LineStyle, Marker, SKY_BLUE, VERMILLION, draw_line};
use crate::stats::summary::PassK;

/// The part of summary.json this chart reads (other fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct PassKReport {
    /// Scenario name.
    pub scenario: String,
    /// Tasks run (each K times).
    pub trials: u64,
    /// pass^k and pass@k for k = 1..K (empty unless `[run] pass_k` > 1).
    #[serde(default)]
    pub pass_k: Vec<PassK>,
}

/// The pass^k chart of one run.
pub struct PassKChart<'a>(pub &'a PassKReport);

/// The three curves, in legend order.
const CURVES: [(&str, LineStyle); 3] = [
    (
        "pass^k (all k runs correct)",
        LineStyle {
            colour: BLUE,
            dash: Dash::Solid,
            marker: Marker::Circle,
        },
    ),
    (
        "independent runs ((pass^1)^k)",
        LineStyle {
            colour: VERMILLION,
            dash: Dash::Dashed,
            marker: Marker::Triangle,
        },
    ),
    (
        "pass@k (some run correct)",
        LineStyle {
            colour: SKY_BLUE,
            dash: Dash::Dotted,
            marker: Marker::Square,
        },
    ),
];

impl Chart for PassKChart<'_> {
    fn name(&self) -> &str {
        "pass-k"
    }

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        let report = self.0;
        let k_max = report.pass_k.len().max(1) as f64;
        let ticks: Vec<f64> = k_ticks(report.pass_k.len());
        let x = Ticked::new(0.5, k_max + 0.5, ticks);
        let y = Ticked::new(0.0, 1.0, (0..=10).map(|i| i as f64 / 10.0).collect());
        let title = format!(
            "{}: pass^k over {} tasks, each run {} times",
            report.scenario,
            report.trials,
            report.pass_k.len()
        );
        let mut chart = plot(root, &title, LEGEND_WIDTH, 80, x, y)?;
        house_style(&mut chart.configure_mesh())
            .x_desc("k (runs of the same task)")
            .y_desc("probability")
            .x_label_formatter(&|v| format_number(*v))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .draw()?;
        let all: Vec<(f64, f64)> = report
            .pass_k
            .iter()
            .map(|p| (p.k as f64, p.all.rate))
            .collect();
        // The 95% interval of pass^k as a band, under the lines.
        let band: Vec<(f64, f64)> = report
            .pass_k
            .iter()
            .map(|p| (p.k as f64, p.all.ci95[1]))
            .chain(
                report
                    .pass_k
                    .iter()
                    .rev()
                    .map(|p| (p.k as f64, p.all.ci95[0])),
            )
            .collect();
        chart.draw_series([Polygon::new(band, BLUE.mix(0.18).filled())])?;
        let independent: Vec<(f64, f64)> = report
            .pass_k
            .iter()
            .map(|p| (p.k as f64, p.independent))
            .collect();
        let any: Vec<(f64, f64)> = report
            .pass_k
            .iter()
            .map(|p| (p.k as f64, p.any.rate))
            .collect();
        for ((_, style), points) in CURVES.iter().zip([all, independent, any]) {
            draw_line(&mut chart, &points, *style)?;
        }
        let mut entries: Vec<(String, Key)> = CURVES
            .iter()
            .map(|(n, s)| (n.to_string(), Key::Line(*s)))
            .collect();
        entries.insert(1, ("95% interval of pass^k".into(), Key::Band(BLUE)));
        legend_at_right(root, &entries)?;
        let mut remarks = vec![
            "band: 95% Wilson interval of pass^k over tasks (each task one observation)"
                .to_string(),
        ];
        if report.pass_k.is_empty() {
            remarks = vec!["no pass^k in this summary: run with --pass-k K (K > 1)".to_string()];
        }
        notes(root, &remarks)
    }
}

/// Tick positions on the k axis: every k up to 12, then about ten evenly spaced.
fn k_ticks(k_max: usize) -> Vec<f64> {
    let step = k_max.div_ceil(10).max(1);
    (1..=k_max.max(1))
        .filter(|k| k_max <= 12 || (k - 1) % step == 0 || *k == k_max)
        .map(|k| k as f64)
        .collect()
}
