//! coordsim: a discrete-event simulator of coordination reliability.
//!
//! A scenario (task graph of agents, tools, retrieval, gates and hand-offs) is
//! compiled into a [`model::Model`], simulated trial by trial on an event queue
//! ([`engine`], [`task`]), aggregated in parallel ([`montecarlo`], [`stats`]) and
//! reported ([`output`]); [`sweep`] runs a scenario over a grid of parameter
//! values and [`charts`] draws the results. The core (model, engine, task,
//! stats) does no I/O.

pub mod charts;
pub mod cli;
pub mod engine;
pub mod model;
pub mod output;
pub mod overrides;
pub mod review;
pub mod scenario;
pub mod seed;
pub mod shard;
pub mod sim;
pub mod stats;
pub mod sweep;
pub mod task;
pub mod trace;
pub mod world;
