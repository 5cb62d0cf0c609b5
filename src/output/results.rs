//! The files of a run's result set: `summary.json` and `nodes.csv`.

use crate::stats::Summary;

/// Files an earlier run's result set may have beside it that a new run makes
/// stale: the node chart `coordsim chart --nodes` drew from the old summary,
/// the rare-event estimate of an earlier `run --rare`, and traces written by
/// an earlier `run --traces`.
pub const RUN_STALE: &[&str] = &[
    "nodes.png",
    "nodes.svg",
    "rare.json",
    super::traces::OTLP_FILE,
    super::traces::CHROME_FILE,
];

/// The summary as pretty JSON (what `summary.json` holds and `--format json` prints).
pub fn summary_json(summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("summary serialises");
    s.push('\n');
    s
}

/// The per-node table as CSV, one row per node or edge, then one per
/// sub-graph (`S/*`, kind "subgraph": its nodes' and hand-offs' figures summed).
pub fn nodes_csv(summary: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for node in summary.nodes.iter().chain(&summary.subgraphs) {
        w.serialize(node).expect("node rows serialise");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// The run's result set, by file name: `summary.json` and `nodes.csv`.
pub fn run_files(summary: &Summary) -> Vec<(String, Vec<u8>)> {
    vec![
        ("summary.json".into(), summary_json(summary).into_bytes()),
        ("nodes.csv".into(), nodes_csv(summary)),
    ]
}

/// The names a new run's set replaces: its own files and [`RUN_STALE`].
pub fn run_stale() -> Vec<String> {
    RUN_STALE.iter().map(|s| s.to_string()).collect()
}
