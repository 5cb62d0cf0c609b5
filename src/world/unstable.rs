//! The message of a loaded run stopped because tasks piled up without bound
//! (shared by the general and the lean world).

use super::pool_state::PoolState;
use crate::model::{Model, Workload};

/// Why the run stopped at `now`: the limit on tasks in flight, and each
/// pool's waiting and busy count then.
pub(super) fn instability_report(
    model: &Model,
    workload: &Workload,
    pools: &[PoolState],
    now: f64,
) -> String {
    let mut worst = String::new();
    for (p, pool) in pools.iter().zip(&model.pools) {
        worst += &format!(
            "; pool \"{}\": {} waiting, {} in service",
            pool.id,
            p.figures.queue.value(),
            p.in_service
        );
    }
    format!(
        "more than {} tasks in flight at t = {:.1} s: tasks arrive faster than they finish (offered load above capacity){}",
        workload.max_in_flight, now, worst
    )
}
