//! "Simulate this scenario": a whole run, or a slice of one for a shard, with
//! the checks every run gets (runaway tasks, unstable load, a stop request).

use super::error::describe_runaway;
use super::loaded::run_replications;
use super::stability::offered_load;
use super::trials::run_trials;
use super::{Control, SimError};
use crate::scenario::Scenario;
use crate::stats::interval::wilson_replicated;
use crate::stats::load::{Estimate, LoadSummary, OfferedLoad};
use crate::stats::quantile::count_at_most;
use crate::stats::replication::Replication;
use crate::stats::summary::{Rate, WILSON_EFFECTIVE};
use crate::stats::{Accumulator, Summary};

/// Simulates `scenario` from base `seed` on the current rayon pool and
/// summarises it. Deterministic for given inputs whatever the thread count.
///
/// Without `[workload]`, runs `trials` independent tasks. With it, runs the
/// workload's replications (`trials` does not apply: the run length is the
/// workload's) and adds the load figures. Gives up with
/// [`SimError::Cancelled`] once `control` is stopped.
pub fn simulate(
    scenario: &Scenario,
    trials: u64,
    seed: u64,
    control: Control<'_>,
) -> Result<Summary, SimError> {
    let Some(workload) = &scenario.workload else {
        let acc = checked_trials(scenario, seed, 0..trials, control)?;
        return Ok(Summary::new(&scenario.model, seed, &acc));
    };
    let offered = checked_offered_load(scenario, seed)?;
    let reps = checked_replications(scenario, seed, 0..workload.replications as u64, control)?;
    Ok(summarize_replications(scenario, seed, &reps, &offered))
}

/// What a slice of a run produced, exactly: merging the tallies of disjoint
/// slices that cover a run and summarising them gives what [`simulate`] gives.
#[derive(Debug, Clone)]
pub enum Tally {
    /// Integer totals of independent trials (merge in any order).
    Trials(Box<Accumulator>),
    /// The replications of a loaded run, in replication order.
    Replications(Vec<Replication>),
}

impl Tally {
    /// This slice followed by the next one (`next` must start where this ends).
    pub fn append(self, next: Tally) -> Tally {
        match (self, next) {
            (Tally::Trials(a), Tally::Trials(b)) => Tally::Trials(Box::new(a.merge(*b))),
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
    control: Control<'_>,
) -> Result<Tally, SimError> {
    if scenario.workload.is_none() {
        debug_assert!(range.end <= trials);
        let acc = checked_trials(scenario, seed, range, control)?;
        return Ok(Tally::Trials(Box::new(acc)));
    }
    checked_offered_load(scenario, seed)?;
    let reps = checked_replications(scenario, seed, range, control)?;
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

/// Independent trials `range`, refused when a task ran away or the run was stopped.
pub(super) fn checked_trials(
    scenario: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    control: Control<'_>,
) -> Result<Accumulator, SimError> {
    let acc = run_trials(&scenario.model, seed, range, control);
    if let Some(r) = &acc.runaway {
        return Err(SimError::Runaway(describe_runaway(&scenario.model, r)));
    }
    if control.stopped() {
        return Err(SimError::Cancelled);
    }
    Ok(acc)
}

/// The offered load of a loaded run, refused when a queue would grow without end.
fn checked_offered_load(scenario: &Scenario, seed: u64) -> Result<Vec<OfferedLoad>, SimError> {
    let Some(workload) = &scenario.workload else {
        return Ok(Vec::new());
    };
    let offered = offered_load(&scenario.model, workload, seed);
    if let Some(o) = offered.iter().find(|o| o.rho >= 1.0 && !o.bounded) {
        return Err(SimError::Unstable(format!(
            "the offered load on resource \"{}\" is ρ = {:.3} times its capacity and no timeout, \
             rejection or queue bound limits its queue, so it would grow without end; \
             lower workload.rate, add capacity, or set a timeout",
            o.id, o.rho
        )));
    }
    Ok(offered)
}

/// Replications `range` of a loaded run, refused when the run was stopped, a
/// task ran away, or tasks piled up without bound.
fn checked_replications(
    scenario: &Scenario,
    seed: u64,
    range: std::ops::Range<u64>,
    control: Control<'_>,
) -> Result<Vec<Replication>, SimError> {
    let Some(workload) = &scenario.workload else {
        return Ok(Vec::new());
    };
    let first = range.start;
    let reps = run_replications(&scenario.model, workload, seed, range, control);
    if control.stopped() {
        return Err(SimError::Cancelled);
    }
    if let Some((k, r)) = reps
        .iter()
        .enumerate()
        .find_map(|(k, rep)| rep.acc.runaway.map(|r| (k, r)))
    {
        let what = describe_runaway(&scenario.model, &r);
        return Err(SimError::Runaway(format!(
            "in replication {}, {what}",
            first + k as u64 + 1
        )));
    }
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
    let views: Vec<RepView<'_>> = reps.iter().map(RepView::whole).collect();
    replication_intervals(&mut summary, &views);
    if let Some(workload) = &scenario.workload {
        let load = LoadSummary::new(model, workload, reps, offered);
        if load.energy.is_some() {
            summary.intervals.energy = crate::stats::energy::METHOD.into();
        }
        summary.load = Some(load);
        if workload.reports_classes() {
            summary.classes = super::classes::class_summaries(model, workload, seed, reps);
        }
    }
    summary
}

/// What the replication intervals read of one replication: the whole run's
/// figures, or one class's.
pub(super) struct RepView<'a> {
    pub acc: &'a Accumulator,
    pub span: f64,
    pub correct_within_slo: &'a [u64],
}

impl<'a> RepView<'a> {
    /// The whole replication.
    fn whole(r: &'a Replication) -> Self {
        RepView {
            acc: &r.acc,
            span: r.span,
            correct_within_slo: &r.correct_within_slo,
        }
    }
}

/// Tasks of one loaded run are not independent (they share queues), so the
/// intervals come from the spread across independent replications: rates
/// (and SLO attainment) as Wilson intervals on the effective sample size
/// ([`wilson_replicated`]), the mean latency and the quantiles as Student t
/// intervals of the replications' own values.
pub(super) fn replication_intervals(summary: &mut Summary, reps: &[RepView<'_>]) {
    let r = reps.len();
    let rates = |count: &dyn Fn(&RepView<'_>) -> u64| -> Vec<f64> {
        reps.iter()
            .map(|rep| count(rep) as f64 / rep.acc.trials.max(1) as f64)
            .collect()
    };
    let set = |rate: &mut Rate, values: Vec<f64>, n: u64| {
        let (lo, hi) = wilson_replicated(rate.rate, n, &values);
        rate.ci95 = [lo, hi];
    };
    let n = summary.trials;
    set(&mut summary.success, rates(&|rep| rep.acc.correct), n);
    set(&mut summary.silent_failure, rates(&|rep| rep.acc.silent), n);
    set(&mut summary.loud_failure, rates(&|rep| rep.acc.loud), n);
    set(&mut summary.escalated, rates(&|rep| rep.acc.escalated), n);
    if let Some(miss) = &mut summary.deadline_miss {
        set(miss, rates(&|rep| rep.acc.deadline_misses), n);
    }
    let means: Vec<f64> = reps
        .iter()
        .map(|rep| rep.acc.latency_ns_sum as f64 / 1e9 / rep.acc.trials.max(1) as f64)
        .collect();
    // A degenerate interval (every replication alike) says nothing: the
    // pooled one stays.
    if let Some([lo, hi]) = Estimate::from_values(&means).ci95
        && hi > lo
    {
        summary.latency_s.mean_ci95 = [lo, hi];
    }
    let spread = |q: f64| -> Option<[f64; 2]> {
        let values: Vec<f64> = reps
            .iter()
            .filter(|rep| !rep.acc.latency_ns.is_empty())
            .map(|rep| rep.acc.latency_ns.value_at_quantile(q) as f64 / 1e9)
            .collect();
        Estimate::from_values(&values).ci95
    };
    let l = &mut summary.latency_s;
    l.p50_ci95 = spread(0.50);
    l.p95_ci95 = spread(0.95);
    l.p99_ci95 = spread(0.99);
    for (j, slo) in summary.slo.iter_mut().enumerate() {
        let x = slo.threshold_s;
        let values = rates(&|rep| count_at_most(&rep.acc.latency_ns, x));
        set(&mut slo.within, values, n);
        slo.goodput = Some(Estimate::from_values(
            &reps
                .iter()
                .map(|rep| {
                    let within = rep.correct_within_slo.get(j).copied().unwrap_or(0);
                    if rep.span > 0.0 {
                        within as f64 / rep.span
                    } else {
                        0.0
                    }
                })
                .collect::<Vec<_>>(),
        ));
    }
    let m = &mut summary.intervals;
    m.rates = if r >= 2 {
        format!(
            "{WILSON_EFFECTIVE} n_eff = p(1-p)/V (V from the spread of the {r} replications' \
             rates, n_eff at most the tasks measured; Student t quantile, {} degrees of freedom)",
            r - 1
        )
    } else {
        "Wilson score interval over the tasks measured, as if independent (1 replication: \
         no spread to measure; run more replications for an honest interval)"
            .into()
    };
    m.latency_mean = if r >= 2 {
        format!("Student t across the {r} replications' mean latencies")
    } else {
        "normal approximation over the tasks measured, as if independent (1 replication)".into()
    };
    m.latency_quantiles = if r >= 2 {
        format!(
            "Student t across the {r} replications' own quantiles (an interval for their \
             mean; the point value is the pooled quantile)"
        )
    } else {
        "none: one replication has no spread".into()
    };
    if !summary.slo.is_empty() {
        m.slo = format!(
            "as the rates, from the replications' attainment; goodput within it: Student t \
             across the {r} replications"
        );
    }
    m.load = format!(
        "Student t across the {r} replications, cut to the range the figure can take \
         (fractions within [0, 1], busy servers within [0, servers])"
    );
}
