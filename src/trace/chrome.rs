//! Chrome trace-event JSON (opens in the Perfetto UI or chrome://tracing):
//! one process per sampled task run, one thread per node or hand-off (and
//! per iteration or branch of a loop or fan-out, whose branches overlap), a
//! complete event (`"ph": "X"`) per attempt and backoff, times in µs from
//! the task's start (from the replication's start in a loaded run, so that
//! tasks in flight together line up).

use serde_json::{Value, json};

use std::collections::HashMap;

use super::otlp::lane_key;
use super::span::{SpanWhat, TaskTrace, outcome_name};
use crate::model::Model;

/// The trace-event document of `traces`.
pub fn document(model: &Model, traces: &[TaskTrace]) -> Value {
    let mut events = Vec::new();
    for (pid, t) in traces.iter().enumerate() {
        let pid = pid + 1;
        let title = format!(
            "task {} run {}: {} in {:.3} s",
            t.task,
            t.run,
            outcome_name(t.outcome),
            t.latency
        );
        events.push(
            json!({"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
            "args": {"name": title}}),
        );
        events.push(
            json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": 0,
            "args": {"name": "task"}}),
        );
        let origin = t.arrival.unwrap_or(0.0);
        let mut tids: HashMap<(usize, u32), usize> = HashMap::new();
        for sp in &t.spans {
            let next = tids.len() + 1;
            let tid = *tids.entry((sp.exec, sp.branch)).or_insert(next);
            if tid == next {
                let mut thread = model.exec_name(sp.exec);
                if let Some(key) = lane_key(model, sp.exec) {
                    thread = format!("{thread} [{} {}]", lane_word(key), sp.branch);
                }
                events.push(
                    json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                    "args": {"name": thread}}),
                );
            }
            let node = model.exec_name(sp.exec);
            let (name, outcome) = match sp.what {
                SpanWhat::Backoff => (format!("backoff {node}"), "backoff"),
                SpanWhat::Attempt(end) => (node.clone(), end.name()),
            };
            let mut args = json!({"node": node, "pass": sp.pass, "attempt": sp.attempt,
                "outcome": outcome, "queue_wait_s": sp.wait});
            if let Some(key) = lane_key(model, sp.exec) {
                args[lane_word(key)] = json!(sp.branch);
            }
            if let Some((input, output)) = model.step(sp.exec).tokens
                && matches!(sp.what, SpanWhat::Attempt(_))
            {
                args["input_tokens"] = json!(input);
                args["output_tokens"] = json!(output);
            }
            if let Some(g) = sp.gate {
                args["gate_input"] = json!(if g.input_wrong { "wrong" } else { "right" });
                args["gate_decision"] = json!(if g.flagged { "flag" } else { "pass" });
            }
            events.push(json!({"ph": "X", "name": name, "cat": outcome, "pid": pid,
                "tid": tid, "ts": (origin + sp.start) * 1e6, "dur": (sp.end - sp.start) * 1e6,
                "args": args}));
        }
        events.push(json!({"ph": "X", "name": format!("task {}", t.task),
            "cat": outcome_name(t.outcome), "pid": pid, "tid": 0, "ts": origin * 1e6,
            "dur": t.latency * 1e6, "args": {"outcome": outcome_name(t.outcome),
            "cost_usd": t.cost_usd, "tokens": t.tokens, "run": t.run}}));
    }
    json!({"traceEvents": events, "displayTimeUnit": "ms",
        "otherData": {"scenario": model.name, "made_by": "coordsim run --traces"}})
}

/// `iteration` or `branch`: the word after `coordsim.` in a lane's key.
fn lane_word(key: &str) -> &str {
    key.trim_start_matches("coordsim.")
}
