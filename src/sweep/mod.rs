//! Parameter sweeps: run a scenario over a grid of values of any of its
//! numeric fields (addressed by path, e.g. `nodes.retrieve.silent`, or `depth`)
//! and tabulate how reliability, latency and cost change.
//!
//! [`grid`] and [`values`] parse the axes, [`plan`] resolves and checks every
//! point before anything runs, [`run`] simulates them, and [`table`], [`csv`]
//! and [`json`] present the results. Nothing here prints: progress is reported
//! through a callback.

pub mod csv;
pub mod grid;
pub mod json;
pub mod plan;
pub mod run;
pub mod table;
pub mod theory;
pub mod values;

pub use grid::{Axis, Grid};
pub use plan::Plan;
pub use run::{PointResult, Progress};
pub use table::SweepTable;

use crate::scenario::file::SweepSpec;

/// The axes to sweep: those given on the command line (`--vary`), or else the
/// file's `[sweep] vary` list.
pub fn axes(flags: &[String], file: Option<&SweepSpec>) -> Result<Vec<Axis>, String> {
    if !flags.is_empty() {
        return flags
            .iter()
            .map(|spec| Axis::parse(spec, |path| format!("--vary {path}")))
            .collect();
    }
    let specs = file.map_or(&[][..], |s| &s.vary[..]);
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| Axis::parse(spec, |path| format!("[sweep] vary[{i}] ({path})")))
        .collect()
}
