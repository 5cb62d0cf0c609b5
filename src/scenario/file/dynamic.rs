//! Agent loops and dynamic fan-outs as written: `loop = { count = ..,
//! max_steps = .. }` and `fan_out = { count = .., join = .. }` on a node,
//! with the count distribution they share. The body they repeat is the
//! node's own step (a later `body` key of these tables can name another).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::merge::MergeSpec;
use super::steps::OnExhaustedSpec;

/// A count distribution, tagged by `dist`. Counts are read as signed
/// integers so that a negative one gets a message naming its field.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum CountSpec {
    /// `{ dist = "fixed", value = 5 }`
    Fixed {
        /// The count.
        value: i64,
    },
    /// `{ dist = "geometric", mean = 6 }` or `{ dist = "geometric", finish = 0.2 }`:
    /// 1, 2, 3, …, finishing after each iteration with probability `finish` = 1 / mean.
    Geometric {
        /// Mean count, ≥ 1.
        #[serde(skip_serializing_if = "Option::is_none")]
        mean: Option<f64>,
        /// P(finishing after each iteration), in (0, 1].
        #[serde(skip_serializing_if = "Option::is_none")]
        finish: Option<f64>,
    },
    /// `{ dist = "poisson", mean = 4 }`: 0, 1, 2, …
    Poisson {
        /// Mean count, > 0.
        mean: f64,
    },
    /// `{ dist = "empirical", counts = [1, 2, 5], weights = [6, 3, 1] }`
    /// (weights default to equal: one count per trace).
    Empirical {
        /// The counts.
        counts: Vec<i64>,
        /// Their weights (same length), ≥ 0, summing to a positive number.
        #[serde(skip_serializing_if = "Option::is_none")]
        weights: Option<Vec<f64>>,
    },
}

/// `loop = { count = { dist = "geometric", mean = 6 }, max_steps = 25, on_limit = "fail", input_growth = 400 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LoopSpec {
    /// How many iterations a task needs.
    pub count: CountSpec,
    /// The step limit: iterations allowed before the loop is stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<i64>,
    /// A breached step limit: "fail" (default) or "escalate".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_limit: Option<OnExhaustedSpec>,
    /// Input tokens each iteration adds to the one before (growing context).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_growth: Option<i64>,
}

/// `fan_out = { count = { dist = "poisson", mean = 8 }, join = { k = 3 }, max_in_flight = 4 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FanOutSpec {
    /// How many branches a task spawns.
    pub count: CountSpec,
    /// How the branches are joined: "all" (default), "any", { k = N }, { vote = K }.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join: Option<MergeSpec>,
    /// Most branches in flight at once (default: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<i64>,
}
