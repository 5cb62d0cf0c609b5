//! Probabilities as written in a scenario: a number, or a distribution over
//! tasks (`{ beta = [a, b] }`, `{ mean = m, concentration = c }`, optionally
//! tied to a shared `difficulty`); and a step's fault `persistence` (a
//! number or `"task"`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A probability: fixed, or drawn once per task.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RateSpec {
    /// The same for every task.
    Fixed(f64),
    /// Drawn once per task.
    PerTask(RateDistSpec),
}

/// A distribution of a probability over tasks.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateDistSpec {
    /// Beta shape parameters `[a, b]` (mean a / (a + b)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta: Option<[f64; 2]>,
    /// Mean of the Beta (with `concentration`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// a + b of the Beta (with `mean`): larger is tighter around the mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concentration: Option<f64>,
    /// A task-level difficulty this rate follows (steps naming the same one
    /// are correlated through it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    /// Correlation with the difficulty, in [−1, 1] (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loading: Option<f64>,
}

impl RateSpec {
    /// The fixed value, or the distribution's mean where it can be computed.
    pub fn nominal(&self) -> f64 {
        match self {
            RateSpec::Fixed(x) => *x,
            RateSpec::PerTask(d) => match (d.beta, d.mean) {
                (Some([a, b]), _) => a / (a + b),
                (None, Some(m)) => m,
                _ => f64::NAN,
            },
        }
    }
}

impl<'de> Deserialize<'de> for RateSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RateVisitor)
    }
}

/// Reads a probability given as a number or as a distribution table.
struct RateVisitor;

impl<'de> serde::de::Visitor<'de> for RateVisitor {
    type Value = RateSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(
            "a probability (e.g. 0.05) or a distribution over tasks \
             (e.g. { beta = [2, 8] } or { mean = 0.2, concentration = 10 })",
        )
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RateSpec, E> {
        Ok(RateSpec::Fixed(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RateSpec, E> {
        Ok(RateSpec::Fixed(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RateSpec, E> {
        Ok(RateSpec::Fixed(v as f64))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RateSpec, A::Error> {
        let dist = RateDistSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(RateSpec::PerTask(dist))
    }
}

/// How long a step's outcome holds within a task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PersistenceSpec {
    /// P(a re-execution repeats the previous outcome), in [0, 1].
    Probability(f64),
    /// `"task"`: the first draw holds for the whole task (= 1).
    Task,
}

impl PersistenceSpec {
    /// ρ, the probability that a re-execution repeats the previous outcome.
    pub fn rho(self) -> f64 {
        match self {
            PersistenceSpec::Probability(p) => p,
            PersistenceSpec::Task => 1.0,
        }
    }
}

impl Serialize for PersistenceSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PersistenceSpec::Probability(p) => s.serialize_f64(*p),
            PersistenceSpec::Task => s.serialize_str("task"),
        }
    }
}

impl<'de> Deserialize<'de> for PersistenceSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PersistenceVisitor)
    }
}

/// Reads a persistence given as a number or as `"task"`.
struct PersistenceVisitor;

impl<'de> serde::de::Visitor<'de> for PersistenceVisitor {
    type Value = PersistenceSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a probability in [0, 1] (e.g. 0.7) or \"task\"")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<PersistenceSpec, E> {
        Ok(PersistenceSpec::Probability(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PersistenceSpec, E> {
        Ok(PersistenceSpec::Probability(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PersistenceSpec, E> {
        Ok(PersistenceSpec::Probability(v as f64))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PersistenceSpec, E> {
        match v {
            "task" => Ok(PersistenceSpec::Task),
            _ => Err(E::unknown_variant(v, &["task"])),
        }
    }
}

/// The schema of a rate: a probability, or a distribution over tasks.
impl JsonSchema for RateSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rate".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let per_task = generator.subschema_for::<RateDistSpec>();
        schemars::json_schema!({
            "description": "A probability (e.g. 0.05), or a distribution over tasks (e.g. { beta = [2, 8] } or { mean = 0.2, concentration = 10 }).",
            "anyOf": [{ "type": "number", "minimum": 0, "maximum": 1 }, per_task]
        })
    }
}

/// The schema of a persistence: a probability, or "task".
impl JsonSchema for PersistenceSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Persistence".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "P(a re-execution in the same task repeats the previous outcome), or \"task\" (the first draw holds for the whole task).",
            "anyOf": [
                { "type": "number", "minimum": 0, "maximum": 1 },
                { "const": "task" }
            ]
        })
    }
}
