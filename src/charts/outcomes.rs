//! How every task ended, per grid point: correct, silent failure, loud
//! failure and escalated as stacked bars along the first varied axis; with
//! more axes, one panel per combination of the others (small multiples).

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{Key, MAX_PANELS, house_style, page, panel, panel_width};
use super::scale::{Scale, Ticked, format_number};
use super::series::{axis_title, lines};
use super::style::{INK, SKY_BLUE, VERMILLION, YELLOW};
use crate::sweep::SweepTable;

/// The outcomes, bottom to top: column, legend name, colour. The colours
/// differ in lightness too (light blue, dark orange, yellow, black): the
/// palette of every outcome chart, the review's included.
pub const OUTCOMES: [(&str, &str, RGBColor); 4] = [
    ("success_rate", "correct", SKY_BLUE),
    (
        "silent_rate",
        "silent failure (wrong answer delivered)",
        VERMILLION,
    ),
    ("loud_rate", "loud failure (error surfaced)", YELLOW),
    ("escalated_rate", "escalated to a person", INK),
];

/// Width of one tick label's character, in pixels (at the label size).
const CHAR_WIDTH: f64 = 10.0;

/// Draws the outcome breakdown of a sweep.
pub fn draw<DB: Backend>(t: &SweepTable, root: &Area<DB>) -> DrawResult {
    let n = t.rows.len();
    let min_correct = (0..n)
        .filter_map(|r| t.get(r, "success_rate"))
        .fold(1.0, f64::min);
    // Start the axis below the lowest success rate so that failures of a few
    // percent stay visible; the note says where it starts.
    let floor = ((min_correct * 10.0).floor() / 10.0 - 0.1).max(0.0);
    let y = Scale {
        lo: floor,
        hi: 1.0,
        log: false,
    };
    let (series, truncated) = lines(t, MAX_PANELS);
    let mut remarks: Vec<String> = truncated.into_iter().collect();
    if floor > 0.0 {
        remarks.push(format!(
            "the vertical axis starts at {}, below the lowest success rate",
            format_number(floor)
        ));
    }
    // Label every k-th bar so that the labels never touch.
    let label = |r: usize| format_number(t.axis_value(r, 0));
    let widest = (0..n).map(|r| label(r).chars().count()).max().unwrap_or(1) as f64;
    let bars = series
        .iter()
        .map(|s| s.rows.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let room = (panel_width(series.len()) as f64 - 100.0).max(50.0) / bars as f64;
    let every = ((widest * CHAR_WIDTH + 12.0) / room).ceil().max(1.0) as usize;
    if every > 1 {
        remarks.push(format!("every {} bar labelled", ordinal(every)));
    }
    // Top to bottom, as stacked.
    let legend: Vec<(String, Key)> = OUTCOMES
        .iter()
        .rev()
        .map(|(_, name, c)| (name.to_string(), Key::Swatch(*c)))
        .collect();
    let title = format!("{}: how tasks end, per grid point", t.scenario());
    let areas = page(
        root,
        &title,
        &axis_title(&t.axes[0]),
        "share of tasks",
        series.len(),
        &legend,
        &remarks,
    )?;
    let small = series.len() > 1;
    for (area, s) in areas.iter().zip(&series) {
        let bars = s.rows.len();
        let labels: Vec<String> = s.rows.iter().map(|&r| label(r)).collect();
        let (_, h) = area.dim_in_pixel();
        let keys: Vec<f64> = (0..bars).step_by(every).map(|i| i as f64 + 0.5).collect();
        let x = Ticked::new(0.0, bars as f64, keys);
        let yc = if small {
            y.coord_with_at_most((h / 45).max(2) as usize)
        } else {
            y.coord()
        };
        let caption = small.then_some(s.label.as_str());
        let mut chart = panel(area, caption, if small { 58 } else { 74 }, x, yc)?;
        house_style(&mut chart.configure_mesh())
            .disable_x_mesh()
            .x_label_formatter(&|v| labels.get(v.floor() as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|v| format_number(*v))
            .draw()?;
        for (k, (column, _, colour)) in OUTCOMES.iter().enumerate() {
            let drawn = s.rows.iter().enumerate().filter_map(|(i, &r)| {
                let below: f64 = OUTCOMES[..k]
                    .iter()
                    .filter_map(|(c, _, _)| t.get(r, c))
                    .sum();
                let top = below + t.get(r, column)?;
                let (x0, x1) = (i as f64 + 0.12, i as f64 + 0.88);
                (top > floor).then(|| {
                    Rectangle::new(
                        [(x0, below.max(floor)), (x1, top.min(1.0))],
                        colour.filled(),
                    )
                })
            });
            chart.draw_series(drawn)?;
        }
    }
    Ok(())
}

/// 2nd, 3rd, 4th, 11th, 21st...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}
