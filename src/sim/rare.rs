//! Rare outcomes by importance sampling: independent trials with failure
//! biasing ([`crate::task::bias`]), their likelihood-ratio weights summed in
//! a fixed order so that the estimates are bit-identical for any thread
//! count.
//!
//! Supported: every feature of independent trials (steps, hand-offs,
//! retries, timeouts, merges, votes, gates and their loops, per-task rates,
//! persistence, common causes). Refused, by [`unsupported`]: a `[workload]`
//! (tasks sharing queues are not independent trials), `[run] pass_k` above 1
//! (re-runs of a task would need the joint weight of all its runs) and
//! `[run] failure_correlation` (measured on unweighted trials).

use rayon::prelude::*;

use super::error::describe_runaway;
use super::trials::TRIALS_PER_CHUNK;
use super::{Control, SimError};
use crate::scenario::Scenario;
use crate::seed;
use crate::stats::rare::WeightedTally;
use crate::task::bias::FailureBias;
use crate::task::{ExecCounters, Runaway, TaskSim};

/// The feature of `scenario` importance sampling does not support, with
/// what to do instead, if any.
pub fn unsupported(scenario: &Scenario) -> Option<(&'static str, &'static str)> {
    if scenario.workload.is_some() {
        return Some((
            "workload",
            "importance sampling estimates rare outcomes of independent trials; tasks of a \
             [workload] share queues; run it without --rare, or remove [workload]",
        ));
    }
    if scenario.model.pass_k > 1 {
        return Some((
            "run.pass_k",
            "importance sampling weighs one run per task; run it with pass_k = 1 \
             (e.g. --set run.pass_k=1), or without --rare",
        ));
    }
    if scenario.model.failure_correlation {
        return Some((
            "run.failure_correlation",
            "the failure correlation is measured on unweighted trials; run --correlation \
             without --rare",
        ));
    }
    None
}

/// Runs `trials` independent trials of `scenario` from base `seed` with
/// failures biased by `bias`, and returns their weighted totals. Refused
/// like any run when a task runs away (the earliest is named) or the run is
/// stopped.
pub fn run_rare(
    scenario: &Scenario,
    seed: u64,
    trials: u64,
    bias: FailureBias,
    control: Control<'_>,
) -> Result<WeightedTally, SimError> {
    let model = &scenario.model;
    let chunks = trials.div_ceil(TRIALS_PER_CHUNK);
    let parts: Vec<(WeightedTally, Option<Runaway>)> = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut tally = WeightedTally::default();
            if control.stopped() {
                return (tally, None);
            }
            let mut sim = TaskSim::new(model);
            sim.set_bias(Some(bias));
            let mut counters = vec![ExecCounters::default(); model.exec_count()];
            let first = chunk * TRIALS_PER_CHUNK;
            let last = (first + TRIALS_PER_CHUNK).min(trials);
            for trial in first..last {
                let r = sim.run(seed::trial(seed, trial), &mut counters);
                if let Some(mut runaway) = r.runaway {
                    runaway.task = trial;
                    return (tally, Some(runaway));
                }
                tally.record(r.outcome, sim.weight());
            }
            control.advance(last - first);
            (tally, None)
        })
        .collect();
    if let Some(r) = parts.iter().find_map(|(_, r)| *r) {
        return Err(SimError::Runaway(describe_runaway(model, &r)));
    }
    if control.stopped() {
        return Err(SimError::Cancelled);
    }
    Ok(parts
        .iter()
        .fold(WeightedTally::default(), |all, (part, _)| all.append(part)))
}
