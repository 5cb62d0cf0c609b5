//! Replaying one trial of a model and keeping every attempt as a span.
//!
//! The trial is simulated exactly as [`crate::task::TaskSim`] simulates it
//! (same task logic, same streams, same host rules for uncontended
//! resources), so a recorded task is the very task the run counted; the
//! host here also notes when each attempt and backoff started and ended.

use super::span::{AttemptEnd, GateCall, SpanWhat, StepSpan, TaskTrace};
use crate::engine::EventQueue;
use crate::model::{AttemptOutcome, Model};
use crate::seed::TaskSeed;
use crate::task::{Event, ExecCounters, Outgoing, TaskState, uncontended};

/// A workspace that records trials of one model.
pub struct Recorder<'m> {
    model: &'m Model,
    task: TaskState<'m>,
    queue: EventQueue<Event>,
    scratch: Vec<ExecCounters>,
    /// Per exec: the epoch of its current pass, its pass number and attempts in it.
    epoch: Vec<Option<u32>>,
    pass: Vec<u32>,
    attempt: Vec<u32>,
    /// Per exec: the span of its attempt or backoff in flight.
    open: Vec<Option<usize>>,
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
            epoch: vec![None; n],
            pass: vec![0; n],
            attempt: vec![0; n],
            open: vec![None; n],
        }
    }

    /// Records run `run` of trial `trial` seeded by `seed`; runs of one
    /// task must be recorded in order from 0 (they share its task-level draws).
    /// A task stopped at a runaway limit is recorded up to the stop, as a loud failure.
    pub fn record(&mut self, seed: TaskSeed, trial: u64, run: u32) -> TaskTrace {
        self.queue.reset();
        self.epoch.fill(None);
        self.pass.fill(0);
        self.attempt.fill(0);
        self.open.fill(None);
        let mut spans = Vec::new();
        self.task.begin_run(seed, run, &mut self.scratch);
        loop {
            self.carry_out(&mut spans);
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
            if let Event::AttemptEnd { exec, .. } | Event::Retry { exec, .. } = event
                && self.open[exec].is_some_and(|i| spans_end(&spans, i) == now)
            {
                self.open[exec] = None;
            }
            self.task.on_event(event, &mut self.scratch);
            if let Some(d) = self.task.take_gate_decision() {
                self.note_gate(&mut spans, d, now);
            }
        }
        let latency = self.queue.now();
        let result = self.task.finish(latency, &mut self.scratch);
        for span in &mut spans {
            if span.end > latency {
                span.end = latency;
                if let SpanWhat::Attempt(_) = span.what {
                    span.what = SpanWhat::Attempt(AttemptEnd::Abandoned);
                }
            }
        }
        TaskTrace {
            task: trial,
            run,
            outcome: result.outcome,
            latency,
            cost_usd: result.cost_usd,
            tokens: result.tokens,
            silent_origin: result.silent_origin,
            spans,
        }
    }

    /// Notes a gate's decision on its attempt; a loop-back abandons the
    /// attempts and backoffs in flight in the gate's region.
    fn note_gate(&mut self, spans: &mut [StepSpan], d: crate::task::GateDecision, now: f64) {
        let call = GateCall {
            input_wrong: d.input_wrong,
            flagged: d.flagged,
        };
        if let Some(last) = spans.iter_mut().rev().find(|s| s.exec == d.node) {
            last.gate = Some(call);
        }
        if !d.flagged {
            return;
        }
        let gate = self.model.nodes[d.node]
            .gate
            .as_ref()
            .expect("a gate decided");
        let n = self.model.nodes.len();
        let region = gate
            .region
            .iter()
            .copied()
            .chain(gate.region_edges.iter().map(|e| n + e));
        for exec in region {
            if let Some(i) = self.open[exec].take()
                && spans[i].end > now
            {
                spans[i].end = now;
                if let SpanWhat::Attempt(_) = spans[i].what {
                    spans[i].what = SpanWhat::Attempt(AttemptEnd::Abandoned);
                }
            }
        }
    }

    fn carry_out(&mut self, spans: &mut Vec<StepSpan>) {
        let now = self.queue.now();
        let outbox = std::mem::take(self.task.outbox());
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
                Outgoing::Cancel { .. } => continue,
            };
            let (exec, epoch, what) = match event {
                Event::AttemptEnd {
                    exec,
                    epoch,
                    outcome,
                    ..
                } => (exec, epoch, SpanWhat::Attempt(end_of(outcome))),
                Event::Retry { exec, epoch, .. } => (exec, epoch, SpanWhat::Backoff),
                // Wake-ups of the step patterns are no span of their own.
                Event::Hedge { .. } | Event::Deadline => {
                    self.queue.schedule_in(delay, event);
                    continue;
                }
            };
            if self.epoch[exec] != Some(epoch) {
                self.epoch[exec] = Some(epoch);
                self.pass[exec] += 1;
                self.attempt[exec] = 0;
            }
            if let SpanWhat::Attempt(_) = what {
                self.attempt[exec] += 1;
            }
            self.open[exec] = Some(spans.len());
            spans.push(StepSpan {
                exec,
                pass: self.pass[exec],
                attempt: self.attempt[exec].max(1),
                start: now,
                end: now + delay,
                what,
                wait,
                gate: None,
            });
            self.queue.schedule_in(delay, event);
        }
        let mut outbox = outbox;
        outbox.clear();
        *self.task.outbox() = outbox;
    }
}

fn spans_end(spans: &[StepSpan], i: usize) -> f64 {
    spans[i].end
}

fn end_of(outcome: AttemptOutcome) -> AttemptEnd {
    match outcome {
        AttemptOutcome::Ok => AttemptEnd::Ok,
        AttemptOutcome::Silent => AttemptEnd::Silent,
        AttemptOutcome::Loud => AttemptEnd::Loud,
        AttemptOutcome::Timeout => AttemptEnd::Timeout,
    }
}
