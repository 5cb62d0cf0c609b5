//! Outages, degradation and circuit breakers in independent trials, where
//! tasks share no clock: each task sees every pool's up/down and
//! normal/degraded processes from a random moment of their stationary regime
//! (down with probability MTTR / (MTBF + MTTR), then for the time left in
//! that spell), drawn from the task's own streams, and has a breaker of its
//! own per pool (it counts the task's own calls: its retries and branches).

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::{Acquire, Event};
use crate::model::{
    Admission, AttemptOutcome, BreakerState, Model, Resilience, Timeline, WhileDown,
};
use crate::seed::{ComponentKey, TaskSeed};

/// One pool as one task sees it.
#[derive(Debug)]
struct PoolView {
    outage: Option<Timeline>,
    degraded: Option<Timeline>,
    outage_rng: SplitMix64,
    degraded_rng: SplitMix64,
    call_rng: SplitMix64,
    breaker: Option<BreakerState>,
    /// Calls let through the breaker: (time they end, admission, failed).
    pending: Vec<(f64, Admission, bool)>,
}

impl PoolView {
    /// The pool as a task started at a random moment sees it.
    fn new(res: &Resilience, key: ComponentKey, seed: TaskSeed) -> Self {
        let stream = |purpose| SplitMix64::seed_from_u64(seed.outages(key, purpose));
        let (mut outage_rng, mut degraded_rng) = (stream(1), stream(2));
        PoolView {
            outage: res
                .outage
                .as_ref()
                .map(|p| Timeline::stationary(p, 0.0, &mut outage_rng)),
            degraded: res
                .degraded
                .as_ref()
                .map(|(p, _)| Timeline::stationary(p, 0.0, &mut degraded_rng)),
            outage_rng,
            degraded_rng,
            call_rng: stream(3),
            breaker: res.breaker.map(BreakerState::new),
            pending: Vec::new(),
        }
    }

    /// Feeds the breaker the outcomes of the calls that ended by `now`, in
    /// the order they ended.
    fn settle(&mut self, now: f64) {
        let Some(b) = &mut self.breaker else {
            return;
        };
        self.pending.sort_by(|x, y| x.0.total_cmp(&y.0));
        let done = self.pending.partition_point(|x| x.0 <= now);
        for (end, admission, failed) in self.pending.drain(..done) {
            b.record(end, admission, failed);
        }
    }
}

/// The pools' conditions as the current task sees them.
#[derive(Debug)]
pub struct TaskGuards<'m> {
    model: &'m Model,
    seed: TaskSeed,
    /// Per pool: its view, once the task has called it.
    views: Vec<Option<PoolView>>,
}

impl<'m> TaskGuards<'m> {
    /// Views of `model`'s pools.
    pub fn new(model: &'m Model) -> Self {
        TaskGuards {
            model,
            seed: TaskSeed::default(),
            views: model.pools.iter().map(|_| None).collect(),
        }
    }

    /// Starts a task (or a later run of one) seeded by `seed`: every pool is
    /// seen afresh from its first call on.
    pub fn begin(&mut self, seed: TaskSeed) {
        self.seed = seed;
        self.views.iter_mut().for_each(|v| *v = None);
    }

    /// How an attempt made at `now` ends, when it calls a pool that declares
    /// outages, degradation or a breaker; `None` for any other attempt.
    pub fn attempt(&mut self, now: f64, req: &Acquire) -> Option<(f64, Event)> {
        let pool = req.resource.pool?;
        let model = self.model;
        let res = model.pools[pool].resilience.as_deref()?;
        let key = ComponentKey::of(&model.pools[pool].id);
        let seed = self.seed;
        let view = self.views[pool].get_or_insert_with(|| PoolView::new(res, key, seed));
        let transfer = req.resource.transfer.map_or(0.0, |t| {
            let link = &model.links[t.link];
            link.latency + t.bytes / link.bandwidth
        });
        // The call reaches the pool after its transfer.
        let reach = now + transfer;
        view.settle(reach);
        let admission = view
            .breaker
            .as_mut()
            .map_or(Admission::Pass, |b| b.admit(reach));
        let end = |delay: f64, outcome| {
            let event = Event::AttemptEnd {
                exec: req.exec,
                epoch: req.epoch,
                branch: req.branch,
                outcome,
            };
            (delay, event)
        };
        if admission == Admission::Refuse {
            return Some(end(transfer, AttemptOutcome::Loud));
        }
        let mut start = reach;
        if let (Some(t), Some(process)) = (&mut view.outage, &res.outage) {
            t.advance_to(process, reach, &mut view.outage_rng);
            if t.bad {
                if res.while_down == WhileDown::Fail {
                    view.pending.push((reach, admission, true));
                    return Some(end(transfer, AttemptOutcome::Loud));
                }
                start = t.until;
            }
        }
        let mut work = model.pools[pool].uncontended_time(req.work);
        let mut outcome = req.outcome;
        if let (Some(t), Some((process, effect))) = (&mut view.degraded, &res.degraded) {
            t.advance_to(process, start, &mut view.degraded_rng);
            if t.bad {
                work *= effect.slowdown;
                if effect.extra_loud > 0.0 && view.call_rng.random::<f64>() < effect.extra_loud {
                    outcome = AttemptOutcome::Loud;
                }
            }
        }
        let total = (start - now) + work;
        let (delay, outcome) = match req.timeout {
            Some(limit) if total > limit => (limit, AttemptOutcome::Timeout),
            _ => (total, outcome),
        };
        let failed = matches!(outcome, AttemptOutcome::Loud | AttemptOutcome::Timeout);
        view.pending.push((now + delay, admission, failed));
        Some(end(delay, outcome))
    }
}
