//! The frames every chart shares: the page (title, axis titles, the legend
//! in its own column right of the data, notes under the plot), panels for
//! small multiples, the mesh in the house style, and the frame of the SVG
//! charts of a review ([`svg_chart`]). [`SweepLines`] lays out a sweep's
//! line charts: one plot, or one panel per line when lines would overlap.

use std::error::Error;

use plotters::chart::MeshStyle;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{Area, Backend, DrawResult, HEIGHT, WIDTH};
use super::scale::{Scale, Ticked, format_number, prefers_log};
use super::series::{Series, axis_title, lines};
pub use super::style::Key;
use super::style::{AXIS_TITLE_SIZE, INK, LABEL_SIZE, Plot, legend_key, text, title_style};
use crate::sweep::SweepTable;

/// Space under the plot for notes (two lines), in pixels.
const NOTES_HEIGHT: u32 = 50;

/// Room on the right of every chart for its legend, in pixels.
pub const LEGEND_WIDTH: u32 = 320;

/// Most panels of small multiples; more combinations are evenly thinned.
pub const MAX_PANELS: usize = 12;

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
        .axis_style(INK)
}

/// The legend in its column right of the plot: each entry's key and its
/// label, wrapped to the column's width.
pub fn legend_at_right<DB: Backend>(root: &Area<DB>, entries: &[(String, Key)]) -> DrawResult {
    let x = (WIDTH - LEGEND_WIDTH + 16) as i32;
    let mut top = 100;
    for (label, key) in entries {
        legend_key(root, *key, (x, top + 10))?;
        for line in wrap(label, 24) {
            root.draw_text(&line, &text(LABEL_SIZE), (x + 48, top))?;
            top += 22;
        }
        top += 14;
    }
    Ok(())
}

/// Writes `notes` under the plot, at the bottom left, wrapped to two lines.
pub fn notes<DB: Backend>(root: &Area<DB>, notes: &[String]) -> DrawResult {
    if notes.is_empty() {
        return Ok(());
    }
    let all = format!("Note: {}", notes.join("; "));
    let mut y = (HEIGHT - NOTES_HEIGHT + 6) as i32;
    for line in wrap(&all, 130).into_iter().take(2) {
        root.draw_text(&line, &text(LABEL_SIZE - 2), (20, y))?;
        y += 21;
    }
    Ok(())
}

/// `s` broken at spaces into lines of at most about `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in s.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A chart page: the title on top, the legend column on the right, notes at
/// the bottom, the axis titles along the left and bottom edges, and `count`
/// panels in a grid (at most four across) in the space left; returns the
/// panels' areas, row by row.
pub fn page<DB: Backend>(
    root: &Area<DB>,
    title: &str,
    x_title: &str,
    y_title: &str,
    count: usize,
    legend: &[(String, Key)],
    remarks: &[String],
) -> Result<Vec<Area<DB>>, Box<dyn Error>> {
    let body = root.titled(title, title_style(title))?;
    let (body, _) = body.split_horizontally(WIDTH - LEGEND_WIDTH);
    let (_, h) = body.dim_in_pixel();
    let (body, _) = body.split_vertically(h.saturating_sub(NOTES_HEIGHT));
    let (w, h) = body.dim_in_pixel();
    let (y_title_area, body) = body.split_horizontally(34);
    let (body, x_title_area) = body.split_vertically(h.saturating_sub(34));
    let vertical = text(AXIS_TITLE_SIZE)
        .transform(FontTransform::Rotate270)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let (_, yh) = y_title_area.dim_in_pixel();
    y_title_area.draw_text(y_title, &vertical, (14, yh as i32 / 2))?;
    let centred = text(AXIS_TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
    x_title_area.draw_text(x_title, &centred, (((w - 34) / 2) as i32, 16))?;
    legend_at_right(root, legend)?;
    notes(root, remarks)?;
    let count = count.max(1);
    let cols = grid_columns(count);
    let rows = count.div_ceil(cols);
    Ok(body
        .split_evenly((rows, cols))
        .into_iter()
        .take(count)
        .collect())
}

/// Panels across in the grid of `count` panels: at most four.
pub fn grid_columns(count: usize) -> usize {
    match count {
        0 | 1 => 1,
        2 | 4 => 2,
        3 | 5 | 6 | 9 => 3,
        _ => 4,
    }
}

/// The width of each panel of a grid of `count`, in pixels.
pub fn panel_width(count: usize) -> u32 {
    (WIDTH - LEGEND_WIDTH - 34) / grid_columns(count) as u32
}

/// A panel's plot: its caption (small multiples name their combination),
/// `y_labels` pixels for the tick labels on the left.
pub fn panel<'a, DB: Backend>(
    area: &'a Area<DB>,
    caption: Option<&str>,
    y_labels: u32,
    x: Ticked,
    y: Ticked,
) -> Result<Plot<'a, DB>, Box<dyn Error>> {
    let mut builder = ChartBuilder::on(area);
    if let Some(caption) = caption {
        builder.caption(caption, text(LABEL_SIZE - 2));
    }
    Ok(builder
        .margin(8)
        .margin_right(18)
        .x_label_area_size(32)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)?)
}

/// The panels of a page, each with the indices of the lines it shows.
pub type Panels<DB> = Vec<(Area<DB>, Vec<usize>)>;

/// How a sweep's lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Every line in one plot.
    Together,
    /// One panel per line (small multiples), sharing both scales.
    Apart,
}

/// A line chart of a sweep against its first varied axis: one line per
/// combination of the other axes, the notes gathered so far, and the
/// horizontal scale.
pub struct SweepLines<'t> {
    /// The sweep.
    pub table: &'t SweepTable,
    /// The lines (at most [`MAX_PANELS`], evenly spread over all).
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
        let (series, truncated) = lines(table, MAX_PANELS);
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

    /// The horizontal axis's title: the first axis with its unit, marked as
    /// the offered load when it is a workload's.
    pub fn x_title(&self) -> String {
        let axis = &self.table.axes[0];
        let title = axis_title(axis);
        if axis.starts_with("workload.") {
            format!("{title}: offered load")
        } else {
            title
        }
    }

    /// Draws the page, captioned `<scenario>: <what> vs <first axis>`, and
    /// returns its panels with the lines each shows: one panel with every
    /// line (`Together`), or one per line (`Apart`). Draw each with
    /// [`SweepLines::plot`].
    pub fn panels<DB: Backend>(
        &self,
        root: &Area<DB>,
        what: &str,
        layout: Layout,
        y_title: &str,
        legend: &[(String, Key)],
    ) -> Result<Panels<DB>, Box<dyn Error>> {
        let t = self.table;
        let title = format!("{}: {what} vs {}", t.scenario(), t.axes[0]);
        let groups: Vec<Vec<usize>> = match layout {
            Layout::Together => vec![(0..self.series.len()).collect()],
            Layout::Apart => (0..self.series.len()).map(|i| vec![i]).collect(),
        };
        let areas = page(
            root,
            &title,
            &self.x_title(),
            y_title,
            groups.len(),
            legend,
            &self.remarks,
        )?;
        Ok(areas.into_iter().zip(groups).collect())
    }

    /// The plot of one panel showing `group` on the vertical scale `y`:
    /// captioned with its line's combination when the lines are apart,
    /// with fewer ticks when the panel is small.
    pub fn plot<'a, DB: Backend>(
        &self,
        area: &'a Area<DB>,
        group: &[usize],
        apart: bool,
        y: Scale,
    ) -> Result<Plot<'a, DB>, Box<dyn Error>> {
        let x = self.x;
        let caption = apart.then(|| self.series[group[0]].label.as_str());
        let (xc, yc) = if apart {
            let (w, h) = area.dim_in_pixel();
            (
                x.coord_with_at_most((w / 70).max(2) as usize),
                y.coord_with_at_most((h / 45).max(2) as usize),
            )
        } else {
            (x.coord(), y.coord())
        };
        let mut chart = panel(area, caption, if apart { 58 } else { 74 }, xc, yc)?;
        house_style(&mut chart.configure_mesh())
            .x_label_formatter(&|v| format_number(x.from(*v)))
            .y_label_formatter(&|v| format_number(y.from(*v)))
            .draw()?;
        Ok(chart)
    }
}

/// An SVG chart of a review (`width` × `height`): the embedded font
/// registered, a white page, `draw`, and the text outlined (see
/// [`super::outline`]) so that it shows in the embedded font everywhere.
pub fn svg_chart(
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area<SVGBackend<'_>>) -> DrawResult,
) -> Result<String, String> {
    super::font::register()?;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| format!("cannot draw the chart: {e}"))?;
        draw(&root).map_err(|e| format!("cannot draw the chart: {e}"))?;
        root.present()
            .map_err(|e| format!("cannot draw the chart: {e}"))?;
    }
    Ok(super::outline::outline_text(&buf))
}
