//! Structural edits of a scenario document: remove a node, insert a gate,
//! add retries, set a field, make a component perfect.
//!
//! Each edit works on the TOML document (before compilation) and fails with a
//! message saying what is wrong and what is allowed; compiling the edited
//! document afterwards applies every usual check.

use toml::{Table, Value};

use crate::scenario::patch::{get_path, set_path};
use crate::scenario::problem::nearest;

/// Sets a field by path (see [`set_path`]), refusing paths that would replace
/// a whole array (`nodes`, `edges`) or an element of one.
pub fn set_field(doc: &mut Table, path: &str, value: Value) -> Result<(), String> {
    let first = path.split('.').next().unwrap_or("");
    if (first == "nodes" || first == "edges") && path.split('.').count() < 3 {
        return Err(format!(
            "path \"{path}\" names a whole array or element; name a field, e.g. `{first}.<name>.silent` (quote the path: \"{first}.x.silent\" = 0.1)"
        ));
    }
    set_path(doc, path, value)
}

/// The ids of the document's nodes, in file order.
pub fn node_ids(doc: &Table) -> Vec<String> {
    nodes(doc)
        .iter()
        .filter_map(|n| n.get("id").and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn nodes(doc: &Table) -> &[Value] {
    doc.get("nodes")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn nodes_mut(doc: &mut Table) -> Result<&mut Vec<Value>, String> {
    doc.get_mut("nodes")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| "the scenario has no `nodes` array".to_string())
}

fn edges_mut(doc: &mut Table) -> Option<&mut Vec<Value>> {
    doc.get_mut("edges").and_then(Value::as_array_mut)
}

/// A node's `after` list (empty when absent).
fn after_of(node: &Value) -> Vec<String> {
    node.get("after")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn set_after(node: &mut Value, after: Vec<String>) {
    if let Some(t) = node.as_table_mut() {
        if after.is_empty() {
            t.remove("after");
        } else {
            t.insert(
                "after".into(),
                Value::Array(after.into_iter().map(Value::String).collect()),
            );
        }
    }
}

fn is_all_merge(node: &Value) -> bool {
    node.get("merge").is_none_or(|m| m.as_str() == Some("all"))
}

fn id_of(node: &Value) -> &str {
    node.get("id").and_then(Value::as_str).unwrap_or("")
}

fn unknown_node(doc: &Table, id: &str) -> String {
    let ids = node_ids(doc);
    match nearest(id, ids.iter().map(String::as_str)) {
        Some(near) => format!("no node \"{id}\"; did you mean \"{near}\"?"),
        None => format!("no node \"{id}\"; nodes: {}", ids.join(", ")),
    }
}

fn position(doc: &Table, id: &str) -> Result<usize, String> {
    nodes(doc)
        .iter()
        .position(|n| id_of(n) == id)
        .ok_or_else(|| unknown_node(doc, id))
}

/// Removes node `id`; each dependent inherits its inputs (`after`), and the
/// `[[edges]]` entries into and out of it are dropped.
///
/// Refused when the result would be ambiguous: the node is a gate's `loop_to`,
/// or it has several inputs and its own merge policy or a dependent's is not
/// `"all"` (the dependent could not reproduce the fan-in).
pub fn remove_node(doc: &mut Table, id: &str) -> Result<(), String> {
    let pos = position(doc, id)?;
    let removed = nodes(doc)[pos].clone();
    let inputs = after_of(&removed);
    for n in nodes(doc) {
        if n.get("loop_to").and_then(Value::as_str) == Some(id) {
            return Err(format!(
                "gate \"{}\" loops back to \"{id}\"; remove or re-target that gate first",
                id_of(n)
            ));
        }
    }
    if inputs.len() > 1 && !is_all_merge(&removed) {
        return Err(format!(
            "\"{id}\" merges {} inputs with a policy other than \"all\"; its dependents cannot inherit that fan-in",
            inputs.len()
        ));
    }
    let list = nodes_mut(doc)?;
    list.remove(pos);
    for n in list.iter_mut() {
        let after = after_of(n);
        if !after.iter().any(|a| a == id) {
            continue;
        }
        if inputs.len() > 1 && !is_all_merge(n) {
            return Err(format!(
                "dependent \"{}\" has a merge policy other than \"all\" and \"{id}\" has several inputs: which inputs it would wait for is ambiguous",
                id_of(n)
            ));
        }
        let mut new_after = Vec::new();
        for a in after {
            let replacement = if a == id { inputs.clone() } else { vec![a] };
            for r in replacement {
                if !new_after.contains(&r) {
                    new_after.push(r);
                }
            }
        }
        set_after(n, new_after);
    }
    if let Some(edges) = edges_mut(doc) {
        edges.retain(|e| {
            e.get("from").and_then(Value::as_str) != Some(id)
                && e.get("to").and_then(Value::as_str) != Some(id)
        });
    }
    Ok(())
}

/// Step fields that make a hand-off instant, perfect and free, whatever `defaults.edge` says.
pub fn neutral_hand_off() -> Table {
    let mut t = Table::new();
    t.insert("silent".into(), Value::Float(0.0));
    t.insert("loud".into(), Value::Float(0.0));
    let mut latency = Table::new();
    latency.insert("dist".into(), Value::String("fixed".into()));
    latency.insert("value".into(), Value::Float(0.0));
    t.insert("latency".into(), Value::Table(latency));
    let mut cost = Table::new();
    cost.insert("per_call".into(), Value::Float(0.0));
    t.insert("cost".into(), Value::Table(cost));
    let mut tokens = Table::new();
    tokens.insert("input".into(), Value::Integer(0));
    tokens.insert("output".into(), Value::Integer(0));
    t.insert("tokens".into(), Value::Table(tokens));
    t
}

/// Inserts a gate node `gate_id` with `fields` (sensitivity, loop_to, ...).
///
/// Without `before`, the gate checks `after`'s output where it is produced:
/// every dependent of `after` now depends on the gate, `[[edges]]` entries
/// `after->D` become `gate->D`, and the new hand-off `after->gate` is instant
/// and perfect. With `before = D`, only the hand-off `after->D` is gated, at
/// the receiving end: it becomes `after->gate` (same behaviour) and the new
/// hand-off `gate->D` is instant and perfect.
pub fn add_gate(
    doc: &mut Table,
    after: &str,
    before: Option<&str>,
    gate_id: &str,
    fields: &Table,
) -> Result<(), String> {
    let pos = position(doc, after)?;
    if node_ids(doc).iter().any(|i| i == gate_id) {
        return Err(format!(
            "a node \"{gate_id}\" already exists; give the gate another `id`"
        ));
    }
    for reserved in ["kind", "after"] {
        if fields.contains_key(reserved) {
            return Err(format!(
                "`{reserved}` is set by add_gate itself; allowed fields: sensitivity, false_alarm, loop_to, max_loops, on_exhausted and step fields"
            ));
        }
    }
    if let Some(d) = before {
        let dep = position(doc, d)?;
        if !after_of(&nodes(doc)[dep]).iter().any(|a| a == after) {
            return Err(format!(
                "\"{d}\" does not depend on \"{after}\": there is no hand-off {after}->{d} to gate"
            ));
        }
    }
    let mut gate = fields.clone();
    gate.insert("id".into(), Value::String(gate_id.into()));
    gate.insert("kind".into(), Value::String("gate".into()));
    gate.insert(
        "after".into(),
        Value::Array(vec![Value::String(after.into())]),
    );
    let list = nodes_mut(doc)?;
    for n in list.iter_mut() {
        if before.is_some_and(|d| d != id_of(n)) {
            continue;
        }
        let new_after: Vec<String> = after_of(n)
            .into_iter()
            .map(|a| if a == after { gate_id.to_string() } else { a })
            .collect();
        if new_after != after_of(n) {
            set_after(n, new_after);
        }
    }
    list.insert(pos + 1, Value::Table(gate));
    if let Some(edges) = edges_mut(doc) {
        for e in edges.iter_mut() {
            let Some(t) = e.as_table_mut() else { continue };
            let from = t.get("from").and_then(Value::as_str) == Some(after);
            let to = t.get("to").and_then(Value::as_str);
            match before {
                None if from => {
                    t.insert("from".into(), Value::String(gate_id.into()));
                }
                Some(d) if from && to == Some(d) => {
                    t.insert("to".into(), Value::String(gate_id.into()));
                }
                _ => {}
            }
        }
    }
    let neutral = match before {
        None => format!("{after}->{gate_id}"),
        Some(d) => format!("{gate_id}->{d}"),
    };
    for (k, v) in neutral_hand_off() {
        set_path(doc, &format!("edges.{neutral}.{k}"), v)?;
    }
    Ok(())
}

/// The retry table a node or edge effectively has (`target` is `nodes.<id>`
/// or `edges.<from->to>`); an edge without its own falls back to `defaults.edge`.
pub fn effective_retry(doc: &Table, target: &str) -> Option<Table> {
    get_path(doc, &format!("{target}.retry"))
        .or_else(|| {
            target
                .starts_with("edges.")
                .then(|| get_path(doc, "defaults.edge.retry"))
                .flatten()
        })
        .and_then(Value::as_table)
        .cloned()
}

/// Adds `n` retries to `target` (`nodes.<id>` or `edges.<from->to>`),
/// keeping its backoff unless `overrides` replaces some of its fields.
pub fn add_retries(doc: &mut Table, target: &str, n: u64, overrides: &Table) -> Result<(), String> {
    if n == 0 {
        return Err("`retries` is 0; allowed: at least 1".into());
    }
    if let Some(id) = target.strip_prefix("nodes.") {
        position(doc, id)?;
    }
    let mut retry = effective_retry(doc, target).unwrap_or_default();
    let max = retry.get("max").and_then(Value::as_integer).unwrap_or(0);
    let added = i64::try_from(n).unwrap_or(i64::MAX);
    retry.insert("max".into(), Value::Integer(max.saturating_add(added)));
    for (k, v) in overrides {
        retry.insert(k.clone(), v.clone());
    }
    set_path(doc, &format!("{target}.retry"), Value::Table(retry))
}

/// Makes `target` perfect: no silent or loud failures; a gate (`kind = "gate"`)
/// also catches every corrupted input and never flags a right one.
pub fn make_perfect(doc: &mut Table, target: &str) -> Result<(), String> {
    if let Some(id) = target.strip_prefix("nodes.")
        && get_path(doc, &format!("{target}.graph")).is_some()
    {
        return make_subgraph_perfect(doc, id);
    }
    let is_gate = get_path(doc, &format!("{target}.kind")).and_then(Value::as_str) == Some("gate");
    if is_gate {
        set_path(doc, &format!("{target}.sensitivity"), Value::Float(1.0))?;
        set_path(doc, &format!("{target}.false_alarm"), Value::Float(0.0))?;
    } else {
        set_path(doc, &format!("{target}.silent"), Value::Float(0.0))?;
    }
    set_path(doc, &format!("{target}.loud"), Value::Float(0.0))?;
    spare_from_common_causes(doc, target);
    Ok(())
}

/// Takes the component `target` (`nodes.ID` or `edges.FROM->TO`) out of every
/// `[[common_causes]]` (a perfect component fails in no task), dropping a
/// cause left with no members.
fn spare_from_common_causes(doc: &mut Table, target: &str) {
    let name = target
        .strip_prefix("nodes.")
        .or_else(|| target.strip_prefix("edges."))
        .unwrap_or(target);
    let Some(Value::Array(causes)) = doc.get_mut("common_causes") else {
        return;
    };
    for cause in causes.iter_mut() {
        if let Some(Value::Array(members)) = cause.get_mut("members") {
            members.retain(|m| m.as_str() != Some(name));
        }
    }
    causes.retain(|c| {
        c.get("members")
            .and_then(Value::as_array)
            .is_none_or(|m| !m.is_empty())
    });
    if causes.is_empty() {
        doc.remove("common_causes");
    }
}

/// Makes sub-graph `id` perfect: every node inside it (nested sub-graphs'
/// too), and every hand-off inside, through the sub-graphs' edge defaults
/// and the `[[edges]]` entries into their nodes.
fn make_subgraph_perfect(doc: &mut Table, id: &str) -> Result<(), String> {
    let prefix = format!("{id}/");
    let inside: Vec<(String, bool)> = doc
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
        .filter_map(|n| {
            let nid = n.get("id").and_then(Value::as_str)?;
            (nid == id || nid.starts_with(&prefix))
                .then(|| (nid.to_string(), n.contains_key("graph")))
        })
        .collect();
    for (nid, is_subgraph) in inside {
        if is_subgraph {
            for field in ["silent", "loud"] {
                let path = format!("nodes.{nid}.graph.defaults.edge.{field}");
                set_path(doc, &path, Value::Float(0.0))?;
            }
        } else {
            make_perfect(doc, &format!("nodes.{nid}"))?;
        }
    }
    for e in doc
        .get_mut("edges")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table_mut)
    {
        if e.get("to")
            .and_then(Value::as_str)
            .is_some_and(|to| to.starts_with(&prefix))
        {
            e.insert("silent".into(), Value::Float(0.0));
            e.insert("loud".into(), Value::Float(0.0));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
[[nodes]]
id = "a"
kind = "llm"
[[nodes]]
id = "b"
kind = "llm"
after = ["a"]
[[nodes]]
id = "c"
kind = "llm"
after = ["b"]
[[edges]]
from = "b"
to = "c"
silent = 0.1
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn removing_a_node_hands_its_inputs_to_its_dependents() {
        let mut d = doc();
        remove_node(&mut d, "b").unwrap();
        assert_eq!(node_ids(&d), ["a", "c"]);
        assert_eq!(after_of(&nodes(&d)[1]), ["a"]);
        assert!(d.get("edges").unwrap().as_array().unwrap().is_empty());
        assert!(remove_node(&mut d, "zz").unwrap_err().contains("no node"));
    }

    #[test]
    fn a_gate_takes_over_the_dependents_and_their_hand_offs() {
        let mut d = doc();
        let mut f = Table::new();
        f.insert("sensitivity".into(), Value::Float(0.9));
        add_gate(&mut d, "b", None, "g", &f).unwrap();
        assert_eq!(node_ids(&d), ["a", "b", "g", "c"]);
        assert_eq!(after_of(&nodes(&d)[3]), ["g"]);
        assert_eq!(get_path(&d, "edges.g->c.silent"), Some(&Value::Float(0.1)));
        assert_eq!(get_path(&d, "edges.b->g.silent"), Some(&Value::Float(0.0)));
        assert!(add_gate(&mut d, "b", None, "g", &f).is_err());
    }

    #[test]
    fn retries_add_to_what_the_step_has() {
        let mut d = doc();
        add_retries(&mut d, "nodes.a", 1, &Table::new()).unwrap();
        add_retries(&mut d, "nodes.a", 2, &Table::new()).unwrap();
        assert_eq!(get_path(&d, "nodes.a.retry.max"), Some(&Value::Integer(3)));
    }

    #[test]
    fn whole_arrays_cannot_be_set() {
        let mut d = doc();
        assert!(set_field(&mut d, "nodes", Value::Integer(1)).is_err());
        assert!(set_field(&mut d, "nodes.a", Value::Integer(1)).is_err());
        set_field(&mut d, "nodes.a.silent", Value::Float(0.2)).unwrap();
    }
}
