//! Stage 5: the hand-offs, one per dependency, each with the `[defaults.edge]`
//! step unless an `[[edges]]` entry configures it.

use std::collections::{HashMap, HashSet};

use super::super::file::ScenarioFile;
use super::super::problem::Problems;
use super::order::Order;
use super::repeats::{Expansion, Role};
use super::steps::Steps;
use crate::model::{Edge, EdgeId, NodeId, Step};

/// The model's edges and, per model node, its incoming and outgoing ones.
pub struct Wiring {
    /// One edge per dependency, in the order of their targets.
    pub edges: Vec<Edge>,
    /// `inputs[node]`: edges into the node, in `after` order.
    pub inputs: Vec<Vec<EdgeId>>,
    /// `outputs[node]`: edges out of the node.
    pub outputs: Vec<Vec<EdgeId>>,
    /// The edge from one model node to another.
    pub edge_of: HashMap<(NodeId, NodeId), EdgeId>,
}

/// Builds one edge per dependency with the default hand-off step, then gives
/// each edge an `[[edges]]` entry names its own step.
pub fn wire_edges(
    file: &ScenarioFile,
    expansion: &Expansion,
    order: &Order,
    steps: &Steps,
    p: &mut Problems,
) -> Wiring {
    let mut wiring = default_wiring(expansion, order, steps);
    configure_edges(file, expansion, order, steps, &mut wiring, p);
    wiring
}

/// Every dependency as an edge with the `[defaults.edge]` step of its
/// sub-graph (inside one) or of the file; a sub-graph's plumbing (from its
/// entry to its sources, from its outputs to its exit) is instant.
fn default_wiring(expansion: &Expansion, order: &Order, steps: &Steps) -> Wiring {
    let n = order.order.len();
    let mut w = Wiring {
        edges: Vec::new(),
        inputs: vec![Vec::new(); n],
        outputs: vec![Vec::new(); n],
        edge_of: HashMap::new(),
    };
    for &old in &order.order {
        let to = order.position[old];
        let target = &expansion.nodes[old];
        for &dep in &order.deps[old] {
            let from = order.position[dep];
            let id = w.edges.len();
            let plumbing = target.role == Role::Exit || expansion.nodes[dep].role == Role::Entry;
            let default = if target.scope.is_empty() {
                &steps.default_edge
            } else {
                steps.scope_edges.get(&target.scope).unwrap_or(&None)
            };
            let step = match default {
                Some(step) if !plumbing => step.clone(),
                _ => Step::instant(),
            };
            w.edges.push(Edge { from, to, step });
            w.edge_of.insert((from, to), id);
            w.inputs[to].push(id);
            w.outputs[from].push(id);
        }
    }
    w
}

/// Gives each `[[edges]]` entry's step to the hand-off it names (from the
/// last copy of `from` to the first copy of `to`), checking that it exists
/// and is configured once.
fn configure_edges(
    file: &ScenarioFile,
    expansion: &Expansion,
    order: &Order,
    steps: &Steps,
    wiring: &mut Wiring,
    p: &mut Problems,
) {
    let mut configured = HashSet::new();
    for (k, spec) in file.edges.iter().enumerate() {
        let path = format!("edges[{k}] ({}->{})", spec.from, spec.to);
        let from = expansion.last(&spec.from);
        let to = expansion.first(&spec.to);
        if from.is_none() {
            p.add(format!("{path}.from"), expansion.unknown_node(&spec.from));
        }
        if to.is_none() {
            p.add(format!("{path}.to"), expansion.unknown_node(&spec.to));
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let key = (order.position[from], order.position[to]);
        let Some(&id) = wiring.edge_of.get(&key) else {
            p.add(
                path,
                format!(
                    "there is no such hand-off: node \"{}\" does not list \"{}\" in its `after`",
                    spec.to, spec.from
                ),
            );
            continue;
        };
        if !configured.insert(id) {
            p.add(path, "this edge is configured twice");
            continue;
        }
        if let Some(step) = &steps.edges[k] {
            wiring.edges[id].step = step.clone();
        }
    }
}
