//! The state of one replication of a loaded run: its events, its tasks in
//! flight, its requests in resources, and its pools and links. The
//! behaviour lives in `sim.rs` (tasks, arrivals, requests), `pool.rs` and
//! `link.rs`, each an `impl World` over this state. Several task classes
//! (each its own graph and arrivals) share the pools and links; a scenario
//! without classes is one class.

use std::sync::atomic::AtomicBool;

use rand_xoshiro::SplitMix64;

use super::link_state::LinkState;
use super::observe::Observer;
use super::pool_state::PoolState;
use super::standstill::Standstill;
use crate::engine::EventQueue;
use crate::model::{AttemptOutcome, ClassView, Model, ResourceUse, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::replication::ClassFigures;
use crate::task::{Event, ExecCounters, TaskState};

/// Events of the loaded world.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    /// An event of the task in `slot` (ignored if the slot moved on to another task).
    Task {
        slot: u32,
        generation: u32,
        event: Event,
    },
    /// The next open-workload arrival of `class` (a candidate, thinned by the schedule).
    Arrival { class: u32 },
    /// A closed-workload agent of `class` starts its next task.
    Wake { class: u32, agent: u32 },
    /// Measurement starts (time windows).
    MeasureOn,
    /// Measurement stops (time windows).
    MeasureOff,
    /// A request joins a link after its base latency.
    LinkJoin { request: u32 },
    /// A link's earliest transfer may be complete.
    LinkCheck { link: u32, version: u32 },
    /// The own work of a step that used only a link is done.
    OwnWorkDone { request: u32 },
    /// A non-batching pool finished serving a request.
    ServiceDone { pool: u32, request: u32 },
    /// A batching server finished an iteration.
    Iteration { pool: u32, server: u32 },
    /// A rate-limited pool has a token again.
    TokenRefill { pool: u32 },
    /// A request's deadline.
    Timeout { request: u32, serial: u32 },
}

/// One attempt travelling through shared resources.
#[derive(Debug, Clone, Copy)]
pub(super) struct Request {
    pub(super) slot: u32,
    pub(super) generation: u32,
    pub(super) exec: u32,
    pub(super) epoch: u32,
    pub(super) branch: u32,
    pub(super) outcome: AttemptOutcome,
    pub(super) work: f64,
    pub(super) resource: ResourceUse,
    /// The priority of the task's class (before the step's own in a priority pool).
    pub(super) class_priority: i32,
    /// Bumped when the slab entry is reused, so stale timeouts are ignored.
    pub(super) serial: u32,
    /// The task has been answered (completion, timeout or rejection).
    pub(super) answered: bool,
    /// The caller gave up (timeout) while the request was still in a resource.
    pub(super) abandoned: bool,
    /// Waiting in a pool queue (counted in its queue length).
    pub(super) queued: bool,
    pub(super) arrived_pool: f64,
    /// Arrived at its pool during the measurement window.
    pub(super) in_window: bool,
    /// Batching: iterations still to run.
    pub(super) remaining: u32,
    /// When the request joined its link.
    pub(super) joined_link: f64,
    /// Joined its link during the measurement window.
    pub(super) link_in_window: bool,
}

pub(super) struct Slot<'m> {
    pub(super) task: TaskState<'m>,
    pub(super) generation: u32,
    pub(super) active: bool,
    pub(super) measured: bool,
    pub(super) started_at: f64,
    pub(super) agent: u32,
    /// The task's start order in its class.
    pub(super) index: u64,
    /// The task's start order in the replication, all classes together
    /// (what an observer knows it by).
    pub(super) start_order: u64,
    /// An observer watches this task.
    pub(super) watched: bool,
    /// The task's class.
    pub(super) class: u32,
}

/// One task class as the world runs it: its graph, arrivals and streams,
/// and what it measured.
pub(super) struct ClassRun<'m> {
    pub(super) view: ClassView<'m>,
    /// The class's streams ([`ReplicationSeed::class`]).
    pub(super) seed: ReplicationSeed,
    pub(super) arrival_rng: SplitMix64,
    pub(super) think_rng: SplitMix64,
    /// Tasks of the class that arrived so far (admitted or shed): the next
    /// one's number in the class's task streams.
    pub(super) started: u64,
    /// Slots that ran this class's graph and are free.
    pub(super) free_slots: Vec<u32>,
    pub(super) figures: ClassFigures,
    /// Per-exec counters of unmeasured tasks (thrown away).
    pub(super) scratch: Vec<ExecCounters>,
}

/// One replication of a loaded run.
pub(super) struct World<'m> {
    pub(super) model: &'m Model,
    pub(super) workload: &'m Workload,
    pub(super) queue: EventQueue<Ev>,
    pub(super) slots: Vec<Slot<'m>>,
    pub(super) requests: Vec<Request>,
    pub(super) free_requests: Vec<u32>,
    pub(super) pools: Vec<PoolState>,
    pub(super) links: Vec<LinkState>,
    /// The task classes, the scenario's own first.
    pub(super) classes: Vec<ClassRun<'m>>,
    /// Agents of every closed class (for the standstill check).
    pub(super) agents: u32,
    /// Tasks arrived so far, all classes (the order a task window counts).
    pub(super) started: u64,
    pub(super) in_flight: u64,
    pub(super) measuring: bool,
    pub(super) t0: f64,
    pub(super) t1: Option<f64>,
    pub(super) measured_started: u64,
    pub(super) measured_pending: u64,
    pub(super) measure_closed: bool,
    pub(super) completions: u64,
    pub(super) correct_completions: u64,
    /// Of those, per `[run] slo` threshold, the ones that took at most it.
    pub(super) correct_within_slo: Vec<u64>,
    pub(super) unstable: Option<String>,
    /// Counts tasks ending while the clock stands still.
    pub(super) standstill: Standstill,
    /// Set to stop early (the replication's figures are then partial).
    pub(super) stop: Option<&'m AtomicBool>,
    /// Watches some tasks (traces); `None` in every ordinary run.
    pub(super) observer: Option<&'m mut dyn Observer>,
}
