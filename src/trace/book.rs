//! The spans of one task as its host sees them: the bookkeeping shared by the
//! recorder of independent trials ([`super::record`]) and the observer of a
//! loaded run ([`super::loaded`]).
//!
//! A span opens when the task asks its host for an attempt or a backoff and
//! closes when the event that ends it is delivered. Spans are kept per lane,
//! a node (or hand-off) and its iteration or branch, so that the branches
//! of a fan-out, which run at once, each have their own attempt in flight
//! and their own attempt count; the pass counts re-executions of the node
//! after a loop-back (a new epoch).

use std::collections::HashMap;

use super::span::{AttemptEnd, GateCall, SpanWhat, StepSpan};
use crate::model::{AttemptOutcome, Model};
use crate::task::{Event, GateDecision};

/// The attempt count and the span in flight of one lane.
#[derive(Debug, Clone, Copy, Default)]
struct Lane {
    /// The exec's epoch the attempt count belongs to.
    epoch: Option<u32>,
    attempt: u32,
    /// The span in flight, and the epoch it was asked in.
    open: Option<(usize, u32)>,
}

/// The spans of one task in the making.
#[derive(Debug, Default)]
pub struct SpanBook {
    /// Per exec: its current epoch and pass.
    epoch: Vec<Option<u32>>,
    pass: Vec<u32>,
    lanes: HashMap<(usize, u32), Lane>,
    spans: Vec<StepSpan>,
}

impl SpanBook {
    /// An empty book for a model of `execs` nodes and hand-offs.
    pub fn new(execs: usize) -> Self {
        SpanBook {
            epoch: vec![None; execs],
            pass: vec![0; execs],
            lanes: HashMap::new(),
            spans: Vec::new(),
        }
    }

    /// Empties the book for the next task.
    pub fn reset(&mut self) {
        self.epoch.fill(None);
        self.pass.fill(0);
        self.lanes.clear();
        self.spans.clear();
    }

    /// Opens the span of what `event` will end, asked at `now`: an attempt
    /// or a backoff. `end` is its end when the host knows it already (an
    /// uncontended attempt), `wait` its time before service when known.
    pub fn open(&mut self, event: &Event, now: f64, end: Option<f64>, wait: Option<f64>) {
        let (exec, epoch, branch, what) = match *event {
            Event::AttemptEnd {
                exec,
                epoch,
                branch,
                outcome,
            } => (exec, epoch, branch, SpanWhat::Attempt(end_of(outcome))),
            Event::Retry {
                exec,
                epoch,
                branch,
            } => (exec, epoch, branch, SpanWhat::Backoff),
        };
        if self.epoch[exec] != Some(epoch) {
            self.epoch[exec] = Some(epoch);
            self.pass[exec] += 1;
        }
        let lane = self.lanes.entry((exec, branch)).or_default();
        if lane.epoch != Some(epoch) {
            lane.epoch = Some(epoch);
            lane.attempt = 0;
        }
        if let SpanWhat::Attempt(_) = what {
            lane.attempt += 1;
        }
        lane.open = Some((self.spans.len(), epoch));
        self.spans.push(StepSpan {
            exec,
            branch,
            pass: self.pass[exec],
            attempt: lane.attempt.max(1),
            start: now,
            end: end.unwrap_or(f64::NAN),
            what,
            wait: wait.unwrap_or(f64::NAN),
            gate: None,
        });
    }

    /// The attempt in flight on `(exec, branch)` in `epoch` reached service at `now`.
    pub fn served(&mut self, exec: usize, branch: u32, epoch: u32, now: f64) {
        if let Some(&Lane {
            open: Some((i, e)), ..
        }) = self.lanes.get(&(exec, branch))
            && e == epoch
            && self.spans[i].wait.is_nan()
            && matches!(self.spans[i].what, SpanWhat::Attempt(_))
        {
            self.spans[i].wait = now - self.spans[i].start;
        }
    }

    /// `event` was delivered at `now`: the span it ends closes, with the
    /// outcome the host reported (a timeout or a rejection may differ from
    /// the drawn one). A stale event (its span already closed) is ignored.
    pub fn delivered(&mut self, event: &Event, now: f64) {
        let (exec, epoch, branch, outcome) = match *event {
            Event::AttemptEnd {
                exec,
                epoch,
                branch,
                outcome,
            } => (exec, epoch, branch, Some(outcome)),
            Event::Retry {
                exec,
                epoch,
                branch,
            } => (exec, epoch, branch, None),
        };
        let Some(lane) = self.lanes.get_mut(&(exec, branch)) else {
            return;
        };
        let Some((i, e)) = lane.open else {
            return;
        };
        let span = &mut self.spans[i];
        let same_kind = matches!(
            (span.what, outcome),
            (SpanWhat::Attempt(_), Some(_)) | (SpanWhat::Backoff, None)
        );
        if e != epoch || !same_kind {
            return;
        }
        if let Some(o) = outcome {
            span.what = SpanWhat::Attempt(end_of(o));
        }
        lane.open = None;
        span.end = now;
        if span.wait.is_nan() {
            // Never reached service: it waited all along.
            span.wait = now - span.start;
        }
    }

    /// Notes a gate's decision on its latest attempt; a loop-back abandons
    /// the attempts and backoffs in flight in the gate's region.
    pub fn gate(&mut self, model: &Model, d: GateDecision, now: f64) {
        let call = GateCall {
            input_wrong: d.input_wrong,
            flagged: d.flagged,
        };
        if let Some(last) = self.spans.iter_mut().rev().find(|s| s.exec == d.node) {
            last.gate = Some(call);
        }
        if !d.flagged {
            return;
        }
        let gate = model.nodes[d.node].gate.as_ref().expect("a gate decided");
        let n = model.nodes.len();
        let mut region = vec![false; model.exec_count()];
        for exec in gate
            .region
            .iter()
            .copied()
            .chain(gate.region_edges.iter().map(|e| n + e))
        {
            region[exec] = true;
        }
        for (&(exec, _), lane) in self.lanes.iter_mut() {
            if !region[exec] {
                continue;
            }
            if let Some((i, _)) = lane.open.take() {
                abandon(&mut self.spans[i], now);
            }
        }
    }

    /// The spans of the task that ended at `latency`, in the order they
    /// started; spans still in flight end there, abandoned.
    pub fn finish(&mut self, latency: f64) -> Vec<StepSpan> {
        for span in &mut self.spans {
            if span.end.is_nan() || span.end > latency {
                abandon(span, latency);
            }
        }
        std::mem::take(&mut self.spans)
    }
}

/// Ends a span in flight at `now`, an attempt as abandoned.
fn abandon(span: &mut StepSpan, now: f64) {
    if span.end.is_nan() || span.end > now {
        span.end = now;
        if span.wait.is_nan() || span.wait > now - span.start {
            span.wait = now - span.start;
        }
        if let SpanWhat::Attempt(_) = span.what {
            span.what = SpanWhat::Attempt(AttemptEnd::Abandoned);
        }
    }
}

fn end_of(outcome: AttemptOutcome) -> AttemptEnd {
    match outcome {
        AttemptOutcome::Ok => AttemptEnd::Ok,
        AttemptOutcome::Silent => AttemptEnd::Silent,
        AttemptOutcome::Loud => AttemptEnd::Loud,
        AttemptOutcome::Timeout => AttemptEnd::Timeout,
    }
}
