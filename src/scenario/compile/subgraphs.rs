//! Stage 3a: sub-graphs in the flat document (see [`crate::scenario::flatten`]).
//!
//! A node `S` with `graph = { ... }` stands for the nodes whose ids are
//! namespaced `S/...`. It compiles to two junctions around them: an entry
//! `S#in` that takes `S`'s inputs by `S`'s merge policy and hands them to
//! the sub-graph's sources, and an exit `S` that is done when all the
//! sub-graph's outputs are (wrong if one is) and that retries the whole
//! sub-graph on a loud failure, by `S`'s `retry`. Names follow `repeat`: `S`
//! in `after` and `[[edges]] from` is the exit, in `loop_to` and `[[edges]]
//! to` the entry. A sub-graph is a closed box: its nodes depend only on each
//! other, and the rest of the graph only on `S`.

use std::collections::HashMap;

use super::super::file::{KindSpec, NodeSpec, ScenarioFile};
use super::super::problem::Problems;
use super::gates::loop_region;
use crate::model::{Edge, Junction, Node, SubgraphRun};

/// The suffix of a sub-graph's entry junction: `research#in`.
pub const ENTRY_SUFFIX: &str = "#in";

/// Longest namespaced id (each name in it at most 100 characters).
pub const MAX_ID_LEN: usize = 200;

/// The sub-graph an id belongs to: `research` for `research/search`, empty
/// for a top-level id.
pub fn namespace(id: &str) -> &str {
    id.rsplit_once('/').map_or("", |(ns, _)| ns)
}

/// What the junctions of each sub-graph connect.
pub struct Plumbing<'a> {
    /// A sub-graph's id → its outputs (members nothing in it depends on).
    pub sinks: HashMap<&'a str, Vec<String>>,
}

/// Finds each sub-graph's outputs.
pub fn plumbing(file: &ScenarioFile) -> Plumbing<'_> {
    let mut named: HashMap<&str, bool> = HashMap::new();
    for n in &file.nodes {
        for a in &n.after {
            named.insert(a.as_str(), true);
        }
    }
    let mut sinks: HashMap<&str, Vec<String>> = HashMap::new();
    for n in file.nodes.iter().filter(|n| n.graph.is_some()) {
        sinks.insert(n.id.as_str(), Vec::new());
    }
    for n in &file.nodes {
        let ns = namespace(&n.id);
        if let Some(list) = sinks.get_mut(ns)
            && !ns.is_empty()
            && !named.contains_key(n.id.as_str())
        {
            list.push(n.id.clone());
        }
    }
    Plumbing { sinks }
}

/// Checks sub-graph nodes and the boundaries of sub-graphs; true when all is well.
pub fn check_subgraphs(file: &ScenarioFile, p: &mut Problems) -> bool {
    let before = p.len();
    let subgraphs: HashMap<&str, usize> = file
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.graph.is_some())
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let mut members: HashMap<&str, usize> = HashMap::new();
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        let ns = namespace(&n.id);
        if !ns.is_empty() {
            if subgraphs.contains_key(ns) {
                *members.entry(ns).or_default() += 1;
            } else {
                p.add(
                    format!("{path}.id"),
                    format!(
                        "\"{}\" names sub-graph \"{ns}\", and no node \"{ns}\" has a `graph`; `/` joins a sub-graph node's id and the ids of its nodes",
                        n.id
                    ),
                );
            }
        }
        check_node(n, &path, p);
        for a in &n.after {
            check_boundary(&n.id, a, &format!("{path}.after"), p);
        }
        if let Some(to) = &n.loop_to {
            check_boundary(&n.id, to, &format!("{path}.loop_to"), p);
        }
    }
    for (k, e) in file.edges.iter().enumerate() {
        let path = format!("edges[{k}] ({}->{})", e.from, e.to);
        check_boundary(&e.to, &e.from, &path, p);
    }
    for (&s, &i) in &subgraphs {
        if !members.contains_key(s) {
            p.add(
                format!("nodes[{i}] ({s}).graph"),
                "the sub-graph has no nodes; give `include = \"file.toml\"` or `graph = { nodes = [...] }`",
            );
        }
    }
    p.len() == before
}

/// What a node may say about sub-graphs, and what a sub-graph node may say.
fn check_node(n: &NodeSpec, path: &str, p: &mut Problems) {
    if n.include.is_some() {
        p.add(
            format!("{path}.include"),
            "sub-graph files are read with the scenario file; `include` cannot be set by --set, --vary or a variant: change the file",
        );
    }
    let Some(graph) = &n.graph else { return };
    if !graph.nodes.is_empty() || !graph.edges.is_empty() {
        p.add(
            format!("{path}.graph"),
            "inline graphs are flattened when the scenario file is read; `graph.nodes` and `graph.edges` cannot be set by --set, --vary or a variant: change the file",
        );
    }
    if n.kind == KindSpec::Gate {
        p.add(
            format!("{path}.kind"),
            "a gate cannot be a sub-graph; put the gate inside it or after it",
        );
    }
    if n.repeat.is_some() {
        p.add(
            format!("{path}.repeat"),
            "a sub-graph cannot be repeated; repeat a node inside it",
        );
    }
    let s = n.step();
    let set = [
        ("silent", s.silent.is_some()),
        ("loud", s.loud.is_some()),
        ("persistence", s.persistence.is_some()),
        ("latency", s.latency.is_some()),
        ("timeout", s.timeout.is_some()),
        ("cost", s.cost.is_some()),
        ("tokens", s.tokens.is_some()),
        ("resource", s.resource.is_some()),
        ("priority", s.priority.is_some()),
        ("transfer", s.transfer.is_some()),
    ];
    for (field, _) in set.iter().filter(|(_, set)| *set) {
        p.add(
            format!("{path}.{field}"),
            format!(
                "a sub-graph's work is done by its nodes; set `{field}` on them (e.g. nodes.{}/<node>.{field}); a sub-graph node takes `after`, `merge` and `retry` (re-runs of the whole sub-graph)",
                n.id
            ),
        );
    }
}

/// `other`, named at `field` of (or with) `id`, must lie in the same sub-graph.
fn check_boundary(id: &str, other: &str, field: &str, p: &mut Problems) {
    let (mine, theirs) = (namespace(id), namespace(other));
    if mine == theirs {
        return;
    }
    let message = if theirs.is_empty() {
        format!(
            "\"{other}\" is outside sub-graph \"{mine}\"; a sub-graph's nodes connect only to each other: its inputs come in through \"{mine}\"'s `after`"
        )
    } else {
        format!(
            "\"{other}\" is inside sub-graph \"{theirs}\"; from outside, a sub-graph is one node: name \"{theirs}\" instead"
        )
    };
    p.add(field, message);
}

/// Fills in each sub-graph exit's run: its entry, and the nodes and edges
/// between the two (everything downstream of the entry and upstream of the
/// exit is the sub-graph).
pub fn attach_runs(nodes: &mut [Node], edges: &[Edge]) {
    let entry_of: HashMap<String, usize> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n.junction, Some(Junction::Entry)))
        .map(|(i, n)| (n.id.trim_end_matches(ENTRY_SUFFIX).to_string(), i))
        .collect();
    for exit in 0..nodes.len() {
        if !matches!(nodes[exit].junction, Some(Junction::Exit(_))) {
            continue;
        }
        let entry = entry_of[&nodes[exit].id];
        let (region, region_edges) = loop_region(entry, exit, nodes, edges);
        let gates = region
            .iter()
            .copied()
            .filter(|&g| nodes[g].gate.is_some())
            .collect();
        nodes[exit].junction = Some(Junction::Exit(Box::new(SubgraphRun {
            entry,
            region,
            region_edges,
            gates,
        })));
    }
}
