//! The check of a scenario of independent trials: the simulated tasks are
//! independent, so a figure's own interval comes from their count (a rate:
//! Wilson's; a quantile: none beyond the order-statistic range, the
//! simulated tasks far outnumbering the observed ones; a mean cost: none
//! beyond z·sd/√m for the same reason).

use super::{Figure, figure, mean_range, nodes, quantile, quantile_range, rate_range};
use crate::model::Model;
use crate::stats::interval::wilson;
use crate::trace::fit::Fit;

/// What the simulation gave, for comparison.
#[derive(Debug, Clone)]
pub struct Simulated {
    /// Trials.
    pub trials: u64,
    /// Outcome counts [correct, silent, loud, escalated].
    pub outcomes: [u64; 4],
    /// Sorted task latencies.
    pub latencies: Vec<f64>,
    /// Task costs: mean and standard deviation.
    pub cost: (f64, f64),
}

/// The names of the task outcome figures, in outcome order.
pub const OUTCOMES: [&str; 4] = ["correct", "silent failure", "loud failure", "escalated"];

/// The task latency quantiles compared.
pub const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];

/// The name of the latency quantile figure at `p`.
pub fn quantile_name(p: f64) -> String {
    format!("latency p{} (s)", (p * 100.0).round())
}

/// Compares the simulation with the observed fit at z.
pub fn compare(sim: &Simulated, fit: &Fit, model: &Model, z: f64) -> Vec<Figure> {
    let mut out = Vec::new();
    let labelled: u64 = fit.totals.outcomes.iter().sum();
    if labelled > 0 {
        for (k, name) in OUTCOMES.iter().enumerate() {
            let p = sim.outcomes[k] as f64 / sim.trials.max(1) as f64;
            let own = wilson(sim.outcomes[k], sim.trials, z);
            let range = rate_range(p, own, labelled, z);
            let observed = fit.totals.outcomes[k] as f64 / labelled as f64;
            out.push(figure(format!("P({name})"), observed, labelled, p, range));
        }
    }
    if fit.totals.latency.n > 0 && !sim.latencies.is_empty() {
        let mut obs = fit.totals.latency.sample.clone();
        obs.sort_by(f64::total_cmp);
        let n = obs.len() as u64;
        for p in QUANTILES {
            let range = quantile_range(|q| quantile(&sim.latencies, q), p, n, z, 0.0);
            let simulated = quantile(&sim.latencies, p);
            out.push(figure(
                quantile_name(p),
                quantile(&obs, p),
                n,
                simulated,
                range,
            ));
        }
    }
    let (sum, _, m) = fit.totals.task_cost;
    if m > 0 {
        let range = mean_range(sim.cost.0, 0.0, sim.cost.1, m, z);
        let name = "cost per task (USD)".to_string();
        out.push(figure(name, sum / m as f64, m, sim.cost.0, range));
    }
    out.extend(nodes::figures(fit, model, z, false, &Default::default()));
    out
}

/// Simulates `trials` independent trials of `model` under `seed`, keeping
/// every task's latency (sorted), outcome and cost; the same whatever the
/// thread count (trials are seeded by index and collected in order).
pub fn simulate(model: &Model, seed: u64, trials: u64) -> Simulated {
    use rayon::prelude::*;
    const CHUNK: u64 = 4096;
    let results: Vec<Vec<(f64, f64, usize)>> = (0..trials.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut sim = crate::task::TaskSim::new(model);
            let mut counters = vec![crate::task::ExecCounters::default(); model.exec_count()];
            (c * CHUNK..((c + 1) * CHUNK).min(trials))
                .map(|t| {
                    let r = sim.run(crate::seed::trial(seed, t), &mut counters);
                    (r.latency, r.cost_usd, r.outcome as usize)
                })
                .collect()
        })
        .collect();
    let mut outcomes = [0u64; 4];
    let mut latencies = Vec::with_capacity(trials as usize);
    let (mut sum, mut sq) = (0.0, 0.0);
    for (lat, cost, o) in results.into_iter().flatten() {
        outcomes[o] += 1;
        latencies.push(lat);
        sum += cost;
        sq += cost * cost;
    }
    latencies.sort_by(f64::total_cmp);
    let n = trials.max(1) as f64;
    let mean = sum / n;
    Simulated {
        trials,
        outcomes,
        latencies,
        cost: (mean, (sq / n - mean * mean).max(0.0).sqrt()),
    }
}
