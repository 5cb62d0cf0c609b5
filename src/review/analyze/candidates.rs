//! Which what-ifs are worth simulating, read from the compiled scenario.
//!
//! The components are the file's `[[nodes]]` entries (a repeated entry is one
//! component: all its copies change together) and the hand-offs its `after`
//! lists name, in file order; each step's figures are the compiled ones, so a
//! hand-off's come from its own `[[edges]]` entry over `[defaults.edge]`.

use super::Change;
use crate::model::{EdgeId, Gate, Junction, Model, NodeKind, Step};
use crate::scenario::{NodeEntry, Scenario};

/// Where a what-if applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A `[[nodes]]` entry, by its index in [`Scenario::entries`].
    Node(usize),
    /// The hand-off `from->to` (ids as the file names them), by its model edge.
    HandOff {
        /// The model edge.
        edge: EdgeId,
        /// The sending entry's id.
        from: String,
        /// The receiving entry's id.
        to: String,
    },
}

/// One what-if to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Node id or hand-off `from->to`.
    pub component: String,
    /// What changes.
    pub change: Change,
    /// True when the component is a gate.
    pub is_gate: bool,
    /// Where the change applies.
    pub target: Target,
}

/// Every what-if worth simulating for `scenario`, in the order of its
/// components: perfect (where the step can fail, or is an imperfect gate),
/// one more retry (where it can fail loudly), a gate after it (a node
/// that is not a gate, or a hand-off that can corrupt silently), and, on a
/// node that runs its step once, a fallback (where it can fail loudly) and
/// a hedge at its p95 (where its latency has a tail).
pub fn candidates(scenario: &Scenario) -> Vec<Candidate> {
    let model = &scenario.model;
    let entries = &scenario.entries;
    let mut components: Vec<(String, Target, &Step, Option<&Gate>)> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let node = &model.nodes[entry.nodes[0]];
        let gate = node.gate.as_ref().filter(|_| node.kind == NodeKind::Gate);
        components.push((entry.id.clone(), Target::Node(i), &node.step, gate));
    }
    for entry in entries {
        for (from, edge) in &entry.inputs {
            let target = Target::HandOff {
                edge: *edge,
                from: from.clone(),
                to: entry.id.clone(),
            };
            let step = &model.edges[*edge].step;
            components.push((format!("{from}->{}", entry.id), target, step, None));
        }
    }
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let mut out = Vec::new();
    for (component, target, step, gate) in components {
        let is_gate = gate.is_some();
        let imperfect_gate = gate.is_some_and(|g| g.sensitivity < 1.0 || g.false_alarm > 0.0);
        let (silent, loud) = match &target {
            // A sub-graph can fail as its inside can.
            Target::Node(i) if is_subgraph(model, &entries[*i]) => inside_rates(model, &component),
            _ => (step.outcome.silent, step.outcome.loud),
        };
        let mut push = |change: Change| {
            out.push(Candidate {
                component: component.clone(),
                change,
                is_gate,
                target: target.clone(),
            })
        };
        if silent > 0.0 || loud > 0.0 || imperfect_gate {
            push(Change::Perfect);
        }
        if loud > 0.0 || step.timeout.is_some() {
            push(Change::OneMoreRetry);
        }
        // The inserted gate needs an id no node has.
        let gate_id = super::whatif::gate_id(&target, &component);
        let gate_fits = !ids.contains(&gate_id.as_str());
        let gate_after = match target {
            Target::HandOff { .. } => silent > 0.0,
            Target::Node(_) => !is_gate,
        };
        if gate_after && gate_fits {
            push(Change::GateAfter);
        }
        // Step patterns on a node that runs its step once per execution.
        let plain = matches!(&target, Target::Node(i) if runs_once(model, &entries[*i]));
        if plain && (loud > 0.0 || step.timeout.is_some()) && step.fallback.is_none() {
            push(Change::Fallback);
        }
        if plain
            && step.hedge.is_none()
            && step.latency.quantile(0.95) < step.latency.quantile(0.99)
        {
            push(Change::Hedge);
        }
    }
    out
}

/// True when `entry` is a plain node: neither a sub-graph nor a loop or fan-out.
fn runs_once(model: &Model, entry: &NodeEntry) -> bool {
    let node = &model.nodes[entry.nodes[0]];
    node.junction.is_none() && node.dynamic.is_none()
}

/// True when `entry` is a sub-graph node (compiled to an entry and an exit junction).
fn is_subgraph(model: &Model, entry: &NodeEntry) -> bool {
    matches!(model.nodes[entry.nodes[0]].junction, Some(Junction::Entry))
}

/// The largest silent and loud rates of the steps inside sub-graph `id` (a
/// gate inside that is not perfect counts as silent): non-zero when making
/// the inside perfect, or retrying the sub-graph, can change anything.
fn inside_rates(model: &Model, id: &str) -> (f64, f64) {
    let prefix = format!("{id}/");
    let (mut silent, mut loud) = (0.0_f64, 0.0_f64);
    for exec in 0..model.exec_count() {
        let node = match model.nodes.get(exec) {
            Some(node) => node,
            None => &model.nodes[model.edges[exec - model.nodes.len()].to],
        };
        if !node.id.starts_with(&prefix) {
            continue;
        }
        let step = model.step(exec);
        let gate_misses = node
            .gate
            .as_ref()
            .filter(|_| exec < model.nodes.len())
            .is_some_and(|g| g.sensitivity < 1.0 || g.false_alarm > 0.0);
        let timeout = if step.timeout.is_some() { 1.0 } else { 0.0 };
        silent = silent
            .max(step.outcome.silent)
            .max(if gate_misses { 1.0 } else { 0.0 });
        loud = loud.max(step.outcome.loud).max(timeout);
    }
    (silent, loud)
}
