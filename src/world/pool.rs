//! Pools of servers: queueing, service, continuous batching and rate limits.

use super::state::{Ev, World};
use crate::model::{AttemptOutcome, OnFull, Pool};

impl World<'_> {
    fn pool_model(&self, pool: usize) -> &Pool {
        &self.model.pools[pool]
    }

    /// Takes a rate-limit token if one is available (always true without a limit).
    fn take_token(&mut self, pool: usize) -> bool {
        let Some(limit) = self.model.pools[pool].rate_limit else {
            return true;
        };
        let now = self.queue.now();
        let p = &mut self.pools[pool];
        p.tokens = (p.tokens + (now - p.tokens_at) * limit.rate).min(limit.burst);
        p.tokens_at = now;
        if p.tokens >= 1.0 {
            p.tokens -= 1.0;
            true
        } else {
            if !p.refill_scheduled {
                p.refill_scheduled = true;
                let wait = (1.0 - p.tokens) / limit.rate;
                self.queue
                    .schedule_in(wait, Ev::TokenRefill { pool: pool as u32 });
            }
            false
        }
    }

    /// A request reaches the pool.
    pub(super) fn pool_arrive(&mut self, pool: usize, request: u32) {
        let now = self.queue.now();
        let measuring = self.measuring;
        {
            let r = &mut self.requests[request as usize];
            r.arrived_pool = now;
            r.in_window = measuring;
        }
        let p = &mut self.pools[pool];
        if measuring {
            p.figures.arrivals += 1;
        }
        p.figures.system.add(now, measuring, 1.0);
        if self.pool_model(pool).batching.is_some() {
            let idle = self.pools[pool]
                .batch_servers
                .iter()
                .position(|s| s.batch.is_empty());
            if let Some(server) = idle {
                self.admit_to_batch(pool, server, request);
                self.start_iteration(pool, server);
                return;
            }
        } else {
            let has_server = self.pools[pool].in_service < self.pool_model(pool).servers as u64;
            if has_server && self.pools[pool].live_queue == 0 && self.take_token(pool) {
                self.start_service(pool, request);
                return;
            }
        }
        let full = self.pools[pool].live_queue >= self.pool_model(pool).queue_capacity;
        if self.pool_model(pool).on_full == OnFull::Reject || full {
            self.reject(pool, request);
            return;
        }
        let r = &self.requests[request as usize];
        let priority = (r.class_priority, r.resource.priority);
        self.requests[request as usize].queued = true;
        let p = &mut self.pools[pool];
        p.queue.push(request, priority);
        p.live_queue += 1;
        p.figures.queue.add(now, measuring, 1.0);
    }

    fn reject(&mut self, pool: usize, request: u32) {
        let now = self.queue.now();
        let measuring = self.measuring;
        let f = &mut self.pools[pool].figures;
        if measuring {
            f.rejected += 1;
        }
        f.system.add(now, measuring, -1.0);
        self.answer(request, AttemptOutcome::Loud);
        self.free_request(request);
    }

    /// Records the wait and the leaving of the queue of a request reaching a server.
    fn note_admission(&mut self, pool: usize, request: u32) {
        self.note_served(request);
        let now = self.queue.now();
        let r = self.requests[request as usize];
        if r.in_window {
            self.pools[pool].figures.record_wait(now - r.arrived_pool);
        }
    }

    fn start_service(&mut self, pool: usize, request: u32) {
        self.note_admission(pool, request);
        let now = self.queue.now();
        let p = &mut self.pools[pool];
        p.in_service += 1;
        p.figures.busy.add(now, self.measuring, 1.0);
        let work = self.requests[request as usize].work;
        self.queue.schedule_in(
            work,
            Ev::ServiceDone {
                pool: pool as u32,
                request,
            },
        );
    }

    /// A request leaves the pool after `arrived_pool`: sojourn and system count.
    fn leave_pool(&mut self, pool: usize, request: u32) {
        let now = self.queue.now();
        let r = self.requests[request as usize];
        let f = &mut self.pools[pool].figures;
        f.system.add(now, self.measuring, -1.0);
        if r.in_window {
            f.sojourn_sum += now - r.arrived_pool;
            f.sojourns += 1;
        }
    }

    pub(super) fn service_done(&mut self, pool: usize, request: u32) {
        let r = self.requests[request as usize];
        if r.abandoned && self.pool_model(pool).cancel_on_timeout {
            // Cancelled at its timeout: the server was freed then.
            self.free_request(request);
            return;
        }
        let now = self.queue.now();
        let p = &mut self.pools[pool];
        p.in_service -= 1;
        p.figures.busy.add(now, self.measuring, -1.0);
        self.leave_pool(pool, request);
        if !r.abandoned {
            self.answer(request, r.outcome);
        }
        self.free_request(request);
        self.dispatch(pool);
    }

    /// Starts waiting requests while servers (and rate tokens) are free.
    pub(super) fn dispatch(&mut self, pool: usize) {
        if self.pool_model(pool).batching.is_some() {
            for server in 0..self.pools[pool].batch_servers.len() {
                if self.pools[pool].batch_servers[server].batch.is_empty() {
                    self.fill_batch(pool, server);
                    self.start_iteration(pool, server);
                }
            }
            return;
        }
        let servers = self.pool_model(pool).servers as u64;
        while self.pools[pool].in_service < servers && self.pools[pool].live_queue > 0 {
            if !self.take_token(pool) {
                return;
            }
            let Some(request) = self.pop_live(pool) else {
                return;
            };
            self.start_service(pool, request);
        }
    }

    /// The next request of the queue; requests cancelled at their timeout are freed.
    fn pop_live(&mut self, pool: usize) -> Option<u32> {
        let cancel = self.pool_model(pool).cancel_on_timeout;
        while let Some(request) = self.pools[pool].queue.pop() {
            if cancel && self.requests[request as usize].abandoned {
                self.free_request(request);
                continue;
            }
            let now = self.queue.now();
            self.requests[request as usize].queued = false;
            let p = &mut self.pools[pool];
            p.live_queue -= 1;
            p.figures.queue.add(now, self.measuring, -1.0);
            return Some(request);
        }
        None
    }

    /// The caller of a request timed out. A cancelling pool drops the request
    /// (from the queue at once, from a server at once, from a batch at the end
    /// of the iteration); otherwise the pool cannot tell and carries on.
    pub(super) fn pool_abandon(&mut self, pool: usize, request: u32) {
        if self.measuring {
            self.pools[pool].figures.abandoned += 1;
        }
        if !self.pool_model(pool).cancel_on_timeout {
            return;
        }
        let now = self.queue.now();
        let r = self.requests[request as usize];
        if r.queued {
            self.requests[request as usize].queued = false;
            let p = &mut self.pools[pool];
            p.live_queue -= 1;
            p.figures.queue.add(now, self.measuring, -1.0);
            self.leave_pool(pool, request);
        } else if self.pool_model(pool).batching.is_none() {
            let p = &mut self.pools[pool];
            p.in_service -= 1;
            p.figures.busy.add(now, self.measuring, -1.0);
            self.leave_pool(pool, request);
            self.dispatch(pool);
        }
    }

    fn admit_to_batch(&mut self, pool: usize, server: usize, request: u32) {
        self.note_admission(pool, request);
        let now = self.queue.now();
        let r = &mut self.requests[request as usize];
        r.remaining = (r.work.round() as u32).max(1);
        let p = &mut self.pools[pool];
        p.batch_servers[server].batch.push(request);
        p.figures.batched.add(now, self.measuring, 1.0);
    }

    fn fill_batch(&mut self, pool: usize, server: usize) {
        let max = self.pool_model(pool).batching.map_or(1, |b| b.max_batch) as usize;
        while self.pools[pool].batch_servers[server].batch.len() < max {
            let Some(request) = self.pop_live(pool) else {
                break;
            };
            self.admit_to_batch(pool, server, request);
        }
    }

    fn start_iteration(&mut self, pool: usize, server: usize) {
        let batching = self.pool_model(pool).batching.expect("batching pool");
        let now = self.queue.now();
        let s = &mut self.pools[pool].batch_servers[server];
        if s.iterating || s.batch.is_empty() {
            return;
        }
        s.iterating = true;
        let duration = batching.iteration_time(s.batch.len() as u32);
        self.pools[pool].figures.busy.add(now, self.measuring, 1.0);
        self.queue.schedule_in(
            duration,
            Ev::Iteration {
                pool: pool as u32,
                server: server as u32,
            },
        );
    }

    pub(super) fn iteration_done(&mut self, pool: usize, server: usize) {
        let now = self.queue.now();
        let measuring = self.measuring;
        let p = &mut self.pools[pool];
        p.batch_servers[server].iterating = false;
        p.figures.busy.add(now, measuring, -1.0);
        let batch = std::mem::take(&mut p.batch_servers[server].batch);
        let mut kept = Vec::with_capacity(batch.len());
        let cancel = self.pool_model(pool).cancel_on_timeout;
        for request in batch {
            let r = &mut self.requests[request as usize];
            r.remaining -= 1;
            if cancel && r.abandoned && r.remaining > 0 {
                // Dropped from the batch at the iteration boundary.
                self.pools[pool].figures.batched.add(now, measuring, -1.0);
                self.leave_pool(pool, request);
                self.free_request(request);
                continue;
            }
            if r.remaining > 0 {
                kept.push(request);
                continue;
            }
            let r = *r;
            self.pools[pool].figures.batched.add(now, measuring, -1.0);
            self.leave_pool(pool, request);
            if !r.abandoned {
                self.answer(request, r.outcome);
            }
            self.free_request(request);
        }
        self.pools[pool].batch_servers[server].batch = kept;
        self.fill_batch(pool, server);
        self.start_iteration(pool, server);
    }
}
