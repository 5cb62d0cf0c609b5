//! A pool's outages, degradation, scheduled incidents and circuit breaker,
//! as written in `[[resources]]`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attempt::LatencySpec;

/// A time between events: a number (the mean of an Exponential) or any
/// latency distribution (`{ dist = "lognormal", median = 300, p99 = 3600 }`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PeriodSpec {
    /// Exponential with this mean, seconds.
    Mean(f64),
    /// A distribution.
    Dist(LatencySpec),
}

impl<'de> Deserialize<'de> for PeriodSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PeriodVisitor)
    }
}

/// Reads a period given as a number or as a latency distribution table.
struct PeriodVisitor;

impl<'de> serde::de::Visitor<'de> for PeriodVisitor {
    type Value = PeriodSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(
            "a mean number of seconds (Exponential, e.g. 3600) or a distribution \
             (e.g. { dist = \"lognormal\", median = 300, p99 = 3600 })",
        )
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<PeriodSpec, E> {
        Ok(PeriodSpec::Mean(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PeriodSpec, E> {
        Ok(PeriodSpec::Mean(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PeriodSpec, E> {
        Ok(PeriodSpec::Mean(v as f64))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<PeriodSpec, A::Error> {
        let dist = LatencySpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(PeriodSpec::Dist(dist))
    }
}

/// The schema of a period: a number of seconds > 0, or a latency distribution.
impl JsonSchema for PeriodSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let dist = generator.subschema_for::<LatencySpec>();
        schemars::json_schema!({
            "description": "Seconds: a mean (Exponential, e.g. 3600), or a latency distribution (e.g. { dist = \"lognormal\", median = 300, p99 = 3600 }).",
            "anyOf": [{ "type": "number", "exclusiveMinimum": 0 }, dist]
        })
    }
}

/// `outage = { mtbf = 3600, mttr = 300 }`: the pool alternates between up
/// and down.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OutageSpec {
    /// Time up, from a repair to the next failure (mean: MTBF), seconds.
    pub mtbf: PeriodSpec,
    /// Time down, from a failure to its repair (mean: MTTR), seconds.
    pub mttr: PeriodSpec,
}

/// `degraded = { mtbf = 1800, mttr = 120, slowdown = 3.0, extra_loud = 0.1 }`:
/// the pool alternates between normal and degraded.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DegradedSpec {
    /// Time normal, between degraded spells (mean), seconds.
    pub mtbf: PeriodSpec,
    /// Time degraded (mean), seconds.
    pub mttr: PeriodSpec,
    /// Service times are multiplied by this while degraded (≥ 1; default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slowdown: Option<f64>,
    /// Probability that a call served while degraded fails loud (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_loud: Option<f64>,
}

/// What a scheduled incident does to the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentModeSpec {
    /// Down: calls fail (or wait, with `while_down = "wait"`).
    Down,
    /// Degraded: slower, and with an extra loud failure rate.
    Degraded,
}

/// `incidents = [{ start = 600, end = 1800, mode = "down" }]`: a scheduled
/// incident on the run's clock (loaded runs).
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    /// Seconds from the start of the run (warm-up included).
    pub start: f64,
    /// Seconds from the start of the run; after `start`.
    pub end: f64,
    /// "down" or "degraded".
    pub mode: IncidentModeSpec,
    /// Degraded: service times multiplied by this (≥ 1; default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slowdown: Option<f64>,
    /// Degraded: probability that a call fails loud (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra_loud: Option<f64>,
}

/// What a call does when it reaches a pool that is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WhileDownSpec {
    /// Fail loud at once (default).
    Fail,
    /// Queue until the pool is up again.
    Wait,
}

/// `breaker = { failures = 5, window = 10, cooldown = 30, probes = 1 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerSpec {
    /// Loud failures (timeouts included) within `window` that open it.
    pub failures: u64,
    /// Seconds over which failures are counted.
    pub window: f64,
    /// Seconds it stays open (calls fail fast) before probing.
    pub cooldown: f64,
    /// Calls let through while half-open (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<u64>,
}
