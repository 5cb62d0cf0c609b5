//! A hook for watching some tasks of a replication as they run (the traces
//! of a loaded run): the world tells an [`Observer`] what each watched task
//! asked for, when its attempts reached service and what was delivered to
//! it. Without an observer the world does nothing more than a check per
//! step, and an observer draws no random number, so watching changes no
//! result.

use super::state::World;
use crate::task::{Event, Outgoing, TaskState, TrialResult};

/// What a loaded run tells whoever watches its tasks. Tasks are named by
/// their start order in the replication; times are the replication's clock.
pub trait Observer {
    /// A task started; the answer says whether to watch it (the other calls
    /// come only for watched tasks).
    fn started(&mut self, task: u64, measured: bool, now: f64) -> bool;
    /// The task asked its host for an attempt or a backoff.
    fn asked(&mut self, task: u64, out: &Outgoing, now: f64);
    /// An attempt of the task reached service (a pool's server or batch,
    /// or its own work after a transfer).
    fn served(&mut self, task: u64, exec: usize, branch: u32, epoch: u32, now: f64);
    /// The task took `event`; `state` holds a gate's decision, if any.
    fn delivered(&mut self, task: u64, event: &Event, state: &mut TaskState, now: f64);
    /// The task ended (started at `started`).
    fn finished(&mut self, task: u64, started: f64, result: &TrialResult);
}

impl World<'_> {
    /// Tells the observer that `request` reached service now.
    pub(super) fn note_served(&mut self, request: u32) {
        let Some(o) = self.observer.as_deref_mut() else {
            return;
        };
        let r = &self.requests[request as usize];
        let s = &self.slots[r.slot as usize];
        if s.watched && s.active && s.generation == r.generation && !r.answered {
            o.served(
                s.start_order,
                r.exec as usize,
                r.branch,
                r.epoch,
                self.queue.now(),
            );
        }
    }
}
