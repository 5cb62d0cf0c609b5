//! The trace files of `run --traces`: OTLP JSON lines and Chrome trace events.

use crate::model::Model;
use crate::trace::span::TaskTrace;
use crate::trace::{chrome, otlp};

/// The OTLP file's name (one `ExportTraceServiceRequest` per line).
pub const OTLP_FILE: &str = "traces.otlp.jsonl";
/// The Chrome trace-event file's name.
pub const CHROME_FILE: &str = "traces.chrome.json";

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
