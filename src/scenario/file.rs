//! The scenario file format, as written by users (TOML or JSON).
//!
//! These types mirror the file one to one and reject unknown fields; they are
//! checked and turned into a [`crate::model::Model`] by [`super::compile`].
//! Every field is documented in the README's format reference.

use serde::Deserialize;

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name used for the output folder; defaults to the file's stem.
    pub name: Option<String>,
    /// Free text shown in reports.
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
    #[serde(default)]
    pub edges: Vec<EdgeSpec>,
    /// Shared resources (accelerator pools, services, links) that steps queue for.
    #[serde(default)]
    pub resources: Vec<ResourceSpec>,
    /// Many tasks in flight at once; without it, trials are independent tasks.
    pub workload: Option<WorkloadSpec>,
    /// What `coordsim sweep` varies when the command line does not say; not
    /// used by `compile`.
    pub sweep: Option<SweepSpec>,
}

/// `[sweep]`: the default grid of `coordsim sweep`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Axes as `"PATH=VALUES"`, as for `--vary`, in the order they nest.
    #[serde(default)]
    pub vary: Vec<String>,
}

/// `[run]`: trial count and seed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Number of Monte Carlo trials.
    pub trials: Option<u64>,
    /// Base seed.
    pub seed: Option<u64>,
    /// Most events one task may take before it is stopped as a runaway.
    pub max_events: Option<u64>,
    /// Most simulated seconds one task may take before it is stopped as a runaway.
    pub max_time_s: Option<f64>,
}

/// `[defaults]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultsSpec {
    /// Applied to every edge, field by field, unless the edge says otherwise.
    pub edge: Option<StepSpec>,
}

/// The stochastic behaviour of a step, shared by nodes, edges and edge defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// P(silent corruption) per attempt.
    pub silent: Option<f64>,
    /// P(loud failure) per attempt.
    pub loud: Option<f64>,
    /// Time per attempt.
    pub latency: Option<LatencySpec>,
    /// Attempts longer than this many seconds fail loudly at this time.
    pub timeout: Option<f64>,
    /// Retries of loud failures.
    pub retry: Option<RetrySpec>,
    /// Money per attempt.
    pub cost: Option<CostSpec>,
    /// Tokens per attempt (LLM calls).
    pub tokens: Option<TokensSpec>,
    /// A shared pool (`[[resources]]` id) that serves this step's attempts.
    pub resource: Option<String>,
    /// Priority in a priority-ordered pool (higher first; default 0).
    pub priority: Option<i32>,
    /// A payload moved over a link before the step's work.
    pub transfer: Option<TransferSpec>,
}

/// A node of the task graph.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Unique id.
    pub id: String,
    /// What it is.
    pub kind: KindSpec,
    /// Nodes whose output this one needs.
    #[serde(default)]
    pub after: Vec<String>,
    /// Fan-in policy when `after` has several nodes.
    pub merge: Option<MergeSpec>,
    /// Expand into this many copies in series (`id#1` … `id#N`).
    pub repeat: Option<u64>,
    /// P(silent corruption) per attempt.
    pub silent: Option<f64>,
    /// P(loud failure) per attempt.
    pub loud: Option<f64>,
    /// Time per attempt.
    pub latency: Option<LatencySpec>,
    /// Attempts longer than this many seconds fail loudly at this time.
    pub timeout: Option<f64>,
    /// Retries of loud failures.
    pub retry: Option<RetrySpec>,
    /// Money per attempt.
    pub cost: Option<CostSpec>,
    /// Tokens per attempt.
    pub tokens: Option<TokensSpec>,
    /// A shared pool (`[[resources]]` id) that serves this step's attempts.
    pub resource: Option<String>,
    /// Priority in a priority-ordered pool (higher first; default 0).
    pub priority: Option<i32>,
    /// A payload moved over a link before the step's work.
    pub transfer: Option<TransferSpec>,
    /// Gates: P(flag | corrupted input).
    pub sensitivity: Option<f64>,
    /// Gates: P(flag | correct input).
    pub false_alarm: Option<f64>,
    /// Gates: the earlier node to loop back to on a flag.
    pub loop_to: Option<String>,
    /// Gates: loop-backs allowed per task.
    pub max_loops: Option<u64>,
    /// Gates: what happens when the loop budget is spent.
    pub on_exhausted: Option<OnExhaustedSpec>,
}

impl NodeSpec {
    /// The node's step fields as a [`StepSpec`].
    pub fn step(&self) -> StepSpec {
        StepSpec {
            silent: self.silent,
            loud: self.loud,
            latency: self.latency.clone(),
            timeout: self.timeout,
            retry: self.retry.clone(),
            cost: self.cost.clone(),
            tokens: self.tokens.clone(),
            resource: self.resource.clone(),
            priority: self.priority,
            transfer: self.transfer.clone(),
        }
    }
}

/// `[[edges]]`: the behaviour of the hand-off from one node to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeSpec {
    /// Sending node.
    pub from: String,
    /// Receiving node (must list `from` in its `after`).
    pub to: String,
    /// P(silent corruption) per hand-off attempt.
    pub silent: Option<f64>,
    /// P(loud failure) per hand-off attempt.
    pub loud: Option<f64>,
    /// Time per hand-off attempt.
    pub latency: Option<LatencySpec>,
    /// Timeout per hand-off attempt.
    pub timeout: Option<f64>,
    /// Retries of loud failures.
    pub retry: Option<RetrySpec>,
    /// Money per attempt.
    pub cost: Option<CostSpec>,
    /// Tokens per attempt.
    pub tokens: Option<TokensSpec>,
    /// A shared pool (`[[resources]]` id) that serves this step's attempts.
    pub resource: Option<String>,
    /// Priority in a priority-ordered pool (higher first; default 0).
    pub priority: Option<i32>,
    /// A payload moved over a link before the step's work.
    pub transfer: Option<TransferSpec>,
}

impl EdgeSpec {
    /// The edge's step fields as a [`StepSpec`].
    pub fn step(&self) -> StepSpec {
        StepSpec {
            silent: self.silent,
            loud: self.loud,
            latency: self.latency.clone(),
            timeout: self.timeout,
            retry: self.retry.clone(),
            cost: self.cost.clone(),
            tokens: self.tokens.clone(),
            resource: self.resource.clone(),
            priority: self.priority,
            transfer: self.transfer.clone(),
        }
    }
}

/// Node kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
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

/// Fan-in policy: `"all"`, `"any"` or `{ k = 2 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeSpec {
    /// Wait for every input.
    All,
    /// Take the first ok input.
    Any,
    /// Take the first `k` ok inputs.
    KOfN {
        /// How many inputs must arrive ok.
        k: u64,
    },
}

impl<'de> Deserialize<'de> for MergeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MergeVisitor)
    }
}

/// Reads a merge policy given either as a name or as a `{ k = N }` table.
struct MergeVisitor;

impl<'de> serde::de::Visitor<'de> for MergeVisitor {
    type Value = MergeSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("\"all\", \"any\" or { k = N }")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MergeSpec, E> {
        match v {
            "all" => Ok(MergeSpec::All),
            "any" => Ok(MergeSpec::Any),
            _ => Err(E::unknown_variant(v, &["all", "any"])),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<MergeSpec, A::Error> {
        let mut k = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "k" {
                return Err(serde::de::Error::unknown_field(&key, &["k"]));
            }
            k = Some(map.next_value::<u64>()?);
        }
        k.map(|k| MergeSpec::KOfN { k })
            .ok_or_else(|| serde::de::Error::missing_field("k"))
    }
}

/// Gate policy when its loops are spent.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExhaustedSpec {
    /// Hand the task to a person.
    Escalate,
    /// Fail loudly.
    Fail,
}

/// A latency distribution, tagged by `dist`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum LatencySpec {
    /// `{ dist = "fixed", value = 0.2 }`
    Fixed {
        /// Seconds.
        value: f64,
    },
    /// `{ dist = "exponential", mean = 0.1 }`
    Exponential {
        /// Mean seconds.
        mean: f64,
    },
    /// `{ dist = "lognormal", median = 0.8, p99 = 4.0 }` or `{ dist = "lognormal", mu = -0.2, sigma = 0.5 }`
    Lognormal {
        /// Median seconds.
        median: Option<f64>,
        /// 99th percentile seconds.
        p99: Option<f64>,
        /// Mean of the underlying normal.
        mu: Option<f64>,
        /// Standard deviation of the underlying normal.
        sigma: Option<f64>,
    },
    /// `{ dist = "gamma", shape = 2, scale = 0.05 }`
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale theta, seconds.
        scale: f64,
    },
    /// `{ dist = "uniform", low = 0.1, high = 0.3 }`
    Uniform {
        /// Lower bound, seconds.
        low: f64,
        /// Upper bound, seconds.
        high: f64,
    },
    /// `{ dist = "tokens", tokens_per_s = 60, prefill_tokens_per_s = 4000, overhead = 0.2 }`:
    /// overhead + input/prefill rate + output/decode rate, from the step's `tokens`.
    Tokens {
        /// Output (decode) tokens per second.
        tokens_per_s: f64,
        /// Input (prefill) tokens per second; input time is ignored if absent.
        prefill_tokens_per_s: Option<f64>,
        /// Fixed seconds added to every call.
        overhead: Option<f64>,
    },
}

/// `retry = { max = 2, backoff = "exponential", delay = 0.5, factor = 2, max_delay = 30, jitter = "full" }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Retries after the first attempt.
    pub max: u64,
    /// "fixed" or "exponential" (default "fixed").
    pub backoff: Option<BackoffSpec>,
    /// Base delay in seconds (default 0).
    pub delay: Option<f64>,
    /// Exponential growth factor (default 2).
    pub factor: Option<f64>,
    /// Cap on one delay in seconds (default none).
    pub max_delay: Option<f64>,
    /// "none", "full" or "equal" (default "none").
    pub jitter: Option<JitterSpec>,
}

/// Backoff shapes.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackoffSpec {
    /// Constant delay.
    Fixed,
    /// Growing delay.
    Exponential,
}

/// Jitter kinds.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JitterSpec {
    /// No jitter.
    None,
    /// Uniform on [0, delay].
    Full,
    /// delay/2 + uniform on [0, delay/2].
    Equal,
}

/// `cost = { per_call = 0.001, input_per_mtok = 3, output_per_mtok = 15 }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    /// Dollars per attempt.
    pub per_call: Option<f64>,
    /// Dollars per million input tokens.
    pub input_per_mtok: Option<f64>,
    /// Dollars per million output tokens.
    pub output_per_mtok: Option<f64>,
}

/// `tokens = { input = 1200, output = 300 }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensSpec {
    /// Input (prompt) tokens per attempt.
    pub input: u64,
    /// Output (completion) tokens per attempt.
    pub output: u64,
}

/// `transfer = { link = "nvlink", bytes = 2e6 }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// The `[[resources]]` id of a link.
    pub link: String,
    /// Payload in bytes.
    pub bytes: f64,
}

/// Kinds of shared resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResourceKind {
    /// A pool of inference servers (GPUs).
    Accelerator,
    /// A tool/API with a concurrency and/or rate limit.
    Service,
    /// An interconnect link with shared bandwidth.
    Link,
}

/// `[[resources]]`: a shared pool or link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Unique id, referenced by steps' `resource` or `transfer.link`.
    pub id: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Pools: servers (concurrency limit). Required for accelerators; a
    /// service without it has no concurrency limit.
    pub servers: Option<u64>,
    /// Pools: "fifo" (default) or "priority".
    pub discipline: Option<DisciplineSpec>,
    /// Pools: "wait" (default) or "reject" when no server (or rate token) is free.
    pub on_full: Option<OnFullSpec>,
    /// Pools: most requests waiting; more are rejected (default unlimited).
    pub queue_capacity: Option<u64>,
    /// Pools: service time; default: the using step's own `latency`.
    pub service: Option<LatencySpec>,
    /// Accelerators: continuous batching.
    pub batching: Option<BatchingSpec>,
    /// Services: token-bucket rate limit.
    pub rate_limit: Option<RateLimitSpec>,
    /// Pools: drop a request whose caller timed out (default false: the work is done anyway).
    pub cancel_on_timeout: Option<bool>,
    /// Links: bytes per second, shared equally by concurrent transfers.
    pub bandwidth: Option<f64>,
    /// Links: seconds added to every transfer.
    pub latency: Option<f64>,
}

/// Queue orders.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisciplineSpec {
    /// First come, first served.
    Fifo,
    /// Highest priority first.
    Priority,
}

/// Over-limit behaviours.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFullSpec {
    /// Queue.
    Wait,
    /// Fail the attempt loudly.
    Reject,
}

/// `batching = { max_batch = 16, iteration_base = 0.02, iteration_per_request = 0.002 }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchingSpec {
    /// Most requests in a server's batch.
    pub max_batch: u64,
    /// Seconds per decode iteration with an empty batch.
    pub iteration_base: f64,
    /// Seconds added to an iteration per request in the batch.
    pub iteration_per_request: f64,
}

/// `rate_limit = { rate = 20, burst = 40 }`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Calls per second.
    pub rate: f64,
    /// Bucket size (default 1).
    pub burst: Option<f64>,
}

/// Open or closed workloads.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalsSpec {
    /// Poisson arrivals at a rate.
    Open,
    /// A fixed number of agents with think times.
    Closed,
}

/// `[workload]`: many tasks in flight at once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// "open" or "closed".
    pub arrivals: ArrivalsSpec,
    /// Open: tasks per second.
    pub rate: Option<f64>,
    /// Open: piecewise-constant rate, `[[start_s, rate], ...]` from 0.
    pub schedule: Option<Vec<[f64; 2]>>,
    /// Open: the schedule repeats with this period in seconds.
    pub period: Option<f64>,
    /// Open: on/off bursts.
    pub burst: Option<BurstSpec>,
    /// Closed: concurrent agents.
    pub concurrency: Option<u64>,
    /// Closed: pause between an agent's tasks (default none).
    pub think: Option<LatencySpec>,
    /// Tasks started before measurement begins.
    pub warmup_tasks: Option<u64>,
    /// Seconds before measurement begins.
    pub warmup_s: Option<f64>,
    /// Tasks measured.
    pub tasks: Option<u64>,
    /// Seconds measured.
    pub duration_s: Option<f64>,
    /// Independent replications of the whole run (default 10).
    pub replications: Option<u64>,
    /// Most tasks in flight before the run is stopped as unstable (default 100000).
    pub max_in_flight: Option<u64>,
}

/// `burst = { on_s = 10, off_s = 50, rate_on = 20, rate_off = 2 }`
#[derive(Debug, Clone, Deserialize)]
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
