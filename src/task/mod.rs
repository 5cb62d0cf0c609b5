//! One task executed on an event queue, alone or among many.
//!
//! Every node attempt and every non-trivial edge hand-off is an event in
//! simulated time, so parallel branches overlap and a fan-in waits for what its
//! merge policy needs. Corruption is tracked as a *taint*: the index of the
//! step that first introduced it, so reports can say which node's silent error
//! reached the user.
//!
//! [`TaskState`] holds one task's progress and reacts to events; its host
//! owns the clock and the shared resources. [`TaskSim`] hosts one task at a
//! time on a private queue (independent trials); the loaded world
//! ([`crate::world`]) hosts many tasks contending for resources.

pub mod bias;
mod guard;
mod join;
mod solo;
mod state;

pub use guard::TaskGuards;
pub use solo::{TaskSim, uncontended};
pub use state::{GateDecision, Outgoing, TaskState};

use crate::model::{AttemptOutcome, Limit, ResourceUse};

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    /// Finished with a right output.
    Correct,
    /// Finished with a wrong output that looks right.
    Silent,
    /// An error surfaced.
    Loud,
    /// A gate's loop budget ran out and the task went to a person.
    Escalated,
}

/// The result of one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialResult {
    /// How it ended.
    pub outcome: TaskOutcome,
    /// Simulated seconds from start to outcome.
    pub latency: f64,
    /// Dollars spent on all attempts.
    pub cost_usd: f64,
    /// Tokens spent on all attempts.
    pub tokens: u64,
    /// Output tokens of all attempts (of the steps that declare `tokens`).
    pub output_tokens: u64,
    /// For a silent failure: the exec (node or edge index) whose corruption reached the user.
    pub silent_origin: Option<usize>,
    /// The task was still running at its deadline (`[run] deadline_s`) and
    /// failed loudly there.
    pub deadline_missed: bool,
    /// Set when the task was stopped at a limit of [`crate::model::Limits`]
    /// (its outcome then says nothing: the run must be reported as a runaway).
    pub runaway: Option<Runaway>,
}

/// A task stopped at a limit, and what it was doing: which gate looped most
/// and which step had made the most attempts since its last reset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Runaway {
    /// The limit reached.
    pub limit: Limit,
    /// Events the task had taken.
    pub events: u64,
    /// Simulated seconds since the task began.
    pub time: f64,
    /// The gate with the most loop-backs in this task, and how many.
    pub gate: Option<(usize, u32)>,
    /// The exec (node or edge) with the most attempts in its current pass, and how many.
    pub busiest: Option<(usize, u32)>,
    /// Which task: the trial index, or the task's start order in a loaded run
    /// (set by the host).
    pub task: u64,
}

/// Counters per node or edge, summed over trials (serialisable, so that
/// partial results of a sharded run carry them exactly).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExecCounters {
    /// Attempts started.
    pub attempts: u64,
    /// Attempts that failed loudly (timeouts included).
    pub loud: u64,
    /// Attempts that hit the timeout.
    pub timeouts: u64,
    /// Times all attempts were exhausted and the step failed.
    pub exhausted: u64,
    /// Attempts that introduced a silent corruption (for a vote, also the
    /// wrong answers it emitted without a majority and without a wrong input).
    pub silent: u64,
    /// Trials whose silent failure originated here.
    pub silent_reached_user: u64,
    /// Gates: flags raised on a corrupted input (corruption caught).
    pub caught: u64,
    /// Gates: flags raised on a correct input.
    pub false_alarms: u64,
    /// Gates: corrupted inputs let through.
    pub missed: u64,
    /// Gates: loop-backs taken.
    pub loops: u64,
    /// Gates: times the loop budget ran out.
    pub gate_exhausted: u64,
    /// Attempts still running when their result stopped mattering: the
    /// task's outcome was decided (e.g. a `k`-of-`n` merge had its inputs, or
    /// the task failed elsewhere) or a gate's loop-back restarted the step.
    /// Their outcome was drawn but never counted as loud, silent or ok.
    #[serde(default)]
    pub cancelled: u64,
    /// Times the step's attempts were exhausted and its fallback was called
    /// (each level of a chain counts at the step that fell back).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fallbacks: u64,
    /// Hedged copies sent (second copies of a slow attempt).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hedges: u64,
    /// Pico-dollars billed for hedged copies beyond one per attempt (a
    /// cancelled loser is not billed).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hedge_cost_pusd: u64,
    /// Executions answered from the step's cache (no attempt made).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    /// Executions the step's cache could not answer (the step was called).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_misses: u64,
    /// Attempts in flight abandoned at the task's deadline (counted loud too).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub deadline: u64,
}

/// For `skip_serializing_if`: counters a run without step patterns never sets.
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ExecCounters {
    /// Adds another set of counters into this one.
    pub fn merge(&mut self, other: &ExecCounters) {
        self.attempts += other.attempts;
        self.loud += other.loud;
        self.timeouts += other.timeouts;
        self.exhausted += other.exhausted;
        self.silent += other.silent;
        self.silent_reached_user += other.silent_reached_user;
        self.caught += other.caught;
        self.false_alarms += other.false_alarms;
        self.missed += other.missed;
        self.loops += other.loops;
        self.gate_exhausted += other.gate_exhausted;
        self.cancelled += other.cancelled;
        self.fallbacks += other.fallbacks;
        self.hedges += other.hedges;
        self.hedge_cost_pusd += other.hedge_cost_pusd;
        self.cache_hits += other.cache_hits;
        self.cache_misses += other.cache_misses;
        self.deadline += other.deadline;
    }
}

/// A future happening in one task, scheduled through its [`Host`].
#[derive(Debug, Clone, Copy)]
pub enum Event {
    /// An attempt of `exec` finished with this outcome.
    AttemptEnd {
        /// Node or edge index.
        exec: usize,
        /// The exec's epoch when the attempt began (stale after a loop-back).
        epoch: u32,
        /// The iteration of a loop or the branch of a fan-out (from 0; 0 for other steps).
        branch: u32,
        /// How it ended.
        outcome: AttemptOutcome,
    },
    /// A hedge delay ended: if attempt `attempt` of `exec` is still running,
    /// send its second copy.
    Hedge {
        /// Node or edge index.
        exec: usize,
        /// The exec's epoch when the attempt began.
        epoch: u32,
        /// The attempt's number within the exec's execution.
        attempt: u32,
    },
    /// The task's deadline (`[run] deadline_s`) passed.
    Deadline,
    /// A backoff delay ended: start the next attempt.
    Retry {
        /// Node or edge index.
        exec: usize,
        /// The exec's epoch when the retry was scheduled.
        epoch: u32,
        /// The iteration of a loop or the branch of a fan-out (from 0; 0 for other steps).
        branch: u32,
    },
}

/// An attempt that needs shared resources: the host runs it and answers with
/// [`Event::AttemptEnd`] (the drawn `outcome`, or a timeout or rejection).
#[derive(Debug, Clone, Copy)]
pub struct Acquire {
    /// Node or edge index.
    pub exec: usize,
    /// Epoch to echo back in the answer.
    pub epoch: u32,
    /// Iteration or branch to echo back in the answer.
    pub branch: u32,
    /// The outcome drawn for the attempt, reported if it completes in time.
    pub outcome: AttemptOutcome,
    /// Work for the pool (seconds, or iterations for a batching pool), or the
    /// step's own seconds after a transfer when it uses no pool.
    pub work: f64,
    /// Deadline relative to now, if the step has a timeout.
    pub timeout: Option<f64>,
    /// What to use.
    pub resource: ResourceUse,
}
