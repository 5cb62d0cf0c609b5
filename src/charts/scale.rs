//! Axis scales: linear or logarithmic, with readable tick positions and labels.
//!
//! Every line chart plots on linear coordinates; a log axis plots log10 of the
//! values and labels its ticks with the values themselves. That keeps one
//! coordinate type for all charts.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// A linear plotting coordinate with chosen tick positions (plotters' own
/// `WithKeyPoints` cannot configure a mesh in plotters 0.3.7).
#[derive(Clone)]
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    /// The range `lo..hi` with ticks (mesh lines and labels) at `ticks`.
    pub fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: (lo..hi).into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold points: no light grid lines between the ticks.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// One axis: its range in data units and whether it is logarithmic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    /// Lowest value shown.
    pub lo: f64,
    /// Highest value shown.
    pub hi: f64,
    /// Logarithmic (base 10).
    pub log: bool,
}

impl Scale {
    /// A scale covering `values` with `pad` (a fraction of the range, or of a
    /// decade when logarithmic) added on each side.
    pub fn fit(values: &[f64], log: bool, pad: f64) -> Scale {
        let finite = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && (!log || *v > 0.0));
        let (mut lo, mut hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if lo > hi {
            (lo, hi) = if log { (1.0, 10.0) } else { (0.0, 1.0) };
        }
        if log {
            let (a, b) = (lo.log10() - pad, hi.log10() + pad);
            let (a, b) = if b - a < 0.3 {
                (a - 0.15, b + 0.15)
            } else {
                (a, b)
            };
            return Scale {
                lo: 10f64.powf(a),
                hi: 10f64.powf(b),
                log,
            };
        }
        let span = if hi > lo {
            hi - lo
        } else {
            lo.abs().max(1.0) * 0.1
        };
        Scale {
            lo: lo - span * pad,
            hi: hi + span * pad,
            log,
        }
    }

    /// Limits a linear scale to [min, max] (e.g. probabilities to [0, 1]).
    pub fn clamp(self, min: f64, max: f64) -> Scale {
        Scale {
            lo: self.lo.max(min),
            hi: self.hi.min(max),
            ..self
        }
    }

    /// The plotting coordinate of `v`.
    pub fn to(&self, v: f64) -> f64 {
        if self.log { v.log10() } else { v }
    }

    /// The value at plotting coordinate `t`.
    pub fn from(&self, t: f64) -> f64 {
        if self.log { 10f64.powf(t) } else { t }
    }

    /// The plotters coordinate of this axis, ticks included.
    pub fn coord(&self) -> Ticked {
        let ticks = self.ticks().iter().map(|&v| self.to(v)).collect();
        Ticked::new(self.to(self.lo), self.to(self.hi), ticks)
    }

    /// The plotting coordinate with at most about `most` ticks (for the
    /// small panels of small multiples, where the labels must not touch):
    /// a log scale keeps its decades, a linear one takes a coarser step.
    pub fn coord_with_at_most(&self, most: usize) -> Ticked {
        let mut ticks = self.ticks();
        if ticks.len() > most {
            ticks = if self.log {
                let decades: Vec<f64> = ticks
                    .iter()
                    .copied()
                    .filter(|v| (v.log10() - v.log10().round()).abs() < 1e-9)
                    .collect();
                let every = decades.len().div_ceil(most.max(1)).max(1);
                decades.into_iter().step_by(every).collect()
            } else {
                self.linear_ticks(most.max(2) as f64)
            };
        }
        let ticks = ticks.iter().map(|&v| self.to(v)).collect();
        Ticked::new(self.to(self.lo), self.to(self.hi), ticks)
    }

    /// Tick positions in data units: 1-2-5 steps, or decades (with 2 and 5
    /// between them when the axis spans at most two decades).
    pub fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().floor() as i32,
                self.hi.log10().ceil() as i32,
            );
            let fill: &[f64] = if self.hi / self.lo <= 100.0 {
                &[1.0, 2.0, 5.0]
            } else {
                &[1.0]
            };
            let mut out = Vec::new();
            for k in a..=b {
                for m in fill {
                    let v = tidy(m * 10f64.powi(k));
                    if v >= self.lo && v <= self.hi {
                        out.push(v);
                    }
                }
            }
            return out;
        }
        self.linear_ticks(7.0)
    }

    /// Round-numbered ticks of a linear scale, about `intervals` of them.
    fn linear_ticks(&self, intervals: f64) -> Vec<f64> {
        let raw = (self.hi - self.lo) / intervals;
        if raw <= 0.0 || !raw.is_finite() {
            return vec![self.lo];
        }
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * mag);
        let first = (self.lo / step - 1e-9).ceil() as i64;
        let last = (self.hi / step + 1e-9).floor() as i64;
        (first..=last).map(|i| tidy(i as f64 * step)).collect()
    }
}

/// True when `values` are better shown on a log axis: all positive, spanning
/// more than a decade, and spaced more evenly in log than in linear terms
/// (1, 2, 4, 8, 16 yes; 1, 2, …, 12 no).
pub fn prefers_log(values: &[f64]) -> bool {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    if v.len() < 2 || v[0] <= 0.0 || v[v.len() - 1] / v[0] <= 10.0 {
        return false;
    }
    if v.len() == 2 {
        return true;
    }
    let logs: Vec<f64> = v.iter().map(|x| x.log10()).collect();
    spread(&logs) < spread(&v)
}

/// Coefficient of variation of the gaps between sorted values.
fn spread(sorted: &[f64]) -> f64 {
    let gaps: Vec<f64> = sorted.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
    var.sqrt() / mean
}

/// `v` rounded to 12 significant digits, so ticks print as 0.3, not 0.30000000000000004.
fn tidy(v: f64) -> f64 {
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// A tick or cell label: at most 4 significant digits, no trailing zeros,
/// exponent form for very small or large numbers.
pub fn format_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.2e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{exp}", trim(mantissa));
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    trim(&format!("{v:.decimals$}")).to_string()
}

fn trim(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_log_for_geometric_values_only() {
        assert!(prefers_log(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]));
        assert!(prefers_log(&[0.001, 0.01, 0.1]));
        assert!(!prefers_log(&(1..=12).map(f64::from).collect::<Vec<_>>()));
        assert!(!prefers_log(&[1.0, 2.0, 4.0, 8.0]));
        assert!(!prefers_log(&[0.0, 10.0, 100.0]));
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        let s = Scale {
            lo: 0.75,
            hi: 1.0,
            log: false,
        };
        assert_eq!(s.ticks(), vec![0.75, 0.8, 0.85, 0.9, 0.95, 1.0]);
        let s = Scale {
            lo: 0.05,
            hi: 3.0,
            log: true,
        };
        assert_eq!(s.ticks(), vec![0.05, 0.1, 0.2, 0.5, 1.0, 2.0]);
        let s = Scale {
            lo: 0.5,
            hi: 2000.0,
            log: true,
        };
        assert_eq!(s.ticks(), vec![1.0, 10.0, 100.0, 1000.0]);
    }

    #[test]
    fn formats_numbers_for_labels() {
        assert_eq!(format_number(0.8), "0.8");
        assert_eq!(format_number(0.83297), "0.833");
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(1234.6), "1235");
        assert_eq!(format_number(0.00012), "1.2e-4");
        assert_eq!(format_number(0.0), "0");
    }
}
