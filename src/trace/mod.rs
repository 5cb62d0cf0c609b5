//! Traces in and out: simulated tasks written as spans, real spans read and
//! fitted into a scenario, and a scenario checked against observed runs.
//!
//! The core here does no I/O: [`record`] replays sampled trials of a model
//! and keeps every attempt as a span ([`span`]); [`otlp`] and [`chrome`]
//! turn those into documents (OTLP JSON with the OpenTelemetry GenAI
//! attributes, Chrome trace events); [`read`] parses lines of OTLP JSON or
//! of a plain steps CSV/JSONL into observed spans; [`fit`] fits a scenario's
//! figures to them; [`check`] compares a simulated run with them. The
//! command-line side (`src/cli/fit.rs`, `check.rs`, `run --traces`) reads
//! and writes the files.
//!
//! The span mapping is by node name: every step span carries `coordsim.node`
//! (or is mapped by its GenAI operation and name), a pass number for
//! re-executions after a loop-back, and an attempt number within the pass.
//! Loops and sub-graphs add spans of the same shape.

pub mod attrs;
pub mod book;
pub mod check;
pub mod chrome;
pub mod fit;
pub mod loaded;
pub mod observe;
pub mod otlp;
pub mod read;
pub mod record;
pub mod sample;
pub mod span;
