//! A figure (success rate, p99 latency) over a two-axis sweep, as a heatmap
//! with a colour bar. Viridis colours: lightness rises with the value, so the
//! map reads in greyscale and with colour-vision deficiencies.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, Backend, Chart, DrawResult, WIDTH};
use super::frame::{notes, plot};
use super::scale::{Scale, Ticked, format_number};
use super::series::axis_title;
use super::style::{AXIS_TITLE_SIZE, INK, LABEL_SIZE, text};
use crate::sweep::SweepTable;

/// Width of the colour bar area, in pixels.
const BAR_AREA: u32 = 190;
/// Cells are labelled with their value when there are at most this many.
const MAX_LABELLED_CELLS: usize = 150;
/// Tick labels per axis at most; beyond, every k-th value is labelled.
const MAX_TICK_LABELS: usize = 16;

/// A heatmap of `column` over the first two axes of a sweep.
pub struct HeatmapChart<'a> {
    /// The sweep (exactly two axes).
    pub table: &'a SweepTable,
    /// The figure shown, e.g. `success_rate`.
    pub column: &'a str,
    /// The file name, e.g. `heatmap-success`.
    pub name: &'a str,
    /// What the colours mean, with units.
    pub measure: &'a str,
}

impl Chart for HeatmapChart<'_> {
    fn name(&self) -> &str {
        self.name
    }

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        let t = self.table;
        let xs = distinct(t, 0);
        let ys = distinct(t, 1);
        let values: Vec<f64> = (0..t.rows.len())
            .filter_map(|r| t.get(r, self.column))
            .collect();
        let range = Scale::fit(&values, false, 0.0);
        let (main, bar) = root.split_horizontally(WIDTH - BAR_AREA);
        let title = format!(
            "{}: {} over {} × {}",
            t.scenario(),
            self.measure,
            t.axes[0],
            t.axes[1]
        );
        let keys = |n: usize| {
            let every = n.div_ceil(MAX_TICK_LABELS).max(1);
            (0..n)
                .step_by(every)
                .map(|i| i as f64 + 0.5)
                .collect::<Vec<_>>()
        };
        let label = |values: &[f64], v: f64| {
            values
                .get(v.floor() as usize)
                .map_or(String::new(), |x| format_number(*x))
        };
        let x = Ticked::new(0.0, xs.len() as f64, keys(xs.len()));
        let y = Ticked::new(0.0, ys.len() as f64, keys(ys.len()));
        let mut chart = plot(&main, &title, 20, 100, x, y)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(axis_title(&t.axes[0]))
            .y_desc(axis_title(&t.axes[1]))
            .axis_desc_style(text(AXIS_TITLE_SIZE))
            .label_style(text(LABEL_SIZE))
            .x_label_formatter(&|v| label(&xs, *v))
            .y_label_formatter(&|v| label(&ys, *v))
            .draw()?;
        let labelled = t.rows.len() <= MAX_LABELLED_CELLS;
        let mut empty = false;
        for r in 0..t.rows.len() {
            let (Some(i), Some(j)) = (
                position(&xs, t.axis_value(r, 0)),
                position(&ys, t.axis_value(r, 1)),
            ) else {
                continue;
            };
            let (x0, y0) = (i as f64, j as f64);
            let Some(v) = t.get(r, self.column) else {
                empty = true;
                chart.draw_series([Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    INK.mix(0.08).filled(),
                )])?;
                continue;
            };
            let colour = viridis(normalise(v, range));
            chart.draw_series([Rectangle::new(
                [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                colour.filled(),
            )])?;
            if labelled {
                let ink = if luminance(colour) > 0.45 {
                    BLACK
                } else {
                    WHITE
                };
                let style = text(LABEL_SIZE - 2)
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series([Text::new(cell_label(v), (x0 + 0.5, y0 + 0.5), style)])?;
            }
        }
        colour_bar(&bar, range, self.measure)?;
        let remark = "grey cells have no value".to_string();
        notes(
            root,
            if empty {
                std::slice::from_ref(&remark)
            } else {
                &[]
            },
        )
    }
}

/// The vertical colour bar with its scale.
fn colour_bar<DB: Backend>(area: &Area<DB>, range: Scale, measure: &str) -> DrawResult {
    let mut bar = ChartBuilder::on(area)
        .margin_top(90)
        .margin_bottom(124)
        .margin_right(20)
        .y_label_area_size(110)
        .build_cartesian_2d(0.0..1.0, range.lo..range.hi.max(range.lo + f64::EPSILON))?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(measure)
        .axis_desc_style(text(LABEL_SIZE))
        .label_style(text(LABEL_SIZE - 2))
        .y_label_formatter(&|v| format_number(*v))
        .draw()?;
    let steps = 200;
    let h = (range.hi - range.lo) / steps as f64;
    bar.draw_series((0..steps).map(|k| {
        let lo = range.lo + k as f64 * h;
        Rectangle::new(
            [(0.0, lo), (1.0, lo + h)],
            viridis((k as f64 + 0.5) / steps as f64).filled(),
        )
    }))?;
    Ok(())
}

/// The distinct values of axis `axis`, ascending.
fn distinct(t: &SweepTable, axis: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..t.rows.len()).map(|r| t.axis_value(r, axis)).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

fn position(values: &[f64], v: f64) -> Option<usize> {
    values.iter().position(|x| *x == v)
}

fn normalise(v: f64, range: Scale) -> f64 {
    if range.hi > range.lo {
        ((v - range.lo) / (range.hi - range.lo)).clamp(0.0, 1.0)
    } else {
        0.5
    }
}

/// A cell's text: rates with 4 decimals, other figures with 4 significant digits.
fn cell_label(v: f64) -> String {
    if (0.0..=1.0).contains(&v) {
        format!("{v:.4}")
    } else {
        format_number(v)
    }
}

/// Viridis at `u` in [0, 1], interpolated between eleven of its colours.
fn viridis(u: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (68, 1, 84),
        (72, 36, 117),
        (65, 68, 135),
        (53, 95, 141),
        (42, 120, 142),
        (33, 145, 140),
        (34, 168, 132),
        (68, 191, 112),
        (122, 209, 81),
        (189, 223, 38),
        (253, 231, 37),
    ];
    let f = u.clamp(0.0, 1.0) * 10.0;
    let i = (f.floor() as usize).min(9);
    let w = f - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * w).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Relative luminance (0 black, 1 white), to pick readable text on a cell.
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}
