//! A scenario checked against observed runs.
//!
//! For each task figure (outcome rates, latency quantiles, mean cost per
//! task) the simulation says where the figure of the `n` observed tasks
//! should fall if the scenario is right, at the chosen level: the
//! simulated value's own interval, widened by the sampling range of `n`
//! observed tasks (the rules are here, once: [`rate_range`],
//! [`quantile_range`], [`mean_range`]). An observed figure outside its
//! range is flagged. The observed tasks are taken as independent draws
//! (for a loaded run: sampled sparsely enough that the queue forgets
//! between them).
//!
//! [`trials`] simulates independent trials (a scenario without
//! `[workload]`), whose own intervals come from their count; [`loaded`]
//! simulates the replications of a loaded run, whose tasks share queues, so
//! that the simulated figures' own intervals come from the spread across
//! replications; it adds each pool's mean queue wait and the arrival rate.
//! [`nodes`] compares the scenario's per-node figures with the observed
//! ones; [`observed`] folds what the fit does not keep (queue waits per
//! node, root start times) from the spans.

pub mod loaded;
pub mod nodes;
pub mod observed;
pub mod trials;

use statrs::distribution::{ContinuousCDF, Normal};

pub use trials::{Simulated, compare, simulate};

/// Φ(x), the standard normal CDF.
pub fn phi(x: f64) -> f64 {
    Normal::standard().cdf(x)
}

/// One compared figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What it is.
    pub name: String,
    /// The observed value.
    pub observed: f64,
    /// The observed sample size.
    pub n: u64,
    /// The simulated value.
    pub simulated: f64,
    /// Where an observed value should fall.
    pub range: (f64, f64),
    /// Outside the range.
    pub flagged: bool,
}

/// A figure flagged when `observed` lies outside `range`.
pub fn figure(name: String, observed: f64, n: u64, simulated: f64, range: (f64, f64)) -> Figure {
    Figure {
        flagged: !(observed >= range.0 && observed <= range.1),
        name,
        observed,
        n,
        simulated,
        range,
    }
}

/// Where the rate of `n` observed tasks falls: the simulated rate `p`'s own
/// interval `own`, widened on each side by the binomial half-width
/// z √(p(1 − p)/n) of n tasks, within [0, 1].
pub fn rate_range(p: f64, own: (f64, f64), n: u64, z: f64) -> (f64, f64) {
    let half = z * (p * (1.0 - p) / n.max(1) as f64).sqrt();
    ((own.0 - half).max(0.0), (own.1 + half).min(1.0))
}

/// Where the q-quantile of `n` observed values falls: the simulated
/// quantiles (`quantile`) at q ∓ z √(q(1 − q)/n), the order-statistic
/// range, widened on each side by `own`, the simulated quantile's own
/// uncertainty (0 when the simulation's values are many and independent).
pub fn quantile_range(
    quantile: impl Fn(f64) -> f64,
    q: f64,
    n: u64,
    z: f64,
    own: f64,
) -> (f64, f64) {
    let half = z * (q * (1.0 - q) / n.max(1) as f64).sqrt();
    (
        (quantile((q - half).max(0.0)) - own).max(0.0),
        quantile((q + half).min(1.0)) + own,
    )
}

/// Where the mean of `m` observed values of standard deviation `sd` falls:
/// the simulated `mean` ± its own half-width `own` ± z·sd/√m, plus the
/// simulation's resolution (costs are summed in pico-dollars, and a sum of
/// m equal values in floating point is off by rounding); the figures so
/// compared (costs, waits) are at least 0.
pub fn mean_range(mean: f64, own: f64, sd: f64, m: u64, z: f64) -> (f64, f64) {
    let half = own + z * sd / (m.max(1) as f64).sqrt() + 1e-12 + 1e-9 * mean.abs();
    ((mean - half).max(0.0), mean + half)
}

/// The sample quantile of sorted values: the ⌈p·n⌉-th smallest.
pub use crate::trace::fit::report::sample_quantile as quantile;
