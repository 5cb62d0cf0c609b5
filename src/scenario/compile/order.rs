//! Stage 4: the dependencies named by `after`, resolved and put in
//! topological order; dangling references and cycles are reported here.

use std::collections::{BTreeSet, HashSet};

use super::super::problem::Problems;
use super::repeats::Expansion;

/// The dependency graph of the expanded nodes and their topological order.
pub struct Order {
    /// `deps[i]`: the expanded nodes node `i` depends on, in `after` order.
    pub deps: Vec<Vec<usize>>,
    /// Expanded indices in topological order.
    pub order: Vec<usize>,
    /// `position[i]`: where expanded node `i` stands in `order` (its model index).
    pub position: Vec<usize>,
}

/// Resolves every `after` and orders the graph; `None` when a reference
/// dangles or the dependencies form a cycle (a graph that cannot be ordered).
pub fn resolve_order(expansion: &Expansion, p: &mut Problems) -> Option<Order> {
    let deps = resolve_dependencies(expansion, p)?;
    let Some(order) = topological_order(&deps) else {
        let cyclic = nodes_on_cycles(&deps);
        let names: Vec<&str> = cyclic
            .iter()
            .map(|&i| expansion.nodes[i].id.as_str())
            .collect();
        p.add(
            format!("{}.after", expansion.nodes[cyclic[0]].path),
            format!(
                "the dependencies form a cycle through {}; the graph must be acyclic, loops are made with a gate's `loop_to`",
                names.join(", ")
            ),
        );
        return None;
    };
    let mut position = vec![0; order.len()];
    for (pos, &old) in order.iter().enumerate() {
        position[old] = pos;
    }
    Some(Order {
        deps,
        order,
        position,
    })
}

/// Each expanded node's dependencies (a repeated entry named in `after` means
/// its last copy); `None` if any reference dangles.
fn resolve_dependencies(expansion: &Expansion, p: &mut Problems) -> Option<Vec<Vec<usize>>> {
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); expansion.nodes.len()];
    let before = p.len();
    for (i, e) in expansion.nodes.iter().enumerate() {
        let mut seen = HashSet::new();
        for dep in &e.after {
            match expansion.last(dep) {
                Some(j) if j == i => p.add(
                    format!("{}.after", e.path),
                    "a node cannot depend on itself",
                ),
                Some(j) => {
                    if !seen.insert(j) {
                        p.add(
                            format!("{}.after", e.path),
                            format!("lists \"{dep}\" twice"),
                        );
                    } else {
                        deps[i].push(j);
                    }
                }
                None => p.add(format!("{}.after", e.path), expansion.unknown_node(dep)),
            }
        }
    }
    // A graph with dangling references cannot be ordered or searched for loops.
    (p.len() == before).then_some(deps)
}

/// Kahn's algorithm, smallest index first so the order is stable; `None` on a cycle.
fn topological_order(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    let n = deps.len();
    let mut indegree: Vec<usize> = deps.iter().map(Vec::len).collect();
    let dependents = dependents(deps);
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &dependents[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.insert(j);
            }
        }
    }
    (order.len() == n).then_some(order)
}

/// `dependents[d]`: the nodes that depend on `d`.
fn dependents(deps: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut dependents = vec![Vec::new(); deps.len()];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    dependents
}

/// Nodes on a cycle: what is left after repeatedly peeling off nodes with no
/// remaining dependency or no remaining dependent.
fn nodes_on_cycles(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let dependents = dependents(deps);
    let mut n_deps: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut n_dependents: Vec<usize> = dependents.iter().map(Vec::len).collect();
    let mut alive = vec![true; n];
    let mut peel: Vec<usize> = (0..n)
        .filter(|&i| n_deps[i] == 0 || n_dependents[i] == 0)
        .collect();
    while let Some(i) = peel.pop() {
        if !alive[i] {
            continue;
        }
        alive[i] = false;
        for &j in &dependents[i] {
            n_deps[j] -= 1;
            if alive[j] && n_deps[j] == 0 {
                peel.push(j);
            }
        }
        for &d in &deps[i] {
            n_dependents[d] -= 1;
            if alive[d] && n_dependents[d] == 0 {
                peel.push(d);
            }
        }
    }
    (0..n).filter(|&i| alive[i]).collect()
}
