//! Field changes by path given on the command line: `--set PATH=VALUE` (every
//! simulating command) and the axes of `sweep --vary PATH=VALUES`.
//!
//! Both name a field as [`crate::scenario::patch`] does (`nodes.retrieve.silent`,
//! `edges.a->b.loud`, `workload.rate`), plus the shorthand `depth`: the `repeat`
//! of the scenario's single repeated node. This module is the one place where
//! such a path is resolved against a scenario document and set in it, before
//! the document is compiled as if it had been written that way.

use std::path::Path;

use toml::{Table, Value};

use crate::scenario::locate::value_at;
use crate::scenario::patch::{parse_value, set_path, shown};
use crate::scenario::problem::Problems;
use crate::scenario::{Scenario, ScenarioError, compile_document, locate_in_file};

/// The shorthand for the `repeat` field of the scenario's single repeated node.
pub const DEPTH: &str = "depth";

/// One `--set PATH=VALUE`, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The path as written (`depth`, `nodes.retrieve.silent`).
    pub path: String,
    /// The new value (a TOML literal).
    pub value: Value,
    /// The flag as given, for messages: `--set nodes.retrieve.silent=0.02`.
    pub origin: String,
}

/// Parses every `PATH=VALUE` change (spaces around `=` allowed); what cannot
/// be parsed is added to `p`, named by its flag.
pub fn parse_all(changes: &[String], p: &mut Problems) -> Vec<Override> {
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        let Some((path, value)) = change.split_once('=') else {
            p.add("--set", format!("`{}` is not PATH=VALUE", shown(change)));
            continue;
        };
        let origin = format!("--set {}", shown(change));
        match parse_value(value.trim()) {
            Ok(value) => out.push(Override {
                path: path.trim().to_string(),
                value,
                origin,
            }),
            Err(e) => p.add(origin, e),
        }
    }
    out
}

/// Sets every change in `doc`, in order (a later change of the same field
/// wins); what cannot be set is added to `p`, named by its flag.
pub fn apply(doc: &mut Table, overrides: &[Override], p: &mut Problems) {
    for o in overrides {
        let set = resolve(&o.path, &o.origin, doc)
            .and_then(|target| set_path(doc, &target, o.value.clone()));
        if let Err(e) = set {
            // `resolve` already names the flag; `set_path` names the path.
            let e = e
                .strip_prefix(&format!("{}: ", o.origin))
                .map_or(e.clone(), str::to_string);
            p.add(o.origin.clone(), e);
        }
    }
}

/// Compiles `changed`, the document `original` (read from `file`) with
/// `overrides` applied. A problem in a field that an override changed is
/// blamed on it: named by its flag (`--set nodes.a.silent=2: nodes[0]
/// (a).silent: ...`) and given no line of the file, which does not hold the
/// value; the other problems are located in the file as usual.
pub fn compile_changed(
    file: &Path,
    original: &Table,
    changed: &Table,
    overrides: &[Override],
) -> Result<Scenario, ScenarioError> {
    compile_document(file, changed).map_err(|mut e| {
        for problem in &mut e.problems {
            if problem.field.is_empty() || problem.field.starts_with('-') {
                continue;
            }
            let culprits: Vec<&str> = overrides
                .iter()
                .filter(|o| changes_field(original, o, &problem.field))
                .map(|o| o.origin.as_str())
                .collect();
            if !culprits.is_empty() {
                problem.field = format!("{}: {}", culprits.join(", "), problem.field);
                problem.location = None;
            }
        }
        locate_in_file(e)
    })
}

/// True when applying `o` alone to `original` changes what `field` holds
/// (or, when the field is not written, its deepest enclosing entry).
fn changes_field(original: &Table, o: &Override, field: &str) -> bool {
    let mut alone = original.clone();
    let mut p = Problems::default();
    apply(&mut alone, std::slice::from_ref(o), &mut p);
    p.is_empty() && value_at(original, field) != value_at(&alone, field)
}

/// The field `path` names in `doc`: `path` itself, or for `depth` the
/// `repeat` of the single node that sets one (`nodes.<id>.repeat`).
/// `origin` names where the path was given, for messages.
pub fn resolve(path: &str, origin: &str, doc: &Table) -> Result<String, String> {
    if path != DEPTH {
        return Ok(path.to_string());
    }
    let repeated: Vec<&str> = doc
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
        .filter(|n| n.contains_key("repeat"))
        .filter_map(|n| n.get("id").and_then(Value::as_str))
        .collect();
    match repeated[..] {
        [id] => Ok(format!("nodes.{id}.repeat")),
        [] => Err(format!(
            "{origin}: `depth` is the `repeat` of the scenario's repeated node, and no node sets `repeat`; add `repeat = 1` to the node to repeat, or name another path (e.g. nodes.<id>.silent)"
        )),
        _ => Err(format!(
            "{origin}: `depth` is ambiguous: several nodes set `repeat` ({}); name nodes.<id>.repeat instead, e.g. nodes.{}.repeat",
            repeated.join(", "),
            repeated[0]
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &str = r#"
[[nodes]]
id = "step"
kind = "llm"
repeat = 6
[[nodes]]
id = "last"
kind = "llm"
after = ["step"]
"#;

    fn changes(list: &[&str]) -> (Vec<Override>, Problems) {
        let mut p = Problems::default();
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        (parse_all(&list, &mut p), p)
    }

    #[test]
    fn depth_sets_the_repeat_of_the_repeated_node() {
        let mut doc: Table = CHAIN.parse().unwrap();
        let (o, p) = changes(&["depth = 3", "nodes.last.silent=0.1"]);
        assert!(p.is_empty());
        let mut p = Problems::default();
        apply(&mut doc, &o, &mut p);
        assert!(p.is_empty());
        let step = &doc["nodes"].as_array().unwrap()[0];
        assert_eq!(step["repeat"].as_integer(), Some(3));
        let last = &doc["nodes"].as_array().unwrap()[1];
        assert_eq!(last["silent"].as_float(), Some(0.1));
    }

    #[test]
    fn problems_are_named_by_their_flag() {
        let (o, p) = changes(&[
            "nonsense",
            "run.trials=not a value",
            "nodes.stepp.silent=0.1",
        ]);
        let text = format!("{:?}", p.into_vec());
        assert!(text.contains("`nonsense` is not PATH=VALUE"), "{text}");
        assert!(text.contains("--set run.trials=not a value"), "{text}");
        let mut doc: Table = CHAIN.replace("repeat = 6\n", "").parse().unwrap();
        let mut p = Problems::default();
        let depth = Override {
            path: DEPTH.into(),
            value: Value::Integer(2),
            origin: "--set depth=2".into(),
        };
        apply(&mut doc, &[o[0].clone(), depth], &mut p);
        let text = format!("{:?}", p.into_vec());
        assert!(text.contains("did you mean \\\"step\\\""), "{text}");
        assert!(text.contains("no node sets `repeat`"), "{text}");
        assert!(!text.contains("--set depth=2: "), "{text}");
    }
}
