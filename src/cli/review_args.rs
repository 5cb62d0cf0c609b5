//! Loading and checks shared by the review commands (`compare`, `analyze`, `report`).

use std::path::{Path, PathBuf};

use super::CliError;
use super::interrupt::sim_error;
use super::options::{CommonOptions, refuse};
use crate::output::folder;
use crate::review::ReviewError;
use crate::review::variant::{Arm, load_arm_with};
use crate::scenario::problem::Problems;

/// Loads every file (scenario or variant) with the `--set` changes applied
/// to each, checks the options, and returns the arms with the trials and seed
/// to use. Nothing is simulated or written.
pub fn load_all(
    files: &[PathBuf],
    common: &CommonOptions,
    extra: impl FnOnce(&mut Problems),
) -> Result<(Vec<Arm>, u64, u64), CliError> {
    let (sim, output) = (&common.sim, &common.output);
    let mut p = Problems::default();
    let changes = sim.overrides(&mut p);
    refuse(&files[0], p)?;
    let mut arms = Vec::new();
    for f in files {
        let arm = load_arm_with(f, &changes)?;
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
    sim.check(&mut p);
    extra(&mut p);
    let name = &base.label;
    if let Err(e) = folder::check(&output.dir(name), name, output.force) {
        p.add("--out", e);
    }
    refuse(&files[0], p)?;
    Ok((arms, trials, seed))
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

/// The command's error for a review of `file` that gave no result.
pub fn review_error(file: &Path, e: ReviewError) -> CliError {
    match e {
        ReviewError::Sim(e) => sim_error(file.display(), e),
        ReviewError::WhatIf(msg) => CliError::Io(msg),
    }
}
