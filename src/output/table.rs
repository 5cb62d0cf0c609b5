//! The human-readable report of a run.

use std::fmt::Write;

use crate::stats::Summary;
use crate::stats::summary::Rate;

/// Renders the summary as the plain-text tables `coordsim run` prints.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let s = summary;
    let _ = writeln!(
        out,
        "scenario {}: {} trials, seed {}\n",
        s.scenario, s.trials, s.seed
    );
    let _ = writeln!(
        out,
        "{:<16} {:>10}  {:<25} {:>10}",
        "outcome", "rate", "95% CI (Wilson)", "trials"
    );
    for (name, rate) in [
        ("correct", &s.success),
        ("silent failure", &s.silent_failure),
        ("loud failure", &s.loud_failure),
        ("escalated", &s.escalated),
    ] {
        let _ = writeln!(
            out,
            "{:<16} {:>10.6}  {:<25} {:>10}",
            name,
            rate.rate,
            ci(rate),
            rate.count
        );
    }
    let l = &s.latency_s;
    let _ = writeln!(
        out,
        "\nlatency (s)      mean {} [{}, {}]  p50 {}  p95 {}  p99 {}  max {}",
        secs(l.mean),
        secs(l.mean_ci95[0]),
        secs(l.mean_ci95[1]),
        secs(l.p50),
        secs(l.p95),
        secs(l.p99),
        secs(l.max)
    );
    let _ = writeln!(
        out,
        "cost (USD)       per task {}  per successful task {}",
        usd(s.cost_usd.per_task),
        s.cost_usd.per_success.map_or("n/a".into(), usd)
    );
    let _ = writeln!(
        out,
        "tokens           per task {:.1}  per successful task {}",
        s.tokens.per_task,
        s.tokens
            .per_success
            .map_or("n/a".into(), |t| format!("{t:.1}"))
    );
    let _ = writeln!(
        out,
        "\n{:<24} {:<9} {:>9} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "node",
        "kind",
        "att/task",
        "loud",
        "timeouts",
        "exhausted",
        "silent",
        "to user",
        "caught",
        "false al",
        "missed",
        "loops"
    );
    for n in &s.nodes {
        let _ = writeln!(
            out,
            "{:<24} {:<9} {:>9.4} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
            truncate(&n.id, 24),
            n.kind,
            n.attempts_per_task,
            n.loud_failures,
            n.timeouts,
            n.exhausted,
            n.silent_introduced,
            n.silent_reached_user,
            n.caught,
            n.false_alarms,
            n.missed,
            n.loops
        );
    }
    out
}

fn ci(r: &Rate) -> String {
    format!("[{:.6}, {:.6}]", r.ci95[0], r.ci95[1])
}

fn secs(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.001 {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

fn usd(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.0001 {
        format!("${v:.3e}")
    } else {
        format!("${v:.6}")
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}
