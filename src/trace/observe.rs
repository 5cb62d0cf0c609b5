//! The observed side of a trace: one span as read from a file, whatever its
//! format, with the attributes coordsim uses picked out.

use super::span::AttemptEnd;
use crate::task::TaskOutcome;

/// One span read from a trace file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// The trace (task run) it belongs to.
    pub trace: u128,
    /// Its id; 0 when the format has none.
    pub span_id: u64,
    /// Its parent's id; 0 for a root span (a task).
    pub parent: u64,
    /// The span's name.
    pub name: String,
    /// Start and end, in nanoseconds since the epoch (or any origin).
    pub start_ns: u64,
    /// End in nanoseconds.
    pub end_ns: u64,
    /// The span's status is an error.
    pub error: bool,
    /// `coordsim.node`, if given.
    pub node: Option<String>,
    /// `gen_ai.operation.name`.
    pub operation: Option<String>,
    /// `gen_ai.request.model`.
    pub model: Option<String>,
    /// `gen_ai.tool.name`.
    pub tool: Option<String>,
    /// `gen_ai.tool.type`.
    pub tool_type: Option<String>,
    /// `gen_ai.agent.name`.
    pub agent: Option<String>,
    /// `coordsim.pass`.
    pub pass: Option<u32>,
    /// `coordsim.attempt`.
    pub attempt: Option<u32>,
    /// `coordsim.iteration` (a loop) or `coordsim.branch` (a fan-out).
    pub lane: Option<u32>,
    /// The lane is a fan-out's branch (`coordsim.branch`), not a loop's
    /// iteration.
    pub branch: bool,
    /// The attempt's label (`coordsim.attempt.outcome`; `error.type =
    /// timeout` gives a timeout; an error status without it a loud failure).
    pub label: Option<AttemptEnd>,
    /// A backoff span.
    pub backoff: bool,
    /// Input and output tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Dollars.
    pub cost: Option<f64>,
    /// Seconds before service.
    pub queue_wait: Option<f64>,
    /// A gate's input was wrong (`Some(true)`) or right.
    pub gate_input_wrong: Option<bool>,
    /// A gate flagged (`Some(true)`) or passed.
    pub gate_flagged: Option<bool>,
    /// Root spans: the task's id (runs of one task share it).
    pub task_id: Option<String>,
    /// Root spans: the run number.
    pub task_run: Option<u32>,
    /// Root spans: the task's outcome label.
    pub task_outcome: Option<TaskOutcome>,
}

impl Observed {
    /// Seconds the span lasted (0 if it ends before it starts).
    pub fn seconds(&self) -> f64 {
        self.end_ns.saturating_sub(self.start_ns) as f64 * 1e-9
    }

    /// True for a span without a parent: a task.
    pub fn is_root(&self) -> bool {
        self.parent == 0
    }

    /// How the attempt ended, as far as the span says: its label, else
    /// loud on an error status, else ok.
    pub fn attempt_end(&self) -> AttemptEnd {
        self.label.unwrap_or(if self.error {
            AttemptEnd::Loud
        } else {
            AttemptEnd::Ok
        })
    }
}
