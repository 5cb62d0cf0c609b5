//! The loaded world: many tasks in flight on one event queue, contending for
//! shared pools and links.

use std::sync::atomic::AtomicBool;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::SplitMix64;

use super::TaskWindow;
use super::link_state::LinkState;
use super::observe::Observer;
use super::pool_state::PoolState;
use super::standstill::Standstill;
use super::state::{ClassRun, Ev, Request, Slot, World};
use crate::engine::EventQueue;
use crate::model::{Arrivals, AttemptOutcome, Model, Window, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::Accumulator;
use crate::stats::replication::{ClassFigures, LinkFigures, PoolFigures, Replication};
use crate::task::{Acquire, Event, ExecCounters, Outgoing, TaskOutcome, TaskState};

impl<'m> World<'m> {
    /// A world for one replication of `model` under `workload`, drawing from
    /// `rep_seed`, that stops early when `stop` is set.
    pub fn new(
        model: &'m Model,
        workload: &'m Workload,
        rep_seed: ReplicationSeed,
        stop: Option<&'m AtomicBool>,
    ) -> Self {
        let classes: Vec<ClassRun<'m>> = workload
            .class_views(model)
            .into_iter()
            .enumerate()
            .map(|(k, view)| {
                let seed = rep_seed.class(k);
                let execs = view.model.exec_count();
                ClassRun {
                    view,
                    seed,
                    arrival_rng: SplitMix64::seed_from_u64(seed.arrivals()),
                    think_rng: SplitMix64::seed_from_u64(seed.think()),
                    started: 0,
                    free_slots: Vec::new(),
                    figures: ClassFigures::new(execs, model.slo.len()),
                    scratch: vec![ExecCounters::default(); execs],
                }
            })
            .collect();
        let agents = classes
            .iter()
            .map(|c| match c.view.arrivals {
                Arrivals::Closed { agents, .. } => *agents,
                Arrivals::Open { .. } => 0,
            })
            .sum();
        World {
            model,
            workload,
            queue: EventQueue::new(),
            slots: Vec::new(),
            requests: Vec::new(),
            free_requests: Vec::new(),
            pools: model.pools.iter().map(PoolState::new).collect(),
            links: model.links.iter().map(|_| LinkState::new()).collect(),
            classes,
            agents,
            started: 0,
            in_flight: 0,
            measuring: false,
            t0: 0.0,
            t1: None,
            measured_started: 0,
            measured_pending: 0,
            measure_closed: false,
            completions: 0,
            correct_completions: 0,
            output_tokens: 0,
            correct_within_slo: vec![0; model.slo.len()],
            unstable: None,
            standstill: Standstill::default(),
            stop,
            observer: None,
        }
    }

    /// The same world, with `observer` watching its tasks.
    pub fn observed(mut self, observer: &'m mut dyn Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Runs the replication to the end of its measurement window.
    pub fn run(mut self) -> Replication {
        self.start_guards();
        for class in 0..self.classes.len() {
            match self.classes[class].view.arrivals {
                Arrivals::Open { .. } => self.schedule_next_arrival(class),
                Arrivals::Closed { agents, .. } => {
                    for agent in 0..*agents {
                        let class = class as u32;
                        self.queue.schedule_in(0.0, Ev::Wake { class, agent });
                    }
                }
            }
        }
        if let Window::Time { warmup, duration } = self.workload.window {
            self.queue.schedule_at(warmup, Ev::MeasureOn);
            self.queue.schedule_at(warmup + duration, Ev::MeasureOff);
        }
        while let Some((_, ev)) = self.queue.pop() {
            self.handle(ev);
            if self.unstable.is_some()
                || self.classes.iter().any(|c| c.figures.acc.runaway.is_some())
                || (self.measure_closed && self.measured_pending == 0)
            {
                break;
            }
            if super::stop_requested(self.queue.events_processed(), self.stop) {
                break;
            }
        }
        self.finish()
    }

    fn finish(mut self) -> Replication {
        let now = self.queue.now();
        if self.measuring {
            self.set_measuring(false);
        }
        let span = self.t1.unwrap_or(now) - self.t0;
        let mut classes: Vec<ClassFigures> = self.classes.into_iter().map(|c| c.figures).collect();
        let (acc, classes) = if self.workload.reports_classes() {
            // Each class has its own graph: the totals keep no per-node counters.
            let acc = classes
                .iter()
                .fold(Accumulator::new(0), |a, c| a.merge(c.acc.clone()));
            (acc, classes)
        } else {
            (classes.swap_remove(0).acc, Vec::new())
        };
        Replication {
            acc,
            classes,
            span,
            started: self.measured_started,
            completions: self.completions,
            correct_completions: self.correct_completions,
            correct_within_slo: self.correct_within_slo,
            pools: self
                .pools
                .into_iter()
                .map(|p| p.figures)
                .collect::<Vec<PoolFigures>>(),
            links: self
                .links
                .into_iter()
                .map(|l| l.figures)
                .collect::<Vec<LinkFigures>>(),
            events: self.queue.events_processed(),
            end_time: now,
            output_tokens: self.output_tokens,
            unstable: self.unstable,
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Task {
                slot,
                generation,
                event,
            } => self.deliver(slot, generation, event),
            Ev::Arrival { class } => self.arrival(class as usize),
            Ev::Wake { class, agent } => self.start_task(class as usize, agent),
            Ev::MeasureOn => self.set_measuring(true),
            Ev::MeasureOff => {
                self.set_measuring(false);
                self.t1 = Some(self.queue.now());
                self.measure_closed = true;
            }
            Ev::LinkJoin { request } => self.link_join(request),
            Ev::LinkCheck { link, version } => self.link_check(link as usize, version),
            Ev::OwnWorkDone { request } => {
                let r = self.requests[request as usize];
                if !r.abandoned {
                    self.answer(request, r.outcome);
                }
                self.free_request(request);
            }
            Ev::ServiceDone { pool, request } => self.service_done(pool as usize, request),
            Ev::Iteration { pool, server } => self.iteration_done(pool as usize, server as usize),
            Ev::TokenRefill { pool } => {
                self.pools[pool as usize].refill_scheduled = false;
                self.dispatch(pool as usize);
            }
            Ev::Timeout { request, serial } => self.timeout(request, serial),
            Ev::Guard { pool, change } => self.guard_event(pool as usize, change),
        }
    }

    /// Turns measurement on or off, closing every time integral at the switch.
    fn set_measuring(&mut self, on: bool) {
        let now = self.queue.now();
        for p in &mut self.pools {
            p.advance_all(now, self.measuring);
        }
        for l in &mut self.links {
            l.advance_all(now, self.measuring);
        }
        self.measuring = on;
        if on {
            self.t0 = now;
        }
    }

    fn schedule_next_arrival(&mut self, class: usize) {
        let c = &mut self.classes[class];
        let peak = c.view.arrivals.peak_rate();
        if peak <= 0.0 {
            return;
        }
        let gap: f64 = Exp1.sample(&mut c.arrival_rng);
        let class = class as u32;
        self.queue.schedule_in(gap / peak, Ev::Arrival { class });
    }

    fn arrival(&mut self, class: usize) {
        let now = self.queue.now();
        let c = &mut self.classes[class];
        let accept = c.view.arrivals.rate_at(now) / c.view.arrivals.peak_rate();
        if accept >= 1.0 || c.arrival_rng.random::<f64>() < accept {
            self.start_task(class, u32::MAX);
        }
        self.schedule_next_arrival(class);
    }

    /// True when `class`'s admission rule refuses a task arriving now.
    fn sheds(&self, class: usize) -> bool {
        self.classes[class]
            .view
            .head
            .shed
            .is_some_and(|s| self.pools[s.pool].live_queue > s.queue_above)
    }

    /// Starts a new task of `class` (for closed-workload `agent`, or
    /// `u32::MAX` for an arrival), unless the class's admission rule sheds it.
    fn start_task(&mut self, class: usize, agent: u32) {
        let now = self.queue.now();
        let index = self.started;
        self.started += 1;
        let class_index = self.classes[class].started;
        self.classes[class].started += 1;
        let window = TaskWindow::at_start(&self.workload.window, index, self.measuring);
        if window.opens {
            self.set_measuring(true);
        }
        if window.closes {
            self.measure_closed = true;
        }
        let measured = window.measured;
        if measured {
            self.classes[class].figures.arrivals += 1;
        }
        if self.sheds(class) {
            if measured {
                self.classes[class].figures.shed += 1;
            }
            self.close_task_window(measured, now);
            self.next_for_agent(class, agent, now);
            return;
        }
        if measured {
            self.measured_started += 1;
            self.measured_pending += 1;
        }
        self.in_flight += 1;
        if self.in_flight > self.workload.max_in_flight {
            self.unstable = Some(self.instability_report());
            return;
        }
        let slot = match self.classes[class].free_slots.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot {
                    task: TaskState::new(self.classes[class].view.model),
                    generation: 0,
                    active: false,
                    measured: false,
                    started_at: 0.0,
                    agent: u32::MAX,
                    index: 0,
                    start_order: 0,
                    watched: false,
                    class: class as u32,
                });
                (self.slots.len() - 1) as u32
            }
        };
        // Traces name steps by the scenario's own graph: they watch class 0.
        let watched = self
            .observer
            .as_deref_mut()
            .is_some_and(|o| class == 0 && o.started(index, measured, now));
        let s = &mut self.slots[slot as usize];
        s.active = true;
        s.measured = measured;
        s.started_at = now;
        s.agent = agent;
        s.index = class_index;
        s.start_order = index;
        s.watched = watched;
        let c = &mut self.classes[class];
        let counters = if measured {
            &mut c.figures.acc.execs
        } else {
            &mut c.scratch
        };
        s.task.begin(c.seed.task(class_index), counters);
        self.after_task_step(slot);
        self.close_task_window(measured, now);
    }

    /// Ends the measurement of a task window once its last task has started.
    fn close_task_window(&mut self, measured: bool, now: f64) {
        if measured
            && matches!(self.workload.window, Window::Tasks { .. })
            && self.measure_closed
            && self.t1.is_none()
        {
            self.t1 = Some(now);
            self.set_measuring(false);
        }
    }

    /// A closed-workload agent whose task ended (or was shed) at `now`
    /// thinks, then starts its next task.
    fn next_for_agent(&mut self, class: usize, agent: u32, now: f64) {
        let c = &mut self.classes[class];
        if let Arrivals::Closed { think, .. } = c.view.arrivals {
            if let Some(why) = self.standstill.task_ended(now, self.agents) {
                self.unstable = Some(why);
            }
            let pause = think.sample(&mut c.think_rng);
            let class = class as u32;
            self.queue.schedule_in(pause, Ev::Wake { class, agent });
        }
    }

    fn instability_report(&self) -> String {
        super::unstable::instability_report(
            self.model,
            self.workload,
            &self.pools,
            self.queue.now(),
        )
    }

    fn deliver(&mut self, slot: u32, generation: u32, event: Event) {
        let s = &mut self.slots[slot as usize];
        if !s.active || s.generation != generation {
            return;
        }
        let c = &mut self.classes[s.class as usize];
        let counters = if s.measured {
            &mut c.figures.acc.execs
        } else {
            &mut c.scratch
        };
        s.task.on_event(event, counters);
        if s.watched
            && let Some(o) = self.observer.as_deref_mut()
        {
            o.delivered(s.start_order, &event, &mut s.task, self.queue.now());
        }
        let age = self.queue.now() - s.started_at;
        if let Some(limit) = self.model.limits.exceeded(s.task.events(), age) {
            let mut r = s.task.stop_runaway(limit, age);
            r.task = s.index;
            c.figures.acc.note_runaway(r);
        }
        self.after_task_step(slot);
    }

    /// Carries out what the task asked for, and retires it if it is done.
    fn after_task_step(&mut self, slot: u32) {
        let generation = self.slots[slot as usize].generation;
        let (watched, index) = (
            self.slots[slot as usize].watched,
            self.slots[slot as usize].start_order,
        );
        let mut outbox = std::mem::take(self.slots[slot as usize].task.outbox());
        for out in outbox.drain(..) {
            // Answering an acquisition can finish the task at once (a rejection
            // with no retry left); what it asked for after that is moot.
            if !self.slots[slot as usize].active
                || self.slots[slot as usize].generation != generation
            {
                continue;
            }
            if watched && let Some(o) = self.observer.as_deref_mut() {
                o.asked(index, &out, self.queue.now());
            }
            match out {
                Outgoing::Schedule(delay, event) => self.queue.schedule_in(
                    delay,
                    Ev::Task {
                        slot,
                        generation,
                        event,
                    },
                ),
                Outgoing::Acquire(req) => self.acquire(slot, generation, req),
                Outgoing::Cancel { exec, epoch } => self.cancel(slot, generation, exec, epoch),
            }
        }
        *self.slots[slot as usize].task.outbox() = outbox;
        let s = &mut self.slots[slot as usize];
        if !s.active || s.generation != generation {
            return; // retired while its requests were carried out
        }
        let Some(outcome) = s.task.outcome() else {
            return;
        };
        let now = self.queue.now();
        let class = s.class as usize;
        let c = &mut self.classes[class];
        let counters = if s.measured {
            &mut c.figures.acc.execs
        } else {
            &mut c.scratch
        };
        let result = s.task.finish(now - s.started_at, counters);
        if s.watched
            && let Some(o) = self.observer.as_deref_mut()
        {
            o.finished(s.start_order, s.started_at, &result);
        }
        if s.measured {
            c.figures.acc.record(&result);
            self.measured_pending -= 1;
            if self.model.meters_energy() {
                self.output_tokens += u128::from(result.output_tokens);
            }
        }
        if self.measuring {
            self.completions += 1;
            c.figures.completions += 1;
            if outcome == TaskOutcome::Correct {
                self.correct_completions += 1;
                c.figures.correct_completions += 1;
                for (j, &x) in self.model.slo.iter().enumerate() {
                    let within = u64::from(result.latency <= x);
                    self.correct_within_slo[j] += within;
                    c.figures.correct_within_slo[j] += within;
                }
            }
        }
        s.active = false;
        s.generation = s.generation.wrapping_add(1);
        let agent = s.agent;
        c.free_slots.push(slot);
        self.in_flight -= 1;
        self.next_for_agent(class, agent, now);
    }

    fn acquire(&mut self, slot: u32, generation: u32, req: Acquire) {
        let class = self.slots[slot as usize].class as usize;
        let class_priority = self.classes[class].view.head.priority;
        let request = self.new_request(Request {
            class_priority,
            slot,
            generation,
            exec: req.exec as u32,
            epoch: req.epoch,
            branch: req.branch,
            outcome: req.outcome,
            work: req.work,
            resource: req.resource,
            serial: 0,
            answered: false,
            abandoned: false,
            queued: false,
            arrived_pool: 0.0,
            in_window: false,
            remaining: 0,
            joined_link: 0.0,
            link_in_window: false,
        });
        if let Some(timeout) = req.timeout {
            let serial = self.requests[request as usize].serial;
            self.queue
                .schedule_in(timeout, Ev::Timeout { request, serial });
        }
        match req.resource.transfer {
            Some(t) => {
                let latency = self.model.links[t.link].latency;
                self.queue.schedule_in(latency, Ev::LinkJoin { request });
            }
            None => self.after_transfer(request),
        }
    }

    /// The next stage after a transfer (or at once without one): the pool, or own work.
    pub(super) fn after_transfer(&mut self, request: u32) {
        let r = self.requests[request as usize];
        if r.abandoned {
            self.free_request(request);
            return;
        }
        match r.resource.pool {
            Some(pool) => self.pool_arrive(pool, request),
            None => {
                self.note_served(request);
                self.queue.schedule_in(r.work, Ev::OwnWorkDone { request })
            }
        }
    }

    /// Tells the task how its attempt ended (once).
    pub(super) fn answer(&mut self, request: u32, outcome: AttemptOutcome) {
        let r = &mut self.requests[request as usize];
        if r.answered {
            return;
        }
        r.answered = true;
        let (slot, generation) = (r.slot, r.generation);
        if let Some(pool) = r.resource.pool
            && self.pools[pool].guard.is_some()
        {
            self.guard_answered(pool, request, outcome);
        }
        let r = &self.requests[request as usize];
        let event = Event::AttemptEnd {
            exec: r.exec as usize,
            epoch: r.epoch,
            branch: r.branch,
            outcome,
        };
        self.deliver(slot, generation, event);
    }

    /// The task gave up its unanswered request of `exec` made in `epoch` (a
    /// hedged copy that lost): abandoned as at a timeout, without an answer.
    /// A request with a transfer is left to run (it may be on its link or
    /// in its pool, which the request does not record).
    fn cancel(&mut self, slot: u32, generation: u32, exec: usize, epoch: u32) {
        let found = self.requests.iter().position(|r| {
            r.slot == slot
                && r.generation == generation
                && r.exec as usize == exec
                && r.epoch == epoch
                && !r.answered
        });
        let Some(request) = found else {
            return;
        };
        let r = self.requests[request];
        if r.resource.transfer.is_some() {
            return;
        }
        let r = &mut self.requests[request];
        r.answered = true;
        r.abandoned = true;
        if let Some(pool) = r.resource.pool {
            self.pool_abandon(pool, request as u32);
        }
    }

    fn timeout(&mut self, request: u32, serial: u32) {
        let r = self.requests[request as usize];
        if r.serial != serial || r.answered {
            return;
        }
        self.requests[request as usize].abandoned = true;
        if let Some(pool) = r.resource.pool {
            self.pool_abandon(pool, request);
        }
        self.answer(request, AttemptOutcome::Timeout);
    }

    fn new_request(&mut self, mut r: Request) -> u32 {
        match self.free_requests.pop() {
            Some(i) => {
                r.serial = self.requests[i as usize].serial.wrapping_add(1);
                self.requests[i as usize] = r;
                i
            }
            None => {
                self.requests.push(r);
                (self.requests.len() - 1) as u32
            }
        }
    }

    /// Returns a request's slab entry once it has left every resource.
    pub(super) fn free_request(&mut self, request: u32) {
        let r = &mut self.requests[request as usize];
        r.serial = r.serial.wrapping_add(1);
        self.free_requests.push(request);
    }
}
