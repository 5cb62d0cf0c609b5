//! The figures of a pool's outages, degradation and circuit breaker in a
//! loaded run, across replications: availability over the measurement
//! window, the calls outages and degradation failed, and how often and how
//! long the breaker was open.

use serde::{Deserialize, Serialize};

use super::load::Estimate;
use super::replication::{Replication, ResilienceFigures};

/// What a pool's outages, degradation and breaker did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ResilienceSummary {
    /// Fraction of the window the pool was up (95% Student-t interval across
    /// replications, cut to [0, 1]).
    pub availability: Estimate,
    /// Fraction of the window the pool was degraded (and up).
    pub degraded_fraction: Estimate,
    /// Fraction of the window the breaker was open (`null` without a breaker).
    pub breaker_open_fraction: Option<Estimate>,
    /// Calls that reached the pool in the windows, all replications.
    pub calls: u64,
    /// Of those, failed at once because the pool was down.
    pub failed_by_outage: u64,
    /// Fraction of the calls failed by an outage (per replication, then averaged).
    pub p_failed_by_outage: Estimate,
    /// Calls served while degraded that failed loud by `extra_loud`.
    pub failed_by_degradation: u64,
    /// Calls refused by the breaker.
    pub refused_by_breaker: u64,
    /// Fraction of the calls refused by the breaker.
    pub p_refused_by_breaker: Estimate,
    /// Times the breaker opened.
    pub breaker_opened: u64,
}

impl ResilienceSummary {
    /// Combines pool `pool`'s figures of the replications; `None` for a pool
    /// without outages, degradation or breaker.
    pub fn new(reps: &[Replication], pool: usize, has_breaker: bool) -> Option<Self> {
        let figures: Vec<&ResilienceFigures> = reps
            .iter()
            .map(|r| r.pools[pool].resilience.as_ref())
            .collect::<Option<_>>()?;
        let spans: Vec<f64> = reps.iter().map(|r| r.span).collect();
        let time_fraction = |f: &dyn Fn(&ResilienceFigures) -> f64| {
            let values: Vec<f64> = figures
                .iter()
                .zip(&spans)
                .map(|(x, &span)| if span > 0.0 { f(x) / span } else { 0.0 })
                .collect();
            Estimate::within(&values, 1.0)
        };
        let call_fraction = |f: &dyn Fn(&ResilienceFigures) -> u64| {
            let values: Vec<f64> = figures
                .iter()
                .map(|x| {
                    if x.calls == 0 {
                        0.0
                    } else {
                        f(x) as f64 / x.calls as f64
                    }
                })
                .collect();
            Estimate::within(&values, 1.0)
        };
        let total = |f: &dyn Fn(&ResilienceFigures) -> u64| figures.iter().map(|x| f(x)).sum();
        Some(ResilienceSummary {
            availability: time_fraction(&|x| x.up.integral),
            degraded_fraction: time_fraction(&|x| x.degraded.integral),
            breaker_open_fraction: has_breaker.then(|| time_fraction(&|x| x.open.integral)),
            calls: total(&|x| x.calls),
            failed_by_outage: total(&|x| x.failed_by_outage),
            p_failed_by_outage: call_fraction(&|x| x.failed_by_outage),
            failed_by_degradation: total(&|x| x.failed_by_degradation),
            refused_by_breaker: total(&|x| x.refused_by_breaker),
            p_refused_by_breaker: call_fraction(&|x| x.refused_by_breaker),
            breaker_opened: total(&|x| x.breaker_opened),
        })
    }
}
