//! `[[classes]]`: further kinds of task sharing the scenario's resources in
//! a loaded run, each with its graph, its arrivals and its priority.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attempt::LatencySpec;
use super::steps::GraphSpec;
use super::workload::{ArrivalsSpec, BurstSpec, ShedSpec};

/// One `[[classes]]` entry.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSpec {
    /// The class's id in per-class figures.
    pub id: String,
    /// Priority of its requests in `discipline = "priority"` pools (higher first; default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Its task graph from another scenario file (its nodes, edges and
    /// `[defaults.edge]`), relative to this file's folder and inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<String>,
    /// Its task graph written inline: `graph = { nodes = [...], edges = [...] }`.
    /// Without `include` or `graph`, the class runs the scenario's own graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphSpec>,
    /// "open" or "closed", as in `[workload]`.
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
    /// Load shedding of this class's new tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shed: Option<ShedSpec>,
}
