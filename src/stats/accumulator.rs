//! Streaming, mergeable aggregation of trial results.
//!
//! Memory does not grow with the number of trials: counts are integers,
//! latencies go into an HDR histogram, and sums are kept as integers (nano-
//! seconds, pico-dollars) so that merging partial results in any order gives
//! bit-identical totals, whatever the number of threads.

use hdrhistogram::Histogram;

use super::hist_buffer::SIGNIFICANT_DIGITS;
use super::wide::Wide;
use crate::task::{ExecCounters, Runaway, TaskOutcome, TrialResult};

/// Latencies are recorded in nanoseconds.
pub const NANOS_PER_SECOND: f64 = 1e9;
/// Costs are summed in pico-dollars.
pub const PICO_PER_USD: f64 = 1e12;

const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `x.round().clamp(0.0, u64::MAX as f64) as u64`, bit for bit (NaN and
/// negatives give 0, values from 2⁶⁴ up saturate), without a call to libm's
/// `round` (x86-64 has no rounding instruction before SSE4.1).
#[inline]
pub fn round_to_u64(x: f64) -> u64 {
    if x.is_nan() || x < 0.5 {
        return 0;
    }
    if x >= TWO_POW_63 {
        // Every f64 from 2⁶³ up is a whole number.
        return if x >= TWO_POW_64 { u64::MAX } else { x as u64 };
    }
    // Below 2⁶³ the signed conversions are single instructions (the
    // unsigned ones are not on x86-64). Truncation is exact, and so is the
    // fraction x − trunc(x); it decides by a flag added, not a branch: it is
    // a coin toss for latencies, so a branch would be mispredicted half the time.
    let t = x as i64;
    (t + i64::from(x - t as f64 >= 0.5)) as u64
}

/// A latency in whole nanoseconds, as totals and histograms count it.
#[inline]
pub fn latency_ns(latency: f64) -> u64 {
    round_to_u64(latency * NANOS_PER_SECOND)
}

/// A cost in whole pico-dollars, as the cost total counts it (exact beyond 2⁶⁴).
#[inline]
pub fn cost_pusd(cost_usd: f64) -> u128 {
    let pusd = cost_usd * PICO_PER_USD;
    if pusd < TWO_POW_64 {
        round_to_u64(pusd) as u128
    } else {
        pusd.round() as u128
    }
}

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
    /// Tasks that ran past their deadline (`[run] deadline_s`; counted loud too).
    pub deadline_misses: u64,
    /// Sum of latencies, nanoseconds.
    pub latency_ns_sum: u128,
    /// Sum of squared latencies, ns² (beyond 128 bits after a few trials of
    /// centuries, or millions of trials of months).
    pub latency_ns_sq_sum: Wide,
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
    /// pass^k: `pass_all[k - 1]` counts tasks whose first k runs were all
    /// correct (empty unless tasks run more than once).
    pub pass_all: Vec<u64>,
    /// pass@k: `pass_any[k - 1]` counts tasks with a correct run among their first k.
    pub pass_any: Vec<u64>,
    /// Tasks in which both of a pair of execs failed, packed upper triangle
    /// with the diagonal (see [`super::cofailure`]; empty unless tracked).
    pub co_failures: Vec<u64>,
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
            deadline_misses: 0,
            latency_ns_sum: 0,
            latency_ns_sq_sum: Wide::ZERO,
            latency_ns: Histogram::new(SIGNIFICANT_DIGITS).expect("valid histogram precision"),
            cost_pusd_sum: 0,
            tokens_sum: 0,
            execs: vec![ExecCounters::default(); exec_count],
            runaway: None,
            pass_all: Vec::new(),
            pass_any: Vec::new(),
            co_failures: Vec::new(),
        }
    }

    /// Adds the runs of one task (pass^k), `correct[r]` telling whether run
    /// `r` was correct.
    pub fn record_runs(&mut self, correct: &[bool]) {
        let k = correct.len();
        self.pass_all.resize(self.pass_all.len().max(k), 0);
        self.pass_any.resize(self.pass_any.len().max(k), 0);
        let all = correct.iter().take_while(|&&c| c).count();
        for n in &mut self.pass_all[..all] {
            *n += 1;
        }
        if let Some(first) = correct.iter().position(|&c| c) {
            for n in &mut self.pass_any[first..k] {
                *n += 1;
            }
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
        let ns = self.record_totals(r);
        if self.latency_ns.record(ns).is_err() {
            self.latency_ns.saturating_record(ns);
        }
    }

    /// Records everything of `r` but its latency's histogram entry, and
    /// returns that latency in nanoseconds (for a caller that buffers the
    /// histogram: [`super::hist_buffer::HistogramBuffer`]).
    #[inline]
    pub fn record_totals(&mut self, r: &TrialResult) -> u64 {
        if let Some(runaway) = r.runaway {
            self.note_runaway(runaway);
        }
        let ns = latency_ns(r.latency);
        self.record_counted(
            r.outcome,
            r.deadline_missed,
            ns,
            cost_pusd(r.cost_usd),
            r.tokens,
        );
        ns
    }

    /// Records a trial (no runaway) from its parts already counted in the
    /// accumulator's units: its latency in nanoseconds ([`latency_ns`]), its
    /// cost in pico-dollars ([`cost_pusd`]). For a caller that knows a part
    /// without converting it each time (a lean world's first-attempt cost).
    #[inline(always)]
    pub fn record_counted(
        &mut self,
        outcome: TaskOutcome,
        deadline_missed: bool,
        ns: u64,
        pusd: u128,
        tokens: u64,
    ) {
        self.trials += 1;
        match outcome {
            TaskOutcome::Correct => self.correct += 1,
            TaskOutcome::Silent => self.silent += 1,
            TaskOutcome::Loud => self.loud += 1,
            TaskOutcome::Escalated => self.escalated += 1,
        }
        self.deadline_misses += u64::from(deadline_missed);
        self.latency_ns_sum += ns as u128;
        self.latency_ns_sq_sum.add_u128((ns as u128) * (ns as u128));
        self.cost_pusd_sum += pusd;
        self.tokens_sum += tokens as u128;
    }

    /// Adds another accumulator's totals into this one (order does not matter).
    pub fn merge(mut self, other: Accumulator) -> Accumulator {
        self.trials += other.trials;
        self.correct += other.correct;
        self.silent += other.silent;
        self.loud += other.loud;
        self.escalated += other.escalated;
        self.deadline_misses += other.deadline_misses;
        self.latency_ns_sum += other.latency_ns_sum;
        self.latency_ns_sq_sum.add(other.latency_ns_sq_sum);
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
        add_counts(&mut self.pass_all, &other.pass_all);
        add_counts(&mut self.pass_any, &other.pass_any);
        add_counts(&mut self.co_failures, &other.co_failures);
        self
    }
}

/// `mine += theirs`, element by element, growing `mine` as needed.
fn add_counts(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (m, t) in mine.iter_mut().zip(theirs) {
        *m += t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_rounding_matches_f64_round() {
        let reference = |x: f64| x.round().clamp(0.0, u64::MAX as f64) as u64;
        let mut values = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.4,
            -0.6,
            0.49999999999999994,
            4503599627370495.5,
            4503599627370496.0,
            9007199254740993.0,
            9.223372036854775e18,
            9.223372036854776e18,
            9.223372036854778e18,
            1e19,
            1.8446744073709552e19,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            1e-300,
        ];
        let mut z: u64 = 5;
        for i in 0..200_000u64 {
            z = crate::seed::mix(z, i);
            let scale = [1.0, 1e3, 1e9, 1e12, 1e18][(i % 5) as usize];
            values.push((z >> 11) as f64 / (1u64 << 53) as f64 * scale);
            values.push(f64::from_bits(z));
        }
        for x in values {
            assert_eq!(round_to_u64(x), reference(x), "x = {x:e}");
        }
    }
}
