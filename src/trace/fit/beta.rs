//! Per-task difficulty: a Beta distribution of a rate across tasks, fitted
//! by maximum likelihood to repeated runs of the same tasks (beta-binomial:
//! task i failed k_i of its n_i runs).
//!
//! Parametrised by mean m and concentration c (a = m·c, b = (1 − m)·c), as
//! scenario files write it; intervals from the observed information in
//! (logit m, ln c), so they stay inside (0, 1) and (0, ∞).

use statrs::function::gamma::ln_gamma;

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

/// Minimises `f` from `start` by Nelder–Mead.
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, start: [f64; 2]) -> [f64; 2] {
    let mut s = [
        start,
        [start[0] + 0.5, start[1]],
        [start[0], start[1] + 0.5],
    ];
    let mut v = s.map(&f);
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let (best, mid, worst) = (idx[0], idx[1], idx[2]);
        if (v[worst] - v[best]).abs() < 1e-12 && dist(s[worst], s[best]) < 1e-9 {
            break;
        }
        let c = [
            (s[best][0] + s[mid][0]) / 2.0,
            (s[best][1] + s[mid][1]) / 2.0,
        ];
        let at = |t: f64| {
            [
                c[0] + t * (s[worst][0] - c[0]),
                c[1] + t * (s[worst][1] - c[1]),
            ]
        };
        let r = at(-1.0);
        let fr = f(r);
        if fr < v[best] {
            let e = at(-2.0);
            let fe = f(e);
            (s[worst], v[worst]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < v[mid] {
            (s[worst], v[worst]) = (r, fr);
        } else {
            let k = at(0.5);
            let fk = f(k);
            if fk < v[worst] {
                (s[worst], v[worst]) = (k, fk);
            } else {
                for i in [mid, worst] {
                    s[i] = [(s[i][0] + s[best][0]) / 2.0, (s[i][1] + s[best][1]) / 2.0];
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let best = (0..3)
        .min_by(|&i, &j| v[i].total_cmp(&v[j]))
        .expect("three points");
    s[best]
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// The Hessian of `f` at `x` by central differences.
fn hessian(f: impl Fn([f64; 2]) -> f64, x: [f64; 2]) -> [[f64; 2]; 2] {
    let h = 1e-4;
    let at = |d0: f64, d1: f64| f([x[0] + d0, x[1] + d1]);
    let f0 = at(0.0, 0.0);
    let d00 = (at(h, 0.0) - 2.0 * f0 + at(-h, 0.0)) / (h * h);
    let d11 = (at(0.0, h) - 2.0 * f0 + at(0.0, -h)) / (h * h);
    let d01 = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4.0 * h * h);
    [[d00, d01], [d01, d11]]
}
