//! What a JSON scenario may hold beyond a TOML one, made to agree with it:
//! commands that change a scenario (`--set`, `sweep`, shards, variants) work
//! on it as a TOML document, so a JSON file is accepted only as far as every
//! command can read it. `null` is an absent field everywhere; an integer
//! beyond TOML's range (above 2⁶³ − 1) is refused everywhere.

use serde_json::Value;

use super::problem::Problem;

/// `value` with every `null` member of an object removed (an absent field).
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// The first integer of the JSON `text` that a TOML document cannot hold,
/// as a problem naming its field.
pub fn integer_beyond_toml(text: &str) -> Option<Problem> {
    let value: Value = serde_json::from_str(text).ok()?;
    let mut stack = vec![(String::new(), &value)];
    while let Some((path, v)) = stack.pop() {
        match v {
            Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
                return Some(Problem {
                    location: None,
                    field: path,
                    message: format!(
                        "is {n}; allowed: integers up to {} (the largest a scenario can hold, as in \
                         TOML); a larger seed can be given with --seed",
                        i64::MAX
                    ),
                });
            }
            Value::Object(map) => {
                for (k, child) in map.iter().rev() {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    stack.push((p, child));
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().rev() {
                    stack.push((format!("{path}[{i}]"), child));
                }
            }
            _ => {}
        }
    }
    None
}
