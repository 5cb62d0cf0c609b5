//! Quantile–quantile charts: observed latency quantiles against fitted
//! (`fit`) or simulated (`check`) ones, one line per node or per source,
//! with the diagonal where they agree. Log axes when the quantiles span
//! more than a decade.

use plotters::prelude::*;

use super::canvas::{Area, Backend, Chart, DrawResult};
use super::frame::{house_style, notes, plot};
use super::scale::{Scale, format_number};
use super::style::{Dash, INK, Key, LABEL_SIZE, LineStyle, Marker, draw_line, legend_key, text};

/// A QQ chart: each series is (label, points (expected, observed)).
pub struct QqChart {
    /// File name without extension.
    pub name: String,
    /// Caption.
    pub title: String,
    /// Horizontal axis title (the expected quantiles).
    pub x_title: String,
    /// Vertical axis title (the observed quantiles).
    pub y_title: String,
    /// The lines.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// A note under the plot.
    pub note: String,
}

/// The probabilities a QQ line is drawn at: 1%, 5%, 10%, …, 90%, 95%, 99%.
pub const PROBABILITIES: [f64; 13] = [
    0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99,
];

impl Chart for QqChart {
    fn name(&self) -> &str {
        &self.name
    }

    fn draw<DB: Backend>(&self, root: &Area<DB>) -> DrawResult {
        let all: Vec<f64> = self
            .series
            .iter()
            .flat_map(|(_, p)| p.iter().flat_map(|&(a, b)| [a, b]))
            .filter(|v| v.is_finite())
            .collect();
        let lo = all
            .iter()
            .copied()
            .filter(|v| *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(0.0, f64::max);
        let log = lo.is_finite() && hi / lo > 10.0;
        let scale = if log {
            Scale::fit(&all, true, 0.05)
        } else {
            Scale::fit(&all, false, 0.06).clamp(0.0, f64::INFINITY)
        };
        let mut chart = plot(root, &self.title, 40, 110, scale.coord(), scale.coord())?;
        house_style(&mut chart.configure_mesh())
            .x_desc(&self.x_title)
            .y_desc(&self.y_title)
            .x_label_formatter(&|v| format_number(scale.from(*v)))
            .y_label_formatter(&|v| format_number(scale.from(*v)))
            .axis_style(INK)
            .draw()?;
        let (a, b) = (scale.to(scale.lo), scale.to(scale.hi));
        chart.draw_series(DashedLineSeries::new(
            vec![(a, a), (b, b)],
            6,
            6,
            INK.mix(0.5).stroke_width(2),
        ))?;
        let mut keys = vec![(
            "agreement (y = x)".to_string(),
            Key::Line(LineStyle {
                colour: RGBColor(0x80, 0x80, 0x80),
                dash: Dash::Dashed,
                marker: Marker::None,
            }),
        )];
        for (i, (label, points)) in self.series.iter().enumerate() {
            let pts: Vec<(f64, f64)> = points
                .iter()
                .filter(|(x, y)| (!log || (*x > 0.0 && *y > 0.0)) && x.is_finite() && y.is_finite())
                .map(|&(x, y)| (scale.to(x), scale.to(y)))
                .collect();
            let mut style = LineStyle::nth(i);
            style.dash = Dash::Solid;
            if self.series.len() == 1 {
                style.marker = Marker::Circle;
            }
            draw_line(&mut chart, &pts, style)?;
            keys.push((label.clone(), Key::Line(style)));
        }
        // The legend in the upper left, which lines along the diagonal leave free.
        for (i, (label, key)) in keys.iter().enumerate() {
            let y = 100 + 30 * i as i32;
            legend_key(root, *key, (160, y))?;
            root.draw_text(label, &text(LABEL_SIZE), (210, y - 10))?;
        }
        notes(root, std::slice::from_ref(&self.note))
    }
}
