//! Drawing one chart to PNG and SVG in memory, then writing both atomically.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font;
use crate::output::files::write_atomic;

/// Width of every chart in pixels (PNG) and user units (SVG).
pub const WIDTH: u32 = 1200;
/// Height of every chart.
pub const HEIGHT: u32 = 800;

/// What drawing returns: plotters' errors, boxed.
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A plotters backend whose errors can be boxed into a [`DrawResult`]
/// (PNG and SVG both are): one bound instead of a `where` clause on every
/// drawing function.
pub trait Backend: DrawingBackend<ErrorType: 'static> {}

impl<DB: DrawingBackend<ErrorType: 'static>> Backend for DB {}

/// The whole canvas of a chart, or a part of it.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// A chart that can draw itself on any plotters backend.
pub trait Chart {
    /// The file name without extension, e.g. `success`.
    fn name(&self) -> &str;

    /// Draws the whole chart on `root` (already filled white).
    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult;
}

/// A chart rendered in memory, not yet written.
pub struct Rendered {
    /// File name without extension.
    pub name: String,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// The SVG document.
    pub svg: String,
}

/// Draws `chart` as PNG and SVG, both [`WIDTH`] × [`HEIGHT`].
pub fn render(chart: &impl Chart) -> Result<Rendered, String> {
    font::register()?;
    let failed = |e: Box<dyn std::error::Error>| format!("chart {}: {e}", chart.name());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw_on(chart, &root).map_err(failed)?;
    }
    let mut rgb = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw_on(chart, &root).map_err(failed)?;
    }
    Ok(Rendered {
        name: chart.name().to_string(),
        png: encode_png(&rgb).map_err(|e| format!("chart {}: {e}", chart.name()))?,
        svg: super::outline::outline_text(&svg),
    })
}

fn draw_on<DB: Backend>(chart: &impl Chart, root: &Area<DB>) -> DrawResult {
    root.fill(&WHITE)?;
    chart.draw(root)?;
    root.present()?;
    Ok(())
}

/// An RGB buffer of [`WIDTH`] × [`HEIGHT`] as a PNG file.
fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Writes `<name>.png` and `<name>.svg` of each chart into `dir`; returns the paths.
pub fn write_all(dir: &Path, charts: &[Rendered]) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for c in charts {
        let png = dir.join(format!("{}.png", c.name));
        let svg = dir.join(format!("{}.svg", c.name));
        write_atomic(&png, &c.png)?;
        write_atomic(&svg, c.svg.as_bytes())?;
        written.extend([png, svg]);
    }
    Ok(written)
}
