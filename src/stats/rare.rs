//! Rare outcome rates by importance sampling: weighted outcome totals and
//! the estimates, intervals and diagnostics they give.
//!
//! Each trial carries the likelihood ratio `w` of its biased draws
//! ([`crate::task::bias`]). The rate of outcome `o` is estimated by the
//! weighted mean p̂ = Σ w·1{o} / n, unbiased whatever the bias; its 95%
//! interval is the normal interval of that mean (standard error from the
//! sample variance of w·1{o}), clipped to [0, 1]. The effective sample size
//! (Kish: (Σw)² / Σw²) says how many unweighted trials the weights are worth;
//! an estimate resting on few hits, or on one trial's weight, is flagged.

use serde::{Deserialize, Serialize};

use super::interval::Z95;
use crate::task::TaskOutcome;

/// Outcomes in the order of the totals: correct, silent, loud, escalated.
pub const OUTCOMES: [&str; 4] = ["correct", "silent", "loud", "escalated"];

/// Fewer hits than this make an estimate's interval unreliable.
pub const MIN_HITS: u64 = 30;
/// A single trial carrying more than this share of an estimate makes it unreliable.
pub const MAX_SHARE: f64 = 0.1;

/// Weighted totals of a set of trials. Sums are of `f64`s: they are added in
/// a fixed order (trial order within chunks, chunks in order) so that they
/// are bit-identical for any thread count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeightedTally {
    /// Trials.
    pub trials: u64,
    /// Trials per outcome (under the biased draws).
    pub hits: [u64; 4],
    /// Σ w per outcome.
    pub weight: [f64; 4],
    /// Σ w² per outcome.
    pub weight_sq: [f64; 4],
    /// Largest single w per outcome.
    pub weight_max: [f64; 4],
}

impl WeightedTally {
    /// Adds one trial of outcome `o` and weight `w`.
    pub fn record(&mut self, o: TaskOutcome, w: f64) {
        let k = match o {
            TaskOutcome::Correct => 0,
            TaskOutcome::Silent => 1,
            TaskOutcome::Loud => 2,
            TaskOutcome::Escalated => 3,
        };
        self.trials += 1;
        self.hits[k] += 1;
        self.weight[k] += w;
        self.weight_sq[k] += w * w;
        self.weight_max[k] = self.weight_max[k].max(w);
    }

    /// This tally followed by `next` (add in trial order for identical sums).
    pub fn append(mut self, next: &WeightedTally) -> WeightedTally {
        self.trials += next.trials;
        for k in 0..4 {
            self.hits[k] += next.hits[k];
            self.weight[k] += next.weight[k];
            self.weight_sq[k] += next.weight_sq[k];
            self.weight_max[k] = self.weight_max[k].max(next.weight_max[k]);
        }
        self
    }
}

/// One outcome's estimated rate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RareRate {
    /// `correct`, `silent`, `loud` or `escalated`.
    pub outcome: String,
    /// The importance-sampling estimate of its rate.
    pub rate: f64,
    /// Its 95% interval: normal on the weighted mean, clipped to [0, 1].
    pub ci95: [f64; 2],
    /// Its standard error.
    pub std_error: f64,
    /// Trials that had this outcome under the biased draws.
    pub hits: u64,
    /// Effective sample size of its hits ((Σw)² / Σw² over them).
    pub hits_ess: f64,
    /// The largest single trial's share of the estimate.
    pub max_share: f64,
    /// Why the interval should not be trusted, if it should not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// What `coordsim run --rare` reports (`rare.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RareSummary {
    /// Scenario name.
    pub scenario: String,
    /// Trials run.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// The failure bias θ.
    pub bias: f64,
    /// "importance sampling (failure biasing), likelihood-ratio weights".
    pub method: String,
    /// Effective sample size of all trials ((Σw)² / Σw²).
    pub ess: f64,
    /// The mean weight (1 in expectation: far from 1 means the weights degenerated).
    pub mean_weight: f64,
    /// Per outcome, in the order correct, silent, loud, escalated.
    pub outcomes: Vec<RareRate>,
}

impl RareSummary {
    /// The estimates of `tally`, run from `seed` with bias `theta`.
    pub fn new(scenario: &str, seed: u64, theta: f64, tally: &WeightedTally) -> Self {
        let n = tally.trials.max(1) as f64;
        let total: f64 = tally.weight.iter().sum();
        let total_sq: f64 = tally.weight_sq.iter().sum();
        let outcomes = (0..4)
            .map(|k| {
                let rate = tally.weight[k] / n;
                // Sample variance of w·1{o} over all trials.
                let var = if tally.trials > 1 {
                    ((tally.weight_sq[k] - n * rate * rate) / (n - 1.0)).max(0.0)
                } else {
                    0.0
                };
                let se = (var / n).sqrt();
                let hits_ess = if tally.weight_sq[k] > 0.0 {
                    tally.weight[k] * tally.weight[k] / tally.weight_sq[k]
                } else {
                    0.0
                };
                let max_share = if tally.weight[k] > 0.0 {
                    tally.weight_max[k] / tally.weight[k]
                } else {
                    0.0
                };
                let warning = if tally.hits[k] == 0 {
                    Some("no trial had this outcome: the interval says nothing".to_string())
                } else if tally.hits[k] < MIN_HITS {
                    Some(format!(
                        "only {} trials had this outcome (fewer than {MIN_HITS}): the interval is unreliable",
                        tally.hits[k]
                    ))
                } else if max_share > MAX_SHARE {
                    Some(format!(
                        "one trial carries {:.0}% of the estimate: the weights degenerated; \
                         lower the bias or run more trials",
                        max_share * 100.0
                    ))
                } else {
                    None
                };
                RareRate {
                    outcome: OUTCOMES[k].into(),
                    rate,
                    // Without a hit the weighted sample says nothing about the rate.
                    ci95: if tally.hits[k] == 0 {
                        [0.0, 1.0]
                    } else {
                        [(rate - Z95 * se).max(0.0), (rate + Z95 * se).min(1.0)]
                    },
                    std_error: se,
                    hits: tally.hits[k],
                    hits_ess,
                    max_share,
                    warning,
                }
            })
            .collect();
        RareSummary {
            scenario: scenario.into(),
            trials: tally.trials,
            seed,
            bias: theta,
            method: "importance sampling (failure biasing), likelihood-ratio weights".into(),
            ess: if total_sq > 0.0 {
                total * total / total_sq
            } else {
                0.0
            },
            mean_weight: total / n,
            outcomes,
        }
    }

    /// The overall warning, if the weights degenerated: an effective sample
    /// size below 1% of the trials.
    pub fn degenerate(&self) -> Option<String> {
        (self.ess < 0.01 * self.trials as f64).then(|| {
            format!(
                "the weights degenerated: {} trials are worth {:.0} unweighted ones \
                 (effective sample size); lower the bias (--bias) so that fewer draws are biased",
                self.trials, self.ess
            )
        })
    }
}
