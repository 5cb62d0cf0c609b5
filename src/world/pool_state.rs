//! The live state of a pool of servers (queue, servers, batches, tokens).

use super::guard::GuardState;
use super::queue::WaitQueue;
use crate::model::Pool;
use crate::stats::replication::PoolFigures;

/// One server of a batching pool.
#[derive(Debug, Default)]
pub(super) struct BatchServer {
    /// Requests in the batch.
    pub batch: Vec<u32>,
    /// An iteration is running.
    pub iterating: bool,
}

/// The live state of a pool.
#[derive(Debug)]
pub(super) struct PoolState {
    pub queue: WaitQueue,
    /// Requests in the queue that are still wanted (tombstones excluded).
    pub live_queue: u64,
    /// Requests being served (non-batching pools).
    pub in_service: u64,
    pub batch_servers: Vec<BatchServer>,
    pub tokens: f64,
    pub tokens_at: f64,
    pub refill_scheduled: bool,
    pub figures: PoolFigures,
    /// Outages, degradation and breaker, for a pool that declares any.
    pub guard: Option<Box<GuardState>>,
}

impl PoolState {
    /// An idle pool with a full token bucket.
    pub fn new(pool: &Pool) -> Self {
        let servers = if pool.batching.is_some() {
            pool.servers as usize
        } else {
            0
        };
        PoolState {
            queue: WaitQueue::new(pool.discipline),
            live_queue: 0,
            in_service: 0,
            batch_servers: (0..servers).map(|_| BatchServer::default()).collect(),
            tokens: pool.rate_limit.map_or(0.0, |r| r.burst),
            tokens_at: 0.0,
            refill_scheduled: false,
            figures: PoolFigures::new(),
            guard: None,
        }
    }

    /// Closes every time integral at `now`.
    pub fn advance_all(&mut self, now: f64, measuring: bool) {
        let f = &mut self.figures;
        f.busy.advance(now, measuring);
        f.queue.advance(now, measuring);
        f.system.advance(now, measuring);
        f.batched.advance(now, measuring);
        if let Some(r) = &mut f.resilience {
            r.advance(now, measuring);
        }
    }
}
