//! The trace files of `run --traces`: OTLP JSON lines and Chrome trace events.

use crate::model::Model;
use crate::trace::span::TaskTrace;
use crate::trace::{chrome, otlp};

/// The OTLP file's name (one `ExportTraceServiceRequest` per line).
pub const OTLP_FILE: &str = "traces.otlp.jsonl";
/// The Chrome trace-event file's name.
pub const CHROME_FILE: &str = "traces.chrome.json";

/// The folder, inside the output folder, of the traces of the `index`-th
/// (from 0) configuration of a sweep or comparison described by `label`:
/// `traces/<kind>-<index>-<label>`, the label cut to 60 characters and
/// every character but `A-Z a-z 0-9 - _ .` replaced by `_`, so that it
/// names one folder and nothing else.
pub fn folder(kind: &str, index: usize, label: &str) -> String {
    let safe: String = label
        .chars()
        .take(60)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    format!("{TRACES_DIR}/{kind}-{}-{safe}", index + 1)
}

/// The folder holding the traces of a sweep's points or a comparison's configurations.
pub const TRACES_DIR: &str = "traces";

/// The two trace files of `traces` recorded under base `seed`.
pub fn files(model: &Model, seed: u64, traces: &[TaskTrace]) -> Vec<(String, Vec<u8>)> {
    let mut lines = Vec::new();
    for t in traces {
        let req = otlp::request(model, seed, t);
        serde_json::to_writer(&mut lines, &req).expect("an OTLP request serialises");
        lines.push(b'\n');
    }
    let chrome =
        serde_json::to_vec(&chrome::document(model, traces)).expect("trace events serialise");
    vec![(OTLP_FILE.into(), lines), (CHROME_FILE.into(), chrome)]
}
