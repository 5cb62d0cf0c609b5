//! The output folder of a command: its default path, its claim (taken
//! before the work starts, see [`crate::output::folder`]) and the writing of
//! its result set, with errors mapped to exit codes.

use std::path::{Path, PathBuf};

use super::CliError;
use super::console::note;
use crate::output::folder::{self, Claim, ClaimError};

impl From<ClaimError> for CliError {
    fn from(e: ClaimError) -> Self {
        match e {
            ClaimError::Refused(m) => CliError::BadInput(m),
            ClaimError::Io(m) => CliError::Io(m),
        }
    }
}

/// `--out`, else `outputs/<scenario>` (built from a valid scenario name
/// only), or `outputs/<scenario>--set-<hash>` with `changes`.
pub fn out_dir(
    out: Option<&Path>,
    scenario: &str,
    changes: &[String],
) -> Result<PathBuf, CliError> {
    match out {
        Some(dir) => Ok(dir.to_path_buf()),
        None => folder::default_dir(scenario)
            .map(|dir| {
                dir.with_file_name(crate::output::provenance::folder_name(scenario, changes))
            })
            .map_err(CliError::BadInput),
    }
}

/// Claims `dir` for the results of `scenario`; `what` names the command for
/// the message another writer gets (e.g. `sweep of scenario "a"`).
pub fn claim_results(
    dir: &Path,
    scenario: &str,
    force: bool,
    what: &str,
) -> Result<Claim, CliError> {
    let claim = Claim::results(dir, scenario, force, what)?;
    warn_unlocked(&claim);
    Ok(claim)
}

/// Claims `dir` for one shard of a run of `scenario` (other shards of it may
/// write their partial files into it at the same time).
pub fn claim_shard(dir: &Path, scenario: &str, force: bool, what: &str) -> Result<Claim, CliError> {
    let claim = Claim::shard(dir, scenario, force, what)?;
    warn_unlocked(&claim);
    Ok(claim)
}

/// Says that the folder could not be locked, if so.
pub fn warn_unlocked(claim: &Claim) {
    if let Some(w) = claim.warning() {
        note!("warning: {w}");
    }
}

/// Writes a result set into the claimed folder (see [`Claim::write_set`]);
/// says which stale files of an earlier set were removed unless `quiet`.
pub fn write_set(
    claim: &mut Claim,
    files: &[(String, Vec<u8>)],
    stale: &[String],
    quiet: bool,
) -> Result<Vec<PathBuf>, CliError> {
    let written = claim.write_set(files, stale).map_err(|e| {
        CliError::Io(format!(
            "cannot write results to {}: {e}",
            claim.dir().display()
        ))
    })?;
    if !quiet && !written.removed_stale.is_empty() {
        note!(
            "removed {} from {}: left by an earlier run, they no longer match the new results",
            written.removed_stale.join(", "),
            claim.dir().display()
        );
    }
    Ok(written.paths)
}
