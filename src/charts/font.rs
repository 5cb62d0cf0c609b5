//! The embedded font: charts render the same on a machine without any fonts.

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

/// DejaVu Sans (licence: `assets/fonts/LICENSE-DejaVu.txt`).
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family every chart uses; registered under the name plotters uses
/// for its default labels, so that no text falls back to a system font.
pub const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters (once per process).
pub fn register() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
            .map_err(|_| "the embedded chart font could not be loaded".to_string())
    })
    .clone()
}
