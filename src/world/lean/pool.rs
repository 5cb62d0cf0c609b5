//! The lean world's pool: servers and a waiting line, no batching, no rate
//! limit, no cancellation (there are no timeouts), kept in the general
//! pool's state and figures (`world/pool.rs` is the rule this mirrors).

use super::sim::{Ev, LeanWorld};
use crate::model::{AttemptOutcome, OnFull};

impl LeanWorld<'_> {
    /// The current attempt of the task in `slot` reaches the pool.
    #[inline(always)]
    pub(super) fn pool_arrive(&mut self, slot: u32) {
        let now = self.queue.now();
        let measuring = self.measuring;
        {
            let t = &mut self.tasks[slot as usize];
            t.arrived_pool = now;
            t.in_window = measuring;
        }
        let pool = self.plan.pool;
        let p = &mut self.pool;
        if measuring {
            p.figures.arrivals += 1;
        }
        p.figures.system.add(now, measuring, 1.0);
        if p.in_service < pool.servers as u64 && p.live_queue == 0 {
            self.start_service(slot);
            return;
        }
        if pool.on_full == OnFull::Reject || p.live_queue >= pool.queue_capacity {
            if measuring {
                p.figures.rejected += 1;
            }
            p.figures.system.add(now, measuring, -1.0);
            self.attempt_ended(slot, AttemptOutcome::Loud);
            return;
        }
        p.queue.push(slot, self.plan.priority);
        p.live_queue += 1;
        p.figures.queue.add(now, measuring, 1.0);
    }

    /// A server takes the task's attempt: its wait is recorded, its service begins.
    #[inline(always)]
    fn start_service(&mut self, slot: u32) {
        let now = self.queue.now();
        let t = &self.tasks[slot as usize];
        let (in_window, waited, work) = (t.in_window, now - t.arrived_pool, t.work);
        let p = &mut self.pool;
        if in_window {
            let ns = p.figures.record_wait_totals(waited);
            self.waits_ns.record(ns);
        }
        p.in_service += 1;
        p.figures.busy.add(now, self.measuring, 1.0);
        self.queue.schedule_in(work, Ev::ServiceDone { slot });
    }

    /// The pool finished the task's attempt: the task hears its outcome, then
    /// waiting attempts take the free server.
    pub(super) fn service_done(&mut self, slot: u32) {
        let now = self.queue.now();
        let measuring = self.measuring;
        let t = &self.tasks[slot as usize];
        let (in_window, arrived, outcome) = (t.in_window, t.arrived_pool, t.outcome);
        let p = &mut self.pool;
        p.in_service -= 1;
        p.figures.busy.add(now, measuring, -1.0);
        p.figures.system.add(now, measuring, -1.0);
        if in_window {
            p.figures.sojourn_sum += now - arrived;
            p.figures.sojourns += 1;
        }
        self.attempt_ended(slot, outcome);
        self.dispatch();
    }

    /// Starts waiting attempts while servers are free.
    fn dispatch(&mut self) {
        let servers = self.plan.pool.servers as u64;
        loop {
            let now = self.queue.now();
            let measuring = self.measuring;
            let p = &mut self.pool;
            if p.in_service >= servers || p.live_queue == 0 {
                return;
            }
            let Some(slot) = p.queue.pop() else {
                return;
            };
            p.live_queue -= 1;
            p.figures.queue.add(now, measuring, -1.0);
            self.start_service(slot);
        }
    }
}
