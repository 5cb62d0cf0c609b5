//! Traces of a loaded run: tasks of replication 0 watched as they contend
//! for pools and links, so that their spans carry the time each attempt
//! waited (for a link, in a pool's queue) before its service.
//!
//! Replication 0 is run again with a [`Tracer`] watching (the same draws,
//! so the very tasks the run counted). Which tasks, by `--traces-of`:
//! `all` the first N measured tasks in start order; `silent`, `loud`,
//! `escalated` the first N measured tasks in start order that ended so;
//! `slowest` the N slowest measured tasks (ties by start order). Memory
//! holds the tasks in flight and the N kept, not the run.

use std::collections::{BTreeMap, HashMap};

use super::book::SpanBook;
use super::sample::TracesOf;
use super::span::TaskTrace;
use crate::model::{Model, Workload};
use crate::task::{Event, Outgoing, TaskOutcome, TaskState, TrialResult};
use crate::world::Observer;

/// Watches the tasks of one replication and keeps those `--traces-of` picks.
pub struct Tracer<'m> {
    model: &'m Model,
    of: TracesOf,
    n: usize,
    /// Measured tasks started so far.
    measured: u64,
    /// The books of watched tasks in flight, and spare ones.
    live: HashMap<u64, SpanBook>,
    spare: Vec<SpanBook>,
    /// Kept tasks by start order.
    kept: BTreeMap<u64, TaskTrace>,
}

impl<'m> Tracer<'m> {
    /// A tracer keeping at most `n` tasks of `model` that `of` picks.
    pub fn new(model: &'m Model, n: u64, of: TracesOf) -> Self {
        Tracer {
            model,
            of,
            n: usize::try_from(n).unwrap_or(usize::MAX),
            measured: 0,
            live: HashMap::new(),
            spare: Vec::new(),
            kept: BTreeMap::new(),
        }
    }

    /// The kept tasks, in start order.
    pub fn into_traces(self) -> Vec<TaskTrace> {
        self.kept.into_values().collect()
    }

    fn book(&mut self, task: u64) -> Option<&mut SpanBook> {
        self.live.get_mut(&task)
    }

    /// Keeps only the `n` slowest of the kept (ties: the earlier start).
    fn trim_slowest(&mut self) {
        let mut v: Vec<(f64, u64)> = self.kept.values().map(|t| (t.latency, t.task)).collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, task) in &v[self.n.min(v.len())..] {
            self.kept.remove(&task);
        }
    }
}

impl Observer for Tracer<'_> {
    fn started(&mut self, task: u64, measured: bool, _now: f64) -> bool {
        if !measured {
            return false;
        }
        self.measured += 1;
        let watch = match self.of {
            TracesOf::All => self.measured <= self.n as u64,
            // A later start cannot displace N kept earlier ones.
            TracesOf::Silent | TracesOf::Loud | TracesOf::Escalated => self.kept.len() < self.n,
            TracesOf::Slowest => true,
        };
        if watch {
            let mut book = self
                .spare
                .pop()
                .unwrap_or_else(|| SpanBook::new(self.model.exec_count()));
            book.reset();
            self.live.insert(task, book);
        }
        watch
    }

    fn asked(&mut self, task: u64, out: &Outgoing, now: f64) {
        let Some(book) = self.book(task) else {
            return;
        };
        match *out {
            Outgoing::Schedule(delay, event) => {
                book.open(&event, now, Some(now + delay), Some(0.0))
            }
            Outgoing::Acquire(req) => {
                let event = Event::AttemptEnd {
                    exec: req.exec,
                    epoch: req.epoch,
                    branch: req.branch,
                    outcome: req.outcome,
                };
                book.open(&event, now, None, None);
            }
        }
    }

    fn served(&mut self, task: u64, exec: usize, branch: u32, epoch: u32, now: f64) {
        if let Some(book) = self.book(task) {
            book.served(exec, branch, epoch, now);
        }
    }

    fn delivered(&mut self, task: u64, event: &Event, state: &mut TaskState, now: f64) {
        let model = self.model;
        if let Some(book) = self.book(task) {
            book.delivered(event, now);
            if let Some(d) = state.take_gate_decision() {
                book.gate(model, d, now);
            }
        }
    }

    fn finished(&mut self, task: u64, started: f64, result: &TrialResult) {
        let Some(mut book) = self.live.remove(&task) else {
            return;
        };
        let mut spans = book.finish(started + result.latency);
        self.spare.push(book);
        let wanted = match self.of {
            TracesOf::All | TracesOf::Slowest => true,
            TracesOf::Silent => result.outcome == TaskOutcome::Silent,
            TracesOf::Loud => result.outcome == TaskOutcome::Loud,
            TracesOf::Escalated => result.outcome == TaskOutcome::Escalated,
        };
        if !wanted {
            return;
        }
        for sp in &mut spans {
            sp.start -= started;
            sp.end -= started;
        }
        self.kept.insert(
            task,
            TaskTrace {
                task,
                arrival: Some(started),
                run: 0,
                outcome: result.outcome,
                latency: result.latency,
                cost_usd: result.cost_usd,
                tokens: result.tokens,
                silent_origin: result.silent_origin,
                spans,
            },
        );
        match self.of {
            TracesOf::Slowest if self.kept.len() >= 2 * self.n.max(1) => self.trim_slowest(),
            TracesOf::Silent | TracesOf::Loud | TracesOf::Escalated if self.kept.len() > self.n => {
                self.kept.pop_last();
            }
            _ => {}
        }
    }
}

/// The traces of replication 0 of `model` under `workload` and base `seed`
/// that `of` picks, at most `n`, in start order.
pub fn record(
    model: &Model,
    workload: &Workload,
    seed: u64,
    n: u64,
    of: TracesOf,
) -> Vec<TaskTrace> {
    let mut tracer = Tracer::new(model, n, of);
    crate::sim::loaded::observe_replication(model, workload, seed, 0, &mut tracer);
    if of == TracesOf::Slowest {
        tracer.trim_slowest();
    }
    tracer.into_traces()
}
