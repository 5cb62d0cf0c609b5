//! Serialisable forms of a slice's exact state, for partial result files.
//!
//! Integers stay integers (sums beyond 64 bits as decimal strings), floating
//! point figures of replications are written as their IEEE-754 bit patterns
//! (`"0x3fe0000000000000"`) so that they read back bit for bit, and histograms
//! as their non-empty buckets (`[value, count]`), which restore the same
//! counts, quantiles and maximum.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::sim::Tally;
use crate::stats::Accumulator;
use crate::stats::replication::{
    ClassFigures, LinkFigures, PoolFigures, Replication, ResilienceFigures,
};
use crate::stats::timeavg::TimeIntegral;
use crate::task::ExecCounters;

/// A slice's tally: trial totals, or replications in order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum TallyWire {
    /// Totals of independent trials.
    Trials(Box<AccumulatorWire>),
    /// Replications of a loaded run.
    Replications(Vec<ReplicationWire>),
}

impl TallyWire {
    /// The serialisable form of `tally`.
    pub fn from_tally(tally: &Tally) -> Self {
        match tally {
            Tally::Trials(acc) => TallyWire::Trials(Box::new(AccumulatorWire::from_acc(acc))),
            Tally::Replications(reps) => {
                TallyWire::Replications(reps.iter().map(ReplicationWire::from_rep).collect())
            }
        }
    }

    /// The tally back; fails on counts a histogram cannot hold or bad numbers.
    pub fn to_tally(&self) -> Result<Tally, String> {
        Ok(match self {
            TallyWire::Trials(a) => Tally::Trials(Box::new(a.to_acc()?)),
            TallyWire::Replications(reps) => Tally::Replications(
                reps.iter()
                    .map(ReplicationWire::to_rep)
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

/// An [`Accumulator`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AccumulatorWire {
    /// Trials seen.
    pub trials: u64,
    /// Correct outcomes.
    pub correct: u64,
    /// Silent failures.
    pub silent: u64,
    /// Loud failures.
    pub loud: u64,
    /// Escalations.
    pub escalated: u64,
    /// Deadline misses (`[run] deadline_s` only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub deadline_misses: u64,
    /// Sum of latencies, ns (decimal).
    pub latency_ns_sum: String,
    /// Sum of squared latencies, ns² (decimal).
    pub latency_ns_sq_sum: String,
    /// Latency histogram, ns.
    pub latency_ns: HistogramWire,
    /// Sum of costs, pico-dollars (decimal).
    pub cost_pusd_sum: String,
    /// Sum of tokens (decimal).
    pub tokens_sum: String,
    /// Per node and edge counters.
    pub execs: Vec<ExecCounters>,
    /// pass^k counts (runs of every task > 1 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_all: Vec<u64>,
    /// pass@k counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass_any: Vec<u64>,
    /// Pair failure counts (`[run] failure_correlation` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_failures: Vec<u64>,
}

impl AccumulatorWire {
    /// The serialisable form of `a`.
    pub fn from_acc(a: &Accumulator) -> Self {
        AccumulatorWire {
            trials: a.trials,
            correct: a.correct,
            silent: a.silent,
            loud: a.loud,
            escalated: a.escalated,
            deadline_misses: a.deadline_misses,
            latency_ns_sum: a.latency_ns_sum.to_string(),
            latency_ns_sq_sum: a.latency_ns_sq_sum.to_string(),
            latency_ns: HistogramWire::from_hist(&a.latency_ns),
            cost_pusd_sum: a.cost_pusd_sum.to_string(),
            tokens_sum: a.tokens_sum.to_string(),
            execs: a.execs.clone(),
            pass_all: a.pass_all.clone(),
            pass_any: a.pass_any.clone(),
            co_failures: a.co_failures.clone(),
        }
    }

    /// The accumulator back.
    pub fn to_acc(&self) -> Result<Accumulator, String> {
        let big = |name: &str, s: &str| {
            s.parse::<u128>()
                .map_err(|_| format!("{name} is not a whole number: {s:?}"))
        };
        let mut a = Accumulator::new(self.execs.len());
        a.trials = self.trials;
        a.correct = self.correct;
        a.silent = self.silent;
        a.loud = self.loud;
        a.escalated = self.escalated;
        a.deadline_misses = self.deadline_misses;
        a.latency_ns_sum = big("latency_ns_sum", &self.latency_ns_sum)?;
        a.latency_ns_sq_sum = self
            .latency_ns_sq_sum
            .parse()
            .map_err(|e| format!("latency_ns_sq_sum: {e}"))?;
        a.latency_ns = self.latency_ns.to_hist()?;
        a.cost_pusd_sum = big("cost_pusd_sum", &self.cost_pusd_sum)?;
        a.tokens_sum = big("tokens_sum", &self.tokens_sum)?;
        a.execs = self.execs.clone();
        a.pass_all = self.pass_all.clone();
        a.pass_any = self.pass_any.clone();
        a.co_failures = self.co_failures.clone();
        Ok(a)
    }
}

/// An HDR histogram (3 significant digits) as its non-empty buckets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistogramWire {
    /// `[highest value of the bucket, count]`, in increasing value.
    pub buckets: Vec<[u64; 2]>,
}

impl HistogramWire {
    /// The buckets of `h`.
    pub fn from_hist(h: &Histogram<u64>) -> Self {
        HistogramWire {
            buckets: h
                .iter_recorded()
                .map(|v| [v.value_iterated_to(), v.count_at_value()])
                .collect(),
        }
    }

    /// A histogram with the same buckets.
    pub fn to_hist(&self) -> Result<Histogram<u64>, String> {
        let mut h = Histogram::<u64>::new(3).expect("valid histogram precision");
        let mut last = None;
        for &[value, count] in &self.buckets {
            // As written: non-empty buckets in increasing order, each once.
            if count == 0 || last.is_some_and(|l| value <= l) {
                return Err(format!(
                    "histogram bucket {value}: empty, repeated or out of order"
                ));
            }
            last = Some(value);
            h.record_n(value, count)
                .map_err(|e| format!("histogram bucket {value}: {e:?}"))?;
        }
        Ok(h)
    }
}

/// `f64` as the hex string of its bits, for exact round trips.
mod bits {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:#018x}", x.to_bits()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let text = String::deserialize(d)?;
        let hex = text.strip_prefix("0x").unwrap_or(&text);
        u64::from_str_radix(hex, 16)
            .map(f64::from_bits)
            .map_err(|_| serde::de::Error::custom(format!("not an f64 bit pattern: {text:?}")))
    }
}

/// A [`TimeIntegral`]: value, time of last change, integral (as bits).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct TimeIntegralWire(
    #[serde(with = "bits")] f64,
    #[serde(with = "bits")] f64,
    #[serde(with = "bits")] f64,
);

impl From<&TimeIntegral> for TimeIntegralWire {
    fn from(t: &TimeIntegral) -> Self {
        let [a, b, c] = t.parts();
        TimeIntegralWire(a, b, c)
    }
}

impl From<TimeIntegralWire> for TimeIntegral {
    fn from(t: TimeIntegralWire) -> Self {
        TimeIntegral::from_parts([t.0, t.1, t.2])
    }
}

/// [`PoolFigures`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[allow(missing_docs)]
pub struct PoolWire {
    pub arrivals: u64,
    pub admitted: u64,
    pub waited: u64,
    #[serde(with = "bits")]
    pub wait_sum: f64,
    pub waits_ns: HistogramWire,
    pub rejected: u64,
    pub abandoned: u64,
    #[serde(with = "bits")]
    pub sojourn_sum: f64,
    pub sojourns: u64,
    pub busy: TimeIntegralWire,
    pub queue: TimeIntegralWire,
    pub system: TimeIntegralWire,
    pub batched: TimeIntegralWire,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resilience: Option<ResilienceWire>,
}

/// [`ResilienceFigures`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[allow(missing_docs)]
pub struct ResilienceWire {
    pub calls: u64,
    pub failed_by_outage: u64,
    pub failed_by_degradation: u64,
    pub refused_by_breaker: u64,
    pub breaker_opened: u64,
    pub up: TimeIntegralWire,
    pub degraded: TimeIntegralWire,
    pub open: TimeIntegralWire,
}

impl ResilienceWire {
    fn from_figures(r: &ResilienceFigures) -> Self {
        ResilienceWire {
            calls: r.calls,
            failed_by_outage: r.failed_by_outage,
            failed_by_degradation: r.failed_by_degradation,
            refused_by_breaker: r.refused_by_breaker,
            breaker_opened: r.breaker_opened,
            up: (&r.up).into(),
            degraded: (&r.degraded).into(),
            open: (&r.open).into(),
        }
    }

    fn to_figures(&self) -> ResilienceFigures {
        ResilienceFigures {
            calls: self.calls,
            failed_by_outage: self.failed_by_outage,
            failed_by_degradation: self.failed_by_degradation,
            refused_by_breaker: self.refused_by_breaker,
            breaker_opened: self.breaker_opened,
            up: self.up.into(),
            degraded: self.degraded.into(),
            open: self.open.into(),
        }
    }
}

impl PoolWire {
    fn from_figures(p: &PoolFigures) -> Self {
        PoolWire {
            arrivals: p.arrivals,
            admitted: p.admitted,
            waited: p.waited,
            wait_sum: p.wait_sum,
            waits_ns: HistogramWire::from_hist(&p.waits_ns),
            rejected: p.rejected,
            abandoned: p.abandoned,
            sojourn_sum: p.sojourn_sum,
            sojourns: p.sojourns,
            busy: (&p.busy).into(),
            queue: (&p.queue).into(),
            system: (&p.system).into(),
            batched: (&p.batched).into(),
            resilience: p.resilience.as_ref().map(ResilienceWire::from_figures),
        }
    }

    fn to_figures(&self) -> Result<PoolFigures, String> {
        Ok(PoolFigures {
            arrivals: self.arrivals,
            admitted: self.admitted,
            waited: self.waited,
            wait_sum: self.wait_sum,
            waits_ns: self.waits_ns.to_hist()?,
            rejected: self.rejected,
            abandoned: self.abandoned,
            sojourn_sum: self.sojourn_sum,
            sojourns: self.sojourns,
            busy: self.busy.into(),
            queue: self.queue.into(),
            system: self.system.into(),
            batched: self.batched.into(),
            resilience: self.resilience.as_ref().map(ResilienceWire::to_figures),
        })
    }
}

/// [`LinkFigures`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[allow(missing_docs)]
pub struct LinkWire {
    pub transfers: u64,
    #[serde(with = "bits")]
    pub bytes: f64,
    #[serde(with = "bits")]
    pub sojourn_sum: f64,
    pub sojourns: u64,
    pub active: TimeIntegralWire,
    pub busy: TimeIntegralWire,
}

/// A [`Replication`] (always a stable one: an unstable run writes no partial).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[allow(missing_docs)]
pub struct ReplicationWire {
    pub acc: AccumulatorWire,
    #[serde(with = "bits")]
    pub span: f64,
    pub started: u64,
    pub completions: u64,
    pub correct_completions: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correct_within_slo: Vec<u64>,
    pub pools: Vec<PoolWire>,
    pub links: Vec<LinkWire>,
    pub events: u64,
    #[serde(with = "bits")]
    pub end_time: f64,
    /// Output tokens of the measured tasks (a whole number), written only
    /// when the scenario meters energy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<String>,
    /// Per task class (runs with several classes or with load shedding only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<ClassWire>,
}

/// A [`ClassFigures`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[allow(missing_docs)]
pub struct ClassWire {
    pub acc: AccumulatorWire,
    pub arrivals: u64,
    pub shed: u64,
    pub completions: u64,
    pub correct_completions: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub correct_within_slo: Vec<u64>,
}

impl ReplicationWire {
    /// The serialisable form of `r`.
    pub fn from_rep(r: &Replication) -> Self {
        ReplicationWire {
            acc: AccumulatorWire::from_acc(&r.acc),
            span: r.span,
            started: r.started,
            completions: r.completions,
            correct_completions: r.correct_completions,
            correct_within_slo: r.correct_within_slo.clone(),
            pools: r.pools.iter().map(PoolWire::from_figures).collect(),
            links: r
                .links
                .iter()
                .map(|l| LinkWire {
                    transfers: l.transfers,
                    bytes: l.bytes,
                    sojourn_sum: l.sojourn_sum,
                    sojourns: l.sojourns,
                    active: (&l.active).into(),
                    busy: (&l.busy).into(),
                })
                .collect(),
            events: r.events,
            end_time: r.end_time,
            output_tokens: (r.output_tokens > 0).then(|| r.output_tokens.to_string()),
            classes: r
                .classes
                .iter()
                .map(|c| ClassWire {
                    acc: AccumulatorWire::from_acc(&c.acc),
                    arrivals: c.arrivals,
                    shed: c.shed,
                    completions: c.completions,
                    correct_completions: c.correct_completions,
                    correct_within_slo: c.correct_within_slo.clone(),
                })
                .collect(),
        }
    }

    /// The replication back.
    pub fn to_rep(&self) -> Result<Replication, String> {
        Ok(Replication {
            acc: self.acc.to_acc()?,
            span: self.span,
            started: self.started,
            completions: self.completions,
            correct_completions: self.correct_completions,
            correct_within_slo: self.correct_within_slo.clone(),
            pools: self
                .pools
                .iter()
                .map(PoolWire::to_figures)
                .collect::<Result<_, _>>()?,
            links: self
                .links
                .iter()
                .map(|l| LinkFigures {
                    transfers: l.transfers,
                    bytes: l.bytes,
                    sojourn_sum: l.sojourn_sum,
                    sojourns: l.sojourns,
                    active: l.active.into(),
                    busy: l.busy.into(),
                })
                .collect(),
            events: self.events,
            end_time: self.end_time,
            output_tokens: match &self.output_tokens {
                None => 0,
                Some(s) => s
                    .parse::<u128>()
                    .map_err(|_| format!("output_tokens is not a whole number: {s:?}"))?,
            },
            unstable: None,
            classes: self
                .classes
                .iter()
                .map(|c| {
                    Ok(ClassFigures {
                        acc: c.acc.to_acc()?,
                        arrivals: c.arrivals,
                        shed: c.shed,
                        completions: c.completions,
                        correct_completions: c.correct_completions,
                        correct_within_slo: c.correct_within_slo.clone(),
                    })
                })
                .collect::<Result<_, String>>()?,
        })
    }
}

/// For `skip_serializing_if`: a count a run without deadlines never sets.
fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_round_trip_with_the_same_figures() {
        let mut h = Histogram::<u64>::new(3).unwrap();
        let mut x: u64 = 12345;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            h.record((x >> 20) % 5_000_000_000).unwrap();
        }
        let wire = HistogramWire::from_hist(&h);
        let json = serde_json::to_string(&wire).unwrap();
        let back: HistogramWire = serde_json::from_str(&json).unwrap();
        let g = back.to_hist().unwrap();
        assert_eq!(g.len(), h.len());
        assert_eq!(g.max(), h.max());
        assert_eq!(g.min(), h.min());
        for q in [0.0, 0.01, 0.5, 0.95, 0.99, 0.999, 1.0] {
            assert_eq!(g.value_at_quantile(q), h.value_at_quantile(q), "q = {q}");
        }
    }

    #[test]
    fn floats_round_trip_bit_for_bit() {
        let t = TimeIntegral::from_parts([0.1 + 0.2, f64::MIN_POSITIVE, 1e300 / 7.0]);
        let json = serde_json::to_string(&TimeIntegralWire::from(&t)).unwrap();
        let back: TimeIntegralWire = serde_json::from_str(&json).unwrap();
        assert_eq!(
            TimeIntegral::from(back).parts().map(f64::to_bits),
            t.parts().map(f64::to_bits)
        );
    }
}
