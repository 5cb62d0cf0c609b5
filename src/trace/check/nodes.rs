//! The scenario's per-node figures against the observed ones: a node's
//! fixed silent and loud rates per attempt must lie in the observed first
//! attempts' Wilson intervals, a gate's sensitivity and false-alarm rate in
//! the observed decisions' ones, and the median service time (an attempt
//! less its queue wait) in the observed median's order-statistic interval
//! (the sample quantiles at 1/2 ∓ z √(1/(4n)); attempts cut off before they
//! ended widen it, [`observed_median`]).
//!
//! A node on a pool that can fail calls by itself (outages, a breaker, and
//! under load (`loaded`) rejections and a bounded queue) has no loud-rate
//! figure (a span does not say whether the step or the pool failed), and a
//! node on a pool whose service time is not the step's alone (outages and
//! degraded spells; batching under load) no latency figure, nor, under
//! load, one on a resource whose spans do not say their queue wait.

use std::collections::BTreeSet;

use statrs::distribution::ContinuousCDF;

use super::{Figure, figure, quantile};
use crate::model::{Latency, Model, OnFull, Pool, ServiceTime, Step};
use crate::trace::fit::Fit;
use crate::trace::fit::censored::{Censored, observed_quantiles};
use crate::trace::fit::latency::{Durations, SAMPLE};

/// The per-node figures of `fit` against `model`, at z. Under load, nodes
/// in `unwaited` (spans that do not say their queue wait) on a resource get
/// no latency figure: their durations include queueing.
pub fn figures(
    fit: &Fit,
    model: &Model,
    z: f64,
    loaded: bool,
    unwaited: &BTreeSet<String>,
) -> Vec<Figure> {
    let mut out = Vec::new();
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
        let pool = step.resource.and_then(|r| r.pool).map(|p| &model.pools[p]);
        let queued = loaded && step.resource.is_some() && unwaited.contains(&nf.totals.name);
        if let Some(median) = service_median(step, pool, loaded).filter(|_| !queued)
            && nf.totals.durations.n > 0
        {
            let (observed, range, n) =
                observed_median(&nf.totals.durations, &nf.totals.censored, z);
            let name = format!("{} latency median (s)", nf.totals.name);
            let mut f = figure(name, observed, n, median, range);
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
        let pool_fails = pool.is_some_and(|p| fails_calls(p, loaded));
        for (what, rate, value) in [
            ("silent", nf.silent, step.outcome.silent),
            ("loud", nf.loud.filter(|_| !pool_fails), step.outcome.loud),
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

/// The observed median service time of a node, its order-statistic
/// interval (the sample quantiles at 1/2 ∓ z √(1/(4n))) and n.
///
/// Attempts cut off before they ended (abandoned, timed out: right-censored
/// at `c`) count as unknown: the interval's lower end reads the sample with
/// each at `c` (the least it can be), its upper end with each at +∞ (the
/// most), so it holds the median whatever they would have taken: a wider
/// interval, never a biased one. The value shown is the Kaplan–Meier median.
/// Of samples truncated at their first values, the larger is cut to the
/// whole trace's ratio of censored to complete attempts.
fn observed_median(d: &Durations, c: &Censored, z: f64) -> (f64, (f64, f64), u64) {
    let (mut complete, mut cut) = (d.sample.clone(), c.sample.clone());
    cut.extend(std::iter::repeat_n(
        0.0,
        c.zeros.min(SAMPLE as u64) as usize,
    ));
    let cut_total = c.n + c.zeros;
    if cut_total > 0 && d.n > 0 {
        let ratio = cut_total as f64 / d.n as f64;
        if (cut.len() as f64) > complete.len() as f64 * ratio {
            cut.truncate((complete.len() as f64 * ratio).round() as usize);
        } else {
            complete.truncate((cut.len() as f64 / ratio).round() as usize);
        }
    }
    let half = z * (0.25 / (complete.len() + cut.len()).max(1) as f64).sqrt();
    let n = (complete.len() + cut.len()) as u64;
    complete.sort_by(f64::total_cmp);
    if cut_total == 0 {
        // Nothing cut off: the complete sample's median and its interval.
        let range = (
            quantile(&complete, (0.5 - half).max(0.0)),
            quantile(&complete, (0.5 + half).min(1.0)),
        );
        return (quantile(&complete, 0.5), range, n);
    }
    let mut least: Vec<f64> = complete.iter().chain(&cut).copied().collect();
    least.sort_by(f64::total_cmp);
    // Each cut-off attempt at +∞ sorts after the complete ones.
    let mut most = complete;
    most.resize(most.len() + cut.len(), f64::INFINITY);
    let range = (
        quantile(&least, (0.5 - half).max(0.0)),
        quantile(&most, (0.5 + half).min(1.0)),
    );
    let shown = observed_quantiles(d, c, &[0.5])[0].unwrap_or_else(|| quantile(&most, 0.5));
    (shown, range, n)
}

/// A pool that fails some calls by itself, loudly (rejections need a load).
fn fails_calls(pool: &Pool, loaded: bool) -> bool {
    pool.resilience.is_some()
        || (loaded && (pool.on_full == OnFull::Reject || pool.queue_capacity != u64::MAX))
}

/// The median time an attempt of `step` is served: its pool's service
/// time, or its own latency. `None` where it depends on the load.
fn service_median(step: &Step, pool: Option<&Pool>, loaded: bool) -> Option<f64> {
    let Some(pool) = pool else {
        return median(&step.latency);
    };
    if pool.resilience.is_some() {
        return None;
    }
    if pool.batching.is_some() {
        // One request alone in a batch: its iterations at the empty-batch pace.
        return (!loaded).then(|| pool.uncontended_time(pool.mean_work(step)));
    }
    match &pool.service {
        ServiceTime::StepLatency => median(&step.latency),
        ServiceTime::Distribution(d) => median(d),
        // Fixed by the step's tokens.
        ServiceTime::Tokens { .. } => Some(pool.mean_work(step)),
    }
}

/// The median of a latency distribution.
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
