//! Loaded runs that could never advance the simulated clock: a closed
//! workload whose tasks and think time all take zero seconds starts task
//! after task at t = 0, and a duration window would never end.
//!
//! What can be decided from the scenario is refused here; the loaded world
//! stops a run whose clock stands still at run time (see `world::sim`).

use super::compile::Scenario;
use super::problem::Problem;
use crate::model::{Arrivals, Step};

/// The problem with a closed workload whose every task and think time take
/// zero seconds, if the scenario has one.
pub fn check(s: &Scenario) -> Option<Problem> {
    let w = s.workload.as_ref()?;
    let Arrivals::Closed { think, .. } = &w.arrivals else {
        return None;
    };
    let m = &s.model;
    let steps = m
        .nodes
        .iter()
        .map(|n| &n.step)
        .chain(m.edges.iter().map(|e| &e.step));
    if !think.is_zero() || !steps.clone().all(takes_no_time) {
        return None;
    }
    Some(Problem {
        location: None,
        field: "workload.think".into(),
        message: "a closed workload whose steps all take 0 s and whose think time is 0 never \
                  advances the simulated clock: every task would start and end at t = 0; give a \
                  step a latency, or the agents a think time, e.g. think = { dist = \"exponential\", \
                  mean = 1 }"
            .into(),
    })
}

/// True when every attempt of `step`, and every retry, takes exactly zero seconds.
fn takes_no_time(step: &Step) -> bool {
    step.latency.is_zero()
        && step.resource.is_none()
        && (step.retry.max_retries == 0 || step.retry.delay == 0.0)
}
