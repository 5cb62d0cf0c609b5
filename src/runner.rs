//! One entry point for "simulate this scenario": what every command calls.

use crate::montecarlo::run_trials;
use crate::scenario::Scenario;
use crate::stats::Summary;

/// Runs `trials` trials of `scenario` from base `seed` on the current rayon
/// pool and summarises them. Deterministic for a given (scenario, trials, seed).
pub fn simulate(scenario: &Scenario, trials: u64, seed: u64) -> Summary {
    let acc = run_trials(&scenario.model, seed, 0..trials);
    Summary::new(&scenario.model, seed, &acc)
}
