//! Replaying one trial of a model and keeping every attempt as a span.
//!
//! The trial is simulated exactly as [`crate::task::TaskSim`] simulates it
//! (same task logic, same streams, same host rules for uncontended
//! resources), so a recorded task is the very task the run counted; the
//! host here also tells a [`SpanBook`] when each attempt and backoff
//! started and ended.

use super::book::SpanBook;
use super::span::TaskTrace;
use crate::engine::EventQueue;
use crate::model::Model;
use crate::seed::TaskSeed;
use crate::task::{Event, ExecCounters, Outgoing, TaskState, uncontended};

/// A workspace that records trials of one model.
pub struct Recorder<'m> {
    model: &'m Model,
    task: TaskState<'m>,
    queue: EventQueue<Event>,
    scratch: Vec<ExecCounters>,
    book: SpanBook,
}

impl<'m> Recorder<'m> {
    /// A recorder for `model`.
    pub fn new(model: &'m Model) -> Self {
        let n = model.exec_count();
        Recorder {
            model,
            task: TaskState::new(model),
            queue: EventQueue::new(),
            scratch: vec![ExecCounters::default(); n],
            book: SpanBook::new(n),
        }
    }

    /// Records run `run` of trial `trial` seeded by `seed`; runs of one
    /// task must be recorded in order from 0 (they share its task-level draws).
    /// A task stopped at a runaway limit is recorded up to the stop, as a loud failure.
    pub fn record(&mut self, seed: TaskSeed, trial: u64, run: u32) -> TaskTrace {
        self.queue.reset();
        self.book.reset();
        self.task.begin_run(seed, run, &mut self.scratch);
        loop {
            self.carry_out();
            if self.task.outcome().is_some() {
                break;
            }
            let Some((now, event)) = self.queue.pop() else {
                self.task.stall();
                break;
            };
            if let Some(limit) = self.model.limits.exceeded(self.task.events() + 1, now) {
                self.task.stop_runaway(limit, now);
                break;
            }
            self.book.delivered(&event, now);
            self.task.on_event(event, &mut self.scratch);
            if let Some(d) = self.task.take_gate_decision() {
                self.book.gate(self.model, d, now);
            }
        }
        let latency = self.queue.now();
        let result = self.task.finish(latency, &mut self.scratch);
        TaskTrace {
            task: trial,
            arrival: None,
            run,
            outcome: result.outcome,
            latency,
            cost_usd: result.cost_usd,
            tokens: result.tokens,
            silent_origin: result.silent_origin,
            spans: self.book.finish(latency),
        }
    }

    fn carry_out(&mut self) {
        let now = self.queue.now();
        let mut outbox = std::mem::take(self.task.outbox());
        for out in &outbox {
            let (delay, event, wait) = match *out {
                Outgoing::Schedule(delay, event) => (delay, event, 0.0),
                Outgoing::Acquire(req) => {
                    let (delay, event) = uncontended(self.model, &req);
                    let wait = req.resource.transfer.map_or(0.0, |t| {
                        let link = &self.model.links[t.link];
                        link.latency + t.bytes / link.bandwidth
                    });
                    (delay, event, wait.min(delay))
                }
            };
            self.book.open(&event, now, Some(now + delay), Some(wait));
            self.queue.schedule_in(delay, event);
        }
        outbox.clear();
        *self.task.outbox() = outbox;
    }
}
