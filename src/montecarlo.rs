//! Monte Carlo: many independent trials in parallel, deterministically.
//!
//! Trial `i` draws from its own generator seeded from `(seed, i)`, so a trial's
//! result never depends on which thread ran it or in what order; the
//! [`Accumulator`] merges with integer sums, so the totals do not either.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::model::Model;
use crate::stats::Accumulator;
use crate::task::TaskSim;

/// Trials handed to a worker at a time: large enough to amortise scheduling,
/// small enough to balance two cores.
const TRIALS_PER_CHUNK: u64 = 4096;

/// SplitMix64 finaliser: a bijective mix of 64 bits.
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of trial `trial` under base seed `seed`.
pub fn trial_rng(seed: u64, trial: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(
        splitmix64(seed) ^ splitmix64(trial.wrapping_add(0x5851_F42D_4C95_7F2D)),
    )
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
                    let mut rng = trial_rng(seed, trial);
                    let result = sim.run(&mut rng, &mut acc.execs);
                    acc.record(&result);
                }
                (sim, acc)
            },
        )
        .map(|(_, acc)| acc)
        .reduce(|| Accumulator::new(exec_count), Accumulator::merge)
}
