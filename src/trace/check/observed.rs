//! What `check` reads from observed spans beyond what the fit keeps: each
//! node's queue waits (`coordsim.queue_wait_s`) and the root spans' start
//! times, folded in as the spans stream by (memory flat in the file).

use std::collections::{BTreeMap, BTreeSet};

use crate::trace::fit::observe::Mapping;
use crate::trace::observe::Observed;
use crate::trace::span::AttemptEnd;

/// Count, sum and square sum of values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// How many.
    pub n: u64,
    /// Their sum.
    pub sum: f64,
    /// Their square sum.
    pub sq: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sq += x * x;
    }

    /// The mean (0 of none).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// The standard deviation (with n − 1; 0 below two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        ((self.sq - self.sum * self.sum / n) / (n - 1.0))
            .max(0.0)
            .sqrt()
    }
}

/// Queue waits per node and the span of root start times.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    mapping: Mapping,
    /// Per node name: the waits of attempts that reached service (not
    /// timed out or abandoned, and not failed before service: a rejection,
    /// an outage, an open breaker, whose span is all wait).
    pub waits: BTreeMap<String, Moments>,
    /// Nodes with an attempt span that does not say its queue wait (spans
    /// from outside coordsim, as a rule): under load their spans' durations
    /// include queueing.
    pub unwaited: BTreeSet<String>,
    /// Root spans (tasks) seen.
    pub roots: u64,
    /// Earliest root start, nanoseconds.
    pub first_ns: u64,
    /// Latest root start, nanoseconds.
    pub last_ns: u64,
    /// Start (ns) and latency of the first [`KEPT_ROOTS`] root spans.
    pub kept: Vec<(u64, f64)>,
}

/// Root spans kept for the independence diagnostic.
pub const KEPT_ROOTS: usize = 20_000;

/// Whether the observed tasks look independent: the lag-1 autocorrelation
/// of their latencies in start order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Independence {
    /// Tasks (root spans) used, in start order.
    pub n: u64,
    /// The lag-1 autocorrelation r of their latencies.
    pub r: f64,
    /// Its range for independent tasks at the level, ±z/√n.
    pub range: (f64, f64),
    /// With r > 0: √((1 + r)/(1 − r)), the factor by which an AR(1)
    /// sequence with that r widens a mean's interval (1 for r ≤ 0).
    pub widening: f64,
}

impl Independence {
    /// r lies in the range independent tasks give.
    pub fn plausible(&self) -> bool {
        self.r >= self.range.0 && self.r <= self.range.1
    }
}

impl Observations {
    /// Empty, mapping spans to nodes by `mapping`.
    pub fn new(mapping: Mapping) -> Self {
        Observations {
            mapping,
            first_ns: u64::MAX,
            ..Default::default()
        }
    }

    /// Folds in one span.
    pub fn add(&mut self, o: &Observed) {
        if o.is_root() {
            self.roots += 1;
            self.first_ns = self.first_ns.min(o.start_ns);
            self.last_ns = self.last_ns.max(o.start_ns);
            if self.kept.len() < KEPT_ROOTS {
                self.kept.push((o.start_ns, o.seconds()));
            }
            return;
        }
        if o.backoff {
            return;
        }
        let Some(wait) = o.queue_wait else {
            if let Some(node) = self.mapping.node_of(o) {
                self.unwaited.insert(node);
            }
            return;
        };
        if matches!(o.attempt_end(), AttemptEnd::Timeout | AttemptEnd::Abandoned) {
            return;
        }
        // The whole span is the wait when service never started.
        if o.error && wait >= o.seconds() - 1e-9 {
            return;
        }
        let Some(node) = self.mapping.node_of(o) else {
            return;
        };
        self.waits.entry(node).or_default().add(wait.max(0.0));
    }

    /// Seconds from the first root start to the last.
    pub fn window_s(&self) -> f64 {
        self.last_ns.saturating_sub(self.first_ns) as f64 * 1e-9
    }
}

impl Observations {
    /// The independence diagnostic at z, from at least 10 root spans.
    pub fn independence(&self, z: f64) -> Option<Independence> {
        let mut kept = self.kept.clone();
        if kept.len() < 10 {
            return None;
        }
        kept.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let n = kept.len() as f64;
        let mean = kept.iter().map(|k| k.1).sum::<f64>() / n;
        let var: f64 = kept.iter().map(|k| (k.1 - mean).powi(2)).sum();
        if var <= 0.0 || !var.is_finite() {
            return None;
        }
        let cov: f64 = kept
            .windows(2)
            .map(|w| (w[0].1 - mean) * (w[1].1 - mean))
            .sum();
        let r = cov / var;
        let half = z / n.sqrt();
        Some(Independence {
            n: kept.len() as u64,
            r,
            range: (-half, half),
            widening: if r > 0.0 && r < 1.0 {
                ((1.0 + r) / (1.0 - r)).sqrt()
            } else {
                1.0
            },
        })
    }
}
