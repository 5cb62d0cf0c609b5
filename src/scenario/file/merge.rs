//! The fan-in policy of a node: `"all"`, `"any"`, `{ k = 2 }` or
//! `{ vote = 3 }`, read and written in the same shapes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Fan-in policy: `"all"`, `"any"`, `{ k = 2 }` or `{ vote = 3 }`.
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
    /// A vote: right when at least `k` inputs arrive right.
    Vote {
        /// How many right inputs make the vote right.
        k: u64,
    },
}

impl<'de> Deserialize<'de> for MergeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MergeVisitor)
    }
}

impl Serialize for MergeSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (key, k) = match self {
            MergeSpec::All => return s.serialize_str("all"),
            MergeSpec::Any => return s.serialize_str("any"),
            MergeSpec::KOfN { k } => ("k", k),
            MergeSpec::Vote { k } => ("vote", k),
        };
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(key, k)?;
        map.end()
    }
}

/// Reads a merge policy given either as a name or as a one-entry table
/// (`{ k = N }` or `{ vote = K }`).
/// The schema of a merge policy: a name or a one-entry table.
impl JsonSchema for MergeSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Merge".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Fan-in: \"all\" (default), \"any\", { k = N } (the N-th ok input) or { vote = K } (right when K inputs are right).",
            "anyOf": [
                { "enum": ["all", "any"] },
                {
                    "type": "object",
                    "properties": { "k": { "type": "integer", "minimum": 1 } },
                    "required": ["k"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": { "vote": { "type": "integer", "minimum": 1 } },
                    "required": ["vote"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

struct MergeVisitor;

/// The keys a merge table may hold (exactly one of them).
const TABLE_KEYS: &[&str] = &["k", "vote"];

impl<'de> serde::de::Visitor<'de> for MergeVisitor {
    type Value = MergeSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("\"all\", \"any\", { k = N } or { vote = K }")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<MergeSpec, E> {
        match v {
            "all" => Ok(MergeSpec::All),
            "any" => Ok(MergeSpec::Any),
            // Worded as serde's own unknown-variant message, so that the
            // loader still suggests the nearest name.
            _ => Err(E::custom(format_args!(
                "unknown variant `{v}`, expected `all` or `any`, or a table {{ k = N }} or {{ vote = K }}"
            ))),
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<MergeSpec, A::Error> {
        let mut spec = None;
        while let Some(key) = map.next_key::<String>()? {
            let k = match key.as_str() {
                "k" | "vote" => map.next_value::<u64>()?,
                _ => return Err(serde::de::Error::unknown_field(&key, TABLE_KEYS)),
            };
            if spec.is_some() {
                return Err(serde::de::Error::custom(
                    "a merge table holds one entry: { k = N } or { vote = K }, not both",
                ));
            }
            spec = Some(if key == "k" {
                MergeSpec::KOfN { k }
            } else {
                MergeSpec::Vote { k }
            });
        }
        spec.ok_or_else(|| {
            serde::de::Error::custom("an empty merge table; write { k = N } or { vote = K }")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        merge: MergeSpec,
    }

    #[test]
    fn every_policy_reads_back_as_written() {
        for (text, spec) in [
            ("merge = \"all\"\n", MergeSpec::All),
            ("merge = \"any\"\n", MergeSpec::Any),
            ("merge = { k = 2 }\n", MergeSpec::KOfN { k: 2 }),
            ("merge = { vote = 3 }\n", MergeSpec::Vote { k: 3 }),
        ] {
            let read: Holder = toml::from_str(text).unwrap();
            assert_eq!(read.merge, spec, "{text}");
            let written = toml::to_string(&read).unwrap();
            assert_eq!(
                toml::from_str::<Holder>(&written).unwrap(),
                read,
                "{written}"
            );
            let json = serde_json::to_string(&read).unwrap();
            assert_eq!(
                serde_json::from_str::<Holder>(&json).unwrap(),
                read,
                "{json}"
            );
        }
    }
}
