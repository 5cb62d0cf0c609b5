//! Largest figures a scenario may give: beyond them a result could not be
//! represented exactly (a sum of costs in pico-dollars, a latency in
//! nanoseconds) or the clock could no longer tell short latencies apart.
//!
//! Each check names its field and what is allowed; the checks of steps and
//! `[run]` call them, so that they apply to every scenario however it is read.

use super::problem::Problems;

/// Most US dollars one attempt of a step may cost (a billion): a task's cost
/// is summed over its attempts in pico-dollars, exactly.
pub const MAX_ATTEMPT_USD: f64 = 1e9;

/// Longest simulated time, in seconds (about 317 years): `[run] max_time_s`
/// at most, and the horizon of a loaded run. Latencies are summed in
/// nanoseconds in 64 bits (up to 1.8e10 s), and beyond it the clock, a
/// double, loses the precision of short steps.
pub const MAX_SIMULATED_S: f64 = 1e10;

/// Checks the cost of one attempt of a step (`field` is its `cost`).
pub fn attempt_cost(field: &str, usd: f64, p: &mut Problems) {
    if usd > MAX_ATTEMPT_USD {
        p.add(
            field,
            format!(
                "one attempt costs {usd:e} USD; allowed: at most {MAX_ATTEMPT_USD:e} USD per attempt \
                 (larger figures cannot be summed exactly), e.g. cost = {{ per_call = 0.002 }}"
            ),
        );
    }
}

/// Checks `[run] max_time_s`.
pub fn max_time_s(seconds: f64, p: &mut Problems) {
    if seconds.is_finite() && seconds > MAX_SIMULATED_S {
        p.add(
            "run.max_time_s",
            format!(
                "is {seconds:e}; allowed: at most {MAX_SIMULATED_S:e} s (longer latencies cannot \
                 be represented), e.g. max_time_s = 86400"
            ),
        );
    }
}
