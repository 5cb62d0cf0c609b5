//! Loaded runs: many tasks in flight at once, contending for shared pools and
//! links, in one replication on one event queue (warm-up, measurement
//! window, drain). The replications are driven, in parallel and in order, by
//! [`crate::sim::loaded`].
//!
//! One replication is one state machine, `World` (`state.rs`, over the
//! resource states of `pool_state.rs`, `link_state.rs` and `queue.rs`); its
//! behaviour is split by concern into `impl World` blocks: tasks, arrivals
//! and requests in `sim.rs`, pools in `pool.rs`, links in `link.rs`; the
//! hook that lets traces watch some tasks in `observe.rs`.

mod link;
mod link_state;
mod observe;
mod pool;
mod pool_state;
mod queue;
mod sim;
mod standstill;
mod state;

use std::sync::atomic::AtomicBool;

pub use observe::Observer;

use crate::model::{Model, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::replication::Replication;

/// Runs one replication of `model` under `workload`, drawing from `seed`;
/// stops early (with partial figures, to be discarded) once `stop` is set.
pub fn run_replication(
    model: &Model,
    workload: &Workload,
    seed: ReplicationSeed,
    stop: &AtomicBool,
) -> Replication {
    state::World::new(model, workload, seed, Some(stop)).run()
}

/// Runs one replication as [`run_replication`] does, with `observer`
/// watching its tasks (the same draws: the same results).
pub fn observe_replication(
    model: &Model,
    workload: &Workload,
    seed: ReplicationSeed,
    observer: &mut dyn Observer,
) -> Replication {
    state::World::new(model, workload, seed, None)
        .observed(observer)
        .run()
}
