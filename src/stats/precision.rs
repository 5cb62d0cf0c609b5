//! Answers to a stated precision: which figure, how narrow its 95% interval
//! must be, and whether a set of trials has got there.
//!
//! A [`Precision`] names a figure (an outcome rate, the mean latency or a
//! latency quantile) and a half-width, absolute (in the figure's unit) or
//! relative (to the figure's estimate). [`Precision::estimate`] computes the
//! figure and the interval the run reports for it from an [`Accumulator`]:
//! Wilson for rates, the normal interval for the mean, and the
//! distribution-free order-statistic (binomial) interval for quantiles, and
//! for SLO attainment P(latency ≤ x) the Wilson interval the summary gives
//! it. The batch loop that runs trials until the interval is narrow enough
//! lives in [`crate::sim::precision`].

use serde::{Deserialize, Serialize};

use super::Accumulator;
use super::accumulator::NANOS_PER_SECOND;
use super::interval::{Z95, mean_interval, wilson};
use super::quantile::count_at_most;

/// Trials in the first batch of a precision run; each later batch doubles
/// the total, so boundaries are 10⁴·2ᵏ whatever the thread count.
pub const FIRST_BATCH: u64 = 10_000;
/// The default cap on trials of a precision run (`--trial-cap`).
pub const DEFAULT_CAP: u64 = 100_000_000;

/// A figure a run can be asked to pin down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// P(correct).
    Success,
    /// P(silent failure).
    Silent,
    /// P(loud failure).
    Loud,
    /// P(escalated).
    Escalated,
    /// Mean latency, seconds.
    MeanLatency,
    /// A latency quantile, seconds, given by its percentage (99 for p99).
    Quantile(f64),
    /// SLO attainment: P(latency ≤ x) for the threshold x seconds.
    Slo(f64),
}

/// How narrow the 95% interval must be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HalfWidth {
    /// In the figure's unit (a probability, or seconds).
    Absolute(f64),
    /// A fraction of the figure's estimate (2% is 0.02).
    Relative(f64),
}

/// `--precision FIGURE=HALF_WIDTH` and its cap on trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// What to pin down.
    pub figure: Figure,
    /// How narrow.
    pub half_width: HalfWidth,
    /// Most trials to run before giving up (the report then says so).
    pub cap: u64,
}

/// A figure's estimate and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureEstimate {
    /// The estimate.
    pub value: f64,
    /// The 95% interval.
    pub ci95: [f64; 2],
}

impl FigureEstimate {
    /// Half the interval's width.
    pub fn half_width(&self) -> f64 {
        (self.ci95[1] - self.ci95[0]) / 2.0
    }
}

/// What a precision run reached (the `precision` entry of `summary.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrecisionReport {
    /// The figure, as named on the command line (`success`, `p99`, ...).
    pub figure: String,
    /// The half-width asked for, as given (`0.001`, `2%`).
    pub target: String,
    /// The figure's estimate.
    pub value: f64,
    /// Its 95% interval, and how it was made.
    pub ci95: [f64; 2],
    /// `wilson`, `normal` or `order-statistic`.
    pub interval: String,
    /// Half the interval's width, in the figure's unit.
    pub half_width: f64,
    /// Trials used.
    pub trials: u64,
    /// The cap on trials.
    pub cap: u64,
    /// Whether the interval is as narrow as asked (false: the cap was reached first).
    pub met: bool,
}

/// The figures `--precision` accepts, for messages.
pub const FIGURES: &str = "success, silent, loud, escalated, mean, a latency quantile pQ \
     with 0 < Q < 100 (p50, p95, p99, p99.9), or SLO attainment slo:X (P(latency ≤ X \
     seconds), e.g. slo:2)";

impl Figure {
    /// Parses a figure's name.
    pub fn parse(name: &str) -> Option<Figure> {
        Some(match name {
            "success" => Figure::Success,
            "silent" => Figure::Silent,
            "loud" => Figure::Loud,
            "escalated" => Figure::Escalated,
            "mean" => Figure::MeanLatency,
            _ if name.starts_with("slo:") => {
                let x: f64 = name["slo:".len()..].parse().ok()?;
                if !(x > 0.0 && x.is_finite()) {
                    return None;
                }
                Figure::Slo(x)
            }
            _ => {
                let q: f64 = name.strip_prefix('p')?.parse().ok()?;
                if !(q > 0.0 && q < 100.0) || name.contains(['e', 'E', '+', '-']) {
                    return None;
                }
                Figure::Quantile(q)
            }
        })
    }

    /// The figure's name, as [`Figure::parse`] reads it.
    pub fn name(self) -> String {
        match self {
            Figure::Success => "success".into(),
            Figure::Silent => "silent".into(),
            Figure::Loud => "loud".into(),
            Figure::Escalated => "escalated".into(),
            Figure::MeanLatency => "mean".into(),
            Figure::Quantile(pct) => format!("p{pct}"),
            Figure::Slo(x) => format!("slo:{x}"),
        }
    }

    /// Whether the figure is a probability (bounded by 1).
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            Figure::Success | Figure::Silent | Figure::Loud | Figure::Escalated | Figure::Slo(_)
        )
    }

    /// How its interval is made.
    pub fn interval_method(self) -> &'static str {
        match self {
            Figure::MeanLatency => "normal",
            Figure::Quantile(_) => "order-statistic",
            _ => "wilson",
        }
    }
}

impl HalfWidth {
    /// As given on the command line.
    pub fn text(self) -> String {
        match self {
            HalfWidth::Absolute(h) => format!("{h}"),
            HalfWidth::Relative(r) => format!("{}%", r * 100.0),
        }
    }
}

impl Precision {
    /// Parses `FIGURE=HALF_WIDTH` (`success=0.001`, `p99=2%`, `mean=0.01`)
    /// with the cap `cap`; the error says what is allowed.
    pub fn parse(text: &str, cap: u64) -> Result<Precision, String> {
        let example = "e.g. --precision success=0.001 (±0.001) or --precision p99=2% (±2%)";
        let Some((name, width)) = text.split_once('=') else {
            return Err(format!(
                "is \"{text}\", not FIGURE=HALF_WIDTH; allowed figures: {FIGURES}; {example}"
            ));
        };
        let (name, width) = (name.trim(), width.trim());
        let Some(figure) = Figure::parse(name) else {
            return Err(format!(
                "names the figure \"{name}\"; allowed: {FIGURES}; {example}"
            ));
        };
        let half_width = match width.strip_suffix('%') {
            Some(pct) => match pct.trim().parse::<f64>() {
                Ok(r) if r > 0.0 && r < 100.0 => HalfWidth::Relative(r / 100.0),
                _ => {
                    return Err(format!(
                        "{name}: the relative half-width \"{width}\" is not a percentage \
                         above 0% and below 100%; {example}"
                    ));
                }
            },
            None => match width.parse::<f64>() {
                Ok(h) if h > 0.0 && h.is_finite() && (!figure.is_rate() || h < 0.5) => {
                    HalfWidth::Absolute(h)
                }
                _ => {
                    let unit = if figure.is_rate() {
                        "a probability above 0 and below 0.5"
                    } else {
                        "a positive number of seconds"
                    };
                    return Err(format!(
                        "{name}: the half-width \"{width}\" is not {unit} (or a percentage \
                         such as 2%); {example}"
                    ));
                }
            },
        };
        Ok(Precision {
            figure,
            half_width,
            cap,
        })
    }

    /// The figure and its 95% interval over the trials in `acc`.
    pub fn estimate(&self, acc: &Accumulator) -> FigureEstimate {
        let n = acc.trials;
        let rate = |count: u64| {
            let (lo, hi) = wilson(count, n, Z95);
            FigureEstimate {
                value: count as f64 / n.max(1) as f64,
                ci95: [lo, hi],
            }
        };
        match self.figure {
            Figure::Success => rate(acc.correct),
            Figure::Silent => rate(acc.silent),
            Figure::Loud => rate(acc.loud),
            Figure::Escalated => rate(acc.escalated),
            Figure::MeanLatency => {
                let s = NANOS_PER_SECOND;
                let sum = acc.latency_ns_sum as f64 / s;
                let sum_sq = acc.latency_ns_sq_sum.to_f64() / (s * s);
                let (lo, hi) = mean_interval(sum, sum_sq, n, Z95);
                FigureEstimate {
                    value: sum / n.max(1) as f64,
                    ci95: [lo, hi],
                }
            }
            Figure::Quantile(pct) => quantile_interval(acc, pct / 100.0),
            // As the summary's SLO entry: a latency counts when its whole
            // histogram bucket lies within the threshold.
            Figure::Slo(x) => {
                let (count, n) = (count_at_most(&acc.latency_ns, x), acc.latency_ns.len());
                let (lo, hi) = wilson(count, n, Z95);
                FigureEstimate {
                    value: count as f64 / n.max(1) as f64,
                    ci95: [lo, hi],
                }
            }
        }
    }

    /// Whether `e` is as narrow as asked (never for a relative half-width of
    /// a zero estimate).
    pub fn met(&self, e: &FigureEstimate) -> bool {
        let h = e.half_width();
        match self.half_width {
            HalfWidth::Absolute(target) => h <= target,
            HalfWidth::Relative(r) => e.value != 0.0 && h <= r * e.value.abs(),
        }
    }

    /// The end of the batch after one ending at `done` trials: double, capped.
    pub fn next_batch_end(&self, done: u64) -> u64 {
        if done == 0 {
            FIRST_BATCH.min(self.cap)
        } else {
            done.saturating_mul(2).min(self.cap)
        }
    }

    /// The report of a run that stopped with `acc`.
    pub fn report(&self, acc: &Accumulator) -> PrecisionReport {
        let e = self.estimate(acc);
        PrecisionReport {
            figure: self.figure.name(),
            target: self.half_width.text(),
            value: e.value,
            ci95: e.ci95,
            interval: self.figure.interval_method().into(),
            half_width: e.half_width(),
            trials: acc.trials,
            cap: self.cap,
            met: self.met(&e),
        }
    }
}

/// The q-quantile of the latencies in `acc` and its distribution-free 95%
/// interval: the order statistics of ranks n·q ∓ z·√(n·q·(1−q)) (the number
/// of trials below the true quantile is Binomial(n, q)); bounds read from the
/// histogram, whose own resolution is 0.1%.
pub fn quantile_interval(acc: &Accumulator, q: f64) -> FigureEstimate {
    let n = acc.trials;
    if n == 0 {
        return FigureEstimate {
            value: 0.0,
            ci95: [0.0, f64::INFINITY],
        };
    }
    let h = &acc.latency_ns;
    let at = |rank: f64| h.value_at_quantile((rank / n as f64).clamp(0.0, 1.0)) as f64;
    let nf = n as f64;
    let spread = Z95 * (nf * q * (1.0 - q)).sqrt();
    let lo_rank = (nf * q - spread).floor();
    let hi_rank = (nf * q + spread).ceil() + 1.0;
    let secs = |ns: f64| ns / NANOS_PER_SECOND;
    // A bound beyond the data is unknown: the interval is then unbounded there.
    let lo = if lo_rank < 1.0 {
        0.0
    } else {
        secs(at(lo_rank))
    };
    let hi = if hi_rank > nf {
        f64::INFINITY
    } else {
        secs(at(hi_rank))
    };
    FigureEstimate {
        value: secs(h.value_at_quantile(q) as f64),
        ci95: [lo, hi],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_figures_and_half_widths() {
        let p = Precision::parse("success=0.001", 10).unwrap();
        assert_eq!(p.figure, Figure::Success);
        assert_eq!(p.half_width, HalfWidth::Absolute(0.001));
        let p = Precision::parse("p99=2%", 10).unwrap();
        assert_eq!(p.figure, Figure::Quantile(99.0));
        assert_eq!(p.half_width, HalfWidth::Relative(0.02));
        assert_eq!(p.figure.name(), "p99");
        assert_eq!(Figure::parse("p99.9"), Some(Figure::Quantile(99.9)));
        let p = Precision::parse("slo:2.5=0.001", 10).unwrap();
        assert_eq!(p.figure, Figure::Slo(2.5));
        assert_eq!(p.figure.name(), "slo:2.5");
        assert_eq!(p.figure.interval_method(), "wilson");
        for bad in [
            "success",
            "succes=0.1",
            "p100=1%",
            "p0=1%",
            "p1e1=1%",
            "success=0.7",
            "success=-1",
            "mean=0%",
            "mean=100%",
            "mean=nan",
            "mean=inf",
            "slo=0.01",
            "slo:=0.01",
            "slo:0=0.01",
            "slo:-1=0.01",
            "slo:inf=0.01",
            "slo:2=0.5",
        ] {
            let e = Precision::parse(bad, 10).unwrap_err();
            assert!(e.contains("e.g. --precision"), "{bad}: {e}");
        }
    }

    #[test]
    fn batches_double_up_to_the_cap() {
        let p = Precision::parse("success=0.01", 50_000).unwrap();
        assert_eq!(p.next_batch_end(0), 10_000);
        assert_eq!(p.next_batch_end(10_000), 20_000);
        assert_eq!(p.next_batch_end(40_000), 50_000);
    }
}
