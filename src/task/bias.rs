//! Failure biasing for importance sampling of rare outcomes: draws that make
//! failures likelier, each with the exact likelihood ratio of what it drew.
//!
//! Every failure probability below the bias θ is raised to θ: a step's (or
//! hand-off's) chance of going wrong (silent + loud, split in their own
//! proportion) and a gate's chance of missing a corrupted input. Each draw
//! uses the same uniform number from the component's own stream as an
//! unbiased draw, and returns the ratio p(outcome) / p_biased(outcome); the
//! product over a task's draws is the task's weight, and weighted outcome
//! counts are unbiased estimates of the true rates (Heidelberger, "Fast
//! simulation of rare events in queueing and reliability models", 1995).
//! Latencies, retry delays, false alarms, persistence, per-task rates and
//! common causes are drawn as they are without biasing (their likelihood
//! ratio is 1; a common cause that strikes overrides the biased draw, whose
//! ratio still counts, as that of any variable drawn and not used).

use rand::{Rng, RngExt};

use crate::model::{AttemptOutcome, OutcomeProbs};

/// An attempt's outcome and its likelihood ratio: biased by `bias` if set,
/// else exactly [`OutcomeProbs::draw`] with ratio 1. A step that cannot fail
/// draws nothing, biased or not.
#[inline]
pub fn draw<R: Rng + ?Sized>(
    bias: Option<FailureBias>,
    probs: OutcomeProbs,
    rng: &mut R,
) -> (AttemptOutcome, f64) {
    match bias {
        None => (probs.draw(rng), 1.0),
        Some(_) if probs.never_fails() => (AttemptOutcome::Ok, 1.0),
        Some(b) => b.outcome(probs, rng.random()),
    }
}

/// The failure bias θ: failure probabilities below it are raised to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FailureBias {
    theta: f64,
}

impl FailureBias {
    /// A bias of θ (0 < θ < 1).
    pub fn new(theta: f64) -> Self {
        debug_assert!(theta > 0.0 && theta < 1.0);
        FailureBias { theta }
    }

    /// θ.
    pub fn theta(self) -> f64 {
        self.theta
    }

    /// An attempt's outcome drawn from uniform `u` with its failure chance
    /// raised to θ, and the likelihood ratio of that outcome.
    #[inline]
    pub fn outcome(self, probs: OutcomeProbs, u: f64) -> (AttemptOutcome, f64) {
        let fail = probs.loud + probs.silent;
        if fail >= self.theta || fail <= 0.0 {
            return (unbiased(probs, u), 1.0);
        }
        let scale = self.theta / fail;
        if u < probs.loud * scale {
            (AttemptOutcome::Loud, 1.0 / scale)
        } else if u < self.theta {
            (AttemptOutcome::Silent, 1.0 / scale)
        } else {
            (AttemptOutcome::Ok, (1.0 - fail) / (1.0 - self.theta))
        }
    }

    /// Whether a gate flags a corrupted input it catches with probability
    /// `sensitivity`, drawn from `u` with its miss chance raised to θ, and
    /// the likelihood ratio of that decision.
    #[inline]
    pub fn gate_flags_corrupted(self, sensitivity: f64, u: f64) -> (bool, f64) {
        let miss = 1.0 - sensitivity;
        if miss >= self.theta || miss <= 0.0 {
            return (u < sensitivity, 1.0);
        }
        let flag = 1.0 - self.theta;
        if u < flag {
            (true, sensitivity / flag)
        } else {
            (false, miss / self.theta)
        }
    }
}

/// The outcome an unbiased draw gives for `u` ([`OutcomeProbs::draw`]).
fn unbiased(probs: OutcomeProbs, u: f64) -> AttemptOutcome {
    if u < probs.loud {
        AttemptOutcome::Loud
    } else if u < probs.loud + probs.silent {
        AttemptOutcome::Silent
    } else {
        AttemptOutcome::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The likelihood ratios of the biased draw average to 1 and reweight
    /// each outcome to its true probability (integrated over u exactly).
    #[test]
    fn likelihood_ratios_reweight_to_the_true_probabilities() {
        let probs = OutcomeProbs {
            silent: 0.001,
            loud: 0.002,
        };
        let b = FailureBias::new(0.3);
        let steps = 1_000_000;
        let mut mass = [0.0; 3];
        for i in 0..steps {
            let u = (i as f64 + 0.5) / steps as f64;
            let (o, lr) = b.outcome(probs, u);
            let k = match o {
                AttemptOutcome::Loud => 0,
                AttemptOutcome::Silent => 1,
                _ => 2,
            };
            mass[k] += lr / steps as f64;
        }
        assert!((mass[0] - 0.002).abs() < 1e-6, "{mass:?}");
        assert!((mass[1] - 0.001).abs() < 1e-6, "{mass:?}");
        assert!((mass[2] - 0.997).abs() < 1e-6, "{mass:?}");
        let mut miss = 0.0;
        for i in 0..steps {
            let u = (i as f64 + 0.5) / steps as f64;
            let (flag, lr) = b.gate_flags_corrupted(0.99, u);
            if !flag {
                miss += lr / steps as f64;
            }
        }
        assert!((miss - 0.01).abs() < 1e-6, "{miss}");
    }
}
