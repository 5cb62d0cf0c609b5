//! Throughput and goodput against the first varied axis (the offered load),
//! drawn when the summaries report them (columns named `*throughput*` or
//! `*goodput*`, e.g. from a contended-substrate scenario).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Chart, DrawResult};
use super::frame::{Frame, legend_corner, notes};
use super::scale::{Scale, prefers_log};
use super::series::{MAX_SERIES, axis_title, lines};
use super::style::{LineStyle, draw_legend, draw_line};
use crate::sweep::SweepTable;

/// The throughput/goodput columns of `table`, if any.
pub fn columns(table: &SweepTable) -> Vec<&str> {
    table
        .columns
        .iter()
        .map(String::as_str)
        .filter(|c| c.contains("throughput") || c.contains("goodput"))
        .collect()
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
                    c.to_string()
                } else {
                    format!("{}, {c}", s.label)
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
        let unit = if cols.iter().all(|c| c.ends_with("per_s")) {
            "tasks per second"
        } else {
            "as reported in the summary"
        };
        let y_title = format!("throughput / goodput ({unit})");
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
