//! The fit report (Markdown): every fitted figure with its interval, sample
//! size and how it was made, the latency candidates with AIC and KS, and
//! what could not be fitted or inferred.

use std::fmt::Write;

use super::censored::observed_quantiles;
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
            let observed =
                observed_quantiles(&n.totals.durations, &n.totals.censored, &PROBABILITIES);
            let points = PROBABILITIES
                .iter()
                .zip(observed)
                .filter_map(|(&p, o)| Some((best.family.quantile(p), o?)))
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
        note: if fit.nodes.iter().any(|n| n.totals.censored.n > 0) {
            "points at p = 1, 5, 10, 20, ..., 90, 95, 99% (Kaplan–Meier quantiles where attempts \
             were cut off); fixed latencies are not drawn"
                .into()
        } else {
            "points at p = 1, 5, 10, 20, ..., 90, 95, 99%; fixed latencies are not drawn".into()
        },
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
    let cut_off = fit
        .nodes
        .iter()
        .any(|n| n.totals.abandoned > 0 || n.totals.censored.n + n.totals.censored.zeros > 0);
    let rates_note = if cut_off {
        " Attempts cut off before they ended (abandoned) have no outcome and are left out: in \
         the model an attempt's outcome is drawn independently of its latency and of the \
         draws of the steps that cut it off, so the attempts that ended are a fair sample of \
         outcomes. That holds while the outcomes of the steps that decide a merge are \
         independent of the attempt's own; a common cause striking every member of an \
         early-deciding vote makes struck tasks decide sooner and leave out more of their \
         attempts, which biases the members' rates a little (docs/MODEL.md, section 16)."
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "## Nodes\n\nRates are per attempt, from each task's first attempt of the node.{rates_note}\n\n\
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
         Kolmogorov–Smirnov distance on up to {} durations. Attempts cut off before they ended \
         (abandoned, or timed out) are right-censored: their service time is only known to \
         exceed the one observed, and they enter the likelihood through the fitted survival \
         function (n counts complete durations, + the censored ones; the censoring times are \
         kept in log-spaced bins a thousandth of a decade wide). For such a node KS is the \
         distance to the Kaplan–Meier estimate (KM), which accounts for them, and the intervals \
         come from the observed information of the censored likelihood.\n\n\
         | node | n | candidate | fit | AIC | KS |\n|---|---:|---|---|---:|---:|",
        super::latency::SAMPLE
    );
    for n in &fit.nodes {
        let cut = n.totals.censored.n;
        let (count, km) = if cut == 0 {
            (n.totals.durations.n.to_string(), "")
        } else {
            (format!("{} + {cut} cut off", n.totals.durations.n), " KM")
        };
        for (k, c) in n.latency.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {count} | {}{} | {} | {:.1} | {:.4}{km} |",
                if k == 0 { n.totals.name.as_str() } else { "" },
                c.family.name(),
                if k == 0 { " (chosen)" } else { "" },
                c.family.describe(&lv),
                c.aic,
                c.ks
            );
        }
    }
    let counts: Vec<_> = fit
        .nodes
        .iter()
        .filter_map(|n| n.count_fit.as_ref().map(|c| (&n.totals.name, c)))
        .collect();
    if !counts.is_empty() {
        let _ = writeln!(
            s,
            "\n## Loop and fan-out counts\n\nIterations or branches per execution, fitted in the \
             structure's count family and written into the scenario. An execution cut short (a \
             loop whose last iteration failed or was abandoned, or that reached its step limit; a \
             fan-out joined by \"all\" with branches in waiting that failed or was abandoned) is \
             right-censored: it needed at least the lanes it ran. Executions of no lane leave no \
             span, so counts are fitted given at least one. Geometric: Wilson's interval of the \
             finishing probability (finishes over iterations at risk), inverted; Poisson: \
             observed information in ln λ; empirical: Kaplan–Meier masses, the mean with a normal \
             interval.\n\n| node | count |\n|---|---|"
        );
        for (name, c) in counts {
            let text = match c {
                Ok(c) => c.describe(&lv),
                Err(why) => why.clone(),
            };
            let _ = writeln!(s, "| {name} | {text} |");
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
