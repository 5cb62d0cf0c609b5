//! Scenario files: their format, how they are read, and how they are checked.

pub mod bounds;
pub mod class_graphs;
pub mod compile;
pub mod dynamic;
pub mod energy;
pub mod file;
pub mod flatten;
pub mod forms;
pub mod include;
pub mod json;
pub mod load;
pub mod locate;
pub mod outages;
pub mod patch;
pub mod patterns;
pub mod problem;
pub mod progress;
pub mod rates;
pub mod resources;
pub mod schema;
pub mod step;
pub mod templates;

pub use compile::{NodeEntry, Scenario, compile};
pub use load::{compile_document, load, locate_in_file, parse, read_document, read_text};
pub use problem::{Problem, ScenarioError};
