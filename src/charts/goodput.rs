//! Throughput and goodput against the first varied axis (the offered load),
//! drawn when the summaries report them: loaded runs (`[workload]`) give
//! `load.throughput.mean` and `load.goodput.mean`, in tasks per second.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::SweepLines;
use super::scale::Scale;
use super::series::MAX_SERIES;
use super::style::{LineStyle, draw_line};
use crate::sweep::SweepTable;

/// The summary columns drawn, with their legend labels.
const COLUMNS: [(&str, &str); 2] = [
    ("load.throughput.mean", "throughput (tasks finished/s)"),
    ("load.goodput.mean", "goodput (correct tasks/s)"),
];

/// The throughput/goodput columns of `table`, if any.
pub fn columns(table: &SweepTable) -> Vec<&str> {
    COLUMNS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| table.columns.iter().any(|have| have == c))
        .collect()
}

fn label_of(column: &str) -> &str {
    COLUMNS
        .iter()
        .find(|(c, _)| *c == column)
        .map_or(column, |(_, label)| label)
}

/// Draws the goodput chart of a sweep (only drawn when [`columns`] is not empty).
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let cols = columns(t);
    let mut lines = SweepLines::new(t);
    let mut drawn: Vec<(String, Vec<usize>, &str)> = Vec::new();
    for s in &lines.series {
        for c in &cols {
            let label = if s.label.is_empty() {
                label_of(c).to_string()
            } else {
                format!("{}, {}", s.label, label_of(c))
            };
            drawn.push((label, s.rows.clone(), c));
        }
    }
    if drawn.len() > MAX_SERIES {
        let note = format!("{MAX_SERIES} of {} lines shown", drawn.len());
        lines.remarks.push(note);
        drawn.truncate(MAX_SERIES);
    }
    let ys: Vec<f64> = drawn
        .iter()
        .flat_map(|(_, rows, c)| rows.iter().filter_map(|&r| t.get(r, c)))
        .chain([0.0])
        .collect();
    let y = Scale::fit(&ys, false, 0.06).clamp(0.0, f64::INFINITY);
    let y_title = "throughput / goodput (tasks per second)";
    let mut chart = lines.frame(root, "goodput", " (offered load)", y, y_title)?;
    let x = lines.x;
    for (i, (label, rows, c)) in drawn.iter().enumerate() {
        let points: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|&r| Some((x.to(t.axis_value(r, 0)), t.get(r, c)?)))
            .collect();
        draw_line(&mut chart, &points, LineStyle::nth(i), Some(label))?;
    }
    // The legend avoids the first line drawn: the first series' first column.
    let upper_left = SeriesLabelPosition::UpperLeft;
    lines.finish(root, &mut chart, cols.first().copied(), upper_left)
}
