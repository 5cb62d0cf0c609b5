//! `[workload]`: many tasks in flight at once, arriving open or closed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attempt::LatencySpec;

/// Open or closed workloads.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalsSpec {
    /// Poisson arrivals at a rate.
    Open,
    /// A fixed number of agents with think times.
    Closed,
}

/// `[workload]`: many tasks in flight at once.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// "open" or "closed".
    pub arrivals: ArrivalsSpec,
    /// Open: tasks per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Open: piecewise-constant rate, `[[start_s, rate], ...]` from 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<[f64; 2]>>,
    /// Open: the schedule repeats with this period in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<f64>,
    /// Open: on/off bursts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<BurstSpec>,
    /// Closed: concurrent agents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<u64>,
    /// Closed: pause between an agent's tasks (default none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub think: Option<LatencySpec>,
    /// Tasks started before measurement begins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup_tasks: Option<u64>,
    /// Seconds before measurement begins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup_s: Option<f64>,
    /// Tasks measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<u64>,
    /// Seconds measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// Independent replications of the whole run (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replications: Option<u64>,
    /// Most tasks in flight before the run is stopped as unstable (default 100000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<u64>,
    /// The id of the scenario's own task class in per-class figures (default "main").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Priority of this class's requests in `discipline = "priority"` pools
    /// (higher first; default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Load shedding: refuse a new task at arrival while a pool's queue is long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shed: Option<ShedSpec>,
}

/// `shed = { pool = "gpu", queue_above = 20 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShedSpec {
    /// The pool (a `[[resources]]` id) whose queue is looked at.
    pub pool: String,
    /// A task arriving while more than this many requests wait there is shed.
    pub queue_above: i64,
}

/// `burst = { on_s = 10, off_s = 50, rate_on = 20, rate_off = 2 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BurstSpec {
    /// Seconds at the high rate.
    pub on_s: f64,
    /// Seconds at the low rate.
    pub off_s: f64,
    /// Tasks per second while on.
    pub rate_on: f64,
    /// Tasks per second while off.
    pub rate_off: f64,
}
