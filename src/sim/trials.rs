//! Independent trials in parallel, deterministically.
//!
//! Trial `i` draws from streams seeded from `(seed, i)` ([`crate::seed`]), so
//! a trial's result never depends on which thread ran it or in what order;
//! the [`Accumulator`] merges with integer sums, so the totals do not either.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::Control;
use crate::model::Model;
use crate::seed::{self, TaskSeed};
use crate::stats::{Accumulator, cofailure};
use crate::task::{ExecCounters, Runaway, TaskOutcome, TaskSim, TrialResult};

/// Trials handed to a worker at a time: large enough to amortise scheduling,
/// small enough to balance two cores and to notice a stop request quickly.
pub const TRIALS_PER_CHUNK: u64 = 4096;

/// Runs trials `range` of `model` under base `seed` on the current rayon
/// pool and returns their totals. Stops early when `control` is stopped
/// (checked between chunks; the totals are then partial and must be
/// discarded) or when a trial runs away (past [`crate::model::Limits`]): the
/// chunks after the earliest runaway are skipped, so the runaway kept in
/// [`Accumulator::runaway`] is the earliest one whatever the thread count.
pub fn run_trials(
    model: &Model,
    seed: u64,
    range: std::ops::Range<u64>,
    control: Control<'_>,
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
                let mut runs = RunsOfATask::new(model);
                let mut pairs = cofailure::Tracker::default();
                if control.stopped() || chunk > first_runaway_chunk.load(Ordering::Relaxed) {
                    return (sim, acc);
                }
                let first = range.start + chunk as u64 * TRIALS_PER_CHUNK;
                let last = (first + TRIALS_PER_CHUNK).min(range.end);
                for trial in first..last {
                    let task_seed = seed::trial(seed, trial);
                    if model.failure_correlation {
                        pairs.start(&acc.execs);
                    }
                    let mut result = sim.run(task_seed, &mut acc.execs);
                    if model.failure_correlation {
                        pairs.finish(&mut acc);
                    }
                    if result.runaway.is_none() && model.pass_k > 1 {
                        result.runaway = runs.rerun(&mut sim, task_seed, &result, &mut acc);
                    }
                    if let Some(r) = &mut result.runaway {
                        r.task = trial;
                        acc.record(&result);
                        first_runaway_chunk.fetch_min(chunk, Ordering::Relaxed);
                        break;
                    }
                    acc.record(&result);
                }
                control.advance(last - first);
                (sim, acc)
            },
        )
        .map(|(_, acc)| acc)
        .reduce(|| Accumulator::new(exec_count), Accumulator::merge)
}

/// The later runs of a task for pass^k: they count towards pass^k and
/// pass@k only (their per-node counters go to a scratch area), and stop the
/// run like any task if they run away.
struct RunsOfATask {
    scratch: Vec<ExecCounters>,
    correct: Vec<bool>,
}

impl RunsOfATask {
    fn new(model: &Model) -> Self {
        RunsOfATask {
            scratch: vec![ExecCounters::default(); model.exec_count()],
            correct: Vec::with_capacity(model.pass_k as usize),
        }
    }

    /// Runs 1..K of the task whose run 0 gave `first`, recording them in `acc`.
    fn rerun(
        &mut self,
        sim: &mut TaskSim,
        seed: TaskSeed,
        first: &TrialResult,
        acc: &mut Accumulator,
    ) -> Option<Runaway> {
        self.correct.clear();
        self.correct.push(first.outcome == TaskOutcome::Correct);
        for run in 1..sim.model().pass_k {
            let r = sim.run_again(seed, run, &mut self.scratch);
            if r.runaway.is_some() {
                return r.runaway;
            }
            self.correct.push(r.outcome == TaskOutcome::Correct);
        }
        acc.record_runs(&self.correct);
        None
    }
}
