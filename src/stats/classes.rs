//! Figures of one task class of a loaded run with several classes (or with
//! load shedding): its admitted tasks' summary, its shed rate and its own
//! throughput and goodput.

use serde::{Deserialize, Serialize};

use super::load::Estimate;
use super::summary::{Rate, Summary};

/// One class's figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClassSummary {
    /// The class id (`[workload] class`, `[[classes]] id`).
    pub id: String,
    /// Its priority in `discipline = "priority"` pools.
    pub priority: i32,
    /// Mean arrival rate of an open class, tasks per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_rate: Option<f64>,
    /// Tasks of the class that arrived in the measurement windows (admitted or shed).
    pub arrivals: u64,
    /// Of those, tasks refused at arrival by the class's `shed` rule: count,
    /// rate and interval (as the outcome rates: Wilson on the effective
    /// sample size from the replications' spread).
    pub shed: Rate,
    /// The class's tasks finished per second.
    pub throughput: Estimate,
    /// The class's correct tasks finished per second (admitted tasks only).
    pub goodput: Estimate,
    /// Outcomes, latency, cost, SLO and per-node figures of the class's
    /// admitted tasks (its `trials`), with the replication intervals.
    pub summary: Box<Summary>,
}
