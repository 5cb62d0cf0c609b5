//! `[[resources]]`: shared pools and links that steps queue for.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attempt::LatencySpec;
use super::outage::{BreakerSpec, DegradedSpec, IncidentSpec, OutageSpec, WhileDownSpec};

/// Kinds of shared resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
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
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// Unique id, referenced by steps' `resource` or `transfer.link`.
    pub id: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Pools: servers (concurrency limit). Required for accelerators; a
    /// service without it has no concurrency limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<u64>,
    /// Pools: "fifo" (default) or "priority".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discipline: Option<DisciplineSpec>,
    /// Pools: "wait" (default) or "reject" when no server (or rate token) is free.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_full: Option<OnFullSpec>,
    /// Pools: most requests waiting; more are rejected (default unlimited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_capacity: Option<u64>,
    /// Pools: service time; default: the using step's own `latency`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<LatencySpec>,
    /// Accelerators: continuous batching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batching: Option<BatchingSpec>,
    /// Services: token-bucket rate limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitSpec>,
    /// Pools: drop a request whose caller timed out (default false: the work is done anyway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_on_timeout: Option<bool>,
    /// Pools: random outages, `{ mtbf = 3600, mttr = 300 }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outage: Option<OutageSpec>,
    /// Pools: random degraded spells, `{ mtbf = 1800, mttr = 120, slowdown = 3, extra_loud = 0.1 }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degraded: Option<DegradedSpec>,
    /// Pools: scheduled incidents, `[{ start = 600, end = 1800, mode = "down" }]` (loaded runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidents: Option<Vec<IncidentSpec>>,
    /// Pools: what calls do while the pool is down: "fail" (default) or "wait".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub while_down: Option<WhileDownSpec>,
    /// Pools: a circuit breaker, `{ failures = 5, window = 10, cooldown = 30, probes = 1 }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerSpec>,
    /// Links: bytes per second, shared equally by concurrent transfers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<f64>,
    /// Links: seconds added to every transfer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<f64>,
    /// Pools with `servers`: watts per server, idle and busy (loaded runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub power: Option<PowerSpec>,
    /// Pools with `servers`: US dollars per server per hour, busy or idle (loaded runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_per_hour: Option<f64>,
    /// Links: joules per 10⁹ bytes moved (loaded runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joules_per_gb: Option<f64>,
}

/// Queue orders.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DisciplineSpec {
    /// First come, first served.
    Fifo,
    /// Highest priority first.
    Priority,
}

/// Over-limit behaviours.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnFullSpec {
    /// Queue.
    Wait,
    /// Fail the attempt loudly.
    Reject,
}

/// `batching = { max_batch = 16, iteration_base = 0.02, iteration_per_request = 0.002 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
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
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Calls per second.
    pub rate: f64,
    /// Bucket size (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<f64>,
}

/// `power = { idle_w = 100, busy_w = 400 }`: watts per server.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PowerSpec {
    /// Watts of an idle server.
    pub idle_w: f64,
    /// Watts of a busy server (of a full batch, for a batching pool), at least `idle_w`.
    pub busy_w: f64,
}
