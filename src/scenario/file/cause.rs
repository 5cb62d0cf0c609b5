//! `[[common_causes]]` as written in a scenario: a shared cause of failure
//! that strikes several steps of a task together.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One common cause of failure.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommonCauseSpec {
    /// Name (it keys the cause's random stream, so variants share draws).
    pub id: String,
    /// The node ids (every copy of a repeated node) and hand-offs
    /// (`"from->to"`) that fail together.
    pub members: Vec<String>,
    /// Chance that the cause is present in a task, in [0, 1].
    pub probability: f64,
    /// How its members fail while it is present: `"silent"` (default) or `"loud"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<CauseEffectSpec>,
}

/// The failure a common cause produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CauseEffectSpec {
    /// A wrong answer that looks right.
    Silent,
    /// An error the caller sees.
    Loud,
}
