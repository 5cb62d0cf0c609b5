//! Where the failures of a scenario come from, as it stands: which component
//! introduced the silent corruptions that reached the user, where the loud
//! failures happened, what each gate caught; and the same per sub-graph.

use serde::Serialize;

use crate::stats::Summary;

/// One node's or hand-off's share of the failures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Blame {
    /// Node id or `from->to`.
    pub id: String,
    /// Node kind, or "edge".
    pub kind: String,
    /// Silent corruptions introduced here (any trial, caught or not).
    pub silent_introduced: u64,
    /// Delivered wrong answers that started here.
    pub silent_reached_user: u64,
    /// Share of all silent failures that started here.
    pub share_of_silent: f64,
    /// Times the step gave up after its retries (a loud failure starts here).
    pub loud_exhausted: u64,
    /// Attempts that timed out.
    pub timeouts: u64,
    /// Gates: corrupted inputs caught.
    pub caught: u64,
    /// Gates: corrupted inputs let through.
    pub missed: u64,
    /// Gates: right inputs flagged.
    pub false_alarms: u64,
    /// Gates: loop budget exhausted (escalated or failed).
    pub gate_exhausted: u64,
}

/// The failure attribution of one run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attribution {
    /// Trials.
    pub trials: u64,
    /// Silent failures in all.
    pub silent_failures: u64,
    /// Loud failures in all.
    pub loud_failures: u64,
    /// Escalations in all.
    pub escalated: u64,
    /// Components that did something wrong or caught something, most
    /// delivered wrong answers first.
    pub rows: Vec<Blame>,
}

/// Attributes the failures of `summary` to its nodes and hand-offs.
pub fn attribute(summary: &Summary) -> Attribution {
    let silent = summary.silent_failure.count;
    // Sub-graphs' roll-ups (`S/*`) stand beside their nodes: the share of
    // the wrong answers that started anywhere inside `S`.
    let mut rows: Vec<Blame> = summary
        .nodes
        .iter()
        .chain(&summary.subgraphs)
        .map(|n| Blame {
            id: n.id.clone(),
            kind: n.kind.clone(),
            silent_introduced: n.silent_introduced,
            silent_reached_user: n.silent_reached_user,
            share_of_silent: if silent == 0 {
                0.0
            } else {
                n.silent_reached_user as f64 / silent as f64
            },
            loud_exhausted: n.exhausted,
            timeouts: n.timeouts,
            caught: n.caught,
            missed: n.missed,
            false_alarms: n.false_alarms,
            gate_exhausted: n.gate_exhausted,
        })
        .filter(|b| {
            b.silent_introduced
                + b.loud_exhausted
                + b.timeouts
                + b.caught
                + b.missed
                + b.false_alarms
                + b.gate_exhausted
                > 0
        })
        .collect();
    rows.sort_by(|a, b| {
        b.silent_reached_user
            .cmp(&a.silent_reached_user)
            .then(b.loud_exhausted.cmp(&a.loud_exhausted))
            .then(b.caught.cmp(&a.caught))
            .then(a.id.cmp(&b.id))
    });
    Attribution {
        trials: summary.trials,
        silent_failures: silent,
        loud_failures: summary.loud_failure.count,
        escalated: summary.escalated.count,
        rows,
    }
}
