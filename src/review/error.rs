//! Why a review gave no result.

use crate::sim::SimError;

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
