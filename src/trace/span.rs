//! The simulated side of a trace: one sampled task and the spans of its attempts.

use crate::task::TaskOutcome;

/// How one attempt span ended, as written in `coordsim.attempt.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptEnd {
    /// Did its job.
    Ok,
    /// Produced a wrong output that looks right.
    Silent,
    /// Raised an error.
    Loud,
    /// Ran past its timeout (a loud failure at the deadline).
    Timeout,
    /// Still running when the task ended or a loop-back restarted it.
    Abandoned,
}

impl AttemptEnd {
    /// The name written in traces.
    pub fn name(self) -> &'static str {
        match self {
            AttemptEnd::Ok => "ok",
            AttemptEnd::Silent => "silent",
            AttemptEnd::Loud => "loud",
            AttemptEnd::Timeout => "timeout",
            AttemptEnd::Abandoned => "abandoned",
        }
    }

    /// The outcome named `name` in a trace.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "ok" => AttemptEnd::Ok,
            "silent" => AttemptEnd::Silent,
            "loud" | "error" => AttemptEnd::Loud,
            "timeout" => AttemptEnd::Timeout,
            "abandoned" => AttemptEnd::Abandoned,
            _ => return None,
        })
    }
}

/// What a span stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanWhat {
    /// One attempt of a step.
    Attempt(AttemptEnd),
    /// The wait before a retry.
    Backoff,
}

/// A gate's decision on the pass a span belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateCall {
    /// The gate's input was wrong.
    pub input_wrong: bool,
    /// The gate flagged it.
    pub flagged: bool,
}

/// One span of a simulated task: an attempt of a node or hand-off, or a backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct StepSpan {
    /// Node or edge index in the model (nodes first).
    pub exec: usize,
    /// The iteration of a loop or the branch of a fan-out, from 0 (0 for
    /// other steps).
    pub branch: u32,
    /// Pass of the step in the task, from 1 (a loop-back starts a new pass).
    pub pass: u32,
    /// Attempt within the pass, from 1 (retries count up).
    pub attempt: u32,
    /// Seconds from the task's start.
    pub start: f64,
    /// Seconds from the task's start.
    pub end: f64,
    /// Attempt or backoff.
    pub what: SpanWhat,
    /// Seconds of the attempt spent before service (transfers over links,
    /// waits in a pool's queue).
    pub wait: f64,
    /// For a gate's attempt that ended ok: what it decided.
    pub gate: Option<GateCall>,
}

/// One sampled run of a task and its spans.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskTrace {
    /// The trial index (independent trials) or the task's start order in
    /// the replication (a loaded run).
    pub task: u64,
    /// A loaded run: seconds from the replication's start to the task's
    /// start (independent trials have no arrivals: `None`).
    pub arrival: Option<f64>,
    /// The run of the task (pass^k), from 0.
    pub run: u32,
    /// How it ended.
    pub outcome: TaskOutcome,
    /// Seconds from start to outcome.
    pub latency: f64,
    /// Dollars spent.
    pub cost_usd: f64,
    /// Tokens spent.
    pub tokens: u64,
    /// The exec whose corruption reached the user, for a silent failure.
    pub silent_origin: Option<usize>,
    /// Its spans, in the order they started.
    pub spans: Vec<StepSpan>,
}

/// The name of a task outcome in traces and reports.
pub fn outcome_name(outcome: TaskOutcome) -> &'static str {
    match outcome {
        TaskOutcome::Correct => "correct",
        TaskOutcome::Silent => "silent",
        TaskOutcome::Loud => "loud",
        TaskOutcome::Escalated => "escalated",
    }
}

/// The task outcome named `name`.
pub fn parse_outcome(name: &str) -> Option<TaskOutcome> {
    Some(match name {
        "correct" => TaskOutcome::Correct,
        "silent" | "wrong" => TaskOutcome::Silent,
        "loud" | "error" => TaskOutcome::Loud,
        "escalated" => TaskOutcome::Escalated,
        _ => return None,
    })
}
