//! Aggregating trial results into the figures a run reports.

pub mod accumulator;
pub mod classes;
pub mod cofailure;
pub mod energy;
pub mod hist_buffer;
pub mod interval;
pub mod load;
pub mod precision;
pub mod quantile;
pub mod rare;
pub mod ratio;
pub mod replication;
pub mod resilience;
pub mod rollup;
pub mod summary;
pub mod timeavg;
pub mod wide;

pub use accumulator::Accumulator;
pub use summary::{ExecSummary, Summary};
