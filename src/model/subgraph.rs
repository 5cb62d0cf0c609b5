//! The two junctions a sub-graph node compiles to (see
//! [`crate::scenario::compile`]'s sub-graph stage): its entry, which hands
//! its inputs to the sub-graph's sources, and its exit, which is done when
//! the sub-graph's outputs are and re-runs the whole sub-graph on a loud
//! failure, by the exit's retry policy. Junctions take no time, cost nothing
//! and draw nothing: their work is the sub-graph's.

use super::{EdgeId, NodeId};

/// What a junction node does.
#[derive(Debug, Clone)]
pub enum Junction {
    /// Where a sub-graph starts (`S#in`).
    Entry,
    /// Where a sub-graph ends (`S`), with what a re-run resets.
    Exit(Box<SubgraphRun>),
}

/// What one run of a sub-graph covers: re-running it resets all of this.
#[derive(Debug, Clone)]
pub struct SubgraphRun {
    /// The entry junction.
    pub entry: NodeId,
    /// Nodes from the entry to the exit, both included.
    pub region: Vec<NodeId>,
    /// Edges whose both ends lie in `region`.
    pub region_edges: Vec<EdgeId>,
    /// Gates in `region`: a fresh run gets fresh loop budgets.
    pub gates: Vec<NodeId>,
}
