//! Variant files: a base scenario plus small, named changes.
//!
//! A variant file names its base (a path relative to the variant file) and
//! patches the base's *document* (see [`crate::scenario::patch`]); the result
//! is compiled with [`compile_document`], so every check that applies to a
//! scenario file applies to a variant. Patches are applied in a fixed order:
//! `remove`, then `add_gate`, then `add_retry`, then `set` (so `set` can tune
//! a gate that `add_gate` created).
//!
//! ```toml
//! base = "../support-agent.toml"
//! name = "support-agent-tuned"          # default: the file's stem
//! remove = ["verify"]                   # dependents inherit the inputs
//! [set]                                 # any field path, any TOML value
//! "nodes.generate.silent" = 0.02
//! [[add_gate]]                          # a gate after `after` (or only on after->before)
//! after = "generate"
//! sensitivity = 0.9
//! loop_to = "retrieve"
//! max_loops = 2
//! [[add_retry]]                         # one more retry (or `retries = n`)
//! node = "generate"
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::{Table, Value};

use super::edit;
use crate::overrides::{self, Override};
use crate::scenario::problem::Problems;
use crate::scenario::{Problem, Scenario, ScenarioError, compile_document, patch, read_document};

/// The variant file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFile {
    /// The base scenario, relative to the variant file.
    pub base: String,
    /// Name of the variant (the scenario's name); default: the file's stem.
    pub name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// Nodes to remove; their dependents inherit their inputs.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Gates to insert.
    #[serde(default)]
    pub add_gate: Vec<AddGate>,
    /// Retries to add.
    #[serde(default)]
    pub add_retry: Vec<AddRetry>,
    /// Field paths and their new values.
    #[serde(default)]
    pub set: Table,
}

/// `[[add_gate]]`: insert a gate node after `after`.
#[derive(Debug, Clone, Deserialize)]
pub struct AddGate {
    /// The node whose output the gate checks.
    pub after: String,
    /// Only gate the hand-off `after -> before` (other dependents are untouched).
    pub before: Option<String>,
    /// The gate's id; default `<after>-gate`.
    pub id: Option<String>,
    /// Every other field of the gate node (sensitivity, false_alarm, loop_to,
    /// max_loops, on_exhausted, latency, cost, tokens ...), checked on compilation.
    #[serde(flatten)]
    pub fields: Table,
}

/// `[[add_retry]]`: more retries of loud failures for a node or a hand-off.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddRetry {
    /// A node id.
    pub node: Option<String>,
    /// A hand-off, `from->to`.
    pub edge: Option<String>,
    /// Retries added to what the step has (default 1).
    pub retries: Option<u64>,
    /// Optional backoff settings that replace the step's own.
    pub backoff: Option<Value>,
    /// Delay before a retry, seconds.
    pub delay: Option<Value>,
    /// Exponential backoff factor.
    pub factor: Option<Value>,
    /// Cap on the delay.
    pub max_delay: Option<Value>,
    /// Jitter policy.
    pub jitter: Option<Value>,
}

/// A scenario to simulate, with where it came from.
#[derive(Debug, Clone)]
pub struct Arm {
    /// The name shown in tables (the scenario's name).
    pub label: String,
    /// The file given on the command line.
    pub source: PathBuf,
    /// The compiled scenario.
    pub scenario: Scenario,
    /// Its document, for further patching.
    pub doc: Table,
    /// One line per patch applied, empty for a plain scenario.
    pub patches: Vec<String>,
}

/// True when `path` holds a variant file (a TOML document with a `base` key).
pub fn is_variant(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| t.parse::<Table>().ok())
        .is_some_and(|t| t.contains_key("base"))
}

/// Loads a scenario file, or a variant file applied to its base.
pub fn load_arm(path: &Path) -> Result<Arm, ScenarioError> {
    load_arm_with(path, &[])
}

/// Loads a scenario file, or a variant file applied to its base; then the
/// command line's `--set` changes (`overrides`), as if written in the file.
pub fn load_arm_with(path: &Path, overrides: &[Override]) -> Result<Arm, ScenarioError> {
    if is_variant(path) {
        return load_variant(path, overrides);
    }
    let original = read_document(path)?;
    let mut doc = original.clone();
    apply_overrides(path, &mut doc, overrides)?;
    let scenario = overrides::compile_changed(path, &original, &doc, overrides)?;
    Ok(Arm {
        label: scenario.model.name.clone(),
        source: path.to_path_buf(),
        scenario,
        doc,
        patches: Vec::new(),
    })
}

/// Loads the variant file at `path`: reads its base, applies its patches,
/// then `overrides` (the command line's `--set`), and compiles.
pub fn load_variant(path: &Path, overrides: &[Override]) -> Result<Arm, ScenarioError> {
    let problem = |field: &str, message: String| ScenarioError {
        file: path.to_path_buf(),
        problems: vec![Problem {
            location: None,
            field: field.to_string(),
            message,
        }],
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ScenarioError::whole_file(path, format!("cannot read the file: {e}")))?;
    let de = toml::Deserializer::parse(&text)
        .map_err(|e| problem("", format!("invalid TOML variant: {}", e.message().trim())))?;
    let file: VariantFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        problem(
            if field == "." { "" } else { &field },
            format!(
                "invalid variant file: {}; a variant has `base`, `name`, `description`, `remove`, `[set]`, `[[add_gate]]`, `[[add_retry]]`",
                crate::scenario::load::explain_parse_error(&field, e.inner().message().trim())
            ),
        )
    })?;
    let base_path = path.parent().unwrap_or(Path::new(".")).join(&file.base);
    if !base_path.is_file() {
        return Err(problem(
            "base",
            format!(
                "no scenario file at \"{}\" (the path is relative to the variant file)",
                base_path.display()
            ),
        ));
    }
    let mut doc = read_document(&base_path).map_err(|e| {
        problem(
            "base",
            format!(
                "the base scenario is invalid:\n{}",
                e.to_string().trim_end()
            ),
        )
    })?;
    let patches = apply(&file, &mut doc).map_err(|(field, msg)| problem(&field, msg))?;
    let name = file.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("variant")
            .to_string()
    });
    doc.insert("name".into(), Value::String(name));
    if let Some(d) = &file.description {
        doc.insert("description".into(), Value::String(d.clone()));
    }
    apply_overrides(path, &mut doc, overrides)?;
    let scenario = compile_document(path, &doc).map_err(|mut e| {
        // The problem is in the base as patched: say so on every line.
        let mut changes = patches.clone();
        changes.extend(overrides.iter().map(|o| o.origin.clone()));
        let context = format!(
            " (in the base {} after this variant's patches: {})",
            base_path.display(),
            changes.join("; ")
        );
        for p in &mut e.problems {
            p.message.push_str(&context);
        }
        e
    })?;
    Ok(Arm {
        label: scenario.model.name.clone(),
        source: path.to_path_buf(),
        scenario,
        doc,
        patches,
    })
}

/// Applies the command line's `--set` changes to the document read from `path`.
fn apply_overrides(
    path: &Path,
    doc: &mut Table,
    overrides: &[Override],
) -> Result<(), ScenarioError> {
    let mut p = Problems::default();
    overrides::apply(doc, overrides, &mut p);
    if p.is_empty() {
        return Ok(());
    }
    Err(ScenarioError {
        file: path.to_path_buf(),
        problems: p.into_vec(),
    })
}

/// Applies every patch of `file` to `doc`; returns one description per patch,
/// or the failing patch's field (e.g. `remove[0]`) and what is wrong.
pub fn apply(file: &VariantFile, doc: &mut Table) -> Result<Vec<String>, (String, String)> {
    let mut done = Vec::new();
    for (i, id) in file.remove.iter().enumerate() {
        edit::remove_node(doc, id).map_err(|e| (format!("remove[{i}]"), e))?;
        done.push(format!("remove {id}"));
    }
    for (i, g) in file.add_gate.iter().enumerate() {
        let id = g.id.clone().unwrap_or_else(|| format!("{}-gate", g.after));
        edit::add_gate(doc, &g.after, g.before.as_deref(), &id, &g.fields)
            .map_err(|e| (format!("add_gate[{i}]"), e))?;
        let place = match &g.before {
            Some(b) => format!("on {}->{b}", g.after),
            None => format!("after {}", g.after),
        };
        done.push(format!("add gate {id} {place}"));
    }
    for (i, r) in file.add_retry.iter().enumerate() {
        let field = format!("add_retry[{i}]");
        let target = match (&r.node, &r.edge) {
            (Some(n), None) => format!("nodes.{n}"),
            (None, Some(e)) => format!("edges.{e}"),
            _ => {
                return Err((
                    field,
                    "give exactly one of `node = \"id\"` or `edge = \"from->to\"`".into(),
                ));
            }
        };
        let mut overrides = Table::new();
        for (key, v) in [
            ("backoff", &r.backoff),
            ("delay", &r.delay),
            ("factor", &r.factor),
            ("max_delay", &r.max_delay),
            ("jitter", &r.jitter),
        ] {
            if let Some(v) = v {
                overrides.insert(key.into(), v.clone());
            }
        }
        let n = r.retries.unwrap_or(1);
        edit::add_retries(doc, &target, n, &overrides).map_err(|e| (field, e))?;
        done.push(format!(
            "add {n} retr{} to {target}",
            if n == 1 { "y" } else { "ies" }
        ));
    }
    for (path, value) in &file.set {
        edit::set_field(doc, path, value.clone())
            .map_err(|e| (format!("set.\"{}\"", patch::shown(path)), e))?;
        done.push(format!("set {path} = {value}"));
    }
    Ok(done)
}
