//! Hosting one task at a time on a private event queue: independent trials.

use super::{Acquire, Event, ExecCounters, Outgoing, TaskGuards, TaskState, TrialResult};
use crate::engine::EventQueue;
use crate::model::{AttemptOutcome, Model};
use crate::seed::TaskSeed;

/// Reusable workspace that simulates independent tasks of one model.
///
/// Shared resources are uncontended here (one task alone): a step that uses
/// a pool takes its service time, a transfer takes latency + bytes/bandwidth;
/// a pool's outages and breaker are the task's own ([`TaskGuards`]).
pub struct TaskSim<'m> {
    model: &'m Model,
    task: TaskState<'m>,
    queue: EventQueue<Event>,
    /// Pools' outages and breakers as the current task sees them.
    guards: TaskGuards<'m>,
}

impl<'m> TaskSim<'m> {
    /// The model it simulates.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// A workspace for `model`; allocate once, run many trials.
    pub fn new(model: &'m Model) -> Self {
        TaskSim {
            model,
            task: TaskState::new(model),
            queue: EventQueue::new(),
            guards: TaskGuards::new(model),
        }
    }

    /// Draws failures with `bias` (importance sampling) from the next task on.
    pub fn set_bias(&mut self, bias: Option<super::bias::FailureBias>) {
        self.task.set_bias(bias);
    }

    /// The likelihood ratio of the last task's draws (1 without biasing).
    pub fn weight(&self) -> f64 {
        self.task.weight()
    }

    /// Simulates one task whose random streams derive from `seed`, adding
    /// per-exec figures into `counters` (which must have `model.exec_count()` entries).
    pub fn run(&mut self, seed: TaskSeed, counters: &mut [ExecCounters]) -> TrialResult {
        self.run_again(seed, 0, counters)
    }

    /// Simulates run `run` of the task seeded by `seed` (pass^k): it shares
    /// the task-level draws of run 0, which must have been the previous call
    /// on this workspace for this task, and draws its attempts afresh.
    pub fn run_again(
        &mut self,
        seed: TaskSeed,
        run: u32,
        counters: &mut [ExecCounters],
    ) -> TrialResult {
        self.queue.reset();
        self.task.begin_run(seed, run, counters);
        self.guards.begin(seed.run(run));
        let mut runaway = None;
        loop {
            self.carry_out();
            if self.task.outcome().is_some() {
                break;
            }
            let Some((now, event)) = self.queue.pop() else {
                // Every path ends in a sink or a failure, so an empty queue
                // without an outcome means the model was not validated.
                debug_assert!(false, "task stalled without an outcome");
                self.task.stall();
                break;
            };
            if let Some(limit) = self.model.limits.exceeded(self.task.events() + 1, now) {
                runaway = Some(self.task.stop_runaway(limit, now));
                break;
            }
            self.task.on_event(event, counters);
        }
        let mut result = self.task.finish(self.queue.now(), counters);
        result.runaway = runaway;
        result
    }

    fn carry_out(&mut self) {
        for out in self.task.outbox().drain(..) {
            match out {
                Outgoing::Schedule(delay, event) => self.queue.schedule_in(delay, event),
                Outgoing::Acquire(req) => {
                    let now = self.queue.now();
                    let (delay, event) = self
                        .guards
                        .attempt(now, &req)
                        .unwrap_or_else(|| uncontended(self.model, &req));
                    self.queue.schedule_in(delay, event);
                }
                // Alone, a cancelled request holds nothing; its answer is stale.
                Outgoing::Cancel { .. } => {}
            }
        }
    }
}

/// How long an attempt on idle resources takes, and how it ends (timeout applied).
pub fn uncontended(model: &Model, req: &Acquire) -> (f64, Event) {
    let transfer = req.resource.transfer.map_or(0.0, |t| {
        let link = &model.links[t.link];
        link.latency + t.bytes / link.bandwidth
    });
    let work = match req.resource.pool {
        Some(p) => model.pools[p].uncontended_time(req.work),
        None => req.work,
    };
    let total = transfer + work;
    let (delay, outcome) = match req.timeout {
        Some(limit) if total > limit => (limit, AttemptOutcome::Timeout),
        _ => (total, req.outcome),
    };
    let event = Event::AttemptEnd {
        exec: req.exec,
        epoch: req.epoch,
        branch: req.branch,
        outcome,
    };
    (delay, event)
}
