//! Per-task difficulty: a Beta distribution of a rate across tasks, fitted
//! by maximum likelihood to repeated runs of the same tasks (beta-binomial:
//! task i failed k_i of its n_i runs).
//!
//! Parametrised by mean m and concentration c (a = m·c, b = (1 − m)·c), as
//! scenario files write it; intervals from the observed information in
//! (logit m, ln c), so they stay inside (0, 1) and (0, ∞).

use statrs::function::gamma::ln_gamma;

use super::optimize::{hessian, nelder_mead};

/// A fitted Beta with 95%-style intervals at the fit's z.
#[derive(Debug, Clone, PartialEq)]
pub struct BetaFit {
    /// Mean and its interval.
    pub mean: (f64, f64, f64),
    /// Concentration and its interval.
    pub concentration: (f64, f64, f64),
    /// Tasks with at least two runs.
    pub tasks: u64,
    /// Runs in all.
    pub runs: u64,
    /// Log-likelihood gain over one fixed rate for every task (≥ 0); the
    /// Beta is preferred when 2·gain > 2 (AIC, one parameter more).
    pub gain: f64,
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Log-likelihood of (logit m, ln c) over (k, n) pairs.
fn log_lik(data: &[(u32, u32)], x: [f64; 2]) -> f64 {
    let m = 1.0 / (1.0 + (-x[0]).exp());
    let c = x[1].exp();
    let (a, b) = (m * c, (1.0 - m) * c);
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return f64::NEG_INFINITY;
    }
    let base = ln_beta(a, b);
    data.iter()
        .map(|&(k, n)| ln_beta(a + k as f64, b + (n - k) as f64) - base)
        .sum()
}

/// Fits a Beta to (failures, runs) per task; `None` with fewer than two
/// tasks of two or more runs, or when every task agrees (all 0 or all n).
pub fn fit(data: &[(u32, u32)], z: f64) -> Option<BetaFit> {
    let data: Vec<(u32, u32)> = data.iter().copied().filter(|&(_, n)| n >= 2).collect();
    if data.len() < 2 {
        return None;
    }
    let (k, n) = data
        .iter()
        .fold((0u64, 0u64), |(k, n), &(a, b)| (k + a as u64, n + b as u64));
    if k == 0 || k == n {
        return None;
    }
    let p = k as f64 / n as f64;
    let fixed: f64 = data
        .iter()
        .map(|&(k, n)| k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln())
        .sum();
    let start = [(p / (1.0 - p)).ln(), 2.0f64.ln()];
    let x = nelder_mead(|x| -log_lik(&data, x), start);
    let best = log_lik(&data, x);
    let h = hessian(|x| log_lik(&data, x), x);
    // Covariance = inverse of the observed information (−H).
    let (a, b, d) = (-h[0][0], -h[0][1], -h[1][1]);
    let det = a * d - b * b;
    let (v0, v1) = if det > 0.0 && a > 0.0 {
        (d / det, a / det)
    } else {
        (f64::INFINITY, f64::INFINITY)
    };
    let logistic = |t: f64| 1.0 / (1.0 + (-t).exp());
    let (s0, s1) = (v0.sqrt(), v1.sqrt());
    Some(BetaFit {
        mean: (
            logistic(x[0]),
            logistic(x[0] - z * s0),
            logistic(x[0] + z * s0),
        ),
        concentration: (x[1].exp(), (x[1] - z * s1).exp(), (x[1] + z * s1).exp()),
        tasks: data.len() as u64,
        runs: n,
        gain: (best - fixed).max(0.0),
    })
}
