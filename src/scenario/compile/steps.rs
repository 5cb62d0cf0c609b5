//! Stage 2: the step fields of every node and edge, with edge-default
//! inheritance. They need no graph, so their problems are reported even when
//! the graph itself is broken.

use std::collections::HashMap;

use super::super::dynamic::compile_dynamic;
use super::super::file::{NodeSpec, ScenarioFile, StepSpec};
use super::super::patterns::{refuse_fallback_cycles, with_fallbacks};
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
    let mut one_step = |spec: &StepSpec, path: &str, p: &mut Problems| {
        let step = compile_step(spec, path, p);
        let resource = resolve_use(spec, path, resources, p);
        step.map(|s| Step { resource, ..s })
    };
    // Every `[steps.NAME]` definition is checked, whether a fallback names it or not.
    refuse_fallback_cycles(&file.steps, p);
    for (name, def) in &file.steps {
        with_fallbacks(
            def,
            &format!("steps.{name}"),
            Some(name),
            &file.steps,
            &mut one_step,
            p,
        );
    }
    let mut step_of = |spec: &StepSpec, path: &str, p: &mut Problems| {
        with_fallbacks(spec, path, None, &file.steps, &mut one_step, p)
    };
    let mut nodes = Vec::with_capacity(file.nodes.len());
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        let step = step_of(&n.step(), &path, p);
        nodes.push(patterns_fit_node(n, &path, step, p));
    }
    let default_spec = file.defaults.edge.clone().unwrap_or_default();
    let default_edge = step_of(&default_spec, "defaults.edge", p);
    // A sub-graph's hand-offs take its own defaults, as when it runs alone.
    let mut scope_specs: HashMap<&str, StepSpec> = HashMap::new();
    let mut scope_edges = HashMap::new();
    for (i, n) in file.nodes.iter().enumerate() {
        if let Some(graph) = &n.graph {
            let spec = graph.defaults.edge.clone().unwrap_or_default();
            let path = format!("nodes[{i}] ({}).graph.defaults.edge", n.id);
            scope_edges.insert(n.id.clone(), step_of(&spec, &path, p));
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
            step_of(&defaults.overlay(&e.step()), &path, p)
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

/// A fallback, hedge or cache on a node that runs its step several times
/// (`loop`, `fan_out`) or stands for a sub-graph (`include`, `graph`) is
/// refused: their attempts are not one step's.
fn patterns_fit_node(
    n: &NodeSpec,
    path: &str,
    step: Option<Step>,
    p: &mut Problems,
) -> Option<Step> {
    let step = step?;
    if !step.has_patterns() {
        return Some(step);
    }
    let what = if n.agent_loop.is_some() {
        "loop"
    } else if n.fan_out.is_some() {
        "fan_out"
    } else if n.include.is_some() {
        "include"
    } else if n.graph.is_some() {
        "graph"
    } else {
        return Some(step);
    };
    let field = [
        ("fallback", n.fallback.is_some()),
        ("hedge", n.hedge.is_some()),
        ("cache", n.cache.is_some()),
    ]
    .into_iter()
    .find(|(_, set)| *set)
    .map_or("fallback", |(f, _)| f);
    p.add(
        format!("{path}.{field}"),
        format!(
            "is set on a node with `{what}`; allowed: fallback, hedge and cache on a node that \
             runs its step once per execution, or on an edge (put them on the steps inside)"
        ),
    );
    None
}
