//! "Where does the gap open": the end-to-end effect of improving each
//! component in turn, measured against the scenario as it is.
//!
//! For every node and hand-off, up to three what-ifs are simulated in
//! lockstep with the scenario (common random numbers): the component made
//! perfect (silent = loud = 0; a gate catching everything with no false
//! alarms), given one more retry (only where it can fail loudly), and a gate
//! placed after it. Each what-if is a patched document compiled like any
//! scenario, so it is exactly what a variant file with that patch would give.

use serde::Serialize;
use toml::{Table, Value};

use super::compare::{Figure, figures};
use super::edit;
use super::variant::Arm;
use crate::model::Model;
use crate::scenario::patch::get_path;
use crate::sim::paired::PairedRun;
use crate::stats::Summary;

/// The gate that "a gate after X" inserts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    /// P(flag | corrupted input).
    pub sensitivity: f64,
    /// P(flag | right input).
    pub false_alarm: f64,
    /// Loop-backs to the gated component before escalating.
    pub max_loops: u64,
}

impl Default for GateSettings {
    fn default() -> Self {
        GateSettings {
            sensitivity: 0.9,
            false_alarm: 0.02,
            max_loops: 2,
        }
    }
}

/// A what-if change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The component never fails.
    Perfect,
    /// One more retry of loud failures.
    OneMoreRetry,
    /// A verification gate after the component, looping back to it.
    GateAfter,
}

impl Change {
    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Change::Perfect => "perfect",
            Change::OneMoreRetry => "+1 retry",
            Change::GateAfter => "gate after",
        }
    }
}

/// One what-if to simulate: a patched copy of the scenario document.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Node id or hand-off `from->to`.
    pub component: String,
    /// What changes.
    pub change: Change,
    /// True when the component is a gate.
    pub is_gate: bool,
    /// The patched document.
    pub doc: Table,
}

/// The measured effect of one what-if.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Node id or hand-off `from->to`.
    pub component: String,
    /// What changes.
    pub change: Change,
    /// True when the component is a gate.
    pub is_gate: bool,
    /// "perfect retrieve", "gate after generate", ...
    pub label: String,
    /// Change in P(correct), with interval.
    pub gain: Figure,
    /// Change in the silent-failure rate.
    pub silent: Figure,
    /// Change in p99 latency, seconds.
    pub p99: Figure,
    /// Change in cost per correct task, dollars.
    pub cost_per_success: Figure,
}

/// Step fields of `target` (`nodes.<id>` or `edges.<a->b>`) as the scenario
/// resolves them (an edge falls back to `defaults.edge`).
fn effective(doc: &Table, target: &str, field: &str) -> Option<Value> {
    get_path(doc, &format!("{target}.{field}"))
        .or_else(|| {
            target
                .starts_with("edges.")
                .then(|| get_path(doc, &format!("defaults.edge.{field}")))
                .flatten()
        })
        .cloned()
}

fn number(v: Option<Value>) -> f64 {
    v.and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
        .unwrap_or(0.0)
}

/// Every what-if worth simulating for the scenario document `doc`.
pub fn candidates(doc: &Table, gate: GateSettings) -> Vec<Candidate> {
    let mut out = Vec::new();
    let nodes: Vec<Table> = doc
        .get("nodes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_table().cloned()).collect())
        .unwrap_or_default();
    let mut components: Vec<(String, String, bool)> = Vec::new();
    for n in &nodes {
        let id = n.get("id").and_then(Value::as_str).unwrap_or_default();
        components.push((id.to_string(), format!("nodes.{id}"), false));
    }
    for n in &nodes {
        let id = n.get("id").and_then(Value::as_str).unwrap_or_default();
        for dep in n
            .get("after")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let from = dep.as_str().unwrap_or_default();
            components.push((format!("{from}->{id}"), format!("edges.{from}->{id}"), true));
        }
    }
    for (name, target, is_edge) in components {
        let silent = number(effective(doc, &target, "silent"));
        let loud = number(effective(doc, &target, "loud"));
        let timeout = effective(doc, &target, "timeout").is_some();
        let is_gate = effective(doc, &target, "kind").and_then(|k| k.as_str().map(str::to_string))
            == Some("gate".into());
        let imperfect_gate = is_gate
            && (number(effective(doc, &target, "sensitivity")) < 1.0
                || number(effective(doc, &target, "false_alarm")) > 0.0);
        let mut push = |change: Change, patch: &dyn Fn(&mut Table) -> Result<(), String>| {
            let mut d = doc.clone();
            if patch(&mut d).is_ok() {
                out.push(Candidate {
                    component: name.clone(),
                    change,
                    is_gate,
                    doc: d,
                });
            }
        };
        if silent > 0.0 || loud > 0.0 || imperfect_gate {
            push(Change::Perfect, &|d| edit::make_perfect(d, &target));
        }
        if loud > 0.0 || timeout {
            push(Change::OneMoreRetry, &|d| {
                edit::add_retries(d, &target, 1, &Table::new())
            });
        }
        let gate_fields = |loop_to: &str| {
            let mut f = Table::new();
            f.insert("sensitivity".into(), Value::Float(gate.sensitivity));
            f.insert("false_alarm".into(), Value::Float(gate.false_alarm));
            f.insert("loop_to".into(), Value::String(loop_to.into()));
            f.insert("max_loops".into(), Value::Integer(gate.max_loops as i64));
            f
        };
        if is_edge && silent > 0.0 {
            let (from, to) = name.split_once("->").unwrap_or((&name, ""));
            let id = format!("{from}-{to}-gate");
            push(Change::GateAfter, &|d| {
                edit::add_gate(d, from, Some(to), &id, &gate_fields(from))
            });
        } else if !is_edge && !is_gate {
            let id = format!("{name}-gate");
            push(Change::GateAfter, &|d| {
                edit::add_gate(d, &name, None, &id, &gate_fields(&name))
            });
        }
    }
    out
}

/// Ranks the what-ifs of a paired run (arm 0 the scenario, arm k the
/// (k−1)-th candidate) by gain in P(correct), largest first.
pub fn findings(run: &PairedRun, summaries: &[Summary], candidates: &[Candidate]) -> Vec<Finding> {
    let mut out: Vec<Finding> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let f = figures(run, summaries, i + 1, None);
            let pick = |key: &str| {
                f.iter()
                    .find(|x| x.key == key)
                    .cloned()
                    .expect("every figure is computed")
            };
            Finding {
                component: c.component.clone(),
                change: c.change,
                is_gate: c.is_gate,
                label: format!("{} {}", c.change.label(), c.component),
                gain: pick("p_correct"),
                silent: pick("p_silent"),
                p99: pick("latency_p99_s"),
                cost_per_success: pick("cost_per_success_usd"),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let g = |f: &Finding| f.gain.diff.unwrap_or(0.0);
        g(b).total_cmp(&g(a)).then_with(|| a.label.cmp(&b.label))
    });
    out
}

/// Compiles every candidate against `base` (a candidate that fails to compile
/// is a bug in the edits, reported as such).
pub fn compile_candidates(base: &Arm, candidates: &[Candidate]) -> Result<Vec<Model>, String> {
    candidates
        .iter()
        .map(|c| {
            crate::scenario::compile_document(&base.source, &c.doc)
                .map(|s| s.model)
                .map_err(|e| {
                    format!(
                        "what-if \"{} {}\" is invalid: {e}",
                        c.change.label(),
                        c.component
                    )
                })
        })
        .collect()
}
