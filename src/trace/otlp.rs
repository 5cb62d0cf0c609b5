//! OTLP JSON: simulated tasks written as `ExportTraceServiceRequest`s (one
//! per line, as an OpenTelemetry collector's file exporter writes them), and
//! spans read back from that form or from a single request document.
//!
//! The data model is `opentelemetry-proto`'s (its serde form follows the
//! OTLP/JSON encoding: hex ids, integers as strings, camelCase keys).

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span, Status, span, status,
};

use super::attrs as a;
use super::observe::Observed;
use super::span::{AttemptEnd, SpanWhat, StepSpan, TaskTrace, outcome_name, parse_outcome};
use crate::model::{Dynamic, Model, NodeKind};
use crate::task::TaskOutcome;

/// Where written traces start: 2026-01-01T00:00:00Z, in nanoseconds.
pub const EPOCH_NS: u64 = 1_767_225_600_000_000_000;
/// Seconds between the starts of consecutive written tasks (trial i starts
/// at `EPOCH_NS + i · TASK_SPACING_S`): tasks of independent trials do not
/// arrive as a workload, so their start times carry no arrival process.
/// Tasks of a loaded run start at their arrival (`EPOCH_NS` + seconds
/// into the replication).
pub const TASK_SPACING_S: u64 = 3600;

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}
fn s(key: &str, v: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(v.into()))
}
fn i(key: &str, v: i64) -> KeyValue {
    kv(key, any_value::Value::IntValue(v))
}
fn f(key: &str, v: f64) -> KeyValue {
    kv(key, any_value::Value::DoubleValue(v))
}

fn nanos(start: u64, seconds: f64) -> u64 {
    start.saturating_add((seconds * 1e9).round() as u64)
}

/// The operation and span name of an attempt of `exec`, by the GenAI
/// conventions: LLM calls, gates and aggregations are `chat`, tools and
/// retrievals `execute_tool` (a retrieval as tool type `datastore`).
fn operation(model: &Model, exec: usize) -> (&'static str, String, Vec<KeyValue>) {
    let name = model.exec_name(exec);
    let Some(node) = model.nodes.get(exec) else {
        let attrs = vec![s(a::NODE_KIND, "handoff")];
        return ("handoff", format!("handoff {name}"), attrs);
    };
    let kind = s(a::NODE_KIND, node.kind.name());
    match node.kind {
        NodeKind::Tool => (
            "execute_tool",
            format!("execute_tool {name}"),
            vec![kind, s(a::TOOL_NAME, &name), s(a::TOOL_TYPE, "function")],
        ),
        NodeKind::Retrieval => (
            "execute_tool",
            format!("execute_tool {name}"),
            vec![kind, s(a::TOOL_NAME, &name), s(a::TOOL_TYPE, "datastore")],
        ),
        _ => (
            "chat",
            format!("chat {name}"),
            vec![kind, s(a::REQUEST_MODEL, &name), s(a::PROVIDER, "coordsim")],
        ),
    }
}

/// One task run as an OTLP request: a root `invoke_agent` span for the task
/// and one child span per attempt and backoff, ids derived from `seed`.
pub fn request(model: &Model, seed: u64, t: &TaskTrace) -> ExportTraceServiceRequest {
    let trace_id = crate::seed::trace_id(seed, t.task, t.run);
    let root_id = crate::seed::span_id(&trace_id, 0);
    let start = match t.arrival {
        Some(arrival) => nanos(EPOCH_NS, arrival),
        None => EPOCH_NS.saturating_add(t.task.saturating_mul(TASK_SPACING_S * 1_000_000_000)),
    };
    let mut spans: Vec<Span> = t
        .spans
        .iter()
        .enumerate()
        .map(|(k, sp)| step_span(model, sp, &trace_id, &root_id, k as u64 + 1, start))
        .collect();
    let mut attrs = vec![
        s(a::OPERATION, "invoke_agent"),
        s(a::AGENT_NAME, &model.name),
        s(a::TASK_ID, &t.task.to_string()),
        i(a::TASK_RUN, t.run as i64),
        s(a::TASK_OUTCOME, outcome_name(t.outcome)),
        f(a::COST, t.cost_usd),
    ];
    if let Some(origin) = t.silent_origin {
        attrs.push(s(a::SILENT_ORIGIN, &model.exec_name(origin)));
    }
    let (input, output) = t.spans.iter().fold((0i64, 0i64), |(x, y), sp| {
        match (sp.what, model.step(sp.exec).tokens) {
            (SpanWhat::Attempt(_), Some((inp, out))) => (x + inp as i64, y + out as i64),
            _ => (x, y),
        }
    });
    if input + output > 0 {
        attrs.push(i(a::INPUT_TOKENS, input));
        attrs.push(i(a::OUTPUT_TOKENS, output));
    }
    let failed = matches!(t.outcome, TaskOutcome::Loud | TaskOutcome::Escalated);
    spans.push(Span {
        trace_id: trace_id.to_vec(),
        span_id: root_id.to_vec(),
        name: format!("invoke_agent {}", model.name),
        kind: span::SpanKind::Internal as i32,
        start_time_unix_nano: start,
        end_time_unix_nano: nanos(start, t.latency),
        attributes: attrs,
        status: Some(status_of(failed, outcome_name(t.outcome))),
        ..Default::default()
    });
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![s("service.name", "coordsim"), s(a::SCENARIO, &model.name)],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "coordsim".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    ..Default::default()
                }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

fn status_of(error: bool, message: &str) -> Status {
    if error {
        Status {
            code: status::StatusCode::Error as i32,
            message: message.into(),
        }
    } else {
        Status {
            code: status::StatusCode::Unset as i32,
            message: String::new(),
        }
    }
}

fn step_span(
    model: &Model,
    sp: &StepSpan,
    trace_id: &[u8; 16],
    root: &[u8; 8],
    serial: u64,
    start: u64,
) -> Span {
    let (op, name, mut attrs) = operation(model, sp.exec);
    attrs.push(s(a::NODE, &model.exec_name(sp.exec)));
    attrs.push(i(a::PASS, sp.pass as i64));
    attrs.push(i(a::ATTEMPT, sp.attempt as i64));
    if let Some(key) = lane_key(model, sp.exec) {
        attrs.push(i(key, sp.branch as i64));
    }
    let step = model.step(sp.exec);
    let (name, error) = match sp.what {
        SpanWhat::Backoff => {
            attrs.push(kv(a::BACKOFF, any_value::Value::BoolValue(true)));
            (format!("backoff {}", model.exec_name(sp.exec)), None)
        }
        SpanWhat::Attempt(end) => {
            attrs.insert(0, s(a::OPERATION, op));
            attrs.push(s(a::ATTEMPT_OUTCOME, end.name()));
            if let Some((input, output)) = step.tokens {
                attrs.push(i(a::INPUT_TOKENS, input as i64));
                attrs.push(i(a::OUTPUT_TOKENS, output as i64));
            }
            attrs.push(f(a::COST, step.cost.usd));
            attrs.push(f(a::QUEUE_WAIT, sp.wait));
            if let Some(g) = sp.gate {
                attrs.push(s(
                    a::GATE_INPUT,
                    if g.input_wrong { "wrong" } else { "right" },
                ));
                attrs.push(s(a::GATE_DECISION, if g.flagged { "flag" } else { "pass" }));
            }
            let error = match end {
                AttemptEnd::Loud => Some("loud"),
                AttemptEnd::Timeout => Some("timeout"),
                _ => None,
            };
            if let Some(e) = error {
                attrs.push(s(a::ERROR_TYPE, e));
            }
            (name, error)
        }
    };
    Span {
        trace_id: trace_id.to_vec(),
        span_id: crate::seed::span_id(trace_id, serial).to_vec(),
        parent_span_id: root.to_vec(),
        name,
        kind: if op == "handoff" || matches!(sp.what, SpanWhat::Backoff) {
            span::SpanKind::Internal
        } else {
            span::SpanKind::Client
        } as i32,
        start_time_unix_nano: nanos(start, sp.start),
        end_time_unix_nano: nanos(start, sp.end),
        attributes: attrs,
        status: Some(status_of(error.is_some(), error.unwrap_or(""))),
        ..Default::default()
    }
}

/// The attribute naming a span's lane: `coordsim.iteration` on an agent
/// loop, `coordsim.branch` on a dynamic fan-out, none on other steps.
pub fn lane_key(model: &Model, exec: usize) -> Option<&'static str> {
    match model.nodes.get(exec)?.dynamic.as_deref()? {
        Dynamic::Loop(_) => Some(a::ITERATION),
        Dynamic::FanOut(_) => Some(a::BRANCH),
    }
}

/// The spans of one OTLP request, as observed spans.
pub fn observe(req: ExportTraceServiceRequest, out: &mut impl FnMut(Observed)) {
    for rs in req.resource_spans {
        for ss in rs.scope_spans {
            for sp in ss.spans {
                out(observed(sp));
            }
        }
    }
}

fn id_u128(bytes: &[u8]) -> u128 {
    bytes.iter().fold(0u128, |h, &b| (h << 8) | b as u128)
}
fn id_u64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |h, &b| (h << 8) | b as u64)
}

fn observed(sp: Span) -> Observed {
    let mut o = Observed {
        trace: id_u128(&sp.trace_id),
        span_id: id_u64(&sp.span_id),
        parent: id_u64(&sp.parent_span_id),
        start_ns: sp.start_time_unix_nano,
        end_ns: sp.end_time_unix_nano,
        error: sp
            .status
            .as_ref()
            .is_some_and(|st| st.code == status::StatusCode::Error as i32),
        name: sp.name,
        ..Default::default()
    };
    let mut timeout = false;
    for attr in sp.attributes {
        let Some(value) = attr.value.and_then(|v| v.value) else {
            continue;
        };
        let text = || match &value {
            any_value::Value::StringValue(v) => Some(v.clone()),
            any_value::Value::IntValue(v) => Some(v.to_string()),
            _ => None,
        };
        let int = || match &value {
            any_value::Value::IntValue(v) => u64::try_from(*v).ok(),
            any_value::Value::StringValue(v) => v.parse().ok(),
            any_value::Value::DoubleValue(v) if *v >= 0.0 && v.fract() == 0.0 => Some(*v as u64),
            _ => None,
        };
        let num = || match &value {
            any_value::Value::DoubleValue(v) => Some(*v),
            any_value::Value::IntValue(v) => Some(*v as f64),
            any_value::Value::StringValue(v) => v.parse().ok(),
            _ => None,
        };
        match attr.key.as_str() {
            a::NODE => o.node = text(),
            a::OPERATION => o.operation = text(),
            a::REQUEST_MODEL => o.model = text(),
            a::TOOL_NAME => o.tool = text(),
            a::TOOL_TYPE => o.tool_type = text(),
            a::AGENT_NAME => o.agent = text(),
            a::PASS => o.pass = int().and_then(|v| u32::try_from(v).ok()),
            a::ATTEMPT => o.attempt = int().and_then(|v| u32::try_from(v).ok()),
            a::ITERATION => o.lane = int().and_then(|v| u32::try_from(v).ok()),
            a::BRANCH => {
                o.lane = int().and_then(|v| u32::try_from(v).ok());
                o.branch = true;
            }
            a::ATTEMPT_OUTCOME => o.label = text().as_deref().and_then(AttemptEnd::parse),
            a::BACKOFF => o.backoff = matches!(value, any_value::Value::BoolValue(true)),
            a::INPUT_TOKENS => o.input_tokens = int(),
            a::OUTPUT_TOKENS => o.output_tokens = int(),
            a::COST => o.cost = num().filter(|v| v.is_finite() && *v >= 0.0),
            a::QUEUE_WAIT => o.queue_wait = num().filter(|v| v.is_finite() && *v >= 0.0),
            a::ERROR_TYPE => timeout = text().is_some_and(|t| t == "timeout"),
            a::GATE_INPUT => o.gate_input_wrong = text().map(|t| t == "wrong"),
            a::GATE_DECISION => o.gate_flagged = text().map(|t| t == "flag"),
            a::TASK_ID => o.task_id = text(),
            a::TASK_RUN => o.task_run = int().and_then(|v| u32::try_from(v).ok()),
            a::TASK_OUTCOME => o.task_outcome = text().as_deref().and_then(parse_outcome),
            _ => {}
        }
    }
    if timeout && o.label.is_none() {
        o.label = Some(AttemptEnd::Timeout);
    }
    o
}
