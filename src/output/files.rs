//! Writing result files atomically: a reader never sees a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::stats::Summary;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The summary as pretty JSON (what `summary.json` holds and `--format json` prints).
pub fn summary_json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// The per-node table as CSV, one row per node or edge.
pub fn nodes_csv(summary: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for node in &summary.nodes {
        w.serialize(node).expect("node rows serialise");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Writes `summary.json` and `nodes.csv` into `dir` (created if needed and
/// marked as the scenario's, see [`super::folder`]); returns their paths.
pub fn write_run_outputs(dir: &Path, summary: &Summary) -> std::io::Result<Vec<PathBuf>> {
    super::folder::claim(dir, &summary.scenario)?;
    let json = dir.join("summary.json");
    let csv = dir.join("nodes.csv");
    write_atomic(&json, summary_json(summary).as_bytes())?;
    write_atomic(&csv, &nodes_csv(summary))?;
    Ok(vec![json, csv])
}
