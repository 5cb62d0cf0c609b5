//! Nodes, edges and edge defaults, and the step fields they all share.
//!
//! The step fields are declared once, in `step_fields!`; `step_struct!`
//! splices them into each struct that has them, at the place its `..step`
//! marker stands, and gives the struct a `step()` accessor. serde's `flatten`
//! would do the same but cannot be combined with `deny_unknown_fields`; a
//! macro keeps the unknown-field errors (with the list of allowed fields that
//! the nearest-name suggestion is drawn from) exactly as for a plain struct.
//! Adding a step field is a one-line change here, plus its check in
//! [`crate::scenario::step`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::DefaultsSpec;
use super::attempt::{CostSpec, LatencySpec, RetrySpec, TokensSpec, TransferSpec};
use super::dynamic::{FanOutSpec, LoopSpec};
use super::merge::MergeSpec;
use super::patterns::{CacheSpec, FallbackSpec, HedgeSpec};
use super::rate::{PersistenceSpec, RateSpec};

/// Calls `$callback! { $args... [step fields] }` with every step field, its
/// doc comment and its type: the one place the step fields are declared.
macro_rules! step_fields {
    ($callback:ident { $($args:tt)* }) => {
        $callback! { $($args)* [
            /// P(silent corruption) per attempt, or its distribution over tasks.
            silent: Option<RateSpec>,
            /// P(loud failure) per attempt, or its distribution over tasks.
            loud: Option<RateSpec>,
            /// P(a re-execution in the same task repeats the previous outcome), or "task".
            persistence: Option<PersistenceSpec>,
            /// Time per attempt.
            latency: Option<LatencySpec>,
            /// Attempts longer than this many seconds fail loudly at this time.
            timeout: Option<f64>,
            /// Retries of loud failures.
            retry: Option<RetrySpec>,
            /// Money per attempt.
            cost: Option<CostSpec>,
            /// Tokens per attempt (LLM calls).
            tokens: Option<TokensSpec>,
            /// A shared pool (`[[resources]]` id) that serves this step's attempts.
            resource: Option<String>,
            /// Priority in a priority-ordered pool (higher first; default 0).
            priority: Option<i32>,
            /// A payload moved over a link before the step's work.
            transfer: Option<TransferSpec>,
            /// The step called once this one's attempts are exhausted.
            fallback: Option<FallbackSpec>,
            /// A second copy of an attempt still running after a delay.
            hedge: Option<HedgeSpec>,
            /// A cache in front of the step.
            cache: Option<CacheSpec>,
        ] }
    };
}

/// Declares a struct whose fields are its own plus the step fields, spliced
/// in where `..step,` stands (so serde lists the allowed fields in that
/// order), with a `step()` accessor returning them as a [`StepSpec`].
macro_rules! step_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$before_meta:meta])* pub $before:ident : $before_ty:ty, )*
            ..step,
            $( $(#[$after_meta:meta])* pub $after:ident : $after_ty:ty, )*
        }
    ) => {
        step_fields! { step_struct_with_fields {
            [$(#[$meta])*] $name
            [$( $(#[$before_meta])* pub $before : $before_ty, )*]
            [$( $(#[$after_meta])* pub $after : $after_ty, )*]
        } }
    };
}

/// The body of `step_struct!`, once `step_fields!` has supplied the fields.
macro_rules! step_struct_with_fields {
    (
        [$($meta:tt)*] $name:ident [$($before:tt)*] [$($after:tt)*]
        [ $( $(#[$step_meta:meta])* $step:ident : $step_ty:ty, )* ]
    ) => {
        $($meta)*
        pub struct $name {
            $($before)*
            $(
                $(#[$step_meta])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $step: $step_ty,
            )*
            $($after)*
        }

        impl $name {
            /// The step fields as a [`StepSpec`].
            pub fn step(&self) -> StepSpec {
                StepSpec { $( $step: self.$step.clone(), )* }
            }
        }
    };
}

/// The body of [`StepSpec::overlay`], once `step_fields!` has supplied the fields.
macro_rules! overlay_fields {
    ($base:ident $over:ident [ $( $(#[$step_meta:meta])* $step:ident : $step_ty:ty, )* ]) => {
        StepSpec { $( $step: $over.$step.clone().or_else(|| $base.$step.clone()), )* }
    };
}

step_struct! {
    /// The stochastic behaviour of a step, shared by nodes, edges and edge defaults.
    #[derive(Debug, Clone, Default, Deserialize, JsonSchema, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct StepSpec {
        ..step,
    }
}

impl StepSpec {
    /// Field-by-field overlay: `over`'s fields where set, else `self`'s.
    pub fn overlay(&self, over: &StepSpec) -> StepSpec {
        step_fields! { overlay_fields { self over } }
    }
}

step_struct! {
    /// A node of the task graph.
    #[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct NodeSpec {
        /// Unique id.
        pub id: String,
        /// What it is.
        pub kind: KindSpec,
        /// Nodes whose output this one needs.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub after: Vec<String>,
        /// Fan-in policy when `after` has several nodes.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub merge: Option<MergeSpec>,
        /// Expand into this many copies in series (`id#1` … `id#N`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub repeat: Option<u64>,
        /// A sub-graph read from another scenario file (relative to this one),
        /// flattened into this graph with ids `<id>/<its id>` when read.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub include: Option<String>,
        /// A sub-graph written inline, flattened the same way; once flattened,
        /// only its `defaults` (and the file it came from) are left here.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub graph: Option<GraphSpec>,
        /// An agent loop: the node's step repeated a random number of times in series.
        #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
        pub agent_loop: Option<LoopSpec>,
        /// A dynamic fan-out: the node's step run in a random number of parallel branches.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub fan_out: Option<FanOutSpec>,
        ..step,
        /// Gates: P(flag | corrupted input), or its distribution over tasks.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sensitivity: Option<RateSpec>,
        /// Gates: P(flag | correct input), or its distribution over tasks.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub false_alarm: Option<RateSpec>,
        /// Gates: the earlier node to loop back to on a flag.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub loop_to: Option<String>,
        /// Gates: loop-backs allowed per task.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub max_loops: Option<u64>,
        /// Gates: what happens when the loop budget is spent.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub on_exhausted: Option<OnExhaustedSpec>,
    }
}

step_struct! {
    /// `[[edges]]`: the behaviour of the hand-off from one node to another.
    #[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
    #[serde(deny_unknown_fields)]
    pub struct EdgeSpec {
        /// Sending node.
        pub from: String,
        /// Receiving node (must list `from` in its `after`).
        pub to: String,
        ..step,
    }
}

/// `graph = { ... }`: a sub-graph's own hand-off defaults and, before it is
/// flattened, its nodes and edges.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GraphSpec {
    /// The file the sub-graph was read from (set when an `include` is
    /// flattened; shown in reports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `[defaults.edge]` of the sub-graph: its inner hand-offs' defaults.
    #[serde(default, skip_serializing_if = "DefaultsSpec::is_empty")]
    pub defaults: DefaultsSpec,
    /// The sub-graph's nodes (moved out, namespaced, when flattened).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<NodeSpec>,
    /// The sub-graph's `[[edges]]` (moved out, namespaced, when flattened).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<EdgeSpec>,
}

/// Node kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KindSpec {
    /// An LLM call.
    Llm,
    /// An agent step (same as llm).
    Agent,
    /// A tool call.
    Tool,
    /// A retrieval.
    Retrieval,
    /// A verification gate.
    Gate,
    /// An aggregation.
    Aggregate,
}

/// Gate policy when its loops are spent.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExhaustedSpec {
    /// Hand the task to a person.
    Escalate,
    /// Fail loudly.
    Fail,
}
