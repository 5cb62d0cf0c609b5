//! The execution layer: every command that simulates (`run`, `sweep`,
//! `compare`, `analyze`, `report`, shards and the stability pilot) goes
//! through these drivers, so they share one seed policy ([`crate::seed`]),
//! one runaway policy (a task past `[run] max_events`/`max_time_s` refuses
//! the whole run, naming the earliest such task), and one stop policy
//! ([`Control`]: checked between chunks of trials; a stopped run reports
//! nothing).
//!
//! * [`trials`]: independent trials in parallel;
//! * [`paired`]: several models in lockstep on common random numbers (reviews);
//! * [`loaded`]: the replications of a workload, with the [`stability`] pilot;
//! * [`run`]: a whole run or a slice of one (shards), with its checks and summary
//!   (per task class in `classes.rs`);
//! * [`precision`]: runs in batches until a figure's interval is as narrow as asked;
//! * [`rare`]: rare outcome rates by importance sampling (failure biasing).

mod classes;
mod control;
mod error;
pub mod loaded;
pub mod paired;
pub mod precision;
pub mod rare;
pub mod run;
pub mod stability;
pub mod trials;

pub use control::Control;
pub use error::{SimError, describe_runaway};
pub use run::{Tally, run_length, simulate, simulate_slice, summarize};
