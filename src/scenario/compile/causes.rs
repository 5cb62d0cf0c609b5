//! Stage 9: `[[common_causes]]`, resolved against the compiled graph.
//!
//! A member names a `[[nodes]]` entry (every copy of a repeated node), a
//! model node, or a hand-off written `"from->to"` as the per-node table
//! prints it. Gates cannot be members: their decision is not a step's
//! outcome that a cause could strike.

use super::entries::NodeEntry;
use crate::model::MAX_CORRELATED_EXECS as MAX_TRACKED;
use crate::model::{AttemptOutcome, CommonCause, Model};
use crate::scenario::file::{CauseEffectSpec, CommonCauseSpec};
use crate::scenario::problem::{Problems, nearest};

/// Most common causes a scenario may declare.
pub const MAX_COMMON_CAUSES: usize = 1000;

const EXAMPLE: &str = "e.g. [[common_causes]] id = \"provider\", members = [\"plan\", \"write\"], \
                       probability = 0.02, effect = \"silent\"";

/// Checks every cause and attaches the valid ones to `model`.
pub fn attach_common_causes(
    specs: &[CommonCauseSpec],
    model: &mut Model,
    entries: &[NodeEntry],
    p: &mut Problems,
) {
    if specs.len() > MAX_COMMON_CAUSES {
        p.add(
            "common_causes",
            format!(
                "has {} causes; allowed: at most {MAX_COMMON_CAUSES}",
                specs.len()
            ),
        );
        return;
    }
    let names: Vec<String> = (0..model.exec_count())
        .map(|e| model.exec_name(e))
        .collect();
    let mut seen_ids: Vec<&str> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let path = format!("common_causes[{i}]");
        if spec.id.trim().is_empty() {
            p.add(
                format!("{path}.id"),
                format!("is empty; allowed: a name, {EXAMPLE}"),
            );
        } else if seen_ids.contains(&spec.id.as_str()) {
            p.add(
                format!("{path}.id"),
                format!(
                    "\"{}\" is used twice; allowed: a distinct name per cause",
                    spec.id
                ),
            );
        }
        seen_ids.push(&spec.id);
        let ok_probability = p.probability(format!("{path}.probability"), spec.probability);
        if spec.members.is_empty() {
            p.add(
                format!("{path}.members"),
                format!("is empty; allowed: one or more node ids or hand-offs, {EXAMPLE}"),
            );
        }
        let mut members = Vec::new();
        for (j, name) in spec.members.iter().enumerate() {
            let field = format!("{path}.members[{j}]");
            let execs = resolve(name, entries, &names);
            if execs.is_empty() {
                let near = nearest(
                    name,
                    entries
                        .iter()
                        .map(|e| e.id.as_str())
                        .chain(names.iter().map(String::as_str)),
                );
                let hint = near.map_or(String::new(), |n| format!("; did you mean \"{n}\"?"));
                p.add(
                    field,
                    format!("\"{name}\" is neither a node nor a hand-off (\"from->to\"){hint}"),
                );
                continue;
            }
            if let Some(&g) = execs
                .iter()
                .find(|&&e| e < model.nodes.len() && model.nodes[e].gate.is_some())
            {
                p.add(
                    field,
                    format!(
                        "\"{}\" is a gate; allowed: steps and hand-offs (a gate's decision \
                         is not struck by a common cause)",
                        model.exec_name(g)
                    ),
                );
                continue;
            }
            for e in execs {
                if members.contains(&e) {
                    p.add(
                        field.clone(),
                        format!("\"{}\" is listed twice in this cause", model.exec_name(e)),
                    );
                } else {
                    members.push(e);
                }
            }
        }
        if ok_probability && p.is_empty() {
            model.common_causes.push(CommonCause {
                name: spec.id.clone(),
                probability: spec.probability,
                effect: match spec.effect.unwrap_or(CauseEffectSpec::Silent) {
                    CauseEffectSpec::Silent => AttemptOutcome::Silent,
                    CauseEffectSpec::Loud => AttemptOutcome::Loud,
                },
                members,
            });
        }
    }
}

/// Checks `[run] failure_correlation`: independent trials only, and a graph
/// small enough to count every pair.
pub fn check_failure_correlation(
    asked: Option<bool>,
    model: &Model,
    loaded: bool,
    p: &mut Problems,
) -> bool {
    if asked != Some(true) {
        return false;
    }
    let field = "run.failure_correlation";
    if loaded {
        p.add(
            field,
            "is counted for independent trials only; allowed: failure_correlation = false \
             with [workload], or remove [workload]",
        );
        return false;
    }
    if model.exec_count() > MAX_TRACKED {
        p.add(
            field,
            format!(
                "needs at most {MAX_TRACKED} nodes and hand-offs; this graph has {}. Allowed: \
                 failure_correlation = false, or a smaller graph (e.g. a lower repeat)",
                model.exec_count()
            ),
        );
        return false;
    }
    true
}

/// The execs `name` stands for: an entry's every copy, a model node, or an edge.
fn resolve(name: &str, entries: &[NodeEntry], names: &[String]) -> Vec<usize> {
    if let Some(entry) = entries.iter().find(|e| e.id == name) {
        return entry.nodes.clone();
    }
    names.iter().position(|n| n == name).into_iter().collect()
}
