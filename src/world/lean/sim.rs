//! The lean world's replication: arrivals, the measurement window, tasks
//! and their one step (attempts, retries, outcome), in the order the
//! general world (`world/sim.rs`) takes them.

use std::sync::atomic::AtomicBool;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::SplitMix64;

use super::Plan;
use super::ahead::{ArrivalGaps, FirstAttempts};
use crate::engine::EventQueue;
use crate::model::{Arrivals, AttemptOutcome, Model, Window, Workload};
use crate::seed::ReplicationSeed;
use crate::stats::Accumulator;
use crate::stats::accumulator::{cost_pusd, latency_ns};
use crate::stats::hist_buffer::HistogramBuffer;
use crate::stats::replication::{PoolFigures, Replication};
use crate::task::{ExecCounters, Runaway, TaskOutcome};
use crate::world::TaskWindow;
use crate::world::pool_state::PoolState;
use crate::world::standstill::Standstill;
use crate::world::unstable::instability_report;

/// Events of the lean world: 8 bytes, so a queue entry is 24.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ev {
    /// The next open-workload arrival (a candidate, thinned by the schedule).
    Arrival,
    /// A closed-workload agent starts its next task.
    Wake { agent: u32 },
    /// Measurement starts (time windows).
    MeasureOn,
    /// Measurement stops (time windows).
    MeasureOff,
    /// The pool finished serving the attempt of the task in `slot`.
    ServiceDone { slot: u32 },
    /// The backoff of the task in `slot` ended: its next attempt starts.
    Retry { slot: u32 },
}

/// One task in flight, which is also its one attempt's request: everything
/// a task touches in one record (80 bytes), reused from task
/// to task without reset beyond these fields.
#[derive(Debug, Clone)]
pub(super) struct Task {
    /// The step's stream in this task.
    pub(super) rng: SplitMix64,
    pub(super) started_at: f64,
    /// When the current attempt reached the pool.
    pub(super) arrived_pool: f64,
    /// The current attempt's work and drawn outcome.
    pub(super) work: f64,
    pub(super) outcome: AttemptOutcome,
    /// The current attempt reached the pool in the measurement window.
    pub(super) in_window: bool,
    pub(super) measured: bool,
    pub(super) attempts: u32,
    /// Events delivered to the task (for the runaway limit).
    pub(super) events: u64,
    pub(super) cost_usd: f64,
    pub(super) tokens: u64,
    pub(super) agent: u32,
    /// The task's start order in the replication.
    pub(super) index: u64,
}

// The record stays within 80 bytes (README: memory per task in flight).
const _: () = assert!(std::mem::size_of::<Task>() <= 80);

/// One replication on the lean world.
pub(super) struct LeanWorld<'m> {
    pub(super) plan: Plan<'m>,
    model: &'m Model,
    workload: &'m Workload,
    pub(super) queue: EventQueue<Ev>,
    pub(super) tasks: Vec<Task>,
    free_slots: Vec<u32>,
    /// The pool the step uses (its place in `pools` holds an unused copy
    /// until the end: one field, not an index, on the path of every event).
    pub(super) pool: PoolState,
    /// Every pool of the model, in order.
    pools: Vec<PoolState>,
    pub(super) acc: Accumulator,
    /// Measured task latencies and the pool's waits, in nanoseconds, until
    /// `finish` hands them to their histograms (`acc`, the pool's figures).
    latencies_ns: HistogramBuffer,
    pub(super) waits_ns: HistogramBuffer,
    /// Counters of tasks outside the window (discarded).
    scratch: ExecCounters,
    arrival_rng: SplitMix64,
    /// The gaps of an open workload whose rate never changes (then every
    /// candidate arrival is a task), drawn ahead from the arrival stream.
    gaps: Option<ArrivalGaps>,
    think_rng: SplitMix64,
    /// The open workload's peak rate (the thinning bound).
    peak_rate: f64,
    first_attempts: FirstAttempts<'m>,
    /// The cost of a task of one attempt in pico-dollars (`0 + cost`, as a task sums it).
    first_attempt_pusd: u128,
    started: u64,
    in_flight: u64,
    pub(super) measuring: bool,
    t0: f64,
    t1: Option<f64>,
    measured_started: u64,
    measured_pending: u64,
    measure_closed: bool,
    /// The replication is over: unstable, a runaway task, or the window
    /// closed with every measured task ended (set where each can happen,
    /// so the event loop tests one flag).
    finished: bool,
    completions: u64,
    correct_completions: u64,
    correct_within_slo: Vec<u64>,
    unstable: Option<String>,
    standstill: Standstill,
    stop: Option<&'m AtomicBool>,
}

impl<'m> LeanWorld<'m> {
    /// A lean world for one replication of `model` under `workload`.
    pub(super) fn new(
        plan: Plan<'m>,
        model: &'m Model,
        workload: &'m Workload,
        rep_seed: ReplicationSeed,
        stop: Option<&'m AtomicBool>,
    ) -> Self {
        let arrival_rng = SplitMix64::seed_from_u64(rep_seed.arrivals());
        let peak_rate = workload.arrivals.peak_rate();
        let gaps = constant_rate(&workload.arrivals)
            .then(|| ArrivalGaps::new(arrival_rng.clone(), peak_rate));
        LeanWorld {
            plan,
            model,
            workload,
            queue: EventQueue::new(),
            tasks: Vec::new(),
            free_slots: Vec::new(),
            pool: PoolState::new(plan.pool),
            pools: model.pools.iter().map(PoolState::new).collect(),
            acc: Accumulator::new(model.exec_count()),
            latencies_ns: HistogramBuffer::new(),
            waits_ns: HistogramBuffer::new(),
            scratch: ExecCounters::default(),
            arrival_rng,
            gaps,
            think_rng: SplitMix64::seed_from_u64(rep_seed.think()),
            peak_rate,
            first_attempt_pusd: cost_pusd(0.0 + plan.step.cost.usd),
            first_attempts: FirstAttempts::new(plan.step, plan.pool, rep_seed.tasks(), plan.key),
            started: 0,
            in_flight: 0,
            measuring: false,
            t0: 0.0,
            t1: None,
            measured_started: 0,
            measured_pending: 0,
            measure_closed: false,
            finished: false,
            completions: 0,
            correct_completions: 0,
            correct_within_slo: vec![0; model.slo.len()],
            unstable: None,
            standstill: Standstill::default(),
            stop,
        }
    }

    /// Runs the replication to the end of its measurement window.
    pub(super) fn run(mut self) -> Replication {
        match &self.workload.arrivals {
            Arrivals::Open { .. } => self.schedule_next_arrival(),
            Arrivals::Closed { agents, .. } => {
                for agent in 0..*agents {
                    self.queue.schedule_in(0.0, Ev::Wake { agent });
                }
            }
        }
        if let Window::Time { warmup, duration } = self.workload.window {
            self.queue.schedule_at(warmup, Ev::MeasureOn);
            self.queue.schedule_at(warmup + duration, Ev::MeasureOff);
        }
        while let Some((_, ev)) = self.queue.pop() {
            self.handle(ev);
            if self.finished {
                break;
            }
            if super::super::stop_requested(self.queue.events_processed(), self.stop) {
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
        self.latencies_ns.drain_into(&mut self.acc.latency_ns);
        self.waits_ns.drain_into(&mut self.pool.figures.waits_ns);
        std::mem::swap(&mut self.pools[self.plan.pool_index], &mut self.pool);
        Replication {
            acc: self.acc,
            span,
            started: self.measured_started,
            completions: self.completions,
            correct_completions: self.correct_completions,
            correct_within_slo: self.correct_within_slo,
            // The lean world refuses models that meter energy (`Plan::of`).
            output_tokens: 0,
            pools: self
                .pools
                .into_iter()
                .map(|p| p.figures)
                .collect::<Vec<PoolFigures>>(),
            links: Vec::new(),
            classes: Vec::new(),
            events: self.queue.events_processed(),
            end_time: now,
            unstable: self.unstable,
        }
    }

    #[inline]
    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::ServiceDone { slot } => self.service_done(slot),
            Ev::Arrival => self.arrival(),
            Ev::Wake { agent } => self.start_task(agent),
            Ev::Retry { slot } => self.retry(slot),
            Ev::MeasureOn => self.set_measuring(true),
            Ev::MeasureOff => {
                self.set_measuring(false);
                self.t1 = Some(self.queue.now());
                self.measure_closed = true;
                self.note_if_measured_all();
            }
        }
    }

    /// Turns measurement on or off, closing every time integral at the switch.
    pub(super) fn set_measuring(&mut self, on: bool) {
        let now = self.queue.now();
        // In the model's order, as the general world (the unused copy too: it is replaced).
        for p in &mut self.pools {
            p.advance_all(now, self.measuring);
        }
        self.pool.advance_all(now, self.measuring);
        self.measuring = on;
        if on {
            self.t0 = now;
        }
    }

    /// Ends the replication once the window has closed and every measured task has ended.
    fn note_if_measured_all(&mut self) {
        if self.measure_closed && self.measured_pending == 0 {
            self.finished = true;
        }
    }

    fn schedule_next_arrival(&mut self) {
        let delay = match &mut self.gaps {
            Some(gaps) => gaps.next_gap(),
            None => {
                let peak = self.peak_rate;
                if peak <= 0.0 {
                    return;
                }
                let gap: f64 = Exp1.sample(&mut self.arrival_rng);
                gap / peak
            }
        };
        // Arrivals are scheduled one at a time: the queue's serial stream holds them.
        self.queue.schedule_serial_in(delay, Ev::Arrival);
    }

    fn arrival(&mut self) {
        // A constant rate r gives r / r = 1 exactly: no thinning draw.
        let accept = if self.gaps.is_some() {
            1.0
        } else {
            self.workload.arrivals.rate_at(self.queue.now()) / self.peak_rate
        };
        if accept >= 1.0 || self.arrival_rng.random::<f64>() < accept {
            self.start_task(u32::MAX);
        }
        self.schedule_next_arrival();
    }

    /// Starts a new task (for closed-workload `agent`, or `u32::MAX` for an arrival).
    #[inline(always)]
    fn start_task(&mut self, agent: u32) {
        let now = self.queue.now();
        let index = self.started;
        self.started += 1;
        let window = TaskWindow::at_start(&self.workload.window, index, self.measuring);
        if window.opens {
            self.set_measuring(true);
        }
        if window.closes {
            self.measure_closed = true;
        }
        let measured = window.measured;
        if measured {
            self.measured_started += 1;
            self.measured_pending += 1;
        }
        self.in_flight += 1;
        if self.in_flight > self.workload.max_in_flight {
            let index = self.plan.pool_index;
            std::mem::swap(&mut self.pools[index], &mut self.pool);
            self.unstable = Some(instability_report(
                self.model,
                self.workload,
                &self.pools,
                now,
            ));
            std::mem::swap(&mut self.pools[index], &mut self.pool);
            self.finished = true;
            return;
        }
        // The first attempt, drawn ahead, and counted as `charge_attempt` counts one.
        let first = self.first_attempts.of(index);
        let step = self.plan.step;
        // The counters `counters` would choose, chosen by a branch: taking
        // a reference to either (as `counters` does) costs this hot path 12
        // instructions per customer.
        if measured {
            self.acc.execs[0].attempts += 1;
        } else {
            self.scratch.attempts += 1;
        }
        let task = Task {
            rng: first.rng,
            started_at: now,
            arrived_pool: 0.0,
            work: first.work,
            outcome: first.outcome,
            in_window: false,
            measured,
            attempts: 1,
            events: 0,
            cost_usd: 0.0 + step.cost.usd,
            tokens: step.cost.tokens,
            agent,
            index,
        };
        let slot = match self.free_slots.pop() {
            Some(s) => {
                self.tasks[s as usize] = task;
                s
            }
            None => {
                self.tasks.push(task);
                (self.tasks.len() - 1) as u32
            }
        };
        self.pool_arrive(slot);
        if measured
            && matches!(self.workload.window, Window::Tasks { .. })
            && self.measure_closed
            && self.t1.is_none()
        {
            self.t1 = Some(now);
            self.set_measuring(false);
        }
        if window.closes {
            self.note_if_measured_all();
        }
    }

    /// The counters the task in `slot` adds to (measured or discarded).
    #[inline]
    fn counters(&mut self, slot: u32) -> &mut ExecCounters {
        if self.tasks[slot as usize].measured {
            &mut self.acc.execs[0]
        } else {
            &mut self.scratch
        }
    }

    /// Counts an attempt of the task's step and its cost.
    #[inline]
    fn charge_attempt(&mut self, slot: u32) {
        let step = self.plan.step;
        self.counters(slot).attempts += 1;
        let t = &mut self.tasks[slot as usize];
        t.attempts += 1;
        t.cost_usd += step.cost.usd;
        t.tokens += step.cost.tokens;
    }

    /// Begins a retry of the task's step: counts it and draws its latency,
    /// outcome and work from the task's stream in the order the task state
    /// machine draws them (a first attempt's draws were made ahead).
    fn begin_retry(&mut self, slot: u32) {
        self.charge_attempt(slot);
        let (step, pool) = (self.plan.step, self.plan.pool);
        let t = &mut self.tasks[slot as usize];
        // As the task state machine: the own latency plus a loop's growth (none here).
        let own = step.latency.sample(&mut t.rng) + 0.0;
        t.outcome = step.outcome.draw(&mut t.rng);
        t.work = pool.draw_work(step, own, &mut t.rng);
    }

    /// The backoff of a task ended: its next attempt goes to the pool.
    fn retry(&mut self, slot: u32) {
        self.tasks[slot as usize].events += 1;
        self.begin_retry(slot);
        if self.note_runaway(slot) {
            self.end_task(slot, TaskOutcome::Loud);
            return;
        }
        self.pool_arrive(slot);
    }

    /// The task's attempt ended with `outcome` (its drawn one, or a rejection):
    /// the task ends, or a retry is scheduled after its backoff.
    #[inline]
    pub(super) fn attempt_ended(&mut self, slot: u32, outcome: AttemptOutcome) {
        if outcome == AttemptOutcome::Ok {
            // The common case in line: the task is correct (a runaway is noted too).
            self.tasks[slot as usize].events += 1;
            self.note_runaway(slot);
            self.end_task(slot, TaskOutcome::Correct);
        } else {
            self.attempt_failed(slot, outcome);
        }
    }

    /// The task's attempt failed (loud, silent or timed out): the task ends,
    /// or a retry is scheduled after its backoff (an `Ok` ends it correct).
    #[inline(never)]
    fn attempt_failed(&mut self, slot: u32, outcome: AttemptOutcome) {
        self.tasks[slot as usize].events += 1;
        let step = self.plan.step;
        let mut retry_after = None;
        let mut decided = match outcome {
            AttemptOutcome::Loud | AttemptOutcome::Timeout => {
                let c = self.counters(slot);
                c.loud += 1;
                if outcome == AttemptOutcome::Timeout {
                    c.timeouts += 1;
                }
                let t = &mut self.tasks[slot as usize];
                if t.attempts <= step.retry.max_retries {
                    retry_after = Some(step.retry.delay_before(t.attempts, &mut t.rng));
                    None
                } else {
                    self.counters(slot).exhausted += 1;
                    Some(TaskOutcome::Loud)
                }
            }
            AttemptOutcome::Silent => {
                self.counters(slot).silent += 1;
                Some(TaskOutcome::Silent)
            }
            AttemptOutcome::Ok => Some(TaskOutcome::Correct),
        };
        if self.note_runaway(slot) {
            decided = decided.or(Some(TaskOutcome::Loud));
        }
        match (decided, retry_after) {
            (Some(outcome), _) => self.end_task(slot, outcome),
            (None, Some(delay)) => self.queue.schedule_in(delay, Ev::Retry { slot }),
            (None, None) => unreachable!("an attempt ends the task or retries"),
        }
    }

    /// Checks the task against the model's limits after an event; a task
    /// past one is noted as a runaway (and the run stops after this event).
    fn note_runaway(&mut self, slot: u32) -> bool {
        let t = &self.tasks[slot as usize];
        let age = self.queue.now() - t.started_at;
        let Some(limit) = self.model.limits.exceeded(t.events, age) else {
            return false;
        };
        self.acc.note_runaway(Runaway {
            limit,
            events: t.events,
            time: age,
            gate: None,
            busiest: (t.attempts > 0).then_some((0, t.attempts)),
            task: t.index,
        });
        self.finished = true;
        true
    }

    /// Records the task's result and frees its slot; a closed-workload agent
    /// thinks, then starts its next task.
    #[inline(always)]
    fn end_task(&mut self, slot: u32, outcome: TaskOutcome) {
        let now = self.queue.now();
        if outcome == TaskOutcome::Silent {
            self.counters(slot).silent_reached_user += 1;
        }
        let t = &self.tasks[slot as usize];
        let latency = now - t.started_at;
        let (measured, agent) = (t.measured, t.agent);
        if measured {
            // The accumulator's rule (`record_totals`), the cost of a
            // one-attempt task converted once for all.
            let ns = latency_ns(latency);
            let pusd = if t.attempts == 1 {
                self.first_attempt_pusd
            } else {
                cost_pusd(t.cost_usd)
            };
            // No deadline: refused by `Plan::of`.
            self.acc.record_counted(outcome, false, ns, pusd, t.tokens);
            self.latencies_ns.record(ns);
            self.measured_pending -= 1;
            self.note_if_measured_all();
        }
        if self.measuring {
            self.completions += 1;
            if outcome == TaskOutcome::Correct {
                self.correct_completions += 1;
                for (n, &x) in self.correct_within_slo.iter_mut().zip(&self.model.slo) {
                    *n += u64::from(latency <= x);
                }
            }
        }
        self.free_slots.push(slot);
        self.in_flight -= 1;
        if let Arrivals::Closed { think, agents } = &self.workload.arrivals {
            if let Some(why) = self.standstill.task_ended(now, *agents) {
                self.unstable = Some(why);
                self.finished = true;
            }
            let pause = think.sample(&mut self.think_rng);
            self.queue.schedule_in(pause, Ev::Wake { agent });
        }
    }
}

/// True when an open workload's rate is one finite positive value from time 0
/// on (a schedule of one step starting at or before 0).
fn constant_rate(arrivals: &Arrivals) -> bool {
    match arrivals {
        Arrivals::Open { schedule, .. } => {
            matches!(schedule.as_slice(), [(start, rate)] if *start <= 0.0 && rate.is_finite() && *rate > 0.0)
        }
        Arrivals::Closed { .. } => false,
    }
}
