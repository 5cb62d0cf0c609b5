//! Figures rolled up per sub-graph: everything its nodes and hand-offs did,
//! nested sub-graphs included, as one row `S/*` beside the per-node rows.
//! Its attempts are the calls one run of the top-level task makes inside `S`
//! (the sub-graph's own runs and re-runs are on the row of the node `S`).

use super::summary::ExecSummary;
use crate::model::{Junction, Model};
use crate::task::ExecCounters;

/// One row per sub-graph, in the model's order of their exits.
pub fn rollups(model: &Model, execs: &[ExecCounters], trials: u64) -> Vec<ExecSummary> {
    let mut out = Vec::new();
    for exit in &model.nodes {
        if !matches!(exit.junction, Some(Junction::Exit(_))) {
            continue;
        }
        let prefix = format!("{}/", exit.id);
        let mut sum = ExecCounters::default();
        for (i, c) in execs.iter().enumerate() {
            let inside = match model.nodes.get(i) {
                // Steps only: a nested sub-graph's runs are not calls.
                Some(n) => n.junction.is_none() && n.id.starts_with(&prefix),
                None => {
                    let e = &model.edges[i - model.nodes.len()];
                    model.nodes[e.to].id.starts_with(&prefix)
                }
            };
            if inside {
                sum.merge(c);
            }
        }
        out.push(ExecSummary::new(
            format!("{prefix}*"),
            "subgraph",
            &sum,
            trials,
        ));
    }
    out
}
