//! Aggregating trial results into the figures a run reports.

pub mod accumulator;
pub mod interval;
pub mod load;
pub mod summary;
pub mod wide;

pub use accumulator::Accumulator;
pub use summary::{ExecSummary, Summary};
