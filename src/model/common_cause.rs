//! Common causes of failure: steps that share a model, a provider or a data
//! source fail together.
//!
//! This is the shock form of the beta-factor model of reliability
//! engineering: once per task a cause is present with its probability, and
//! while it is present every attempt of every member step fails the same way
//! (a silent wrong answer or a loud error), retries and loop-backs included.
//! Members keep their own, independent failure rates besides.

use super::AttemptOutcome;

/// One common cause and the execs (nodes and edges) it strikes.
#[derive(Debug, Clone, PartialEq)]
pub struct CommonCause {
    /// The cause's name in the scenario (it keys the cause's random stream).
    pub name: String,
    /// Chance that the cause is present in a task.
    pub probability: f64,
    /// How a struck attempt ends: [`AttemptOutcome::Silent`] or [`AttemptOutcome::Loud`].
    pub effect: AttemptOutcome,
    /// The execs it strikes (node indices, then edge indices after the nodes).
    pub members: Vec<usize>,
}
