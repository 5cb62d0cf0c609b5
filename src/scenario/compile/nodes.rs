//! Stage 6: the model's nodes in topological order, with their steps and
//! fan-in (merge) policies.

use super::super::file::{KindSpec, MergeSpec};
use super::super::problem::Problems;
use super::order::Order;
use super::repeats::{Expanded, Expansion, Role};
use super::steps::Steps;
use super::wiring::Wiring;
use crate::model::{Junction, Merge, Node, NodeKind, Step, SubgraphRun};

/// The nodes in topological order, without gates (attached by the next stage).
pub fn build_nodes(
    expansion: &Expansion,
    order: &Order,
    steps: &Steps,
    wiring: &Wiring,
    p: &mut Problems,
) -> Vec<Node> {
    let mut nodes = Vec::with_capacity(order.order.len());
    for &old in &order.order {
        let e = &expansion.nodes[old];
        let pos = order.position[old];
        let step = match e.role {
            Role::Entry => Step::instant(),
            _ => steps.nodes[e.template]
                .clone()
                .unwrap_or_else(Step::instant),
        };
        // The exit's region is filled in once the graph is complete.
        let junction = match e.role {
            Role::Plain => None,
            Role::Entry => Some(Junction::Entry),
            Role::Exit => Some(Junction::Exit(Box::new(SubgraphRun {
                entry: pos,
                region: Vec::new(),
                region_edges: Vec::new(),
                gates: Vec::new(),
            }))),
        };
        let merge = compile_merge(e, wiring.inputs[pos].len(), p);
        nodes.push(Node {
            id: e.id.clone(),
            kind: kind_of(e.spec.kind),
            step,
            inputs: wiring.inputs[pos].clone(),
            outputs: wiring.outputs[pos].clone(),
            merge,
            gate: None,
            junction,
            dynamic: steps.dynamics[e.template].clone(),
        });
    }
    nodes
}

fn kind_of(kind: KindSpec) -> NodeKind {
    match kind {
        KindSpec::Llm | KindSpec::Agent => NodeKind::Llm,
        KindSpec::Tool => NodeKind::Tool,
        KindSpec::Retrieval => NodeKind::Retrieval,
        KindSpec::Gate => NodeKind::Gate,
        KindSpec::Aggregate => NodeKind::Aggregate,
    }
}

/// Checks a node's `merge` against its number of inputs.
fn compile_merge(e: &Expanded, n_inputs: usize, p: &mut Problems) -> Merge {
    // Copies after the first of a repeated node have one input, the copy before.
    let Some(spec) = e.spec.merge.as_ref().filter(|_| e.copy == 1) else {
        return Merge::All;
    };
    if n_inputs == 0 {
        p.add(
            format!("{}.merge", e.path),
            "a merge policy needs inputs; this node has no `after`",
        );
        return Merge::All;
    }
    // A fan-in policy without a fan-out: one input, nothing to choose among.
    if n_inputs == 1 && *spec != MergeSpec::All {
        p.add(
            format!("{}.merge", e.path),
            format!(
                "\"any\", {{ k = N }} and {{ vote = K }} choose among parallel inputs, and this node has one (after = [\"{}\"]); \
                 list the parallel branches in `after`, or remove `merge`",
                e.after.join("\", \"")
            ),
        );
        return Merge::All;
    }
    let mut count = |field: &str, k: u64, example: &str| {
        if (1..=n_inputs as u64).contains(&k) {
            return Some(k as u32);
        }
        p.add(
            format!("{}.merge.{field}", e.path),
            format!("is {k}; allowed: 1 to {n_inputs} (the number of inputs), e.g. {example}"),
        );
        None
    };
    let merge = match spec {
        MergeSpec::All => Some(Merge::All),
        MergeSpec::Any => Some(Merge::Any),
        MergeSpec::KOfN { k } => count("k", *k, "{ k = 1 }").map(Merge::KOfN),
        MergeSpec::Vote { k } => {
            let majority = n_inputs / 2 + 1;
            count("vote", *k, &format!("{{ vote = {majority} }} (a majority)")).map(Merge::Vote)
        }
    };
    merge.unwrap_or(Merge::All)
}
