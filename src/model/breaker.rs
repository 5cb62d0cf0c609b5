//! The circuit breaker in front of a pool: after `failures` loud failures
//! (timeouts included) of calls to the pool within `window` seconds it
//! opens, and calls fail fast (loud, no pool use, no cost) for `cooldown`
//! seconds; then it is half-open and lets `probes` calls through: if they
//! all succeed it closes, and the first that fails opens it again.
//!
//! [`BreakerState`] is pure state driven by the caller's clock, shared by the
//! loaded world (one per pool, for every task) and independent trials (one
//! per task).

use std::collections::VecDeque;

/// A breaker's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breaker {
    /// Loud failures within `window` that open it (≥ 1).
    pub failures: u32,
    /// Seconds over which failures are counted (> 0).
    pub window: f64,
    /// Seconds it stays open before letting probes through (> 0).
    pub cooldown: f64,
    /// Calls let through while half-open (≥ 1).
    pub probes: u32,
}

/// Whether a call may go on to the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Closed: the call goes through.
    Pass,
    /// Half-open: the call goes through as a probe.
    Probe,
    /// Open (or half-open with its probes out): the call fails fast.
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Closed,
    Open { until: f64 },
    HalfOpen { sent: u32, succeeded: u32 },
}

/// The live state of one breaker.
#[derive(Debug, Clone)]
pub struct BreakerState {
    settings: Breaker,
    phase: Phase,
    /// Times of the loud failures within the window (closed phase).
    failures: VecDeque<f64>,
}

impl BreakerState {
    /// A closed breaker.
    pub fn new(settings: Breaker) -> Self {
        BreakerState {
            settings,
            phase: Phase::Closed,
            failures: VecDeque::new(),
        }
    }

    /// True while open (calls refused during the cool-down).
    pub fn is_open(&self, now: f64) -> bool {
        matches!(self.phase, Phase::Open { until } if now < until)
    }

    /// When the current cool-down ends, if open.
    pub fn open_until(&self) -> Option<f64> {
        match self.phase {
            Phase::Open { until } => Some(until),
            _ => None,
        }
    }

    /// Decides about a call made at `now`.
    pub fn admit(&mut self, now: f64) -> Admission {
        if let Phase::Open { until } = self.phase {
            if now < until {
                return Admission::Refuse;
            }
            self.phase = Phase::HalfOpen {
                sent: 0,
                succeeded: 0,
            };
        }
        match &mut self.phase {
            Phase::Closed => Admission::Pass,
            Phase::HalfOpen { sent, .. } if *sent < self.settings.probes => {
                *sent += 1;
                Admission::Probe
            }
            _ => Admission::Refuse,
        }
    }

    /// Records how a call let through at `admission` ended at `now` (failed:
    /// loud or timed out). Returns true when this opened the breaker.
    pub fn record(&mut self, now: f64, admission: Admission, failed: bool) -> bool {
        match (self.phase, admission) {
            (Phase::HalfOpen { sent, succeeded }, Admission::Probe) => {
                if failed {
                    self.open(now);
                    return true;
                }
                let succeeded = succeeded + 1;
                self.phase = if succeeded >= self.settings.probes {
                    self.failures.clear();
                    Phase::Closed
                } else {
                    Phase::HalfOpen { sent, succeeded }
                };
                false
            }
            (Phase::Closed, Admission::Pass) if failed => {
                self.failures.push_back(now);
                while self
                    .failures
                    .front()
                    .is_some_and(|&t| t <= now - self.settings.window)
                {
                    self.failures.pop_front();
                }
                if self.failures.len() >= self.settings.failures as usize {
                    self.open(now);
                    return true;
                }
                false
            }
            // Calls let through before the breaker last changed phase: their
            // outcome says nothing about the pool since.
            _ => false,
        }
    }

    fn open(&mut self, now: f64) {
        self.failures.clear();
        self.phase = Phase::Open {
            until: now + self.settings.cooldown,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> BreakerState {
        BreakerState::new(Breaker {
            failures: 3,
            window: 10.0,
            cooldown: 30.0,
            probes: 2,
        })
    }

    #[test]
    fn opens_after_n_failures_within_the_window_only() {
        let mut b = breaker();
        assert!(!b.record(0.0, Admission::Pass, true));
        assert!(!b.record(5.0, Admission::Pass, true));
        assert!(!b.record(10.0, Admission::Pass, true)); // the one at 0 has left the window
        assert!(b.record(12.0, Admission::Pass, true));
        assert!(b.is_open(41.9));
        assert_eq!(b.admit(41.9), Admission::Refuse);
    }

    #[test]
    fn half_open_probes_close_or_reopen_it() {
        let mut b = breaker();
        for t in [0.0, 1.0, 2.0] {
            b.record(t, Admission::Pass, true);
        }
        assert_eq!(b.admit(32.0), Admission::Probe);
        assert_eq!(b.admit(32.0), Admission::Probe);
        assert_eq!(b.admit(32.0), Admission::Refuse); // its probes are out
        assert!(!b.record(33.0, Admission::Probe, false));
        assert_eq!(b.admit(33.0), Admission::Refuse);
        assert!(!b.record(34.0, Admission::Probe, false));
        assert_eq!(b.admit(34.0), Admission::Pass); // closed again
        for t in [40.0, 41.0, 42.0] {
            b.record(t, Admission::Pass, true);
        }
        assert_eq!(b.admit(72.0), Admission::Probe);
        assert!(b.record(73.0, Admission::Probe, true)); // a failed probe reopens it
        assert_eq!(b.open_until(), Some(103.0));
    }
}
