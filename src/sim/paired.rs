//! Paired simulation of several models in lockstep, and the paired totals
//! that measure their differences.
//!
//! Arm 0 is the base; every other arm is simulated on the same trial seeds
//! (common random numbers: each node and edge draws from its own stream keyed
//! by its name, so an unchanged component draws the same numbers in every
//! arm), and each trial's figures are compared pair by pair:
//!
//! * outcomes: for each outcome, the trials where both arms, only the base,
//!   or only the variant had it (the discordant pairs drive the interval);
//! * latency, cost, tokens: sums of the per-trial differences and of their
//!   squares, in integer units (ns, pico-dollars, tokens) as
//!   [`Accumulator`] keeps them, so totals are bit-identical in any order;
//! * quantiles and per-success ratios, which have no per-trial difference:
//!   the trials are cut into [`SECTIONS`] fixed sections by trial index and
//!   each section's figure is kept, so their spread gives a standard error
//!   (the "sectioning" method).
//!
//! Without common random numbers (`crn = false`) each variant gets its own
//! seeds: the same formulas then describe independent samples.

use rayon::prelude::*;

use super::error::describe_runaway;
use super::trials::{RunsOfATask, TRIALS_PER_CHUNK};
use super::{Control, SimError};
use crate::model::Model;
use crate::seed;
use crate::stats::Accumulator;
use crate::stats::accumulator::{NANOS_PER_SECOND, PICO_PER_USD};
use crate::task::{Runaway, TaskOutcome, TaskSim, TrialResult};

/// Number of sections the trials are cut into for quantile and ratio intervals.
pub const SECTIONS: u64 = 20;

/// Sums of a per-trial difference (variant − base) and of its square.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffSums {
    /// Σ d.
    pub sum: i128,
    /// Σ d².
    pub sum_sq: u128,
}

impl DiffSums {
    fn add(&mut self, d: i128) {
        self.sum += d;
        self.sum_sq += d.unsigned_abs() * d.unsigned_abs();
    }

    fn merge(&mut self, o: &DiffSums) {
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
}

/// The 2×2 table of one outcome between base and variant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PairTable {
    /// Trials where both arms had the outcome.
    pub both: u64,
    /// Only the base had it.
    pub base_only: u64,
    /// Only the variant had it.
    pub variant_only: u64,
}

/// Paired totals of one variant against the base.
#[derive(Debug, Clone, Default)]
pub struct PairedDiff {
    /// Per outcome, in the order correct, silent, loud, escalated.
    pub outcomes: [PairTable; 4],
    /// Latency differences, ns.
    pub latency_ns: DiffSums,
    /// Cost differences, pico-dollars.
    pub cost_pusd: DiffSums,
    /// Token differences.
    pub tokens: DiffSums,
    /// pass^K and pass@K (all, any of the K runs of a task correct), when
    /// every arm runs each task the same K > 1 times (`[run] pass_k`).
    pub pass_k: [PairTable; 2],
}

/// Per-section figures of one arm (`None` where undefined, e.g. no success).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SectionFigures {
    /// Latency quantiles 0.5, 0.95, 0.99, seconds.
    pub quantiles: [f64; 3],
    /// Dollars per correct task.
    pub cost_per_success: Option<f64>,
}

/// Everything a paired run measured.
#[derive(Debug, Clone)]
pub struct PairedRun {
    /// Per-arm totals (arm 0 is the base).
    pub arms: Vec<Accumulator>,
    /// Per variant (arm k ≥ 1 at index k − 1): paired totals against the base.
    pub diffs: Vec<PairedDiff>,
    /// `sections[s][arm]`: figures of section `s` (empty with fewer than
    /// [`SECTIONS`] trials).
    pub sections: Vec<Vec<SectionFigures>>,
    /// Whether the arms shared random numbers.
    pub crn: bool,
}

/// Outcome index in [`PairedDiff::outcomes`].
pub fn outcome_index(o: TaskOutcome) -> usize {
    match o {
        TaskOutcome::Correct => 0,
        TaskOutcome::Silent => 1,
        TaskOutcome::Loud => 2,
        TaskOutcome::Escalated => 3,
    }
}

fn ns(r: &TrialResult) -> i128 {
    (r.latency * NANOS_PER_SECOND)
        .round()
        .clamp(0.0, u64::MAX as f64) as i128
}

fn pusd(r: &TrialResult) -> i128 {
    (r.cost_usd * PICO_PER_USD).round().max(0.0) as i128
}

struct Partial {
    arms: Vec<Accumulator>,
    diffs: Vec<PairedDiff>,
    sections: Vec<(u64, Vec<SectionFigures>)>,
    /// The earliest runaway met: (trial, arm, what).
    runaway: Option<(u64, usize, Runaway)>,
}

impl Partial {
    fn new(models: &[&Model]) -> Self {
        Partial {
            arms: models
                .iter()
                .map(|m| Accumulator::new(m.exec_count()))
                .collect(),
            diffs: vec![PairedDiff::default(); models.len().saturating_sub(1)],
            sections: Vec::new(),
            runaway: None,
        }
    }

    fn merge(mut self, other: Partial) -> Partial {
        self.arms = self
            .arms
            .into_iter()
            .zip(other.arms)
            .map(|(a, b)| a.merge(b))
            .collect();
        for (d, o) in self.diffs.iter_mut().zip(&other.diffs) {
            for (t, u) in d.outcomes.iter_mut().zip(&o.outcomes) {
                t.both += u.both;
                t.base_only += u.base_only;
                t.variant_only += u.variant_only;
            }
            d.latency_ns.merge(&o.latency_ns);
            d.cost_pusd.merge(&o.cost_pusd);
            d.tokens.merge(&o.tokens);
            for (t, u) in d.pass_k.iter_mut().zip(&o.pass_k) {
                t.both += u.both;
                t.base_only += u.base_only;
                t.variant_only += u.variant_only;
            }
        }
        self.sections.extend(other.sections);
        self.runaway = match (self.runaway, other.runaway) {
            (Some(a), Some(b)) => Some(if (b.0, b.1) < (a.0, a.1) { b } else { a }),
            (a, b) => a.or(b),
        };
        self
    }
}

/// Figures of one section's accumulator.
fn section_figures(acc: &Accumulator) -> SectionFigures {
    let q = |p: f64| acc.latency_ns.value_at_quantile(p) as f64 / NANOS_PER_SECOND;
    SectionFigures {
        quantiles: [q(0.5), q(0.95), q(0.99)],
        cost_per_success: (acc.correct > 0)
            .then(|| acc.cost_pusd_sum as f64 / PICO_PER_USD / acc.correct as f64),
    }
}

/// Runs `trials` trials of every model in lockstep (model 0 is the base) on
/// the current rayon pool. Deterministic for given inputs, whatever the
/// number of threads.
///
/// Refused, as `run` refuses it, when a task of any arm runs away (the
/// earliest such trial is named) or when `control` is stopped.
pub fn run_paired(
    models: &[&Model],
    seed: u64,
    trials: u64,
    crn: bool,
    control: Control<'_>,
) -> Result<PairedRun, SimError> {
    let sections = if trials >= SECTIONS { SECTIONS } else { 1 };
    let bound = |s: u64| (trials as u128 * s as u128 / sections as u128) as u64;
    let arm_seeds: Vec<u64> = (0..models.len()).map(|a| seed::arm(seed, a, crn)).collect();
    // pass^K pairs only when every arm runs its tasks the same K > 1 times.
    let paired_pass_k = models[0].pass_k > 1 && models.iter().all(|m| m.pass_k == models[0].pass_k);
    let total = (0..sections)
        .into_par_iter()
        .map(|s| {
            let mut part = Partial::new(models);
            let mut sims: Vec<TaskSim> = models.iter().map(|m| TaskSim::new(m)).collect();
            let mut runs: Vec<RunsOfATask> = models.iter().map(|m| RunsOfATask::new(m)).collect();
            let mut results = Vec::with_capacity(models.len());
            let mut passes = Vec::with_capacity(models.len());
            'trials: for trial in bound(s)..bound(s + 1) {
                if (trial - bound(s)).is_multiple_of(TRIALS_PER_CHUNK) && control.stopped() {
                    break;
                }
                results.clear();
                passes.clear();
                for (arm, sim) in sims.iter_mut().enumerate() {
                    let acc = &mut part.arms[arm];
                    let task_seed = seed::trial(arm_seeds[arm], trial);
                    let mut r = sim.run(task_seed, &mut acc.execs);
                    if r.runaway.is_none() && models[arm].pass_k > 1 {
                        r.runaway = runs[arm].rerun(sim, task_seed, &r, acc);
                        passes.push(runs[arm].all_and_any());
                    }
                    if let Some(mut runaway) = r.runaway {
                        runaway.task = trial;
                        part.runaway = Some((trial, arm, runaway));
                        break 'trials;
                    }
                    acc.record(&r);
                    results.push(r);
                }
                record_pairs(&mut part.diffs, &results);
                if paired_pass_k {
                    record_pass_pairs(&mut part.diffs, &passes);
                }
            }
            control.advance(bound(s + 1) - bound(s));
            if sections == SECTIONS {
                part.sections = vec![(s, part.arms.iter().map(section_figures).collect())];
            }
            part
        })
        .reduce(|| Partial::new(models), Partial::merge);
    if let Some((_, arm, r)) = &total.runaway {
        let what = describe_runaway(models[*arm], r);
        return Err(SimError::Runaway(if *arm == 0 {
            what
        } else {
            format!("in variant {arm}, {what}")
        }));
    }
    if control.stopped() {
        return Err(SimError::Cancelled);
    }
    let mut sections_sorted = total.sections;
    sections_sorted.sort_by_key(|(s, _)| *s);
    Ok(PairedRun {
        arms: total.arms,
        diffs: total.diffs,
        sections: sections_sorted.into_iter().map(|(_, f)| f).collect(),
        crn,
    })
}

/// Adds one task's pass^K and pass@K pairs (base = `passes[0]`) into `diffs`.
fn record_pass_pairs(diffs: &mut [PairedDiff], passes: &[(bool, bool)]) {
    let (base_all, base_any) = passes[0];
    for (d, &(all, any)) in diffs.iter_mut().zip(&passes[1..]) {
        for (t, (b, v)) in d.pass_k.iter_mut().zip([(base_all, all), (base_any, any)]) {
            match (b, v) {
                (true, true) => t.both += 1,
                (true, false) => t.base_only += 1,
                (false, true) => t.variant_only += 1,
                (false, false) => {}
            }
        }
    }
}

/// Adds one trial's pairs (base = `results[0]`) into `diffs`.
fn record_pairs(diffs: &mut [PairedDiff], results: &[TrialResult]) {
    let base = &results[0];
    let b_out = outcome_index(base.outcome);
    for (d, v) in diffs.iter_mut().zip(&results[1..]) {
        let v_out = outcome_index(v.outcome);
        if b_out == v_out {
            d.outcomes[b_out].both += 1;
        } else {
            d.outcomes[b_out].base_only += 1;
            d.outcomes[v_out].variant_only += 1;
        }
        d.latency_ns.add(ns(v) - ns(base));
        d.cost_pusd.add(pusd(v) - pusd(base));
        d.tokens.add(v.tokens as i128 - base.tokens as i128);
    }
}
