//! Streaming totals of observed spans, per node and per task.
//!
//! Spans are folded in as they are read: per-node sums go straight into
//! [`NodeTotals`]; what needs the whole task (its first attempt of each
//! node, its outcome, the order of its steps) is held per trace only until
//! the trace's root span arrives (a collector exports a root after its
//! children), so memory does not grow with the file.

use std::collections::HashMap;

use super::censored::Censored;
use super::count::LaneCounts;
use super::latency::Durations;
use crate::task::TaskOutcome;
use crate::trace::observe::Observed;
use crate::trace::span::AttemptEnd;

/// How spans are mapped to node names.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// The structure's node and hand-off names (empty: infer from the spans).
    pub known: Vec<String>,
    /// User rules, first match wins.
    pub rules: Vec<Rule>,
}

/// A user mapping rule: a span whose name / operation / model matches (all
/// given fields equal) belongs to `node`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Span name.
    pub name: Option<String>,
    /// `gen_ai.operation.name`.
    pub operation: Option<String>,
    /// `gen_ai.request.model`.
    pub model: Option<String>,
    /// `gen_ai.tool.name`.
    pub tool: Option<String>,
    /// The node it maps to.
    pub node: String,
}

impl Mapping {
    /// The node a span belongs to, if any.
    pub fn node_of(&self, o: &Observed) -> Option<String> {
        for r in &self.rules {
            let eq = |want: &Option<String>, have: Option<&str>| {
                want.as_deref().is_none_or(|w| have == Some(w))
            };
            if eq(&r.name, Some(&o.name))
                && eq(&r.operation, o.operation.as_deref())
                && eq(&r.model, o.model.as_deref())
                && eq(&r.tool, o.tool.as_deref())
            {
                return Some(r.node.clone());
            }
        }
        let candidates = [
            o.node.as_deref(),
            o.tool.as_deref(),
            o.agent.as_deref(),
            o.model.as_deref(),
            Some(o.name.as_str()),
            o.name.split_once(' ').map(|(_, rest)| rest),
        ];
        if self.known.is_empty() {
            return candidates
                .into_iter()
                .flatten()
                .find(|c| !c.is_empty())
                .map(String::from);
        }
        candidates.into_iter().flatten().find_map(|c| {
            // A copy `id#k` of a repeated node is fitted as the node `id`.
            let base = c
                .split_once('#')
                .map_or(c, |(b, k)| if k.parse::<u32>().is_ok() { b } else { c });
            self.known.iter().find(|k| *k == base).cloned()
        })
    }
}

/// Counts of attempts and their labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Attempts that ended (abandoned ones excluded).
    pub attempts: u64,
    /// Loud failures (error status, not a timeout).
    pub loud: u64,
    /// Timeouts.
    pub timeouts: u64,
    /// Attempts that carry an ok/silent/loud label.
    pub labelled: u64,
    /// Of those, silent.
    pub silent: u64,
}

impl Counts {
    fn add(&mut self, o: &Observed) {
        let end = o.attempt_end();
        self.attempts += 1;
        match end {
            AttemptEnd::Loud => self.loud += 1,
            AttemptEnd::Timeout => self.timeouts += 1,
            _ => {}
        }
        if o.label.is_some() && end != AttemptEnd::Timeout {
            self.labelled += 1;
            if end == AttemptEnd::Silent {
                self.silent += 1;
            }
        }
    }
}

/// Everything observed of one node.
#[derive(Debug, Clone, Default)]
pub struct NodeTotals {
    /// Its name.
    pub name: String,
    /// `gen_ai.operation.name` and tool type seen on it.
    pub operation: Option<String>,
    /// Tool type.
    pub tool_type: Option<String>,
    /// Durations of attempts that ended by themselves (no timeout, not
    /// abandoned), less their queue wait.
    pub durations: Durations,
    /// Durations of attempts cut off (abandoned or timed out), less their
    /// queue wait: right-censored service times.
    pub censored: Censored,
    /// Every attempt.
    pub all: Counts,
    /// The first attempt of the first pass of each task.
    pub first: Counts,
    /// Most attempts in one pass; most passes in one task.
    pub max_attempt: u32,
    /// Most passes.
    pub max_pass: u32,
    /// Tasks where it ran more than one pass.
    pub tasks_repassed: u64,
    /// Tasks where it ran.
    pub tasks: u64,
    /// Sums of tokens and of their count.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Attempts carrying token counts.
    pub token_attempts: u64,
    /// Sum of cost and of its square, and attempts carrying a cost.
    pub cost: f64,
    /// Square sum.
    pub cost_sq: f64,
    /// Attempts with a cost.
    pub cost_attempts: u64,
    /// Gate decisions: (input wrong, flagged) counts [wrong&flag, wrong, right&flag, right].
    pub gate: [u64; 4],
    /// Abandoned attempts (their durations censored).
    pub abandoned: u64,
    /// A loop or fan-out (spans with `coordsim.iteration` / `coordsim.branch`):
    /// executions of the node (a task's passes), and the sum and square sum
    /// of the iterations or branches each ran.
    pub lanes: (u64, f64, f64),
    /// The same executions by count, and whether each was cut short.
    pub lane_counts: LaneCounts,
    /// Its lanes are a fan-out's branches (else a loop's iterations).
    pub branches: bool,
}

/// What is held of a task until its root span arrives.
#[derive(Debug, Default)]
struct Pending {
    /// Per node: (earliest start, its end, its span) of its first attempt, and attempts seen.
    first: HashMap<usize, (u64, u64, Observed)>,
    /// Attempts per (node, pass, iteration or branch): retries, not iterations.
    attempts: HashMap<(usize, u32, u32), u32>,
    passes: HashMap<usize, u32>,
    /// Per (node, pass) of a loop or fan-out: its iterations or branches
    /// (the highest + 1), and whether an attempt of it was abandoned.
    lanes: HashMap<(usize, u32), (u32, bool)>,
    /// Per (node, pass, lane): its latest attempt's number and whether it
    /// failed (loud or timeout): a lane that ran out of retries.
    lane_last: HashMap<(usize, u32, u32), (u32, bool)>,
}

/// The totals of a whole trace file (or several).
#[derive(Debug, Default)]
pub struct Totals {
    /// The node mapping.
    pub mapping: Mapping,
    /// Per node, in the order first seen (or the structure's order).
    pub nodes: Vec<NodeTotals>,
    index: HashMap<String, usize>,
    pending: HashMap<u128, Pending>,
    /// Spans read; spans not mapped to a node; backoff spans.
    pub spans: u64,
    /// Spans no node matched.
    pub unmapped: u64,
    /// Names of unmapped spans (the first few).
    pub unmapped_names: Vec<String>,
    /// Tasks (root spans) seen, and by outcome label [correct, silent, loud, escalated].
    pub tasks: u64,
    /// Outcome counts.
    pub outcomes: [u64; 4],
    /// Task latencies (root span durations).
    pub latency: Durations,
    /// Sum and square sum of task cost, and tasks carrying one.
    pub task_cost: (f64, f64, u64),
    /// Root start times for arrivals: count, first, last, gaps sum and square sum; sorted so far.
    pub arrivals: Arrivals,
    /// Per (node, task id): first-attempt (silent, labelled) over runs.
    pub runs: HashMap<(usize, String), (u32, u32)>,
    /// Per task id: (runs not correct, runs labelled).
    pub task_runs: HashMap<String, (u32, u32)>,
    /// Precedence: per (a, b) node pair, tasks where b's first attempt started
    /// at or after a's ended, and tasks with both.
    pub precedence: HashMap<(usize, usize), (u64, u64)>,
}

/// Streaming arrival figures from root spans, in file order.
#[derive(Debug, Default, Clone)]
pub struct Arrivals {
    /// Roots seen.
    pub n: u64,
    /// First and last start (ns).
    pub first: u64,
    /// Last start.
    pub last: u64,
    /// Sum and square sum of gaps (s).
    pub gaps: (f64, f64),
    /// False once a root started before the previous one.
    pub sorted: bool,
}

impl Totals {
    /// Empty totals under `mapping`.
    pub fn new(mapping: Mapping) -> Self {
        let mut t = Totals {
            arrivals: Arrivals {
                sorted: true,
                ..Default::default()
            },
            ..Default::default()
        };
        for name in mapping.known.clone() {
            t.node(&name);
        }
        t.mapping = mapping;
        t
    }

    fn node(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.nodes.push(NodeTotals {
            name: name.into(),
            ..Default::default()
        });
        self.index.insert(name.into(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// The index of the node called `name`, if seen.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// Folds in one span.
    pub fn add(&mut self, o: Observed) {
        self.spans += 1;
        if o.is_root() {
            self.root(o);
            return;
        }
        if o.backoff {
            return;
        }
        let Some(name) = self.mapping.node_of(&o) else {
            self.unmapped += 1;
            if self.unmapped_names.len() < 5 && !self.unmapped_names.contains(&o.name) {
                self.unmapped_names.push(o.name.clone());
            }
            return;
        };
        let i = self.node(&name);
        let n = &mut self.nodes[i];
        if n.operation.is_none() {
            n.operation = o.operation.clone();
            n.tool_type = o.tool_type.clone();
        }
        n.branches |= o.branch && o.lane.is_some();
        let end = o.attempt_end();
        let service = (o.seconds() - o.queue_wait.unwrap_or(0.0)).max(0.0);
        if end == AttemptEnd::Abandoned {
            n.abandoned += 1;
            n.censored.add(service);
            if let Some(lane) = o.lane {
                let p = self.pending.entry(o.trace).or_default();
                let most = p
                    .lanes
                    .entry((i, o.pass.unwrap_or(1)))
                    .or_insert((0, false));
                most.0 = most.0.max(lane.saturating_add(1));
                most.1 = true;
            }
            return;
        }
        n.all.add(&o);
        if end == AttemptEnd::Timeout {
            n.censored.add(service);
        } else {
            n.durations.add(service);
        }
        if let (Some(a), Some(b)) = (o.input_tokens, o.output_tokens) {
            n.input_tokens += a;
            n.output_tokens += b;
            n.token_attempts += 1;
        }
        if let Some(c) = o.cost {
            n.cost += c;
            n.cost_sq += c * c;
            n.cost_attempts += 1;
        }
        if let (Some(wrong), Some(flag)) = (o.gate_input_wrong, o.gate_flagged) {
            let k = if wrong { 0 } else { 2 };
            n.gate[k + 1] += 1;
            if flag {
                n.gate[k] += 1;
            }
        }
        let p = self.pending.entry(o.trace).or_default();
        let pass = o.pass.unwrap_or(1);
        let count = p
            .attempts
            .entry((i, pass, o.lane.unwrap_or(0)))
            .or_insert(0);
        *count += 1;
        if let Some(lane) = o.lane {
            let number = o.attempt.unwrap_or(*count);
            let most = p.lanes.entry((i, pass)).or_insert((0, false));
            most.0 = most.0.max(lane.saturating_add(1));
            let failed = matches!(end, AttemptEnd::Loud | AttemptEnd::Timeout);
            let last = p.lane_last.entry((i, pass, lane)).or_insert((0, false));
            if number >= last.0 {
                *last = (number, failed);
            }
        }
        let passes = p.passes.entry(i).or_insert(0);
        *passes = (*passes).max(pass);
        let first = pass == 1 && o.lane.unwrap_or(0) == 0 && o.attempt.is_none_or(|a| a == 1);
        if first {
            let slot = p.first.entry(i);
            match slot {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    if o.start_ns < e.get().0 && o.attempt.is_none() {
                        e.insert((o.start_ns, o.end_ns, o));
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert((o.start_ns, o.end_ns, o));
                }
            }
        }
    }

    fn root(&mut self, o: Observed) {
        self.tasks += 1;
        if let Some(outcome) = o.task_outcome {
            self.outcomes[outcome as usize] += 1;
        }
        self.latency.add(o.seconds());
        if let Some(c) = o.cost {
            self.task_cost.0 += c;
            self.task_cost.1 += c * c;
            self.task_cost.2 += 1;
        }
        let a = &mut self.arrivals;
        if a.n == 0 {
            a.first = o.start_ns;
        } else if o.start_ns < a.last {
            a.sorted = false;
        } else {
            let gap = (o.start_ns - a.last) as f64 * 1e-9;
            a.gaps.0 += gap;
            a.gaps.1 += gap * gap;
        }
        a.n += 1;
        a.last = a.last.max(o.start_ns);
        if let (Some(id), Some(outcome)) = (&o.task_id, o.task_outcome)
            && o.task_run.is_some()
        {
            let e = self.task_runs.entry(id.clone()).or_insert((0, 0));
            e.0 += u32::from(outcome != TaskOutcome::Correct);
            e.1 += 1;
        }
        let task = o.task_run.and(o.task_id.clone());
        if let Some(p) = self.pending.remove(&o.trace) {
            self.settle(p, task);
        }
    }

    /// Folds in a task's held figures.
    fn settle(&mut self, p: Pending, task: Option<String>) {
        for (&i, &passes) in &p.passes {
            let n = &mut self.nodes[i];
            n.tasks += 1;
            n.max_pass = n.max_pass.max(passes);
            if passes > 1 {
                n.tasks_repassed += 1;
            }
        }
        for (&(i, _, _), &count) in &p.attempts {
            let n = &mut self.nodes[i];
            n.max_attempt = n.max_attempt.max(count);
        }
        let mut lanes = p.lanes;
        for (&(i, pass, _), &(_, failed)) in &p.lane_last {
            if failed && let Some(l) = lanes.get_mut(&(i, pass)) {
                l.1 = true;
            }
        }
        let mut lanes: Vec<((usize, u32), (u32, bool))> = lanes.into_iter().collect();
        lanes.sort_unstable();
        for ((i, _), (count, cut)) in lanes {
            let n = &mut self.nodes[i];
            n.lanes.0 += 1;
            n.lanes.1 += f64::from(count);
            n.lanes.2 += f64::from(count) * f64::from(count);
            n.lane_counts.add(count, cut);
        }
        let firsts: Vec<(usize, u64, u64)> =
            p.first.iter().map(|(&i, (s, e, _))| (i, *s, *e)).collect();
        for (&i, (_, _, o)) in &p.first {
            self.nodes[i].first.add(o);
            if let (Some(id), Some(_)) = (&task, o.label) {
                let e = self.runs.entry((i, id.clone())).or_insert((0, 0));
                e.0 += u32::from(o.attempt_end() == AttemptEnd::Silent);
                e.1 += u32::from(o.attempt_end() != AttemptEnd::Timeout);
            }
        }
        for &(a, _, a_end) in &firsts {
            for &(b, b_start, _) in &firsts {
                if a != b {
                    let e = self.precedence.entry((a, b)).or_insert((0, 0));
                    e.0 += u64::from(b_start >= a_end);
                    e.1 += 1;
                }
            }
        }
    }

    /// Settles the tasks whose root span never came (a steps table has
    /// none); call once at the end.
    pub fn finish(&mut self) {
        let mut held: Vec<(u128, Pending)> = self.pending.drain().collect();
        held.sort_by_key(|(k, _)| *k);
        for (_, p) in held {
            self.settle(p, None);
        }
    }
}
