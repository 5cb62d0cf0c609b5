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
mod standstill;
mod timeavg;

pub use figures::{LinkFigures, PoolFigures, Replication};
pub use stability::{OfferedLoad, offered_load};
pub use timeavg::TimeIntegral;

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::model::{Model, Workload};

/// Runs replication `replication` of `model` under `workload` from base `seed`.
pub fn run_replication(
    model: &Model,
    workload: &Workload,
    seed: u64,
    replication: u64,
) -> Replication {
    sim::World::new(model, workload, seed, replication, None).run()
}

/// Runs the workload's replications `range` in parallel, in replication order.
pub fn run_replications(
    model: &Model,
    workload: &Workload,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Vec<Replication> {
    run_replications_until(model, workload, seed, range, &AtomicBool::new(false))
}

/// As [`run_replications`], but each replication stops early once `stop` is
/// set (the figures are then partial and should be discarded).
pub fn run_replications_until(
    model: &Model,
    workload: &Workload,
    seed: u64,
    range: std::ops::Range<u64>,
    stop: &AtomicBool,
) -> Vec<Replication> {
    range
        .into_par_iter()
        .map(|r| sim::World::new(model, workload, seed, r, Some(stop)).run())
        .collect()
}
