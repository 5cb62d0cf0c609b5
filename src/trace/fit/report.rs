//! The fit report (Markdown): every fitted figure with its interval, sample
//! size and how it was made, the latency candidates with AIC and KS, and
//! what could not be fitted or inferred.

use std::fmt::Write;

use super::latency::g;
use super::scenario::level;
use super::{Fit, Rate};

fn rate(r: &Option<Rate>) -> String {
    match r {
        Some(r) => format!(
            "{} [{}, {}] (n = {})",
            g(r.value),
            g(r.ci.0),
            g(r.ci.1),
            r.n
        ),
        None => "–".into(),
    }
}

/// The QQ chart of the fit: for each node whose latency is not fixed, the
/// observed quantiles against the chosen family's.
pub fn qq_chart(fit: &Fit, name: &str) -> crate::charts::qq::QqChart {
    use crate::charts::qq::{PROBABILITIES, QqChart};
    let series = fit
        .nodes
        .iter()
        .filter_map(|n| {
            let best = n.latency.first()?;
            if best.family.name() == "fixed" {
                return None;
            }
            let mut obs = n.totals.durations.sample.clone();
            obs.sort_by(f64::total_cmp);
            let points = PROBABILITIES
                .iter()
                .map(|&p| (best.family.quantile(p), sample_quantile(&obs, p)))
                .collect();
            Some((
                format!("{} ({})", n.totals.name, best.family.name()),
                points,
            ))
        })
        .collect();
    QqChart {
        name: name.into(),
        title: "observed vs fitted latency quantiles".into(),
        x_title: "fitted quantile (s)".into(),
        y_title: "observed quantile (s)".into(),
        series,
        note: "points at p = 1, 5, 10, 20, ..., 90, 95, 99%; fixed latencies are not drawn".into(),
    }
}

/// The sample quantile at p of sorted values (the ⌈p·n⌉-th).
pub fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// The report's Markdown; `chart` is the QQ chart's file name, if drawn.
pub fn markdown(fit: &Fit, notes: &[String], chart: Option<&str>) -> String {
    let lv = level(fit.z);
    let t = &fit.totals;
    let mut s = String::new();
    let _ = writeln!(s, "# Fit report\n");
    let _ = writeln!(
        s,
        "{} spans, {} tasks (root spans); {} spans mapped to no node{}.\n",
        t.spans,
        t.tasks,
        t.unmapped,
        if t.unmapped_names.is_empty() {
            String::new()
        } else {
            format!(" (e.g. {})", t.unmapped_names.join(", "))
        }
    );
    let _ = writeln!(
        s,
        "Intervals are {lv}: Wilson's for rates, the normal approximation of the maximum-likelihood \
         estimate (delta method, on the log scale for positive figures) for latency parameters, \
         the observed information in (logit mean, log concentration) for Beta difficulties.\n"
    );
    let labelled: u64 = t.outcomes.iter().sum();
    if labelled > 0 {
        let _ = writeln!(s, "## Tasks\n\n| outcome | rate |\n|---|---|");
        for (name, r) in ["correct", "silent", "loud", "escalated"]
            .iter()
            .zip(&fit.outcomes)
        {
            let _ = writeln!(s, "| {name} | {} |", rate(r));
        }
        s.push('\n');
    }
    if let Some(best) = fit.task_latency.first() {
        let _ = writeln!(
            s,
            "Task latency: mean {} s, p50 {} s, p99 {} s (n = {}); closest family {}.\n",
            g(t.latency.mean()),
            g(best.family.quantile(0.5)),
            g(best.family.quantile(0.99)),
            t.latency.n,
            best.family.name()
        );
    }
    match fit.arrivals {
        Some((rate, cv2)) => {
            let _ = writeln!(
                s,
                "Arrivals (root span starts): {} tasks/s, squared coefficient of variation of the \
                 gaps {} (1 for Poisson arrivals).\n",
                g(rate),
                g(cv2)
            );
        }
        None => s.push_str(
            "Arrivals: not fitted (fewer than three root spans, or roots not in start order).\n\n",
        ),
    }
    if let Some(b) = &fit.task_difficulty {
        let _ = writeln!(
            s,
            "Task difficulty (P(not correct) across {} tasks, {} runs): Beta mean {} [{}, {}], \
             concentration {} [{}, {}].\n",
            b.tasks,
            b.runs,
            g(b.mean.0),
            g(b.mean.1),
            g(b.mean.2),
            g(b.concentration.0),
            g(b.concentration.1),
            g(b.concentration.2)
        );
    }
    let _ = writeln!(
        s,
        "## Nodes\n\nRates are per attempt, from each task's first attempt of the node.\n\n\
         | node | attempts | loud | timeouts | silent | gate sensitivity | gate false alarm | \
         tokens in/out | cost per attempt | most attempts | most passes | iterations or \
         branches per execution |\n\
         |---|---:|---|---|---|---|---|---|---|---:|---:|---|"
    );
    for n in &fit.nodes {
        let tt = &n.totals;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            tt.name,
            tt.all.attempts,
            rate(&n.loud),
            rate(&n.timeouts),
            rate(&n.silent),
            rate(&n.sensitivity),
            rate(&n.false_alarm),
            n.tokens
                .map_or("–".into(), |(a, b)| format!("{} / {}", g(a), g(b))),
            n.cost.map_or("–".into(), |(m, lo, hi)| format!(
                "{} [{}, {}]",
                g(m),
                g(lo),
                g(hi)
            )),
            tt.max_attempt,
            tt.max_pass,
            n.count.map_or("–".into(), |(m, lo, hi, k)| format!(
                "{} [{}, {}], n = {k}",
                g(m),
                g(lo),
                g(hi)
            )),
        );
    }
    let _ = writeln!(
        s,
        "\n## Latency per node\n\nCandidates by maximum likelihood, best AIC first; KS is the \
         Kolmogorov–Smirnov distance on up to {} durations. Timed-out and abandoned attempts are \
         censored and left out.\n\n| node | n | candidate | fit | AIC | KS |\n|---|---:|---|---|---:|---:|",
        super::latency::SAMPLE
    );
    for n in &fit.nodes {
        for (k, c) in n.latency.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {}{} | {} | {:.1} | {:.4} |",
                if k == 0 { n.totals.name.as_str() } else { "" },
                n.totals.durations.n,
                c.family.name(),
                if k == 0 { " (chosen)" } else { "" },
                c.family.describe(&lv),
                c.aic,
                c.ks
            );
        }
    }
    if let Some(file) = chart {
        let _ = writeln!(s, "\n![observed vs fitted latency quantiles]({file})");
    }
    let diffs: Vec<_> = fit
        .nodes
        .iter()
        .filter_map(|n| n.difficulty.as_ref().map(|b| (&n.totals.name, b)))
        .collect();
    if !diffs.is_empty() {
        let _ = writeln!(
            s,
            "\n## Difficulty across repeated runs\n\nA Beta of the node's silent rate across \
             tasks, by maximum likelihood over (silent first attempts, runs) per task \
             (beta-binomial); written into the scenario when it beats one fixed rate by AIC.\n\n\
             | node | tasks | runs | mean | concentration | log-likelihood gain |\n|---|---:|---:|---|---|---:|"
        );
        for (name, b) in diffs {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} [{}, {}] | {} [{}, {}] | {:.1} |",
                b.tasks,
                b.runs,
                g(b.mean.0),
                g(b.mean.1),
                g(b.mean.2),
                g(b.concentration.0),
                g(b.concentration.1),
                g(b.concentration.2),
                b.gain
            );
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(s, "\n## Not fitted or not inferred\n");
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s
}
