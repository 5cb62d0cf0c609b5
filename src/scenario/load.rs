//! Reading a scenario file (TOML or JSON) from disk.

use std::path::Path;

use super::compile::{Scenario, compile};
use super::file::ScenarioFile;
use super::problem::{Problem, ScenarioError};

/// Reads, parses and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::whole_file(path, format!("cannot read the file: {e}")))?;
    let file = parse(path, &text)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario");
    compile(&file, stem).map_err(|problems| ScenarioError {
        file: path.to_path_buf(),
        problems,
    })
}

/// Parses `text` as TOML, or as JSON when the file name ends in `.json`.
pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, ScenarioError> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let problem = if is_json {
        match serde_json::from_str::<ScenarioFile>(text) {
            Ok(f) => return Ok(f),
            Err(e) => Problem {
                location: (e.line() > 0).then(|| (e.line(), e.column())),
                field: String::new(),
                message: format!(
                    "invalid JSON scenario: {}",
                    strip_json_position(&e.to_string())
                ),
            },
        }
    } else {
        match toml::from_str::<ScenarioFile>(text) {
            Ok(f) => return Ok(f),
            Err(e) => Problem {
                location: e.span().map(|s| line_col(text, s.start)),
                field: String::new(),
                message: format!("invalid TOML scenario: {}", e.message().trim()),
            },
        }
    };
    Err(ScenarioError {
        file: path.to_path_buf(),
        problems: vec![problem],
    })
}

/// 1-based line and column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// serde_json appends " at line L column C"; the location is reported separately.
fn strip_json_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 8), (2, 3));
    }
}
