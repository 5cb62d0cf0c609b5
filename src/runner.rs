//! One entry point for "simulate this scenario": what every command calls.

use crate::montecarlo::run_trials;
use crate::scenario::Scenario;
use crate::stats::load::{Estimate, LoadSummary};
use crate::stats::{Accumulator, Summary};
use crate::world::{OfferedLoad, Replication, offered_load, run_replications};

/// Why a scenario could not be simulated to a meaningful result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// Offered load at or above capacity with nothing to bound the queues.
    #[error("unstable: {0}")]
    Unstable(String),
}

/// Simulates `scenario` from base `seed` on the current rayon pool and
/// summarises it. Deterministic for given inputs whatever the thread count.
///
/// Without `[workload]`, runs `trials` independent tasks. With it, runs the
/// workload's replications (`trials` does not apply: the run length is the
/// workload's) and adds the load figures.
pub fn simulate(scenario: &Scenario, trials: u64, seed: u64) -> Result<Summary, SimError> {
    let model = &scenario.model;
    let Some(workload) = &scenario.workload else {
        let acc = run_trials(model, seed, 0..trials);
        return Ok(Summary::new(model, seed, &acc));
    };
    let offered = checked_offered_load(scenario, seed)?;
    let reps = checked_replications(scenario, seed, 0..workload.replications as u64)?;
    Ok(summarize_replications(scenario, seed, &reps, &offered))
}

/// What a slice of a run produced, exactly: merging the tallies of disjoint
/// slices that cover a run and summarising them gives what [`simulate`] gives.
#[derive(Debug, Clone)]
pub enum Tally {
    /// Integer totals of independent trials (merge in any order).
    Trials(Accumulator),
    /// The replications of a loaded run, in replication order.
    Replications(Vec<Replication>),
}

impl Tally {
    /// This slice followed by the next one (`next` must start where this ends).
    pub fn append(self, next: Tally) -> Tally {
        match (self, next) {
            (Tally::Trials(a), Tally::Trials(b)) => Tally::Trials(a.merge(b)),
            (Tally::Replications(mut a), Tally::Replications(b)) => {
                a.extend(b);
                Tally::Replications(a)
            }
            // Tallies of one scenario are all of one kind.
            (a, _) => a,
        }
    }
}

/// How many units a run is sliced into: trials, or replications with `[workload]`.
pub fn run_length(scenario: &Scenario, trials: u64) -> u64 {
    match &scenario.workload {
        Some(w) => w.replications as u64,
        None => trials,
    }
}

/// Simulates the units `range` (trials, or replications with `[workload]`) of
/// the run of `scenario` with `trials` trials from base `seed`. Every unit is
/// seeded from its global index, so a slice gives the same figures as the
/// same units of a whole run.
pub fn simulate_slice(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Result<Tally, SimError> {
    if scenario.workload.is_none() {
        debug_assert!(range.end <= trials);
        return Ok(Tally::Trials(run_trials(&scenario.model, seed, range)));
    }
    checked_offered_load(scenario, seed)?;
    let reps = checked_replications(scenario, seed, range)?;
    Ok(Tally::Replications(reps))
}

/// The summary of a whole run from its complete tally.
pub fn summarize(scenario: &Scenario, seed: u64, tally: Tally) -> Summary {
    match tally {
        Tally::Trials(acc) => Summary::new(&scenario.model, seed, &acc),
        Tally::Replications(reps) => {
            let offered = match &scenario.workload {
                Some(w) => offered_load(&scenario.model, w, seed),
                None => Vec::new(),
            };
            summarize_replications(scenario, seed, &reps, &offered)
        }
    }
}

/// The offered load of a loaded run, refused when a queue would grow without end.
fn checked_offered_load(scenario: &Scenario, seed: u64) -> Result<Vec<OfferedLoad>, SimError> {
    let Some(workload) = &scenario.workload else {
        return Ok(Vec::new());
    };
    let offered = offered_load(&scenario.model, workload, seed);
    if let Some(o) = offered.iter().find(|o| o.rho >= 1.0 && !o.bounded) {
        return Err(SimError::Unstable(format!(
            "the offered load on resource \"{}\" is {:.3} times its capacity and no timeout, \
             rejection or queue bound limits its queue, so it would grow without end; \
             lower workload.rate, add capacity, or set a timeout",
            o.id, o.rho
        )));
    }
    Ok(offered)
}

/// Replications `range` of a loaded run, refused when one piled up without bound.
fn checked_replications(
    scenario: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Result<Vec<Replication>, SimError> {
    let Some(workload) = &scenario.workload else {
        return Ok(Vec::new());
    };
    let reps = run_replications(&scenario.model, workload, seed, range);
    if let Some(msg) = reps.iter().find_map(|r| r.unstable.clone()) {
        return Err(SimError::Unstable(msg));
    }
    Ok(reps)
}

/// The summary of a loaded run from all its replications, in order.
fn summarize_replications(
    scenario: &Scenario,
    seed: u64,
    reps: &[Replication],
    offered: &[OfferedLoad],
) -> Summary {
    let model = &scenario.model;
    let acc = reps
        .iter()
        .fold(Accumulator::new(model.exec_count()), |a, r| {
            a.merge(r.acc.clone())
        });
    let mut summary = Summary::new(model, seed, &acc);
    replication_intervals(&mut summary, reps);
    if let Some(workload) = &scenario.workload {
        summary.load = Some(LoadSummary::new(model, workload, reps, offered));
    }
    summary
}

/// Tasks of one loaded run are not independent (they share queues), so the
/// intervals of rates and of the mean latency come from the spread across
/// independent replications (Student t), not from the pooled task count.
fn replication_intervals(summary: &mut Summary, reps: &[Replication]) {
    let rate_of = |count: fn(&Accumulator) -> u64| -> Vec<f64> {
        reps.iter()
            .map(|r| count(&r.acc) as f64 / r.acc.trials.max(1) as f64)
            .collect()
    };
    // A degenerate interval (every replication alike, e.g. no failure at all)
    // says nothing: the pooled Wilson interval stays.
    let interval = |values: Vec<f64>, fallback: [f64; 2]| match Estimate::from_values(&values).ci95
    {
        Some([lo, hi]) if hi > lo => [lo, hi],
        _ => fallback,
    };
    summary.success.ci95 = interval(rate_of(|a| a.correct), summary.success.ci95);
    summary.silent_failure.ci95 = interval(rate_of(|a| a.silent), summary.silent_failure.ci95);
    summary.loud_failure.ci95 = interval(rate_of(|a| a.loud), summary.loud_failure.ci95);
    summary.escalated.ci95 = interval(rate_of(|a| a.escalated), summary.escalated.ci95);
    let means: Vec<f64> = reps
        .iter()
        .map(|r| r.acc.latency_ns_sum as f64 / 1e9 / r.acc.trials.max(1) as f64)
        .collect();
    summary.latency_s.mean_ci95 = interval(means, summary.latency_s.mean_ci95);
}
