//! Colours, line styles, markers and text sizes shared by every chart.
//!
//! Colours are the Okabe–Ito palette (distinguishable with the common colour
//! vision deficiencies); every line also has its own dash pattern and marker,
//! so that the charts stay readable in greyscale.

use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::canvas::{Area, Backend, DrawResult};
use super::font::FAMILY;
use super::scale::Ticked;

/// Okabe–Ito black.
pub const INK: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Okabe–Ito orange.
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Okabe–Ito sky blue.
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Okabe–Ito bluish green.
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito yellow.
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
/// Okabe–Ito blue.
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito vermillion.
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito reddish purple.
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);

/// Line colours in order of use (yellow is kept for filled areas: too light for lines).
const LINE_COLOURS: [RGBColor; 6] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY_BLUE];

/// Title text size in pixels.
pub const TITLE_SIZE: u32 = 30;
/// Axis description text size.
pub const AXIS_TITLE_SIZE: u32 = 22;
/// Tick label and legend text size.
pub const LABEL_SIZE: u32 = 18;

/// The caption style for `title`: smaller for long titles so that they fit.
pub fn title_style(title: &str) -> TextStyle<'static> {
    let chars = title.chars().count().max(1) as u32;
    text((TITLE_SIZE * 64 / chars).clamp(20, TITLE_SIZE))
}

/// A text style in the embedded font.
pub fn text(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&INK)
}

/// A chart's drawing context: both axes linear (in log10 units for a log
/// axis) with chosen tick positions.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    /// Continuous.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
}

/// The mark at each data point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A filled square.
    Square,
    /// A cross.
    Cross,
    /// No mark.
    None,
}

/// Colour, dash and marker of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineStyle {
    /// Stroke colour.
    pub colour: RGBColor,
    /// Dash pattern.
    pub dash: Dash,
    /// Point marker.
    pub marker: Marker,
}

impl LineStyle {
    /// The i-th style of a chart: colour, dash and marker all change together.
    pub fn nth(i: usize) -> LineStyle {
        const DASHES: [Dash; 3] = [Dash::Solid, Dash::Dashed, Dash::Dotted];
        const MARKERS: [Marker; 4] = [
            Marker::Circle,
            Marker::Triangle,
            Marker::Square,
            Marker::Cross,
        ];
        LineStyle {
            colour: LINE_COLOURS[i % LINE_COLOURS.len()],
            dash: DASHES[i % DASHES.len()],
            marker: MARKERS[i % MARKERS.len()],
        }
    }

    fn stroke(&self) -> ShapeStyle {
        self.colour.stroke_width(3)
    }
}

/// What drawing directly on a backend returns.
type Drawn<DB> = Result<(), DrawingErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Something drawn around one point, in backend pixels: a marker, a legend glyph.
trait Shape {
    fn draw_at<DB: DrawingBackend>(&self, backend: &mut DB, at: BackendCoord) -> Drawn<DB>;
}

/// A shape pinned to one point: in the chart's coordinates (a marker on a
/// line) or in the backend's (a glyph in the legend).
pub struct Pinned<C, S> {
    at: C,
    shape: S,
}

impl<'a, C, S> PointCollection<'a, C> for &'a Pinned<C, S> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;

    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, S: Shape, DB: DrawingBackend> Drawable<DB> for Pinned<C, S> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Drawn<DB> {
        match points.next() {
            Some(at) => self.shape.draw_at(backend, at),
            None => Ok(()),
        }
    }
}

/// A point marker of a line.
pub struct Dot {
    kind: Marker,
    colour: RGBColor,
}

impl Shape for Dot {
    fn draw_at<DB: DrawingBackend>(&self, backend: &mut DB, (x, y): BackendCoord) -> Drawn<DB> {
        let fill = self.colour.filled();
        match self.kind {
            Marker::Circle => backend.draw_circle((x, y), 6, &fill, true),
            Marker::Triangle => {
                backend.fill_polygon([(x, y - 8), (x - 8, y + 6), (x + 8, y + 6)], &fill)
            }
            Marker::Square => backend.draw_rect((x - 5, y - 5), (x + 5, y + 5), &fill, true),
            Marker::Cross => {
                let stroke = self.colour.stroke_width(3);
                backend.draw_line((x - 6, y - 6), (x + 6, y + 6), &stroke)?;
                backend.draw_line((x - 6, y + 6), (x + 6, y - 6), &stroke)
            }
            Marker::None => Ok(()),
        }
    }
}

/// A line style's legend glyph: a short stretch of the line, with its dashes
/// and marker.
impl Shape for LineStyle {
    fn draw_at<DB: DrawingBackend>(&self, backend: &mut DB, (x, y): BackendCoord) -> Drawn<DB> {
        let (dash, gap) = match self.dash {
            Dash::Solid => (34, 0),
            Dash::Dashed => (10, 5),
            Dash::Dotted => (3, 5),
        };
        let stroke = self.stroke();
        let mut from = x - 4;
        while from < x + 30 {
            let to = (from + dash).min(x + 30);
            backend.draw_line((from, y), (to, y), &stroke)?;
            from = to + gap.max(1);
        }
        let dot = Dot {
            kind: self.marker,
            colour: self.colour,
        };
        dot.draw_at(backend, (x + 13, y))
    }
}

/// Draws a line through `points` with its markers (its legend entry is
/// the caller's: see [`Key`]).
pub fn draw_line<'a, DB: Backend + 'a>(
    chart: &mut Plot<'a, DB>,
    points: &[(f64, f64)],
    style: LineStyle,
) -> DrawResult {
    let stroke = style.stroke();
    let pts = points.to_vec();
    match style.dash {
        Dash::Solid => {
            chart.draw_series(LineSeries::new(pts, stroke))?;
        }
        Dash::Dashed => {
            chart.draw_series(DashedLineSeries::new(pts, 12, 7, stroke))?;
        }
        Dash::Dotted => {
            chart.draw_series(DashedLineSeries::new(pts, 3, 6, stroke))?;
        }
    }
    chart.draw_series(points.iter().map(|&at| Pinned {
        at,
        shape: Dot {
            kind: style.marker,
            colour: style.colour,
        },
    }))?;
    Ok(())
}

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Key {
    /// A stretch of line with its dashes and marker.
    Line(LineStyle),
    /// A filled swatch (bars, areas).
    Swatch(RGBColor),
    /// A pale swatch (an interval band).
    Band(RGBColor),
}

/// Draws a legend key on `root` with its left end at `at` (vertically centred).
pub fn legend_key<DB: Backend>(root: &Area<DB>, key: Key, (x, y): (i32, i32)) -> DrawResult {
    match key {
        Key::Line(style) => {
            root.draw(&Pinned {
                at: (x + 4, y),
                shape: style,
            })?;
        }
        Key::Swatch(colour) | Key::Band(colour) => {
            let fill = match key {
                Key::Band(_) => colour.mix(0.22).filled(),
                _ => colour.filled(),
            };
            root.draw(&Rectangle::new([(x, y - 10), (x + 34, y + 10)], fill))?;
            root.draw(&Rectangle::new(
                [(x, y - 10), (x + 34, y + 10)],
                INK.stroke_width(1),
            ))?;
        }
    }
    Ok(())
}
