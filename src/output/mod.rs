//! Presenting results: terminal tables and result files.

pub mod files;
pub mod table;
