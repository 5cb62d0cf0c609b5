//! The fitted scenario: the structure's document with every fitted figure
//! written in, its interval and sample size in a comment beside it.
//!
//! Figures the traces do not inform (retry backoff, timeouts, resources,
//! merges) are kept as the structure has them; a node no span mapped to
//! keeps its own figures and is listed in the report. A loop's or
//! fan-out's `count` is replaced by the fitted one, the rest of its table
//! (step limit, join, branches in flight) kept.

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value, value};

use super::count::{CountDist, CountFit};
use super::latency::g;
use super::{Fit, NodeFit, Rate};
use crate::model::Model;

/// The fitted scenario's text: `structure` (TOML) with `fit` written in;
/// `model` is the structure compiled (to tell what it already says).
pub fn write(structure: &str, model: &Model, fit: &Fit, source: &str) -> Result<String, String> {
    let mut doc: DocumentMut = structure.parse().map_err(|e| format!("{e}"))?;
    let level = level(fit.z);
    let header = format!(
        "# Fitted by `coordsim fit` from {source}: {} tasks, {} spans. Each fitted figure\n\
         # has its {level} interval and sample size (n) in a comment; figures without a\n\
         # comment are the structure's own.\n",
        fit.totals.tasks, fit.totals.spans
    );
    doc.decor_mut().set_prefix(header);
    for nf in fit.nodes.iter().filter(|n| n.totals.all.attempts > 0) {
        let Some(table) = step_table(&mut doc, &nf.totals.name, model) else {
            continue;
        };
        apply(table, nf, model, &level);
    }
    Ok(doc.to_string())
}

/// "95%" for z = 1.96 and so on.
pub fn level(z: f64) -> String {
    let p = 1.0 - 2.0 * (1.0 - crate::trace::check::phi(z));
    let s = format!("{:.1}", p * 100.0);
    format!("{}%", s.trim_end_matches(".0"))
}

/// The table of node or hand-off `name`, created for a hand-off the
/// structure describes only through `[defaults.edge]`.
fn step_table<'d>(doc: &'d mut DocumentMut, name: &str, model: &Model) -> Option<&'d mut Table> {
    if let Some((from, to)) = name.split_once("->") {
        let known = model
            .edges
            .iter()
            .any(|e| model.nodes[e.from].id == from && model.nodes[e.to].id == to);
        if !known {
            return None;
        }
        let edges = doc
            .entry("edges")
            .or_insert(Item::ArrayOfTables(Default::default()))
            .as_array_of_tables_mut()?;
        let at = edges.iter().position(|t| {
            t.get("from").and_then(|v| v.as_str()) == Some(from)
                && t.get("to").and_then(|v| v.as_str()) == Some(to)
        });
        let at = match at {
            Some(i) => i,
            None => {
                let mut t = Table::new();
                t["from"] = value(from);
                t["to"] = value(to);
                edges.push(t);
                edges.len() - 1
            }
        };
        return edges.get_mut(at);
    }
    let base = name.split('#').next().unwrap_or(name);
    doc.get_mut("nodes")?
        .as_array_of_tables_mut()?
        .iter_mut()
        .find(|t| t.get("id").and_then(|v| v.as_str()) == Some(base))
}

fn round6(v: f64) -> f64 {
    g(v).parse().unwrap_or(v)
}

fn set(table: &mut Table, key: &str, mut v: Value, comment: String) {
    v.decor_mut().set_suffix(format!("  # {comment}"));
    table[key] = Item::Value(v);
}

fn rate_comment(r: &Rate, level: &str, what: &str) -> String {
    format!(
        "fitted: {} {what}, {level} [{}, {}], n = {}",
        g(r.value),
        g(r.ci.0),
        g(r.ci.1),
        r.n
    )
}

fn apply(t: &mut Table, nf: &NodeFit, model: &Model, level: &str) {
    if let Some(best) = nf.latency.first() {
        let mut lat = InlineTable::new();
        lat.insert("dist", best.family.name().into());
        for (k, v) in best.family.scenario_fields() {
            lat.insert(k, round6(v).into());
        }
        let runner_up = nf
            .latency
            .get(1)
            .map(|c| format!("; next {} ΔAIC {:.1}", c.family.name(), c.aic - best.aic))
            .unwrap_or_default();
        let c = &nf.totals.censored;
        let comment = if c.n == 0 {
            format!(
                "fitted: {}, n = {}, KS {:.4}{runner_up}",
                best.family.describe(level),
                nf.totals.durations.n,
                best.ks
            )
        } else {
            format!(
                "fitted: {}, n = {} + {} cut off (censored), Kaplan–Meier distance {:.4}{runner_up}",
                best.family.describe(level),
                nf.totals.durations.n,
                c.n,
                best.ks
            )
        };
        set(t, "latency", Value::InlineTable(lat), comment);
    }
    if let Some(Ok(c)) = &nf.count_fit {
        set_count(t, c, level);
    }
    let is_gate = t.get("kind").and_then(|v| v.as_str()) == Some("gate");
    if let Some(r) = &nf.loud {
        set(
            t,
            "loud",
            round6(r.value).into(),
            rate_comment(r, level, "loud per attempt"),
        );
    }
    let beta = nf.difficulty.as_ref().filter(|b| 2.0 * b.gain > 2.0);
    if let Some(b) = beta {
        let mut d = InlineTable::new();
        d.insert("mean", round6(b.mean.0).into());
        d.insert("concentration", round6(b.concentration.0).into());
        let comment = format!(
            "fitted per task: mean {} [{}, {}], concentration {} [{}, {}] ({level}), {} tasks, {} runs",
            g(b.mean.0),
            g(b.mean.1),
            g(b.mean.2),
            g(b.concentration.0),
            g(b.concentration.1),
            g(b.concentration.2),
            b.tasks,
            b.runs
        );
        set(t, "silent", Value::InlineTable(d), comment);
    } else if let Some(r) = nf.silent.as_ref().filter(|_| !is_gate) {
        set(
            t,
            "silent",
            round6(r.value).into(),
            rate_comment(r, level, "silent per attempt"),
        );
    }
    if let Some(r) = &nf.sensitivity {
        set(
            t,
            "sensitivity",
            round6(r.value).into(),
            rate_comment(r, level, "P(flag | wrong)"),
        );
    }
    if let Some(r) = &nf.false_alarm {
        set(
            t,
            "false_alarm",
            round6(r.value).into(),
            rate_comment(r, level, "P(flag | right)"),
        );
    }
    if let Some((input, output)) = nf.tokens {
        let mut tok = InlineTable::new();
        tok.insert("input", (input.round() as i64).into());
        tok.insert("output", (output.round() as i64).into());
        let n = nf.totals.token_attempts;
        set(
            t,
            "tokens",
            Value::InlineTable(tok),
            format!("fitted: mean per attempt, n = {n}"),
        );
    }
    let step = model
        .nodes
        .iter()
        .map(|n| (n.id.clone(), &n.step))
        .chain(model.edges.iter().map(|e| {
            (
                format!("{}->{}", model.nodes[e.from].id, model.nodes[e.to].id),
                &e.step,
            )
        }))
        .find(|(id, _)| id.split('#').next() == Some(nf.totals.name.as_str()))
        .map(|(_, s)| s);
    if let (Some((mean, lo, hi)), Some(step)) = (nf.cost, step) {
        let tolerance = 1e-9 * mean.abs().max(1e-12);
        let agrees = step.cost.usd >= lo - tolerance && step.cost.usd <= hi + tolerance;
        if !agrees {
            let mut c = InlineTable::new();
            c.insert("per_call", round6(mean).into());
            let comment = format!(
                "fitted: mean cost per attempt, {level} [{}, {}], n = {}",
                g(lo),
                g(hi),
                nf.totals.cost_attempts
            );
            set(t, "cost", Value::InlineTable(c), comment);
        }
    }
    if let Some(step) = step {
        let retries = nf.totals.max_attempt.saturating_sub(1);
        if retries > step.retry.max_retries {
            let mut r = InlineTable::new();
            r.insert("max", i64::from(retries).into());
            let comment = format!(
                "raised: a pass made {} attempts (structure allowed {})",
                nf.totals.max_attempt,
                step.retry.max_retries + 1
            );
            set(t, "retry", Value::InlineTable(r), comment);
        }
    }
}

/// The `count` of a fitted loop or fan-out as the scenario format writes it.
fn count_value(c: &CountFit) -> Value {
    let mut t = InlineTable::new();
    match &c.dist {
        CountDist::Fixed(n) => {
            t.insert("dist", "fixed".into());
            t.insert("value", i64::from(*n).into());
        }
        CountDist::Geometric { mean } => {
            t.insert("dist", "geometric".into());
            t.insert("mean", round6(mean.0).into());
        }
        CountDist::Poisson { mean } => {
            t.insert("dist", "poisson".into());
            t.insert("mean", round6(mean.0).into());
        }
        CountDist::Empirical {
            counts, weights, ..
        } => {
            t.insert("dist", "empirical".into());
            let counts: toml_edit::Array = counts.iter().map(|&n| i64::from(n)).collect();
            let weights: toml_edit::Array = weights.iter().map(|&w| round6(w)).collect();
            t.insert("counts", Value::Array(counts));
            t.insert("weights", Value::Array(weights));
        }
    }
    Value::InlineTable(t)
}

/// Writes the fitted count into the node's `loop` or `fan_out` (an inline
/// table, commented after it, or a table, commented after its `count`).
fn set_count(node: &mut Table, c: &CountFit, level: &str) {
    let comment = format!("  # fitted count: {}", c.describe(level));
    match node.get_mut(c.table) {
        Some(Item::Value(Value::InlineTable(t))) => {
            t.insert("count", count_value(c));
            t.decor_mut().set_suffix(comment);
        }
        Some(Item::Table(t)) => {
            let mut v = count_value(c);
            v.decor_mut().set_suffix(comment);
            t["count"] = Item::Value(v);
        }
        _ => {}
    }
}
