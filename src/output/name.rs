//! Scenario names as they may appear in a path: `outputs/<name>`.
//!
//! The same rule as the scenario check (`name` in a scenario file), applied
//! again wherever a name read from somewhere else (a partial result file)
//! would become part of a path: no separators, no `..`, nothing hidden.

/// Longest scenario name.
pub const MAX_NAME_LEN: usize = 100;

/// Checks that `name` is 1 to 100 of `A-Z a-z 0-9 - _ .`, not starting with `.`.
pub fn check_scenario_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        let shown: String = name.chars().take(MAX_NAME_LEN + 20).collect();
        Err(format!(
            "scenario name {shown:?} cannot name an output folder; allowed: 1 to \
             {MAX_NAME_LEN} of A-Z a-z 0-9 - _ . , not starting with '.'"
        ))
    }
}
