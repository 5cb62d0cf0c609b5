//! Architecture reviews: variants of a scenario, paired comparisons, "where
//! does the gap open" analyses, and the report that brings them together.
//!
//! * [`variant`] reads variant files (a base plus patches, via [`edit`]);
//! * [`crate::sim::paired`] simulates the arms in lockstep on common random numbers;
//! * [`compare`] and [`interval`] turn the paired totals into differences
//!   with 95% intervals;
//! * [`analyze`] builds the what-ifs from the compiled scenario, runs them in
//!   bounded batches and ranks them; [`attribution`] says where the failures
//!   come from;
//! * [`text`], [`export`], [`graph`], [`tornado`] and [`report`] present them,
//!   with scenario text made safe for markup by [`markup`].
//!
//! Arms run through the execution layer ([`crate::sim`]), like every command.

pub mod analyze;
pub mod attribution;
pub mod compare;
pub mod edit;
pub mod error;
pub mod export;
pub mod graph;
pub mod interval;
pub mod markup;
pub mod report;
pub mod text;
pub mod tornado;
pub mod variant;

pub use analyze::Analysis;
/// Simulates every what-if of an arm against it and ranks them.
pub use analyze::analyse as run_analysis;
use compare::Comparison;
pub use error::ReviewError;
use variant::Arm;

use crate::sim::paired::run_paired;
use crate::sim::{Control, SimError};

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
