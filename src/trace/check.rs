//! A scenario checked against observed runs.
//!
//! For each figure (outcome rates, latency quantiles, mean cost per task)
//! the simulation says where the figure of `n` observed tasks should fall:
//! the simulated value's sampling range for a sample of that size, at the
//! chosen level (a rate: the normal range of a binomial proportion of n
//! tasks around the simulated rate, widened by the simulated rate's own
//! interval; a latency quantile: the simulated distribution's quantiles at
//! p ± z·√(p(1 − p)/n), the order-statistic interval; a mean cost: the
//! simulated mean ± z·sd/√n). An observed figure outside its range is
//! flagged. Per node, the scenario's fixed rate is flagged when it lies
//! outside the observed rate's Wilson interval, and its latency median when
//! it lies outside the observed median's order-statistic interval (the
//! sample quantiles at 1/2 ± z·√(1/(4n))).

use statrs::distribution::{ContinuousCDF, Normal};

use super::fit::Fit;
use crate::model::{Latency, Model};
use crate::stats::interval::wilson;

/// Φ(x), the standard normal CDF.
pub fn phi(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

/// One compared figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What it is.
    pub name: String,
    /// The observed value.
    pub observed: f64,
    /// The observed sample size.
    pub n: u64,
    /// The simulated value.
    pub simulated: f64,
    /// Where an observed value should fall.
    pub range: (f64, f64),
    /// Outside the range.
    pub flagged: bool,
}

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

fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Compares the simulation with the observed fit at z.
pub fn compare(sim: &Simulated, fit: &Fit, model: &Model, z: f64) -> Vec<Figure> {
    let mut out = Vec::new();
    let labelled: u64 = fit.totals.outcomes.iter().sum();
    let names = ["correct", "silent failure", "loud failure", "escalated"];
    if labelled > 0 {
        for (k, name) in names.iter().enumerate() {
            let p = sim.outcomes[k] as f64 / sim.trials.max(1) as f64;
            let (slo, shi) = wilson(sim.outcomes[k], sim.trials, z);
            let half = z * (p * (1.0 - p) / labelled as f64).sqrt();
            let range = ((slo - half).max(0.0), (shi + half).min(1.0));
            let observed = fit.totals.outcomes[k] as f64 / labelled as f64;
            out.push(figure(format!("P({name})"), observed, labelled, p, range));
        }
    }
    let n = fit.totals.latency.n;
    if n > 0 && !sim.latencies.is_empty() {
        let mut obs = fit.totals.latency.sample.clone();
        obs.sort_by(f64::total_cmp);
        for p in [0.5, 0.95, 0.99] {
            let half = z * (p * (1.0 - p) / obs.len() as f64).sqrt();
            let range = (
                quantile(&sim.latencies, (p - half).max(0.0)),
                quantile(&sim.latencies, (p + half).min(1.0)),
            );
            let name = format!("latency p{} (s)", (p * 100.0).round());
            let simulated = quantile(&sim.latencies, p);
            out.push(figure(
                name,
                quantile(&obs, p),
                obs.len() as u64,
                simulated,
                range,
            ));
        }
    }
    let (sum, _, m) = fit.totals.task_cost;
    if m > 0 {
        let half = z * sim.cost.1 / (m as f64).sqrt();
        let range = (sim.cost.0 - half, sim.cost.0 + half);
        let name = "cost per task (USD)".to_string();
        out.push(figure(name, sum / m as f64, m, sim.cost.0, range));
    }
    for nf in &fit.nodes {
        let Some(step) = model
            .nodes
            .iter()
            .map(|n| (&n.id, &n.step))
            .find_map(|(id, s)| {
                (id.split('#').next() == Some(nf.totals.name.as_str())).then_some(s)
            })
        else {
            continue;
        };
        if let Some(median) = median(&step.latency)
            && nf.totals.durations.n > 0
        {
            let mut obs = nf.totals.durations.sample.clone();
            obs.sort_by(f64::total_cmp);
            let m = obs.len() as f64;
            let half = z * (0.25 / m).sqrt();
            let range = (
                quantile(&obs, (0.5 - half).max(0.0)),
                quantile(&obs, (0.5 + half).min(1.0)),
            );
            let name = format!("{} latency median (s)", nf.totals.name);
            let mut f = figure(name, quantile(&obs, 0.5), obs.len() as u64, median, range);
            // The observed median's order-statistic interval (plus the 1 ns
            // resolution of a trace) must hold the scenario's median.
            f.flagged = median < range.0 - 1e-9 || median > range.1 + 1e-9;
            out.push(f);
        }
        if let Some(g) = model
            .nodes
            .iter()
            .find(|n| n.id == nf.totals.name)
            .and_then(|n| n.gate.as_ref())
            .filter(|g| g.rates.is_none())
        {
            for (what, rate, value) in [
                ("sensitivity", nf.sensitivity, g.sensitivity),
                ("false alarm", nf.false_alarm, g.false_alarm),
            ] {
                let Some(r) = rate else { continue };
                let name = format!("{} {what}", nf.totals.name);
                let mut f = figure(name, r.value, r.n, value, r.ci);
                f.flagged = value < r.ci.0 || value > r.ci.1;
                out.push(f);
            }
        }
        for (what, rate, value) in [
            ("silent", nf.silent, step.outcome.silent),
            ("loud", nf.loud, step.outcome.loud),
        ] {
            let Some(r) = rate else { continue };
            if step.rates.is_some() {
                continue;
            }
            let name = format!("{} {what} per attempt", nf.totals.name);
            let mut f = figure(name, r.value, r.n, value, r.ci);
            f.flagged = value < r.ci.0 || value > r.ci.1;
            out.push(f);
        }
    }
    out
}

/// The median of a step's latency distribution.
fn median(l: &Latency) -> Option<f64> {
    Some(match l {
        Latency::Fixed(v) => *v,
        Latency::Exponential { mean, .. } => mean * std::f64::consts::LN_2,
        Latency::LogNormal { mu, .. } => mu.exp(),
        Latency::Gamma { shape, scale, .. } => {
            statrs::distribution::Gamma::new(*shape, 1.0 / scale)
                .ok()?
                .inverse_cdf(0.5)
        }
        Latency::Uniform { low, high, .. } => (low + high) / 2.0,
    })
}

fn figure(name: String, observed: f64, n: u64, simulated: f64, range: (f64, f64)) -> Figure {
    Figure {
        flagged: !(observed >= range.0 && observed <= range.1),
        name,
        observed,
        n,
        simulated,
        range,
    }
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
