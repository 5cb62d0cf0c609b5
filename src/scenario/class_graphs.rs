//! The graphs of `[[classes]]` read into the scenario's document: a class's
//! `include = "file.toml"` becomes its inline `graph` (with `file` set), and
//! the sub-graphs of every class graph are flattened, so that everything
//! after reading (`--set`, variants, compilation, shards) sees one document.
//!
//! An included class file follows the rules of sub-graph includes
//! ([`super::include`]: relative, `.toml`/`.json`, a regular file, no cycle,
//! valid on its own) and one more: it must lie inside the scenario's folder
//! (no `..`, no link out of it), since a class is part of the scenario.
//! Its `[[resources]]` merge with the scenario's by id, as a sub-graph's do.

use std::path::{Component, Path};

use toml::{Table, Value};

use super::flatten::{FlattenError, Include, IncludeFailure, flatten, merge_resources};
use super::problem::Problem;

/// True when `doc` has `[[classes]]` with a graph to read or flatten.
pub fn has_class_graphs(doc: &Table) -> bool {
    class_tables(doc).any(|c| c.contains_key("include") || c.contains_key("graph"))
}

fn class_tables(doc: &Table) -> impl Iterator<Item = &Table> {
    doc.get("classes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
}

/// Checks that `written` stays inside the folder of the scenario at `top`.
pub fn inside_folder(top: &Path, written: &str) -> Result<(), String> {
    let example = "e.g. include = \"classes/chat.toml\"";
    if Path::new(written)
        .components()
        .any(|c| matches!(c, Component::ParentDir))
    {
        return Err(format!(
            "\"{written}\" leaves the scenario's folder; allowed: a file inside it, {example}"
        ));
    }
    let folder = top.parent().unwrap_or(Path::new(""));
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    if let (Ok(root), Ok(file)) = (
        std::fs::canonicalize(folder),
        std::fs::canonicalize(folder.join(written)),
    ) && !file.starts_with(&root)
    {
        return Err(format!(
            "\"{written}\" links out of the scenario's folder; allowed: a file inside it, {example}"
        ));
    }
    Ok(())
}

/// Reads every class's graph into `doc` (see the module's documentation).
pub fn read_class_graphs(
    doc: &mut Table,
    top: &Path,
    include: &mut Include<'_>,
) -> Result<(), FlattenError> {
    let count = doc
        .get("classes")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let mut problems = Vec::new();
    for k in 0..count {
        let Some(class) = doc["classes"].as_array().and_then(|a| a[k].as_table()) else {
            continue;
        };
        let id = class.get("id").and_then(Value::as_str).unwrap_or("");
        let here = format!("classes[{k}] ({id})");
        let written = class
            .get("include")
            .and_then(Value::as_str)
            .map(str::to_string);
        let inline = class.get("graph").and_then(Value::as_table).cloned();
        let (mut graph, file) = match (written, inline) {
            (None, None) => continue,
            (Some(_), Some(_)) => {
                problems.push(problem(
                    format!("{here}.include"),
                    "give `include` (a file) or `graph` (inline), not both",
                ));
                continue;
            }
            (Some(path), None) => {
                if let Err(message) = inside_folder(top, &path) {
                    problems.push(problem(format!("{here}.include"), message));
                    continue;
                }
                match include(&path) {
                    Ok(sub) => (sub, Some(path)),
                    Err(IncludeFailure::Here(message)) => {
                        problems.push(problem(format!("{here}.include"), message));
                        continue;
                    }
                    Err(IncludeFailure::There(e)) => return Err(FlattenError::Included(e)),
                }
            }
            (None, Some(mut graph)) => {
                match flatten(&mut graph, include) {
                    Ok(()) => {}
                    Err(FlattenError::Problems(found)) => {
                        problems.extend(found.into_iter().map(|p| Problem {
                            field: format!("{here}.graph.{}", p.field),
                            ..p
                        }));
                        continue;
                    }
                    Err(e) => return Err(e),
                }
                (graph, None)
            }
        };
        let field = if file.is_some() { "include" } else { "graph" };
        if let Err(message) = merge_resources(doc, &mut graph) {
            problems.push(problem(format!("{here}.{field}"), message));
            continue;
        }
        let mut inline = Table::new();
        if let Some(file) = file {
            inline.insert("file".into(), Value::String(file));
        }
        for key in ["defaults", "nodes", "edges"] {
            if let Some(v) = graph.remove(key) {
                inline.insert(key.into(), v);
            }
        }
        let class = doc["classes"].as_array_mut().expect("checked")[k]
            .as_table_mut()
            .expect("checked");
        class.remove("include");
        class.insert("graph".into(), Value::Table(inline));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(FlattenError::Problems(problems))
    }
}

fn problem(field: String, message: impl Into<String>) -> Problem {
    Problem {
        location: None,
        field,
        message: message.into(),
    }
}
