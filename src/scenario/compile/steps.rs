//! Stage 2: the step fields of every node and edge, with edge-default
//! inheritance. They need no graph, so their problems are reported even when
//! the graph itself is broken.

use std::collections::HashMap;

use super::super::dynamic::compile_dynamic;
use super::super::file::{ScenarioFile, StepSpec};
use super::super::problem::Problems;
use super::super::resources::{ResourceIndex, resolve_use};
use super::super::step::compile_step;
use super::subgraphs::namespace;
use crate::model::{Dynamic, Step};

/// The compiled steps of the file's entries (`None` where a step has problems).
pub struct Steps {
    /// One per `[[nodes]]` entry, in file order (shared by a repeated node's copies).
    pub nodes: Vec<Option<Step>>,
    /// One per `[[nodes]]` entry: its `loop` or `fan_out`, if it has one.
    pub dynamics: Vec<Option<Box<Dynamic>>>,
    /// `[defaults.edge]`: the step of every hand-off no `[[edges]]` entry configures.
    pub default_edge: Option<Step>,
    /// A sub-graph's id → its `graph.defaults.edge`, for the hand-offs inside it.
    pub scope_edges: HashMap<String, Option<Step>>,
    /// One per `[[edges]]` entry, in file order: its own fields over `[defaults.edge]`.
    pub edges: Vec<Option<Step>>,
}

/// Checks and compiles every step of `file`, resolving the resources it uses.
pub fn compile_steps(file: &ScenarioFile, resources: &ResourceIndex, p: &mut Problems) -> Steps {
    let dynamics: Vec<_> = file
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| compile_dynamic(n, &format!("nodes[{i}] ({})", n.id), p))
        .collect();
    let mut step_of = |spec: &StepSpec, path: &str| {
        let step = compile_step(spec, path, p);
        let resource = resolve_use(spec, path, resources, p);
        step.map(|s| Step { resource, ..s })
    };
    let nodes = file
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| step_of(&n.step(), &format!("nodes[{i}] ({})", n.id)))
        .collect();
    let default_spec = file.defaults.edge.clone().unwrap_or_default();
    let default_edge = step_of(&default_spec, "defaults.edge");
    // A sub-graph's hand-offs take its own defaults, as when it runs alone.
    let mut scope_specs: HashMap<&str, StepSpec> = HashMap::new();
    let mut scope_edges = HashMap::new();
    for (i, n) in file.nodes.iter().enumerate() {
        if let Some(graph) = &n.graph {
            let spec = graph.defaults.edge.clone().unwrap_or_default();
            let path = format!("nodes[{i}] ({}).graph.defaults.edge", n.id);
            scope_edges.insert(n.id.clone(), step_of(&spec, &path));
            scope_specs.insert(n.id.as_str(), spec);
        }
    }
    let edges = file
        .edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let path = format!("edges[{k}] ({}->{})", e.from, e.to);
            let defaults = scope_specs.get(namespace(&e.to)).unwrap_or(&default_spec);
            step_of(&defaults.overlay(&e.step()), &path)
        })
        .collect();
    Steps {
        nodes,
        dynamics,
        default_edge,
        scope_edges,
        edges,
    }
}
