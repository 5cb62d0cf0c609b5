//! Per-node failure attribution of one run (from its summary.json): which
//! node or hand-off introduced the wrong answers that reached users, and
//! where loud failures happened and retries ran out.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Deserialize;

use super::canvas::{Area, Backend, Chart, DrawResult};
use super::frame::{Key, LEGEND_WIDTH, house_style, legend_at_right, notes, plot};
use super::scale::{Scale, Ticked, format_number};
use super::style::{INK, LABEL_SIZE, SKY_BLUE, VERMILLION, YELLOW, text};
use crate::stats::summary::ExecSummary;

/// The part of summary.json this chart reads (other fields are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct NodeReport {
    /// Scenario name.
    pub scenario: String,
    /// Trials run.
    pub trials: u64,
    /// Per node and edge figures.
    pub nodes: Vec<ExecSummary>,
}

/// Figures shown per node, top to bottom within a node's group.
const FIGURES: [(&str, RGBColor); 4] = [
    ("silent corruptions introduced", YELLOW),
    ("wrong answers delivered (started here)", VERMILLION),
    ("loud failures (attempts)", SKY_BLUE),
    ("gave up (retries or loops exhausted)", INK),
];

/// Most nodes shown; the ones with the most failures are kept.
const MAX_NODES: usize = 20;
fn figures(n: &ExecSummary) -> [u64; 4] {
    [
        n.silent_introduced,
        n.silent_reached_user,
        n.loud_failures,
        n.exhausted + n.gate_exhausted,
    ]
}

/// The attribution chart of one run.
pub struct NodesChart<'a>(pub &'a NodeReport);

impl Chart for NodesChart<'_> {
    fn name(&self) -> &str {
        "nodes"
    }

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        let report = self.0;
        let mut shown: Vec<&ExecSummary> = report
            .nodes
            .iter()
            .filter(|n| figures(n).iter().any(|&c| c > 0))
            .collect();
        let mut remarks = Vec::new();
        if shown.is_empty() {
            remarks.push("no node recorded any failure".to_string());
        }
        if shown.len() > MAX_NODES {
            let mut by_weight = shown.clone();
            by_weight.sort_by_key(|n| {
                std::cmp::Reverse(figures(n)[1..].iter().sum::<u64>() + figures(n)[0] / 4)
            });
            let keep: Vec<&str> = by_weight[..MAX_NODES]
                .iter()
                .map(|n| n.id.as_str())
                .collect();
            remarks.push(format!(
                "{MAX_NODES} of {} nodes with failures shown (the most failing)",
                shown.len()
            ));
            shown.retain(|n| keep.contains(&n.id.as_str()));
        }
        let per_k = |c: u64| 1000.0 * c as f64 / report.trials.max(1) as f64;
        let max = shown
            .iter()
            .flat_map(|n| figures(n))
            .map(per_k)
            .fold(0.0, f64::max);
        let x = Scale {
            lo: 0.0,
            hi: if max > 0.0 { max * 1.15 } else { 1.0 },
            log: false,
        };
        let rows = shown.len().max(1);
        // The first node at the top.
        let slot = |i: usize| (rows - 1 - i) as f64;
        let keys: Vec<f64> = (0..shown.len()).map(|i| slot(i) + 0.5).collect();
        let names: Vec<String> = shown.iter().map(|n| n.id.clone()).collect();
        let title = format!(
            "{}: where failures start, per node ({} tasks)",
            report.scenario, report.trials
        );
        let y = Ticked::new(0.0, rows as f64, keys);
        let mut chart = plot(root, &title, LEGEND_WIDTH, 240, x.coord(), y)?;
        house_style(&mut chart.configure_mesh())
            .disable_y_mesh()
            .x_desc("events per 1000 tasks")
            .y_desc("node or hand-off")
            .x_label_formatter(&|v| format_number(*v))
            .y_label_formatter(&|v| {
                names
                    .get(rows - 1 - v.floor() as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .draw()?;
        let labelled = shown.len() <= 12;
        for (i, n) in shown.iter().enumerate() {
            for (k, (count, (_, colour))) in figures(n).iter().zip(FIGURES).enumerate() {
                let top = slot(i) + 0.9 - k as f64 * 0.2;
                let v = per_k(*count);
                chart.draw_series([
                    Rectangle::new([(0.0, top - 0.18), (v, top)], colour.filled()),
                    Rectangle::new([(0.0, top - 0.18), (v, top)], INK.stroke_width(1)),
                ])?;
                if labelled && *count > 0 {
                    let style = text(LABEL_SIZE - 5).pos(Pos::new(HPos::Left, VPos::Center));
                    chart.draw_series([Text::new(
                        format!(" {}", format_number(v)),
                        (v, top - 0.09),
                        style,
                    )])?;
                }
            }
        }
        let entries: Vec<(String, Key)> = FIGURES
            .iter()
            .map(|(name, colour)| (name.to_string(), Key::Swatch(*colour)))
            .collect();
        legend_at_right(root, &entries)?;
        notes(root, &remarks)
    }
}
