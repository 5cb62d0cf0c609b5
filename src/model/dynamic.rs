//! Nodes whose work is repeated a random number of times: agent loops (a
//! tool-using agent calls tools until it decides it is done) and dynamic
//! fan-outs (an orchestrator maps a sub-task over a list of random length).
//!
//! The body repeated is the node's own step; each iteration (or branch) is
//! one execution of it, with its retries. The count is drawn once per
//! execution of the node from a [`Count`] distribution, by inversion of one
//! uniform number, so that neighbouring count parameters (a sweep over the
//! mean loop length) draw neighbouring counts.

use super::{Merge, OnExhausted};

/// Largest count a distribution may give or a limit may allow: far beyond
/// any real agent, and bounded so that one task stays within its events.
pub const MAX_COUNT: u32 = 100_000;

/// A distribution of how many times a node's body runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Count {
    /// Always `n`.
    Fixed(u32),
    /// 1, 2, 3, … with P(N = n) = q (1 − q)^(n−1): the body finishes after
    /// each iteration with probability q (mean 1 / q).
    Geometric {
        /// Probability of finishing after each iteration, in (0, 1].
        finish: f64,
    },
    /// Poisson with this mean (0, 1, 2, …).
    Poisson {
        /// The mean, > 0.
        mean: f64,
    },
    /// Counts with weights, as read from traces.
    Empirical {
        /// The counts.
        counts: Vec<u32>,
        /// Cumulative weights, normalised to end at 1.
        cumulative: Vec<f64>,
    },
}

impl Count {
    /// The count at uniform `u` in [0, 1) (inversion of the distribution).
    pub fn at(&self, u: f64) -> u32 {
        match self {
            Count::Fixed(n) => *n,
            Count::Geometric { finish } => {
                if *finish >= 1.0 {
                    return 1;
                }
                // P(N > n) = (1 − q)^n; N = 1 + floor(ln(1 − u) / ln(1 − q)).
                let n = 1.0 + ((-u).ln_1p() / (-finish).ln_1p()).floor();
                n.min(u32::MAX as f64) as u32
            }
            Count::Poisson { mean } => poisson_at(*mean, u),
            Count::Empirical { counts, cumulative } => {
                let i = cumulative.partition_point(|&c| c <= u);
                counts[i.min(counts.len() - 1)]
            }
        }
    }

    /// The mean count.
    pub fn mean(&self) -> f64 {
        match self {
            Count::Fixed(n) => *n as f64,
            Count::Geometric { finish } => 1.0 / finish,
            Count::Poisson { mean } => *mean,
            Count::Empirical { counts, cumulative } => counts
                .iter()
                .zip(weights(cumulative))
                .map(|(&n, w)| n as f64 * w)
                .sum(),
        }
    }

    /// E[x^N · 1{N ≤ limit}] (the generating function, cut at the limit):
    /// with x the chance that one iteration is right, the chance that every
    /// iteration is right and the limit is not breached (docs/MODEL.md).
    pub fn generating(&self, x: f64, limit: Option<u32>) -> f64 {
        let within = |n: u32| limit.is_none_or(|m| n <= m);
        match self {
            Count::Fixed(n) => {
                if within(*n) {
                    x.powi(*n as i32)
                } else {
                    0.0
                }
            }
            Count::Geometric { finish: q } => {
                // Σ_{n=1}^{M} q (1 − q)^(n−1) x^n = q x (1 − ((1 − q) x)^M) / (1 − (1 − q) x).
                let r = (1.0 - q) * x;
                let tail = limit.map_or(0.0, |m| r.powi(m as i32));
                if r >= 1.0 {
                    // x = 1 and q = 0 cannot happen (q > 0); x = 1: P(N ≤ M).
                    return 1.0 - tail;
                }
                q * x * (1.0 - tail) / (1.0 - r)
            }
            Count::Poisson { mean } => {
                let top = poisson_top(*mean);
                let last = limit.map_or(top, |m| m.min(top));
                let mut p = (-mean).exp();
                let mut sum = 0.0;
                for n in 0..=last {
                    if n > 0 {
                        p *= mean / n as f64;
                    }
                    sum += p * x.powi(n as i32);
                }
                sum
            }
            Count::Empirical { counts, cumulative } => counts
                .iter()
                .zip(weights(cumulative))
                .filter(|&(&n, _)| within(n))
                .map(|(&n, w)| w * x.powi(n as i32))
                .sum(),
        }
    }

    /// P(N > limit): the chance that the count breaches a step limit.
    pub fn above(&self, limit: u32) -> f64 {
        1.0 - self.generating(1.0, Some(limit))
    }
}

/// The probabilities of an empirical distribution, from its cumulative weights.
fn weights(cumulative: &[f64]) -> impl Iterator<Item = f64> + '_ {
    cumulative.iter().scan(0.0, |before, &c| {
        let w = c - *before;
        *before = c;
        Some(w)
    })
}

/// A count beyond which a Poisson(mean) has no mass a double can tell.
fn poisson_top(mean: f64) -> u32 {
    (mean + 40.0 * mean.sqrt() + 100.0).min(MAX_COUNT as f64 * 10.0) as u32
}

/// The Poisson(mean) count at uniform `u`: the first n whose cumulative
/// probability exceeds u, the probabilities kept in logarithms so that a
/// large mean (whose e^(−mean) underflows) is inverted as well.
fn poisson_at(mean: f64, u: f64) -> u32 {
    let top = poisson_top(mean);
    let ln_mean = mean.ln();
    let mut ln_p = -mean;
    let mut cumulative = 0.0;
    for n in 0..top {
        if n > 0 {
            ln_p += ln_mean - (n as f64).ln();
        }
        cumulative += ln_p.exp();
        if cumulative > u {
            return n;
        }
    }
    top
}

/// An agent loop: the node's step runs N times in series, each iteration
/// taking the previous one's output.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentLoop {
    /// How many iterations the agent needs.
    pub count: Count,
    /// The step limit: an agent needing more iterations is stopped after this many.
    pub max_steps: Option<u32>,
    /// What a breached step limit does: a loud failure or an escalation.
    pub on_limit: OnExhausted,
    /// What each iteration adds to the one before it (context growth).
    pub growth: Growth,
}

/// The growth of an iteration's input (its context) over the one before:
/// iteration k (from 1) adds (k − 1) times each of these to its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Growth {
    /// Input tokens.
    pub tokens: u64,
    /// Dollars (the input tokens at the step's input price).
    pub usd: f64,
    /// Seconds (the input tokens at the step's prefill rate, for `dist = "tokens"`).
    pub seconds: f64,
}

impl Growth {
    /// True when iterations do not grow.
    pub fn is_none(&self) -> bool {
        self.tokens == 0
    }
}

/// A dynamic fan-out: the node's step runs in N parallel branches, joined
/// by a merge policy.
#[derive(Debug, Clone, PartialEq)]
pub struct FanOut {
    /// How many branches.
    pub count: Count,
    /// How the branches' results are joined.
    pub join: Merge,
    /// Most branches in flight at once (`None`: all of them).
    pub max_in_flight: Option<u32>,
}

/// What a dynamic node repeats, and how.
#[derive(Debug, Clone, PartialEq)]
pub enum Dynamic {
    /// Iterations in series.
    Loop(AgentLoop),
    /// Branches in parallel.
    FanOut(FanOut),
}

impl Dynamic {
    /// The count distribution.
    pub fn count(&self) -> &Count {
        match self {
            Dynamic::Loop(l) => &l.count,
            Dynamic::FanOut(f) => &f.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geometric_count_inverts_its_tail() {
        let g = Count::Geometric { finish: 0.25 };
        // P(N > n) = 0.75^n: N = 1 below u = 0.25, 2 up to 1 − 0.75².
        assert_eq!(g.at(0.0), 1);
        assert_eq!(g.at(0.2499), 1);
        assert_eq!(g.at(0.2501), 2);
        assert_eq!(g.at(0.4374), 2);
        assert_eq!(g.at(0.4376), 3);
        assert!((g.above(3) - 0.75f64.powi(3)).abs() < 1e-12);
    }

    #[test]
    fn a_poisson_count_inverts_its_distribution() {
        let p = Count::Poisson { mean: 2.0 };
        let p0 = (-2.0f64).exp();
        assert_eq!(p.at(p0 - 1e-9), 0);
        assert_eq!(p.at(p0 + 1e-9), 1);
        assert_eq!(p.at(3.0 * p0 + 1e-9), 2);
        // E[x^N] = e^(−mean (1 − x)).
        assert!((p.generating(0.9, None) - (-0.2f64).exp()).abs() < 1e-12);
        // A mean whose e^(−mean) underflows still inverts near its mean.
        let big = Count::Poisson { mean: 5000.0 };
        assert!((4900..5100).contains(&big.at(0.5)));
    }

    #[test]
    fn an_empirical_count_follows_its_weights() {
        let e = Count::Empirical {
            counts: vec![1, 3, 8],
            cumulative: vec![0.5, 0.75, 1.0],
        };
        assert_eq!(e.at(0.49), 1);
        assert_eq!(e.at(0.5), 3);
        assert_eq!(e.at(0.99), 8);
        assert!((e.mean() - (0.5 + 0.75 + 2.0)).abs() < 1e-12);
        assert!((e.above(3) - 0.25).abs() < 1e-12);
    }
}
