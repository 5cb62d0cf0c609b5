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
    RunSettings {
        name,
        trials,
        seed,
        limits,
        pass_k,
    }
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
