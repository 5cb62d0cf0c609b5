//! Parsing trace files, record by record, into [`Observed`] spans.
//!
//! Three forms: OTLP JSON lines (a collector's file exporter: one
//! `ExportTraceServiceRequest` per line), one OTLP request document, and a
//! plain table of steps as CSV or JSON lines, for teams without
//! OpenTelemetry. The caller reads the file (line by line, so memory stays
//! flat) and hands each record here; a bad record gives an error saying what
//! is wrong, which the caller locates by line.

use serde::Deserialize;

use super::observe::Observed;
use super::span::{AttemptEnd, parse_outcome};

/// The columns of a steps table, in CSV header or JSON-line keys.
pub const STEP_COLUMNS: &str = "task, step, attempt, pass, iteration, branch, start, end, \
     status, input_tokens, output_tokens, cost, label";

/// What a trace file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One OTLP `ExportTraceServiceRequest` per line.
    OtlpLines,
    /// One OTLP request spanning the whole file.
    OtlpDocument,
    /// Steps as JSON lines.
    StepsJsonl,
    /// Steps as CSV with a header.
    StepsCsv,
}

/// The form of a file whose name ends in `.csv` (`csv`) and whose first
/// non-blank line is `first`.
pub fn detect(csv: bool, first: &str) -> Form {
    if csv {
        return Form::StepsCsv;
    }
    match serde_json::from_str::<serde_json::Value>(first) {
        Ok(serde_json::Value::Object(m)) if m.contains_key("task") => Form::StepsJsonl,
        Ok(_) => Form::OtlpLines,
        Err(_) => Form::OtlpDocument,
    }
}

/// The spans of one OTLP JSON request (a line or a whole document).
pub fn otlp(text: &str, out: &mut impl FnMut(Observed)) -> Result<(), String> {
    let req = serde_json::from_str(text).map_err(|e| {
        format!(
            "not an OTLP ExportTraceServiceRequest ({e}); expected e.g. \
             {{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[...]}}]}}]}}"
        )
    })?;
    super::otlp::observe(req, out);
    Ok(())
}

/// One row of a steps table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRow {
    /// The task (run) the step belongs to.
    pub task: String,
    /// The node; empty for the task itself (its outcome in `label`).
    #[serde(default)]
    pub step: String,
    /// Attempt within the pass, from 1.
    #[serde(default)]
    pub attempt: Option<u32>,
    /// Pass, from 1.
    #[serde(default)]
    pub pass: Option<u32>,
    /// An agent loop's iteration, from 0.
    #[serde(default)]
    pub iteration: Option<u32>,
    /// A dynamic fan-out's branch, from 0.
    #[serde(default)]
    pub branch: Option<u32>,
    /// Start in seconds.
    pub start: f64,
    /// End in seconds.
    pub end: f64,
    /// `ok`, `error`, `timeout` or `abandoned` (also `cancelled`: cut off
    /// before it ended, its duration right-censored).
    #[serde(default)]
    pub status: Option<String>,
    /// Input tokens.
    #[serde(default)]
    pub input_tokens: Option<u64>,
    /// Output tokens.
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// Dollars.
    #[serde(default)]
    pub cost: Option<f64>,
    /// A step: `ok` or `silent` (right or wrong output); the task: `correct`,
    /// `silent`, `loud` or `escalated`.
    #[serde(default)]
    pub label: Option<String>,
}

/// A steps row as an observed span (an empty step is the task's root span).
pub fn step_row(row: StepRow) -> Result<Observed, String> {
    if !(row.start.is_finite() && row.end.is_finite() && row.start >= 0.0 && row.end >= row.start) {
        return Err(format!(
            "start {} and end {}: allowed: seconds with 0 <= start <= end, e.g. start = 1.5, end = 2.25",
            row.start, row.end
        ));
    }
    if row.end > 1e10 {
        return Err(format!("end {} s: allowed: at most 1e10 seconds", row.end));
    }
    if row.cost.is_some_and(|c| !(c.is_finite() && c >= 0.0)) {
        return Err("cost: allowed: a number of dollars >= 0, e.g. 0.002".into());
    }
    let status = row.status.as_deref().unwrap_or("ok");
    let (error, timeout) = match status {
        "ok" | "" | "abandoned" | "cancelled" => (false, false),
        "error" => (true, false),
        "timeout" => (true, true),
        other => {
            return Err(format!(
                "status \"{other}\": allowed: ok, error, timeout or abandoned (cut off before \
                 it ended), e.g. status = \"error\""
            ));
        }
    };
    let abandoned = matches!(status, "abandoned" | "cancelled");
    let mut o = Observed {
        trace: task_key(&row.task),
        span_id: 0,
        parent: if row.step.is_empty() { 0 } else { 1 },
        start_ns: (row.start * 1e9).round() as u64,
        end_ns: (row.end * 1e9).round() as u64,
        error,
        pass: row.pass,
        attempt: row.attempt,
        lane: row.iteration.or(row.branch),
        branch: row.iteration.is_none() && row.branch.is_some(),
        input_tokens: row.input_tokens,
        output_tokens: row.output_tokens,
        cost: row.cost,
        ..Default::default()
    };
    let label = row.label.as_deref().filter(|l| !l.is_empty());
    if row.step.is_empty() {
        o.task_id = Some(row.task.clone());
        if let Some(l) = label {
            o.task_outcome = Some(parse_outcome(l).ok_or_else(|| {
                format!(
                    "label \"{l}\" of the task row: allowed: correct, silent, loud or escalated"
                )
            })?);
        }
    } else {
        o.node = Some(row.step.clone());
        o.name = row.step;
        o.label = match label {
            None => timeout.then_some(AttemptEnd::Timeout),
            Some("ok" | "correct" | "right") => Some(AttemptEnd::Ok),
            Some("silent" | "wrong") => Some(AttemptEnd::Silent),
            Some(l) => {
                return Err(format!(
                    "label \"{l}\" of step {}: allowed: ok or silent (right or wrong output)",
                    o.name
                ));
            }
        };
        if error {
            o.label = Some(if timeout {
                AttemptEnd::Timeout
            } else {
                AttemptEnd::Loud
            });
        }
        if abandoned {
            o.label = Some(AttemptEnd::Abandoned);
        }
    }
    Ok(o)
}

/// A steps JSON line.
pub fn steps_jsonl(text: &str) -> Result<Observed, String> {
    let row: StepRow = serde_json::from_str(text)
        .map_err(|e| format!("{e}; a step line has the keys {STEP_COLUMNS}"))?;
    step_row(row)
}

/// A 128-bit key of a task's name (FNV-1a, twice).
fn task_key(task: &str) -> u128 {
    let fnv = |basis: u64| {
        task.bytes().fold(basis, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    ((fnv(0xcbf2_9ce4_8422_2325) as u128) << 64) | fnv(0x6c62_272e_07bb_0142) as u128 | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_step_is_labelled_so_and_not_an_error() {
        for status in ["abandoned", "cancelled"] {
            let line = format!(
                r#"{{"task": "t1", "step": "read", "attempt": 1, "start": 1.0, "end": 3.5, "status": "{status}"}}"#
            );
            let o = steps_jsonl(&line).unwrap();
            assert_eq!(o.attempt_end(), AttemptEnd::Abandoned);
            assert!(!o.error);
            assert!((o.seconds() - 2.5).abs() < 1e-9);
        }
        let bad = r#"{"task": "t1", "step": "read", "start": 0, "end": 1, "status": "gone"}"#;
        let e = steps_jsonl(bad).unwrap_err();
        assert!(
            e.contains("abandoned") && e.contains("status \"gone\""),
            "{e}"
        );
    }
}
