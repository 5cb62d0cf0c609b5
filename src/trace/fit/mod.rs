//! Fitting a scenario's figures to observed spans.
//!
//! Per node: the latency distribution ([`latency`], by maximum likelihood,
//! chosen by AIC, with the KS distance; attempts cut off before they ended
//! are right-censored, [`censored`]), the loud and silent rates per
//! attempt (from the first attempt of each task that ended, so that
//! retries and loop-backs, which a hard task triggers more often, do not
//! bias them; Wilson intervals), a gate's sensitivity and false-alarm
//! rate, tokens and cost per attempt, the most attempts and passes seen
//! (attempts counted within an iteration or branch of a loop or fan-out,
//! whose iterations or branches per execution are fitted as a mean, and,
//! given the structure, as a count distribution: [`count`]); per task: the
//! outcome rates, latency and cost, arrivals from root spans, and the
//! difficulty across repeated runs of one task ([`beta`]). [`scenario`]
//! writes the fitted scenario and [`structure`] infers one when none is given.

pub mod beta;
pub mod censored;
pub mod count;
pub mod latency;
pub mod observe;
pub mod optimize;
pub mod report;
pub mod scenario;
pub mod structure;

use self::latency::Candidate;
use self::observe::{NodeTotals, Totals};
use crate::stats::interval::wilson;

/// A rate with its interval and sample size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Events.
    pub k: u64,
    /// Trials.
    pub n: u64,
    /// k / n.
    pub value: f64,
    /// Wilson interval.
    pub ci: (f64, f64),
}

impl Rate {
    fn of(k: u64, n: u64, z: f64) -> Option<Rate> {
        (n > 0).then(|| Rate {
            k,
            n,
            value: k as f64 / n as f64,
            ci: wilson(k, n, z),
        })
    }
}

/// The fit of one node.
#[derive(Debug, Clone)]
pub struct NodeFit {
    /// What was observed.
    pub totals: NodeTotals,
    /// Latency candidates, best AIC first.
    pub latency: Vec<Candidate>,
    /// Loud failures per attempt (first attempts; timeouts excluded from the count).
    pub loud: Option<Rate>,
    /// Timeouts per first attempt.
    pub timeouts: Option<Rate>,
    /// Silent corruptions per labelled first attempt.
    pub silent: Option<Rate>,
    /// Gate: P(flag | wrong input), P(flag | right input).
    pub sensitivity: Option<Rate>,
    /// False alarms.
    pub false_alarm: Option<Rate>,
    /// Mean tokens per attempt (input, output), if spans carry them.
    pub tokens: Option<(f64, f64)>,
    /// Mean cost per attempt and its interval.
    pub cost: Option<(f64, f64, f64)>,
    /// The silent rate's spread across tasks, from repeated runs.
    pub difficulty: Option<beta::BetaFit>,
    /// A loop or fan-out: iterations or branches per execution, its
    /// interval (normal, at `z`) and the executions seen.
    pub count: Option<(f64, f64, f64, u64)>,
    /// The loop's or fan-out's count distribution fitted in the
    /// structure's family ([`Fit::fit_counts`]), or why it was not.
    pub count_fit: Option<Result<count::CountFit, String>>,
}

/// The fit of a whole trace file.
#[derive(Debug)]
pub struct Fit {
    /// Per node.
    pub nodes: Vec<NodeFit>,
    /// Task outcome rates [correct, silent, loud, escalated] over labelled tasks.
    pub outcomes: Vec<Option<Rate>>,
    /// The totals they came from.
    pub totals: Totals,
    /// Task latency candidates (for the report).
    pub task_latency: Vec<Candidate>,
    /// Arrival rate (tasks/s) and the squared coefficient of variation of
    /// gaps, when roots came in start order.
    pub arrivals: Option<(f64, f64)>,
    /// P(task not correct) spread across tasks, from repeated runs.
    pub task_difficulty: Option<beta::BetaFit>,
    /// The z of the intervals (1.96: 95%).
    pub z: f64,
}

/// Fits everything `totals` holds, intervals at `z`.
pub fn fit(mut totals: Totals, z: f64) -> Fit {
    totals.finish();
    let nodes = totals
        .nodes
        .iter()
        .enumerate()
        .map(|(i, t)| node_fit(&totals, i, t, z))
        .collect();
    let labelled: u64 = totals.outcomes.iter().sum();
    let outcomes = totals
        .outcomes
        .iter()
        .map(|&k| Rate::of(k, labelled, z))
        .collect();
    let a = &totals.arrivals;
    let arrivals = (a.sorted && a.n >= 3 && a.last > a.first).then(|| {
        let gaps = (a.n - 1) as f64;
        let mean = a.gaps.0 / gaps;
        let var = (a.gaps.1 / gaps - mean * mean).max(0.0);
        (1.0 / mean, var / (mean * mean))
    });
    let runs: Vec<(u32, u32)> = sorted_values(&totals.task_runs);
    Fit {
        nodes,
        outcomes,
        task_latency: latency::fit(&totals.latency, z),
        arrivals,
        task_difficulty: beta::fit(&runs, z),
        totals,
        z,
    }
}

impl Fit {
    /// Fits the count of every loop and fan-out of `model` whose lanes
    /// were seen, in the family the model gives it.
    pub fn fit_counts(&mut self, model: &crate::model::Model) {
        for nf in &mut self.nodes {
            let dynamic = model
                .nodes
                .iter()
                .find(|n| n.id == nf.totals.name)
                .and_then(|n| n.dynamic.as_deref());
            if let Some(d) = dynamic
                && nf.totals.lane_counts.executions() > 0
            {
                nf.count_fit = Some(count::fit(&nf.totals.lane_counts, d, self.z));
            }
        }
    }
}

fn sorted_values<K: Ord + Clone>(m: &std::collections::HashMap<K, (u32, u32)>) -> Vec<(u32, u32)> {
    let mut v: Vec<(K, (u32, u32))> = m.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, v)| v).collect()
}

fn node_fit(totals: &Totals, i: usize, t: &NodeTotals, z: f64) -> NodeFit {
    let f = &t.first;
    let decided = f.attempts - f.timeouts;
    let runs: Vec<(u32, u32)> = {
        let mut v: Vec<(&String, (u32, u32))> = totals
            .runs
            .iter()
            .filter(|((n, _), _)| *n == i)
            .map(|((_, id), v)| (id, *v))
            .collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.into_iter().map(|(_, v)| v).collect()
    };
    let cost = (t.cost_attempts > 0).then(|| {
        let n = t.cost_attempts as f64;
        let mean = t.cost / n;
        let sd = (t.cost_sq / n - mean * mean).max(0.0).sqrt();
        let half = z * sd / n.sqrt();
        (mean, (mean - half).max(0.0), mean + half)
    });
    NodeFit {
        latency: censored::fit(&t.durations, &t.censored, z),
        loud: Rate::of(f.loud, decided, z),
        timeouts: Rate::of(f.timeouts, f.attempts, z),
        silent: (f.labelled > 0)
            .then(|| Rate::of(f.silent, f.labelled, z))
            .flatten(),
        sensitivity: Rate::of(t.gate[0], t.gate[1], z),
        false_alarm: Rate::of(t.gate[2], t.gate[3], z),
        tokens: (t.token_attempts > 0).then(|| {
            let n = t.token_attempts as f64;
            (t.input_tokens as f64 / n, t.output_tokens as f64 / n)
        }),
        cost,
        difficulty: beta::fit(&runs, z),
        count: mean_interval(t.lanes, z),
        count_fit: None,
        totals: t.clone(),
    }
}

/// Mean of (n, Σx, Σx²) with its normal interval at `z`.
fn mean_interval((n, sum, sq): (u64, f64, f64), z: f64) -> Option<(f64, f64, f64, u64)> {
    (n > 0).then(|| {
        let k = n as f64;
        let mean = sum / k;
        let sd = (sq / k - mean * mean).max(0.0).sqrt();
        let half = z * sd / k.sqrt();
        (mean, (mean - half).max(0.0), mean + half, n)
    })
}
