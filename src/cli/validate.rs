//! `coordsim validate`: check a scenario and say what is wrong.

use std::path::Path;

use super::CliError;
use super::console::outln;
use crate::scenario;

/// Loads and checks `file`; prints a one-line description when it is valid.
pub fn validate(file: &Path) -> Result<(), CliError> {
    let s = scenario::load(file)?;
    check_sweep_table(file)?;
    let m = &s.model;
    outln!(
        "{}: ok — scenario \"{}\": {} nodes, {} edges, {} gates; {} trials, seed {} by default",
        file.display(),
        m.name,
        m.nodes.len(),
        m.edges.len(),
        m.nodes.iter().filter(|n| n.gate.is_some()).count(),
        s.trials,
        s.seed
    );
    Ok(())
}

/// Checks the paths and values of the file's `[sweep] vary` (what `sweep`
/// would refuse before running), so that `validate` does not call fine a
/// file that `sweep` refuses.
fn check_sweep_table(file: &Path) -> Result<(), CliError> {
    let text = scenario::read_text(file)?;
    let spec = scenario::parse(file, &text)?;
    if spec.sweep.is_some() {
        crate::sweep::axes(&[], spec.sweep.as_ref())
            .and_then(crate::sweep::Grid::new)
            .map_err(|e| CliError::BadInput(format!("{}: {e}", file.display())))?;
    }
    Ok(())
}
