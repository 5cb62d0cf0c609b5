//! Comparing a base and its variants, figure by figure, with paired intervals.

use serde::Serialize;

use super::interval::{T95_19, mean_difference, paired_proportion, sectioned};
use super::variant::Arm;
use crate::sim::paired::{PairedRun, SectionFigures};
use crate::stats::Summary;
use crate::stats::accumulator::{NANOS_PER_SECOND, PICO_PER_USD};
use crate::stats::interval::{Z95, wilson};
use crate::stats::quantile::count_at_most;

/// One headline figure of one arm, with its difference to the base.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figure {
    /// Stable key, e.g. `p_correct`, `latency_p99_s`, `cost_per_success_usd`.
    pub key: String,
    /// Human label.
    pub label: String,
    /// The arm's value (`None` when undefined, e.g. cost per success without successes).
    pub value: Option<f64>,
    /// The base's value.
    pub base: Option<f64>,
    /// value − base (`None` for the base itself).
    pub diff: Option<f64>,
    /// 95% interval of the difference, when one can be computed.
    pub ci95: Option<[f64; 2]>,
    /// True when the interval excludes zero.
    pub significant: bool,
}

/// One arm's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ArmReport {
    /// Scenario name.
    pub name: String,
    /// File given on the command line.
    pub source: String,
    /// Patches applied (variant files).
    pub patches: Vec<String>,
    /// The headline figures and their differences to the base.
    pub figures: Vec<Figure>,
    /// The arm's full summary (per-node figures included).
    pub summary: Summary,
}

/// A whole comparison: the base first, then each variant.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Trials per arm.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// Whether the arms shared random numbers.
    pub common_random_numbers: bool,
    /// Tasks per month used for the monthly bill, if asked for.
    pub tasks_per_month: Option<u64>,
    /// Base (index 0) and variants.
    pub arms: Vec<ArmReport>,
    /// What a `--precision` comparison reached (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<DiffPrecision>,
}

/// What a `--precision` comparison reached: every variant's difference to
/// the base on one figure, to a stated half-width.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiffPrecision {
    /// The figure, as named on the command line (`success`, `p99`, ...).
    pub figure: String,
    /// The figure's key in the comparison (`p_correct`, `latency_p99_s`, ...).
    pub key: String,
    /// The half-width asked for, as given (`0.001`; `2%`: of the base's value).
    pub target: String,
    /// The widest half-width of the differences' 95% intervals.
    pub half_width: f64,
    /// Trials per arm used.
    pub trials: u64,
    /// The cap on trials.
    pub cap: u64,
    /// Whether every difference is as narrow as asked.
    pub met: bool,
}

/// Builds the comparison of a paired run of `arms` (arm 0 is the base).
pub fn compare(
    arms: &[Arm],
    run: &PairedRun,
    seed: u64,
    tasks_per_month: Option<u64>,
) -> Comparison {
    let summaries: Vec<Summary> = arms
        .iter()
        .zip(&run.arms)
        .map(|(a, acc)| Summary::new(&a.scenario.model, seed, acc))
        .collect();
    let reports = arms
        .iter()
        .enumerate()
        .map(|(k, a)| ArmReport {
            name: a.label.clone(),
            source: a.source.display().to_string(),
            patches: a.patches.clone(),
            figures: figures(run, &summaries, k, tasks_per_month),
            summary: summaries[k].clone(),
        })
        .collect();
    Comparison {
        trials: run.arms[0].trials,
        seed,
        common_random_numbers: run.crn,
        tasks_per_month,
        arms: reports,
        precision: None,
    }
}

/// Figure builder: value, base value, and optionally a difference with its interval.
fn figure(key: &str, label: &str, value: Option<f64>, base: Option<f64>) -> Figure {
    Figure {
        key: key.into(),
        label: label.into(),
        value,
        base,
        diff: None,
        ci95: None,
        significant: false,
    }
}

fn with_diff(mut f: Figure, diff: f64, ci: Option<(f64, f64)>) -> Figure {
    f.diff = Some(diff);
    f.ci95 = ci.map(|(lo, hi)| [lo, hi]);
    f.significant = ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0);
    f
}

/// Per-section differences of one figure between arm `k` and the base.
fn section_diffs(
    run: &PairedRun,
    k: usize,
    get: impl Fn(&SectionFigures) -> Option<f64>,
) -> Vec<f64> {
    let diffs: Vec<Option<f64>> = run
        .sections
        .iter()
        .map(|s| Some(get(&s[k])? - get(&s[0])?))
        .collect();
    if diffs.iter().any(Option::is_none) {
        return Vec::new();
    }
    diffs.into_iter().flatten().collect()
}

/// pass^K and pass@K of arms whose tasks all ran the same K > 1 times, with
/// paired differences over tasks (each task one pair).
fn pass_k_figures(
    s: &Summary,
    b: &Summary,
    diff: Option<&crate::sim::paired::PairedDiff>,
    n: u64,
) -> Vec<Figure> {
    let (Some(mine), Some(base)) = (s.pass_k.last(), b.pass_k.last()) else {
        return Vec::new();
    };
    if mine.k != base.k || mine.k < 2 {
        return Vec::new();
    }
    let k = mine.k;
    [
        (
            "p_pass_all_k",
            format!("pass^{k} (all {k} runs correct)"),
            mine.all.rate,
            base.all.rate,
        ),
        (
            "p_pass_any_k",
            format!("pass@{k} (some run correct)"),
            mine.any.rate,
            base.any.rate,
        ),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (key, label, v, bv))| {
        let f = figure(key, &label, Some(v), Some(bv));
        match diff {
            Some(d) => {
                let t = &d.pass_k[i];
                let delta = (t.variant_only as f64 - t.base_only as f64) / n as f64;
                with_diff(f, delta, Some(paired_proportion(t, n, Z95)))
            }
            None => f,
        }
    })
    .collect()
}

/// P(latency ≤ x) for each SLO threshold of the base (`--slo`), for arm `k`
/// and the base, keyed `p_slo_le_<x>s`. The difference's interval is
/// Newcombe's hybrid score interval from the two arms' Wilson intervals,
/// which treats the arms as independent: on common random numbers the arms
/// are positively correlated, so the interval is conservative (wider than
/// a paired one would be).
fn slo_figures(run: &PairedRun, summaries: &[Summary], k: usize) -> Vec<Figure> {
    let base = &summaries[0];
    base.slo
        .iter()
        .map(|slo| {
            let x = slo.threshold_s;
            let rate = |arm: &crate::stats::Accumulator| {
                let n = arm.latency_ns.len();
                let c = count_at_most(&arm.latency_ns, x);
                let (lo, hi) = wilson(c, n, Z95);
                (if n == 0 { 0.0 } else { c as f64 / n as f64 }, lo, hi)
            };
            let (p0, l0, u0) = rate(&run.arms[0]);
            let (p1, l1, u1) = rate(&run.arms[k]);
            let f = figure(
                &format!("p_slo_{}", slo.id),
                &format!("P(latency <= {x} s)"),
                Some(p1),
                Some(p0),
            );
            if k == 0 {
                return f;
            }
            let d = p1 - p0;
            let lo = d - ((p1 - l1).powi(2) + (u0 - p0).powi(2)).sqrt();
            let hi = d + ((u1 - p1).powi(2) + (p0 - l0).powi(2)).sqrt();
            with_diff(f, d, Some((lo, hi)))
        })
        .collect()
}

/// The headline figures of arm `k` (with differences when `k > 0`).
pub fn figures(
    run: &PairedRun,
    summaries: &[Summary],
    k: usize,
    per_month: Option<u64>,
) -> Vec<Figure> {
    let (s, b) = (&summaries[k], &summaries[0]);
    let n = run.arms[0].trials;
    let diff = (k > 0).then(|| &run.diffs[k - 1]);
    let mut out = Vec::new();
    let rates = [
        ("p_correct", "P(correct)", s.success.rate, b.success.rate),
        (
            "p_silent",
            "silent failure",
            s.silent_failure.rate,
            b.silent_failure.rate,
        ),
        (
            "p_loud",
            "loud failure",
            s.loud_failure.rate,
            b.loud_failure.rate,
        ),
        (
            "p_escalated",
            "escalated",
            s.escalated.rate,
            b.escalated.rate,
        ),
    ];
    for (o, (key, label, v, bv)) in rates.into_iter().enumerate() {
        let f = figure(key, label, Some(v), Some(bv));
        out.push(match diff {
            Some(d) => {
                let t = &d.outcomes[o];
                let delta = (t.variant_only as f64 - t.base_only as f64) / n as f64;
                with_diff(f, delta, Some(paired_proportion(t, n, Z95)))
            }
            None => f,
        });
    }
    out.extend(pass_k_figures(s, b, diff, n));
    let f = figure(
        "latency_mean_s",
        "latency mean (s)",
        Some(s.latency_s.mean),
        Some(b.latency_s.mean),
    );
    out.push(match diff {
        Some(d) => {
            let (m, ci) = mean_difference(&d.latency_ns, n, NANOS_PER_SECOND, Z95);
            with_diff(f, m, Some(ci))
        }
        None => f,
    });
    let quantiles = [
        (
            "latency_p50_s",
            "latency p50 (s)",
            s.latency_s.p50,
            b.latency_s.p50,
        ),
        (
            "latency_p95_s",
            "latency p95 (s)",
            s.latency_s.p95,
            b.latency_s.p95,
        ),
        (
            "latency_p99_s",
            "latency p99 (s)",
            s.latency_s.p99,
            b.latency_s.p99,
        ),
    ];
    for (q, (key, label, v, bv)) in quantiles.into_iter().enumerate() {
        let f = figure(key, label, Some(v), Some(bv));
        out.push(if k > 0 {
            let sd = section_diffs(run, k, |x| Some(x.quantiles[q]));
            with_diff(f, v - bv, sectioned(v - bv, &sd, T95_19))
        } else {
            f
        });
    }
    let cost = figure(
        "cost_per_task_usd",
        "cost per task ($)",
        Some(s.cost_usd.per_task),
        Some(b.cost_usd.per_task),
    );
    let cost_diff = diff.map(|d| mean_difference(&d.cost_pusd, n, PICO_PER_USD, Z95));
    out.push(match cost_diff {
        Some((m, ci)) => with_diff(cost.clone(), m, Some(ci)),
        None => cost.clone(),
    });
    let f = figure(
        "cost_per_success_usd",
        "cost per correct task ($)",
        s.cost_usd.per_success,
        b.cost_usd.per_success,
    );
    out.push(
        match (k > 0, s.cost_usd.per_success, b.cost_usd.per_success) {
            (true, Some(v), Some(bv)) => {
                let sd = section_diffs(run, k, |x| x.cost_per_success);
                with_diff(f, v - bv, sectioned(v - bv, &sd, T95_19))
            }
            _ => f,
        },
    );
    let f = figure(
        "tokens_per_task",
        "tokens per task",
        Some(s.tokens.per_task),
        Some(b.tokens.per_task),
    );
    out.push(match diff {
        Some(d) => {
            let (m, ci) = mean_difference(&d.tokens, n, 1.0, Z95);
            with_diff(f, m, Some(ci))
        }
        None => f,
    });
    out.extend(slo_figures(run, summaries, k));
    if let Some(tasks) = per_month {
        let t = tasks as f64;
        let f = figure(
            "cost_per_month_usd",
            &format!("cost per month ($, {tasks} tasks)"),
            Some(s.cost_usd.per_task * t),
            Some(b.cost_usd.per_task * t),
        );
        out.push(match cost_diff {
            Some((m, (lo, hi))) => with_diff(f, m * t, Some((lo * t, hi * t))),
            None => f,
        });
    }
    out
}
