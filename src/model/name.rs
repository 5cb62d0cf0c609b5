//! The one rule for scenario names: a name becomes an output folder
//! (`outputs/<name>`), so it is a short run of safe characters, checked
//! wherever a name enters (a scenario file, a partial result, `init`).

/// Longest scenario name.
pub const MAX_NAME_LEN: usize = 100;

/// What a scenario name may be, for error messages.
pub const ALLOWED: &str = "1 to 100 of A-Z a-z 0-9 - _ . , not starting with '.'";

/// Whether `name` is 1 to 100 of `A-Z a-z 0-9 - _ .`, not starting with `.`
/// (so no separator, no `..`, nothing hidden).
pub fn is_folder_safe(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_dots_and_length_are_refused() {
        assert!(is_folder_safe("support-agent_v2.1"));
        for bad in ["", ".hidden", "..", "a/b", "a\\b", "ü", &"x".repeat(101)] {
            assert!(!is_folder_safe(bad), "{bad:?}");
        }
        assert!(is_folder_safe(&"x".repeat(100)));
    }
}
