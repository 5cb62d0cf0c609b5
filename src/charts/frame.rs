//! The frames every chart shares: caption, margins, axes with their titles
//! and ticks, faint grid, notes under the plot. [`SweepLines`] is the frame of
//! a sweep's line charts (the first varied axis along x), [`plot`] with
//! [`LEGEND_WIDTH`] and [`legend_at_right`] that of bar charts.

use std::error::Error;

use plotters::chart::MeshStyle;
use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult, HEIGHT, WIDTH};
use super::scale::{Scale, Ticked, format_number, prefers_log};
use super::series::{Series, axis_title, lines};
use super::style::{
    AXIS_TITLE_SIZE, INK, LABEL_SIZE, Plot, draw_legend, side_legend, text, title_style,
};
use crate::sweep::SweepTable;

/// Space under the plot for notes, in pixels.
const NOTES_HEIGHT: u32 = 34;

/// Room on the right of a bar chart for its legend, in pixels.
pub const LEGEND_WIDTH: u32 = 330;

/// A plot on `root` captioned `title`, with room for notes under it, `right`
/// pixels on its right and `y_labels` pixels for the vertical axis's labels.
pub fn plot<'a, DB: Backend>(
    root: &'a Area<DB>,
    title: &str,
    right: u32,
    y_labels: u32,
    x: Ticked,
    y: Ticked,
) -> Result<Plot<'a, DB>, Box<dyn Error>> {
    Ok(ChartBuilder::on(root)
        .caption(title, title_style(title))
        .margin(20)
        .margin_right(right)
        .margin_bottom(NOTES_HEIGHT)
        .x_label_area_size(70)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)?)
}

/// The mesh in the house style: axis titles and tick labels in the embedded
/// font, faint grid lines at the ticks only.
pub fn house_style<'m, 'a, 'b, DB: Backend>(
    mesh: &'m mut MeshStyle<'a, 'b, Ticked, Ticked, DB>,
) -> &'m mut MeshStyle<'a, 'b, Ticked, Ticked, DB> {
    mesh.axis_desc_style(text(AXIS_TITLE_SIZE))
        .label_style(text(LABEL_SIZE))
        .bold_line_style(INK.mix(0.12))
        .light_line_style(TRANSPARENT)
}

/// A bar chart's legend: filled swatches in the room [`LEGEND_WIDTH`] leaves
/// on the right.
pub fn legend_at_right<DB: Backend>(root: &Area<DB>, entries: &[(&str, RGBColor)]) -> DrawResult {
    side_legend(root, entries, (WIDTH - LEGEND_WIDTH + 20) as i32, 110)
}

/// A line chart of a sweep against its first varied axis: one line per
/// combination of the other axes, the notes gathered so far, and the
/// horizontal scale.
pub struct SweepLines<'t> {
    /// The sweep.
    pub table: &'t SweepTable,
    /// The lines drawn (at most [`super::series::MAX_SERIES`]).
    pub series: Vec<Series>,
    /// Notes for under the plot (first: lines left out, if any).
    pub remarks: Vec<String>,
    /// The horizontal axis: the first varied axis, on a log scale when it
    /// spans decades.
    pub x: Scale,
}

impl<'t> SweepLines<'t> {
    /// The lines of `table` and the horizontal scale fitted to them.
    pub fn new(table: &'t SweepTable) -> SweepLines<'t> {
        let (series, truncated) = lines(table);
        let xs: Vec<f64> = (0..table.rows.len())
            .map(|r| table.axis_value(r, 0))
            .collect();
        SweepLines {
            table,
            series,
            remarks: truncated.into_iter().collect(),
            x: Scale::fit(&xs, prefers_log(&xs), 0.03),
        }
    }

    /// Draws the frame, captioned `<scenario>: <what> vs <first axis>`, its
    /// horizontal axis titled after the first axis and `x_note`, and returns
    /// the plot to draw the lines on.
    pub fn frame<'a, DB: Backend>(
        &self,
        root: &'a Area<DB>,
        what: &str,
        x_note: &str,
        y: Scale,
        y_title: &str,
    ) -> Result<Plot<'a, DB>, Box<dyn Error>> {
        let t = self.table;
        let title = format!("{}: {what} vs {}", t.scenario(), t.axes[0]);
        let x = self.x;
        let mut chart = plot(root, &title, 40, 100, x.coord(), y.coord())?;
        house_style(&mut chart.configure_mesh())
            .x_desc(format!("{}{x_note}", axis_title(&t.axes[0])))
            .y_desc(y_title)
            .x_label_formatter(&|v| format_number(x.from(*v)))
            .y_label_formatter(&|v| format_number(y.from(*v)))
            .axis_style(INK)
            .draw()?;
        Ok(chart)
    }

    /// Draws the legend in the corner the first line leaves free, judged by
    /// `column` at its two ends (`default` without a line or a column), then
    /// the notes.
    pub fn finish<'a, DB: Backend + 'a>(
        &self,
        root: &Area<DB>,
        chart: &mut Plot<'a, DB>,
        column: Option<&str>,
        default: SeriesLabelPosition,
    ) -> DrawResult {
        let corner = match (self.series.first(), column) {
            (Some(s), Some(c)) => {
                let at = |r: usize| self.table.get(r, c).unwrap_or(0.0);
                legend_corner(at(s.rows[0]), at(s.rows[s.rows.len() - 1]))
            }
            _ => default,
        };
        draw_legend(chart, corner)?;
        notes(root, &self.remarks)
    }
}

/// Writes `notes` (one line, `;`-separated) under the plot, at the bottom left.
pub fn notes<DB: Backend>(root: &Area<DB>, notes: &[String]) -> DrawResult {
    if !notes.is_empty() {
        let line = format!("Note: {}", notes.join("; "));
        root.draw_text(
            &line,
            &text(LABEL_SIZE - 2),
            (20, (HEIGHT - NOTES_HEIGHT + 8) as i32),
        )?;
    }
    Ok(())
}

/// Where a legend goes so as to cover the least data: lines falling from left
/// to right leave the upper right free, rising ones the lower right.
fn legend_corner(first_y: f64, last_y: f64) -> SeriesLabelPosition {
    if last_y < first_y {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    }
}
