//! Presenting results: terminal tables and result files.
//!
//! [`files`] writes files atomically (and result sets together), [`lock`]
//! and [`folder`] make an output folder one scenario's and one writer's,
//! [`name`] keeps paths built from names inside `outputs/`, [`results`] and
//! [`kept`] are what runs and sweeps write, [`provenance`] says where a
//! result comes from, [`check`] is what `coordsim check` writes.

pub mod check;
pub mod energy_table;
pub mod files;
pub mod folder;
pub mod kept;
pub mod lock;
pub mod name;
pub mod provenance;
pub mod rare;
pub mod results;
pub mod table;
pub mod traces;
