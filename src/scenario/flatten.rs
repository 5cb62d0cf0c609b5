//! Sub-graphs flattened into the including scenario's document.
//!
//! A node with `include = "file.toml"` (another scenario file) or
//! `graph = { nodes = [...], edges = [...] }` (written inline) runs that graph
//! as one step. When the scenario is read, the sub-graph's nodes and edges are
//! moved into the including document with their ids namespaced by the node's
//! (`research` + `search` → `research/search`), and the node keeps only
//! `graph = { file, defaults }`. Everything after reading — `--set`, `--vary`,
//! variant patches, compilation, shards — sees one flat document, so a field
//! of a sub-graph is named like any other (`nodes.research/search.silent`).
//!
//! Of an included file, only the graph is taken: `nodes`, `edges`,
//! `[defaults.edge]` (kept for its own hand-offs) and `[[resources]]` (merged
//! by id: the same id must mean the same resource). Its `name`,
//! `description`, `[run]`, `[workload]` and `[sweep]` say how to run it alone
//! and are ignored. Reading the files is [`super::include`]'s job; this module
//! only rewrites documents.

use toml::{Table, Value};

use super::compile::MAX_NODES;
use super::problem::Problem;

/// The separator of namespaced ids.
pub const SEP: char = '/';

/// Most levels of sub-graphs inside sub-graphs (files and inline graphs).
pub const MAX_DEPTH: usize = 8;

/// Why a sub-graph could not be read: a problem at the `include` field of
/// this file, or an included file's own problems.
pub enum IncludeFailure {
    /// What is wrong with the `include` value (no such file, a cycle, ...).
    Here(String),
    /// The included file is invalid: its own error, naming it.
    There(super::ScenarioError),
}

/// Reads an included file (written as `include = "..."`) as a flat document.
pub type Include<'a> = dyn FnMut(&str) -> Result<Table, IncludeFailure> + 'a;

/// True when `doc` has a node with `include`, or a `graph` with nodes.
pub fn has_subgraphs(doc: &Table) -> bool {
    node_tables(doc).any(|n| {
        n.contains_key("include")
            || n.get("graph")
                .and_then(Value::as_table)
                .is_some_and(|g| g.contains_key("nodes") || g.contains_key("edges"))
    })
}

/// Flattens every sub-graph of `doc` (recursively, inline graphs and included
/// files alike); problems are reported at the sub-graph node's field. An
/// included file's own problems come back as [`IncludeFailure::There`].
pub fn flatten(doc: &mut Table, include: &mut Include<'_>) -> Result<(), FlattenError> {
    flatten_at(doc, "", 0, include)?;
    let mut problems = Vec::new();
    check_unique(doc, &mut problems);
    let total = node_tables(doc).count();
    if total as u64 > MAX_NODES {
        problems.push(problem(
            "nodes",
            format!("the sub-graphs flatten to {total} nodes; allowed: at most {MAX_NODES}"),
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(FlattenError::Problems(problems))
    }
}

/// What [`flatten`] found wrong.
pub enum FlattenError {
    /// Problems of this document, by field.
    Problems(Vec<Problem>),
    /// An included file's own problems.
    Included(super::ScenarioError),
}

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        location: None,
        field: field.into(),
        message: message.into(),
    }
}

fn node_tables(doc: &Table) -> impl Iterator<Item = &Table> {
    doc.get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
}

/// Flattens the sub-graphs of the nodes `doc` has now (those it gains are
/// flat already); `prefix` is the path of `doc` in the file, for messages.
fn flatten_at(
    doc: &mut Table,
    prefix: &str,
    depth: usize,
    include: &mut Include<'_>,
) -> Result<(), FlattenError> {
    let count = doc
        .get("nodes")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut problems = Vec::new();
    for i in 0..count {
        let Some(node) = doc["nodes"].as_array().and_then(|a| a[i].as_table()) else {
            continue;
        };
        let id = node
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let here = format!("{prefix}nodes[{i}] ({id})");
        let written = node
            .get("include")
            .and_then(Value::as_str)
            .map(str::to_string);
        let inline = node
            .get("graph")
            .and_then(Value::as_table)
            .filter(|g| g.contains_key("nodes") || g.contains_key("edges"))
            .cloned();
        let (mut sub, file, field) = match (written, inline) {
            (None, None) => continue,
            (Some(_), Some(_)) | (Some(_), None) if node.contains_key("graph") => {
                problems.push(problem(
                    format!("{here}.include"),
                    "give `include` (a file) or `graph` (inline), not both",
                ));
                continue;
            }
            (Some(path), _) => {
                if depth >= MAX_DEPTH {
                    problems.push(problem(
                        format!("{here}.include"),
                        format!("sub-graphs nest more than {MAX_DEPTH} levels deep"),
                    ));
                    continue;
                }
                match include(&path) {
                    Ok(sub) => (sub, Some(path), "include"),
                    Err(IncludeFailure::Here(message)) => {
                        problems.push(problem(format!("{here}.include"), message));
                        continue;
                    }
                    Err(IncludeFailure::There(e)) => return Err(FlattenError::Included(e)),
                }
            }
            (None, Some(mut graph)) => {
                if depth >= MAX_DEPTH {
                    problems.push(problem(
                        format!("{here}.graph"),
                        format!("sub-graphs nest more than {MAX_DEPTH} levels deep"),
                    ));
                    continue;
                }
                flatten_at(&mut graph, &format!("{here}.graph."), depth + 1, include)?;
                (graph, None, "graph")
            }
        };
        if sub
            .get("nodes")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
        {
            problems.push(problem(
                format!("{here}.{field}"),
                "the sub-graph has no nodes; give it at least one [[nodes]] entry",
            ));
            continue;
        }
        if let Err(message) = merge_resources(doc, &mut sub) {
            problems.push(problem(format!("{here}.{field}"), message));
            continue;
        }
        embed(doc, i, &id, sub, file);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(FlattenError::Problems(problems))
    }
}

/// Moves the (flat) sub-graph `sub` of node `i` (`id`) into `doc`: its nodes
/// and edges namespaced and appended, its defaults left on the node.
fn embed(doc: &mut Table, i: usize, id: &str, mut sub: Table, file: Option<String>) {
    let ns = |name: &str| Value::String(format!("{id}{SEP}{name}"));
    let mut nodes = take_array(&mut sub, "nodes");
    for n in nodes.iter_mut().filter_map(Value::as_table_mut) {
        rename(n, "id", &ns);
        rename(n, "loop_to", &ns);
        if let Some(after) = n.get_mut("after").and_then(Value::as_array_mut) {
            for a in after.iter_mut() {
                if let Some(name) = a.as_str() {
                    *a = ns(name);
                }
            }
        }
    }
    let mut edges = take_array(&mut sub, "edges");
    for e in edges.iter_mut().filter_map(Value::as_table_mut) {
        rename(e, "from", &ns);
        rename(e, "to", &ns);
    }
    let mut graph = Table::new();
    if let Some(file) = file {
        graph.insert("file".into(), Value::String(file));
    }
    if let Some(defaults) = sub
        .remove("defaults")
        .filter(|d| d.as_table().is_some_and(|t| !t.is_empty()))
    {
        graph.insert("defaults".into(), defaults);
    }
    let node = doc["nodes"].as_array_mut().expect("checked")[i]
        .as_table_mut()
        .expect("checked");
    node.remove("include");
    node.insert("graph".into(), Value::Table(graph));
    array(doc, "nodes").extend(nodes);
    if !edges.is_empty() {
        array(doc, "edges").extend(edges);
    }
}

fn rename(t: &mut Table, key: &str, ns: &dyn Fn(&str) -> Value) {
    if let Some(name) = t.get(key).and_then(Value::as_str) {
        let v = ns(name);
        t.insert(key.into(), v);
    }
}

fn take_array(t: &mut Table, key: &str) -> Vec<Value> {
    match t.remove(key) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

fn array<'a>(doc: &'a mut Table, key: &str) -> &'a mut Vec<Value> {
    let v = doc
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !v.is_array() {
        *v = Value::Array(Vec::new());
    }
    v.as_array_mut().expect("an array")
}

/// Adds the sub-graph's `[[resources]]` to `doc`'s; a resource both declare
/// must be declared alike (it is one pool, shared).
pub(super) fn merge_resources(doc: &mut Table, sub: &mut Table) -> Result<(), String> {
    let theirs = take_array(sub, "resources");
    for r in theirs {
        let id = r
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let ours = array(doc, "resources");
        match ours
            .iter()
            .find(|o| o.get("id").and_then(Value::as_str) == Some(id.as_str()))
        {
            Some(o) if *o == r => {}
            Some(_) => {
                return Err(format!(
                    "the sub-graph declares resource \"{id}\" unlike this scenario does; a resource with one id is one shared resource: declare it alike in both files, or rename one"
                ));
            }
            None => ours.push(r),
        }
    }
    Ok(())
}

/// Ids must stay unique once namespaced: `research/search` written by hand
/// in the including file clashes with node `search` of sub-graph `research`.
fn check_unique(doc: &Table, problems: &mut Vec<Problem>) {
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    for (k, n) in node_tables(doc).enumerate() {
        let Some(id) = n.get("id").and_then(Value::as_str) else {
            continue;
        };
        if let Some(first) = seen.insert(id, k) {
            let Some((top, _)) = id.split_once(SEP) else {
                continue; // plain duplicates are the compiler's to report
            };
            let index = node_tables(doc)
                .position(|n| n.get("id").and_then(Value::as_str) == Some(top))
                .unwrap_or(first);
            problems.push(problem(
                format!("nodes[{index}] ({top})"),
                format!(
                    "id clash after namespacing: two nodes are called \"{id}\" (one of them from the sub-graph \"{top}\"); rename one, e.g. \"{id}-2\""
                ),
            ));
        }
    }
}

/// Points problems found in the flat document at what the file says: a
/// problem of a namespaced node or edge (`nodes[9] (research/search).silent`)
/// is reported at the top-level sub-graph node that brought it in
/// (`nodes[2] (research).include`), naming the inner field in its message.
pub fn relocate(problems: &mut [Problem], doc: &Table) {
    for p in problems.iter_mut() {
        let Some((head, rest)) = split_entry(&p.field) else {
            continue;
        };
        let names: Vec<&str> = head.split("->").collect();
        let Some(top) = names.iter().find_map(|n| n.split_once(SEP).map(|(t, _)| t)) else {
            continue;
        };
        let Some((index, node)) = node_tables(doc)
            .enumerate()
            .find(|(_, n)| n.get("id").and_then(Value::as_str) == Some(top))
        else {
            continue;
        };
        let key = match node.get("graph").and_then(Value::as_table) {
            Some(g) if g.contains_key("file") => "include",
            _ => "graph",
        };
        p.message = format!("in sub-graph \"{top}\", {head}{rest}: {}", p.message);
        p.field = format!("nodes[{index}] ({top}).{key}");
    }
}

/// `nodes[9] (research/search).silent` → (`research/search`, `.silent`).
fn split_entry(field: &str) -> Option<(&str, &str)> {
    let rest = field
        .strip_prefix("nodes[")
        .or_else(|| field.strip_prefix("edges["))?;
    let open = rest.find("] (")?;
    let inner = &rest[open + 3..];
    let close = inner.find(')')?;
    Some((&inner[..close], &inner[close + 1..]))
}
