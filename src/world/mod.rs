//! Loaded runs: many tasks in flight at once, contending for shared pools and
//! links, replicated independently in parallel.
//!
//! Each replication is a whole run of the workload (warm-up, measurement
//! window, drain) on one event queue; replications run on rayon and are
//! combined in replication order, so results do not depend on thread count.

mod figures;
mod link;
mod pool;
mod queue;
mod sim;
mod stability;
mod timeavg;

pub use figures::{LinkFigures, PoolFigures, Replication};
pub use stability::{OfferedLoad, offered_load};
pub use timeavg::TimeIntegral;

use rayon::prelude::*;

use crate::model::{Model, Workload};

/// Runs replication `replication` of `model` under `workload` from base `seed`.
pub fn run_replication(
    model: &Model,
    workload: &Workload,
    seed: u64,
    replication: u64,
) -> Replication {
    sim::World::new(model, workload, seed, replication).run()
}

/// Runs the workload's replications `range` in parallel, in replication order.
pub fn run_replications(
    model: &Model,
    workload: &Workload,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Vec<Replication> {
    range
        .into_par_iter()
        .map(|r| run_replication(model, workload, seed, r))
        .collect()
}
