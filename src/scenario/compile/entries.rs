//! Stage 8: what each `[[nodes]]` entry became in the model, so that tools
//! working on the compiled model (reviews) can name components as the file
//! does.

use super::order::Order;
use super::repeats::Expansion;
use super::wiring::Wiring;
use crate::model::{EdgeId, NodeId};

/// A `[[nodes]]` entry as compiled.
#[derive(Debug, Clone)]
pub struct NodeEntry {
    /// The entry's id.
    pub id: String,
    /// Its model nodes: one, or the copies of a repeated entry in order.
    pub nodes: Vec<NodeId>,
    /// The hand-offs its `after` names, in order: the sending entry's id and
    /// the model edge (from that entry's last copy into this one's first).
    pub inputs: Vec<(String, EdgeId)>,
}

/// One [`NodeEntry`] per `[[nodes]]` entry, in file order.
pub fn node_entries(expansion: &Expansion, order: &Order, wiring: &Wiring) -> Vec<NodeEntry> {
    let mut entries: Vec<NodeEntry> = Vec::new();
    for (i, e) in expansion.nodes.iter().enumerate() {
        if entries.len() == e.template {
            let first = order.position[i];
            let inputs = e
                .spec
                .after
                .iter()
                .map(|dep| {
                    let from = order.position[expansion.last(dep).expect("resolved")];
                    (dep.clone(), wiring.edge_of[&(from, first)])
                })
                .collect();
            entries.push(NodeEntry {
                id: e.spec.id.clone(),
                nodes: Vec::new(),
                inputs,
            });
        }
        entries[e.template].nodes.push(order.position[i]);
    }
    entries
}
