//! Throughput and goodput against the first varied axis, drawn when the
//! summaries report them: loaded runs (`[workload]`) give
//! `load.throughput.mean` and `load.goodput.mean`, in tasks per second. One
//! plot for a single line, small multiples (one panel per combination of
//! the other axes) otherwise, so that every combination is shown.

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{Key, Layout, SweepLines};
use super::scale::Scale;
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

/// Draws the goodput chart of a sweep (only drawn when [`columns`] is not empty).
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let cols = columns(t);
    let lines = SweepLines::new(t);
    let ys: Vec<f64> = (0..t.rows.len())
        .flat_map(|r| cols.iter().filter_map(move |c| t.get(r, c)))
        .chain([0.0])
        .collect();
    let y = Scale::fit(&ys, false, 0.06).clamp(0.0, f64::INFINITY);
    let layout = if lines.series.len() > 1 {
        Layout::Apart
    } else {
        Layout::Together
    };
    let legend: Vec<(String, Key)> = COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| cols.contains(c))
        .map(|(k, (_, label))| (label.to_string(), Key::Line(LineStyle::nth(k))))
        .collect();
    let x = lines.x;
    let y_title = "tasks per second";
    let apart = layout == Layout::Apart;
    let what = "throughput and goodput";
    for (area, group) in &lines.panels(root, what, layout, y_title, &legend)? {
        let mut chart = lines.plot(area, group, apart, y)?;
        for &i in group {
            for (k, (column, _)) in COLUMNS.iter().enumerate() {
                let points: Vec<(f64, f64)> = lines.series[i]
                    .rows
                    .iter()
                    .filter_map(|&r| Some((x.to(t.axis_value(r, 0)), t.get(r, column)?)))
                    .collect();
                if !points.is_empty() {
                    draw_line(&mut chart, &points, LineStyle::nth(k))?;
                }
            }
        }
    }
    Ok(())
}
