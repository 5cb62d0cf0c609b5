//! Reading a scenario file (TOML or JSON) from disk.

use std::path::Path;

use super::class_graphs::{has_class_graphs, read_class_graphs};
use super::compile::{Scenario, compile};
use super::file::ScenarioFile;
use super::flatten::{FlattenError, flatten, has_subgraphs, relocate};
use super::include::Includes;
use super::locate::{attach_locations, line_col};
use super::problem::{Problem, ScenarioError, nearest};

/// Reads, parses and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_text(path)?;
    let file = parse(path, &text)?;
    if file
        .nodes
        .iter()
        .any(|n| n.include.is_some() || n.graph.is_some())
        || !file.classes.is_empty()
    {
        let doc = read_document(path)?;
        return compile_document(path, &doc).map_err(locate_in_file);
    }
    compile(&file, &default_name(path))
        .and_then(refuse_standstill)
        .map_err(|mut problems| {
            if !is_json(path) {
                attach_locations(&mut problems, &text);
            }
            ScenarioError {
                file: path.to_path_buf(),
                problems,
            }
        })
}

/// Refuses a loaded scenario whose clock could never advance (see [`super::progress`]).
fn refuse_standstill(s: Scenario) -> Result<Scenario, Vec<Problem>> {
    match super::progress::check(&s) {
        Some(problem) => Err(vec![problem]),
        None => Ok(s),
    }
}

/// Adds line and column to the problems of `error` from its file as written
/// (TOML files only), for problems found in a document read from that file.
pub fn locate_in_file(mut error: ScenarioError) -> ScenarioError {
    if !is_json(&error.file)
        && let Ok(text) = read_text(&error.file)
    {
        attach_locations(&mut error.problems, &text);
    }
    error
}

/// True for a file read as JSON (its name ends in `.json`).
fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Reads the scenario at `path` as a document (a TOML table) to be patched
/// (see [`super::patch`]) and then compiled with [`compile_document`]; its
/// sub-graphs are flattened into it (see [`super::flatten`]).
pub fn read_document(path: &Path) -> Result<toml::Table, ScenarioError> {
    read_document_with(path, &mut Includes::new(path))
}

/// [`read_document`] for a file read as part of `includes`.
pub(super) fn read_document_with(
    path: &Path,
    includes: &mut Includes,
) -> Result<toml::Table, ScenarioError> {
    let mut doc = read_plain_document(path)?;
    let flat = if has_subgraphs(&doc) {
        flatten(&mut doc, &mut |written| includes.include(written))
    } else {
        Ok(())
    };
    let read = flat.and_then(|()| {
        if has_class_graphs(&doc) {
            read_class_graphs(&mut doc, path, &mut |written| includes.include(written))
        } else {
            Ok(())
        }
    });
    match read {
        Ok(()) => Ok(doc),
        Err(FlattenError::Included(e)) => Err(e),
        Err(FlattenError::Problems(problems)) => Err(locate_in_file(ScenarioError {
            file: path.to_path_buf(),
            problems,
        })),
    }
}

/// The document of the file at `path` as written.
fn read_plain_document(path: &Path) -> Result<toml::Table, ScenarioError> {
    let text = read_text(path)?;
    // Parsing into the typed form first reports malformed files with their line and column.
    parse(path, &text)?;
    let doc = if is_json(path) {
        // `null` means absent, as in the typed form; TOML has no null.
        serde_json::from_str::<serde_json::Value>(&text)
            .map(super::json::without_nulls)
            .and_then(serde_json::from_value::<toml::Table>)
            .map_err(|e| e.to_string())
    } else {
        text.parse::<toml::Table>().map_err(|e| e.to_string())
    };
    doc.map_err(|e| ScenarioError::whole_file(path, format!("cannot read as a document: {e}")))
}

/// Checks and compiles a (possibly patched) scenario document read from `path`.
pub fn compile_document(path: &Path, doc: &toml::Table) -> Result<Scenario, ScenarioError> {
    let file: ScenarioFile = serde_path_to_error::deserialize(toml::Value::Table(doc.clone()))
        .map_err(|e| ScenarioError {
            file: path.to_path_buf(),
            problems: vec![Problem {
                location: None,
                field: field_path(e.path()),
                message: explain(&field_path(e.path()), e.inner().message().trim(), "TOML"),
            }],
        })?;
    compile(&file, &default_name(path))
        .and_then(refuse_standstill)
        .map_err(|mut problems| {
            relocate(&mut problems, doc);
            ScenarioError {
                file: path.to_path_buf(),
                problems,
            }
        })
}

/// The scenario name used when the file gives none: the file's stem.
fn default_name(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
        .to_string()
}

/// Reads the text of the scenario file at `path`, without a UTF-8
/// byte-order mark (which some editors write, and JSON parsers refuse).
pub fn read_text(path: &Path) -> Result<String, ScenarioError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::whole_file(path, format!("cannot read the file: {e}")))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Parses `text` as TOML, or as JSON when the file name ends in `.json`.
///
/// A JSON file is held to what every command can do with it: integers must
/// fit a TOML integer (commands that change a scenario work on it as a
/// TOML document), and `null` means an absent field.
pub fn parse(path: &Path, text: &str) -> Result<ScenarioFile, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let problem = if is_json(path) {
        let mut de = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, ScenarioFile>(&mut de) {
            Ok(f) => match super::json::integer_beyond_toml(text) {
                None => return Ok(f),
                Some(problem) => problem,
            },
            Err(e) => {
                let field = field_path(e.path());
                let inner = e.inner();
                Problem {
                    location: (inner.line() > 0).then(|| (inner.line(), inner.column())),
                    message: explain(&field, strip_json_position(&inner.to_string()), "JSON"),
                    field,
                }
            }
        }
    } else {
        let (field, error) = match toml::Deserializer::parse(text) {
            Err(e) => (String::new(), e),
            Ok(de) => match serde_path_to_error::deserialize::<_, ScenarioFile>(de) {
                Ok(f) => return Ok(f),
                Err(e) => (field_path(e.path()), e.into_inner()),
            },
        };
        Problem {
            location: error.span().map(|s| line_col(text, s.start)),
            message: explain(&field, error.message().trim(), "TOML"),
            field,
        }
    };
    Err(ScenarioError {
        file: path.to_path_buf(),
        problems: vec![problem],
    })
}

/// A serde path as `nodes[2].latency`, or empty at the top level.
fn field_path(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." { String::new() } else { s }
}

/// The parser's message about `field`, in the file format's words (a type
/// error names the expected form with an example, see [`super::forms`]),
/// with a suggestion when it names an unknown field or value.
fn explain(field: &str, message: &str, format: &str) -> String {
    format!(
        "invalid {format} scenario: {}",
        explain_parse_error(field, message)
    )
}

/// A parser's message about `field` in the file format's words, with "did
/// you mean" for an unknown field or value: shared by scenario and variant
/// files.
pub fn explain_parse_error(field: &str, message: &str) -> String {
    let suggestion = typo_suggestion(message)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    let message = super::forms::explain_type_error(field, message);
    format!("{message}{suggestion}")
}

/// For "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"), the closest allowed name.
fn typo_suggestion(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (typo, allowed) = rest.split_once('`')?;
    let candidates: Vec<&str> = allowed.split('`').skip(1).step_by(2).collect();
    nearest(typo, candidates).map(str::to_string)
}

/// serde_json appends " at line L column C"; the location is reported separately.
fn strip_json_position(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    }
}
