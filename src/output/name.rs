//! Scenario names as they may appear in a path: `outputs/<name>`.
//!
//! The same rule as the scenario check (`name` in a scenario file), applied
//! again wherever a name read from somewhere else (a partial result file)
//! would become part of a path: no separators, no `..`, nothing hidden.

use crate::model::name::{ALLOWED, MAX_NAME_LEN, is_folder_safe};

/// Checks that `name` is 1 to 100 of `A-Z a-z 0-9 - _ .`, not starting with `.`.
pub fn check_scenario_name(name: &str) -> Result<(), String> {
    if is_folder_safe(name) {
        Ok(())
    } else {
        let shown: String = name.chars().take(MAX_NAME_LEN + 20).collect();
        Err(format!(
            "scenario name {shown:?} cannot name an output folder; allowed: {ALLOWED}"
        ))
    }
}
