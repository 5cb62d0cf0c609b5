//! Architecture reviews: variants of a scenario, paired comparisons, "where
//! does the gap open" analyses, and the report that brings them together.
//!
//! * [`variant`] reads variant files (a base plus patches, via [`edit`]);
//! * [`crate::sim::paired`] simulates the arms in lockstep on common random numbers;
//! * [`compare`] and [`interval`] turn the paired totals into differences
//!   with 95% intervals;
//! * [`analyze`] builds and ranks the what-ifs, [`attribution`] says where
//!   the failures come from;
//! * [`text`], [`export`], [`graph`], [`tornado`] and [`report`] present them,
//!   with scenario text made safe for markup by [`markup`].
//!
//! Arms run through the execution layer ([`crate::sim`]), like every command.

pub mod analyze;
pub mod attribution;
pub mod compare;
pub mod edit;
pub mod export;
pub mod graph;
pub mod interval;
pub mod markup;
pub mod report;
pub mod text;
pub mod tornado;
pub mod variant;

use serde::Serialize;

use analyze::{Finding, GateSettings};
use attribution::Attribution;
use compare::{Comparison, Figure};
use variant::Arm;

use crate::sim::paired::run_paired;
use crate::sim::{Control, SimError};
use crate::stats::Summary;

/// Why a review gave no result.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The simulation was refused (a runaway task) or interrupted.
    #[error(transparent)]
    Sim(#[from] SimError),
    /// A what-if could not be built (a defect: every what-if of a valid scenario compiles).
    #[error("{0}")]
    WhatIf(String),
}

/// Runs `arms` (the first is the base) in lockstep and compares them.
pub fn run_compare(
    arms: &[Arm],
    trials: u64,
    seed: u64,
    crn: bool,
    tasks_per_month: Option<u64>,
    control: Control<'_>,
) -> Result<Comparison, SimError> {
    let models: Vec<&crate::model::Model> = arms.iter().map(|a| &a.scenario.model).collect();
    let run = run_paired(&models, seed, trials, crn, control)?;
    Ok(compare::compare(arms, &run, seed, tasks_per_month))
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

/// Simulates every what-if of `arm` against it and ranks them.
pub fn run_analysis(
    arm: &Arm,
    trials: u64,
    seed: u64,
    gate: GateSettings,
    control: Control<'_>,
) -> Result<Analysis, ReviewError> {
    let candidates = analyze::candidates(&arm.doc, gate);
    let compiled = analyze::compile_candidates(arm, &candidates).map_err(ReviewError::WhatIf)?;
    let mut models: Vec<&crate::model::Model> = vec![&arm.scenario.model];
    models.extend(compiled.iter());
    let run = run_paired(&models, seed, trials, true, control)?;
    let summaries: Vec<Summary> = models
        .iter()
        .zip(&run.arms)
        .map(|(m, acc)| Summary::new(m, seed, acc))
        .collect();
    let ranking = analyze::findings(&run, &summaries, &candidates);
    let base = summaries.into_iter().next().expect("the base is arm 0");
    Ok(Analysis {
        scenario: arm.label.clone(),
        trials,
        seed,
        gate_sensitivity: gate.sensitivity,
        gate_false_alarm: gate.false_alarm,
        gate_max_loops: gate.max_loops,
        figures: compare::figures(&run, std::slice::from_ref(&base), 0, None),
        ranking,
        attribution: attribution::attribute(&base),
        summary: base,
    })
}
