//! Task classes: several kinds of task (each its own graph, arrivals and
//! priority) sharing one scenario's pools and links in a loaded run, and the
//! admission rule that sheds a class's new tasks while a queue is long.

use super::Model;
use super::uses::PoolId;
use super::workload::Arrivals;

/// Refuse a new task at arrival while a pool's queue is long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shed {
    /// The pool whose queue is looked at.
    pub pool: PoolId,
    /// A task arriving while more than this many requests wait is shed.
    pub queue_above: u64,
}

/// What every class has: its name, priority and admission rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassHead {
    /// The class id in the scenario (`[workload] class`, `[[classes]] id`).
    pub id: String,
    /// Priority of its requests in `discipline = "priority"` pools (higher
    /// first, before the step's own `priority`).
    pub priority: i32,
    /// Load shedding at arrival, if any.
    pub shed: Option<Shed>,
}

impl ClassHead {
    /// The id of the scenario's own class when `[workload] class` does not name it.
    pub const DEFAULT_ID: &'static str = "main";
}

/// A class beyond the scenario's own (`[[classes]]`).
#[derive(Debug, Clone)]
pub struct TaskClass {
    /// Id, priority, shedding.
    pub head: ClassHead,
    /// Its arrival process.
    pub arrivals: Arrivals,
    /// Its task graph (with the scenario's pools and links, in the same
    /// order); `None`: the scenario's own graph.
    pub model: Option<Box<Model>>,
}
