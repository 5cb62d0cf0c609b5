//! The scenario file format, as written by users (TOML or JSON).
//!
//! These types mirror the file one to one and reject unknown fields; they are
//! checked and turned into a [`crate::model::Model`] by [`super::compile`].
//! They serialise back to the same document (TOML or JSON), so a scenario
//! built or changed in code can be written out and read again. Every field is
//! documented in the README's format reference.
//!
//! * [`steps`]: nodes, edges and the step fields they share (declared once);
//! * [`attempt`]: what one attempt of a step takes (latency, retry, cost, ...);
//! * [`merge`]: the fan-in policy, a name or a table;
//! * [`dynamic`]: agent loops and dynamic fan-outs, and their count distributions;
//! * [`resources`] and [`workload`]: shared pools and many tasks at once.

pub mod attempt;
pub mod cause;
pub mod class;
pub mod dynamic;
pub mod merge;
pub mod outage;
pub mod patterns;
pub mod rate;
pub mod resources;
pub mod steps;
pub mod workload;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use attempt::{
    BackoffSpec, CostSpec, JitterSpec, LatencySpec, RetrySpec, TokensSpec, TransferSpec,
};
pub use cause::{CauseEffectSpec, CommonCauseSpec};
pub use class::ClassSpec;
pub use dynamic::{CountSpec, FanOutSpec, LoopSpec};
pub use merge::MergeSpec;
pub use outage::{
    BreakerSpec, DegradedSpec, IncidentModeSpec, IncidentSpec, OutageSpec, PeriodSpec,
    WhileDownSpec,
};
pub use patterns::{CacheSpec, FallbackSpec, HedgeAfterSpec, HedgeSpec};
pub use rate::{PersistenceSpec, RateDistSpec, RateSpec};
pub use resources::{
    BatchingSpec, DisciplineSpec, OnFullSpec, PowerSpec, RateLimitSpec, ResourceKind, ResourceSpec,
};
pub use steps::{EdgeSpec, GraphSpec, KindSpec, NodeSpec, OnExhaustedSpec, StepSpec};
pub use workload::{ArrivalsSpec, BurstSpec, ShedSpec, WorkloadSpec};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name used for the output folder; defaults to the file's stem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text shown in reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Run settings that the command line can override.
    #[serde(default)]
    pub run: RunSpec,
    /// Defaults applied to every edge.
    #[serde(default)]
    pub defaults: DefaultsSpec,
    /// The task graph's nodes.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
    /// Properties of particular hand-offs (the dependencies come from `after`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<EdgeSpec>,
    /// Shared resources (accelerator pools, services, links) that steps queue for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceSpec>,
    /// Many tasks in flight at once; without it, trials are independent tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadSpec>,
    /// Further task classes sharing the resources in a loaded run (needs `[workload]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<ClassSpec>,
    /// Shared causes of failure: steps that fail together in a task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub common_causes: Vec<CommonCauseSpec>,
    /// Named step definitions (`[steps.NAME]`), not run by themselves: what a
    /// `fallback = "NAME"` calls.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub steps: std::collections::BTreeMap<String, StepSpec>,
    /// What `coordsim sweep` varies when the command line does not say; not
    /// used by `compile`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepSpec>,
}

/// `[sweep]`: the default grid of `coordsim sweep`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Axes as `"PATH=VALUES"`, as for `--vary`, in the order they nest.
    #[serde(default)]
    pub vary: Vec<String>,
}

/// `[run]`: trial count and seed.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Number of Monte Carlo trials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trials: Option<u64>,
    /// Base seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Most events one task may take before it is stopped as a runaway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_events: Option<u64>,
    /// Most simulated seconds one task may take before it is stopped as a runaway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_time_s: Option<f64>,
    /// Runs of every task, for pass^k (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass_k: Option<u64>,
    /// Latency thresholds (seconds) of service-level objectives: the summary
    /// reports P(latency ≤ x) for each, e.g. `slo = [2, 5, 30]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slo: Option<Vec<f64>>,
    /// Count the tasks in which each pair of nodes and hand-offs fail
    /// together, and report their failure correlation (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_correlation: Option<bool>,
    /// The task's latency budget in seconds: a task not done by then fails
    /// loudly (a deadline miss), its attempts in flight abandoned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_s: Option<f64>,
}

/// `[defaults]`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSpec {
    /// Applied to every edge, field by field, unless the edge says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<StepSpec>,
}

impl DefaultsSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.edge.is_none()
    }
}

impl ScenarioFile {
    /// The file as TOML text, to be read again by [`super::parse`].
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string(self).map_err(|e| format!("cannot write the scenario as TOML: {e}"))
    }

    /// The file as JSON text, to be read again by [`super::parse`] (from a `.json` file).
    pub fn to_json(&self) -> Result<String, String> {
        serde_json::to_string_pretty(self)
            .map_err(|e| format!("cannot write the scenario as JSON: {e}"))
    }
}
