//! Presenting results: terminal tables and result files.

pub mod files;
pub mod folder;
pub mod kept;
pub mod table;
