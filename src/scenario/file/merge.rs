//! The fan-in policy of a node: `"all"`, `"any"` or `{ k = 2 }`, read and
//! written in the same two shapes.

use serde::{Deserialize, Serialize};

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

impl Serialize for MergeSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            MergeSpec::All => s.serialize_str("all"),
            MergeSpec::Any => s.serialize_str("any"),
            MergeSpec::KOfN { k } => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("k", k)?;
                map.end()
            }
        }
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
