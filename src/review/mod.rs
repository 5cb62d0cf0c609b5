//! Architecture reviews: variants of a scenario, paired comparisons, "where
//! does the gap open" analyses, and the report that brings them together.
//!
//! * [`variant`] reads variant files (a base plus patches, via [`edit`]);
//! * [`paired`] simulates several models in lockstep on common random numbers;
//! * [`compare`] and [`interval`] turn the paired totals into differences
//!   with 95% intervals;
//! * [`analyze`] builds the what-ifs from the compiled scenario, runs them in
//!   bounded batches and ranks them; [`attribution`] says where the failures
//!   come from;
//! * [`text`], [`export`], [`graph`], [`tornado`] and [`report`] present them.
//!
//! Nothing here changes the simulation core: arms are run with
//! [`crate::task::TaskSim`] and [`crate::montecarlo::trial_seed`] as they are.

pub mod analyze;
pub mod attribution;
pub mod compare;
pub mod edit;
pub mod export;
pub mod graph;
pub mod interval;
pub mod paired;
pub mod report;
pub mod text;
pub mod tornado;
pub mod variant;

pub use analyze::Analysis;
use analyze::GateSettings;
use compare::Comparison;
use variant::Arm;

/// Runs `arms` (the first is the base) in lockstep and compares them.
pub fn run_compare(
    arms: &[Arm],
    trials: u64,
    seed: u64,
    crn: bool,
    tasks_per_month: Option<u64>,
) -> Comparison {
    let models: Vec<&crate::model::Model> = arms.iter().map(|a| &a.scenario.model).collect();
    let run = paired::run_paired(&models, seed, trials, crn);
    compare::compare(arms, &run, seed, tasks_per_month)
}

/// Simulates every what-if of `arm` against it and ranks them (see [`analyze::analyse`]).
pub fn run_analysis(
    arm: &Arm,
    trials: u64,
    seed: u64,
    gate: GateSettings,
) -> Result<Analysis, String> {
    analyze::analyse(arm, trials, seed, gate)
}
