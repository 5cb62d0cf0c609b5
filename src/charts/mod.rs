//! Charts of sweeps and runs, as PNG and SVG, drawn with plotters and an
//! embedded font (no system fonts needed).
//!
//! Every chart is one file here: a sweep's charts drawn from its table alone
//! are functions behind [`SweepChart`], the others implement
//! [`canvas::Chart`] themselves; [`style`] holds the palette (Okabe–Ito,
//! with dashes and markers for greyscale), [`scale`] the axes, [`frame`] the
//! frames every chart shares.

pub mod canvas;
pub mod font;
pub mod frame;
pub mod goodput;
pub mod heatmap;
pub mod latency;
pub mod nodes;
pub mod outcomes;
pub mod outline;
pub mod pass_k;
pub mod scale;
pub mod series;
pub mod style;
pub mod success;

pub use canvas::{HEIGHT, Rendered, WIDTH, render, write_all};

use canvas::{Area, Backend, Chart, DrawResult};

use crate::sweep::SweepTable;

/// A chart of a sweep drawn from its table alone.
#[derive(Debug, Clone, Copy)]
pub enum SweepChart<'a> {
    /// Success rate with its band and closed form ([`success`]).
    Success(&'a SweepTable),
    /// Latency quantiles ([`latency`]).
    Latency(&'a SweepTable),
    /// How tasks end, per point ([`outcomes`]).
    Outcomes(&'a SweepTable),
    /// Throughput and goodput of loaded runs ([`goodput`]).
    Goodput(&'a SweepTable),
}

impl Chart for SweepChart<'_> {
    fn name(&self) -> &str {
        match self {
            SweepChart::Success(_) => "success",
            SweepChart::Latency(_) => "latency",
            SweepChart::Outcomes(_) => "outcomes",
            SweepChart::Goodput(_) => "goodput",
        }
    }

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        match *self {
            SweepChart::Success(t) => success::draw(t, root),
            SweepChart::Latency(t) => latency::draw(t, root),
            SweepChart::Outcomes(t) => outcomes::draw(t, root),
            SweepChart::Goodput(t) => goodput::draw(t, root),
        }
    }
}

/// The charts of a sweep, rendered in memory, and what was skipped and why.
///
/// Always: `success`, `latency`, `outcomes`. With exactly two axes:
/// `heatmap-success` and `heatmap-p99`. When the summaries report
/// throughput or goodput: `goodput`.
pub fn sweep_charts(table: &SweepTable) -> Result<(Vec<Rendered>, Vec<String>), String> {
    let mut out = vec![
        render(&SweepChart::Success(table))?,
        render(&SweepChart::Latency(table))?,
        render(&SweepChart::Outcomes(table))?,
    ];
    let mut skipped = Vec::new();
    if goodput::columns(table).is_empty() {
        skipped.push("goodput: the summaries report no throughput or goodput".to_string());
    } else {
        out.push(render(&SweepChart::Goodput(table))?);
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
