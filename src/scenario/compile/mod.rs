//! Checking a parsed scenario and compiling it into a [`Model`], in named
//! stages, each in its own file:
//!
//! 1. [`settings`]: the name and `[run]`;
//! 2. resources and workload ([`super::resources`]), then [`steps`]: every
//!    step field, with edge-default inheritance (these need no graph, so their
//!    problems are reported even when the graph is broken);
//! 3. [`repeats`]: `repeat` expanded, ids checked, and [`subgraphs`]: each
//!    sub-graph node turned into its entry and exit junctions;
//! 4. [`order`]: `after` resolved, cycles found, topological order;
//! 5. [`wiring`]: one edge per dependency, `[[edges]]` applied;
//! 6. [`nodes`]: nodes with their merge policies;
//! 7. [`gates`]: gates and their loop regions;
//! 8. [`entries`]: what each `[[nodes]]` entry became;
//! 9. [`causes`]: `[[common_causes]]` resolved against the graph.
//!
//! Every problem is collected (not just the first) with the field it concerns
//! and what is allowed, so one `coordsim validate` shows all there is to fix.

mod causes;
mod classes;
mod entries;
mod gates;
mod nodes;
mod order;
mod repeats;
mod settings;
mod steps;
mod subgraphs;
mod wiring;

pub use entries::NodeEntry;

use super::file::ScenarioFile;
use super::problem::{Problem, Problems};
use super::rates::index_difficulties;
use super::resources::{compile_resources, compile_workload};
use crate::model::{Model, Workload};

/// Default number of trials when neither the file nor the command line says.
pub const DEFAULT_TRIALS: u64 = 100_000;
/// Default base seed.
pub const DEFAULT_SEED: u64 = 1;
/// Largest trial count accepted: 10^10 trials already take hours.
pub const MAX_TRIALS: u64 = 10_000_000_000;
/// Largest graph accepted, after `repeat` expansion.
pub const MAX_NODES: u64 = 100_000;
/// Most loop-backs a gate may declare.
pub const MAX_LOOPS: u64 = 1000;

/// A checked scenario: the model and its run settings.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The task graph.
    pub model: Model,
    /// Free text from the file.
    pub description: Option<String>,
    /// Trials from `[run]`, or the default.
    pub trials: u64,
    /// Seed from `[run]`, or the default.
    pub seed: u64,
    /// Many tasks at once contending for resources, if the file has `[workload]`.
    pub workload: Option<Workload>,
    /// What each `[[nodes]]` entry became, in file order.
    pub entries: Vec<NodeEntry>,
}

/// Checks `file` and builds its model; `default_name` names it when the file does not.
pub fn compile(file: &ScenarioFile, default_name: &str) -> Result<Scenario, Vec<Problem>> {
    let mut p = Problems::default();
    let settings = settings::run_settings(file, default_name, &mut p);
    let (pools, links, resource_index) = compile_resources(&file.resources, &mut p);
    let mut workload = file
        .workload
        .as_ref()
        .and_then(|w| compile_workload(w, &resource_index, &mut p));
    classes::compile_classes(file, workload.as_mut(), &resource_index, &mut p);
    if file.workload.is_none() {
        crate::scenario::outages::incidents_need_a_clock(&file.resources, &mut p);
    }
    let steps = steps::compile_steps(file, &resource_index, &mut p);
    let Some(expansion) = repeats::expand_repeats(file, &mut p) else {
        return Err(p.into_vec());
    };
    let Some(order) = order::resolve_order(&expansion, &mut p) else {
        return Err(p.into_vec());
    };
    let wiring = wiring::wire_edges(file, &expansion, &order, &steps, &mut p);
    let mut nodes = nodes::build_nodes(&expansion, &order, &steps, &wiring, &mut p);
    gates::attach_gates(&expansion, &order, &mut nodes, &wiring.edges, &mut p);
    subgraphs::attach_runs(&mut nodes, &wiring.edges);
    if !p.is_empty() {
        return Err(p.into_vec());
    }
    let entries = entries::node_entries(&expansion, &order, &wiring);
    let sinks = (0..nodes.len())
        .filter(|&i| nodes[i].outputs.is_empty())
        .collect();
    let sources = (0..nodes.len())
        .filter(|&i| nodes[i].inputs.is_empty())
        .collect();
    let mut model = Model {
        name: settings.name,
        nodes,
        edges: wiring.edges,
        sinks,
        sources,
        pools,
        links,
        limits: settings.limits,
        difficulties: Vec::new(),
        pass_k: settings.pass_k,
        slo: settings.slo,
        common_causes: Vec::new(),
        failure_correlation: false,
        deadline: settings.deadline,
    };
    index_difficulties(&mut model);
    causes::attach_common_causes(&file.common_causes, &mut model, &entries, &mut p);
    model.failure_correlation = causes::check_failure_correlation(
        file.run.failure_correlation,
        &model,
        workload.is_some(),
        &mut p,
    );
    if !p.is_empty() {
        return Err(p.into_vec());
    }
    Ok(Scenario {
        model,
        workload,
        description: file.description.clone(),
        trials: settings.trials,
        seed: settings.seed,
        entries,
    })
}

/// Checks a trial count against the accepted range.
pub fn check_trials(field: &str, trials: u64, p: &mut Problems) {
    if !(1..=MAX_TRIALS).contains(&trials) {
        p.add(field, format!("is {trials}; allowed: 1 to {MAX_TRIALS}"));
    }
}

/// Largest `[run] max_events` accepted.
pub const MAX_EVENTS_LIMIT: u64 = 1_000_000_000_000;
