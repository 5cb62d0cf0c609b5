//! Addressing and changing scenario fields by path, before compilation.
//!
//! Sweeps (`--vary nodes.retrieve.silent=...`) and variants (a base scenario
//! plus small changes) both work on the scenario *document* (a TOML table),
//! then compile it as if it had been written that way, so every check that
//! applies to a file applies to a patched one.
//!
//! Paths are dot-separated keys, except that an element of `nodes` is named
//! by its `id` (`nodes.retrieve.latency.mean`) and an element of `edges` by
//! `from->to` (`edges.planner->search.silent`; created if absent).

use toml::{Table, Value};

/// Longest field path, in bytes: a node id is at most 100 characters, an
/// edge's name two of them, a field a few words.
pub const MAX_PATH_LEN: usize = 512;

/// Most dot-separated segments of a field path (the deepest field,
/// `edges.a->b.retry.backoff...`, has a handful).
pub const MAX_PATH_SEGMENTS: usize = 16;

/// Checks a field path's length and number of segments, before anything
/// walks it: a path of many thousand segments would build tables nested as
/// deep, which no later step could take apart without overflowing its stack.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.len() > MAX_PATH_LEN {
        return Err(format!(
            "path \"{}\" is {} bytes long; allowed: at most {MAX_PATH_LEN}, e.g. nodes.retrieve.silent",
            shown(path),
            path.len()
        ));
    }
    let segments = path.bytes().filter(|&b| b == b'.').count() + 1;
    if segments > MAX_PATH_SEGMENTS {
        return Err(format!(
            "path \"{}\" has {segments} segments; allowed: at most {MAX_PATH_SEGMENTS}, e.g. nodes.retrieve.latency.mean",
            shown(path)
        ));
    }
    Ok(())
}

/// `path` for a message: as it is, or its first 60 characters and `…`.
pub fn shown(path: &str) -> String {
    const KEEP: usize = 60;
    match path.char_indices().nth(KEEP) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_string(),
    }
}

/// Sets `path` in `doc` to `value`; intermediate tables are created as needed.
///
/// Fails, saying why, when the path is too long ([`check_path`]), names a
/// node that does not exist or runs through something that is not a table.
pub fn set_path(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    check_path(path)?;
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!("path \"{path}\" has an empty segment"));
    }
    let (last, parents) = segments
        .split_last()
        .expect("split yields one segment at least");
    let mut table = doc;
    let mut i = 0;
    while i < parents.len() {
        let key = parents[i];
        let is_array_key = ARRAYS.contains(&key) && i == 0;
        if is_array_key {
            let Some(name) = segments.get(i + 1).filter(|_| i + 1 < parents.len() + 1) else {
                return Err(format!(
                    "path \"{path}\": `{key}` must be followed by an element's name"
                ));
            };
            if i + 1 == parents.len() {
                return Err(format!(
                    "path \"{path}\": `{key}.{name}` names an element, not a field; add the field, e.g. `{key}.{name}.silent`"
                ));
            }
            table = element(table, key, name, path)?;
            i += 2;
            continue;
        }
        let entry = table
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        table = entry
            .as_table_mut()
            .ok_or_else(|| format!("path \"{path}\": `{key}` is not a table"))?;
        i += 1;
    }
    table.insert(last.to_string(), value);
    Ok(())
}

/// Reads `path` from `doc`, if present.
pub fn get_path<'a>(doc: &'a Table, path: &str) -> Option<&'a Value> {
    check_path(path).ok()?;
    let segments: Vec<&str> = path.split('.').collect();
    let mut table = doc;
    let mut i = 0;
    while i < segments.len() {
        let key = segments[i];
        if i == 0 && ARRAYS.contains(&key) {
            let name = segments.get(i + 1)?;
            let found = table
                .get(key)?
                .as_array()?
                .iter()
                .find(|v| matches(v, key, name))?;
            if i + 2 == segments.len() {
                return Some(found);
            }
            table = found.as_table()?;
            i += 2;
            continue;
        }
        let v = table.get(key)?;
        if i + 1 == segments.len() {
            return Some(v);
        }
        table = v.as_table()?;
        i += 1;
    }
    None
}

/// Parses a TOML literal (`0.05`, `12`, `"fail"`, `{ dist = "fixed", value = 1 }`).
pub fn parse_value(text: &str) -> Result<Value, String> {
    let wrapped = format!("v = {text}");
    let mut table: Table = wrapped.parse().map_err(|e: toml::de::Error| {
        format!("`{text}` is not a TOML value: {}", e.message().trim())
    })?;
    Ok(table.remove("v").expect("the wrapper defines v"))
}

/// True when array element `v` of `array_key` is the one called `name`.
/// The arrays whose elements a path names: `nodes.ID`, `edges.FROM->TO`,
/// `common_causes.ID`, `classes.ID` (task classes).
const ARRAYS: [&str; 4] = ["nodes", "edges", "common_causes", "classes"];

fn matches(v: &Value, array_key: &str, name: &str) -> bool {
    let Some(t) = v.as_table() else { return false };
    if array_key != "edges" {
        t.get("id").and_then(Value::as_str) == Some(name)
    } else {
        let (from, to) = name.split_once("->").unwrap_or((name, ""));
        t.get("from").and_then(Value::as_str) == Some(from)
            && t.get("to").and_then(Value::as_str) == Some(to)
    }
}

/// The element of array `key` named `name`; an edge entry is created if missing.
fn element<'a>(
    doc: &'a mut Table,
    key: &str,
    name: &str,
    path: &str,
) -> Result<&'a mut Table, String> {
    let node_ids: Vec<String> = doc
        .get("nodes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if key == "edges" {
        let Some((from, to)) = name.split_once("->") else {
            return Err(format!(
                "path \"{path}\": an edge is named `from->to`, got `{name}`"
            ));
        };
        for end in [from, to] {
            if !node_ids.iter().any(|id| id == end) {
                return Err(format!("path \"{path}\": {}", unknown(end, &node_ids)));
            }
        }
    }
    let array = doc
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
        .as_array_mut()
        .ok_or_else(|| format!("path \"{path}\": `{key}` is not an array"))?;
    let position = array.iter().position(|v| matches(v, key, name));
    let position = match position {
        Some(p) => p,
        None if key == "edges" => {
            let (from, to) = name.split_once("->").expect("checked above");
            let mut t = Table::new();
            t.insert("from".into(), Value::String(from.into()));
            t.insert("to".into(), Value::String(to.into()));
            array.push(Value::Table(t));
            array.len() - 1
        }
        None if key == "common_causes" || key == "classes" => {
            let ids: Vec<String> = array
                .iter()
                .filter_map(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            let (what, list) = if key == "classes" {
                ("no task class", "; classes:")
            } else {
                ("no common cause", "; causes:")
            };
            let known = unknown(name, &ids).replacen("no node", what, 1);
            return Err(format!(
                "path \"{path}\": {}",
                known.replace("; nodes:", list)
            ));
        }
        None => return Err(format!("path \"{path}\": {}", unknown(name, &node_ids))),
    };
    array[position]
        .as_table_mut()
        .ok_or_else(|| format!("path \"{path}\": `{key}.{name}` is not a table"))
}

fn unknown(name: &str, ids: &[String]) -> String {
    match super::problem::nearest(name, ids.iter().map(String::as_str)) {
        Some(near) => format!("no node \"{name}\"; did you mean \"{near}\"?"),
        None => format!("no node \"{name}\"; nodes: {}", ids.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
[run]
trials = 10
[[nodes]]
id = "a"
kind = "llm"
[[nodes]]
id = "b"
kind = "llm"
after = ["a"]
latency = { dist = "exponential", mean = 1.0 }
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn sets_node_fields_by_id() {
        let mut d = doc();
        set_path(&mut d, "nodes.b.latency.mean", Value::Float(2.0)).unwrap();
        set_path(&mut d, "nodes.a.silent", Value::Float(0.1)).unwrap();
        assert_eq!(
            get_path(&d, "nodes.b.latency.mean"),
            Some(&Value::Float(2.0))
        );
        assert_eq!(get_path(&d, "nodes.a.silent"), Some(&Value::Float(0.1)));
    }

    #[test]
    fn creates_missing_tables_and_edge_entries() {
        let mut d = doc();
        set_path(&mut d, "defaults.edge.silent", Value::Float(0.01)).unwrap();
        set_path(&mut d, "edges.a->b.loud", Value::Float(0.2)).unwrap();
        assert_eq!(
            get_path(&d, "defaults.edge.silent"),
            Some(&Value::Float(0.01))
        );
        assert_eq!(get_path(&d, "edges.a->b.loud"), Some(&Value::Float(0.2)));
    }

    #[test]
    fn unknown_nodes_are_errors_with_a_suggestion() {
        let mut d = doc();
        let e = set_path(&mut d, "nodes.bb.silent", Value::Float(0.1)).unwrap_err();
        assert!(e.contains("no node \"bb\"") && e.contains("\"b\""), "{e}");
        let e = set_path(&mut d, "edges.a->z.loud", Value::Float(0.1)).unwrap_err();
        assert!(e.contains("no node \"z\""), "{e}");
        assert!(set_path(&mut d, "nodes.a", Value::Float(0.1)).is_err());
        assert!(set_path(&mut d, "run.trials.x", Value::Float(0.1)).is_err());
    }

    #[test]
    fn long_and_deep_paths_are_refused_before_they_are_walked() {
        let mut d = doc();
        let deep = vec!["k"; 60_000].join(".");
        let e = set_path(&mut d, &deep, Value::Integer(1)).unwrap_err();
        assert!(e.contains("allowed: at most") && e.len() < 300, "{e}");
        let deep = vec!["k"; 17].join(".");
        let e = set_path(&mut d, &deep, Value::Integer(1)).unwrap_err();
        assert!(e.contains("17 segments"), "{e}");
        assert!(get_path(&d, &deep).is_none());
        set_path(&mut d, &vec!["k"; 16].join("."), Value::Integer(1)).unwrap();
    }

    #[test]
    fn parses_toml_literals() {
        assert_eq!(parse_value("12").unwrap(), Value::Integer(12));
        assert_eq!(parse_value("0.5").unwrap(), Value::Float(0.5));
        assert_eq!(
            parse_value("\"fail\"").unwrap(),
            Value::String("fail".into())
        );
        assert!(
            parse_value("{ dist = \"fixed\", value = 1 }")
                .unwrap()
                .is_table()
        );
        assert!(parse_value("nonsense here").is_err());
    }
}
