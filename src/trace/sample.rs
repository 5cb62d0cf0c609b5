//! Which trials a run writes as traces, picked from the seed alone.
//!
//! `all` takes trials 0, 1, … N − 1 (each trial's streams derive from the
//! seed, so they are a random sample of tasks under it); `silent`, `loud`
//! and `escalated` take the first N trials, in trial order, that ended so;
//! `slowest` the N slowest (ties by trial order). Trials are scanned in
//! parallel chunks and the choice is made in trial order, so it is the same
//! whatever the thread count. The chosen trials are then replayed and
//! recorded ([`super::record`]), run by run for pass^k. A loaded run's
//! tasks are picked and recorded in one pass of its replication 0
//! ([`super::loaded`]).

use rayon::prelude::*;

use super::record::Recorder;
use super::span::TaskTrace;
use crate::model::{Model, Workload};
use crate::seed;
use crate::task::{ExecCounters, TaskOutcome, TaskSim};

/// Which tasks to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TracesOf {
    /// Any task: the first N trials.
    All,
    /// Tasks that ended silently wrong.
    Silent,
    /// Tasks that failed loudly.
    Loud,
    /// Tasks handed to a person.
    Escalated,
    /// The N slowest tasks.
    Slowest,
}

/// Trials scanned per parallel chunk.
const CHUNK: u64 = 4096;

/// The trials of `0..trials` (base `seed`) that `of` picks, at most `n`, in trial order.
pub fn pick(model: &Model, seed: u64, trials: u64, n: u64, of: TracesOf) -> Vec<u64> {
    let wanted = match of {
        TracesOf::All => return (0..n.min(trials)).collect(),
        TracesOf::Slowest => return slowest(model, seed, trials, n),
        TracesOf::Silent => TaskOutcome::Silent,
        TracesOf::Loud => TaskOutcome::Loud,
        TracesOf::Escalated => TaskOutcome::Escalated,
    };
    let mut picked = Vec::new();
    let batch = CHUNK * rayon::current_num_threads().max(1) as u64;
    let mut first = 0;
    while first < trials && (picked.len() as u64) < n {
        let last = (first + batch).min(trials);
        let chunks: Vec<Vec<u64>> = (first..last)
            .step_by(CHUNK as usize)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut sim = TaskSim::new(model);
                let mut c = vec![ExecCounters::default(); model.exec_count()];
                (start..(start + CHUNK).min(last))
                    .filter(|&t| sim.run(seed::trial(seed, t), &mut c).outcome == wanted)
                    .collect()
            })
            .collect();
        picked.extend(chunks.into_iter().flatten());
        first = last;
    }
    picked.truncate(n as usize);
    picked
}

/// The `n` slowest trials (ties: the earlier trial first), in trial order.
fn slowest(model: &Model, seed: u64, trials: u64, n: u64) -> Vec<u64> {
    let n = n.min(trials) as usize;
    let keep = |mut v: Vec<(f64, u64)>| {
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        v.truncate(n);
        v
    };
    let top = (0..trials.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut sim = TaskSim::new(model);
            let mut c = vec![ExecCounters::default(); model.exec_count()];
            let start = chunk * CHUNK;
            let v = (start..(start + CHUNK).min(trials))
                .map(|t| (sim.run(seed::trial(seed, t), &mut c).latency, t))
                .collect();
            keep(v)
        })
        .reduce(Vec::new, |mut a, b| {
            a.extend(b);
            keep(a)
        });
    let mut picked: Vec<u64> = top.into_iter().map(|(_, t)| t).collect();
    picked.sort_unstable();
    picked
}

/// The traces a run writes: at most `n` tasks that `of` picks, of
/// independent trials `0..trials` under base `seed`, or, with a
/// `workload`, of its replication 0 ([`super::loaded`]).
pub fn sampled(
    model: &Model,
    workload: Option<&Workload>,
    seed: u64,
    trials: u64,
    n: u64,
    of: TracesOf,
) -> Vec<TaskTrace> {
    match workload {
        Some(w) => super::loaded::record(model, w, seed, n, of),
        None => record(model, seed, &pick(model, seed, trials, n, of)),
    }
}

/// Records every run (1, or the model's `pass_k`) of each trial in `picked`.
pub fn record(model: &Model, seed: u64, picked: &[u64]) -> Vec<TaskTrace> {
    picked
        .par_iter()
        .map_init(
            || Recorder::new(model),
            |rec, &t| {
                let s = seed::trial(seed, t);
                (0..model.pass_k.max(1))
                    .map(|run| rec.record(s, t, run))
                    .collect::<Vec<_>>()
            },
        )
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}
