//! Reading the scenario files that sub-graph nodes `include`.
//!
//! What is accepted, and why (a scenario may come from someone else):
//!
//! * the path is relative to the including file's folder; an absolute path
//!   is refused (a scenario should mean the same on every machine), `..`
//!   is allowed as for a variant's `base`;
//! * the file must end in `.toml` or `.json` and be a regular file of at most
//!   [`MAX_INCLUDE_BYTES`] (not a folder, a device or a pipe, which could
//!   block or never end);
//! * an include cycle (a file including itself, directly or through others)
//!   is refused with the chain of files; at most [`MAX_DEPTH`] levels;
//! * an included file must be a valid scenario on its own: its problems are
//!   reported in its own file, located, saying which file included it.
//!
//! A file included several times is read once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use toml::Table;

use super::flatten::{IncludeFailure, MAX_DEPTH};
use super::problem::ScenarioError;

/// Largest included file read, in bytes.
pub const MAX_INCLUDE_BYTES: u64 = 4 << 20;

/// The files being read (the chain from the top file) and those read already.
pub struct Includes {
    /// The files from the top one to the one being read: canonical path and
    /// the path as shown.
    chain: Vec<(PathBuf, PathBuf)>,
    /// Flat documents of files read, by canonical path.
    read: HashMap<PathBuf, Table>,
}

impl Includes {
    /// Starts at the top file `path`.
    pub fn new(path: &Path) -> Self {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Includes {
            chain: vec![(canonical, path.to_path_buf())],
            read: HashMap::new(),
        }
    }

    /// The file being read now.
    fn current(&self) -> &Path {
        &self.chain.last().expect("the top file").1
    }

    /// Reads `written` (an `include` value of the current file) as a flat,
    /// checked document.
    pub fn include(&mut self, written: &str) -> Result<Table, IncludeFailure> {
        let from = self.current().to_path_buf();
        let path = resolve(&from, written).map_err(IncludeFailure::Here)?;
        let canonical = std::fs::canonicalize(&path).map_err(|e| {
            IncludeFailure::Here(format!("cannot read \"{}\": {e}", path.display()))
        })?;
        if let Some(start) = self.chain.iter().position(|(c, _)| *c == canonical) {
            let mut names: Vec<String> = self.chain[start..]
                .iter()
                .map(|(_, shown)| shown.display().to_string())
                .collect();
            names.push(path.display().to_string());
            return Err(IncludeFailure::Here(format!(
                "include cycle: {}; a sub-graph cannot include itself",
                names.join(" → ")
            )));
        }
        if self.chain.len() > MAX_DEPTH {
            return Err(IncludeFailure::Here(format!(
                "included files nest more than {MAX_DEPTH} levels deep"
            )));
        }
        if let Some(doc) = self.read.get(&canonical) {
            return Ok(doc.clone());
        }
        self.chain.push((canonical.clone(), path.clone()));
        let doc = super::load::read_document_with(&path, self);
        self.chain.pop();
        let with_note = |mut e: ScenarioError| {
            if e.file == path {
                for p in &mut e.problems {
                    if !p.message.contains(" included by ") {
                        p.message
                            .push_str(&format!(" (included by {})", from.display()));
                    }
                }
            }
            IncludeFailure::There(e)
        };
        let doc = doc.map_err(with_note)?;
        super::load::compile_document(&path, &doc)
            .map_err(super::load::locate_in_file)
            .map_err(with_note)?;
        self.read.insert(canonical, doc.clone());
        Ok(doc)
    }
}

/// The file `written` names, relative to the folder of `from`, once it has
/// passed the checks of the module's documentation.
fn resolve(from: &Path, written: &str) -> Result<PathBuf, String> {
    let example = "e.g. include = \"agents/research.toml\"";
    if written.trim().is_empty() {
        return Err(format!(
            "is empty; give a scenario file relative to this one, {example}"
        ));
    }
    let relative = Path::new(written);
    if relative.has_root() || relative.is_absolute() {
        return Err(format!(
            "\"{written}\" is an absolute path; allowed: a path relative to this file's folder, {example}"
        ));
    }
    let extension = relative
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(extension.as_deref(), Some("toml" | "json")) {
        return Err(format!(
            "\"{written}\" is not a .toml or .json file; allowed: a scenario file, {example}"
        ));
    }
    let path = from.parent().unwrap_or(Path::new("")).join(relative);
    let meta = std::fs::metadata(&path).map_err(|_| {
        format!(
            "no scenario file at \"{}\" (paths are relative to the including file, {})",
            path.display(),
            from.display()
        )
    })?;
    if !meta.is_file() {
        return Err(format!(
            "\"{}\" is not a regular file; allowed: a scenario file, {example}",
            path.display()
        ));
    }
    if meta.len() > MAX_INCLUDE_BYTES {
        return Err(format!(
            "\"{}\" has {} bytes; allowed: at most {MAX_INCLUDE_BYTES}",
            path.display(),
            meta.len()
        ));
    }
    Ok(path)
}
