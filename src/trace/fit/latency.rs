//! Latency distributions fitted by maximum likelihood from streaming sums,
//! chosen by AIC, with the KS distance on a bounded sample.
//!
//! Candidates: fixed (every duration equal, to the trace's 1 ns
//! resolution), exponential, lognormal and gamma. The sums (count, Σx,
//! Σ ln x, Σ (ln x)²) are sufficient for all three continuous families, so
//! memory does not grow with the number of spans; the KS distance and the
//! QQ chart use the first [`SAMPLE`] durations.

use statrs::distribution::{ContinuousCDF, Gamma, LogNormal};
use statrs::function::gamma::{digamma, ln_gamma};

/// The durations kept for the KS distance and the QQ chart.
pub const SAMPLE: usize = 20_000;
/// The 0.99 quantile of the standard normal.
pub(super) const Z99: f64 = 2.326_347_874_040_841;
/// The resolution of a trace's timestamps: 1 ns.
pub const RESOLUTION: f64 = 1e-9;

/// Streaming sums of durations.
#[derive(Debug, Clone, Default)]
pub struct Durations {
    /// How many.
    pub n: u64,
    pub(super) sum: f64,
    pub(super) sum_ln: f64,
    pub(super) sum_ln2: f64,
    /// Smallest and largest.
    pub min: f64,
    /// Largest.
    pub max: f64,
    pub(super) zeros: u64,
    /// The first [`SAMPLE`] durations.
    pub sample: Vec<f64>,
}

impl Durations {
    /// Adds one duration in seconds.
    pub fn add(&mut self, x: f64) {
        if self.n == 0 {
            self.min = x;
            self.max = x;
        }
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        self.sum += x;
        if x > 0.0 {
            let l = x.ln();
            self.sum_ln += l;
            self.sum_ln2 += l * l;
        } else {
            self.zeros += 1;
        }
        if self.sample.len() < SAMPLE {
            self.sample.push(x);
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.sum / self.n.max(1) as f64
    }
}

/// One fitted family with its parameters and intervals (at the fit's z).
#[derive(Debug, Clone, PartialEq)]
pub enum Family {
    /// Every duration equals `value`, within [`RESOLUTION`]; interval [low, high].
    Fixed { value: f64, low: f64, high: f64 },
    /// Exponential with `mean` (interval on the mean).
    Exponential { mean: f64, ci: (f64, f64) },
    /// Lognormal: median and p99 with intervals (μ, σ of the log).
    LogNormal {
        mu: f64,
        sigma: f64,
        median: (f64, f64, f64),
        p99: (f64, f64, f64),
    },
    /// Gamma: shape and scale, the shape's and the mean's intervals.
    Gamma {
        shape: (f64, f64, f64),
        scale: f64,
        mean: (f64, f64, f64),
    },
}

impl Family {
    /// The family's name as a scenario file writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Family::Fixed { .. } => "fixed",
            Family::Exponential { .. } => "exponential",
            Family::LogNormal { .. } => "lognormal",
            Family::Gamma { .. } => "gamma",
        }
    }

    /// The CDF at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        match *self {
            Family::Fixed { value, .. } => f64::from(u8::from(x >= value)),
            Family::Exponential { mean, .. } => 1.0 - (-x / mean).exp(),
            Family::LogNormal { mu, sigma, .. } => {
                LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.cdf(x))
            }
            Family::Gamma { shape, scale, .. } => {
                Gamma::new(shape.0, 1.0 / scale).map_or(f64::NAN, |d| d.cdf(x))
            }
        }
    }

    /// The quantile at `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Family::Fixed { value, .. } => value,
            Family::Exponential { mean, .. } => -mean * (1.0 - p).ln(),
            Family::LogNormal { mu, sigma, .. } => {
                LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.inverse_cdf(p))
            }
            Family::Gamma { shape, scale, .. } => {
                Gamma::new(shape.0, 1.0 / scale).map_or(f64::NAN, |d| d.inverse_cdf(p))
            }
        }
    }

    /// The scenario's `latency` value for this family, as (key, value) pairs.
    pub fn scenario_fields(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Family::Fixed { value, .. } => vec![("value", value)],
            Family::Exponential { mean, .. } => vec![("mean", mean)],
            Family::LogNormal { median, p99, .. } => vec![("median", median.0), ("p99", p99.0)],
            Family::Gamma { shape, scale, .. } => vec![("shape", shape.0), ("scale", scale)],
        }
    }

    /// The fitted figures and intervals in words, for comments and reports.
    pub fn describe(&self, level: &str) -> String {
        let iv = |(v, lo, hi): (f64, f64, f64)| format!("{} [{}, {}]", g(v), g(lo), g(hi));
        match *self {
            Family::Fixed { value, low, high } => {
                format!(
                    "fixed {} s (observed range [{}, {}])",
                    g(value),
                    g(low),
                    g(high)
                )
            }
            Family::Exponential { mean, ci } => {
                format!(
                    "exponential mean {} s, {level} [{}, {}]",
                    g(mean),
                    g(ci.0),
                    g(ci.1)
                )
            }
            Family::LogNormal { median, p99, .. } => format!(
                "lognormal median {} s, p99 {} s ({level})",
                iv(median),
                iv(p99)
            ),
            Family::Gamma { shape, mean, .. } => {
                format!("gamma shape {}, mean {} s ({level})", iv(shape), iv(mean))
            }
        }
    }
}

/// Six significant digits.
pub fn g(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (5 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A candidate with its log-likelihood, AIC and KS distance.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The family and its parameters.
    pub family: Family,
    /// Maximised log-likelihood (infinite for a fixed latency).
    pub log_lik: f64,
    /// AIC = 2k − 2 ln L.
    pub aic: f64,
    /// The KS distance between the sample and the fitted CDF.
    pub ks: f64,
}

/// The candidates fitted to `d` at z (e.g. 1.96 for 95%), best AIC first;
/// empty without durations.
pub fn fit(d: &Durations, z: f64) -> Vec<Candidate> {
    if d.n == 0 {
        return Vec::new();
    }
    let n = d.n as f64;
    if d.max - d.min <= 2.0 * RESOLUTION + 1e-12 * d.max {
        let family = Family::Fixed {
            value: d.mean(),
            low: d.min - RESOLUTION,
            high: d.max + RESOLUTION,
        };
        return vec![Candidate {
            family,
            log_lik: f64::INFINITY,
            aic: f64::NEG_INFINITY,
            ks: 0.0,
        }];
    }
    let mut out = Vec::new();
    let mean = d.mean();
    // Exponential: mean = x̄; ln mean is asymptotically normal with sd 1/√n.
    let ll = -n * mean.ln() - n;
    out.push((
        Family::Exponential {
            mean,
            ci: (mean * (-z / n.sqrt()).exp(), mean * (z / n.sqrt()).exp()),
        },
        ll,
        1.0,
    ));
    if d.zeros == 0 && d.n >= 2 {
        let mu = d.sum_ln / n;
        let var = (d.sum_ln2 / n - mu * mu).max(0.0);
        let sigma = var.sqrt();
        if sigma > 0.0 {
            let ll =
                -d.sum_ln - n * sigma.ln() - n / 2.0 * (2.0 * std::f64::consts::PI).ln() - n / 2.0;
            // Var(μ̂) = σ²/n, Var(σ̂) = σ²/(2n), independent.
            let se_med = sigma / n.sqrt();
            let se_p99 = sigma * (1.0 / n + Z99 * Z99 / (2.0 * n)).sqrt();
            let q = mu + Z99 * sigma;
            out.push((
                Family::LogNormal {
                    mu,
                    sigma,
                    median: (mu.exp(), (mu - z * se_med).exp(), (mu + z * se_med).exp()),
                    p99: (q.exp(), (q - z * se_p99).exp(), (q + z * se_p99).exp()),
                },
                ll,
                2.0,
            ));
            let s = mean.ln() - mu;
            if s > 0.0 {
                let k = gamma_shape(s);
                let theta = mean / k;
                let ll =
                    (k - 1.0) * d.sum_ln - n * mean / theta - n * k * theta.ln() - n * ln_gamma(k);
                // Fisher information of (k, θ): Var(k̂) = k / (n (k ψ'(k) − 1)).
                let se_k = (k / (n * (k * trigamma(k) - 1.0))).sqrt();
                let se_mean = (k * theta * theta / n).sqrt();
                out.push((
                    Family::Gamma {
                        shape: (k, (k - z * se_k).max(0.0), k + z * se_k),
                        scale: theta,
                        mean: (mean, mean - z * se_mean, mean + z * se_mean),
                    },
                    ll,
                    2.0,
                ));
            }
        }
    }
    let mut sorted = d.sample.clone();
    sorted.sort_by(f64::total_cmp);
    let mut out: Vec<Candidate> = out
        .into_iter()
        .map(|(family, log_lik, k)| Candidate {
            ks: ks_distance(&sorted, &family),
            aic: 2.0 * k - 2.0 * log_lik,
            family,
            log_lik,
        })
        .collect();
    out.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    out
}

/// The KS distance of a sorted sample from a fitted CDF.
fn ks_distance(sorted: &[f64], family: &Family) -> f64 {
    let m = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let c = family.cdf(x);
            (c - i as f64 / m).abs().max((c - (i + 1) as f64 / m).abs())
        })
        .fold(0.0, f64::max)
}

/// The gamma shape k solving ln k − ψ(k) = s (s > 0), by Newton from
/// Minka's closed-form start.
pub(super) fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let f = k.ln() - digamma(k) - s;
        let df = 1.0 / k - trigamma(k);
        let next = (k - f / df).max(k / 10.0);
        if (next - k).abs() <= 1e-12 * k {
            return next;
        }
        k = next;
    }
    k
}

/// ψ′(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series
/// (its first omitted term is below 10⁻¹²).
pub fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x
        + x2 / 2.0
        + (1.0 / x) * x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 / 30.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigamma_matches_known_values() {
        // ψ'(1) = π²/6, ψ'(0.5) = π²/2.
        let pi2 = std::f64::consts::PI.powi(2);
        assert!((trigamma(1.0) - pi2 / 6.0).abs() < 1e-10);
        assert!((trigamma(0.5) - pi2 / 2.0).abs() < 1e-10);
    }

    #[test]
    fn gamma_shape_solves_its_equation() {
        for k in [0.3, 1.0, 2.0, 7.5, 40.0] {
            let s = f64::ln(k) - digamma(k);
            assert!((gamma_shape(s) - k).abs() < 1e-8 * k, "{k}");
        }
    }
}
