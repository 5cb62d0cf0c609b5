//! Why a simulation gave no result, in words a user can act on.

use crate::model::{Limit, Model};
use crate::task::Runaway;

/// Why a scenario could not be simulated to a meaningful result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// Offered load at or above capacity with nothing to bound the queues.
    #[error("unstable: {0}")]
    Unstable(String),
    /// A task went past `[run] max_events` or `max_time_s`.
    #[error("runaway: {0}")]
    Runaway(String),
    /// The stop flag was set (Ctrl-C): nothing meaningful to report.
    #[error("interrupted")]
    Cancelled,
}

/// What a runaway task was doing, in words: which limit it reached, which
/// gate looped and which step kept retrying, and what to change.
pub fn describe_runaway(model: &Model, r: &Runaway) -> String {
    let limit = match r.limit {
        Limit::Events => format!(
            "task {} was stopped after {} events (limit [run] max_events = {})",
            r.task, r.events, model.limits.max_events
        ),
        Limit::Time => format!(
            "task {} was stopped after {:.6e} simulated seconds (limit [run] max_time_s = {})",
            r.task, r.time, model.limits.max_time_s
        ),
    };
    let mut doing = Vec::new();
    if let Some((gate, loops)) = r.gate {
        doing.push(format!(
            "gate \"{}\" had looped back {loops} times",
            model.exec_name(gate)
        ));
    }
    if let Some((exec, attempts)) = r.busiest {
        let what = if exec < model.nodes.len() {
            "node"
        } else {
            "hand-off"
        };
        doing.push(format!(
            "{what} \"{}\" was on attempt {attempts} of its current pass",
            model.exec_name(exec)
        ));
    }
    format!(
        "{limit}{}{}; a task this long means a loop or retry budget that is too large \
         (max_loops, retry.max) or latencies that are too long; if it is meant, raise \
         [run] max_events or max_time_s",
        if doing.is_empty() { "" } else { ": " },
        doing.join(", ")
    )
}
