//! Loading and checks shared by the review commands (`compare`, `analyze`, `report`).

use std::path::{Path, PathBuf};

use super::interrupt::sim_error;
use super::options::{CommonOptions, refuse};
use super::{CliError, outdir};
use crate::output::folder::{self, Claim};
use crate::output::provenance::result_changes;
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
    if let Err(e) = output
        .dir(name, &result_changes(&changes))
        .map_err(|e| e.to_string())
        .and_then(|dir| folder::check(&dir, name, output.force))
    {
        p.add("--out", e);
    }
    refuse(&files[0], p)?;
    Ok((arms, trials, seed))
}

/// Claims the output folder for the results of scenario `name` before the
/// work starts; `command` names the command for another writer's message.
pub fn claim_out(common: &CommonOptions, name: &str, command: &str) -> Result<Claim, CliError> {
    let what = format!("{command} of scenario \"{name}\"");
    let output = &common.output;
    let changes = common.sim.overrides(&mut Problems::default());
    let dir = output.dir(name, &result_changes(&changes))?;
    outdir::claim_results(&dir, name, output.force, &what)
}

/// Writes `files` (name, bytes) together into the claimed folder, marked as
/// holding its scenario's results; returns their paths.
pub fn write_files(claim: &mut Claim, files: &[(&str, Vec<u8>)]) -> Result<Vec<PathBuf>, CliError> {
    let files: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, bytes)| (name.to_string(), bytes.clone()))
        .collect();
    outdir::write_set(claim, &files, &[], false)
}

/// The command's error for a review of `file` that gave no result.
pub fn review_error(file: &Path, e: ReviewError) -> CliError {
    match e {
        ReviewError::Sim(e) => sim_error(file.display(), e),
        ReviewError::WhatIf(msg) => CliError::Io(msg),
    }
}
