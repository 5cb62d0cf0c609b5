//! Streaming, mergeable aggregation of trial results.
//!
//! Memory does not grow with the number of trials: counts are integers,
//! latencies go into an HDR histogram, and sums are kept as integers (nano-
//! seconds, pico-dollars) so that merging partial results in any order gives
//! bit-identical totals, whatever the number of threads.

use hdrhistogram::Histogram;

use crate::task::{ExecCounters, Runaway, TaskOutcome, TrialResult};

/// Histogram precision: 3 significant digits, a relative error of at most 0.1%.
const SIGNIFICANT_DIGITS: u8 = 3;
/// Latencies are recorded in nanoseconds.
pub const NANOS_PER_SECOND: f64 = 1e9;
/// Costs are summed in pico-dollars.
pub const PICO_PER_USD: f64 = 1e12;

/// Running totals of a set of trials.
#[derive(Debug, Clone)]
pub struct Accumulator {
    /// Trials seen.
    pub trials: u64,
    /// Trials per outcome.
    pub correct: u64,
    /// Silent failures.
    pub silent: u64,
    /// Loud failures.
    pub loud: u64,
    /// Escalations.
    pub escalated: u64,
    /// Sum of latencies, nanoseconds.
    pub latency_ns_sum: u128,
    /// Sum of squared latencies, ns².
    pub latency_ns_sq_sum: u128,
    /// Latency distribution of all trials, nanoseconds.
    pub latency_ns: Histogram<u64>,
    /// Sum of costs, pico-dollars.
    pub cost_pusd_sum: u128,
    /// Sum of tokens.
    pub tokens_sum: u128,
    /// Per node/edge counters, indexed by exec.
    pub execs: Vec<ExecCounters>,
    /// The earliest task (lowest number) stopped at a limit, if any: the
    /// totals then mean nothing and the run is reported as a runaway.
    pub runaway: Option<Runaway>,
}

impl Accumulator {
    /// An empty accumulator for a model with `exec_count` nodes + edges.
    pub fn new(exec_count: usize) -> Self {
        Accumulator {
            trials: 0,
            correct: 0,
            silent: 0,
            loud: 0,
            escalated: 0,
            latency_ns_sum: 0,
            latency_ns_sq_sum: 0,
            latency_ns: Histogram::new(SIGNIFICANT_DIGITS).expect("valid histogram precision"),
            cost_pusd_sum: 0,
            tokens_sum: 0,
            execs: vec![ExecCounters::default(); exec_count],
            runaway: None,
        }
    }

    /// Notes a task stopped at a limit, keeping the earliest (so the one
    /// reported does not depend on the order partial results merge in).
    pub fn note_runaway(&mut self, r: Runaway) {
        if self.runaway.is_none_or(|old| r.task < old.task) {
            self.runaway = Some(r);
        }
    }

    /// Adds one trial's result (its per-exec counters are added by the simulation directly).
    pub fn record(&mut self, r: &TrialResult) {
        if let Some(runaway) = r.runaway {
            self.note_runaway(runaway);
        }
        self.trials += 1;
        match r.outcome {
            TaskOutcome::Correct => self.correct += 1,
            TaskOutcome::Silent => self.silent += 1,
            TaskOutcome::Loud => self.loud += 1,
            TaskOutcome::Escalated => self.escalated += 1,
        }
        let ns = (r.latency * NANOS_PER_SECOND)
            .round()
            .clamp(0.0, u64::MAX as f64) as u64;
        self.latency_ns_sum += ns as u128;
        self.latency_ns_sq_sum += (ns as u128) * (ns as u128);
        if self.latency_ns.record(ns).is_err() {
            self.latency_ns.saturating_record(ns);
        }
        self.cost_pusd_sum += (r.cost_usd * PICO_PER_USD).round().max(0.0) as u128;
        self.tokens_sum += r.tokens as u128;
    }

    /// Adds another accumulator's totals into this one (order does not matter).
    pub fn merge(mut self, other: Accumulator) -> Accumulator {
        self.trials += other.trials;
        self.correct += other.correct;
        self.silent += other.silent;
        self.loud += other.loud;
        self.escalated += other.escalated;
        self.latency_ns_sum += other.latency_ns_sum;
        self.latency_ns_sq_sum += other.latency_ns_sq_sum;
        self.latency_ns
            .add(&other.latency_ns)
            .expect("auto-resizing histograms always merge");
        self.cost_pusd_sum += other.cost_pusd_sum;
        self.tokens_sum += other.tokens_sum;
        for (mine, theirs) in self.execs.iter_mut().zip(&other.execs) {
            mine.merge(theirs);
        }
        if let Some(r) = other.runaway {
            self.note_runaway(r);
        }
        self
    }
}
