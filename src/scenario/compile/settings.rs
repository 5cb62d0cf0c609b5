//! Stage 1: the run settings (`name`, `[run]`), which need nothing else.

use super::super::file::{RunSpec, ScenarioFile};
use super::super::problem::Problems;
use super::super::rates::compile_pass_k;
use super::{DEFAULT_SEED, DEFAULT_TRIALS, MAX_EVENTS_LIMIT, check_trials};
use crate::model::Limits;

/// The scenario's name and `[run]` settings, checked, defaults filled in.
pub struct RunSettings {
    /// The file's `name`, or the name it is given by default.
    pub name: String,
    /// Trials from `[run]`, or the default.
    pub trials: u64,
    /// Seed from `[run]`, or the default.
    pub seed: u64,
    /// `[run] max_events` and `max_time_s`, or their defaults.
    pub limits: Limits,
    /// `[run] pass_k`: runs of every task (1 by default).
    pub pass_k: u32,
    /// `[run] slo`: latency thresholds, ascending.
    pub slo: Vec<f64>,
}

/// Checks `name` and `[run]`; `default_name` names the scenario when the file does not.
pub fn run_settings(file: &ScenarioFile, default_name: &str, p: &mut Problems) -> RunSettings {
    let name = file
        .name
        .clone()
        .unwrap_or_else(|| default_name.to_string());
    check_name(&name, p);
    let trials = file.run.trials.unwrap_or(DEFAULT_TRIALS);
    check_trials("run.trials", trials, p);
    let seed = file.run.seed.unwrap_or(DEFAULT_SEED);
    let limits = run_limits(&file.run, p);
    let pass_k = compile_pass_k(file.run.pass_k, file.workload.is_some(), p);
    let slo = slo_thresholds(file.run.slo.as_deref().unwrap_or(&[]), p);
    RunSettings {
        name,
        trials,
        seed,
        limits,
        pass_k,
        slo,
    }
}

/// Most SLO thresholds a scenario may name.
pub const MAX_SLO_THRESHOLDS: usize = 16;
/// Largest SLO threshold, seconds: the longest a task may take (`max_time_s`'s bound).
const MAX_SLO_S: f64 = 1e10;

/// `[run] slo`, checked (each a number of seconds above 0 and at most 10¹⁰,
/// no two alike, at most 16), in ascending order.
fn slo_thresholds(slo: &[f64], p: &mut Problems) -> Vec<f64> {
    const EXAMPLE: &str = "e.g. slo = [2, 5, 30] (or --slo 2,5,30)";
    if slo.len() > MAX_SLO_THRESHOLDS {
        p.add(
            "run.slo",
            format!(
                "has {} thresholds; allowed: 1 to {MAX_SLO_THRESHOLDS}, {EXAMPLE}",
                slo.len()
            ),
        );
        return Vec::new();
    }
    let mut ok = true;
    for (i, &x) in slo.iter().enumerate() {
        if !(x.is_finite() && x > 0.0 && x <= MAX_SLO_S) {
            p.add(
                format!("run.slo[{i}]"),
                format!(
                    "is {x}; allowed: a latency in seconds above 0 and at most 1e10, {EXAMPLE}"
                ),
            );
            ok = false;
        }
    }
    let mut sorted = slo.to_vec();
    sorted.sort_by(f64::total_cmp);
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        p.add(
            "run.slo",
            format!(
                "names {} twice; allowed: distinct thresholds, {EXAMPLE}",
                w[0]
            ),
        );
        ok = false;
    }
    if ok { sorted } else { Vec::new() }
}

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
        super::super::bounds::max_time_s(t, p);
        limits.max_time_s = t;
    }
    limits
}

/// The name becomes a folder name: a short run of safe characters.
fn check_name(name: &str, p: &mut Problems) {
    if !crate::model::name::is_folder_safe(name) {
        p.add(
            "name",
            format!("is {name:?}; allowed: 1 to 100 of A-Z a-z 0-9 - _ . (it names the output folder), not starting with '.'"),
        );
    }
}
