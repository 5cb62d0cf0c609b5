//! Loaded runs: the replications of a workload in parallel, combined in
//! replication order so that results do not depend on the thread count.

use rayon::prelude::*;

use super::Control;
use crate::model::{Model, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::replication::Replication;
use crate::world::{Observer, run_replication};

/// Runs the workload's replications `range` under base `seed` on the current
/// rayon pool, in replication order. Each replication stops early once
/// `control` is stopped (its figures are then partial and must be discarded).
pub fn run_replications(
    model: &Model,
    workload: &Workload,
    seed: u64,
    range: std::ops::Range<u64>,
    control: Control<'_>,
) -> Vec<Replication> {
    range
        .into_par_iter()
        .map(|r| {
            let rep = run_replication(
                model,
                workload,
                ReplicationSeed::new(seed, r),
                control.flag(),
            );
            control.advance(1);
            rep
        })
        .collect()
}

/// Runs replication `r` of the workload under base `seed` again with
/// `observer` watching its tasks (traces); its figures are those the run
/// had for it.
pub fn observe_replication(
    model: &Model,
    workload: &Workload,
    seed: u64,
    r: u64,
    observer: &mut dyn Observer,
) -> Replication {
    crate::world::observe_replication(model, workload, ReplicationSeed::new(seed, r), observer)
}
