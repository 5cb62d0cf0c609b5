//! Chrome trace-event JSON (opens in the Perfetto UI or chrome://tracing):
//! one process per sampled task run, one thread per node or hand-off, a
//! complete event (`"ph": "X"`) per attempt and backoff, times in µs.

use serde_json::{Value, json};

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
        let mut named = vec![false; model.exec_count()];
        for sp in &t.spans {
            let tid = sp.exec + 1;
            if !std::mem::replace(&mut named[sp.exec], true) {
                events.push(
                    json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                    "args": {"name": model.exec_name(sp.exec)}}),
                );
            }
            let node = model.exec_name(sp.exec);
            let (name, outcome) = match sp.what {
                SpanWhat::Backoff => (format!("backoff {node}"), "backoff"),
                SpanWhat::Attempt(end) => (node.clone(), end.name()),
            };
            let mut args = json!({"node": node, "pass": sp.pass, "attempt": sp.attempt,
                "outcome": outcome, "queue_wait_s": sp.wait});
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
                "tid": tid, "ts": sp.start * 1e6, "dur": (sp.end - sp.start) * 1e6,
                "args": args}));
        }
        events.push(json!({"ph": "X", "name": format!("task {}", t.task),
            "cat": outcome_name(t.outcome), "pid": pid, "tid": 0, "ts": 0.0,
            "dur": t.latency * 1e6, "args": {"outcome": outcome_name(t.outcome),
            "cost_usd": t.cost_usd, "tokens": t.tokens, "run": t.run}}));
    }
    json!({"traceEvents": events, "displayTimeUnit": "ms",
        "otherData": {"scenario": model.name, "made_by": "coordsim run --traces"}})
}
