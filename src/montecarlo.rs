//! Monte Carlo: many independent trials in parallel, deterministically.
//!
//! Trial `i` draws from its own generators seeded from `(seed, i)`, so a trial's
//! result never depends on which thread ran it or in what order; the
//! [`Accumulator`] merges with integer sums, so the totals do not either.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    run_trials_until(model, seed, range, &AtomicBool::new(false))
}

/// As [`run_trials`], but stops early: when `stop` is set (checked between
/// chunks of trials; the totals are then partial and should be discarded),
/// or when a trial runs away (past [`crate::model::Limits`]): the chunks
/// after the earliest runaway are skipped, so the runaway reported in
/// [`Accumulator::runaway`] is the earliest one whatever the thread count.
pub fn run_trials_until(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    stop: &AtomicBool,
) -> Accumulator {
    let exec_count = model.exec_count();
    let len = range.end.saturating_sub(range.start);
    let chunks = len.div_ceil(TRIALS_PER_CHUNK) as usize;
    let first_runaway_chunk = AtomicUsize::new(usize::MAX);
    (0..chunks)
        .into_par_iter()
        .fold(
            || (TaskSim::new(model), Accumulator::new(exec_count)),
            |(mut sim, mut acc), chunk| {
                if stop.load(Ordering::Relaxed)
                    || chunk > first_runaway_chunk.load(Ordering::Relaxed)
                {
                    return (sim, acc);
                }
                let first = range.start + chunk as u64 * TRIALS_PER_CHUNK;
                let last = (first + TRIALS_PER_CHUNK).min(range.end);
                for trial in first..last {
                    let mut result = sim.run(trial_seed(seed, trial), &mut acc.execs);
                    if let Some(r) = &mut result.runaway {
                        r.task = trial;
                        acc.record(&result);
                        first_runaway_chunk.fetch_min(chunk, Ordering::Relaxed);
                        break;
                    }
                    acc.record(&result);
                }
                (sim, acc)
            },
        )
        .map(|(_, acc)| acc)
        .reduce(|| Accumulator::new(exec_count), Accumulator::merge)
}
