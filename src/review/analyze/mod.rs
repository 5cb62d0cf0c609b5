//! "Where does the gap open": the end-to-end effect of improving each
//! component in turn, measured against the scenario as it is.
//!
//! For every node and hand-off, up to three what-ifs are simulated in
//! lockstep with the scenario (common random numbers): the component made
//! perfect (silent = loud = 0; a gate catching everything with no false
//! alarms), given one more retry (only where it can fail loudly), and a gate
//! placed after it. [`candidates`] picks them from the compiled scenario,
//! [`whatif`] builds each one's model, and [`analyse`] runs them in batches of
//! at most [`BATCH`] beside the scenario, so memory stays linear in the size
//! of the graph however many what-ifs it has.

pub mod candidates;
pub mod whatif;

use serde::Serialize;

use super::attribution::{self, Attribution};
use super::compare::{Figure, figures};
use super::error::ReviewError;
use super::variant::Arm;
use crate::model::Model;
use crate::sim::paired::{PairedRun, run_paired};
use crate::sim::{Control, SimError};
use crate::stats::Summary;
use candidates::Candidate;

/// What-ifs simulated beside the scenario in one paired run. Every batch
/// runs the scenario again on the same seeds (it gives the same trials each
/// time), so the results do not depend on it; memory is about
/// (1 + `BATCH`) models.
pub const BATCH: usize = 16;

/// The gate that "a gate after X" inserts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    /// P(flag | corrupted input).
    pub sensitivity: f64,
    /// P(flag | right input).
    pub false_alarm: f64,
    /// Loop-backs to the gated component before escalating.
    pub max_loops: u64,
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            sensitivity: 0.9,
            false_alarm: 0.02,
            max_loops: 2,
        }
    }
}

/// A what-if change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The component never fails.
    Perfect,
    /// One more retry of loud failures.
    OneMoreRetry,
    /// A verification gate after the component, looping back to it.
    GateAfter,
    /// A fallback to a second provider like the step (same rates, latency
    /// and cost, drawn independently) once its attempts are exhausted.
    Fallback,
    /// A hedged copy of every attempt still running at the step's p95
    /// latency, the loser cancelled.
    Hedge,
}

impl Change {
    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Change::Perfect => "perfect",
            Change::OneMoreRetry => "+1 retry",
            Change::GateAfter => "gate after",
            Change::Fallback => "fallback",
            Change::Hedge => "hedge at p95",
        }
    }
}

/// The measured effect of one what-if.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Node id or hand-off `from->to`.
    pub component: String,
    /// What changes.
    pub change: Change,
    /// True when the component is a gate.
    pub is_gate: bool,
    /// "perfect retrieve", "gate after generate", ...
    pub label: String,
    /// Change in P(correct), with interval.
    pub gain: Figure,
    /// Change in the silent-failure rate.
    pub silent: Figure,
    /// Change in p99 latency, seconds.
    pub p99: Figure,
    /// Change in cost per correct task, dollars.
    pub cost_per_success: Figure,
}

/// The result of `coordsim analyze`.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Scenario name.
    pub scenario: String,
    /// Trials per what-if.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// The gate that "gate after" inserts.
    pub gate_sensitivity: f64,
    /// Its false-alarm rate.
    pub gate_false_alarm: f64,
    /// Its loop budget.
    pub gate_max_loops: u64,
    /// The scenario's headline figures.
    pub figures: Vec<Figure>,
    /// What-ifs, largest gain in P(correct) first.
    pub ranking: Vec<Finding>,
    /// Where the failures come from, as the scenario stands.
    pub attribution: Attribution,
    /// The scenario's full summary.
    pub summary: Summary,
}

/// Simulates every what-if of `arm` against it, [`BATCH`] at a time, and
/// ranks them. Fails, naming it, if a what-if does not compile (a bug in the
/// edits); refused, as every simulation is, when a task runs away (in the
/// first batch that has one) or `control` is stopped.
pub fn analyse(
    arm: &Arm,
    trials: u64,
    seed: u64,
    gate: GateSettings,
    control: Control<'_>,
) -> Result<Analysis, ReviewError> {
    let candidates = candidates::candidates(&arm.scenario);
    let base_model = &arm.scenario.model;
    let mut base: Option<(Summary, Vec<Figure>)> = None;
    let mut ranking = Vec::with_capacity(candidates.len());
    // One run at least: the scenario alone when nothing can be improved.
    let batches = candidates.chunks(BATCH).map(Some);
    for batch in batches.chain(candidates.is_empty().then_some(None)) {
        let batch = batch.unwrap_or_default();
        let models = batch
            .iter()
            .map(|c| whatif::what_if_model(c, arm, gate))
            .collect::<Result<Vec<Model>, String>>()
            .map_err(ReviewError::WhatIf)?;
        let mut arms = vec![base_model];
        arms.extend(models.iter());
        let run = run_paired(&arms, seed, trials, true, control)
            .map_err(|e| name_the_what_if(e, batch))?;
        let summaries: Vec<Summary> = arms
            .iter()
            .zip(&run.arms)
            .map(|(m, acc)| Summary::new(m, seed, acc))
            .collect();
        ranking.extend(findings(&run, &summaries, batch));
        if base.is_none() {
            let figures = figures(&run, &summaries[..1], 0, None);
            base = Some((
                summaries.into_iter().next().expect("the base is arm 0"),
                figures,
            ));
        }
    }
    rank(&mut ranking);
    let (summary, figures) = base.expect("at least one run");
    Ok(Analysis {
        scenario: arm.label.clone(),
        trials,
        seed,
        gate_sensitivity: gate.sensitivity,
        gate_false_alarm: gate.false_alarm,
        gate_max_loops: gate.max_loops,
        figures,
        ranking,
        attribution: attribution::attribute(&summary),
        summary,
    })
}

/// A runaway in arm k ≥ 1 of a batch, named by its what-if rather than by
/// its place in the batch.
fn name_the_what_if(e: SimError, batch: &[Candidate]) -> SimError {
    let SimError::Runaway(message) = &e else {
        return e;
    };
    let arm_and_rest = message
        .strip_prefix("in variant ")
        .and_then(|m| m.split_once(", "))
        .and_then(|(arm, rest)| Some((arm.parse::<usize>().ok()?, rest)));
    match arm_and_rest.and_then(|(arm, rest)| Some((batch.get(arm.checked_sub(1)?)?, rest))) {
        Some((c, rest)) => SimError::Runaway(format!(
            "in what-if \"{} {}\", {rest}",
            c.change.label(),
            c.component
        )),
        None => e,
    }
}

/// The what-ifs of a paired run (arm 0 the scenario, arm k the (k−1)-th
/// candidate), in candidate order.
pub fn findings(run: &PairedRun, summaries: &[Summary], candidates: &[Candidate]) -> Vec<Finding> {
    candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let f = figures(run, summaries, i + 1, None);
            let pick = |key: &str| {
                f.iter()
                    .find(|x| x.key == key)
                    .cloned()
                    .expect("every figure is computed")
            };
            Finding {
                component: c.component.clone(),
                change: c.change,
                is_gate: c.is_gate,
                label: format!("{} {}", c.change.label(), c.component),
                gain: pick("p_correct"),
                silent: pick("p_silent"),
                p99: pick("latency_p99_s"),
                cost_per_success: pick("cost_per_success_usd"),
            }
        })
        .collect()
}

/// Orders findings by gain in P(correct), largest first, then by label.
pub fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let g = |f: &Finding| f.gain.diff.unwrap_or(0.0);
        g(b).total_cmp(&g(a)).then_with(|| a.label.cmp(&b.label))
    });
}
