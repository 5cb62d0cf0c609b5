//! The headline figures of a run, computed from an [`Accumulator`].
//!
//! This is the stable, serialisable result: `summary.json` is this struct.

use serde::{Deserialize, Serialize};

use super::accumulator::{Accumulator, NANOS_PER_SECOND, PICO_PER_USD};
use super::interval::{Z95, mean_interval, wilson};
use super::load::Estimate;
use super::quantile::{count_at_most, quantile_interval};
use crate::model::{Junction, Model};
use crate::task::ExecCounters;

/// A proportion with its 95% interval (how it was made: [`IntervalMethods::rates`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rate {
    /// Number of trials with this outcome.
    pub count: u64,
    /// count / trials.
    pub rate: f64,
    /// 95% interval [low, high], always inside [0, 1].
    pub ci95: [f64; 2],
}

impl Rate {
    /// `count` of `trials` with its Wilson score interval (independent trials).
    pub fn new(count: u64, trials: u64) -> Self {
        let (lo, hi) = wilson(count, trials, Z95);
        Rate {
            count,
            rate: if trials == 0 {
                0.0
            } else {
                count as f64 / trials as f64
            },
            ci95: [lo, hi],
        }
    }
}

/// End-to-end latency figures in seconds, over all trials whatever their outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LatencySummary {
    /// Mean.
    pub mean: f64,
    /// 95% interval of the mean.
    pub mean_ci95: [f64; 2],
    /// Median.
    pub p50: f64,
    /// 95% interval of the median ([`IntervalMethods::latency_quantiles`]);
    /// `null` when too few trials bound it.
    #[serde(default)]
    pub p50_ci95: Option<[f64; 2]>,
    /// 95th percentile.
    pub p95: f64,
    /// 95% interval of the 95th percentile.
    #[serde(default)]
    pub p95_ci95: Option<[f64; 2]>,
    /// 99th percentile.
    pub p99: f64,
    /// 95% interval of the 99th percentile.
    #[serde(default)]
    pub p99_ci95: Option<[f64; 2]>,
    /// Largest value seen.
    pub max: f64,
}

/// Cost figures in US dollars.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CostSummary {
    /// Mean spend per task, whatever its outcome.
    pub per_task: f64,
    /// Total spend divided by correct tasks: what one good answer really costs.
    /// `null` when no task succeeded.
    pub per_success: Option<f64>,
}

/// Token figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenSummary {
    /// Mean tokens per task.
    pub per_task: f64,
    /// Total tokens divided by correct tasks.
    pub per_success: Option<f64>,
}

/// Per node (or edge) figures, summed over all trials.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecSummary {
    /// Node id, or "from->to" for an edge.
    pub id: String,
    /// "llm", "tool", "retrieval", "gate", "aggregate" or "edge".
    pub kind: String,
    /// Attempts started.
    pub attempts: u64,
    /// Attempts per task.
    pub attempts_per_task: f64,
    /// Attempts still running when the task's outcome was decided (a merge
    /// had the inputs it needed, or the task failed elsewhere) or a gate's
    /// loop-back restarted the step: neither loud, silent nor ok.
    #[serde(default)]
    pub cancelled: u64,
    /// Attempts that failed loudly (including timeouts).
    pub loud_failures: u64,
    /// Attempts that hit the step's timeout.
    pub timeouts: u64,
    /// Times every attempt failed and the step gave up.
    pub exhausted: u64,
    /// Silent corruptions introduced here.
    pub silent_introduced: u64,
    /// Tasks whose delivered wrong answer came from a corruption introduced here.
    pub silent_reached_user: u64,
    /// Gates: corrupted inputs flagged.
    pub caught: u64,
    /// Gates: correct inputs flagged.
    pub false_alarms: u64,
    /// Gates: corrupted inputs let through.
    pub missed: u64,
    /// Gates: loop-backs taken.
    pub loops: u64,
    /// Gates: loop budget exhausted (escalated or failed).
    pub gate_exhausted: u64,
    /// Times the step's attempts were exhausted and its fallback was called.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fallbacks: u64,
    /// Fallback calls per task.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub fallbacks_per_task: f64,
    /// Hedged copies sent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hedges: u64,
    /// Hedged copies per attempt (the hedge rate).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub hedge_rate: f64,
    /// Dollars per task billed for hedged copies beyond one per attempt.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub hedge_extra_usd_per_task: f64,
    /// Executions answered from the cache.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cache_hits: u64,
    /// Cache hits per lookup (the cache hit rate).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub cache_hit_rate: f64,
    /// Attempts abandoned at the task's deadline.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub deadline_abandoned: u64,
}

/// For `skip_serializing_if`: figures a run without step patterns never sets.
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// For `skip_serializing_if`: figures a run without step patterns never sets.
fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}

/// Everything a run reports.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Trials run.
    pub trials: u64,
    /// Base seed.
    pub seed: u64,
    /// Correct outcomes.
    pub success: Rate,
    /// Wrong answers delivered as right.
    pub silent_failure: Rate,
    /// Errors surfaced.
    pub loud_failure: Rate,
    /// Handed to a person.
    pub escalated: Rate,
    /// Tasks still running at their deadline (`[run] deadline_s`), which
    /// failed loudly there (they are among the loud failures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_miss: Option<Rate>,
    /// End-to-end latency, seconds.
    pub latency_s: LatencySummary,
    /// Spend in dollars.
    pub cost_usd: CostSummary,
    /// Tokens.
    pub tokens: TokenSummary,
    /// Per node and edge figures; edges that never ran are left out.
    pub nodes: Vec<ExecSummary>,
    /// Per sub-graph `S`: the figures of its nodes and hand-offs summed
    /// (`S/*`, kind "subgraph"; its runs are on the node `S` itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subgraphs: Vec<ExecSummary>,
    /// Throughput, goodput and resource figures of a loaded run (`[workload]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<super::load::LoadSummary>,
    /// Per task class of a loaded run with several classes or with load
    /// shedding (the figures above are then over all classes' admitted
    /// tasks, and `nodes` is empty: each class has its own graph).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<super::classes::ClassSummary>,
    /// pass^k and pass@k for k = 1..K when every task ran K times
    /// (`[run] pass_k`); intervals are over tasks, each task one observation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_k: Vec<PassK>,
    /// Service-level objectives (`[run] slo`, `--slo`): for each latency
    /// threshold, the share of tasks that ended within it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<SloAttainment>,
    /// How every interval of this summary was made.
    #[serde(default)]
    pub intervals: IntervalMethods,
    /// What was run, by which program (`summary.json` of `run` and `merge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Failure correlation of every pair of nodes and hand-offs that failed
    /// (`[run] failure_correlation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_correlation: Vec<super::cofailure::FailurePair>,
    /// What a `--precision` run reached: the figure, its interval and the
    /// trials used (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<super::precision::PrecisionReport>,
}

/// P(latency ≤ threshold): one service-level objective.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SloAttainment {
    /// `le_<threshold>s` (`le_2s`, `le_0p5s`): names its columns in `sweep.csv`.
    pub id: String,
    /// The latency threshold, seconds.
    pub threshold_s: f64,
    /// Tasks that ended (whatever their outcome) within the threshold, with
    /// the rate's interval ([`IntervalMethods::slo`]).
    pub within: Rate,
    /// Loaded runs: correct tasks finished within the threshold per second
    /// (goodput within the SLO), across replications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goodput: Option<Estimate>,
}

impl SloAttainment {
    /// The id of the SLO at `threshold_s` seconds: `le_2s`, `le_0p5s`.
    pub fn id_of(threshold_s: f64) -> String {
        format!("le_{}s", threshold_s.to_string().replace('.', "p"))
    }
}

/// The method behind each kind of interval in a summary, in words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct IntervalMethods {
    /// Outcome rates (and pass^k).
    pub rates: String,
    /// The mean latency.
    pub latency_mean: String,
    /// p50, p95 and p99.
    pub latency_quantiles: String,
    /// SLO attainment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub slo: String,
    /// The load figures (throughput, goodput, pools, links).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub load: String,
    /// The energy and capacity-cost figures.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub energy: String,
}

impl IntervalMethods {
    /// The methods for independent trials.
    pub fn independent(with_slo: bool) -> Self {
        IntervalMethods {
            rates: WILSON.into(),
            latency_mean: "normal approximation (z = 1.96) from the trials' standard deviation"
                .into(),
            latency_quantiles: ORDER_STATISTIC.into(),
            slo: if with_slo {
                format!(
                    "{WILSON}; a latency counts as within the threshold when its whole \
                     histogram bucket (0.1% wide) is"
                )
            } else {
                String::new()
            },
            load: String::new(),
            energy: String::new(),
        }
    }

    /// The short name of the rate intervals, for a table header.
    pub fn rates_short(&self) -> &'static str {
        if self.rates.starts_with(WILSON) {
            "Wilson"
        } else if self.rates.starts_with(WILSON_EFFECTIVE) {
            "Wilson, eff. n"
        } else {
            "see note"
        }
    }
}

/// The rate interval of independent trials.
pub const WILSON: &str = "Wilson score interval, each trial independent";
/// The rate interval of a loaded run's replications.
pub const WILSON_EFFECTIVE: &str = "Wilson score interval on the effective sample size";
/// The quantile interval of independent trials.
pub const ORDER_STATISTIC: &str = "distribution-free order-statistic interval (binomial ranks), \
     widened to the histogram buckets (0.1%) holding its ends; null when too few trials bound it";

/// Where a summary comes from: enough to tell two runs' results apart and
/// to reproduce them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// The coordsim version that produced it.
    pub version: String,
    /// SHA-256 of the scenario document as run (after `--set` changes), in
    /// the canonical TOML form coordsim writes it in (hex).
    pub scenario_sha256: String,
    /// The `--set` changes, as given (empty: the file as it is).
    pub overrides: Vec<String>,
    /// The closed-form success rate of the scenario, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
}

/// A closed-form value the simulated one can be checked against.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reference {
    /// P(correct) by the closed form.
    pub success: f64,
    /// Which closed form.
    pub method: String,
}

/// The reliability of k runs of the same task.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PassK {
    /// Runs of the task.
    pub k: u32,
    /// pass^k: all k runs correct.
    pub all: Rate,
    /// pass@k: at least one of the k runs correct.
    pub any: Rate,
    /// What independent runs would give for pass^k: (pass^1)^k.
    pub independent: f64,
}

/// `n / d`, 0 when `d` is 0.
fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

impl ExecSummary {
    /// The figures of counters `c` over `trials` tasks.
    pub fn new(id: String, kind: &str, c: &ExecCounters, trials: u64) -> Self {
        ExecSummary {
            id,
            kind: kind.to_string(),
            attempts: c.attempts,
            attempts_per_task: if trials > 0 {
                c.attempts as f64 / trials as f64
            } else {
                0.0
            },
            cancelled: c.cancelled,
            loud_failures: c.loud,
            timeouts: c.timeouts,
            exhausted: c.exhausted,
            silent_introduced: c.silent,
            silent_reached_user: c.silent_reached_user,
            caught: c.caught,
            false_alarms: c.false_alarms,
            missed: c.missed,
            loops: c.loops,
            gate_exhausted: c.gate_exhausted,
            fallbacks: c.fallbacks,
            fallbacks_per_task: ratio(c.fallbacks, trials),
            hedges: c.hedges,
            hedge_rate: ratio(c.hedges, c.attempts),
            hedge_extra_usd_per_task: ratio(c.hedge_cost_pusd, trials) / PICO_PER_USD,
            cache_hits: c.cache_hits,
            cache_hit_rate: ratio(c.cache_hits, c.cache_hits + c.cache_misses),
            deadline_abandoned: c.deadline,
        }
    }
}

impl Summary {
    /// Computes the summary of `acc` for `model`.
    pub fn new(model: &Model, seed: u64, acc: &Accumulator) -> Self {
        let trials = acc.trials;
        let per = |total: f64, n: u64| (n > 0).then(|| total / n as f64);
        let secs = |ns: u64| ns as f64 / NANOS_PER_SECOND;
        let sum_s = acc.latency_ns_sum as f64 / NANOS_PER_SECOND;
        let sum_sq_s = acc.latency_ns_sq_sum.to_f64() / (NANOS_PER_SECOND * NANOS_PER_SECOND);
        let (mlo, mhi) = mean_interval(sum_s, sum_sq_s, trials, Z95);
        let quantile = |q: f64| {
            if trials == 0 {
                0.0
            } else {
                secs(acc.latency_ns.value_at_quantile(q))
            }
        };
        let quantile_ci = |q: f64| quantile_interval(&acc.latency_ns, q);
        let cost_total = acc.cost_pusd_sum as f64 / PICO_PER_USD;
        let tokens_total = acc.tokens_sum as f64;
        let nodes = acc
            .execs
            .iter()
            .enumerate()
            .filter(|(i, c)| match model.nodes.get(*i) {
                // A sub-graph's entry junction does nothing of its own.
                Some(n) => !matches!(n.junction, Some(Junction::Entry)),
                None => c.attempts > 0,
            })
            .map(|(i, c)| {
                let kind = model.nodes.get(i).map_or("edge", |n| n.kind.name());
                ExecSummary::new(model.exec_name(i), kind, c, trials)
            })
            .collect();
        let subgraphs = super::rollup::rollups(model, &acc.execs, trials);
        Summary {
            scenario: model.name.clone(),
            trials,
            seed,
            success: Rate::new(acc.correct, trials),
            silent_failure: Rate::new(acc.silent, trials),
            loud_failure: Rate::new(acc.loud, trials),
            escalated: Rate::new(acc.escalated, trials),
            deadline_miss: model
                .deadline
                .map(|_| Rate::new(acc.deadline_misses, trials)),
            latency_s: LatencySummary {
                mean: per(sum_s, trials).unwrap_or(0.0),
                mean_ci95: [mlo, mhi],
                p50: quantile(0.50),
                p50_ci95: quantile_ci(0.50),
                p95: quantile(0.95),
                p95_ci95: quantile_ci(0.95),
                p99: quantile(0.99),
                p99_ci95: quantile_ci(0.99),
                max: if trials == 0 {
                    0.0
                } else {
                    secs(acc.latency_ns.max())
                },
            },
            cost_usd: CostSummary {
                per_task: per(cost_total, trials).unwrap_or(0.0),
                per_success: per(cost_total, acc.correct),
            },
            tokens: TokenSummary {
                per_task: per(tokens_total, trials).unwrap_or(0.0),
                per_success: per(tokens_total, acc.correct),
            },
            nodes,
            subgraphs,
            load: None,
            classes: Vec::new(),
            pass_k: pass_k(acc),
            slo: model
                .slo
                .iter()
                .map(|&threshold_s| SloAttainment {
                    id: SloAttainment::id_of(threshold_s),
                    threshold_s,
                    within: Rate::new(
                        count_at_most(&acc.latency_ns, threshold_s),
                        acc.latency_ns.len(),
                    ),
                    goodput: None,
                })
                .collect(),
            intervals: IntervalMethods::independent(!model.slo.is_empty()),
            provenance: None,
            failure_correlation: super::cofailure::correlations(model, acc),
            precision: None,
        }
    }
}

/// pass^k and pass@k from the per-task counts of a run of K runs per task.
fn pass_k(acc: &Accumulator) -> Vec<PassK> {
    let p1 = acc
        .pass_all
        .first()
        .map_or(0.0, |&n| n as f64 / acc.trials.max(1) as f64);
    acc.pass_all
        .iter()
        .zip(&acc.pass_any)
        .enumerate()
        .map(|(i, (&all, &any))| PassK {
            k: i as u32 + 1,
            all: Rate::new(all, acc.trials),
            any: Rate::new(any, acc.trials),
            independent: p1.powi(i as i32 + 1),
        })
        .collect()
}
