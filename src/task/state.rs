//! The progress of one task and its reactions to events.
//!
//! Nodes that run their step a random number of times (agent loops and
//! dynamic fan-outs) keep their iterations and branches in [`branches`].

mod branches;
mod patterns;

use std::collections::VecDeque;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::SplitMix64;

use self::branches::DynRun;
use self::patterns::PatternStreams;
use super::bias::{self, FailureBias};
use super::join::{Verdict, needs, verdict};
use super::{Acquire, Event, ExecCounters, Runaway, TaskOutcome, TrialResult};
use crate::model::{
    AttemptOutcome, EdgeId, Junction, Limit, Merge, Model, NodeId, OnExhausted, OutcomeProbs,
    TaskRate,
};
use crate::seed::{ComponentKey, TaskSeed};

/// The exec index (node or edge) that first corrupted a value; `CLEAN` if none.
type Taint = u32;
const CLEAN: Taint = u32::MAX;

/// A zero-delay consequence, processed before the clock moves on.
#[derive(Debug, Clone, Copy)]
enum Immediate {
    Deliver {
        edge: EdgeId,
        failed: bool,
        taint: Taint,
    },
    TryStart(NodeId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    None,
    Ok(Taint),
    Failed,
}

#[derive(Debug, Clone, Copy)]
struct ExecState {
    epoch: u32,
    attempts: u32,
    /// Nodes: merged input taint. Edges: taint of the value being carried.
    in_taint: Taint,
    /// Nodes: started. Edges: sent.
    started: bool,
    /// Nodes: finished, ok or failed.
    done: bool,
    /// Nodes: output taint once done ok.
    out_taint: Taint,
    /// Edges: what reached the target.
    delivery: Delivery,
    /// Nodes: inputs delivered ok / failed so far.
    ok_in: u32,
    failed_in: u32,
    /// Nodes: inputs delivered ok and right (what a vote counts).
    clean_in: u32,
    /// Attempts begun and not yet ended (a fan-out runs several at once; a
    /// hedged attempt counts its copy; a cache hit being served counts one).
    in_flight: u32,
    /// The level of the step's fallback chain now running (0: its own step).
    level: u32,
    /// `attempts` when the current level began (its retries count from there).
    level_base: u32,
    /// The running attempt has a hedged copy in flight too.
    hedged: bool,
    /// The cache was looked up in this execution.
    cache_done: bool,
    /// A cache hit is being served (its answer is in flight, no attempt).
    cache_serving: bool,
}

impl ExecState {
    const FRESH: ExecState = ExecState {
        epoch: 0,
        attempts: 0,
        in_taint: CLEAN,
        started: false,
        done: false,
        out_taint: CLEAN,
        delivery: Delivery::None,
        ok_in: 0,
        failed_in: 0,
        clean_in: 0,
        in_flight: 0,
        level: 0,
        level_base: 0,
        hedged: false,
        cache_done: false,
        cache_serving: false,
    };

    /// Attempts running, a hedged copy and a cache hit being served left out.
    fn attempts_in_flight(&self) -> u32 {
        self.in_flight - u32::from(self.hedged) - u32::from(self.cache_serving)
    }

    fn reset_keep_epoch(&mut self) {
        let epoch = self.epoch.wrapping_add(1);
        *self = ExecState::FRESH;
        self.epoch = epoch;
    }
}

/// One task's progress: which steps ran, what they produced, what it cost.
///
/// It never touches a clock or a queue: what should happen later is put in an
/// outbox of [`Outgoing`] requests that the host carries out, so the same logic
/// runs alone ([`super::TaskSim`]) or among many tasks ([`crate::world`]).
pub struct TaskState<'m> {
    model: &'m Model,
    state: Vec<ExecState>,
    gate_loops: Vec<u32>,
    immediate: VecDeque<Immediate>,
    outbox: Vec<Outgoing>,
    sinks_done: usize,
    cost_usd: f64,
    tokens: u64,
    output_tokens: u64,
    result: Option<(TaskOutcome, Taint)>,
    /// One random stream per node and edge, so that changing one component
    /// leaves every other component's draws as they were (common random numbers).
    rngs: Vec<SplitMix64>,
    /// Stream key of each exec: a hash of its name, stable across variants.
    stream_keys: Vec<ComponentKey>,
    /// The trial each stream was last seeded for (streams are seeded on first use).
    seeded_for: Vec<u64>,
    task_seed: TaskSeed,
    trial_serial: u64,
    /// Outcome rates of each exec in this task (the model's, or drawn per task).
    probs: Vec<OutcomeProbs>,
    /// (sensitivity, false alarm) of each gate node in this task.
    gate_probs: Vec<(f64, f64)>,
    /// The last outcome of each exec in this task, for persistent steps
    /// (empty when no step persists).
    held: Vec<Option<AttemptOutcome>>,
    /// The task's difficulties (standard normal scores), by factor.
    difficulty: Vec<f64>,
    /// How each exec fails in this task because a common cause struck it
    /// (empty when the model has no common causes).
    struck: Vec<Option<AttemptOutcome>>,
    /// Execs whose step rates, and gate nodes whose decision rates, are drawn per task.
    varying_steps: Vec<usize>,
    varying_gates: Vec<usize>,
    /// Events handled since the task began (for the runaway limit).
    events: u64,
    /// Failure biasing (importance sampling), if on, and the likelihood
    /// ratio of the task's draws so far (1 without biasing).
    bias: Option<FailureBias>,
    weight: f64,
    /// Attempts begun and not yet ended.
    in_flight: u32,
    /// For each exec, its index in `dyn_runs` when it is a loop or a
    /// fan-out, else `NOT_DYNAMIC`.
    dyn_slot: Vec<u32>,
    /// The iterations or branches of each loop and fan-out node.
    dyn_runs: Vec<DynRun>,
    /// The last gate decision taken while handling an event: (gate node,
    /// its input was wrong, it flagged). Read by trace recording only.
    gate_decision: Option<GateDecision>,
    /// The cache and hedge streams of each exec (empty without either).
    pattern_streams: PatternStreams,
    /// The task ran past its deadline (`[run] deadline_s`).
    deadline_missed: bool,
}

/// A gate's decision on one pass, as a trace shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateDecision {
    /// The gate node.
    pub node: NodeId,
    /// Its input was corrupted.
    pub input_wrong: bool,
    /// It flagged the input.
    pub flagged: bool,
}

/// `dyn_slot` of an exec that runs its step once per execution.
const NOT_DYNAMIC: u32 = u32::MAX;

/// Something a task asks its host to do.
#[derive(Debug, Clone, Copy)]
pub enum Outgoing {
    /// Deliver `Event` back to this task after `delay` seconds.
    Schedule(f64, Event),
    /// Run an attempt on shared resources and answer with `AttemptEnd`.
    Acquire(Acquire),
    /// The caller gave up the unanswered request of `exec` made in `epoch`
    /// (a hedged copy that lost): the host abandons it as at a timeout.
    Cancel {
        /// Node or edge index.
        exec: usize,
        /// The epoch the request was made in.
        epoch: u32,
    },
}

impl<'m> TaskState<'m> {
    /// A workspace for tasks of `model`; allocate once, reuse for many tasks.
    pub fn new(model: &'m Model) -> Self {
        TaskState {
            model,
            state: vec![ExecState::FRESH; model.exec_count()],
            gate_loops: vec![0; model.nodes.len()],
            immediate: VecDeque::new(),
            outbox: Vec::new(),
            sinks_done: 0,
            cost_usd: 0.0,
            tokens: 0,
            output_tokens: 0,
            result: None,
            rngs: vec![SplitMix64::seed_from_u64(0); model.exec_count()],
            stream_keys: (0..model.exec_count())
                .map(|i| ComponentKey::of(&model.exec_name(i)))
                .collect(),
            seeded_for: vec![0; model.exec_count()],
            task_seed: TaskSeed::default(),
            trial_serial: 0,
            probs: (0..model.exec_count())
                .map(|e| model.step(e).outcome)
                .collect(),
            gate_probs: model
                .nodes
                .iter()
                .map(|n| {
                    n.gate
                        .as_ref()
                        .map_or((0.0, 0.0), |g| (g.sensitivity, g.false_alarm))
                })
                .collect(),
            held: if (0..model.exec_count()).any(|e| model.step(e).persistence > 0.0) {
                vec![None; model.exec_count()]
            } else {
                Vec::new()
            },
            difficulty: vec![0.0; model.difficulties.len()],
            struck: if model.common_causes.is_empty() {
                Vec::new()
            } else {
                vec![None; model.exec_count()]
            },
            varying_steps: (0..model.exec_count())
                .filter(|&e| model.step(e).rates.is_some())
                .collect(),
            varying_gates: (0..model.nodes.len())
                .filter(|&n| {
                    model.nodes[n]
                        .gate
                        .as_ref()
                        .is_some_and(|g| g.rates.is_some())
                })
                .collect(),
            events: 0,
            bias: None,
            weight: 1.0,
            in_flight: 0,
            dyn_slot: branches::slots(model),
            dyn_runs: branches::runs(model),
            gate_decision: None,
            pattern_streams: PatternStreams::new(model),
            deadline_missed: false,
        }
    }

    /// Draws failures with `bias` (importance sampling) from the next task on.
    pub fn set_bias(&mut self, bias: Option<FailureBias>) {
        self.bias = bias;
    }

    /// The likelihood ratio of the current task's draws (1 without biasing).
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// The random stream of `exec` in the current task.
    #[inline]
    fn rng(&mut self, exec: usize) -> &mut SplitMix64 {
        if self.seeded_for[exec] != self.trial_serial {
            self.seeded_for[exec] = self.trial_serial;
            self.rngs[exec] =
                SplitMix64::seed_from_u64(self.task_seed.component(self.stream_keys[exec]));
        }
        &mut self.rngs[exec]
    }

    /// Starts a new task whose random streams derive from `seed`: the
    /// source nodes begin; what they need is left in the outbox.
    pub fn begin(&mut self, seed: TaskSeed, c: &mut [ExecCounters]) {
        self.begin_run(seed, 0, c);
    }

    /// Starts run `run` of the task seeded by `seed` (pass^k): run 0 draws the
    /// task's per-task rates and difficulties and forgets held outcomes; later
    /// runs keep them (they are re-executions of the same task) and draw
    /// their attempts from streams of their own.
    pub fn begin_run(&mut self, seed: TaskSeed, run: u32, c: &mut [ExecCounters]) {
        if run == 0 {
            self.held.fill(None);
            for r in &mut self.dyn_runs {
                r.forget_held();
            }
            self.draw_task_rates(seed);
        }
        let seed = seed.run(run);
        self.state.fill(ExecState::FRESH);
        self.gate_loops.fill(0);
        self.immediate.clear();
        self.outbox.clear();
        self.sinks_done = 0;
        self.cost_usd = 0.0;
        self.tokens = 0;
        self.output_tokens = 0;
        self.result = None;
        self.task_seed = seed;
        self.trial_serial += 1;
        self.events = 0;
        self.weight = 1.0;
        self.in_flight = 0;
        self.deadline_missed = false;
        if let Some(deadline) = self.model.deadline {
            self.outbox
                .push(Outgoing::Schedule(deadline, Event::Deadline));
        }
        for &source in &self.model.sources {
            self.immediate.push_back(Immediate::TryStart(source));
        }
        self.drain(c);
    }

    /// Draws the task-level rates (run 0 of a task): difficulties first, then
    /// every per-task rate, each from a stream of its own.
    fn draw_task_rates(&mut self, seed: TaskSeed) {
        if !self.struck.is_empty() {
            self.draw_common_causes(seed);
        }
        if self.varying_steps.is_empty() && self.varying_gates.is_empty() {
            return;
        }
        let model = self.model;
        for (f, name) in model.difficulties.iter().enumerate() {
            let mut rng = SplitMix64::seed_from_u64(seed.difficulty(ComponentKey::of(name)));
            self.difficulty[f] = StandardNormal.sample(&mut rng);
        }
        let z = &self.difficulty;
        let draw = |rate: Option<&TaskRate>, fixed: f64, key: ComponentKey, field: u64| {
            rate.map_or(fixed, |r| {
                r.draw(z, &mut SplitMix64::seed_from_u64(seed.rate(key, field)))
            })
        };
        for &e in &self.varying_steps {
            let step = model.step(e);
            let rates = step.rates.as_deref().expect("a varying step has rates");
            let key = self.stream_keys[e];
            let loud = draw(rates.loud.as_ref(), step.outcome.loud, key, 1);
            let silent = draw(rates.silent.as_ref(), step.outcome.silent, key, 0);
            self.probs[e] = OutcomeProbs {
                silent: silent.min(1.0 - loud),
                loud,
            };
        }
        for &n in &self.varying_gates {
            let gate = model.nodes[n].gate.as_ref().expect("a varying gate");
            let rates = gate.rates.as_deref().expect("a varying gate has rates");
            let key = self.stream_keys[n];
            self.gate_probs[n] = (
                draw(rates.sensitivity.as_ref(), gate.sensitivity, key, 2),
                draw(rates.false_alarm.as_ref(), gate.false_alarm, key, 3),
            );
        }
    }

    /// Draws which common causes strike this task, each from a stream of its
    /// own; an exec struck by several fails loudly if any of them is loud.
    fn draw_common_causes(&mut self, seed: TaskSeed) {
        self.struck.fill(None);
        for cause in &self.model.common_causes {
            let key = ComponentKey::of(&cause.name);
            let mut rng = SplitMix64::seed_from_u64(seed.common_cause(key));
            if rng.random::<f64>() < cause.probability {
                for &e in &cause.members {
                    if self.struck[e] != Some(AttemptOutcome::Loud) {
                        self.struck[e] = Some(cause.effect);
                    }
                }
            }
        }
    }

    /// The outcome of an attempt of `exec` (iteration or branch `branch` of
    /// dynamic slot `slot`) whose fresh draw is `fresh`, for a persistent
    /// step (`rho` > 0): it repeats its previous outcome in this task with
    /// probability ρ (always, with ρ = 1). An iteration or branch holds its
    /// own outcome, as a `repeat`ed node's copy does.
    #[cold]
    fn persisted(
        &mut self,
        exec: usize,
        slot: u32,
        branch: u32,
        rho: f64,
        fresh: AttemptOutcome,
    ) -> AttemptOutcome {
        let held = if slot == NOT_DYNAMIC {
            self.held[exec]
        } else {
            self.dyn_runs[slot as usize].held(branch)
        };
        let outcome = match held {
            Some(previous) if rho >= 1.0 => previous,
            Some(previous) if self.stream(exec, slot, branch).random::<f64>() < rho => previous,
            _ => fresh,
        };
        if slot == NOT_DYNAMIC {
            self.held[exec] = Some(outcome);
        } else {
            self.dyn_runs[slot as usize].hold(branch, outcome);
        }
        outcome
    }

    /// Reacts to one of this task's events.
    pub fn on_event(&mut self, event: Event, c: &mut [ExecCounters]) {
        self.events += 1;
        if self.result.is_none() {
            self.handle(event, c);
            self.drain(c);
        }
    }

    /// The gate decision taken by the last event handled, if any (at most one
    /// gate decides per event: a gate decides when its own attempt ends).
    pub fn take_gate_decision(&mut self) -> Option<GateDecision> {
        self.gate_decision.take()
    }

    /// The requests made since the last call, for the host to carry out.
    pub fn outbox(&mut self) -> &mut Vec<Outgoing> {
        &mut self.outbox
    }

    /// The outcome, once decided.
    pub fn outcome(&self) -> Option<TaskOutcome> {
        self.result.map(|(o, _)| o)
    }

    /// Marks the task as stalled (the host has nothing left for it): a loud failure.
    pub fn stall(&mut self) {
        if self.result.is_none() {
            self.result = Some((TaskOutcome::Loud, CLEAN));
        }
    }

    /// Events handled since the task began.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Stops the task at `limit`, `time` seconds after it began, as a loud
    /// failure, and says what it was doing (its `task` number is left 0).
    pub fn stop_runaway(&mut self, limit: Limit, time: f64) -> Runaway {
        self.stall();
        let most = |counts: &mut dyn Iterator<Item = (usize, u32)>| {
            counts
                .filter(|&(_, n)| n > 0)
                .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
        };
        Runaway {
            limit,
            events: self.events,
            time,
            gate: most(&mut self.gate_loops.iter().copied().enumerate()),
            busiest: most(&mut self.state.iter().map(|s| s.attempts).enumerate()),
            task: 0,
        }
    }

    /// The finished task's result, `latency` seconds after it began; records
    /// which exec a delivered wrong answer came from.
    /// Attempts still running are counted as cancelled.
    pub fn finish(&self, latency: f64, c: &mut [ExecCounters]) -> TrialResult {
        let (outcome, taint) = self.result.expect("finish is called on a decided task");
        if self.in_flight > 0 {
            for (exec, st) in self.state.iter().enumerate() {
                c[exec].cancelled += st.attempts_in_flight() as u64;
            }
        }
        let silent_origin =
            (outcome == TaskOutcome::Silent && taint != CLEAN).then_some(taint as usize);
        if let Some(origin) = silent_origin {
            c[origin].silent_reached_user += 1;
        }
        TrialResult {
            outcome,
            latency,
            cost_usd: self.cost_usd,
            tokens: self.tokens,
            output_tokens: self.output_tokens,
            silent_origin,
            deadline_missed: self.deadline_missed,
            runaway: None,
        }
    }

    fn drain(&mut self, c: &mut [ExecCounters]) {
        while let Some(action) = self.immediate.pop_front() {
            if self.result.is_some() {
                self.immediate.clear();
                self.outbox.clear();
                return;
            }
            self.apply(action, c);
        }
        if self.result.is_some() {
            self.outbox.clear();
        }
    }

    fn is_node(&self, exec: usize) -> bool {
        exec < self.model.nodes.len()
    }

    fn apply(&mut self, action: Immediate, c: &mut [ExecCounters]) {
        match action {
            Immediate::Deliver {
                edge,
                failed,
                taint,
            } => self.deliver(edge, failed, taint),
            Immediate::TryStart(node) => self.try_start(node, c),
        }
    }

    fn handle(&mut self, event: Event, c: &mut [ExecCounters]) {
        match event {
            Event::Retry {
                exec,
                epoch,
                branch,
            } => {
                if self.state[exec].epoch == epoch {
                    match self.model.nodes.get(exec).and_then(|n| n.junction.as_ref()) {
                        Some(Junction::Exit(run)) => self.restart_subgraph(run.entry),
                        _ => self.begin_attempt(exec, branch, c),
                    }
                }
            }
            Event::AttemptEnd {
                exec,
                epoch,
                branch,
                outcome,
            } => {
                if self.state[exec].epoch == epoch {
                    self.attempt_ended(exec, branch, outcome, c);
                }
            }
            Event::Hedge {
                exec,
                epoch,
                attempt,
            } => {
                if self.state[exec].epoch == epoch {
                    self.send_hedge(exec, attempt, c);
                }
            }
            Event::Deadline => self.deadline_passed(c),
        }
    }

    /// Starts an attempt of `exec` (of its iteration or branch `branch`, for
    /// a loop or a fan-out; 0 otherwise).
    fn begin_attempt(&mut self, exec: usize, branch: u32, c: &mut [ExecCounters]) {
        let model = self.model;
        let level = self.state[exec].level;
        let step = model.step(exec).at_level(level);
        if step.cache.is_some() && self.cache_lookup(exec, c) {
            return;
        }
        self.state[exec].attempts += 1;
        self.state[exec].in_flight += 1;
        self.in_flight += 1;
        c[exec].attempts += 1;
        self.cost_usd += step.cost.usd;
        self.tokens += step.cost.tokens;
        self.output_tokens += step.tokens.map_or(0, |(_, output)| output);
        let slot = self.dyn_slot[exec];
        // A loop's later iterations carry a longer context (docs/MODEL.md).
        let grown = if slot == NOT_DYNAMIC {
            0.0
        } else {
            self.branch_began(exec, slot, branch)
        };
        let epoch = self.state[exec].epoch;
        // Per-task rates replace the step's own (drawn at the task's start);
        // a fallback has fixed rates of its own.
        let probs = match step.rates {
            Some(_) if level == 0 => self.probs[exec],
            _ => step.outcome,
        };
        // Latency, then outcome, from the attempt's stream; the same draws
        // whether or not the step queues for a resource.
        let bias = self.bias;
        let rng = self.stream(exec, slot, branch);
        let own = step.latency.sample(rng) + grown;
        let (mut outcome, ratio) = bias::draw(bias, probs, rng);
        self.weight *= ratio;
        // Persistence and common causes are the step's own, not its fallback's.
        if level == 0 {
            if step.persistence != 0.0 {
                outcome = self.persisted(exec, slot, branch, step.persistence, outcome);
            }
            if let Some(&Some(effect)) = self.struck.get(exec) {
                outcome = effect;
            }
        }
        let Some(resource) = step.resource else {
            let (duration, outcome) = match step.timeout {
                Some(limit) if own > limit => (limit, AttemptOutcome::Timeout),
                _ => (own, outcome),
            };
            let end = Event::AttemptEnd {
                exec,
                epoch,
                branch,
                outcome,
            };
            self.outbox.push(Outgoing::Schedule(duration, end));
            if step.hedge.is_some() {
                self.arm_hedge(exec, Some(duration));
            }
            return;
        };
        let rng = self.stream(exec, slot, branch);
        let work = match resource.pool {
            Some(pool) => model.pools[pool].draw_work(step, own, rng),
            None => own,
        };
        self.outbox.push(Outgoing::Acquire(Acquire {
            exec,
            epoch,
            branch,
            outcome,
            work,
            timeout: step.timeout,
            resource,
        }));
        if step.hedge.is_some() {
            self.arm_hedge(exec, None);
        }
    }

    fn attempt_ended(
        &mut self,
        exec: usize,
        branch: u32,
        outcome: AttemptOutcome,
        c: &mut [ExecCounters],
    ) {
        if self.state[exec].hedged {
            self.settle_hedge(exec, c);
        }
        self.state[exec].in_flight = self.state[exec].in_flight.saturating_sub(1);
        self.state[exec].cache_serving = false;
        self.in_flight = self.in_flight.saturating_sub(1);
        let in_taint = self.state[exec].in_taint;
        let slot = self.dyn_slot[exec];
        match outcome {
            AttemptOutcome::Loud | AttemptOutcome::Timeout => {
                c[exec].loud += 1;
                if outcome == AttemptOutcome::Timeout {
                    c[exec].timeouts += 1;
                }
                let step = self.model.step(exec).at_level(self.state[exec].level);
                let attempts = if slot == NOT_DYNAMIC {
                    self.state[exec].attempts - self.state[exec].level_base
                } else {
                    self.dyn_runs[slot as usize].attempts(branch)
                };
                if attempts <= step.retry.max_retries {
                    let delay = step
                        .retry
                        .delay_before(attempts, self.stream(exec, slot, branch));
                    let epoch = self.state[exec].epoch;
                    let retry = Event::Retry {
                        exec,
                        epoch,
                        branch,
                    };
                    self.outbox.push(Outgoing::Schedule(delay, retry));
                } else if !self.fall_back(exec, c) {
                    c[exec].exhausted += 1;
                    if slot == NOT_DYNAMIC {
                        self.exec_failed(exec);
                    } else {
                        self.branch_done(exec, slot, None, c);
                    }
                }
            }
            AttemptOutcome::Silent => {
                c[exec].silent += 1;
                let taint = if in_taint == CLEAN {
                    exec as Taint
                } else {
                    in_taint
                };
                self.attempt_succeeded(exec, slot, taint, c);
            }
            AttemptOutcome::Ok => self.attempt_succeeded(exec, slot, in_taint, c),
        }
    }

    /// An attempt ended ok (its output tainted by `taint`): the step is done,
    /// or, in a loop or fan-out, one iteration or branch is.
    fn attempt_succeeded(&mut self, exec: usize, slot: u32, taint: Taint, c: &mut [ExecCounters]) {
        if slot == NOT_DYNAMIC {
            self.exec_succeeded(exec, taint, c);
        } else {
            self.branch_done(exec, slot, Some(taint), c);
        }
    }

    fn exec_succeeded(&mut self, exec: usize, taint: Taint, c: &mut [ExecCounters]) {
        if !self.is_node(exec) {
            let edge = exec - self.model.nodes.len();
            self.deliver(edge, false, taint);
            return;
        }
        if self.model.nodes[exec].gate.is_some() {
            self.gate_decides(exec, taint, c);
        } else {
            self.node_completed(exec, taint, c);
        }
    }

    fn exec_failed(&mut self, exec: usize) {
        let n = self.model.nodes.len();
        if exec >= n {
            self.deliver(exec - n, true, CLEAN);
            return;
        }
        self.state[exec].done = true;
        if self.model.nodes[exec].outputs.is_empty() {
            self.result = Some((TaskOutcome::Loud, CLEAN));
            return;
        }
        for &edge in &self.model.nodes[exec].outputs {
            self.immediate.push_back(Immediate::Deliver {
                edge,
                failed: true,
                taint: CLEAN,
            });
        }
    }

    fn node_completed(&mut self, node: NodeId, taint: Taint, c: &mut [ExecCounters]) {
        let st = &mut self.state[node];
        st.done = true;
        st.out_taint = taint;
        let outputs = &self.model.nodes[node].outputs;
        if outputs.is_empty() {
            self.sinks_done += 1;
            if self.sinks_done == self.model.sinks.len() {
                self.finish_ok();
            }
            return;
        }
        for &edge in outputs {
            self.send(edge, taint, c);
        }
    }

    /// All sinks are done: the task's output is wrong if any sink's output is.
    fn finish_ok(&mut self) {
        let taint = self
            .model
            .sinks
            .iter()
            .map(|&s| self.state[s].out_taint)
            .find(|&t| t != CLEAN)
            .unwrap_or(CLEAN);
        let outcome = if taint == CLEAN {
            TaskOutcome::Correct
        } else {
            TaskOutcome::Silent
        };
        self.result = Some((outcome, taint));
    }

    fn gate_decides(&mut self, node: NodeId, taint: Taint, c: &mut [ExecCounters]) {
        let gate = self.model.nodes[node].gate.as_ref().expect("gate node");
        let corrupted = taint != CLEAN;
        let (sensitivity, false_alarm) = self.gate_probs[node];
        let p_flag = if corrupted { sensitivity } else { false_alarm };
        let flagged = match self.bias {
            Some(b) if corrupted && p_flag > 0.0 => {
                let (flagged, ratio) = b.gate_flags_corrupted(p_flag, self.rng(node).random());
                self.weight *= ratio;
                flagged
            }
            _ => p_flag > 0.0 && self.rng(node).random::<f64>() < p_flag,
        };
        self.gate_decision = Some(GateDecision {
            node,
            input_wrong: corrupted,
            flagged,
        });
        if !flagged {
            if corrupted {
                c[node].missed += 1;
            }
            self.node_completed(node, taint, c);
            return;
        }
        if corrupted {
            c[node].caught += 1;
        } else {
            c[node].false_alarms += 1;
        }
        if self.gate_loops[node] >= gate.max_loops {
            c[node].gate_exhausted += 1;
            let outcome = match gate.on_exhausted {
                OnExhausted::Escalate => TaskOutcome::Escalated,
                OnExhausted::Fail => TaskOutcome::Loud,
            };
            self.result = Some((outcome, CLEAN));
            return;
        }
        self.gate_loops[node] += 1;
        c[node].loops += 1;
        let n = self.model.nodes.len();
        for &e in &gate.region_edges {
            self.cancel_in_flight(n + e, c);
            self.state[n + e].reset_keep_epoch();
        }
        for &r in &gate.region {
            self.cancel_in_flight(r, c);
            self.state[r].reset_keep_epoch();
            self.recount_inputs(r);
        }
        for &r in &gate.region {
            self.immediate.push_back(Immediate::TryStart(r));
        }
    }

    /// Counts an attempt of `exec` still running as cancelled (a loop-back
    /// restarts the step, and the attempt's end will be ignored).
    fn cancel_in_flight(&mut self, exec: usize, c: &mut [ExecCounters]) {
        let st = self.state[exec];
        let running = st.in_flight;
        if running > 0 {
            self.state[exec].in_flight = 0;
            self.in_flight = self.in_flight.saturating_sub(running);
            c[exec].cancelled += st.attempts_in_flight() as u64;
        }
    }

    /// Rebuilds a node's input counters from its edges' deliveries (after a loop-back).
    fn recount_inputs(&mut self, node: NodeId) {
        let n = self.model.nodes.len();
        let merge = self.model.nodes[node].merge;
        let (mut ok, mut failed, mut clean, mut taint) = (0, 0, 0, CLEAN);
        for &e in &self.model.nodes[node].inputs {
            match self.state[n + e].delivery {
                Delivery::None => {}
                Delivery::Failed => failed += 1,
                Delivery::Ok(t) => {
                    if ok < needs(merge, self.model.nodes[node].inputs.len() as u32) {
                        ok += 1;
                        if t == CLEAN {
                            clean += 1;
                        } else if taint == CLEAN {
                            taint = t;
                        }
                    }
                }
            }
        }
        let st = &mut self.state[node];
        st.ok_in = ok;
        st.failed_in = failed;
        st.clean_in = clean;
        st.in_taint = taint;
    }

    fn send(&mut self, edge: EdgeId, taint: Taint, c: &mut [ExecCounters]) {
        let exec = self.model.nodes.len() + edge;
        let st = &mut self.state[exec];
        if st.started {
            return;
        }
        st.started = true;
        st.in_taint = taint;
        if self.model.edges[edge].step.is_instant() {
            self.immediate.push_back(Immediate::Deliver {
                edge,
                failed: false,
                taint,
            });
        } else {
            self.begin_attempt(exec, 0, c);
        }
    }

    fn deliver(&mut self, edge: EdgeId, failed: bool, taint: Taint) {
        let exec = self.model.nodes.len() + edge;
        if self.state[exec].delivery != Delivery::None {
            return;
        }
        self.state[exec].delivery = if failed {
            Delivery::Failed
        } else {
            Delivery::Ok(taint)
        };
        let target = self.model.edges[edge].to;
        let st = &mut self.state[target];
        if st.started || st.done {
            return;
        }
        if failed {
            st.failed_in += 1;
        } else {
            st.ok_in += 1;
            if taint == CLEAN {
                st.clean_in += 1;
            } else if st.in_taint == CLEAN {
                st.in_taint = taint;
            }
        }
        self.immediate.push_back(Immediate::TryStart(target));
    }

    fn try_start(&mut self, node: NodeId, c: &mut [ExecCounters]) {
        let st = self.state[node];
        if st.started || st.done {
            return;
        }
        let n_in = self.model.nodes[node].inputs.len() as u32;
        let merge = self.model.nodes[node].merge;
        match verdict(merge, n_in, st.ok_in, st.clean_in, st.failed_in) {
            Verdict::Wait => return,
            Verdict::Fail => {
                self.inputs_failed(node, c);
                return;
            }
            // A vote taken by enough right inputs is clean whatever the others said.
            Verdict::Go if matches!(merge, Merge::Vote(_)) => self.state[node].in_taint = CLEAN,
            Verdict::Go => {}
            // A lost vote emits a wrong answer: the first wrong input's, or
            // the vote's own when every input that arrived ok was right.
            Verdict::Lost => {
                if self.state[node].in_taint == CLEAN {
                    self.state[node].in_taint = node as Taint;
                    c[node].silent += 1;
                }
            }
        }
        self.state[node].started = true;
        self.run_node(node, c);
    }

    /// Runs a node whose inputs are in: an attempt of its step, or for a
    /// sub-graph's junction, passing its input on at once (an exit counts
    /// one run of its sub-graph).
    #[inline]
    fn run_node(&mut self, node: NodeId, c: &mut [ExecCounters]) {
        let model = self.model;
        if let Some(j) = &model.nodes[node].junction {
            if matches!(j, Junction::Exit(_)) {
                c[node].attempts += 1;
            }
            let taint = self.state[node].in_taint;
            self.node_completed(node, taint, c);
        } else if self.dyn_slot[node] == NOT_DYNAMIC {
            self.begin_attempt(node, 0, c);
        } else {
            self.start_dynamic(node, c);
        }
    }

    /// A node whose inputs can no longer satisfy it fails; a sub-graph's exit
    /// first re-runs its sub-graph while its retries last.
    fn inputs_failed(&mut self, node: NodeId, c: &mut [ExecCounters]) {
        let model = self.model;
        let Some(Junction::Exit(run)) = &model.nodes[node].junction else {
            self.exec_failed(node);
            return;
        };
        // Its inputs failed: the sub-graph never ran, and re-running it cannot help.
        let entry = self.state[run.entry];
        if entry.done && !entry.started {
            self.exec_failed(node);
            return;
        }
        c[node].attempts += 1;
        c[node].loud += 1;
        let runs = self.state[node].attempts + 1;
        let retry = &model.nodes[node].step.retry;
        if runs > retry.max_retries {
            c[node].exhausted += 1;
            self.exec_failed(node);
            return;
        }
        // Reset the sub-graph as a loop-back does, keeping the run count.
        let n = model.nodes.len();
        for &e in &run.region_edges {
            self.state[n + e].reset_keep_epoch();
        }
        for &r in &run.region {
            self.state[r].reset_keep_epoch();
            self.recount_inputs(r);
        }
        for &g in &run.gates {
            self.gate_loops[g] = 0;
        }
        // What the failed run still had queued for this instant is void.
        self.immediate.retain(|a| match *a {
            Immediate::Deliver { edge, .. } => run.region_edges.binary_search(&edge).is_err(),
            Immediate::TryStart(r) => run.region.binary_search(&r).is_err(),
        });
        self.state[node].attempts = runs;
        // The entry waits for the backoff: nothing in the sub-graph starts before.
        self.state[run.entry].started = true;
        let delay = retry.delay_before(runs, self.rng(node));
        let epoch = self.state[node].epoch;
        let restart = Event::Retry {
            exec: node,
            epoch,
            branch: 0,
        };
        self.outbox.push(Outgoing::Schedule(delay, restart));
    }

    /// Starts a sub-graph again after its exit's backoff, from its entry.
    fn restart_subgraph(&mut self, entry: NodeId) {
        self.state[entry].started = false;
        self.recount_inputs(entry);
        self.immediate.push_back(Immediate::TryStart(entry));
    }
}
