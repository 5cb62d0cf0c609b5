//! Charts of sweeps and runs, as PNG and SVG, drawn with plotters and an
//! embedded font (no system fonts needed).
//!
//! Every chart is one file here implementing [`canvas::Chart`]; [`style`]
//! holds the palette (Okabe–Ito, with dashes and markers for greyscale),
//! [`scale`] the axes, [`frame`] the common frame of line charts.

pub mod canvas;
pub mod font;
pub mod frame;
pub mod goodput;
pub mod heatmap;
pub mod latency;
pub mod nodes;
pub mod outcomes;
pub mod scale;
pub mod series;
pub mod style;
pub mod success;

pub use canvas::{HEIGHT, Rendered, WIDTH, render, write_all};

use crate::sweep::SweepTable;

/// The charts of a sweep, rendered in memory, and what was skipped and why.
///
/// Always: `success`, `latency`, `outcomes`. With exactly two axes:
/// `heatmap-success` and `heatmap-p99`. When the summaries report
/// throughput or goodput: `goodput`.
pub fn sweep_charts(table: &SweepTable) -> Result<(Vec<Rendered>, Vec<String>), String> {
    let mut out = vec![
        render(&success::SuccessChart(table))?,
        render(&latency::LatencyChart(table))?,
        render(&outcomes::OutcomesChart(table))?,
    ];
    let mut skipped = Vec::new();
    if goodput::columns(table).is_empty() {
        skipped.push("goodput: the summaries report no throughput or goodput".to_string());
    } else {
        out.push(render(&goodput::GoodputChart(table))?);
    }
    if table.axes.len() == 2 {
        for (column, name, measure) in [
            ("success_rate", "heatmap-success", "P(correct)"),
            ("latency_p99_s", "heatmap-p99", "p99 latency (s)"),
        ] {
            out.push(render(&heatmap::HeatmapChart {
                table,
                column,
                name,
                measure,
            })?);
        }
    } else {
        skipped.push(format!(
            "heatmaps: they need exactly two varied paths (this sweep has {})",
            table.axes.len()
        ));
    }
    Ok((out, skipped))
}
