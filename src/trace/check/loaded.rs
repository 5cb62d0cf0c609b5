//! The check of a loaded scenario (`[workload]`): its replications are
//! simulated as `run` simulates them, and the observed tasks compared with
//! the measured ones.
//!
//! Tasks of one replication share queues, so successive tasks' figures are
//! correlated and the simulated figures' own intervals come from the
//! spread across the independent replications, as in a loaded run's
//! report (docs/MODEL.md, section 14), here at the check's level: a rate's
//! Wilson interval on the effective sample size of the replications'
//! spread; a latency quantile's, a mean cost's and a pool's mean wait's
//! Student t interval of the replications' own values. The observed side's
//! range is as for independent trials (the observed tasks taken as
//! independent, e.g. sampled sparsely from a long run). Added figures:
//! each pool's mean queue wait (spans' `coordsim.queue_wait_s` of the
//! nodes it serves, against the simulated mean wait ± z·sd/√m, sd that of
//! the simulated waits) and the arrival rate of the root spans (the exact
//! Poisson interval of the n − 1 gaps between the first and last start).

use hdrhistogram::Histogram;
use statrs::distribution::{ContinuousCDF, Gamma};

use super::observed::{Moments, Observations};
use super::trials::{OUTCOMES, QUANTILES, quantile_name};
use super::{Figure, figure, mean_range, nodes, quantile_range, rate_range};
use crate::model::{Arrivals, Model, Workload};
use crate::stats::accumulator::{NANOS_PER_SECOND, PICO_PER_USD};
use crate::stats::interval::{t_interval, wilson_replicated_at};
use crate::stats::replication::Replication;
use crate::trace::fit::Fit;

/// The level of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Level {
    /// The two-sided normal quantile (3.29 at 99.9%).
    pub z: f64,
    /// One less the level (0.001 at 99.9%).
    pub alpha: f64,
}

/// What the observed traces are: their fit, the extra observations, and
/// the fraction of tasks they hold (head sampling).
pub struct ObservedRuns<'a> {
    /// The fit of the spans.
    pub fit: &'a Fit,
    /// Queue waits and root starts.
    pub more: &'a Observations,
    /// The fraction of the tasks that arrived which the traces hold.
    pub sampled: f64,
}

/// Compares the replications `reps` of `model` under `workload` with the
/// observed traces.
pub fn compare(
    reps: &[Replication],
    obs: &ObservedRuns<'_>,
    model: &Model,
    workload: &Workload,
    level: Level,
) -> Vec<Figure> {
    let z = level.z;
    let fit = obs.fit;
    let mut out = Vec::new();
    let trials: u64 = reps.iter().map(|r| r.acc.trials).sum();
    let labelled: u64 = fit.totals.outcomes.iter().sum();
    if labelled > 0 && trials > 0 {
        for (k, name) in OUTCOMES.iter().enumerate() {
            let count = |r: &Replication| outcome_count(r, k);
            let pooled: u64 = reps.iter().map(count).sum();
            let p = pooled as f64 / trials as f64;
            let rates: Vec<f64> = reps
                .iter()
                .map(|r| count(r) as f64 / r.acc.trials.max(1) as f64)
                .collect();
            let own = wilson_replicated_at(p, trials, &rates, level.alpha);
            let observed = fit.totals.outcomes[k] as f64 / labelled as f64;
            let range = rate_range(p, own, labelled, z);
            out.push(figure(format!("P({name})"), observed, labelled, p, range));
        }
    }
    let pooled = pooled_latency(reps);
    if fit.totals.latency.n > 0 && !pooled.is_empty() {
        let mut obs_lat = fit.totals.latency.sample.clone();
        obs_lat.sort_by(f64::total_cmp);
        let n = obs_lat.len() as u64;
        let q = |p: f64| pooled.value_at_quantile(p) as f64 / NANOS_PER_SECOND;
        for p in QUANTILES {
            let values: Vec<f64> = reps
                .iter()
                .filter(|r| !r.acc.latency_ns.is_empty())
                .map(|r| r.acc.latency_ns.value_at_quantile(p) as f64 / NANOS_PER_SECOND)
                .collect();
            let own = half_width(&values, level.alpha);
            let range = quantile_range(q, p, n, z, own);
            let observed = super::quantile(&obs_lat, p);
            out.push(figure(quantile_name(p), observed, n, q(p), range));
        }
    }
    let (sum, sq, m) = fit.totals.task_cost;
    if m > 0 && trials > 0 {
        let cost = |r: &Replication| r.acc.cost_pusd_sum as f64 / PICO_PER_USD;
        let mean = reps.iter().map(cost).sum::<f64>() / trials as f64;
        let values: Vec<f64> = reps
            .iter()
            .map(|r| cost(r) / r.acc.trials.max(1) as f64)
            .collect();
        let own = half_width(&values, level.alpha);
        let sd = Moments { n: m, sum, sq }.sd();
        let range = mean_range(mean, own, sd, m, z);
        let name = "cost per task (USD)".to_string();
        out.push(figure(name, sum / m as f64, m, mean, range));
    }
    out.extend(pool_waits(reps, obs.more, model, level));
    out.extend(arrival_rate(obs, model, workload, level));
    out.extend(nodes::figures(fit, model, z, true, &obs.more.unwaited));
    out
}

fn outcome_count(r: &Replication, k: usize) -> u64 {
    [r.acc.correct, r.acc.silent, r.acc.loud, r.acc.escalated][k]
}

/// Half the width of the Student t interval of `values` at 1 − `alpha`
/// (0 with fewer than two).
fn half_width(values: &[f64], alpha: f64) -> f64 {
    match t_interval(values, alpha) {
        (_, Some((lo, hi))) => (hi - lo) / 2.0,
        _ => 0.0,
    }
}

/// The task latencies of all replications in one histogram (nanoseconds).
pub fn pooled_latency(reps: &[Replication]) -> Histogram<u64> {
    let mut h = Histogram::<u64>::new(3).expect("valid precision");
    for r in reps {
        h.add(&r.acc.latency_ns)
            .expect("auto-resizing histograms merge");
    }
    h
}

/// Per pool, the observed mean wait of the nodes it serves (those without
/// a transfer, whose span's wait would include it) against the simulated
/// mean wait of its requests.
fn pool_waits(
    reps: &[Replication],
    obs: &Observations,
    model: &Model,
    level: Level,
) -> Vec<Figure> {
    let mut out = Vec::new();
    for (i, pool) in model.pools.iter().enumerate() {
        let mut observed = Moments::default();
        let mut names: Vec<&str> = Vec::new();
        for node in &model.nodes {
            let Some(r) = node.step.resource else {
                continue;
            };
            let base = node.id.split('#').next().unwrap_or(&node.id);
            if r.pool != Some(i) || r.transfer.is_some() || names.contains(&base) {
                continue;
            }
            names.push(base);
            if let Some(w) = obs.waits.get(base) {
                observed.n += w.n;
                observed.sum += w.sum;
                observed.sq += w.sq;
            }
        }
        if observed.n == 0 {
            continue;
        }
        let admitted: u64 = reps.iter().map(|r| r.pools[i].admitted).sum();
        if admitted == 0 {
            continue;
        }
        let mean = reps.iter().map(|r| r.pools[i].wait_sum).sum::<f64>() / admitted as f64;
        let values: Vec<f64> = reps
            .iter()
            .filter(|r| r.pools[i].admitted > 0)
            .map(|r| r.pools[i].wait_sum / r.pools[i].admitted as f64)
            .collect();
        let own = half_width(&values, level.alpha);
        let mut waits = Histogram::<u64>::new(3).expect("valid precision");
        for r in reps {
            waits
                .add(&r.pools[i].waits_ns)
                .expect("auto-resizing histograms merge");
        }
        let sd = waits.stdev() / NANOS_PER_SECOND;
        let range = mean_range(mean, own, sd, observed.n, level.z);
        let name = format!("{} mean queue wait (s)", pool.id);
        out.push(figure(name, observed.mean(), observed.n, mean, range));
    }
    out
}

/// The arrival rate of the root spans against the scenario's, when every
/// class arrives as a Poisson process of constant rate and none sheds.
fn arrival_rate(
    obs: &ObservedRuns<'_>,
    model: &Model,
    workload: &Workload,
    level: Level,
) -> Option<Figure> {
    let rate = poisson_rate(model, workload)?;
    let more = obs.more;
    let window = more.window_s();
    if more.roots < 3 || window <= 0.0 {
        return None;
    }
    let gaps = more.roots - 1;
    let observed = gaps as f64 / (window * obs.sampled);
    let range = gap_rate_range(rate, gaps, level.alpha)?;
    let name = "arrival rate (tasks/s)".to_string();
    Some(figure(name, observed, more.roots, rate, range))
}

/// Where (k / T) falls at 1 − `alpha` when T is the time from one arrival
/// of a Poisson process of rate `rate` to the k-th after it: `rate`·T ~
/// Gamma(k, 1), so k/T lies in rate·k / [G⁻¹(1 − α/2), G⁻¹(α/2)] (the
/// exact Poisson interval; G⁻¹(p) = χ²₂ₖ(p)/2).
pub fn gap_rate_range(rate: f64, k: u64, alpha: f64) -> Option<(f64, f64)> {
    let k = k as f64;
    let g = Gamma::new(k, 1.0).ok()?;
    let (lo, hi) = (g.inverse_cdf(alpha / 2.0), g.inverse_cdf(1.0 - alpha / 2.0));
    Some((rate * k / hi, rate * k / lo))
}

/// The total arrival rate when every class is open, constant and unshed.
pub fn poisson_rate(model: &Model, workload: &Workload) -> Option<f64> {
    let mut total = 0.0;
    for v in workload.class_views(model) {
        let Arrivals::Open { schedule, .. } = v.arrivals else {
            return None;
        };
        let first = schedule.first()?.1;
        if v.head.shed.is_some() || schedule.iter().any(|&(_, r)| r != first) {
            return None;
        }
        total += first;
    }
    Some(total)
}

/// How each range of a loaded check was made, for the report.
pub fn notes(replications: usize, level: f64) -> Vec<(&'static str, String)> {
    let r = replications;
    vec![
        (
            "simulated",
            format!(
                "the scenario's {r} replications, as `run` simulates them; tasks of one \
                 replication share queues, so each simulated figure's own {level}% interval \
                 comes from the spread across the replications (Student t, {} degrees of \
                 freedom)",
                r.saturating_sub(1)
            ),
        ),
        (
            "observed",
            "the observed tasks are taken as independent draws (e.g. sampled sparsely \
             from a long run): tasks that follow each other closely through a queue are \
             correlated and their figures vary more than the ranges allow"
                .into(),
        ),
        (
            "rates",
            "the simulated rate's Wilson interval on the replications' effective sample \
             size, widened by the binomial half-width z√(p(1 − p)/n) of the n observed tasks"
                .into(),
        ),
        (
            "latency",
            "the pooled simulated quantiles at q ∓ z√(q(1 − q)/n) (the order-statistic range \
             of n observed tasks; queueing included), widened by the Student t half-width of \
             the replications' own quantiles"
                .into(),
        ),
        (
            "cost",
            "the simulated mean ± the Student t half-width of the replications' means ± \
             z·sd/√m, sd that of the m observed task costs"
                .into(),
        ),
        (
            "queue wait",
            "per pool, the observed mean of coordsim.queue_wait_s over the attempts of the \
             nodes it serves that reached service (nodes with a transfer left out: their \
             wait includes it): the simulated mean wait ± the Student t half-width of the \
             replications' means ± z·sd/√m, sd that of the simulated waits"
                .into(),
        ),
        (
            "nodes",
            "per node as for independent trials (the scenario's rate in the observed first \
             attempts' Wilson interval, its median service time in the observed median's \
             order-statistic interval, spans less their queue wait); no loud rate for a node \
             on a pool that fails calls itself, no median on a pool whose service depends on \
             the load, nor for a node on a resource whose spans do not say their queue wait"
                .into(),
        ),
        (
            "arrival rate",
            "(n − 1) / (T · sampled) from the n root spans' starts over T seconds, against \
             the scenario's rate λ (open Poisson classes of constant rate without shedding \
             only): its range λ(n − 1)/G⁻¹(1 ∓ α/2), G the Gamma(n − 1) distribution of \
             λ·sampled·T, the exact Poisson interval"
                .into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::gap_rate_range;

    #[test]
    fn the_gap_range_is_the_chi_square_interval() {
        // k = 10 gaps at 95%: χ²₂₀(0.025) = 9.591, χ²₂₀(0.975) = 34.170 (tables),
        // so rate·10 / [17.085, 4.7955].
        let (lo, hi) = gap_rate_range(2.0, 10, 0.05).unwrap();
        assert!((lo - 20.0 / 17.085).abs() < 1e-3, "{lo}");
        assert!((hi - 20.0 / 4.7955).abs() < 1e-3, "{hi}");
        // Many gaps: close to rate·(1 ∓ z/√k).
        let (lo, hi) = gap_rate_range(1.0, 10_000, 0.001).unwrap();
        assert!((lo - (1.0 - 3.2905 / 100.0)).abs() < 2e-3, "{lo}");
        assert!((hi - (1.0 + 3.2905 / 100.0)).abs() < 2e-3, "{hi}");
    }
}
