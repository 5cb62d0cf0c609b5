//! What one loaded replication measured, before averaging across replications.

use hdrhistogram::Histogram;

use super::Accumulator;
use super::timeavg::TimeIntegral;

/// Per-pool measurements over the measurement window.
#[derive(Debug, Clone)]
pub struct PoolFigures {
    /// Requests that arrived at the pool in the window.
    pub arrivals: u64,
    /// Of those, requests that reached a server (or a batch).
    pub admitted: u64,
    /// Of those, requests that had to wait at all.
    pub waited: u64,
    /// Sum of their waits in seconds.
    pub wait_sum: f64,
    /// Their waits in nanoseconds.
    pub waits_ns: Histogram<u64>,
    /// Requests turned away (rate limit or full queue with `reject`).
    pub rejected: u64,
    /// Requests whose caller timed out while they were queued or in service.
    pub abandoned: u64,
    /// Sum of time spent at the pool (queue + service) by requests that arrived in the window.
    pub sojourn_sum: f64,
    /// Number of sojourns summed.
    pub sojourns: u64,
    /// Busy servers (or iterating batch servers).
    pub busy: TimeIntegral,
    /// Requests waiting.
    pub queue: TimeIntegral,
    /// Requests at the pool: waiting or being served.
    pub system: TimeIntegral,
    /// Requests inside batches (batching pools).
    pub batched: TimeIntegral,
    /// Outages, degradation and breaker (pools that declare any).
    pub resilience: Option<ResilienceFigures>,
}

/// What a pool's outages, degradation and circuit breaker did in the window.
#[derive(Debug, Clone, Default)]
pub struct ResilienceFigures {
    /// Calls that reached the pool (refused, failed or let through).
    pub calls: u64,
    /// Calls failed at once because the pool was down (`while_down = "fail"`).
    pub failed_by_outage: u64,
    /// Calls served while degraded that failed loud by its `extra_loud`.
    pub failed_by_degradation: u64,
    /// Calls refused by the open (or half-open) breaker.
    pub refused_by_breaker: u64,
    /// Times the breaker opened.
    pub breaker_opened: u64,
    /// 1 while the pool is up.
    pub up: TimeIntegral,
    /// 1 while the pool is degraded (and up).
    pub degraded: TimeIntegral,
    /// 1 while the breaker is open.
    pub open: TimeIntegral,
}

impl ResilienceFigures {
    /// Closes the time integrals at `now`.
    pub fn advance(&mut self, now: f64, measuring: bool) {
        self.up.advance(now, measuring);
        self.degraded.advance(now, measuring);
        self.open.advance(now, measuring);
    }
}

impl PoolFigures {
    /// Empty figures.
    pub fn new() -> Self {
        PoolFigures {
            arrivals: 0,
            admitted: 0,
            waited: 0,
            wait_sum: 0.0,
            waits_ns: Histogram::new(super::hist_buffer::SIGNIFICANT_DIGITS)
                .expect("valid precision"),
            rejected: 0,
            abandoned: 0,
            sojourn_sum: 0.0,
            sojourns: 0,
            busy: TimeIntegral::default(),
            queue: TimeIntegral::default(),
            system: TimeIntegral::default(),
            batched: TimeIntegral::default(),
            resilience: None,
        }
    }

    /// Records a request reaching a server after waiting `wait` seconds.
    pub fn record_wait(&mut self, wait: f64) {
        let ns = self.record_wait_totals(wait);
        if self.waits_ns.record(ns).is_err() {
            self.waits_ns.saturating_record(ns);
        }
    }

    /// Records everything of a wait but its histogram entry, and returns
    /// the wait in nanoseconds (for a caller that buffers the histogram).
    #[inline]
    pub fn record_wait_totals(&mut self, wait: f64) -> u64 {
        self.admitted += 1;
        self.wait_sum += wait;
        if wait > 0.0 {
            self.waited += 1;
        }
        crate::stats::accumulator::round_to_u64(wait * 1e9)
    }
}

impl Default for PoolFigures {
    fn default() -> Self {
        Self::new()
    }
}

/// Per-link measurements over the measurement window.
#[derive(Debug, Clone, Default)]
pub struct LinkFigures {
    /// Transfers started in the window.
    pub transfers: u64,
    /// Bytes of those transfers.
    pub bytes: f64,
    /// Sum of the durations of the transfers started in the window.
    pub sojourn_sum: f64,
    /// Number of durations summed.
    pub sojourns: u64,
    /// Transfers in flight.
    pub active: TimeIntegral,
    /// 1 while any transfer is in flight.
    pub busy: TimeIntegral,
}

/// What one task class measured in one replication (runs with several
/// classes, or with load shedding).
#[derive(Debug, Clone)]
pub struct ClassFigures {
    /// Outcomes, latencies and costs of the class's measured (admitted) tasks.
    pub acc: Accumulator,
    /// Tasks of the class that arrived in the window: admitted or shed.
    pub arrivals: u64,
    /// Of those, tasks refused at arrival by the class's `shed` rule.
    pub shed: u64,
    /// Tasks of the class that finished in the window.
    pub completions: u64,
    /// Of those, correct ones.
    pub correct_completions: u64,
    /// Of those, per `[run] slo` threshold, the ones whose latency was at most it.
    pub correct_within_slo: Vec<u64>,
}

impl ClassFigures {
    /// Empty figures of a class whose graph has `exec_count` nodes + edges.
    pub fn new(exec_count: usize, slos: usize) -> Self {
        ClassFigures {
            acc: Accumulator::new(exec_count),
            arrivals: 0,
            shed: 0,
            completions: 0,
            correct_completions: 0,
            correct_within_slo: vec![0; slos],
        }
    }
}

/// Everything one replication of a loaded run measured.
#[derive(Debug, Clone)]
pub struct Replication {
    /// Outcomes, latencies and costs of the measured tasks.
    pub acc: Accumulator,
    /// Length of the measurement window in seconds.
    pub span: f64,
    /// Tasks started in the window.
    pub started: u64,
    /// Tasks (any) that finished in the window.
    pub completions: u64,
    /// Tasks that finished correct in the window.
    pub correct_completions: u64,
    /// Of those, per `[run] slo` threshold, the ones whose latency was at most it.
    pub correct_within_slo: Vec<u64>,
    /// Per pool, in model order.
    pub pools: Vec<PoolFigures>,
    /// Per link, in model order.
    pub links: Vec<LinkFigures>,
    /// Events processed.
    pub events: u64,
    /// Simulated seconds at the end.
    pub end_time: f64,
    /// Output tokens of the measured tasks; counted only when the scenario
    /// meters energy (for tokens per joule), 0 otherwise.
    pub output_tokens: u128,
    /// Set when the run was stopped because tasks piled up without bound.
    pub unstable: Option<String>,
    /// Per task class, in class order, when the run reports classes (several
    /// classes, or load shedding); empty otherwise. `acc` is then the classes'
    /// totals without per-node counters (each class has its own graph).
    pub classes: Vec<ClassFigures>,
}
