//! Throughput and goodput against the first varied axis (the offered load),
//! drawn when the summaries report them: loaded runs (`[workload]`) give
//! `load.throughput.mean` and `load.goodput.mean`, in tasks per second.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, DrawResult};
use super::frame::{Frame, legend_corner, notes};
use super::scale::{Scale, prefers_log};
use super::series::{MAX_SERIES, axis_title, lines};
use super::style::{LineStyle, draw_legend, draw_line};
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

/// The goodput chart of a sweep (only drawn when [`columns`] is not empty).
pub struct GoodputChart<'a>(pub &'a SweepTable);

impl Chart for GoodputChart<'_> {
    fn name(&self) -> &str {
        "goodput"
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let t = self.0;
        let cols = columns(t);
        let (series, truncated) = lines(t);
        let mut remarks: Vec<String> = truncated.into_iter().collect();
        let mut drawn: Vec<(String, Vec<usize>, &str)> = Vec::new();
        for s in &series {
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
            remarks.push(format!("{MAX_SERIES} of {} lines shown", drawn.len()));
            drawn.truncate(MAX_SERIES);
        }
        let xs: Vec<f64> = (0..t.rows.len()).map(|r| t.axis_value(r, 0)).collect();
        let ys: Vec<f64> = drawn
            .iter()
            .flat_map(|(_, rows, c)| rows.iter().filter_map(|&r| t.get(r, c)))
            .chain([0.0])
            .collect();
        let x = Scale::fit(&xs, prefers_log(&xs), 0.03);
        let y = Scale::fit(&ys, false, 0.06).clamp(0.0, f64::INFINITY);
        let y_title = "throughput / goodput (tasks per second)".to_string();
        let title = format!("{}: goodput vs {}", t.scenario(), t.axes[0]);
        let x_title = format!("{} (offered load)", axis_title(&t.axes[0]));
        let frame = Frame {
            title: &title,
            x,
            x_title: &x_title,
            y,
            y_title: &y_title,
        };
        let mut chart = frame.draw(root)?;
        for (i, (label, rows, c)) in drawn.iter().enumerate() {
            let points: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|&r| Some((x.to(t.axis_value(r, 0)), t.get(r, c)?)))
                .collect();
            draw_line(&mut chart, &points, LineStyle::nth(i), Some(label))?;
        }
        let corner = drawn
            .first()
            .map_or(SeriesLabelPosition::UpperLeft, |(_, rows, c)| {
                let at = |r: usize| t.get(r, c).unwrap_or(0.0);
                legend_corner(at(rows[0]), at(rows[rows.len() - 1]))
            });
        draw_legend(&mut chart, corner)?;
        notes(root, &remarks)
    }
}
