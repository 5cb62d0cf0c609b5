//! Checks that the numbers of a partial result are those a simulation could
//! have produced, before they are merged: outcomes sum to the trials, the
//! latency histogram holds one value per trial and agrees with the sums, no
//! counter contradicts another, every float is finite, and the partials
//! together do not count past 64 bits. A damaged or edited file is refused
//! instead of merging into figures such as a P(correct) above 1.
//!
//! The checksum ([`super::Partial::checksum`]) catches any change to a file;
//! these checks catch what an edit that also rewrote the checksum can break.

use crate::stats::Accumulator;
use crate::stats::replication::Replication;
use crate::task::ExecCounters;

/// Relative slack for comparisons made in floating point.
const SLACK: f64 = 1e-9;

/// Checks the totals of a set of independent trials against each other.
pub fn check_trials(acc: &Accumulator) -> Result<(), String> {
    let n = acc.trials;
    let outcomes = [acc.correct, acc.silent, acc.loud, acc.escalated]
        .iter()
        .map(|&c| c as u128)
        .sum::<u128>();
    if outcomes != n as u128 {
        return Err(format!(
            "its outcomes (correct {}, silent {}, loud {}, escalated {}) sum to {outcomes}, \
             not to its {n} trials",
            acc.correct, acc.silent, acc.loud, acc.escalated
        ));
    }
    let h = &acc.latency_ns;
    if h.len() != n {
        return Err(format!(
            "its latency histogram holds {} values for {n} trials",
            h.len()
        ));
    }
    // Each latency lies in its histogram bucket, so the sums lie between the
    // sums of the buckets' lowest and highest values: counts moved between
    // buckets (or sums edited) show here.
    let (mut lo, mut hi) = (0u128, 0u128);
    let (mut lo_sq, mut hi_sq) = (0f64, 0f64);
    for v in h.iter_recorded() {
        let count = v.count_at_value() as u128;
        let top = v.value_iterated_to();
        let bottom = h.lowest_equivalent(top);
        lo = lo.saturating_add(count.saturating_mul(bottom as u128));
        hi = hi.saturating_add(count.saturating_mul(top as u128));
        lo_sq += count as f64 * (bottom as f64).powi(2);
        hi_sq += count as f64 * (top as f64).powi(2);
    }
    let sum = acc.latency_ns_sum;
    if sum < lo || sum > hi {
        return Err(format!(
            "its latency sum {sum} ns does not fit its latency histogram (between {lo} and {hi} ns)"
        ));
    }
    let sq = acc.latency_ns_sq_sum.to_f64();
    if sq < lo_sq * (1.0 - SLACK) || sq > hi_sq * (1.0 + SLACK) {
        return Err(format!(
            "its sum of squared latencies {} ns² does not fit its latency histogram",
            acc.latency_ns_sq_sum
        ));
    }
    if acc.deadline_misses > acc.loud {
        return Err(format!(
            "its deadline misses ({}) exceed its loud failures ({})",
            acc.deadline_misses, acc.loud
        ));
    }
    for (i, c) in acc.execs.iter().enumerate() {
        check_counters(c, n).map_err(|e| format!("node or edge {}: {e}", i + 1))?;
    }
    Ok(())
}

/// Checks one node's (or edge's) counters against each other and the trials.
fn check_counters(c: &ExecCounters, trials: u64) -> Result<(), String> {
    // A cache hit answers (right or stale) without an attempt.
    let answers = c.attempts as u128 + c.cache_hits as u128;
    let rules = [
        (
            c.silent as u128 + c.loud as u128 <= answers,
            "silent + loud failures exceed its attempts and cache hits",
        ),
        (
            c.deadline <= c.loud,
            "deadline abandonments exceed its loud failures",
        ),
        (c.timeouts <= c.loud, "timeouts exceed its loud failures"),
        (
            c.silent as u128 + c.loud as u128 + c.cancelled as u128 <= answers,
            "silent + loud failures + cancelled attempts exceed its attempts and cache hits",
        ),
        (
            c.exhausted <= c.loud,
            "exhaustions exceed its loud failures",
        ),
        (
            c.silent_reached_user <= trials,
            "silent failures that reached the user exceed the trials",
        ),
    ];
    match rules.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!("{what} ({c:?})")),
        None => Ok(()),
    }
}

/// Checks one replication of a loaded run: its tasks as [`check_trials`],
/// and its resource figures.
pub fn check_replication(r: &Replication) -> Result<(), String> {
    check_trials(&r.acc)?;
    let mut floats = vec![("span", r.span), ("end_time", r.end_time)];
    if let Some(n) = r
        .correct_within_slo
        .iter()
        .find(|&&n| n > r.correct_completions)
    {
        return Err(format!(
            "{n} correct completions within an SLO of {} correct completions",
            r.correct_completions
        ));
    }
    if r.correct_completions > r.completions {
        return Err(format!(
            "{} correct completions of {} completions",
            r.correct_completions, r.completions
        ));
    }
    for (i, p) in r.pools.iter().enumerate() {
        if p.waited > p.admitted || p.waits_ns.len() != p.admitted {
            return Err(format!(
                "pool {}: {} waited and {} waits recorded for {} admitted requests",
                i + 1,
                p.waited,
                p.waits_ns.len(),
                p.admitted
            ));
        }
        floats.extend([("wait_sum", p.wait_sum), ("sojourn_sum", p.sojourn_sum)]);
        for t in [&p.busy, &p.queue, &p.system, &p.batched] {
            floats.extend(t.parts().map(|x| ("time integral", x.abs())));
        }
    }
    for l in &r.links {
        floats.extend([("bytes", l.bytes), ("sojourn_sum", l.sojourn_sum)]);
        for t in [&l.active, &l.busy] {
            floats.extend(t.parts().map(|x| ("time integral", x.abs())));
        }
    }
    match floats.iter().find(|(_, x)| !(x.is_finite() && *x >= 0.0)) {
        Some((what, x)) => Err(format!("{what} is {x}; a finite number >= 0 was expected")),
        None => Ok(()),
    }
}

/// Running totals of every counter over the partials of one point, to refuse
/// partials that together count past what a summary can hold.
#[derive(Debug, Default)]
pub struct Totals {
    counts: Vec<u128>,
    sums: [u128; 3],
}

impl Totals {
    /// Adds `acc`'s counters; fails when one no longer fits 64 bits (or a
    /// sum 128 bits).
    pub fn add(&mut self, acc: &Accumulator) -> Result<(), String> {
        let mut counts = vec![acc.trials, acc.correct, acc.silent, acc.loud, acc.escalated];
        for c in &acc.execs {
            counts.extend([
                c.attempts,
                c.loud,
                c.timeouts,
                c.exhausted,
                c.silent,
                c.silent_reached_user,
                c.caught,
                c.false_alarms,
                c.missed,
                c.loops,
                c.gate_exhausted,
            ]);
        }
        self.counts.resize(self.counts.len().max(counts.len()), 0);
        for (total, c) in self.counts.iter_mut().zip(counts) {
            *total += c as u128;
            if *total > u64::MAX as u128 {
                return Err(
                    "its counters and those of the partials before it add up past \
                            2^64 (damaged files)"
                        .into(),
                );
            }
        }
        for (total, s) in
            self.sums
                .iter_mut()
                .zip([acc.latency_ns_sum, acc.cost_pusd_sum, acc.tokens_sum])
        {
            *total = total.checked_add(s).ok_or(
                "its sums and those of the partials before it add up past 2^128 (damaged files)",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{TaskOutcome, TrialResult};

    fn acc() -> Accumulator {
        let mut a = Accumulator::new(1);
        for i in 0..10 {
            let r = TrialResult {
                outcome: if i < 7 {
                    TaskOutcome::Correct
                } else {
                    TaskOutcome::Silent
                },
                latency: 0.5 + i as f64,
                cost_usd: 0.01,
                tokens: 10,
                output_tokens: 0,
                silent_origin: None,
                deadline_missed: false,
                runaway: None,
            };
            a.record(&r);
        }
        a.execs[0].attempts = 12;
        a.execs[0].loud = 2;
        a.execs[0].silent = 3;
        a
    }

    #[test]
    fn consistent_totals_pass_and_edited_ones_do_not() {
        assert_eq!(check_trials(&acc()), Ok(()));
        let mut a = acc();
        a.correct += 3;
        assert!(check_trials(&a).unwrap_err().contains("sum to 13"));
        let mut a = acc();
        a.latency_ns = hdrhistogram::Histogram::new(3).unwrap();
        assert!(check_trials(&a).unwrap_err().contains("histogram"));
        let mut a = acc();
        a.latency_ns_sum *= 100;
        assert!(check_trials(&a).unwrap_err().contains("latency sum"));
        let mut a = acc();
        a.execs[0].timeouts = 5;
        assert!(check_trials(&a).unwrap_err().contains("timeouts"));
    }

    #[test]
    fn totals_past_64_bits_are_refused() {
        let mut t = Totals::default();
        let mut a = acc();
        a.execs[0].attempts = u64::MAX - 5;
        t.add(&a).unwrap();
        assert!(t.add(&a).unwrap_err().contains("2^64"));
    }
}
