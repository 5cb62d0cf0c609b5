//! Building the model of one what-if.
//!
//! *Perfect* and *+1 retry* change the compiled model in place of the
//! component's steps (every copy of a repeated node), keeping every name, so
//! each component draws the same random numbers as in the scenario; they give
//! exactly the model the document edits `make_perfect` and `add_retries`
//! would compile to.
//! *Gate after* changes the graph: it is the same `add_gate` edit a variant
//! file makes ([`crate::review::edit::add_gate`]), compiled like any scenario,
//! so a what-if is exactly what a variant file with that change would give.

use toml::{Table, Value};

use super::candidates::{Candidate, Target};
use super::{Change, GateSettings};
use crate::model::{Gate, Hedge, Junction, Model, OutcomeProbs, Step};
use crate::review::edit;
use crate::review::variant::Arm;
use crate::scenario::rates::index_difficulties;
use crate::scenario::{Scenario, compile_document};

/// The id of the gate "gate after" inserts: `<node>-gate`, or
/// `<from>-<to>-gate` on a hand-off.
pub fn gate_id(target: &Target, component: &str) -> String {
    match target {
        Target::Node(_) => format!("{component}-gate"),
        Target::HandOff { from, to, .. } => format!("{from}-{to}-gate"),
    }
}

/// The model of `candidate`: the scenario of `arm` with the change made; an
/// error (naming the what-if) if the changed scenario does not compile.
pub fn what_if_model(
    candidate: &Candidate,
    arm: &Arm,
    gate: GateSettings,
) -> Result<Model, String> {
    let scenario = &arm.scenario;
    let built = match candidate.change {
        Change::Perfect => {
            let mut model = changed(scenario, &candidate.target, make_perfect);
            if let Target::Node(entry) = candidate.target {
                // A perfect sub-graph: every step inside it, nested ones too.
                make_inside_perfect(&mut model, &scenario.entries[entry].id);
            }
            spare_from_common_causes(&mut model, scenario, &candidate.target);
            Ok(model)
        }
        Change::OneMoreRetry => Ok(changed(scenario, &candidate.target, |step, _| {
            step.retry.max_retries = step.retry.max_retries.saturating_add(1);
        })),
        Change::GateAfter => gate_after(candidate, arm, gate),
        Change::Fallback => Ok(changed(scenario, &candidate.target, |step, _| {
            step.fallback = Some(Box::new(second_provider(step)));
        })),
        Change::Hedge => Ok(changed(scenario, &candidate.target, |step, _| {
            step.hedge = Some(Hedge {
                after: step.latency.quantile(0.95),
                cancel: true,
            });
        })),
    };
    built.map_err(|e| {
        format!(
            "what-if \"{} {}\" is invalid: {e}",
            candidate.change.label(),
            candidate.component
        )
    })
}

/// A second provider like `step`: its rates (the nominal ones, drawn afresh
/// for every attempt), latency, cost, retries and resource, without a
/// persistence, a cache or patterns of its own.
fn second_provider(step: &Step) -> Step {
    Step {
        persistence: 0.0,
        rates: None,
        fallback: None,
        hedge: None,
        cache: None,
        ..step.clone()
    }
}

/// A copy of the scenario's model with `change` made to the step (and the
/// gate, for a gate node) of every model node or edge of `target`; the
/// task-level difficulties are numbered again, as compiling would, in case
/// the change removed the last rate to follow one.
fn changed(
    scenario: &Scenario,
    target: &Target,
    change: impl Fn(&mut Step, Option<&mut Gate>),
) -> Model {
    let mut model = scenario.model.clone();
    match target {
        Target::Node(entry) => {
            for &n in &scenario.entries[*entry].nodes {
                let node = &mut model.nodes[n];
                if matches!(node.junction, Some(Junction::Entry)) {
                    continue; // a sub-graph's retries are its exit's
                }
                change(&mut node.step, node.gate.as_mut());
            }
        }
        Target::HandOff { edge, .. } => change(&mut model.edges[*edge].step, None),
    }
    index_difficulties(&mut model);
    model
}

/// Makes every node and hand-off inside sub-graph `id` (ids `id/...`) perfect;
/// nothing when `id` is not a sub-graph.
fn make_inside_perfect(model: &mut Model, id: &str) {
    let prefix = format!("{id}/");
    let n = model.nodes.len();
    for exec in 0..model.exec_count() {
        let inside = match model.nodes.get(exec) {
            Some(node) => node.id.starts_with(&prefix),
            None => model.nodes[model.edges[exec - n].to]
                .id
                .starts_with(&prefix),
        };
        if !inside {
            continue;
        }
        match model.nodes.get_mut(exec) {
            Some(node) => make_perfect(&mut node.step, node.gate.as_mut()),
            None => make_perfect(&mut model.edges[exec - n].step, None),
        }
    }
    index_difficulties(model);
}

/// A perfect component fails in no task, so no common cause strikes it any
/// more (the cause still strikes its other members; one left with none is
/// dropped, as the document edit drops it).
fn spare_from_common_causes(model: &mut Model, scenario: &Scenario, target: &Target) {
    let execs: Vec<usize> = match target {
        Target::Node(entry) => scenario.entries[*entry].nodes.clone(),
        Target::HandOff { edge, .. } => vec![model.nodes.len() + *edge],
    };
    for cause in &mut model.common_causes {
        cause.members.retain(|m| !execs.contains(m));
    }
    model.common_causes.retain(|c| !c.members.is_empty());
}

/// No silent or loud failures, in any task; a gate catches every corrupted
/// input and never flags a right one. Fault persistence is kept (it repeats
/// outcomes that can no longer fail).
fn make_perfect(step: &mut Step, gate: Option<&mut Gate>) {
    match gate {
        Some(g) => {
            g.sensitivity = 1.0;
            g.false_alarm = 0.0;
            g.rates = None;
            // A gate cannot corrupt silently: only its loud rate can vary.
            step.outcome.loud = 0.0;
        }
        None => step.outcome = OutcomeProbs::PERFECT,
    }
    step.rates = None;
}

/// The scenario with the gate of `gate` inserted after the candidate's node,
/// or on its hand-off, looping back to the node (the hand-off's sender).
fn gate_after(candidate: &Candidate, arm: &Arm, gate: GateSettings) -> Result<Model, String> {
    let (after, before) = match &candidate.target {
        Target::Node(entry) => (arm.scenario.entries[*entry].id.as_str(), None),
        Target::HandOff { from, to, .. } => (from.as_str(), Some(to.as_str())),
    };
    let mut fields = Table::new();
    fields.insert("sensitivity".into(), Value::Float(gate.sensitivity));
    fields.insert("false_alarm".into(), Value::Float(gate.false_alarm));
    fields.insert("loop_to".into(), Value::String(after.into()));
    fields.insert("max_loops".into(), Value::Integer(gate.max_loops as i64));
    let mut doc = arm.doc.clone();
    let id = gate_id(&candidate.target, &candidate.component);
    edit::add_gate(&mut doc, after, before, &id, &fields)?;
    compile_document(&arm.source, &doc)
        .map(|s| s.model)
        .map_err(|e| e.to_string())
}
