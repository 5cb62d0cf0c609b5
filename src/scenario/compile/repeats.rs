//! Stage 3: `repeat = N` nodes expanded into N copies in series, ids checked,
//! and the names `after`, `[[edges]]` and `loop_to` use resolved to copies.

use std::collections::{HashMap, HashSet};

use super::super::file::{KindSpec, NodeSpec, ScenarioFile};
use super::super::problem::{Problems, nearest};
use super::MAX_NODES;

/// One node after `repeat` expansion, before topological ordering.
pub struct Expanded<'a> {
    /// `id`, or `id#k` for the k-th copy of a repeated node.
    pub id: String,
    /// The `[[nodes]]` entry it came from.
    pub spec: &'a NodeSpec,
    /// Index of that entry.
    pub template: usize,
    /// Path used in messages, e.g. `nodes[3] (generate)`.
    pub path: String,
    /// Copy number of a repeated node (1 for the first copy and for nodes without `repeat`).
    pub copy: u64,
    /// The names it depends on: the entry's `after` for a first copy, the copy before for the others.
    pub after: Vec<String>,
    /// What it is in a sub-graph's plumbing.
    pub role: Role,
    /// The sub-graph it belongs to (its id's namespace; empty at the top):
    /// its hand-offs take that sub-graph's edge defaults.
    pub scope: String,
}

/// A node of the graph, or one end of a sub-graph node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A node that does work (or a gate).
    Plain,
    /// Where a sub-graph `S` starts (`S#in`): takes `S`'s inputs by its merge
    /// policy and passes them to the sub-graph's sources.
    Entry,
    /// Where a sub-graph `S` ends (`S` itself): done when its outputs are,
    /// and where its retries are decided.
    Exit,
}

/// The expanded nodes, in file order, and how names resolve to them.
pub struct Expansion<'a> {
    /// Every copy of every entry.
    pub nodes: Vec<Expanded<'a>>,
    /// A repeated entry's id → its first and last copy.
    templates: HashMap<String, (usize, usize)>,
    /// An expanded node's id → its index.
    index: HashMap<String, usize>,
    /// The entries' ids, for "did you mean".
    pub known: Vec<&'a str>,
}

impl Expansion<'_> {
    /// The node an edge *from* `id` leaves: a repeated entry's last copy.
    pub fn last(&self, id: &str) -> Option<usize> {
        self.templates
            .get(id)
            .map(|&(_, last)| last)
            .or_else(|| self.index.get(id).copied())
    }

    /// The node an edge *to* `id` reaches: a repeated entry's first copy.
    pub fn first(&self, id: &str) -> Option<usize> {
        self.templates
            .get(id)
            .map(|&(first, _)| first)
            .or_else(|| self.index.get(id).copied())
    }

    /// "no node X; did you mean Y?" for a name that resolves to nothing.
    pub fn unknown_node(&self, id: &str) -> String {
        match nearest(id, self.known.iter().copied()) {
            Some(near) => format!("no node \"{id}\"; did you mean \"{near}\"?"),
            None => format!("no node \"{id}\"; known nodes: {}", self.known.join(", ")),
        }
    }
}

/// Expands `repeat = N` nodes into N copies in series and checks ids;
/// `None` when the graph is empty or an id or repeat count is wrong.
pub fn expand_repeats<'a>(file: &'a ScenarioFile, p: &mut Problems) -> Option<Expansion<'a>> {
    if file.nodes.is_empty() {
        p.add(
            "nodes",
            "the graph is empty; add at least one [[nodes]] entry",
        );
        return None;
    }
    if !check_entries(file, p) || !super::subgraphs::check_subgraphs(file, p) {
        return None;
    }
    let plumbing = super::subgraphs::plumbing(file);
    let mut templates = HashMap::new();
    let mut nodes = Vec::new();
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        let scope = super::subgraphs::namespace(&n.id).to_string();
        // A source of a sub-graph starts from the sub-graph's entry.
        let after = if n.after.is_empty() && !scope.is_empty() {
            vec![format!("{scope}{}", super::subgraphs::ENTRY_SUFFIX)]
        } else {
            n.after.clone()
        };
        if n.graph.is_some() {
            let first = nodes.len();
            nodes.push(Expanded {
                id: format!("{}{}", n.id, super::subgraphs::ENTRY_SUFFIX),
                spec: n,
                template: i,
                path: path.clone(),
                copy: 1,
                after: after.clone(),
                role: Role::Entry,
                scope: scope.clone(),
            });
            nodes.push(Expanded {
                id: n.id.clone(),
                spec: n,
                template: i,
                path,
                copy: 2,
                after: plumbing
                    .sinks
                    .get(n.id.as_str())
                    .cloned()
                    .unwrap_or_default(),
                role: Role::Exit,
                scope,
            });
            templates.insert(n.id.clone(), (first, first + 1));
            continue;
        }
        match n.repeat {
            None => nodes.push(Expanded {
                id: n.id.clone(),
                spec: n,
                template: i,
                path,
                copy: 1,
                after,
                role: Role::Plain,
                scope,
            }),
            Some(copies) => {
                let first = nodes.len();
                for k in 1..=copies {
                    let after = if k == 1 {
                        after.clone()
                    } else {
                        vec![format!("{}#{}", n.id, k - 1)]
                    };
                    nodes.push(Expanded {
                        id: format!("{}#{k}", n.id),
                        spec: n,
                        template: i,
                        path: path.clone(),
                        copy: k,
                        after,
                        role: Role::Plain,
                        scope: scope.clone(),
                    });
                }
                templates.insert(n.id.clone(), (first, nodes.len() - 1));
            }
        }
    }
    let index = nodes
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    Some(Expansion {
        nodes,
        templates,
        index,
        known: file.nodes.iter().map(|n| n.id.as_str()).collect(),
    })
}

/// Checks ids (valid, unique) and repeat counts (in range, not on gates, not
/// too many in all); true when all is well.
fn check_entries(file: &ScenarioFile, p: &mut Problems) -> bool {
    let before = p.len();
    let mut total: u64 = 0;
    let mut seen = HashSet::new();
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        let valid_segment = |s: &str| {
            !s.is_empty()
                && s.len() <= 100
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        };
        let valid_id =
            n.id.len() <= super::subgraphs::MAX_ID_LEN && n.id.split('/').all(valid_segment);
        if !valid_id {
            p.add(
                format!("{path}.id"),
                format!(
                    "is {:?}; allowed: 1 to 100 of A-Z a-z 0-9 - _ (and, in a sub-graph, such names joined by / as in \"research/search\", at most {} in all)",
                    n.id,
                    super::subgraphs::MAX_ID_LEN
                ),
            );
        }
        if !seen.insert(n.id.as_str()) {
            p.add(
                format!("{path}.id"),
                format!(
                    "\"{}\" is used by an earlier node; ids must be unique",
                    n.id
                ),
            );
        }
        let copies = n.repeat.unwrap_or(1);
        if n.repeat.is_some() && !(1..=MAX_NODES).contains(&copies) {
            p.add(
                format!("{path}.repeat"),
                format!("is {copies}; allowed: 1 to {MAX_NODES}"),
            );
        }
        if n.repeat.is_some() && n.kind == KindSpec::Gate {
            p.add(
                format!("{path}.repeat"),
                "a gate cannot be repeated; repeat the stage before it",
            );
        }
        total = total.saturating_add(copies);
    }
    if total > MAX_NODES {
        p.add(
            "nodes",
            format!("expand to {total} nodes; allowed: at most {MAX_NODES}"),
        );
    }
    p.len() == before
}
