//! Agent loops and dynamic fan-outs within one task.
//!
//! When such a node starts, it draws its count N from a stream of its own
//! (one draw per execution of the node), then runs its step N times: a
//! loop in series, each iteration taking the previous one's output (a
//! silent corruption in any iteration taints the rest), stopped at its step
//! limit; a fan-out in parallel (at most `max_in_flight` at once), joined
//! by its merge policy as a node's fan-in is ([`crate::task::join`]).
//! Iteration or branch k draws from the stream of `id#k`, the stream the
//! k-th copy of `repeat` draws from, so a loop of a fixed count draws what
//! the same node repeated draws.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::super::join::{Verdict, verdict};
use super::{CLEAN, NOT_DYNAMIC, Taint, TaskState};
use crate::model::dynamic::MAX_COUNT;
use crate::model::{AttemptOutcome, Count, Dynamic, Merge, Model, NodeId, OnExhausted};
use crate::seed::ComponentKey;
use crate::task::{ExecCounters, TaskOutcome};

/// The slot in [`TaskState::dyn_runs`] of every exec (`NOT_DYNAMIC` for
/// edges and for nodes that run once).
pub(super) fn slots(model: &Model) -> Vec<u32> {
    let mut next = 0;
    (0..model.exec_count())
        .map(|e| match model.nodes.get(e) {
            Some(n) if n.dynamic.is_some() => {
                next += 1;
                next - 1
            }
            _ => NOT_DYNAMIC,
        })
        .collect()
}

/// A workspace for every loop and fan-out node of `model`.
pub(super) fn runs(model: &Model) -> Vec<DynRun> {
    let count = model.nodes.iter().filter(|n| n.dynamic.is_some()).count();
    vec![DynRun::new(); count]
}

/// The progress of one execution of a loop or fan-out node.
#[derive(Debug, Clone)]
pub(super) struct DynRun {
    /// The count drawn for this execution.
    count: u32,
    /// Iterations or branches started, finished ok (right or wrong), right, failed.
    launched: u32,
    in_flight: u32,
    ok: u32,
    clean: u32,
    failed: u32,
    /// A fan-out: the first wrong branch's taint.
    taint: Taint,
    /// Per iteration or branch, kept across executions within a task.
    branches: Vec<Branch>,
    /// The stream counts are drawn from, and the task it was seeded for.
    counts: SplitMix64,
    counts_seeded_for: u64,
}

/// One iteration or branch: its attempts and its own random stream.
#[derive(Debug, Clone)]
struct Branch {
    attempts: u32,
    held: Option<AttemptOutcome>,
    rng: SplitMix64,
    seeded_for: u64,
}

impl Default for Branch {
    fn default() -> Self {
        Branch {
            attempts: 0,
            held: None,
            rng: SplitMix64::seed_from_u64(0),
            seeded_for: 0,
        }
    }
}

impl DynRun {
    fn new() -> Self {
        DynRun {
            count: 0,
            launched: 0,
            in_flight: 0,
            ok: 0,
            clean: 0,
            failed: 0,
            taint: CLEAN,
            branches: Vec::new(),
            counts: SplitMix64::seed_from_u64(0),
            counts_seeded_for: 0,
        }
    }

    /// Forgets the outcomes persistent iterations held (a new task).
    pub(super) fn forget_held(&mut self) {
        for b in &mut self.branches {
            b.held = None;
        }
    }

    /// The outcome iteration or branch `branch` holds, for a persistent step.
    pub(super) fn held(&self, branch: u32) -> Option<AttemptOutcome> {
        self.branches[branch as usize].held
    }

    /// Holds `outcome` for iteration or branch `branch`.
    pub(super) fn hold(&mut self, branch: u32, outcome: AttemptOutcome) {
        self.branches[branch as usize].held = Some(outcome);
    }

    /// Attempts iteration or branch `branch` has made in this execution.
    pub(super) fn attempts(&self, branch: u32) -> u32 {
        self.branches[branch as usize].attempts
    }
}

impl TaskState<'_> {
    /// The random stream of iteration or branch `branch` of `exec` (dynamic
    /// slot `slot`), or `exec`'s own stream when it runs once.
    #[inline]
    pub(super) fn stream(&mut self, exec: usize, slot: u32, branch: u32) -> &mut SplitMix64 {
        if slot == NOT_DYNAMIC {
            return self.rng(exec);
        }
        let (serial, seed, model) = (self.trial_serial, self.task_seed, self.model);
        let b = &mut self.dyn_runs[slot as usize].branches[branch as usize];
        if b.seeded_for != serial {
            b.seeded_for = serial;
            let key = ComponentKey::copy(&model.nodes[exec].id, branch + 1);
            b.rng = SplitMix64::seed_from_u64(seed.component(key));
        }
        &mut b.rng
    }

    /// Counts an attempt of iteration or branch `branch` and charges a
    /// loop's grown context; returns the seconds the growth adds.
    pub(super) fn branch_began(&mut self, exec: usize, slot: u32, branch: u32) -> f64 {
        self.dyn_runs[slot as usize].branches[branch as usize].attempts += 1;
        let Some(Dynamic::Loop(l)) = self.model.nodes[exec].dynamic.as_deref() else {
            return 0.0;
        };
        if l.growth.is_none() {
            return 0.0;
        }
        // Iteration k (from 1) carries k − 1 growths, up to iteration MAX_COUNT.
        let k = branch.min(MAX_COUNT - 1);
        self.cost_usd += l.growth.usd * k as f64;
        self.tokens += l.growth.tokens * k as u64;
        l.growth.seconds * k as f64
    }

    /// Starts a loop or fan-out node whose input is in hand: draws its count
    /// and starts its first iteration, or its first branches.
    pub(super) fn start_dynamic(&mut self, node: NodeId, c: &mut [ExecCounters]) {
        let slot = self.dyn_slot[node];
        let model = self.model;
        let dynamic = model.nodes[node]
            .dynamic
            .as_deref()
            .expect("a dynamic node");
        let (serial, seed, key) = (self.trial_serial, self.task_seed, self.stream_keys[node]);
        let run = &mut self.dyn_runs[slot as usize];
        let count = match dynamic.count() {
            Count::Fixed(n) => *n,
            drawn => {
                if run.counts_seeded_for != serial {
                    run.counts_seeded_for = serial;
                    run.counts = SplitMix64::seed_from_u64(seed.count(key));
                }
                drawn.at(run.counts.random::<f64>())
            }
        };
        run.count = count;
        run.launched = 0;
        run.in_flight = 0;
        run.ok = 0;
        run.clean = 0;
        run.failed = 0;
        run.taint = CLEAN;
        match dynamic {
            Dynamic::Loop(_) if count == 0 => {
                let taint = self.state[node].in_taint;
                self.node_completed(node, taint, c);
            }
            Dynamic::Loop(_) => self.launch(node, slot, c),
            Dynamic::FanOut(_) => self.join_branches(node, slot, c),
        }
    }

    /// Starts the next iteration or branch.
    fn launch(&mut self, node: NodeId, slot: u32, c: &mut [ExecCounters]) {
        let run = &mut self.dyn_runs[slot as usize];
        let branch = run.launched;
        run.launched += 1;
        run.in_flight += 1;
        if run.branches.len() <= branch as usize {
            run.branches.push(Branch::default());
        }
        run.branches[branch as usize].attempts = 0;
        self.begin_attempt(node, branch, c);
    }

    /// An iteration or branch ended: ok with its output's taint, or failed
    /// (`None`) after its retries.
    pub(super) fn branch_done(
        &mut self,
        node: NodeId,
        slot: u32,
        result: Option<Taint>,
        c: &mut [ExecCounters],
    ) {
        let model = self.model;
        let run = &mut self.dyn_runs[slot as usize];
        run.in_flight -= 1;
        match model.nodes[node].dynamic.as_deref() {
            Some(Dynamic::Loop(l)) => {
                let Some(taint) = result else {
                    self.exec_failed(node);
                    return;
                };
                // The next iteration works on this one's output.
                let done = run.launched;
                let count = run.count;
                self.state[node].in_taint = taint;
                if done >= count {
                    self.node_completed(node, taint, c);
                } else if l.max_steps == Some(done) {
                    // The step limit: the agent needed more steps than it may take.
                    c[node].gate_exhausted += 1;
                    match l.on_limit {
                        OnExhausted::Fail => self.exec_failed(node),
                        OnExhausted::Escalate => {
                            self.result = Some((TaskOutcome::Escalated, CLEAN))
                        }
                    }
                } else {
                    self.launch(node, slot, c);
                }
            }
            Some(Dynamic::FanOut(_)) => {
                match result {
                    None => run.failed += 1,
                    Some(taint) => {
                        run.ok += 1;
                        if taint == CLEAN {
                            run.clean += 1;
                        } else if run.taint == CLEAN {
                            run.taint = taint;
                        }
                    }
                }
                self.join_branches(node, slot, c);
            }
            None => unreachable!("only loop and fan-out nodes have branches"),
        }
    }

    /// Applies a fan-out's join to the branches ended so far: completes or
    /// fails the node (abandoning the branches still running), or starts
    /// more branches, up to `max_in_flight`.
    fn join_branches(&mut self, node: NodeId, slot: u32, c: &mut [ExecCounters]) {
        let Some(Dynamic::FanOut(f)) = self.model.nodes[node].dynamic.as_deref() else {
            unreachable!("a fan-out node");
        };
        let run = &self.dyn_runs[slot as usize];
        let (count, in_taint) = (run.count, self.state[node].in_taint);
        let wrong = run.taint;
        match verdict(f.join, count, run.ok, run.clean, run.failed) {
            Verdict::Wait => {
                let limit = f.max_in_flight.unwrap_or(u32::MAX);
                while self.dyn_runs[slot as usize].in_flight < limit
                    && self.dyn_runs[slot as usize].launched < count
                {
                    self.launch(node, slot, c);
                }
            }
            Verdict::Go => {
                // A won vote is right; otherwise the branches used carry the
                // first wrong one's taint (with no branches, the input's).
                let taint = match f.join {
                    Merge::Vote(_) => CLEAN,
                    _ if wrong != CLEAN => wrong,
                    _ => in_taint,
                };
                self.abandon_branches(node);
                self.node_completed(node, taint, c);
            }
            Verdict::Lost => {
                let taint = if wrong != CLEAN {
                    wrong
                } else {
                    c[node].silent += 1;
                    node as Taint
                };
                self.abandon_branches(node);
                self.node_completed(node, taint, c);
            }
            Verdict::Fail => {
                self.abandon_branches(node);
                self.exec_failed(node);
            }
        }
    }

    /// Makes the events of branches still running stale (they are paid for).
    fn abandon_branches(&mut self, node: NodeId) {
        let st = &mut self.state[node];
        st.epoch = st.epoch.wrapping_add(1);
    }
}
