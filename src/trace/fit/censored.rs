//! Latency fits with right-censored durations: attempts cut off before they
//! ended (abandoned when their task was decided, a merge no longer needed
//! them or a loop-back restarted them) and attempts that timed out. Their
//! true service time is longer than the one observed, and leaving them out
//! would bias every latency figure down (the slow attempts are the ones cut
//! off). The censoring instant is set by other steps or by the deadline,
//! not by the attempt's own service time, so each censored duration c
//! enters the likelihood as ln S(c):
//!
//! ln L = Σ_complete ln f(x) + Σ_censored ln S(c).
//!
//! The complete durations still enter through their streaming sums
//! ([`Durations`]). The censoring times cannot be reduced to sums, so they
//! are kept in log-spaced bins of a thousandth of a decade (0.23% wide),
//! each with its count and the sum of its times, and the likelihood takes
//! each bin at its mean time: memory is bounded (at most ~19,000 bins
//! between 1 ns and 10¹⁰ s) whatever the number of spans, a bin holding
//! one time holds it exactly, and the error of using a bin's mean is of
//! second order in its width (below 10⁻⁶ of a censored term).
//!
//! Exponential: mean = (Σx + Σc) / n_complete, in closed form. Lognormal
//! and gamma: Newton's method on (μ, ln σ) and (ln k, ln θ), started from
//! the complete-data estimates (a family whose censored likelihood has no
//! maximum there is left out); intervals from the observed information
//! (the numerical Hessian of ln L at the maximum), by the delta method on
//! the log scale, so every positive figure's interval stays positive.
//! The goodness of fit is the largest distance between the fitted CDF and
//! the Kaplan–Meier estimate (which accounts for the censored durations; a
//! KS distance on the complete ones alone would flag a correct fit).

use std::collections::BTreeMap;

use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_ur, ln_gamma};

use super::latency::{self, Candidate, Durations, Family, RESOLUTION, SAMPLE, Z99};
use super::optimize::{hessian, newton_max};

/// Bins per decade of the censoring times.
const BINS_PER_DECADE: f64 = 1000.0;

/// Right-censored durations (seconds), in log-spaced bins.
#[derive(Debug, Clone, Default)]
pub struct Censored {
    /// Per bin: count and sum of the times.
    bins: BTreeMap<i32, (u64, f64)>,
    /// Censored durations above 0 (those at 0 carry no information).
    pub n: u64,
    /// Censored at 0: cut off before service began.
    pub zeros: u64,
    /// Their sum.
    sum: f64,
    /// The largest.
    pub max: f64,
    /// The first [`SAMPLE`] of them, for the Kaplan–Meier distance and chart.
    pub sample: Vec<f64>,
}

impl Censored {
    /// Adds a duration known only to exceed `c` seconds.
    pub fn add(&mut self, c: f64) {
        if !(c > 0.0 && c.is_finite()) {
            self.zeros += 1;
            return;
        }
        self.n += 1;
        self.sum += c;
        self.max = self.max.max(c);
        let key = (c.log10() * BINS_PER_DECADE).floor() as i32;
        let bin = self.bins.entry(key).or_insert((0, 0.0));
        bin.0 += 1;
        bin.1 += c;
        if self.sample.len() < SAMPLE {
            self.sample.push(c);
        }
    }

    /// (time, count) per bin, the time its mean.
    fn points(&self) -> Vec<(f64, f64)> {
        self.bins
            .values()
            .map(|&(k, s)| (s / k as f64, k as f64))
            .collect()
    }
}

/// The candidates fitted to complete durations `d` and censored ones `c`,
/// best AIC first; the complete-data fit of [`latency::fit`] when nothing
/// above 0 was censored, and none without a complete duration (every
/// attempt cut off: the likelihood has no maximum).
pub fn fit(d: &Durations, c: &Censored, z: f64) -> Vec<Candidate> {
    let uncensored = latency::fit(d, z);
    if c.n == 0 || d.n == 0 {
        return uncensored;
    }
    if let Some(fixed) = uncensored
        .iter()
        .find(|k| matches!(k.family, Family::Fixed { .. }))
    {
        // Every complete duration equal, every cut-off one shorter: a fixed
        // latency cut off before its end.
        if c.max <= d.max + 2.0 * RESOLUTION {
            return vec![fixed.clone()];
        }
    }
    let n = d.n as f64;
    let points = c.points();
    let mut out = Vec::new();
    // Exponential: ln L = −n ln m − (Σx + Σc)/m, largest at m = (Σx + Σc)/n,
    // with observed information n in ln m.
    let mean = (d.sum + c.sum) / n;
    out.push((
        Family::Exponential {
            mean,
            ci: (mean * (-z / n.sqrt()).exp(), mean * (z / n.sqrt()).exp()),
        },
        -n * mean.ln() - n,
        1.0,
    ));
    for start in &uncensored {
        match start.family {
            Family::LogNormal { mu, sigma, .. } => {
                let ll = |x: [f64; 2]| lognormal_log_lik(d, &points, x[0], x[1]);
                let top = newton_max(ll, [mu, sigma.ln()]);
                if let Some((x, v)) = top.and_then(|x| Some((x, covariance(hessian(ll, x))?))) {
                    out.push((lognormal(x, v, z), ll(x), 2.0));
                }
            }
            Family::Gamma { shape, scale, .. } => {
                let ll = |x: [f64; 2]| gamma_log_lik(d, &points, x[0], x[1]);
                let top = newton_max(ll, [shape.0.ln(), scale.ln()]);
                if let Some((x, v)) = top.and_then(|x| Some((x, covariance(hessian(ll, x))?))) {
                    out.push((gamma(x, v, z), ll(x), 2.0));
                }
            }
            _ => {}
        }
    }
    let (events, cut) = km_sample(d, c);
    let mut out: Vec<Candidate> = out
        .into_iter()
        .filter(|(_, ll, _)| ll.is_finite())
        .map(|(family, log_lik, k)| Candidate {
            ks: km_distance(&events, &cut, &family),
            aic: 2.0 * k - 2.0 * log_lik,
            family,
            log_lik,
        })
        .collect();
    out.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    out
}

/// The covariance (inverse observed information −H) of a 2-parameter
/// maximum, if the information is positive definite.
fn covariance(h: [[f64; 2]; 2]) -> Option<[[f64; 2]; 2]> {
    let (a, b, d) = (-h[0][0], -h[0][1], -h[1][1]);
    let det = a * d - b * b;
    (a > 0.0 && d > 0.0 && det > 0.0 && det.is_finite())
        .then(|| [[d / det, -b / det], [-b / det, a / det]])
}

/// ln Q(z) = ln P(Z > z) of the standard normal, accurate far into the tail.
fn ln_normal_sf(z: f64) -> f64 {
    if z < 30.0 {
        (0.5 * erfc(z / std::f64::consts::SQRT_2)).ln()
    } else {
        // Mills' ratio: Q(z) = φ(z)/z · (1 − 1/z² + 3/z⁴ − …).
        let z2 = z * z;
        -z2 / 2.0 - (z * (2.0 * std::f64::consts::PI).sqrt()).ln()
            + (-1.0 / z2 + 3.0 / (z2 * z2)).ln_1p()
    }
}

/// ln P(X > x) of a Gamma(k, θ) at y = x/θ: the regularised upper
/// incomplete gamma, or its leading asymptotic term where it underflows.
fn ln_gamma_sf(k: f64, y: f64) -> f64 {
    match checked_gamma_ur(k, y) {
        Ok(q) if q > 0.0 => q.ln(),
        Ok(_) => (k - 1.0) * y.ln() - y - ln_gamma(k),
        Err(_) => f64::NEG_INFINITY,
    }
}

/// Parameters beyond ±50 on their log scale (e^50 s is 10¹⁴ years) are not
/// latencies: refused as −∞, so a likelihood without a maximum is seen as
/// such rather than followed to infinity.
fn sane(x: f64) -> bool {
    x.is_finite() && x.abs() < 50.0
}

/// The censored log-likelihood of a lognormal (μ, ln σ).
fn lognormal_log_lik(d: &Durations, points: &[(f64, f64)], mu: f64, ln_sigma: f64) -> f64 {
    if !(sane(mu) && sane(ln_sigma)) {
        return f64::NEG_INFINITY;
    }
    let n = d.n as f64;
    let sigma = ln_sigma.exp();
    let m = d.sum_ln / n;
    let v = (d.sum_ln2 / n - m * m).max(0.0);
    let complete = -d.sum_ln
        - n * ln_sigma
        - n / 2.0 * (2.0 * std::f64::consts::PI).ln()
        - n * (v + (m - mu).powi(2)) / (2.0 * sigma * sigma);
    let censored: f64 = points
        .iter()
        .map(|&(c, k)| k * ln_normal_sf((c.ln() - mu) / sigma))
        .sum();
    complete + censored
}

/// The censored log-likelihood of a gamma (ln k, ln θ).
fn gamma_log_lik(d: &Durations, points: &[(f64, f64)], ln_k: f64, ln_theta: f64) -> f64 {
    if !(sane(ln_k) && sane(ln_theta)) {
        return f64::NEG_INFINITY;
    }
    let n = d.n as f64;
    let (k, theta) = (ln_k.exp(), ln_theta.exp());
    let complete = (k - 1.0) * d.sum_ln - d.sum / theta - n * k * ln_theta - n * ln_gamma(k);
    let censored: f64 = points
        .iter()
        .map(|&(c, w)| w * ln_gamma_sf(k, c / theta))
        .sum();
    complete + censored
}

/// A value and its interval exp(t ± z·se) on the log scale.
fn log_interval(t: f64, var: f64, z: f64) -> (f64, f64, f64) {
    let se = var.max(0.0).sqrt();
    (t.exp(), (t - z * se).exp(), (t + z * se).exp())
}

fn lognormal(x: [f64; 2], v: [[f64; 2]; 2], z: f64) -> Family {
    let (mu, sigma) = (x[0], x[1].exp());
    // p99 = exp(μ + Z99 σ); d/dμ = 1, d/d(ln σ) = Z99 σ.
    let b = Z99 * sigma;
    let var_q = v[0][0] + 2.0 * b * v[0][1] + b * b * v[1][1];
    Family::LogNormal {
        mu,
        sigma,
        median: log_interval(mu, v[0][0], z),
        p99: log_interval(mu + b, var_q, z),
    }
}

fn gamma(x: [f64; 2], v: [[f64; 2]; 2], z: f64) -> Family {
    // ln mean = ln k + ln θ.
    let var_mean = v[0][0] + 2.0 * v[0][1] + v[1][1];
    Family::Gamma {
        shape: log_interval(x[0], v[0][0], z),
        scale: x[1].exp(),
        mean: log_interval(x[0] + x[1], var_mean, z),
    }
}

/// The complete and censored durations the Kaplan–Meier estimate is built
/// from, each sorted: all of them when each kind has at most [`SAMPLE`],
/// else the first ones of each kind in the proportion of their totals.
fn km_sample(d: &Durations, c: &Censored) -> (Vec<f64>, Vec<f64>) {
    let scale = (SAMPLE as f64 / d.n as f64)
        .min(SAMPLE as f64 / c.n as f64)
        .min(1.0);
    let take = |v: &[f64], total: u64| -> Vec<f64> {
        let k = ((total as f64 * scale).round() as usize).clamp(1, v.len().max(1));
        let mut s: Vec<f64> = v.iter().copied().take(k).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    (take(&d.sample, d.n), take(&c.sample, c.n))
}

/// The Kaplan–Meier estimate of the CDF: (event time, F just before, F at
/// it) at each distinct event time, censored times counted at risk at an
/// event time equal to theirs.
fn kaplan_meier(events: &[f64], cut: &[f64]) -> Vec<(f64, f64, f64)> {
    let total = events.len() + cut.len();
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut surv = 1.0;
    while i < events.len() {
        let t = events[i];
        while j < cut.len() && cut[j] < t {
            j += 1;
        }
        let at_risk = (total - i - j) as f64;
        let mut deaths = 0;
        while i < events.len() && events[i] == t {
            i += 1;
            deaths += 1;
        }
        let before = 1.0 - surv;
        surv *= 1.0 - deaths as f64 / at_risk;
        out.push((t, before, 1.0 - surv));
    }
    out
}

/// The largest distance between the fitted CDF and the Kaplan–Meier
/// estimate, on either side of each of its steps (up to the last complete
/// duration, beyond which the estimate knows nothing).
pub fn km_distance(events: &[f64], cut: &[f64], family: &Family) -> f64 {
    kaplan_meier(events, cut)
        .iter()
        .map(|&(t, before, at)| {
            let f = family.cdf(t);
            (f - before).abs().max((f - at).abs())
        })
        .fold(0.0, f64::max)
}

/// The observed quantile at each p: the Kaplan–Meier estimate's (the
/// first event time where it reaches p; `None` past its last step) when
/// durations were censored, else the complete sample's ⌈p·n⌉-th.
pub fn observed_quantiles(d: &Durations, c: &Censored, ps: &[f64]) -> Vec<Option<f64>> {
    if c.n == 0 {
        let mut sorted = d.sample.clone();
        sorted.sort_by(f64::total_cmp);
        return ps
            .iter()
            .map(|&p| Some(super::report::sample_quantile(&sorted, p)))
            .collect();
    }
    let (events, cut) = km_sample(d, c);
    let km = kaplan_meier(&events, &cut);
    ps.iter()
        .map(|&p| km.iter().find(|s| s.2 >= p - 1e-12).map(|s| s.0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{self, ComponentKey};
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp, LogNormal};
    use rand_xoshiro::SplitMix64;

    /// z of a two-sided 99.9% interval.
    const Z: f64 = 3.290_526_731_491_926;

    fn stream(name: &str) -> SplitMix64 {
        SplitMix64::seed_from_u64(seed::trial(1, 0).component(ComponentKey::of(name)))
    }

    fn find(c: &[Candidate], name: &str) -> Family {
        c.iter()
            .find(|k| k.family.name() == name)
            .unwrap()
            .family
            .clone()
    }

    #[test]
    fn an_exponential_censored_at_exponential_times_is_fitted_without_bias() {
        // Service Exponential(mean 2), cut off at Exponential(mean 3) times:
        // 3/5 complete, and the complete ones have mean 1/(1/2 + 1/3) = 1.2.
        let mut rng = stream("censored-exponential");
        let (service, cut) = (Exp::new(0.5).unwrap(), Exp::new(1.0 / 3.0).unwrap());
        let (mut d, mut c) = (Durations::default(), Censored::default());
        let (mut sum_x, mut sum_c) = (0.0, 0.0);
        for _ in 0..4000 {
            let (x, t): (f64, f64) = (service.sample(&mut rng), cut.sample(&mut rng));
            if x <= t {
                d.add(x);
                sum_x += x;
            } else {
                c.add(t);
                sum_c += t;
            }
        }
        let fitted = fit(&d, &c, Z);
        let Family::Exponential { mean, ci } = find(&fitted, "exponential") else {
            unreachable!()
        };
        // The closed form, computed here from the raw times.
        assert!((mean - (sum_x + sum_c) / d.n as f64).abs() < 1e-12 * mean);
        assert!(ci.0 <= 2.0 && 2.0 <= ci.1, "{mean} {ci:?}");
        // The complete durations alone: about 1.2, and their interval misses 2.
        let Family::Exponential {
            mean: naive,
            ci: naive_ci,
        } = find(&latency::fit(&d, Z), "exponential")
        else {
            unreachable!()
        };
        assert!(naive_ci.1 < 2.0, "{naive} {naive_ci:?}");
        assert!(
            naive_ci.0 <= 1.2 && 1.2 <= naive_ci.1,
            "{naive} {naive_ci:?}"
        );
        // An exponential is a gamma of shape 1: the censored gamma holds it.
        let Family::Gamma { shape, mean, .. } = find(&fitted, "gamma") else {
            unreachable!()
        };
        assert!(shape.1 <= 1.0 && 1.0 <= shape.2, "{shape:?}");
        assert!(mean.1 <= 2.0 && 2.0 <= mean.2, "{mean:?}");
    }

    #[test]
    fn a_lognormal_censored_at_a_fixed_time_holds_its_median_and_p99() {
        // Median 2, p99 8 (σ = ln 4 / 2.3263), every attempt cut off at 3 s:
        // P(X > 3) = Q(ln 1.5 / σ) = 0.248.
        let sigma = 4f64.ln() / Z99;
        let mut rng = stream("censored-lognormal");
        let dist = LogNormal::new(2f64.ln(), sigma).unwrap();
        let (mut d, mut c) = (Durations::default(), Censored::default());
        for _ in 0..4000 {
            let x: f64 = dist.sample(&mut rng);
            if x <= 3.0 { d.add(x) } else { c.add(3.0) }
        }
        let share = c.n as f64 / 4000.0;
        let expected = 0.5 * erfc(1.5f64.ln() / sigma / std::f64::consts::SQRT_2);
        assert!((share - expected).abs() < Z * (expected * (1.0 - expected) / 4000.0).sqrt());
        let Family::LogNormal { median, p99, .. } = find(&fit(&d, &c, Z), "lognormal") else {
            unreachable!()
        };
        assert!(median.1 <= 2.0 && 2.0 <= median.2, "{median:?}");
        assert!(p99.1 <= 8.0 && 8.0 <= p99.2, "{p99:?}");
        // Left out, the cut-off durations take the p99 far below 8.
        let Family::LogNormal { p99: naive, .. } = find(&latency::fit(&d, Z), "lognormal") else {
            unreachable!()
        };
        assert!(naive.2 < 8.0, "{naive:?}");
    }

    #[test]
    fn a_fixed_latency_stays_fixed_only_while_every_cut_off_is_shorter() {
        let mut d = Durations::default();
        for _ in 0..3 {
            d.add(1.0);
        }
        let mut c = Censored::default();
        c.add(0.4);
        assert_eq!(fit(&d, &c, 1.96), latency::fit(&d, 1.96));
        // Cut off at 5 s, beyond the 1 s every complete one took: not fixed;
        // the exponential's closed form (3 + 0.4 + 10) / 3 remains.
        c.add(5.0);
        c.add(5.0);
        let f = fit(&d, &c, 1.96);
        assert_eq!(f.len(), 1, "{f:?}");
        let Family::Exponential { mean, .. } = f[0].family else {
            panic!("{f:?}")
        };
        assert!((mean - 13.4 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn nothing_censored_gives_the_complete_data_fit() {
        let mut d = Durations::default();
        for x in [0.5, 1.0, 1.5, 3.0, 0.2] {
            d.add(x);
        }
        let mut c = Censored::default();
        c.add(0.0);
        assert_eq!(fit(&d, &c, 1.96), latency::fit(&d, 1.96));
    }

    #[test]
    fn the_normal_tail_is_continuous_where_the_series_takes_over() {
        let below = (0.5 * erfc(29.999_999 / std::f64::consts::SQRT_2)).ln();
        assert!(
            (ln_normal_sf(30.0) - below).abs() < 1e-4,
            "{}",
            ln_normal_sf(30.0)
        );
        assert!((ln_normal_sf(0.0) - 0.5f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn kaplan_meier_without_censoring_is_the_empirical_cdf() {
        let km = kaplan_meier(&[1.0, 2.0, 2.0, 3.0], &[]);
        assert_eq!(
            km,
            vec![(1.0, 0.0, 0.25), (2.0, 0.25, 0.75), (3.0, 0.75, 1.0)]
        );
    }

    #[test]
    fn kaplan_meier_redistributes_a_censored_mass() {
        // Events at 1 and 3, one censored at 2: S(1) = 2/3, S(3) = 2/3 · 0.
        let km = kaplan_meier(&[1.0, 3.0], &[2.0]);
        assert!((km[0].2 - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(km[1].2, 1.0);
    }
}
