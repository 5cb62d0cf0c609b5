//! Checking and compiling the step patterns: `hedge`, `cache` and the
//! `fallback` chains with the `[steps.NAME]` definitions they name.

use std::collections::BTreeMap;

use super::file::{CacheSpec, FallbackSpec, HedgeAfterSpec, HedgeSpec, StepSpec};
use super::problem::{Problems, nearest};
use super::step::compile_latency;
use crate::model::{Cache, Hedge, Latency, Step};

/// Longest chain of fallbacks a step may have.
pub const MAX_FALLBACK_DEPTH: usize = 16;

/// `hedge`, checked against the step's latency (a quantile delay is resolved on it).
pub fn compile_hedge(
    spec: Option<&HedgeSpec>,
    latency: Option<&Latency>,
    path: &str,
    p: &mut Problems,
) -> Option<Hedge> {
    let spec = spec?;
    let field = format!("{path}.hedge.after");
    let after = match &spec.after {
        HedgeAfterSpec::Seconds(s) => {
            if !(s.is_finite() && *s >= 0.0) {
                p.add(
                    field,
                    format!(
                        "is {s}; allowed: a delay in seconds of at least 0, or a latency \
                         quantile, e.g. hedge = {{ after = 1.2 }} or hedge = {{ after = \"p95\" }}"
                    ),
                );
                return None;
            }
            *s
        }
        HedgeAfterSpec::Quantile(q) => {
            let level = q
                .strip_prefix('p')
                .and_then(|n| n.parse::<f64>().ok())
                .filter(|n| n.is_finite() && *n > 0.0 && *n < 100.0);
            let Some(level) = level else {
                p.add(
                    field,
                    format!(
                        "is {q:?}; allowed: seconds or a percentile of the step's latency \
                         between p0 and p100 (exclusive), e.g. hedge = {{ after = \"p95\" }}"
                    ),
                );
                return None;
            };
            latency?.quantile(level / 100.0)
        }
    };
    Some(Hedge {
        after,
        cancel: spec.cancel.unwrap_or(true),
    })
}

/// `cache`, checked.
pub fn compile_cache(spec: Option<&CacheSpec>, path: &str, p: &mut Problems) -> Option<Box<Cache>> {
    let spec = spec?;
    let path = format!("{path}.cache");
    let hit = p.probability(format!("{path}.hit"), spec.hit);
    let stale = spec.stale.unwrap_or(0.0);
    let stale_ok = p.probability(format!("{path}.stale"), stale);
    let latency = match &spec.latency {
        None => Some(Latency::zero()),
        Some(l) => compile_latency(l, None, &format!("{path}.latency"), p),
    };
    (hit && stale_ok).then_some(())?;
    Some(Box::new(Cache {
        hit: spec.hit,
        stale,
        latency: latency?,
    }))
}

/// Compiles a step with its chain of fallbacks: `compile` builds one step
/// from its fields; a `fallback` naming a `[steps.NAME]` definition is
/// looked up in `defs`. A chain that comes back to a definition it has
/// already passed (a definition falling back to itself, or a cycle) is
/// refused. `name` is the definition's own name when `spec` is one.
pub fn with_fallbacks(
    spec: &StepSpec,
    path: &str,
    name: Option<&str>,
    defs: &BTreeMap<String, StepSpec>,
    compile: &mut dyn FnMut(&StepSpec, &str, &mut Problems) -> Option<Step>,
    p: &mut Problems,
) -> Option<Step> {
    let mut seen: Vec<String> = name.map(str::to_string).into_iter().collect();
    chain(spec, path, &mut seen, defs, compile, p)
}

fn chain(
    spec: &StepSpec,
    path: &str,
    seen: &mut Vec<String>,
    defs: &BTreeMap<String, StepSpec>,
    compile: &mut dyn FnMut(&StepSpec, &str, &mut Problems) -> Option<Step>,
    p: &mut Problems,
) -> Option<Step> {
    let step = compile(spec, path, p);
    let Some(fallback) = &spec.fallback else {
        return step;
    };
    let field = format!("{path}.fallback");
    if seen.len() >= MAX_FALLBACK_DEPTH {
        p.add(
            field,
            format!("makes a chain longer than {MAX_FALLBACK_DEPTH} fallbacks; allowed: at most {MAX_FALLBACK_DEPTH}"),
        );
        return None;
    }
    let next = match fallback {
        FallbackSpec::Inline(inner) => {
            seen.push(String::new());
            let next = chain(inner, &field, seen, defs, compile, p);
            seen.pop();
            next
        }
        FallbackSpec::Node(name) => {
            if seen.iter().any(|s| s == name) {
                let mut cycle: Vec<&str> = seen
                    .iter()
                    .filter(|s| !s.is_empty())
                    .map(String::as_str)
                    .collect();
                cycle.push(name);
                p.add(
                    field,
                    format!(
                        "is {name:?}, which leads back to itself ({}); allowed: a chain of \
                         fallbacks that ends, e.g. fallback = \"backup\" with [steps.backup] \
                         having no fallback",
                        cycle.join(" -> ")
                    ),
                );
                return None;
            }
            let Some(def) = defs.get(name) else {
                let hint = nearest(name, defs.keys().map(String::as_str))
                    .map(|n| format!(" (did you mean {n:?}?)"))
                    .unwrap_or_default();
                p.add(
                    field,
                    format!(
                        "is {name:?}, which names no [steps.{name}] definition{hint}; allowed: \
                         the name of a [steps.NAME] table or step fields inline, e.g. \
                         fallback = {{ latency = {{ dist = \"exponential\", mean = 2 }}, loud = 0.05 }}"
                    ),
                );
                return None;
            };
            // The definition's own problems are reported once, where it is
            // checked by itself; here they only stop the chain.
            let mut own = Problems::default();
            seen.push(name.clone());
            let next = chain(def, &format!("steps.{name}"), seen, defs, compile, &mut own);
            seen.pop();
            if !own.is_empty() {
                return None;
            }
            next
        }
    };
    let (step, next) = (step?, next?);
    if next.rates.is_some() || next.persistence != 0.0 {
        p.add(
            field,
            "has per-task rates or a persistence; allowed in a fallback: fixed probabilities \
             (e.g. loud = 0.05), drawn afresh for every attempt",
        );
        return None;
    }
    Some(Step {
        fallback: Some(Box::new(next)),
        ..step
    })
}

/// Refuses every cycle among the `[steps.NAME]` definitions' fallbacks, at
/// the `fallback` field of each definition on it: a chain checked from a node
/// or another definition stops at a cycle without saying so (its nested
/// problems are the definitions' own), so the cycle is reported here.
pub fn refuse_fallback_cycles(defs: &BTreeMap<String, StepSpec>, p: &mut Problems) {
    /// The first definition a step's fallback chain names (through inline fallbacks).
    fn named(spec: &StepSpec) -> Option<&str> {
        match spec.fallback.as_ref()? {
            FallbackSpec::Node(name) => Some(name),
            FallbackSpec::Inline(inner) => named(inner),
        }
    }
    for start in defs.keys() {
        let mut path = vec![start.as_str()];
        let mut at = start.as_str();
        while let Some(next) = defs.get(at).and_then(named) {
            if next == start {
                // Reported at every definition of the cycle (a definition
                // falling back to itself is refused by its own check).
                if path.len() > 1 {
                    path.push(next);
                    p.add(
                        format!("steps.{start}.fallback"),
                        format!(
                            "leads back to itself ({}); allowed: a chain of fallbacks that \
                             ends, e.g. fallback = \"backup\" with [steps.backup] having no fallback",
                            path.join(" -> ")
                        ),
                    );
                }
                break;
            }
            if path.contains(&next) || path.len() > MAX_FALLBACK_DEPTH {
                break;
            }
            path.push(next);
            at = next;
        }
    }
}
