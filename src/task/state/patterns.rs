//! The step patterns within one task: a step's fallback chain, its hedged
//! copies, the cache in front of it, and the task's deadline
//! (docs/MODEL.md §17).
//!
//! A fallback continues the step's execution at the next level of its
//! chain, drawing from the step's own stream; a cache draws from a stream
//! of its own, and so does a hedged copy, so that adding either leaves the
//! step's own attempts drawing what they drew without it.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::super::bias;
use super::{NOT_DYNAMIC, Outgoing, TaskState};
use crate::model::{AttemptOutcome, Model, Step};
use crate::stats::accumulator::{PICO_PER_USD, round_to_u64};
use crate::task::{Acquire, Event, ExecCounters, TaskOutcome};

/// The cache and hedge streams of every exec, seeded on first use in a task
/// (empty when the model has no cache and no hedge).
#[derive(Debug, Clone, Default)]
pub(super) struct PatternStreams {
    cache: Vec<(u64, SplitMix64)>,
    hedge: Vec<(u64, SplitMix64)>,
}

impl PatternStreams {
    /// Streams for `model`: none unless some step has a cache or a hedge.
    pub(super) fn new(model: &Model) -> Self {
        let used = (0..model.exec_count()).any(|e| {
            let mut step = Some(model.step(e));
            let mut any = false;
            while let Some(s) = step {
                any |= s.cache.is_some() || s.hedge.is_some();
                step = s.fallback.as_deref();
            }
            any
        });
        if !used {
            return PatternStreams::default();
        }
        let fresh = (0, SplitMix64::seed_from_u64(0));
        PatternStreams {
            cache: vec![fresh.clone(); model.exec_count()],
            hedge: vec![fresh; model.exec_count()],
        }
    }
}

/// Pico-dollars of `usd`, as the accumulator sums them.
fn pico(usd: f64) -> u64 {
    round_to_u64(usd * PICO_PER_USD)
}

impl TaskState<'_> {
    /// The step exec `exec` runs now: its own, or a fallback of its chain.
    #[inline]
    pub(super) fn active_step(&self, exec: usize) -> &Step {
        let step = self.model.step(exec);
        match self.state[exec].level {
            0 => step,
            level => step.at_level(level),
        }
    }

    fn cache_stream(&mut self, exec: usize) -> &mut SplitMix64 {
        let (serial, seed, key) = (self.trial_serial, self.task_seed, self.stream_keys[exec]);
        let (seeded_for, rng) = &mut self.pattern_streams.cache[exec];
        if *seeded_for != serial {
            *seeded_for = serial;
            *rng = SplitMix64::seed_from_u64(seed.cache(key));
        }
        rng
    }

    fn hedge_stream(&mut self, exec: usize) -> &mut SplitMix64 {
        let (serial, seed, key) = (self.trial_serial, self.task_seed, self.stream_keys[exec]);
        let (seeded_for, rng) = &mut self.pattern_streams.hedge[exec];
        if *seeded_for != serial {
            *seeded_for = serial;
            *rng = SplitMix64::seed_from_u64(seed.hedge(key));
        }
        rng
    }

    /// Looks exec `exec` up in its cache, once per execution, before its
    /// first attempt. Returns true when the lookup answered or delays the
    /// call (the caller then makes no attempt now): a hit answers after the
    /// lookup's latency, right or (with P(stale)) wrong; a miss calls the
    /// step after it.
    pub(super) fn cache_lookup(&mut self, exec: usize, c: &mut [ExecCounters]) -> bool {
        let st = &self.state[exec];
        if st.cache_done || st.level != 0 || self.dyn_slot[exec] != NOT_DYNAMIC {
            return false;
        }
        let Some(cache) = self.model.step(exec).cache.as_deref() else {
            return false;
        };
        self.state[exec].cache_done = true;
        let epoch = self.state[exec].epoch;
        let rng = self.cache_stream(exec);
        let lookup = cache.latency.sample(rng);
        let hit = cache.hit > 0.0 && rng.random::<f64>() < cache.hit;
        if !hit {
            c[exec].cache_misses += 1;
            if lookup <= 0.0 {
                return false;
            }
            let call = Event::Retry {
                exec,
                epoch,
                branch: 0,
            };
            self.outbox.push(Outgoing::Schedule(lookup, call));
            return true;
        }
        let stale = cache.stale > 0.0 && rng.random::<f64>() < cache.stale;
        c[exec].cache_hits += 1;
        self.state[exec].cache_serving = true;
        self.state[exec].in_flight += 1;
        self.in_flight += 1;
        let outcome = if stale {
            AttemptOutcome::Silent
        } else {
            AttemptOutcome::Ok
        };
        let answer = Event::AttemptEnd {
            exec,
            epoch,
            branch: 0,
            outcome,
        };
        self.outbox.push(Outgoing::Schedule(lookup, answer));
        true
    }

    /// After an attempt of `exec` began (lasting `duration` when known, i.e.
    /// without shared resources): asks to be woken at the hedge delay if the
    /// attempt may still be running then.
    pub(super) fn arm_hedge(&mut self, exec: usize, duration: Option<f64>) {
        if self.dyn_slot[exec] != NOT_DYNAMIC {
            return;
        }
        let Some(hedge) = self.active_step(exec).hedge else {
            return;
        };
        if duration.is_some_and(|d| d <= hedge.after) {
            return;
        }
        let st = &self.state[exec];
        let wake = Event::Hedge {
            exec,
            epoch: st.epoch,
            attempt: st.attempts,
        };
        self.outbox.push(Outgoing::Schedule(hedge.after, wake));
    }

    /// The hedge delay of attempt `attempt` of `exec` ended: if that attempt
    /// is still running, its second copy is sent (billed, drawn from the
    /// hedge stream; a common cause that struck the step strikes it too).
    pub(super) fn send_hedge(&mut self, exec: usize, attempt: u32, c: &mut [ExecCounters]) {
        let st = &self.state[exec];
        if st.attempts != attempt || st.in_flight == 0 || st.hedged || st.cache_serving {
            return;
        }
        let model = self.model;
        let level = st.level;
        let step = model.step(exec).at_level(level);
        let probs = match (level, step.rates.as_ref()) {
            (0, Some(_)) => self.probs[exec],
            _ => step.outcome,
        };
        let bias = self.bias;
        let rng = self.hedge_stream(exec);
        let own = step.latency.sample(rng);
        let (mut outcome, ratio) = bias::draw(bias, probs, rng);
        self.weight *= ratio;
        if level == 0
            && let Some(&Some(effect)) = self.struck.get(exec)
        {
            outcome = effect;
        }
        c[exec].hedges += 1;
        c[exec].hedge_cost_pusd += pico(step.cost.usd);
        self.cost_usd += step.cost.usd;
        self.tokens += step.cost.tokens;
        self.state[exec].hedged = true;
        self.state[exec].in_flight += 1;
        self.in_flight += 1;
        let epoch = self.state[exec].epoch;
        let Some(resource) = step.resource else {
            let (duration, outcome) = match step.timeout {
                Some(limit) if own > limit => (limit, AttemptOutcome::Timeout),
                _ => (own, outcome),
            };
            let end = Event::AttemptEnd {
                exec,
                epoch,
                branch: 0,
                outcome,
            };
            self.outbox.push(Outgoing::Schedule(duration, end));
            return;
        };
        let rng = self.hedge_stream(exec);
        let work = match resource.pool {
            Some(pool) => model.pools[pool].draw_work(step, own, rng),
            None => own,
        };
        self.outbox.push(Outgoing::Acquire(Acquire {
            exec,
            epoch,
            branch: 0,
            outcome,
            work,
            timeout: step.timeout,
            resource,
        }));
    }

    /// The first of a hedged pair answered: the other copy's answer is void
    /// (the exec's epoch moves on). A cancelled loser is not billed.
    pub(super) fn settle_hedge(&mut self, exec: usize, c: &mut [ExecCounters]) {
        let st = &mut self.state[exec];
        if !st.hedged {
            return;
        }
        st.hedged = false;
        let old = st.epoch;
        st.epoch = st.epoch.wrapping_add(1);
        st.in_flight = st.in_flight.saturating_sub(1);
        self.in_flight = self.in_flight.saturating_sub(1);
        let step = self.active_step(exec);
        if step.hedge.is_some_and(|h| h.cancel) {
            let (cost, queued) = (step.cost, step.resource.is_some());
            self.cost_usd -= cost.usd;
            self.tokens -= cost.tokens;
            c[exec].hedge_cost_pusd = c[exec].hedge_cost_pusd.saturating_sub(pico(cost.usd));
            if queued {
                self.outbox.push(Outgoing::Cancel { exec, epoch: old });
            }
        }
    }

    /// Exec `exec`'s attempts at its current level are exhausted: calls the
    /// next step of its chain at once, if it has one (returns false if not).
    pub(super) fn fall_back(&mut self, exec: usize, c: &mut [ExecCounters]) -> bool {
        if self.dyn_slot[exec] != NOT_DYNAMIC || self.active_step(exec).fallback.is_none() {
            return false;
        }
        c[exec].fallbacks += 1;
        let st = &mut self.state[exec];
        st.level += 1;
        st.level_base = st.attempts;
        self.begin_attempt(exec, 0, c);
        true
    }

    /// The task's deadline passed before it finished: it fails loudly, every
    /// attempt still running abandoned (loud, and counted as a deadline miss).
    pub(super) fn deadline_passed(&mut self, c: &mut [ExecCounters]) {
        for (exec, st) in self.state.iter_mut().enumerate() {
            let running = st.attempts_in_flight() as u64;
            if running > 0 {
                c[exec].loud += running;
                c[exec].deadline += running;
            }
            st.in_flight = 0;
            st.hedged = false;
            st.cache_serving = false;
        }
        self.in_flight = 0;
        self.deadline_missed = true;
        self.result = Some((TaskOutcome::Loud, super::CLEAN));
    }
}
