//! Step patterns: what a platform puts between a task and its providers.
//!
//! A step may have a *fallback* (another step called once its own attempts
//! are exhausted), a *hedge* (a second copy of an attempt sent when the first
//! has not answered after a delay, the first answer winning) and a *cache*
//! (a lookup in front of the step that, on a hit, answers without calling
//! it). The task-level deadline lives on [`super::Model::deadline`]. Each is
//! off unless the scenario names it, and then draws only from streams of its
//! own (`seed.rs`), so a model without them runs exactly as before.

use super::latency::Latency;

/// `hedge = { after, cancel }`: a second copy of an attempt still running
/// after `after` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hedge {
    /// Seconds after the attempt began at which the copy is sent (a
    /// quantile such as `"p95"` is resolved to seconds when compiled).
    pub after: f64,
    /// Whether the copy that loses is cancelled when the winner answers: a
    /// cancelled copy is not billed, and a pool that cancels abandoned
    /// requests (`cancel_on_timeout`) frees its server at once.
    pub cancel: bool,
}

/// `cache = { hit, stale, latency }`: a lookup in front of the step.
#[derive(Debug, Clone)]
pub struct Cache {
    /// P(the step's answer is served from the cache), per execution.
    pub hit: f64,
    /// P(a served answer is out of date: a silent corruption), per hit.
    pub stale: f64,
    /// Time a lookup takes, hit or miss (a miss then calls the step).
    pub latency: Latency,
}
