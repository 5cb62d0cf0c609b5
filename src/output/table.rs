//! The human-readable report of a run.

use std::fmt::Write;

use crate::stats::Summary;
use crate::stats::load::{Estimate, LoadSummary};
use crate::stats::precision::PrecisionReport;
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
        "outcome",
        "rate",
        format!("95% CI ({})", s.intervals.rates_short()),
        if s.load.is_some() { "tasks" } else { "trials" }
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
    if let Some(miss) = &s.deadline_miss {
        let _ = writeln!(
            out,
            "{:<16} {:>10.6}  {:<25} {:>10}   (among the loud failures)",
            "deadline miss",
            miss.rate,
            ci(miss),
            miss.count
        );
    }
    let l = &s.latency_s;
    let _ = writeln!(
        out,
        "\nlatency (s)      mean {} [{}, {}]  max {}",
        secs(l.mean),
        secs(l.mean_ci95[0]),
        secs(l.mean_ci95[1]),
        secs(l.max)
    );
    let _ = writeln!(
        out,
        "                 p50 {}  p95 {}  p99 {}",
        quantile(l.p50, l.p50_ci95),
        quantile(l.p95, l.p95_ci95),
        quantile(l.p99, l.p99_ci95)
    );
    if !s.slo.is_empty() {
        out.push_str(&render_slo(s));
    }
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
    if let Some(r) = &s.precision {
        let _ = writeln!(out, "{}", precision_line(r));
    }
    if let Some(load) = &s.load {
        out.push_str(&render_load(load));
    }
    if !s.classes.is_empty() {
        out.push_str(&render_classes(s));
    }
    if !s.pass_k.is_empty() {
        out.push_str(&render_pass_k(s));
    }
    if !s.failure_correlation.is_empty() {
        out.push_str(&render_correlation(s));
    }
    out.push_str(&render_methods(s));
    if s.classes.is_empty() {
        out.push_str(&render_nodes(s));
    }
    for c in &s.classes {
        let _ = write!(out, "\nnodes of class {}", c.id);
        out.push_str(&render_nodes(&c.summary));
    }
    out
}

/// The per-node table of `s`.
fn render_nodes(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<24} {:<9} {:>9} {:>10} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "node",
        "kind",
        "att/task",
        "cancelled",
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
    for n in s.nodes.iter().chain(&s.subgraphs) {
        let _ = writeln!(
            out,
            "{:<24} {:<9} {:>9.4} {:>10} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}",
            truncate(&n.id, 24),
            n.kind,
            n.attempts_per_task,
            n.cancelled,
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
    out.push_str(&render_patterns(s));
    out
}

/// The step-pattern figures per node (fallbacks, hedges, cache, deadline),
/// when any node has one; per-node ratios, without intervals.
fn render_patterns(s: &Summary) -> String {
    let mut out = String::new();
    let rows: Vec<_> = s
        .nodes
        .iter()
        .filter(|n| n.fallbacks + n.hedges + n.cache_hits + n.deadline_abandoned > 0)
        .collect();
    if rows.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nstep patterns (per-node ratios, no interval)\n{:<24} {:>13} {:>9} {:>10} {:>16} {:>14} {:>10}",
        "node",
        "fallback/task",
        "hedges",
        "hedge rate",
        "hedge extra $/t",
        "cache hit rate",
        "deadline"
    );
    for n in rows {
        let _ = writeln!(
            out,
            "{:<24} {:>13.6} {:>9} {:>10.6} {:>16} {:>14.6} {:>10}",
            truncate(&n.id, 24),
            n.fallbacks_per_task,
            n.hedges,
            n.hedge_rate,
            usd(n.hedge_extra_usd_per_task),
            n.cache_hit_rate,
            n.deadline_abandoned
        );
    }
    out
}

/// What a `--precision` run reached, in one line.
pub fn precision_line(r: &PrecisionReport) -> String {
    format!(
        "precision        {} to ±{}: {} [{}, {}] (95% CI, {}), ±{:.3e} after {} trials{}",
        r.figure,
        r.target,
        fig(r.value),
        fig(r.ci95[0]),
        fig(r.ci95[1]),
        r.interval,
        r.half_width,
        r.trials,
        if r.met {
            String::new()
        } else {
            format!(" (NOT reached: cap of {} trials)", r.cap)
        }
    )
}

/// A figure: six decimals, or four significant digits below 0.001.
fn fig(v: f64) -> String {
    if v.is_infinite() {
        "unbounded".into()
    } else if v != 0.0 && v.abs() < 0.001 {
        format!("{v:.4e}")
    } else {
        format!("{v:.6}")
    }
}

/// A quantile with its interval: `0.5678 [0.5671, 0.5685]`, or `[n/a]`.
fn quantile(v: f64, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("{} [{}, {}]", secs(v), secs(lo), secs(hi)),
        None => format!("{} [n/a]", secs(v)),
    }
}

/// One line per SLO threshold: P(latency ≤ x), and the goodput within it.
fn render_slo(s: &Summary) -> String {
    let mut out = String::new();
    for slo in &s.slo {
        let goodput = slo.goodput.as_ref().map_or(String::new(), |g| {
            format!("  goodput within it {} correct tasks/s", estimate(g, 4))
        });
        let _ = writeln!(
            out,
            "{:<16} P(latency <= {} s) {:.6} {}{goodput}",
            "SLO",
            slo.threshold_s,
            slo.within.rate,
            ci(&slo.within)
        );
    }
    out
}

/// How the intervals were made, one line per kind.
fn render_methods(s: &Summary) -> String {
    let m = &s.intervals;
    let mut out = String::from("\n95% intervals:\n");
    let mut line = |what: &str, how: &str| {
        if !how.is_empty() {
            let _ = writeln!(out, "  {what:<13} {how}");
        }
    };
    line("rates", &m.rates);
    line("mean latency", &m.latency_mean);
    line("p50/p95/p99", &m.latency_quantiles);
    line("SLO", &m.slo);
    line("load figures", &m.load);
    line("energy", &m.energy);
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

fn estimate(e: &Estimate, digits: usize) -> String {
    match e.ci95 {
        Some([lo, hi]) => format!("{:.digits$} [{:.digits$}, {:.digits$}]", e.mean, lo, hi),
        None => format!("{:.digits$}", e.mean),
    }
}

/// One line per task class: its shed rate, outcomes, latency, cost and goodput.
fn render_classes(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<16} {:>5} {:>9} {:>28} {:>10} {:>10} {:>10} {:>12} {:>26}",
        "class",
        "prio",
        "tasks",
        "shed rate (95% CI)",
        "correct",
        "mean (s)",
        "p99 (s)",
        "$/success",
        "goodput (tasks/s)"
    );
    for c in &s.classes {
        let cs = &c.summary;
        let _ = writeln!(
            out,
            "{:<16} {:>5} {:>9} {:>28} {:>10.6} {:>10} {:>10} {:>12} {:>26}",
            truncate(&c.id, 16),
            c.priority,
            cs.trials,
            format!("{:.4} {}", c.shed.rate, ci4(&c.shed)),
            cs.success.rate,
            secs(cs.latency_s.mean),
            secs(cs.latency_s.p99),
            cs.cost_usd.per_success.map_or("n/a".into(), usd),
            estimate(&c.goodput, 4)
        );
    }
    out
}

fn ci4(r: &Rate) -> String {
    format!("[{:.4}, {:.4}]", r.ci95[0], r.ci95[1])
}

/// The load section: throughput, goodput and one line per resource.
fn render_load(load: &LoadSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nload             {} replications, {:.0} tasks each{}",
        load.replications,
        load.tasks_per_replication.mean,
        load.offered_rate
            .map_or(String::new(), |r| format!(", offered {r:.4} tasks/s"))
    );
    let _ = writeln!(
        out,
        "throughput       {} tasks/s",
        estimate(&load.throughput, 4)
    );
    let _ = writeln!(
        out,
        "goodput          {} correct tasks/s",
        estimate(&load.goodput, 4)
    );
    for o in &load.offered_load {
        let _ = writeln!(out, "offered load     {:<20} rho = {:.4}", o.id, o.rho);
    }
    if !load.pools.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<16} {:>24} {:>24} {:>26} {:>8} {:>10} {:>10} {:>9} {:>9}",
            "pool",
            "utilization",
            "mean queue",
            "mean wait (s)",
            "P(wait)",
            "wait p99",
            "in system",
            "rejected",
            "abandoned"
        );
        for p in &load.pools {
            let util = p
                .utilization
                .as_ref()
                .map_or("n/a".to_string(), |u| estimate(u, 4));
            let _ = writeln!(
                out,
                "{:<16} {:>24} {:>24} {:>26} {:>8.4} {:>10.4} {:>10.3} {:>9} {:>9}",
                truncate(&p.id, 16),
                util,
                estimate(&p.mean_queue, 3),
                estimate(&p.mean_wait_s, 4),
                p.p_wait.mean,
                p.wait_p99_s,
                p.mean_in_system.mean,
                p.rejected,
                p.abandoned
            );
        }
    }
    for p in &load.pools {
        if let Some(r) = &p.resilience {
            out += &resilience_line(&p.id, r);
        }
    }
    for l in &load.links {
        let _ = writeln!(
            out,
            "link {:<11} utilization {}  transfers in flight {:.3}  {:.3e} bytes/s",
            truncate(&l.id, 11),
            estimate(&l.utilization, 4),
            l.mean_active.mean,
            l.bytes_per_s.mean
        );
    }
    if let Some(energy) = &load.energy {
        out.push_str(&super::energy_table::render_energy(energy));
    }
    out
}

/// One line on a pool's outages and breaker.
fn resilience_line(id: &str, r: &crate::stats::resilience::ResilienceSummary) -> String {
    let mut line = format!(
        "pool {:<11} available {}  degraded {}  calls failed by outage {} of {} ({})",
        truncate(id, 11),
        estimate(&r.availability, 4),
        estimate(&r.degraded_fraction, 4),
        r.failed_by_outage,
        r.calls,
        estimate(&r.p_failed_by_outage, 4),
    );
    if r.failed_by_degradation > 0 {
        line += &format!("  failed by degradation {}", r.failed_by_degradation);
    }
    if let Some(open) = &r.breaker_open_fraction {
        line += &format!(
            "\n     {:<11} breaker open {}  opened {} times  refused {} ({})",
            "",
            estimate(open, 4),
            r.breaker_opened,
            r.refused_by_breaker,
            estimate(&r.p_refused_by_breaker, 4),
        );
    }
    line + "\n"
}

/// Pairs of components shown in the failure-correlation table (all of them
/// are in summary.json).
const CORRELATED_PAIRS_SHOWN: usize = 10;

/// The most correlated pairs of components, by phi.
fn render_correlation(s: &Summary) -> String {
    let mut pairs: Vec<_> = s.failure_correlation.iter().collect();
    pairs.sort_by(|x, y| y.phi.abs().total_cmp(&x.phi.abs()));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<36} {:>9}  {:<22} {:>8} {:>10}",
        "failing together (pair)", "phi", "95% CI (delta method)", "lift", "both"
    );
    for p in pairs.iter().take(CORRELATED_PAIRS_SHOWN) {
        let _ = writeln!(
            out,
            "{:<36} {:>9.4}  [{:.4}, {:.4}]{:>4} {:>8.3} {:>10}",
            truncate(&format!("{} + {}", p.a, p.b), 36),
            p.phi,
            p.phi_ci95[0],
            p.phi_ci95[1],
            "",
            p.lift,
            p.both_failed
        );
    }
    if pairs.len() > CORRELATED_PAIRS_SHOWN {
        let _ = writeln!(
            out,
            "({} more pairs in summary.json)",
            pairs.len() - CORRELATED_PAIRS_SHOWN
        );
    }
    out
}

/// pass^k and pass@k, with what independent runs would give.
fn render_pass_k(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<6} {:>10}  {:<25} {:>12}  {:>10}  {:<25}",
        "runs",
        "pass^k",
        "95% CI (Wilson, tasks)",
        "independent",
        "pass@k",
        "95% CI (Wilson, tasks)"
    );
    for p in &s.pass_k {
        let _ = writeln!(
            out,
            "k = {:<2} {:>10.6}  {:<25} {:>12.6}  {:>10.6}  {:<25}",
            p.k,
            p.all.rate,
            ci(&p.all),
            p.independent,
            p.any.rate,
            ci(&p.any)
        );
    }
    out
}
