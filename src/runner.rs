//! One entry point for "simulate this scenario": what every command calls.

use crate::montecarlo::run_trials;
use crate::scenario::Scenario;
use crate::stats::load::{Estimate, LoadSummary};
use crate::stats::{Accumulator, Summary};
use crate::world::{Replication, offered_load, run_replications};

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
    let offered = offered_load(model, workload, seed);
    if let Some(o) = offered.iter().find(|o| o.rho >= 1.0 && !o.bounded) {
        return Err(SimError::Unstable(format!(
            "the offered load on resource \"{}\" is {:.3} times its capacity and no timeout, \
             rejection or queue bound limits its queue, so it would grow without end; \
             lower workload.rate, add capacity, or set a timeout",
            o.id, o.rho
        )));
    }
    let reps = run_replications(model, workload, seed);
    if let Some(msg) = reps.iter().find_map(|r| r.unstable.clone()) {
        return Err(SimError::Unstable(msg));
    }
    let acc = reps
        .iter()
        .fold(Accumulator::new(model.exec_count()), |a, r| {
            a.merge(r.acc.clone())
        });
    let mut summary = Summary::new(model, seed, &acc);
    replication_intervals(&mut summary, &reps);
    summary.load = Some(LoadSummary::new(model, workload, &reps, &offered));
    Ok(summary)
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
