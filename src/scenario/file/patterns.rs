//! The step-pattern fields of the file format: `fallback`, `hedge`, `cache`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attempt::LatencySpec;
use super::steps::StepSpec;

/// `fallback = "other_node"` (that node's step fields, its own fallback
/// included) or `fallback = { latency = …, loud = …, cost = … }` (step fields
/// written inline, which may name a fallback of their own).
#[derive(Debug, Clone)]
pub enum FallbackSpec {
    /// The id of a node whose step fields the fallback takes.
    Node(String),
    /// Step fields written inline.
    Inline(Box<StepSpec>),
}

impl Serialize for FallbackSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FallbackSpec::Node(id) => s.serialize_str(id),
            FallbackSpec::Inline(step) => step.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for FallbackSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FallbackVisitor)
    }
}

/// Reads a fallback given as a node id or as a table of step fields.
struct FallbackVisitor;

impl<'de> serde::de::Visitor<'de> for FallbackVisitor {
    type Value = FallbackSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a node id (e.g. \"backup_model\") or a table of step fields")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FallbackSpec, E> {
        Ok(FallbackSpec::Node(v.to_string()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<FallbackSpec, A::Error> {
        let step = StepSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(FallbackSpec::Inline(Box::new(step)))
    }
}

/// The schema of a fallback: a node id, or step fields.
impl JsonSchema for FallbackSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Fallback".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let step = generator.subschema_for::<StepSpec>();
        schemars::json_schema!({
            "description": "The step called once this one's attempts are exhausted: a node id (that node's step fields) or step fields written inline, e.g. { latency = { dist = \"exponential\", mean = 2 }, loud = 0.05 }.",
            "anyOf": [{ "type": "string" }, step]
        })
    }
}

/// `hedge = { after = 1.2, cancel = true }`.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HedgeSpec {
    /// Seconds after which a still-running attempt gets a second copy, or a
    /// quantile of the step's latency such as "p95".
    pub after: HedgeAfterSpec,
    /// Cancel the copy that loses when the other answers (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel: Option<bool>,
}

/// A hedge delay: seconds, or a quantile of the step's latency (`"p95"`).
#[derive(Debug, Clone, PartialEq)]
pub enum HedgeAfterSpec {
    /// Seconds.
    Seconds(f64),
    /// `"pNN"`: the NN-th percentile of the step's latency, as written.
    Quantile(String),
}

impl Serialize for HedgeAfterSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HedgeAfterSpec::Seconds(x) => s.serialize_f64(*x),
            HedgeAfterSpec::Quantile(q) => s.serialize_str(q),
        }
    }
}

impl<'de> Deserialize<'de> for HedgeAfterSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HedgeAfterVisitor)
    }
}

/// Reads a hedge delay given as a number or as a `"pNN"` string.
struct HedgeAfterVisitor;

impl<'de> serde::de::Visitor<'de> for HedgeAfterVisitor {
    type Value = HedgeAfterSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number of seconds (e.g. 1.2) or a latency quantile (e.g. \"p95\")")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<HedgeAfterSpec, E> {
        Ok(HedgeAfterSpec::Seconds(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<HedgeAfterSpec, E> {
        Ok(HedgeAfterSpec::Seconds(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<HedgeAfterSpec, E> {
        Ok(HedgeAfterSpec::Seconds(v as f64))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HedgeAfterSpec, E> {
        Ok(HedgeAfterSpec::Quantile(v.to_string()))
    }
}

/// The schema of a hedge delay.
impl JsonSchema for HedgeAfterSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HedgeAfter".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Seconds after which a still-running attempt gets a second copy (e.g. 1.2), or a quantile of the step's latency (e.g. \"p95\").",
            "anyOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": "^p[0-9]+(\\.[0-9]+)?$" }
            ]
        })
    }
}

/// `cache = { hit = 0.3, stale = 0.02, latency = … }`.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSpec {
    /// P(the answer is served from the cache), per execution of the step.
    pub hit: f64,
    /// P(a served answer is out of date: a silent corruption), per hit (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<f64>,
    /// Time a lookup takes, hit or miss (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencySpec>,
}
