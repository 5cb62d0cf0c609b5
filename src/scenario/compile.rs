//! Checking a parsed scenario and compiling it into a [`Model`].
//!
//! Every problem is collected (not just the first) with the field it concerns
//! and what is allowed, so one `coordsim validate` shows all there is to fix.

use std::collections::{HashMap, HashSet};

use super::file::StepSpec;
use super::file::{KindSpec, MergeSpec, NodeSpec, OnExhaustedSpec, RunSpec, ScenarioFile};
use super::problem::{Problem, Problems, nearest};
use super::resources::{compile_resources, compile_workload, resolve_use};
use super::step::compile_step;
use crate::model::{Edge, Gate, Limits, Merge, Model, Node, NodeKind, OnExhausted, Step, Workload};

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
}

/// One node after `repeat` expansion, before topological ordering.
struct Expanded<'a> {
    id: String,
    spec: &'a NodeSpec,
    /// Index of the `[[nodes]]` entry it came from.
    template: usize,
    /// Path used in messages, e.g. `nodes[3] (generate)`.
    path: String,
    /// Copy number of a repeated node (1 for the first copy and for nodes without `repeat`).
    copy: u64,
    after: Vec<String>,
}

/// Checks `file` and builds its model; `default_name` names it when the file does not.
pub fn compile(file: &ScenarioFile, default_name: &str) -> Result<Scenario, Vec<Problem>> {
    let mut p = Problems::default();
    let name = file
        .name
        .clone()
        .unwrap_or_else(|| default_name.to_string());
    check_name(&name, &mut p);
    let trials = file.run.trials.unwrap_or(DEFAULT_TRIALS);
    check_trials("run.trials", trials, &mut p);
    let seed = file.run.seed.unwrap_or(DEFAULT_SEED);
    let limits = run_limits(&file.run, &mut p);
    // Step fields are checked first: they need no graph, so their problems are
    // reported even when the graph itself is broken.
    let (pools, links, resource_index) = compile_resources(&file.resources, &mut p);
    let workload = file
        .workload
        .as_ref()
        .and_then(|w| compile_workload(w, &mut p));
    let step_of = |spec: &StepSpec, path: &str, p: &mut Problems| {
        let step = compile_step(spec, path, p);
        let resource = resolve_use(spec, path, &resource_index, p);
        step.map(|s| Step { resource, ..s })
    };
    let node_steps: Vec<Option<Step>> = file
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| step_of(&n.step(), &format!("nodes[{i}] ({})", n.id), &mut p))
        .collect();
    let default_edge = file.defaults.edge.clone().unwrap_or_default();
    let default_edge_step = step_of(&default_edge, "defaults.edge", &mut p);
    let edge_steps: Vec<Option<Step>> = file
        .edges
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let path = format!("edges[{k}] ({}->{})", e.from, e.to);
            step_of(&default_edge.overlay(&e.step()), &path, &mut p)
        })
        .collect();

    let expanded = expand_repeats(file, &mut p);
    let Some((templates, expanded)) = expanded else {
        return Err(p.into_vec());
    };
    let index: HashMap<&str, usize> = expanded
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    // Resolve dependencies: a repeated template referenced by `after` means its last copy.
    let resolve_last = |id: &str| -> Option<usize> {
        templates
            .get(id)
            .map(|&(_, last)| last)
            .or_else(|| index.get(id).copied())
    };
    let resolve_first = |id: &str| -> Option<usize> {
        templates
            .get(id)
            .map(|&(first, _)| first)
            .or_else(|| index.get(id).copied())
    };
    let known: Vec<&str> = file.nodes.iter().map(|n| n.id.as_str()).collect();
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); expanded.len()];
    let before_references = p.len();
    for (i, e) in expanded.iter().enumerate() {
        let mut seen = HashSet::new();
        for dep in &e.after {
            match resolve_last(dep) {
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
                None => p.add(format!("{}.after", e.path), unknown_node(dep, &known)),
            }
        }
    }
    // A graph with dangling references cannot be ordered or searched for loops.
    if p.len() > before_references {
        return Err(p.into_vec());
    }
    let Some(order) = topological_order(&deps) else {
        let cyclic = nodes_on_cycles(&deps);
        let names: Vec<&str> = cyclic.iter().map(|&i| expanded[i].id.as_str()).collect();
        p.add(
            format!("{}.after", expanded[cyclic[0]].path),
            format!(
                "the dependencies form a cycle through {}; the graph must be acyclic, loops are made with a gate's `loop_to`",
                names.join(", ")
            ),
        );
        return Err(p.into_vec());
    };
    // Renumber nodes in topological order.
    let mut new_index = vec![0; expanded.len()];
    for (pos, &old) in order.iter().enumerate() {
        new_index[old] = pos;
    }
    // Edges, one per dependency, in the order of their targets.
    let mut edges: Vec<Edge> = Vec::new();
    let mut edge_of: HashMap<(usize, usize), usize> = HashMap::new();
    let mut inputs: Vec<Vec<usize>> = vec![Vec::new(); expanded.len()];
    let mut outputs: Vec<Vec<usize>> = vec![Vec::new(); expanded.len()];
    for &old in &order {
        let to = new_index[old];
        for &dep in &deps[old] {
            let from = new_index[dep];
            let id = edges.len();
            edges.push(Edge {
                from,
                to,
                step: default_edge_step.clone().unwrap_or_else(Step::instant),
            });
            edge_of.insert((from, to), id);
            inputs[to].push(id);
            outputs[from].push(id);
        }
    }
    let mut configured = HashSet::new();
    for (k, spec) in file.edges.iter().enumerate() {
        let path = format!("edges[{k}] ({}->{})", spec.from, spec.to);
        let from = resolve_last(&spec.from);
        let to = resolve_first(&spec.to);
        if from.is_none() {
            p.add(format!("{path}.from"), unknown_node(&spec.from, &known));
        }
        if to.is_none() {
            p.add(format!("{path}.to"), unknown_node(&spec.to, &known));
        }
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        let Some(&id) = edge_of.get(&(new_index[from], new_index[to])) else {
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
        if let Some(step) = &edge_steps[k] {
            edges[id].step = step.clone();
        }
    }

    // Nodes in topological order.
    let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
    for &old in &order {
        let e = &expanded[old];
        let pos = new_index[old];
        let step = node_steps[e.template].clone().unwrap_or_else(Step::instant);
        let merge = compile_merge(e, inputs[pos].len(), &mut p);
        nodes.push(Node {
            id: e.id.clone(),
            kind: kind_of(e.spec.kind),
            step,
            inputs: inputs[pos].clone(),
            outputs: outputs[pos].clone(),
            merge,
            gate: None,
        });
    }
    // Gates need the whole graph to find their loop region.
    for &old in &order {
        let e = &expanded[old];
        let pos = new_index[old];
        let loop_to = e
            .spec
            .loop_to
            .as_deref()
            .map(|t| (t, resolve_first(t).map(|j| new_index[j])));
        if let Some(gate) = compile_gate(e, pos, loop_to, &nodes, &edges, &known, &mut p) {
            nodes[pos].gate = Some(gate);
        }
    }
    if !p.is_empty() {
        return Err(p.into_vec());
    }
    let sinks = (0..nodes.len())
        .filter(|&i| nodes[i].outputs.is_empty())
        .collect();
    let sources = (0..nodes.len())
        .filter(|&i| nodes[i].inputs.is_empty())
        .collect();
    Ok(Scenario {
        model: Model {
            name,
            nodes,
            edges,
            sinks,
            sources,
            pools,
            links,
            limits,
        },
        workload,
        description: file.description.clone(),
        trials,
        seed,
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

/// `[run] max_events` and `max_time_s`, checked, or their defaults.
fn run_limits(run: &RunSpec, p: &mut Problems) -> Limits {
    let mut limits = Limits::default();
    if let Some(n) = run.max_events {
        if (1..=MAX_EVENTS_LIMIT).contains(&n) {
            limits.max_events = n;
        } else {
            p.add(
                "run.max_events",
                format!("is {n}; allowed: 1 to {MAX_EVENTS_LIMIT}"),
            );
        }
    }
    if let Some(t) = run.max_time_s
        && p.positive("run.max_time_s", t)
    {
        limits.max_time_s = t;
    }
    limits
}

fn check_name(name: &str, p: &mut Problems) {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        p.add(
            "name",
            format!("is {name:?}; allowed: 1 to 100 of A-Z a-z 0-9 - _ . (it names the output folder), not starting with '.'"),
        );
    }
}

fn unknown_node(id: &str, known: &[&str]) -> String {
    match nearest(id, known.iter().copied()) {
        Some(near) => format!("no node \"{id}\"; did you mean \"{near}\"?"),
        None => format!("no node \"{id}\"; known nodes: {}", known.join(", ")),
    }
}

type Templates = HashMap<String, (usize, usize)>;

/// Expands `repeat = N` nodes into N copies in series and checks ids.
fn expand_repeats<'a>(
    file: &'a ScenarioFile,
    p: &mut Problems,
) -> Option<(Templates, Vec<Expanded<'a>>)> {
    if file.nodes.is_empty() {
        p.add(
            "nodes",
            "the graph is empty; add at least one [[nodes]] entry",
        );
        return None;
    }
    let before = p.len();
    let mut total: u64 = 0;
    let mut seen = HashSet::new();
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        let valid_id = !n.id.is_empty()
            && n.id.len() <= 100
            && n.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if !valid_id {
            p.add(
                format!("{path}.id"),
                format!("is {:?}; allowed: 1 to 100 of A-Z a-z 0-9 - _", n.id),
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
    if p.len() > before {
        return None;
    }
    let mut templates = Templates::new();
    let mut out = Vec::new();
    for (i, n) in file.nodes.iter().enumerate() {
        let path = format!("nodes[{i}] ({})", n.id);
        match n.repeat {
            None => out.push(Expanded {
                id: n.id.clone(),
                spec: n,
                template: i,
                path,
                copy: 1,
                after: n.after.clone(),
            }),
            Some(copies) => {
                let first = out.len();
                for k in 1..=copies {
                    let after = if k == 1 {
                        n.after.clone()
                    } else {
                        vec![format!("{}#{}", n.id, k - 1)]
                    };
                    out.push(Expanded {
                        id: format!("{}#{k}", n.id),
                        spec: n,
                        template: i,
                        path: path.clone(),
                        copy: k,
                        after,
                    });
                }
                templates.insert(n.id.clone(), (first, out.len() - 1));
            }
        }
    }
    Some((templates, out))
}

/// Kahn's algorithm, smallest index first so the order is stable; `None` on a cycle.
fn topological_order(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    let n = deps.len();
    let mut indegree: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| indegree[i] == 0).collect();
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

/// Nodes on a cycle: what is left after repeatedly peeling off nodes with no
/// remaining dependency or no remaining dependent.
fn nodes_on_cycles(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut dependents = vec![Vec::new(); n];
    for (i, ds) in deps.iter().enumerate() {
        for &d in ds {
            dependents[d].push(i);
        }
    }
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

fn kind_of(kind: KindSpec) -> NodeKind {
    match kind {
        KindSpec::Llm | KindSpec::Agent => NodeKind::Llm,
        KindSpec::Tool => NodeKind::Tool,
        KindSpec::Retrieval => NodeKind::Retrieval,
        KindSpec::Gate => NodeKind::Gate,
        KindSpec::Aggregate => NodeKind::Aggregate,
    }
}

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
                "\"any\" and {{ k = N }} choose among parallel inputs, and this node has one (after = [\"{}\"]); \
                 list the parallel branches in `after`, or remove `merge`",
                e.after.join("\", \"")
            ),
        );
        return Merge::All;
    }
    match spec {
        MergeSpec::All => Merge::All,
        MergeSpec::Any => Merge::Any,
        MergeSpec::KOfN { k } => {
            if !(1..=n_inputs as u64).contains(k) {
                p.add(
                    format!("{}.merge.k", e.path),
                    format!("is {k}; allowed: 1 to {n_inputs} (the number of inputs)"),
                );
                return Merge::All;
            }
            Merge::KOfN(*k as u32)
        }
    }
}

/// Checks gate fields (and their absence on other nodes) and finds the loop region.
fn compile_gate(
    e: &Expanded,
    pos: usize,
    loop_to: Option<(&str, Option<usize>)>,
    nodes: &[Node],
    edges: &[Edge],
    known: &[&str],
    p: &mut Problems,
) -> Option<Gate> {
    let s = e.spec;
    if s.kind != KindSpec::Gate {
        let gate_fields = [
            ("sensitivity", s.sensitivity.is_some()),
            ("false_alarm", s.false_alarm.is_some()),
            ("loop_to", s.loop_to.is_some()),
            ("max_loops", s.max_loops.is_some()),
            ("on_exhausted", s.on_exhausted.is_some()),
        ];
        for (field, set) in gate_fields {
            if set {
                p.add(
                    format!("{}.{field}", e.path),
                    "only allowed on kind = \"gate\"",
                );
            }
        }
        return None;
    }
    if s.silent.is_some_and(|v| v != 0.0) {
        p.add(
            format!("{}.silent", e.path),
            "a gate cannot corrupt silently; its misses are set by `sensitivity`",
        );
    }
    if nodes[pos].inputs.is_empty() {
        p.add(
            format!("{}.after", e.path),
            "a gate needs an input to check; set `after`",
        );
    }
    let Some(sensitivity) = s.sensitivity else {
        p.add(
            format!("{}.sensitivity", e.path),
            "missing; a gate needs P(flag | corrupted input) in [0, 1]",
        );
        return None;
    };
    p.probability(format!("{}.sensitivity", e.path), sensitivity);
    let false_alarm = s.false_alarm.unwrap_or(0.0);
    p.probability(format!("{}.false_alarm", e.path), false_alarm);
    let on_exhausted = match s.on_exhausted.unwrap_or(OnExhaustedSpec::Escalate) {
        OnExhaustedSpec::Escalate => OnExhausted::Escalate,
        OnExhaustedSpec::Fail => OnExhausted::Fail,
    };
    let (loop_to, max_loops) = match loop_to {
        None => {
            if s.max_loops.is_some_and(|m| m > 0) {
                p.add(
                    format!("{}.max_loops", e.path),
                    "needs `loop_to`, the node to loop back to",
                );
            }
            (pos, 0)
        }
        Some((name, None)) => {
            p.add(format!("{}.loop_to", e.path), unknown_node(name, known));
            return None;
        }
        Some((name, Some(target))) => {
            if !is_ancestor(target, pos, nodes, edges) {
                p.add(
                    format!("{}.loop_to", e.path),
                    format!("\"{name}\" is not upstream of this gate; a gate can only loop back to a node it depends on"),
                );
                return None;
            }
            let Some(max) = s.max_loops else {
                p.add(
                    format!("{}.max_loops", e.path),
                    format!("missing; loops must be bounded: 0 to {MAX_LOOPS}"),
                );
                return None;
            };
            if max > MAX_LOOPS {
                p.add(
                    format!("{}.max_loops", e.path),
                    format!("is {max}; allowed: 0 to {MAX_LOOPS}"),
                );
            }
            (target, max.min(MAX_LOOPS) as u32)
        }
    };
    let downstream = reachable(loop_to, nodes, edges, true);
    let upstream = reachable(pos, nodes, edges, false);
    let region: Vec<usize> = (0..nodes.len())
        .filter(|&i| downstream[i] && upstream[i])
        .collect();
    let region_edges = (0..edges.len())
        .filter(|&k| {
            downstream[edges[k].from]
                && upstream[edges[k].from]
                && downstream[edges[k].to]
                && upstream[edges[k].to]
        })
        .collect();
    Some(Gate {
        sensitivity,
        false_alarm,
        loop_to,
        max_loops,
        on_exhausted,
        region,
        region_edges,
    })
}

fn is_ancestor(a: usize, b: usize, nodes: &[Node], edges: &[Edge]) -> bool {
    a != b && reachable(a, nodes, edges, true)[b]
}

/// Nodes reachable from `start` (itself included) following edges forward or backward.
fn reachable(start: usize, nodes: &[Node], edges: &[Edge], forward: bool) -> Vec<bool> {
    let mut seen = vec![false; nodes.len()];
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(i) = stack.pop() {
        let next = if forward {
            &nodes[i].outputs
        } else {
            &nodes[i].inputs
        };
        for &e in next {
            let j = if forward { edges[e].to } else { edges[e].from };
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    seen
}
