//! Checking and compiling probabilities that may vary across tasks, and a
//! step's fault persistence.

use super::file::{PersistenceSpec, RateDistSpec, RateSpec};
use super::problem::Problems;
use crate::model::{Loading, Model, TaskRate};

/// Largest Beta shape accepted (beyond it the distribution is a point).
const MAX_SHAPE: f64 = 1e6;

/// A checked probability: the value every task uses, or the distribution each
/// task draws from (with its mean as `nominal`, for figures and closed forms).
#[derive(Debug, Clone)]
pub struct CompiledRate {
    /// The fixed value, or the distribution's mean.
    pub nominal: f64,
    /// The distribution over tasks, if the rate varies.
    pub per_task: Option<TaskRate>,
}

/// Checks a probability written at `path` (absent: `default`).
pub fn compile_rate(
    spec: Option<&RateSpec>,
    default: f64,
    path: &str,
    p: &mut Problems,
) -> Option<CompiledRate> {
    match spec {
        None => Some(CompiledRate {
            nominal: default,
            per_task: None,
        }),
        Some(RateSpec::Fixed(v)) => p.probability(path, *v).then_some(CompiledRate {
            nominal: *v,
            per_task: None,
        }),
        Some(RateSpec::PerTask(d)) => {
            let rate = compile_distribution(d, path, p)?;
            Some(CompiledRate {
                nominal: rate.mean(),
                per_task: Some(rate),
            })
        }
    }
}

/// Checks a distribution table and builds it.
fn compile_distribution(d: &RateDistSpec, path: &str, p: &mut Problems) -> Option<TaskRate> {
    const EXAMPLE: &str = "e.g. { beta = [2, 8] } or { mean = 0.2, concentration = 10 }";
    let before = p.len();
    let (a, b) = match (d.beta, d.mean, d.concentration) {
        (Some([a, b]), None, None) => {
            let shape_ok = |p: &mut Problems, name: &str, v: f64| {
                let ok = v.is_finite() && v > 0.0 && v <= MAX_SHAPE;
                if !ok {
                    p.add(
                        format!("{path}.beta"),
                        format!(
                            "has {name} = {v}; allowed: [a, b] with a, b > 0 and at most \
                             {MAX_SHAPE:e}, e.g. beta = [2, 8]"
                        ),
                    );
                }
                ok
            };
            (shape_ok(p, "a", a) & shape_ok(p, "b", b)).then_some((a, b))?
        }
        (None, Some(m), Some(c)) => {
            if !(m.is_finite() && m > 0.0 && m < 1.0) {
                p.add(
                    format!("{path}.mean"),
                    format!("is {m}; allowed: a probability strictly between 0 and 1"),
                );
            }
            if !(c.is_finite() && c > 0.0 && c <= MAX_SHAPE) {
                p.add(
                    format!("{path}.concentration"),
                    format!("is {c}; allowed: a number > 0 (a + b of the Beta) and at most {MAX_SHAPE:e}"),
                );
            }
            if p.len() > before {
                return None;
            }
            (m * c, (1.0 - m) * c)
        }
        _ => {
            p.add(
                path,
                format!(
                    "a distribution over tasks needs either `beta = [a, b]`, or `mean` and \
                     `concentration` (not a mix); {EXAMPLE}"
                ),
            );
            return None;
        }
    };
    let difficulty = match (&d.difficulty, d.loading) {
        (None, None) => None,
        (None, Some(_)) => {
            p.add(
                format!("{path}.loading"),
                "needs `difficulty`, the name of the task-level difficulty it loads on, \
                 e.g. { beta = [2, 8], difficulty = \"hard-task\", loading = 0.8 }",
            );
            return None;
        }
        (Some(name), loading) => {
            let loading = loading.unwrap_or(1.0);
            if name.trim().is_empty() {
                p.add(
                    format!("{path}.difficulty"),
                    "is empty; allowed: a name, e.g. \"hard-task\"",
                );
            }
            if !(loading.is_finite() && (-1.0..=1.0).contains(&loading)) {
                p.add(
                    format!("{path}.loading"),
                    format!("is {loading}; allowed: a number in [-1, 1]"),
                );
            }
            Some(Loading {
                name: name.clone(),
                factor: 0,
                loading,
            })
        }
    };
    if p.len() > before {
        return None;
    }
    let rate = TaskRate::new(a, b, difficulty);
    if rate.is_none() {
        p.add(path, format!("Beta({a}, {b}) cannot be built; {EXAMPLE}"));
    }
    rate
}

/// Checks a persistence written at `path`; ρ (0 when absent).
pub fn compile_persistence(spec: Option<PersistenceSpec>, path: &str, p: &mut Problems) -> f64 {
    match spec {
        None => 0.0,
        Some(PersistenceSpec::Task) => 1.0,
        Some(PersistenceSpec::Probability(rho)) if p.probability(path, rho) => rho,
        Some(PersistenceSpec::Probability(_)) => 0.0,
    }
}

/// Checks `[run] pass_k`; the number of runs of every task (a loaded run,
/// `loaded`, runs each task once).
pub fn compile_pass_k(pass_k: Option<u64>, loaded: bool, p: &mut Problems) -> u32 {
    const MAX_PASS_K: u64 = 1000;
    match pass_k {
        None => 1,
        Some(k) if loaded && k > 1 => {
            p.add(
                "run.pass_k",
                format!(
                    "is {k}; a [workload] run runs every task once (its tasks share queues); \
                     allowed: pass_k = 1, or remove [workload] to run each task K times"
                ),
            );
            1
        }
        Some(k) if (1..=MAX_PASS_K).contains(&k) => k as u32,
        Some(k) => {
            p.add(
                "run.pass_k",
                format!("is {k}; allowed: an integer from 1 to {MAX_PASS_K}, e.g. pass_k = 8"),
            );
            1
        }
    }
}

/// Numbers the difficulties named by the model's per-task rates (in order of
/// first appearance) and points every rate at its difficulty's index.
pub fn index_difficulties(model: &mut Model) {
    let mut names: Vec<String> = Vec::new();
    let mut index = |rate: &mut Option<TaskRate>| {
        if let Some(l) = rate.as_mut().and_then(|r| r.difficulty.as_mut()) {
            l.factor = match names.iter().position(|n| *n == l.name) {
                Some(i) => i,
                None => {
                    names.push(l.name.clone());
                    names.len() - 1
                }
            };
        }
    };
    for exec in 0..model.exec_count() {
        let step = model.step_mut(exec);
        if let Some(r) = step.rates.as_mut() {
            index(&mut r.silent);
            index(&mut r.loud);
        }
    }
    for node in &mut model.nodes {
        if let Some(r) = node.gate.as_mut().and_then(|g| g.rates.as_mut()) {
            index(&mut r.sensitivity);
            index(&mut r.false_alarm);
        }
    }
    model.difficulties = names;
}
