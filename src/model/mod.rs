//! The compiled, validated model of a scenario: a task graph ready to simulate.
//!
//! Nodes and edges are addressed by index. Everything here is already checked
//! (probabilities in range, references resolved, loops bounded), so the
//! simulation never has to validate anything.

pub mod class;
pub mod common_cause;
pub mod dynamic;
pub mod latency;
pub mod name;
pub mod rates;
pub mod resource;
pub mod step;
pub mod subgraph;
pub mod uses;
pub mod workload;

pub use class::{ClassHead, Shed, TaskClass};
pub use common_cause::CommonCause;
pub use dynamic::{AgentLoop, Count, Dynamic, FanOut, Growth};
pub use latency::Latency;
pub use rates::{GateRates, Loading, StepRates, TaskRate};
pub use resource::{Batching, Discipline, Link, OnFull, Pool, RateLimit, ServiceTime};
pub use step::{AttemptCost, AttemptOutcome, Backoff, Jitter, OutcomeProbs, RetryPolicy, Step};
pub use subgraph::{Junction, SubgraphRun};
pub use uses::{LinkId, PoolId, ResourceUse, Transfer};
pub use workload::{Arrivals, ClassView, Window, Workload};

/// Index of a node in [`Model::nodes`].
pub type NodeId = usize;
/// Index of an edge in [`Model::edges`].
pub type EdgeId = usize;

/// What a node does; only gates behave differently, the rest label the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// An LLM or agent call.
    Llm,
    /// A tool call (MCP-style).
    Tool,
    /// A retrieval from an index.
    Retrieval,
    /// A verification gate.
    Gate,
    /// An aggregation of several inputs.
    Aggregate,
}

impl NodeKind {
    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Llm => "llm",
            NodeKind::Tool => "tool",
            NodeKind::Retrieval => "retrieval",
            NodeKind::Gate => "gate",
            NodeKind::Aggregate => "aggregate",
        }
    }
}

/// How a node with several inputs decides it can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    /// Every input must arrive; one failed input fails the node.
    All,
    /// The first input to arrive ok is used; fails only if all fail.
    Any,
    /// The first k inputs to arrive ok are used; fails once k can no longer be reached.
    KOfN(u32),
    /// A vote: the output is right when at least k inputs arrive right;
    /// otherwise a silent wrong answer if any input arrived ok, a loud
    /// failure if none did. Decided as soon as the result is determined.
    Vote(u32),
}

/// What a gate does when its loop budget is spent and it still flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnExhausted {
    /// Hand the task to a person: outcome "escalated".
    Escalate,
    /// Give up: outcome "loud failure".
    Fail,
}

/// A verification gate's behaviour.
#[derive(Debug, Clone)]
pub struct Gate {
    /// P(flag | input corrupted).
    pub sensitivity: f64,
    /// P(flag | input correct).
    pub false_alarm: f64,
    /// The earlier node a flag loops back to.
    pub loop_to: NodeId,
    /// Loop-backs allowed per task; one more flag exhausts the gate.
    pub max_loops: u32,
    /// Policy once the loop budget is spent.
    pub on_exhausted: OnExhausted,
    /// Nodes re-run on a loop-back: descendants of `loop_to` that are ancestors
    /// of the gate, both ends included.
    pub region: Vec<NodeId>,
    /// Edges whose both ends lie in `region`: their deliveries are undone on a loop-back.
    pub region_edges: Vec<EdgeId>,
    /// Decision rates drawn once per task instead of the fixed ones.
    pub rates: Option<Box<GateRates>>,
}

/// A node of the task graph.
#[derive(Debug, Clone)]
pub struct Node {
    /// The node's id in the scenario file.
    pub id: String,
    /// Its kind.
    pub kind: NodeKind,
    /// Its work.
    pub step: Step,
    /// Incoming edges.
    pub inputs: Vec<EdgeId>,
    /// Outgoing edges.
    pub outputs: Vec<EdgeId>,
    /// Fan-in policy.
    pub merge: Merge,
    /// Present for gates only.
    pub gate: Option<Gate>,
    /// Present for the entry and exit of a sub-graph.
    pub junction: Option<Junction>,
    /// Present for agent loops and dynamic fan-outs: the node's step is run
    /// a random number of times, in series or in parallel.
    pub dynamic: Option<Box<Dynamic>>,
}

/// A hand-off between two nodes, itself a step that can be slow or fail.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Sending node.
    pub from: NodeId,
    /// Receiving node.
    pub to: NodeId,
    /// The hand-off's own behaviour.
    pub step: Step,
}

/// Most nodes + hand-offs whose failure correlation a run may count (the
/// counts grow with the square of their number).
pub const MAX_CORRELATED_EXECS: usize = 64;

/// A validated task graph.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name (used for the output folder).
    pub name: String,
    /// Nodes, in topological order.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// Nodes without outputs: the task is done when all of them are.
    pub sinks: Vec<NodeId>,
    /// Nodes without inputs: they start at time zero.
    pub sources: Vec<NodeId>,
    /// Shared server pools (accelerators, services).
    pub pools: Vec<Pool>,
    /// Shared interconnect links.
    pub links: Vec<Link>,
    /// Bounds on one task, beyond which it is stopped as a runaway.
    pub limits: Limits,
    /// Names of the task-level difficulties that per-task rates may follow.
    pub difficulties: Vec<String>,
    /// Runs of every task for pass^k (`[run] pass_k`; 1: each task runs once).
    pub pass_k: u32,
    /// Latency thresholds of the service-level objectives, seconds, ascending
    /// (`[run] slo`, `--slo`): the summary reports P(latency ≤ x) for each.
    pub slo: Vec<f64>,
    /// Shared causes of failure (`[[common_causes]]`), drawn once per task.
    pub common_causes: Vec<CommonCause>,
    /// Whether runs count which nodes and hand-offs fail in the same task
    /// (`[run] failure_correlation`).
    pub failure_correlation: bool,
}

/// Bounds on one task (`[run] max_events`, `max_time_s`): a task that needs
/// more events or more simulated time is stopped and the run reported as a
/// runaway, instead of running (nearly) for ever.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Most events one task may take.
    pub max_events: u64,
    /// Most simulated seconds one task may take.
    pub max_time_s: f64,
}

impl Limits {
    /// Default events per task: far beyond any sensible loop and retry budget.
    pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000;
    /// Default simulated seconds per task (about 116 days).
    pub const DEFAULT_MAX_TIME_S: f64 = 1e7;
}

/// Which limit stopped a runaway task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `[run] max_events`.
    Events,
    /// `[run] max_time_s`.
    Time,
}

impl Limits {
    /// The limit a task has gone past after `events` events at `time` seconds, if any.
    #[inline]
    pub fn exceeded(&self, events: u64, time: f64) -> Option<Limit> {
        if events > self.max_events {
            Some(Limit::Events)
        } else if time > self.max_time_s {
            Some(Limit::Time)
        } else {
            None
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: Self::DEFAULT_MAX_EVENTS,
            max_time_s: Self::DEFAULT_MAX_TIME_S,
        }
    }
}

impl Model {
    /// Name of the i-th executable element: nodes first, then edges as "from->to".
    pub fn exec_name(&self, exec: usize) -> String {
        if exec < self.nodes.len() {
            self.nodes[exec].id.clone()
        } else {
            let e = &self.edges[exec - self.nodes.len()];
            format!("{}->{}", self.nodes[e.from].id, self.nodes[e.to].id)
        }
    }

    /// The step of exec `exec` (nodes first, then edges).
    pub fn step(&self, exec: usize) -> &Step {
        match self.nodes.get(exec) {
            Some(n) => &n.step,
            None => &self.edges[exec - self.nodes.len()].step,
        }
    }

    /// The step of node or edge `exec`, to change it (what-ifs, compilation).
    pub fn step_mut(&mut self, exec: usize) -> &mut Step {
        let n = self.nodes.len();
        match self.nodes.get_mut(exec) {
            Some(node) => &mut node.step,
            None => &mut self.edges[exec - n].step,
        }
    }

    /// Number of executable elements (nodes + edges), the size of per-element stats.
    pub fn exec_count(&self) -> usize {
        self.nodes.len() + self.edges.len()
    }
}
