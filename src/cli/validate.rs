//! `coordsim validate`: check a scenario and say what is wrong.

use std::path::Path;

use super::CliError;
use super::console::outln;
use crate::scenario;

/// Loads and checks `file`; prints a one-line description when it is valid.
pub fn validate(file: &Path) -> Result<(), CliError> {
    let s = scenario::load(file)?;
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
