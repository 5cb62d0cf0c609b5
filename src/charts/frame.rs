//! The frame of a line chart: title, axes with their titles and ticks, grid,
//! and notes under the plot.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{DrawResult, HEIGHT};
use super::scale::{Scale, format_number};
use super::style::{AXIS_TITLE_SIZE, INK, LABEL_SIZE, Plot, text, title_style};

/// Space under the plot for notes, in pixels.
const NOTES_HEIGHT: u32 = 34;

/// What a line chart's frame shows.
pub struct Frame<'t> {
    /// The caption.
    pub title: &'t str,
    /// Horizontal axis.
    pub x: Scale,
    /// Its title, with units.
    pub x_title: &'t str,
    /// Vertical axis.
    pub y: Scale,
    /// Its title, with units.
    pub y_title: &'t str,
}

impl Frame<'_> {
    /// Draws the frame on `root` and returns the plot to draw data on.
    pub fn draw<'a, DB: DrawingBackend>(
        &self,
        root: &'a DrawingArea<DB, Shift>,
    ) -> Result<Plot<'a, DB>, Box<dyn std::error::Error>>
    where
        DB::ErrorType: 'static,
    {
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, title_style(self.title))
            .margin(20)
            .margin_right(40)
            .margin_bottom(NOTES_HEIGHT)
            .x_label_area_size(70)
            .y_label_area_size(100)
            .build_cartesian_2d(self.x.coord(), self.y.coord())?;
        let (x, y) = (self.x, self.y);
        chart
            .configure_mesh()
            .x_desc(self.x_title)
            .y_desc(self.y_title)
            .axis_desc_style(text(AXIS_TITLE_SIZE))
            .label_style(text(LABEL_SIZE))
            .x_label_formatter(&|v| format_number(x.from(*v)))
            .y_label_formatter(&|v| format_number(y.from(*v)))
            .bold_line_style(INK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .draw()?;
        Ok(chart)
    }
}

/// Writes `notes` (one line, `;`-separated) under the plot, at the bottom left.
pub fn notes<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, notes: &[String]) -> DrawResult
where
    DB::ErrorType: 'static,
{
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
pub fn legend_corner(first_y: f64, last_y: f64) -> SeriesLabelPosition {
    if last_y < first_y {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    }
}
