//! Offered load on each shared resource, to refuse runs that can never reach
//! a steady state (offered load ≥ capacity with nothing to bound the queue).
//!
//! Without timeouts or rejections, contention does not change how often a
//! step runs, so the visits per task measured on independent (uncontended)
//! tasks are exact, and ρ = arrival rate × demand per task / capacity.

use super::{Control, trials::run_trials};
use crate::model::{Arrivals, Model, OnFull, Shed, Workload};
use crate::seed;
use crate::stats::load::OfferedLoad;

/// Tasks simulated to estimate visits per task.
const PILOT_TASKS: u64 = 20_000;

/// The offered load of every pool and link under an open workload (empty for
/// closed ones). With several task classes, the open classes' loads add up
/// (each measured on its own graph, with its own pilot); a resource is
/// bounded when every class that loads it is (its own timeouts, rejection,
/// or its shedding at that pool's queue).
pub fn offered_load(model: &Model, workload: &Workload, seed: u64) -> Vec<OfferedLoad> {
    if !workload.has_classes() {
        return class_load(model, &workload.arrivals, workload.head.shed, seed);
    }
    let mut total: Vec<OfferedLoad> = Vec::new();
    for (k, view) in workload.class_views(model).into_iter().enumerate() {
        let loads = class_load(
            view.model,
            view.arrivals,
            view.head.shed,
            seed::class(seed, k),
        );
        if loads.is_empty() {
            continue;
        }
        if total.is_empty() {
            total = loads
                .iter()
                .map(|l| OfferedLoad {
                    id: l.id.clone(),
                    rho: 0.0,
                    bounded: true,
                })
                .collect();
        }
        for (t, l) in total.iter_mut().zip(loads) {
            t.rho += l.rho;
            if l.rho > 0.0 {
                t.bounded &= l.bounded;
            }
        }
    }
    total
}

/// The offered load of one class's graph `model` arriving by `arrivals`.
fn class_load(
    model: &Model,
    arrivals: &Arrivals,
    shed: Option<Shed>,
    seed: u64,
) -> Vec<OfferedLoad> {
    if !matches!(arrivals, Arrivals::Open { .. }) {
        return Vec::new();
    }
    let rate = arrivals.mean_rate();
    let pilot = run_trials(model, seed::pilot(seed), 0..PILOT_TASKS, Control::none());
    let visits = |exec: usize| pilot.execs[exec].attempts as f64 / PILOT_TASKS as f64;
    let mut loads = Vec::new();
    for (p, pool) in model.pools.iter().enumerate() {
        let mut demand = 0.0;
        let mut bounded = pool.on_full == OnFull::Reject
            || pool.queue_capacity != u64::MAX
            || shed.is_some_and(|s| s.pool == p);
        for exec in 0..model.exec_count() {
            let step = model.step(exec);
            if step.resource.and_then(|r| r.pool) != Some(p) {
                continue;
            }
            bounded |= step.timeout.is_some();
            let work = pool.mean_work(step);
            demand += visits(exec) * work;
        }
        let mut capacity = pool.capacity();
        if let Some(limit) = pool.rate_limit {
            // Each call takes a token: calls per second cap the work per second.
            let mean_work = demand
                / (0..model.exec_count())
                    .filter(|&e| model.step(e).resource.and_then(|r| r.pool) == Some(p))
                    .map(visits)
                    .sum::<f64>()
                    .max(f64::MIN_POSITIVE);
            capacity = capacity.min(limit.rate * mean_work);
        }
        loads.push(OfferedLoad {
            id: pool.id.clone(),
            rho: rate * demand / capacity,
            bounded,
        });
    }
    for (l, link) in model.links.iter().enumerate() {
        let mut bytes = 0.0;
        let mut bounded = false;
        for exec in 0..model.exec_count() {
            let step = model.step(exec);
            if let Some(t) = step
                .resource
                .and_then(|r| r.transfer)
                .filter(|t| t.link == l)
            {
                bytes += visits(exec) * t.bytes;
                bounded |= step.timeout.is_some();
            }
        }
        loads.push(OfferedLoad {
            id: link.id.clone(),
            rho: rate * bytes / link.bandwidth,
            bounded,
        });
    }
    loads
}
