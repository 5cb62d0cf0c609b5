//! The report in Markdown for a design doc; charts are the SVG files written
//! beside it (`graph.svg`, `outcomes.svg`, `tornado.svg`).

use std::fmt::Write;

use super::Report;
use crate::review::text::{interval, signed, value};

/// Escapes the characters that would break a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Renders the report as Markdown.
pub fn render(r: &Report) -> String {
    let a = &r.analysis;
    let mut s = String::new();
    let _ = writeln!(s, "# Architecture review: {}\n", a.scenario);
    if let Some(d) = &r.description {
        let _ = writeln!(s, "{d}\n");
    }
    let _ = writeln!(
        s,
        "{} simulated tasks per configuration, seed {}; every comparison is paired on common random numbers. Reproduce with `{}`.\n",
        a.trials, a.seed, r.command
    );
    s.push_str(
        "## What was simulated\n\n![task graph](graph.svg)\n\nGraphviz source: `graph.dot`.\n\n",
    );

    s.push_str("## Headline figures\n\n| figure |");
    let arms = &r.comparison.arms;
    for (k, arm) in arms.iter().enumerate() {
        let role = if k == 0 { "base" } else { "variant" };
        let _ = write!(s, " {} ({role}) |", cell(&arm.name));
        if k > 0 {
            s.push_str(" difference [95% CI] |");
        }
    }
    s.push_str("\n|---|");
    for k in 0..arms.len() {
        s.push_str(if k == 0 { "---:|" } else { "---:|---|" });
    }
    s.push('\n');
    for (i, f0) in arms[0].figures.iter().enumerate() {
        let _ = write!(s, "| {} |", cell(&f0.label));
        for (k, arm) in arms.iter().enumerate() {
            let f = &arm.figures[i];
            let _ = write!(s, " {} |", value(&f.key, f.value));
            if k > 0 {
                let _ = write!(
                    s,
                    " {} {}{} |",
                    signed(&f.key, f.diff),
                    interval(f),
                    if f.significant { " **\\***" } else { "" }
                );
            }
        }
        s.push('\n');
    }
    s.push_str(
        "\n\\* the 95% interval of the difference excludes zero.\n\n![outcomes](outcomes.svg)\n\n",
    );

    s.push_str("## Recommendations\n\n");
    for (i, rec) in r.recommendations().iter().enumerate() {
        let _ = writeln!(s, "{}. {rec}", i + 1);
    }
    let _ = writeln!(
        s,
        "\n## Where the gap opens\n\nEach what-if against the scenario as it is, on the same random numbers (gate: catches {:.0}%, false alarms {:.0}%, up to {} loop-backs).\n\n![tornado chart](tornado.svg)\n",
        100.0 * a.gate_sensitivity,
        100.0 * a.gate_false_alarm,
        a.gate_max_loops
    );
    s.push_str("| # | what if | gain in P(correct) | 95% CI | silent rate | p99 (s) | $ per correct task |\n|---:|---|---:|---|---:|---:|---:|\n");
    for (i, f) in a.ranking.iter().enumerate() {
        let _ = writeln!(
            s,
            "| {} | {} | {}{} | {} | {} | {} | {} |",
            i + 1,
            cell(&f.label),
            signed(&f.gain.key, f.gain.diff),
            if f.gain.significant { " \\*" } else { "" },
            interval(&f.gain),
            signed(&f.silent.key, f.silent.diff),
            signed(&f.p99.key, f.p99.diff),
            signed(&f.cost_per_success.key, f.cost_per_success.diff)
        );
    }
    let at = &a.attribution;
    let _ = writeln!(
        s,
        "\n## Where the failures come from\n\nOf {} tasks: {} silent failures, {} loud failures, {} escalated.\n",
        at.trials, at.silent_failures, at.loud_failures, at.escalated
    );
    s.push_str("| component | kind | corruptions introduced | wrong answers delivered | share of silent | gave up (loud) | timeouts | caught | missed | false alarms | gate exhausted |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for b in &at.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.1}% | {} | {} | {} | {} | {} | {} |",
            cell(&b.id),
            b.kind,
            b.silent_introduced,
            b.silent_reached_user,
            100.0 * b.share_of_silent,
            b.loud_exhausted,
            b.timeouts,
            b.caught,
            b.missed,
            b.false_alarms,
            b.gate_exhausted
        );
    }
    s.push_str("\n## Method\n\nEvery node and hand-off draws from its own random stream keyed by its name, and every configuration runs the same trial seeds (common random numbers). Rate differences: Newcombe's paired score interval; mean differences: per-trial differences; quantiles and cost per correct task: 20 sections of the trials. Significant: the 95% interval excludes zero.\n");
    s
}
