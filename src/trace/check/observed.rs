//! What `check` reads from observed spans beyond what the fit keeps: each
//! node's queue waits (`coordsim.queue_wait_s`) and the root spans' start
//! times, folded in as the spans stream by (memory flat in the file).

use std::collections::BTreeMap;

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
    /// Root spans (tasks) seen.
    pub roots: u64,
    /// Earliest root start, nanoseconds.
    pub first_ns: u64,
    /// Latest root start, nanoseconds.
    pub last_ns: u64,
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
            return;
        }
        let Some(wait) = o.queue_wait else { return };
        if o.backoff || matches!(o.attempt_end(), AttemptEnd::Timeout | AttemptEnd::Abandoned) {
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
