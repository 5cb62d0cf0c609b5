//! The lean loaded world: the same replication as [`super::state::World`]
//! for the most common loaded model — every task is one step queueing for
//! one plain pool (no batching, no rate limit, no link, no timeout, no gate,
//! no loop, no per-task rates) — at a fraction of the cost per task.
//!
//! Why a second world: the general one runs each task through the task
//! state machine ([`crate::task::TaskState`]: per-exec state, an immediate
//! queue, an outbox of requests) and each attempt through a request slab,
//! which is most of its cost per customer. Here a task is one compact
//! record (its random stream, its attempt and its totals) that is also its
//! request, events carry only a slot number, and nothing is reset or
//! allocated per task.
//!
//! It must give bit-identical results to the general world for every model
//! it accepts: the same draws from the same streams in the same order, the
//! same events scheduled in the same order (ties in time are broken by
//! scheduling order), the same figures. [`Plan::of`] accepts only what it
//! mirrors exactly; everything else runs on the general world.
//! `tests/lean_world.rs` runs both on every qualifying scenario and compares.

mod ahead;
mod pool;
mod sim;

use std::sync::atomic::AtomicBool;

use crate::model::{Merge, Model, Pool, Step, Workload};
use crate::seed::{ComponentKey, ReplicationSeed};
use crate::stats::replication::Replication;

/// What the lean world needs of a model it accepts.
#[derive(Clone, Copy)]
pub(super) struct Plan<'m> {
    /// The one step of every task.
    step: &'m Step,
    /// The pool it queues for, and its index.
    pool: &'m Pool,
    pool_index: usize,
    /// Its (class, step) priority in that pool (the same for every request).
    priority: (i32, i32),
    /// The step's random stream key.
    key: ComponentKey,
}

impl<'m> Plan<'m> {
    /// The plan for `model`, if the lean world mirrors it exactly: one node
    /// and no edge, no gate, no sub-graph junction, no loop or fan-out, no
    /// per-task rates, no persistence, no common cause, no timeout, and a
    /// step that uses one pool without batching or rate limit (no link);
    /// one task class, without load shedding; no fallback, hedge, cache or
    /// deadline, no pool outages or breakers, no energy metering.
    pub(super) fn of(model: &'m Model, workload: &Workload) -> Option<Plan<'m>> {
        let [node] = model.nodes.as_slice() else {
            return None;
        };
        if workload.reports_classes() {
            return None;
        }
        let plain_node = model.edges.is_empty()
            && node.merge == Merge::All
            && node.gate.is_none()
            && node.junction.is_none()
            && node.dynamic.is_none();
        let step = &node.step;
        let plain_step = step.rates.is_none()
            && step.persistence == 0.0
            && step.timeout.is_none()
            && step.fallback.is_none()
            && step.hedge.is_none()
            && step.cache.is_none()
            && model.deadline.is_none()
            && model.common_causes.is_empty()
            && model.links.is_empty()
            && model.pools.iter().all(|p| p.resilience.is_none())
            && !model.meters_energy();
        if !plain_node || !plain_step {
            return None;
        }
        let resource = step.resource?;
        let pool_index = resource.pool?;
        let pool = &model.pools[pool_index];
        if resource.transfer.is_some() || pool.batching.is_some() || pool.rate_limit.is_some() {
            return None;
        }
        Some(Plan {
            step,
            pool,
            pool_index,
            priority: (workload.head.priority, resource.priority),
            key: ComponentKey::of(&model.exec_name(0)),
        })
    }
}

/// Runs one replication on the lean world (`plan` must be `Plan::of(model, workload)`).
pub(super) fn run_replication(
    plan: Plan<'_>,
    model: &Model,
    workload: &Workload,
    seed: ReplicationSeed,
    stop: Option<&AtomicBool>,
) -> Replication {
    sim::LeanWorld::new(plan, model, workload, seed, stop).run()
}
