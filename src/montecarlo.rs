//! Monte Carlo: many independent trials in parallel, deterministically.
//!
//! Trial `i` draws from its own generators seeded from `(seed, i)`, so a trial's
//! result never depends on which thread ran it or in what order; the
//! [`Accumulator`] merges with integer sums, so the totals do not either.

use rayon::prelude::*;

use crate::model::Model;
use crate::stats::Accumulator;
use crate::task::{TaskSim, mix};

/// Trials handed to a worker at a time: large enough to amortise scheduling,
/// small enough to balance two cores.
const TRIALS_PER_CHUNK: u64 = 4096;

/// The seed of trial `trial` under base seed `seed`: every random stream of
/// the trial derives from it, whatever thread runs it.
pub fn trial_seed(seed: u64, trial: u64) -> u64 {
    mix(mix(seed, 0x5851_F42D_4C95_7F2D), trial)
}

/// Runs trials `range` of `model` under `seed` and returns their totals.
pub fn run_trials(model: &Model, seed: u64, range: std::ops::Range<u64>) -> Accumulator {
    let exec_count = model.exec_count();
    let len = range.end.saturating_sub(range.start);
    let chunks = len.div_ceil(TRIALS_PER_CHUNK) as usize;
    (0..chunks)
        .into_par_iter()
        .fold(
            || (TaskSim::new(model), Accumulator::new(exec_count)),
            |(mut sim, mut acc), chunk| {
                let first = range.start + chunk as u64 * TRIALS_PER_CHUNK;
                let last = (first + TRIALS_PER_CHUNK).min(range.end);
                for trial in first..last {
                    let result = sim.run(trial_seed(seed, trial), &mut acc.execs);
                    acc.record(&result);
                }
                (sim, acc)
            },
        )
        .map(|(_, acc)| acc)
        .reduce(|| Accumulator::new(exec_count), Accumulator::merge)
}
