//! How every task ended, per grid point: correct, silent failure, loud
//! failure and escalated as stacked bars.

use plotters::prelude::*;

use super::canvas::{Area, Backend, DrawResult};
use super::frame::{LEGEND_WIDTH, house_style, legend_at_right, notes, plot};
use super::scale::{Scale, Ticked, format_number};
use super::style::{INK, SKY_BLUE, VERMILLION, YELLOW};
use crate::sweep::SweepTable;

/// The outcomes, bottom to top: column, legend name, colour. The colours
/// differ in lightness too (light blue, dark orange, yellow, black).
const OUTCOMES: [(&str, &str, RGBColor); 4] = [
    ("success_rate", "correct", SKY_BLUE),
    (
        "silent_rate",
        "silent failure (wrong answer delivered)",
        VERMILLION,
    ),
    ("loud_rate", "loud failure (error surfaced)", YELLOW),
    ("escalated_rate", "escalated to a person", INK),
];

/// Tick labels at most; beyond, every k-th point is labelled.
const MAX_TICK_LABELS: usize = 24;

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
    let every = n.div_ceil(MAX_TICK_LABELS).max(1);
    let keys: Vec<f64> = (0..n).step_by(every).map(|i| i as f64 + 0.5).collect();
    let label = |v: f64| {
        let r = v.floor() as usize;
        if r >= n {
            return String::new();
        }
        (0..t.axes.len())
            .map(|a| format_number(t.axis_value(r, a)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let title = format!("{}: how tasks end, per grid point", t.scenario());
    let x = Ticked::new(0.0, n as f64, keys);
    let mut chart = plot(root, &title, LEGEND_WIDTH, 100, x, y.coord())?;
    house_style(&mut chart.configure_mesh())
        .disable_x_mesh()
        .x_desc(t.axes.join(", "))
        .y_desc("share of tasks")
        .x_label_formatter(&|v| label(*v))
        .y_label_formatter(&|v| format_number(*v))
        .draw()?;
    for (k, (column, _, colour)) in OUTCOMES.iter().enumerate() {
        let bars = (0..n).filter_map(|r| {
            let below: f64 = OUTCOMES[..k]
                .iter()
                .filter_map(|(c, _, _)| t.get(r, c))
                .sum();
            let top = below + t.get(r, column)?;
            let (x0, x1) = (r as f64 + 0.12, r as f64 + 0.88);
            (top > floor).then(|| {
                Rectangle::new(
                    [(x0, below.max(floor)), (x1, top.min(1.0))],
                    colour.filled(),
                )
            })
        });
        chart.draw_series(bars)?;
    }
    // Top to bottom, as stacked.
    let entries: Vec<(&str, RGBColor)> = OUTCOMES.iter().rev().map(|(_, n, c)| (*n, *c)).collect();
    legend_at_right(root, &entries)?;
    let mut remarks = Vec::new();
    if floor > 0.0 {
        remarks.push(format!(
            "the vertical axis starts at {}, below the lowest success rate",
            format_number(floor)
        ));
    }
    if every > 1 {
        remarks.push(format!("every {every}th point labelled"));
    }
    notes(root, &remarks)
}
