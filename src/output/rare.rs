//! The result of `coordsim run --rare`: `rare.json` and its table.

use std::fmt::Write;

use crate::stats::rare::RareSummary;

/// The result set of a rare-event run, by file name: `rare.json`.
pub fn rare_files(summary: &RareSummary) -> Vec<(String, Vec<u8>)> {
    vec![("rare.json".into(), rare_json(summary).into_bytes())]
}

/// The names a rare-event run's set replaces: a plain run's files, whose
/// figures it does not give (latency and cost under biased draws mean nothing).
pub fn rare_stale() -> Vec<String> {
    ["summary.json", "nodes.csv", "nodes.png", "nodes.svg"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// As pretty JSON.
pub fn rare_json(summary: &RareSummary) -> String {
    let mut s = serde_json::to_string_pretty(summary).expect("a rare summary serialises");
    s.push('\n');
    s
}

/// The table `coordsim run --rare` prints.
pub fn render(s: &RareSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}: {} trials, seed {}, importance sampling (failure bias {})\n",
        s.scenario, s.trials, s.seed, s.bias
    );
    let _ = writeln!(
        out,
        "{:<12} {:>12}  {:<27} {:>10} {:>10} {:>9}",
        "outcome", "rate", "95% CI (IS, normal)", "hits", "hits ESS", "max share"
    );
    for r in &s.outcomes {
        let _ = writeln!(
            out,
            "{:<12} {:>12.4e}  [{:.4e}, {:.4e}] {:>10} {:>10.1} {:>9.3}",
            r.outcome, r.rate, r.ci95[0], r.ci95[1], r.hits, r.hits_ess, r.max_share
        );
    }
    let _ = writeln!(
        out,
        "\neffective sample size {:.0} of {} trials; mean weight {:.4} (1 expected)",
        s.ess, s.trials, s.mean_weight
    );
    for r in &s.outcomes {
        if let Some(w) = &r.warning {
            let _ = writeln!(out, "note: {}: {w}", r.outcome);
        }
    }
    out
}
