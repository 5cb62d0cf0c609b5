//! Plain-text tables of comparisons and analyses, and the number formats
//! shared by every presentation (text, Markdown, HTML, CSV stays raw).

use std::fmt::Write;

use super::Analysis;
use super::compare::{Comparison, Figure};

/// A figure's value formatted for its unit (rates, seconds, dollars, tokens).
pub fn value(key: &str, v: Option<f64>) -> String {
    let Some(v) = v else { return "n/a".into() };
    if key.starts_with("p_") {
        format!("{v:.6}")
    } else if key.ends_with("_s") {
        format!("{v:.4}")
    } else if key == "cost_per_month_usd" {
        format!("{v:.2}")
    } else if key.ends_with("_usd") {
        format!("{v:.6}")
    } else {
        format!("{v:.1}")
    }
}

/// A difference, always signed.
pub fn signed(key: &str, v: Option<f64>) -> String {
    match v {
        None => "".into(),
        Some(d) => {
            let s = value(key, Some(d.abs()));
            let negative_zero = s.chars().all(|c| c == '0' || c == '.');
            if d < 0.0 && !negative_zero {
                format!("-{s}")
            } else {
                format!("+{s}")
            }
        }
    }
}

/// The interval of a figure's difference, `[lo, hi]`, or "" without one.
pub fn interval(f: &Figure) -> String {
    match f.ci95 {
        Some([lo, hi]) => format!(
            "[{}, {}]",
            signed(&f.key, Some(lo)),
            signed(&f.key, Some(hi))
        ),
        None if f.diff.is_some() => "n/a".into(),
        None => String::new(),
    }
}

/// Renders a comparison: one block per variant against the base.
pub fn comparison(c: &Comparison) -> String {
    let mut out = String::new();
    let base = &c.arms[0];
    let _ = writeln!(
        out,
        "compare: base {} ({}) against {} variant{}; {} trials each, seed {}, {}\n",
        base.name,
        base.source,
        c.arms.len() - 1,
        if c.arms.len() == 2 { "" } else { "s" },
        c.trials,
        c.seed,
        if c.common_random_numbers {
            "common random numbers (paired)"
        } else {
            "independent random numbers (--no-crn)"
        }
    );
    if let Some(p) = &c.precision {
        let _ = writeln!(
            out,
            "precision: differences in {} to ±{}: widest ±{:.3e} after {} trials{}\n",
            p.key,
            p.target,
            p.half_width,
            p.trials,
            if p.met {
                String::new()
            } else {
                format!(" (NOT reached: cap of {} trials)", p.cap)
            }
        );
    }
    for arm in &c.arms[1..] {
        let _ = writeln!(out, "variant {} ({})", arm.name, arm.source);
        for p in &arm.patches {
            let _ = writeln!(out, "  patch: {p}");
        }
        let _ = writeln!(
            out,
            "{:<34} {:>14} {:>14} {:>14}  {:<30} sig",
            "figure", "base", "variant", "difference", "95% CI of difference"
        );
        for f in &arm.figures {
            let _ = writeln!(
                out,
                "{:<34} {:>14} {:>14} {:>14}  {:<30} {}",
                f.label,
                value(&f.key, f.base),
                value(&f.key, f.value),
                signed(&f.key, f.diff),
                interval(f),
                if f.significant { "*" } else { "" }
            );
        }
        out.push('\n');
    }
    out.push_str("* the 95% interval of the difference excludes zero\n");
    out
}

/// Renders an analysis: headline, ranking and attribution.
pub fn analysis(a: &Analysis, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "analyze {}: {} trials per what-if, seed {}; each what-if paired with the scenario as is\n",
        a.scenario, a.trials, a.seed
    );
    for f in &a.figures {
        let _ = writeln!(out, "  {:<30} {:>14}", f.label, value(&f.key, f.value));
    }
    let _ = writeln!(
        out,
        "\nwhere the gap opens: gain in P(correct) if ... (gate: sensitivity {}, false alarm {}, {} loop-backs)",
        a.gate_sensitivity, a.gate_false_alarm, a.gate_max_loops
    );
    let _ = writeln!(
        out,
        "{:>3}  {:<36} {:>10}  {:<24} {:>10} {:>12} {:>12}",
        "#", "what if", "gain", "95% CI", "silent", "p99 (s)", "$/correct"
    );
    for (i, f) in a.ranking.iter().take(top).enumerate() {
        let _ = writeln!(
            out,
            "{:>3}  {:<36} {:>10}  {:<24} {:>10} {:>12} {:>12}{}",
            i + 1,
            f.label,
            signed("p_correct", f.gain.diff),
            interval(&f.gain),
            signed("p_silent", f.silent.diff),
            signed("latency_p99_s", f.p99.diff),
            signed("cost_per_success_usd", f.cost_per_success.diff),
            if f.gain.significant {
                ""
            } else {
                "  (not significant)"
            }
        );
    }
    if a.ranking.len() > top {
        let _ = writeln!(
            out,
            "     ... {} more in analyze.csv",
            a.ranking.len() - top
        );
    }
    let at = &a.attribution;
    let _ = writeln!(
        out,
        "\nwhere the failures come from ({} silent, {} loud, {} escalated of {} tasks)",
        at.silent_failures, at.loud_failures, at.escalated, at.trials
    );
    let _ = writeln!(
        out,
        "{:<28} {:>10} {:>12} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9}",
        "component",
        "corrupted",
        "reached user",
        "share",
        "gave up",
        "caught",
        "missed",
        "false al.",
        "exhausted"
    );
    for r in &at.rows {
        let _ = writeln!(
            out,
            "{:<28} {:>10} {:>12} {:>7.1}% {:>10} {:>9} {:>9} {:>9} {:>9}",
            r.id,
            r.silent_introduced,
            r.silent_reached_user,
            100.0 * r.share_of_silent,
            r.loud_exhausted,
            r.caught,
            r.missed,
            r.false_alarms,
            r.gate_exhausted
        );
    }
    out
}
