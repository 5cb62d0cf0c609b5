//! Loaded runs: many tasks in flight at once, contending for shared pools and
//! links, in one replication on one event queue (warm-up, measurement
//! window, drain). The replications are driven, in parallel and in order, by
//! [`crate::sim::loaded`].
//!
//! One replication is one state machine, `World` (`state.rs`, over the
//! resource states of `pool_state.rs`, `link_state.rs` and `queue.rs`); its
//! behaviour is split by concern into `impl World` blocks: tasks, arrivals
//! and requests in `sim.rs`, pools in `pool.rs`, links in `link.rs`; the
//! hook that lets traces watch some tasks in `observe.rs`; pools' outages,
//! degradation and circuit breakers in `guard.rs`.
//!
//! Models whose tasks are one step on one plain pool run instead on the lean
//! world (`lean/`), which gives the same results at a fraction of the cost;
//! the choice is automatic ([`Path::Auto`]).

mod guard;
mod lean;
mod link;
mod link_state;
mod observe;
mod pool;
mod pool_state;
mod queue;
mod sim;
mod standstill;
mod state;
mod unstable;

use std::sync::atomic::AtomicBool;

pub use observe::Observer;

use crate::model::{Model, Window, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::replication::Replication;

/// Which world runs a replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// The lean world when the model qualifies, else the general one.
    Auto,
    /// Always the general world (to check the lean one against it).
    General,
}

/// Runs one replication of `model` under `workload`, drawing from `seed`;
/// stops early (with partial figures, to be discarded) once `stop` is set.
pub fn run_replication(
    model: &Model,
    workload: &Workload,
    seed: ReplicationSeed,
    stop: &AtomicBool,
) -> Replication {
    run_replication_on(Path::Auto, model, workload, seed, Some(stop))
}

/// [`run_replication`] on the world `path` chooses (same results either way).
pub fn run_replication_on(
    path: Path,
    model: &Model,
    workload: &Workload,
    seed: ReplicationSeed,
    stop: Option<&AtomicBool>,
) -> Replication {
    match lean::Plan::of(model, workload).filter(|_| path == Path::Auto) {
        Some(plan) => lean::run_replication(plan, model, workload, seed, stop),
        None => state::World::new(model, workload, seed, stop).run(),
    }
}

/// True when replications of `model` under `workload` run on the lean world.
pub fn runs_lean(model: &Model, workload: &Workload) -> bool {
    lean::Plan::of(model, workload).is_some()
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

/// Events between two looks at the stop flag.
const STOP_CHECK_EVENTS: u64 = 1 << 16;

/// Whether a world that has processed `events` events should stop now
/// because `stop` is set (looked at once every [`STOP_CHECK_EVENTS`] events,
/// so the flag costs nothing on the hot path). Both worlds stop by this rule.
fn stop_requested(events: u64, stop: Option<&AtomicBool>) -> bool {
    events.is_multiple_of(STOP_CHECK_EVENTS)
        && stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
}

/// What starting the replication's task number `index` does to the
/// measurement window: whether the task is measured, and whether the window
/// opens or closes with it (a window of task counts opens at the first
/// measured task and closes with the last; a window of time is opened and
/// closed by its own events, and measures the tasks started while open).
/// Both worlds start tasks by this rule.
struct TaskWindow {
    measured: bool,
    opens: bool,
    closes: bool,
}

impl TaskWindow {
    fn at_start(window: &Window, index: u64, measuring: bool) -> TaskWindow {
        match *window {
            Window::Tasks { warmup, tasks } => TaskWindow {
                measured: index >= warmup && index < warmup + tasks,
                opens: index == warmup,
                closes: index + 1 == warmup + tasks,
            },
            Window::Time { .. } => TaskWindow {
                measured: measuring,
                opens: false,
                closes: false,
            },
        }
    }
}
