//! Options and checks shared by the review commands (`compare`, `analyze`, `report`).

use std::path::{Path, PathBuf};

use super::CliError;
use crate::output::folder;
use crate::review::variant::{Arm, load_arm};
use crate::scenario::{ScenarioError, compile::check_trials, problem::Problems};

/// Simulation options of the review commands.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Trials per configuration [default: the base file's run.trials, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Base seed, shared by every configuration [default: the base file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder [default: outputs/<base-scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: one per core]; results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write into the output folder even if it holds another scenario's results.
    #[arg(long)]
    pub force: bool,
}

/// Loads every file (scenario or variant), checks the options, and returns
/// the arms with the trials and seed to use. Nothing is simulated or written.
pub fn load_all(
    files: &[PathBuf],
    sim: &SimArgs,
    extra: impl FnOnce(&mut Problems),
) -> Result<(Vec<Arm>, u64, u64), CliError> {
    let mut arms = Vec::new();
    for f in files {
        let arm = load_arm(f)?;
        if arm.scenario.workload.is_some() {
            // Paired trials need independent tasks; a loaded run's tasks share queues.
            return Err(CliError::BadInput(format!(
                "{}: workload: reviews pair independent tasks on common random numbers, and \
                 this scenario has a [workload] (many tasks sharing queues); compare loaded \
                 runs with `coordsim sweep` or `coordsim run --set`, or review it without [workload]\n",
                f.display()
            )));
        }
        arms.push(arm);
    }
    let base = &arms[0];
    let trials = sim.trials.unwrap_or(base.scenario.trials);
    let seed = sim.seed.unwrap_or(base.scenario.seed);
    let mut p = Problems::default();
    check_trials("--trials", trials, &mut p);
    if sim.threads == Some(0) {
        p.add("--threads", "is 0; allowed: at least 1");
    }
    extra(&mut p);
    let name = &base.label;
    if let Err(e) = folder::check(&out_dir(sim, name), name, sim.force) {
        p.add("--out", e);
    }
    if !p.is_empty() {
        return Err(ScenarioError {
            file: files[0].clone(),
            problems: p.into_vec(),
        }
        .into());
    }
    Ok((arms, trials, seed))
}

/// Runs `f` on a pool of the requested size.
pub fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, CliError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Io(format!("cannot start worker threads: {e}")))?;
    Ok(pool.install(f))
}

/// The output folder: `--out`, else `outputs/<name>`.
pub fn out_dir(sim: &SimArgs, name: &str) -> PathBuf {
    sim.out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(name))
}

/// Writes `files` (name, bytes) atomically into `dir`, marked as holding
/// `scenario`'s results; returns their paths.
pub fn write_files(
    dir: &Path,
    scenario: &str,
    files: &[(&str, Vec<u8>)],
) -> Result<Vec<PathBuf>, CliError> {
    let io =
        |e: std::io::Error| CliError::Io(format!("cannot write results to {}: {e}", dir.display()));
    folder::claim(dir, scenario).map_err(io)?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        crate::output::files::write_atomic(&path, bytes).map_err(io)?;
        written.push(path);
    }
    Ok(written)
}

/// One line naming the written files, for standard error.
pub fn written_line(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The command's error for a review of `file` that gave no result.
pub fn review_error(file: &std::path::Path, e: crate::review::ReviewError) -> CliError {
    match e {
        crate::review::ReviewError::Sim(e) => super::interrupt::sim_error(file.display(), e),
        crate::review::ReviewError::WhatIf(msg) => CliError::Io(msg),
    }
}
