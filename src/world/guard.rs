//! Outages, degradation, scheduled incidents and circuit breakers of the
//! pools of a loaded run: one state per pool, shared by every task in
//! flight. The up/down and normal/degraded processes and the incidents are
//! events on the world's queue; a call is judged when it reaches the pool:
//! refused by an open breaker, failed (or held) by an outage, slowed and
//! possibly failed by degradation, or let through untouched.

use std::collections::HashMap;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::state::{Ev, World};
use crate::model::{
    Admission, AttemptOutcome, BreakerState, Degradation, IncidentMode, Resilience, Timeline,
    WhileDown,
};
use crate::seed::ComponentKey;
use crate::stats::replication::ResilienceFigures;

/// What changed in a pool's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GuardEv {
    /// The up/down process changes phase.
    Outage,
    /// The normal/degraded process changes phase.
    Degraded,
    /// A scheduled incident starts or ends.
    Incident,
    /// The breaker's cool-down may be over.
    Cooldown,
}

/// The live condition of one pool.
#[derive(Debug)]
pub(super) struct GuardState {
    outage: Option<Timeline>,
    degraded: Option<Timeline>,
    outage_rng: SplitMix64,
    degraded_rng: SplitMix64,
    call_rng: SplitMix64,
    breaker: Option<BreakerState>,
    /// Calls let through the breaker and not yet answered, by request index.
    through: HashMap<u32, Admission>,
    /// The pool is down now.
    down: bool,
    /// The pool is degraded now (and how), unless down.
    degradation: Option<Degradation>,
    /// The breaker is open now (as last recorded in the figures).
    open: bool,
}

impl<'m> World<'m> {
    fn resilience(&self, pool: usize) -> &'m Resilience {
        self.model.pools[pool]
            .resilience
            .as_deref()
            .expect("a guarded pool")
    }

    /// Starts every pool's processes in their stationary state at time 0 and
    /// schedules its incidents.
    pub(super) fn start_guards(&mut self) {
        for pool in 0..self.model.pools.len() {
            let Some(res) = self.model.pools[pool].resilience.as_deref() else {
                continue;
            };
            let key = ComponentKey::of(&self.model.pools[pool].id);
            let rep_seed = self.classes[0].seed;
            let stream = |purpose| SplitMix64::seed_from_u64(rep_seed.outages(key, purpose));
            let (mut outage_rng, mut degraded_rng) = (stream(1), stream(2));
            let outage = res
                .outage
                .as_ref()
                .map(|p| Timeline::stationary(p, 0.0, &mut outage_rng));
            let degraded = res
                .degraded
                .as_ref()
                .map(|(p, _)| Timeline::stationary(p, 0.0, &mut degraded_rng));
            for t in outage.iter() {
                self.schedule_guard(pool, t.until, GuardEv::Outage);
            }
            for t in degraded.iter() {
                self.schedule_guard(pool, t.until, GuardEv::Degraded);
            }
            for i in &res.incidents {
                self.schedule_guard(pool, i.start, GuardEv::Incident);
                self.schedule_guard(pool, i.end, GuardEv::Incident);
            }
            self.pools[pool].guard = Some(Box::new(GuardState {
                outage,
                degraded,
                outage_rng,
                degraded_rng,
                call_rng: stream(3),
                breaker: res.breaker.map(BreakerState::new),
                through: HashMap::new(),
                down: false,
                degradation: None,
                open: false,
            }));
            self.pools[pool].figures.resilience = Some(ResilienceFigures::default());
            self.pools[pool]
                .figures
                .resilience
                .as_mut()
                .expect("just set")
                .up
                .add(0.0, false, 1.0);
            self.update_condition(pool);
        }
    }

    fn schedule_guard(&mut self, pool: usize, at: f64, change: GuardEv) {
        self.queue.schedule_at(
            at,
            Ev::Guard {
                pool: pool as u32,
                change,
            },
        );
    }

    fn guard(&mut self, pool: usize) -> &mut GuardState {
        self.pools[pool]
            .guard
            .as_deref_mut()
            .expect("a guarded pool")
    }

    fn figures(&mut self, pool: usize) -> &mut ResilienceFigures {
        self.pools[pool]
            .figures
            .resilience
            .as_mut()
            .expect("a guarded pool")
    }

    /// A pool's condition changes.
    pub(super) fn guard_event(&mut self, pool: usize, change: GuardEv) {
        let res = self.resilience(pool);
        match change {
            GuardEv::Outage => {
                let g = self.guard(pool);
                let (t, rng) = (g.outage.as_mut().expect("outage"), &mut g.outage_rng);
                t.flip(res.outage.as_ref().expect("outage"), rng);
                let until = t.until;
                self.schedule_guard(pool, until, GuardEv::Outage);
            }
            GuardEv::Degraded => {
                let g = self.guard(pool);
                let (t, rng) = (g.degraded.as_mut().expect("degraded"), &mut g.degraded_rng);
                t.flip(&res.degraded.as_ref().expect("degraded").0, rng);
                let until = t.until;
                self.schedule_guard(pool, until, GuardEv::Degraded);
            }
            // The breaker turns half-open (it admits its probes on demand):
            // only the figures change.
            GuardEv::Incident | GuardEv::Cooldown => {}
        }
        self.update_condition(pool);
    }

    /// Recomputes whether the pool is down, degraded, its breaker open, and
    /// records the changes; a pool that comes up serves its waiting queue.
    fn update_condition(&mut self, pool: usize) {
        let now = self.queue.now();
        let measuring = self.measuring;
        let res = self.resilience(pool);
        let incident = res.incident_at(now).map(|i| i.mode);
        let random_degradation = res.degraded.as_ref().map(|(_, d)| *d);
        let g = self.guard(pool);
        let was_down = g.down;
        let was_degraded = g.degradation.is_some();
        let was_open = g.open;
        g.down = incident == Some(IncidentMode::Down) || g.outage.is_some_and(|t| t.bad);
        g.degradation = match incident {
            _ if g.down => None,
            Some(IncidentMode::Degraded(d)) => Some(d),
            _ => random_degradation.filter(|_| g.degraded.is_some_and(|t| t.bad)),
        };
        g.open = g.breaker.as_ref().is_some_and(|b| b.is_open(now));
        let (down, degraded, open) = (g.down, g.degradation.is_some(), g.open);
        let f = self.figures(pool);
        if down != was_down {
            f.up.add(now, measuring, if down { -1.0 } else { 1.0 });
        }
        if degraded != was_degraded {
            f.degraded
                .add(now, measuring, if degraded { 1.0 } else { -1.0 });
        }
        if open != was_open {
            f.open.add(now, measuring, if open { 1.0 } else { -1.0 });
        }
        if was_down && !down {
            self.dispatch(pool);
        }
    }

    /// True while a pool is down and holds its calls (`while_down = "wait"`):
    /// it starts no service.
    pub(super) fn pool_held(&self, pool: usize) -> bool {
        self.pools[pool].guard.as_ref().is_some_and(|g| g.down)
    }

    /// Judges a call reaching a guarded pool: returns false when it was
    /// refused or failed here (and has been answered), true when it goes on
    /// to the pool (its work and outcome changed if the pool is degraded).
    pub(super) fn guard_arrival(&mut self, pool: usize, request: u32) -> bool {
        let now = self.queue.now();
        let measuring = self.measuring;
        let while_down = self.resilience(pool).while_down;
        if measuring {
            self.figures(pool).calls += 1;
        }
        let g = self.guard(pool);
        let admission = g.breaker.as_mut().map_or(Admission::Pass, |b| b.admit(now));
        if admission == Admission::Refuse {
            if measuring {
                self.figures(pool).refused_by_breaker += 1;
            }
            self.update_condition(pool);
            self.answer(request, AttemptOutcome::Loud);
            self.free_request(request);
            return false;
        }
        let g = self.guard(pool);
        if g.down && while_down == WhileDown::Fail {
            if measuring {
                self.figures(pool).failed_by_outage += 1;
            }
            self.breaker_outcome(pool, admission, true);
            self.answer(request, AttemptOutcome::Loud);
            self.free_request(request);
            return false;
        }
        if let Some(d) = g.degradation {
            let fails = d.extra_loud > 0.0 && g.call_rng.random::<f64>() < d.extra_loud;
            let r = &mut self.requests[request as usize];
            r.work *= d.slowdown;
            if fails {
                r.outcome = AttemptOutcome::Loud;
                if measuring {
                    self.figures(pool).failed_by_degradation += 1;
                }
            }
        }
        if self.guard(pool).breaker.is_some() {
            self.guard(pool).through.insert(request, admission);
        }
        self.update_condition(pool);
        true
    }

    /// A call that went through a guarded pool's breaker was answered.
    pub(super) fn guard_answered(&mut self, pool: usize, request: u32, outcome: AttemptOutcome) {
        let Some(admission) = self.guard(pool).through.remove(&request) else {
            return;
        };
        let failed = matches!(outcome, AttemptOutcome::Loud | AttemptOutcome::Timeout);
        self.breaker_outcome(pool, admission, failed);
    }

    /// Feeds a call's outcome to the pool's breaker, if it has one.
    fn breaker_outcome(&mut self, pool: usize, admission: Admission, failed: bool) {
        let now = self.queue.now();
        let measuring = self.measuring;
        let Some(b) = self.guard(pool).breaker.as_mut() else {
            return;
        };
        if b.record(now, admission, failed) {
            let until = b.open_until().expect("just opened");
            if measuring {
                self.figures(pool).breaker_opened += 1;
            }
            self.schedule_guard(pool, until, GuardEv::Cooldown);
        }
        self.update_condition(pool);
    }
}
