//! The count of an agent loop or dynamic fan-out, fitted from the
//! iterations or branches each execution ran, in the structure's own
//! count family.
//!
//! An execution is seen only through its lanes' spans (`coordsim.iteration`
//! / `coordsim.branch`), so one that drew N = 0 leaves no trace: the counts
//! are fitted given N ≥ 1 (a Poisson is fitted zero-truncated; a geometric
//! is ≥ 1 anyway). Some executions end before their count is reached, and
//! then only N ≥ (lanes seen) is known — a right-censored count:
//! - a loop cut short: its last iteration failed after its retries, or was
//!   abandoned (the task was decided elsewhere, a loop-back restarted it);
//!   and a loop that reached its step limit M (N = M and N > M look alike);
//! - a fan-out whose branches did not all start at once (`max_in_flight`
//!   below the count) and whose join ended early: under `"all"`, a branch
//!   that failed after its retries or any abandoned branch. Under `any`,
//!   `k` or `vote` with a limit in flight, a join can decide before the
//!   next branch starts without any span showing it: not fitted (said so).
//!
//! The cut is set by outcomes and other steps, not by the count, so each
//! censored execution enters the likelihood as P(N ≥ m).
//! - geometric: ln L = E ln q + A ln(1 − q) (E counts ended by themselves,
//!   A the iterations after which each went on), the binomial likelihood
//!   of E finishes in E + A iterations: q̂ = E / (E + A) with Wilson's
//!   interval, the mean 1/q̂ with the interval [1/q⁺, 1/q⁻];
//! - Poisson: zero-truncated, censored; Newton in ln λ, the interval from
//!   the observed information on the log scale;
//! - empirical: the Kaplan–Meier estimate of P(N = n) (a count censored at
//!   m counts at risk up to m − 1), its mass beyond the last complete count
//!   put at the largest censored one (one past the step limit for a loop
//!   censored there, which then breaches it); the mean with a normal
//!   interval from the estimate's variance over all executions;
//! - fixed: kept when every complete count is the same and no censored one
//!   exceeds it; written as an empirical otherwise.

use std::collections::BTreeMap;

use statrs::function::gamma::{checked_gamma_lr, ln_gamma};

use crate::model::dynamic::MAX_COUNT;
use crate::model::{Count, Dynamic, Merge};
use crate::stats::interval::wilson;

/// Lanes per execution: per count, executions that ran to their end and
/// executions cut short. Counts above [`MAX_COUNT`] share one key, so the
/// table stays bounded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaneCounts {
    hist: BTreeMap<u32, [u64; 2]>,
}

impl LaneCounts {
    /// One execution that ran `lanes` iterations or branches.
    pub fn add(&mut self, lanes: u32, cut: bool) {
        self.hist.entry(lanes.min(MAX_COUNT + 1)).or_default()[usize::from(cut)] += 1;
    }

    /// Executions seen.
    pub fn executions(&self) -> u64 {
        self.hist.values().map(|v| v[0] + v[1]).sum()
    }

    /// (count, executions) for every count seen, cut short or not.
    pub fn seen(&self) -> Vec<(u32, u64)> {
        self.hist.iter().map(|(&k, v)| (k, v[0] + v[1])).collect()
    }
}

/// A fitted count distribution, with intervals at the fit's z.
#[derive(Debug, Clone, PartialEq)]
pub enum CountDist {
    /// Always this count.
    Fixed(u32),
    /// Geometric: the mean and its interval.
    Geometric { mean: (f64, f64, f64) },
    /// Poisson: the mean λ and its interval.
    Poisson { mean: (f64, f64, f64) },
    /// The counts seen with their estimated probabilities, and the mean.
    Empirical {
        counts: Vec<u32>,
        weights: Vec<f64>,
        mean: (f64, f64, f64),
    },
}

/// The fit of a loop's or fan-out's count.
#[derive(Debug, Clone, PartialEq)]
pub struct CountFit {
    /// `"loop"` or `"fan_out"`: the scenario table it belongs in.
    pub table: &'static str,
    /// The distribution.
    pub dist: CountDist,
    /// Executions whose count was seen whole.
    pub complete: u64,
    /// Executions known only to need at least the lanes they ran.
    pub censored: u64,
}

impl CountFit {
    /// The fitted figures in words, for comments and reports.
    pub fn describe(&self, level: &str) -> String {
        use super::latency::g;
        let iv = |(v, lo, hi): (f64, f64, f64)| format!("{} [{}, {}]", g(v), g(lo), g(hi));
        let what = match &self.dist {
            CountDist::Fixed(n) => format!("fixed {n}"),
            CountDist::Geometric { mean } => format!("geometric mean {} ({level})", iv(*mean)),
            CountDist::Poisson { mean } => {
                format!("Poisson mean {} ({level}, given N ≥ 1)", iv(*mean))
            }
            CountDist::Empirical { counts, mean, .. } => format!(
                "empirical over {} counts, mean {} ({level})",
                counts.len(),
                iv(*mean)
            ),
        };
        format!(
            "{what}, n = {} executions ({} censored)",
            self.complete + self.censored,
            self.censored
        )
    }
}

/// Fits the count of `dynamic` to `lanes`; `Err` says why it cannot be.
pub fn fit(lanes: &LaneCounts, dynamic: &Dynamic, z: f64) -> Result<CountFit, String> {
    let (table, limit) = match dynamic {
        Dynamic::Loop(l) => ("loop", l.max_steps),
        Dynamic::FanOut(_) => ("fan_out", None),
    };
    // (count, complete executions, censored executions).
    let mut seen: Vec<(u32, f64, f64)> = Vec::new();
    for (&v, &[ran, cut]) in &lanes.hist {
        let (done, censored) = match dynamic {
            Dynamic::Loop(_) if limit == Some(v) => (0, ran + cut),
            Dynamic::Loop(_) => (ran, cut),
            Dynamic::FanOut(f) => match f.max_in_flight {
                Some(m) if v >= m => {
                    if f.join != Merge::All {
                        return Err(format!(
                            "fan-out count not fitted: with at most {m} branches in flight, a \
                             join other than \"all\" can decide before the next branch starts, \
                             which no span shows"
                        ));
                    }
                    (ran, cut)
                }
                _ => (ran + cut, 0),
            },
        };
        seen.push((v, done as f64, censored as f64));
    }
    if seen.iter().any(|s| s.0 > MAX_COUNT) {
        return Err(format!(
            "count not fitted: an execution ran more than {MAX_COUNT} lanes, beyond the \
             scenario format's counts"
        ));
    }
    let complete: f64 = seen.iter().map(|s| s.1).sum();
    let censored: f64 = seen.iter().map(|s| s.2).sum();
    if complete == 0.0 {
        return Err("count not fitted: no execution ran to its end".into());
    }
    let dist = match dynamic.count() {
        Count::Geometric { .. } => geometric(&seen, z),
        Count::Poisson { .. } => match poisson(&seen, z) {
            CountDist::Poisson { mean } if mean.0 > f64::from(MAX_COUNT) || !mean.0.is_finite() => {
                return Err(format!(
                    "Poisson count not fitted: its mean {} exceeds the format's {MAX_COUNT}",
                    mean.0
                ));
            }
            fitted => fitted,
        },
        Count::Fixed(_) | Count::Empirical { .. } => {
            let first = seen.iter().find(|s| s.1 > 0.0).map_or(0, |s| s.0);
            let one = seen
                .iter()
                .all(|s| (s.1 == 0.0 || s.0 == first) && (s.2 == 0.0 || s.0 <= first));
            if matches!(dynamic.count(), Count::Fixed(_)) && one {
                CountDist::Fixed(first)
            } else {
                empirical(&seen, limit, z)
            }
        }
    };
    Ok(CountFit {
        table,
        dist,
        complete: complete as u64,
        censored: censored as u64,
    })
}

/// Geometric on 1, 2, …: E finishes in E + A iterations at risk.
fn geometric(seen: &[(u32, f64, f64)], z: f64) -> CountDist {
    let finishes: f64 = seen.iter().map(|s| s.1).sum();
    let went_on: f64 = seen
        .iter()
        .map(|&(v, done, cut)| (done + cut) * (f64::from(v) - 1.0).max(0.0))
        .sum();
    let trials = finishes + went_on;
    let (lo, hi) = wilson(finishes as u64, trials as u64, z);
    CountDist::Geometric {
        mean: (trials / finishes, 1.0 / hi, 1.0 / lo.max(f64::MIN_POSITIVE)),
    }
}

/// ln of the zero-truncated, censored Poisson likelihood at ln λ.
fn poisson_log_lik(seen: &[(u32, f64, f64)], ln_lambda: f64) -> f64 {
    if !(ln_lambda.is_finite() && ln_lambda.abs() < 30.0) {
        return f64::NEG_INFINITY;
    }
    let lambda = ln_lambda.exp();
    let ln_seen = (-(-lambda).exp_m1()).ln();
    seen.iter()
        .map(|&(v, done, cut)| {
            let n = f64::from(v);
            let exact = if done > 0.0 {
                done * (n * ln_lambda - lambda - ln_gamma(n + 1.0))
            } else {
                0.0
            };
            // P(N ≥ m) = P(m, λ), the regularised lower incomplete gamma.
            let at_least = if cut > 0.0 {
                cut * checked_gamma_lr(n, lambda).map_or(f64::NEG_INFINITY, f64::ln)
            } else {
                0.0
            };
            exact + at_least - (done + cut) * ln_seen
        })
        .sum()
}

fn poisson(seen: &[(u32, f64, f64)], z: f64) -> CountDist {
    let ll = |t: f64| poisson_log_lik(seen, t);
    let total: f64 = seen.iter().map(|s| s.1 + s.2).sum();
    let mean_seen: f64 = seen
        .iter()
        .map(|s| f64::from(s.0) * (s.1 + s.2))
        .sum::<f64>()
        / total;
    // Newton in t = ln λ on central differences, steps halved until ln L rises.
    let h = 1e-5;
    let mut t = mean_seen.max(0.5).ln();
    let mut f = ll(t);
    for _ in 0..100 {
        let d1 = (ll(t + h) - ll(t - h)) / (2.0 * h);
        let d2 = (ll(t + h) - 2.0 * f + ll(t - h)) / (h * h);
        let mut step = if d2 < 0.0 {
            -d1 / d2
        } else {
            d1.signum() * 0.5
        };
        step = step.clamp(-2.0, 2.0);
        while step.abs() > 1e-14 && ll(t + step) < f {
            step /= 2.0;
        }
        if step.abs() <= 1e-14 {
            break;
        }
        t += step;
        f = ll(t);
        if step.abs() < 1e-10 {
            break;
        }
    }
    let hh = 1e-4;
    let info = -(ll(t + hh) - 2.0 * ll(t) + ll(t - hh)) / (hh * hh);
    let se = if info > 0.0 {
        1.0 / info.sqrt()
    } else {
        f64::INFINITY
    };
    CountDist::Poisson {
        mean: (t.exp(), (t - z * se).exp(), (t + z * se).exp()),
    }
}

/// The Kaplan–Meier estimate of P(N = n) over counts, censored ones at risk
/// up to one below their count.
fn empirical(seen: &[(u32, f64, f64)], limit: Option<u32>, z: f64) -> CountDist {
    let total: f64 = seen.iter().map(|s| s.1 + s.2).sum();
    let mut at_risk = total;
    let mut surv = 1.0;
    let (mut counts, mut weights) = (Vec::new(), Vec::new());
    for &(v, done, cut) in seen {
        // Censored at v: known N ≥ v, not at risk at v itself.
        at_risk -= cut;
        if done > 0.0 && at_risk > 0.0 {
            let mass = surv * done / at_risk;
            surv -= mass;
            counts.push(v);
            weights.push(mass);
        }
        at_risk -= done;
    }
    if surv > 1e-12 {
        let top = seen.iter().rev().find(|s| s.2 > 0.0).map_or(0, |s| s.0);
        let beyond = if limit == Some(top) {
            (top + 1).min(MAX_COUNT)
        } else {
            top
        };
        match counts.iter().position(|&c| c == beyond) {
            Some(i) => weights[i] += surv,
            None => {
                counts.push(beyond);
                weights.push(surv);
            }
        }
    }
    let m: f64 = counts
        .iter()
        .zip(&weights)
        .map(|(&c, w)| f64::from(c) * w)
        .sum();
    let var: f64 = counts
        .iter()
        .zip(&weights)
        .map(|(&c, w)| (f64::from(c) - m).powi(2) * w)
        .sum();
    let half = z * (var / total).sqrt();
    CountDist::Empirical {
        counts,
        weights,
        mean: (m, (m - half).max(0.0), m + half),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentLoop, FanOut, Growth, OnExhausted};

    fn agent_loop(count: Count, max_steps: Option<u32>) -> Dynamic {
        Dynamic::Loop(AgentLoop {
            count,
            max_steps,
            on_limit: OnExhausted::Fail,
            growth: Growth::default(),
        })
    }

    #[test]
    fn a_geometric_count_censored_at_the_limit_has_its_closed_form() {
        // Counts 1, 2, 3 ran to their end (1 each) and 2 reached the limit
        // of 4: E = 3 finishes, A = 0 + 1 + 2 + 2·3 = 9 iterations went on.
        let mut lanes = LaneCounts::default();
        for v in [1, 2, 3, 4, 4] {
            lanes.add(v, false);
        }
        let d = agent_loop(Count::Geometric { finish: 0.5 }, Some(4));
        let f = fit(&lanes, &d, 1.96).unwrap();
        let CountDist::Geometric { mean } = f.dist else {
            panic!("{f:?}")
        };
        assert!((mean.0 - 12.0 / 3.0).abs() < 1e-12, "{mean:?}");
        let (lo, hi) = wilson(3, 12, 1.96);
        assert!((mean.1 - 1.0 / hi).abs() < 1e-12 && (mean.2 - 1.0 / lo).abs() < 1e-12);
        assert_eq!((f.complete, f.censored), (3, 2));
    }

    #[test]
    fn kaplan_meier_counts_give_the_frequencies_without_censoring() {
        let mut lanes = LaneCounts::default();
        for v in [1, 1, 2, 5] {
            lanes.add(v, true);
        }
        let d = Dynamic::FanOut(FanOut {
            count: Count::Fixed(3),
            join: Merge::All,
            max_in_flight: None,
        });
        let f = fit(&lanes, &d, 1.96).unwrap();
        let CountDist::Empirical {
            counts, weights, ..
        } = f.dist
        else {
            panic!("{f:?}")
        };
        assert_eq!(counts, vec![1, 2, 5]);
        assert_eq!(weights, vec![0.5, 0.25, 0.25]);
    }

    #[test]
    fn a_censored_count_moves_its_mass_to_the_larger_counts() {
        // 1 (done), 2 (censored: N ≥ 2), 3 (done): P(1) = 1/3, then the
        // censored one leaves the risk set, P(3) = 2/3.
        let mut lanes = LaneCounts::default();
        lanes.add(1, false);
        lanes.add(2, true);
        lanes.add(3, false);
        let d = agent_loop(
            Count::Empirical {
                counts: vec![1],
                cumulative: vec![1.0],
            },
            None,
        );
        let CountDist::Empirical {
            counts, weights, ..
        } = fit(&lanes, &d, 1.96).unwrap().dist
        else {
            panic!()
        };
        assert_eq!(counts, vec![1, 3]);
        assert!((weights[0] - 1.0 / 3.0).abs() < 1e-15 && (weights[1] - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn a_zero_truncated_poisson_solves_its_score_equation() {
        // Without censoring the MLE solves λ / (1 − e^−λ) = mean count.
        let mut lanes = LaneCounts::default();
        for (v, k) in [(1, 30), (2, 25), (3, 20), (4, 10), (6, 5)] {
            for _ in 0..k {
                lanes.add(v, false);
            }
        }
        let d = Dynamic::FanOut(FanOut {
            count: Count::Poisson { mean: 2.0 },
            join: Merge::All,
            max_in_flight: None,
        });
        let CountDist::Poisson { mean } = fit(&lanes, &d, 1.96).unwrap().dist else {
            panic!()
        };
        let xbar = (30.0 + 50.0 + 60.0 + 40.0 + 30.0) / 90.0;
        let l = mean.0;
        assert!((l / (1.0 - (-l).exp()) - xbar).abs() < 1e-8, "{mean:?}");
        assert!(mean.1 < l && l < mean.2);
    }
}
