//! Checking and compiling a node's `loop` or `fan_out` table and its count
//! distribution.

use super::bounds::attempt_cost;
use super::file::OnExhaustedSpec;
use super::file::{CountSpec, FanOutSpec, KindSpec, LatencySpec, LoopSpec, MergeSpec, NodeSpec};
use super::problem::Problems;
use crate::model::dynamic::MAX_COUNT;
use crate::model::{AgentLoop, Count, Dynamic, FanOut, Growth, Merge, OnExhausted};

/// Most tokens one attempt may use, grown context included.
const MAX_ATTEMPT_TOKENS: u64 = 1_000_000_000;

/// Checks the node's `loop` or `fan_out` (reporting under `path`, the
/// node's) and builds it; `None` when it has neither or something is wrong.
pub fn compile_dynamic(node: &NodeSpec, path: &str, p: &mut Problems) -> Option<Box<Dynamic>> {
    match (&node.agent_loop, &node.fan_out) {
        (None, None) => None,
        (Some(_), Some(_)) => {
            p.add(
                format!("{path}.loop + {path}.fan_out"),
                "a node repeats its step either in series (`loop`) or in parallel (`fan_out`), \
                 not both; put the fan-out on a node of its own after the loop",
            );
            None
        }
        _ if node.kind == KindSpec::Gate => {
            let field = if node.agent_loop.is_some() {
                "loop"
            } else {
                "fan_out"
            };
            p.add(
                format!("{path}.{field}"),
                "a gate cannot loop or fan out (its loop-backs are `loop_to` and `max_loops`); \
                 put the loop on the node the gate checks",
            );
            None
        }
        (Some(l), None) => {
            compile_loop(l, node, &format!("{path}.loop"), p).map(|l| Box::new(Dynamic::Loop(l)))
        }
        (None, Some(f)) => {
            compile_fan_out(f, &format!("{path}.fan_out"), p).map(|f| Box::new(Dynamic::FanOut(f)))
        }
    }
}

fn compile_loop(
    spec: &LoopSpec,
    node: &NodeSpec,
    path: &str,
    p: &mut Problems,
) -> Option<AgentLoop> {
    let before = p.len();
    let count = compile_count(&spec.count, &format!("{path}.count"), p);
    let max_steps = spec.max_steps.and_then(|m| {
        bounded(
            m,
            1,
            &format!("{path}.max_steps"),
            "the step limit: iterations allowed before the loop is stopped, e.g. max_steps = 25",
            p,
        )
    });
    let on_limit = match spec.on_limit.unwrap_or(OnExhaustedSpec::Fail) {
        OnExhaustedSpec::Fail => OnExhausted::Fail,
        OnExhaustedSpec::Escalate => OnExhausted::Escalate,
    };
    if spec.on_limit.is_some() && spec.max_steps.is_none() {
        p.add(
            format!("{path}.on_limit"),
            "says what a breached step limit does, and the loop has none; add max_steps = N",
        );
    }
    let growth = compile_growth(spec, node, max_steps, path, p);
    (p.len() == before).then(|| AgentLoop {
        count: count.expect("checked"),
        max_steps,
        on_limit,
        growth,
    })
}

/// The growth of each iteration's input (`input_growth` tokens), priced at
/// the step's input price and timed at its prefill rate.
fn compile_growth(
    spec: &LoopSpec,
    node: &NodeSpec,
    max_steps: Option<u32>,
    path: &str,
    p: &mut Problems,
) -> Growth {
    let Some(g) = spec.input_growth else {
        return Growth::default();
    };
    let field = format!("{path}.input_growth");
    if g < 0 {
        p.add(
            &field,
            format!("is {g}; allowed: 0 or more tokens per iteration, e.g. input_growth = 400"),
        );
        return Growth::default();
    }
    let Some(tokens) = &node.tokens else {
        p.add(
            &field,
            "grows the step's input tokens, and it declares none; add tokens = { input = .., output = .. }",
        );
        return Growth::default();
    };
    let g = g as u64;
    // The last iteration that grows: the step limit, or MAX_COUNT.
    let last = max_steps.unwrap_or(MAX_COUNT) as u64 - 1;
    let largest = (tokens.input + tokens.output).saturating_add(g.saturating_mul(last));
    if largest > MAX_ATTEMPT_TOKENS {
        p.add(
            &field,
            format!(
                "makes iteration {} use {largest} tokens; allowed: at most {MAX_ATTEMPT_TOKENS} per attempt \
                 (with max_steps, the limit's iteration; without, iteration {MAX_COUNT})",
                last + 1
            ),
        );
        return Growth::default();
    }
    let price = node
        .cost
        .as_ref()
        .and_then(|c| c.input_per_mtok)
        .unwrap_or(0.0);
    let usd = price * g as f64 / 1e6;
    let base_usd = node.cost.as_ref().map_or(0.0, |c| {
        c.per_call.unwrap_or(0.0)
            + c.input_per_mtok.unwrap_or(0.0) * tokens.input as f64 / 1e6
            + c.output_per_mtok.unwrap_or(0.0) * tokens.output as f64 / 1e6
    });
    attempt_cost(&field, base_usd + usd * last as f64, p);
    let seconds = match &node.latency {
        Some(LatencySpec::Tokens {
            prefill_tokens_per_s: Some(rate),
            ..
        }) if *rate > 0.0 => g as f64 / rate,
        _ => 0.0,
    };
    Growth {
        tokens: g,
        usd,
        seconds,
    }
}

fn compile_fan_out(spec: &FanOutSpec, path: &str, p: &mut Problems) -> Option<FanOut> {
    let before = p.len();
    let count = compile_count(&spec.count, &format!("{path}.count"), p);
    let join = match spec.join.unwrap_or(MergeSpec::All) {
        MergeSpec::All => Some(Merge::All),
        MergeSpec::Any => Some(Merge::Any),
        MergeSpec::KOfN { k } => {
            join_count(k, &format!("{path}.join.k"), "{ k = 3 }", p).map(Merge::KOfN)
        }
        MergeSpec::Vote { k } => {
            join_count(k, &format!("{path}.join.vote"), "{ vote = 2 }", p).map(Merge::Vote)
        }
    };
    let max_in_flight = spec.max_in_flight.and_then(|m| {
        bounded(
            m,
            1,
            &format!("{path}.max_in_flight"),
            "branches running at once, e.g. max_in_flight = 4",
            p,
        )
    });
    (p.len() == before).then(|| FanOut {
        count: count.expect("checked"),
        join: join.expect("checked"),
        max_in_flight,
    })
}

fn join_count(k: u64, field: &str, example: &str, p: &mut Problems) -> Option<u32> {
    if (1..=MAX_COUNT as u64).contains(&k) {
        return Some(k as u32);
    }
    p.add(
        field,
        format!("is {k}; allowed: 1 to {MAX_COUNT} (a task with fewer branches fails the join), e.g. join = {example}"),
    );
    None
}

/// An integer in `low..=MAX_COUNT`, or a problem naming `field`.
fn bounded(v: i64, low: i64, field: &str, what: &str, p: &mut Problems) -> Option<u32> {
    if (low..=MAX_COUNT as i64).contains(&v) {
        return Some(v as u32);
    }
    p.add(
        field,
        format!("is {v}; allowed: {low} to {MAX_COUNT}: {what}"),
    );
    None
}

/// Checks a count distribution (reporting under `path`) and builds it.
pub fn compile_count(spec: &CountSpec, path: &str, p: &mut Problems) -> Option<Count> {
    let max = MAX_COUNT as f64;
    match spec {
        CountSpec::Fixed { value } => bounded(
            *value,
            0,
            &format!("{path}.value"),
            "the count, e.g. { dist = \"fixed\", value = 5 }",
            p,
        )
        .map(Count::Fixed),
        CountSpec::Geometric { mean, finish } => match (mean, finish) {
            (Some(m), None) => {
                let ok = m.is_finite() && (1.0..=max).contains(m);
                if !ok {
                    p.add(
                        format!("{path}.mean"),
                        format!("is {m}; allowed: 1 to {MAX_COUNT} (a geometric count is at least 1), e.g. {{ dist = \"geometric\", mean = 6 }}"),
                    );
                }
                ok.then(|| Count::Geometric { finish: 1.0 / m })
            }
            (None, Some(q)) => {
                let ok = q.is_finite() && *q >= 1.0 / max && *q <= 1.0;
                if !ok {
                    p.add(
                        format!("{path}.finish"),
                        format!("is {q}; allowed: a probability from {} to 1 of finishing after each iteration, e.g. {{ dist = \"geometric\", finish = 0.2 }}", 1.0 / max),
                    );
                }
                ok.then_some(Count::Geometric { finish: *q })
            }
            _ => {
                p.add(
                    path,
                    "a geometric count needs either `mean` (≥ 1) or `finish` (P(finishing after each iteration) = 1 / mean), not both, e.g. { dist = \"geometric\", mean = 6 }",
                );
                None
            }
        },
        CountSpec::Poisson { mean } => {
            let ok = mean.is_finite() && *mean > 0.0 && *mean <= max;
            if !ok {
                p.add(
                    format!("{path}.mean"),
                    format!("is {mean}; allowed: a number > 0 and at most {MAX_COUNT}, e.g. {{ dist = \"poisson\", mean = 4 }}"),
                );
            }
            ok.then_some(Count::Poisson { mean: *mean })
        }
        CountSpec::Empirical { counts, weights } => {
            compile_empirical(counts, weights.as_deref(), path, p)
        }
    }
}

fn compile_empirical(
    counts: &[i64],
    weights: Option<&[f64]>,
    path: &str,
    p: &mut Problems,
) -> Option<Count> {
    let example = "e.g. { dist = \"empirical\", counts = [1, 2, 5], weights = [6, 3, 1] }";
    if counts.is_empty() {
        p.add(
            format!("{path}.counts"),
            format!("is empty; allowed: one or more counts, {example}"),
        );
        return None;
    }
    let before = p.len();
    let checked: Vec<Option<u32>> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| bounded(c, 0, &format!("{path}.counts[{i}]"), "a count", p))
        .collect();
    let weights: Vec<f64> = match weights {
        None => vec![1.0; counts.len()],
        Some(w) if w.len() != counts.len() => {
            p.add(
                format!("{path}.weights"),
                format!(
                    "has {} weights for {} counts; allowed: one weight per count, {example}",
                    w.len(),
                    counts.len()
                ),
            );
            return None;
        }
        Some(w) => {
            for (i, &x) in w.iter().enumerate() {
                p.non_negative(format!("{path}.weights[{i}]"), x);
            }
            w.to_vec()
        }
    };
    let total: f64 = weights.iter().sum();
    if p.len() == before && !(total.is_finite() && total > 0.0) {
        p.add(
            format!("{path}.weights"),
            format!("sum to {total}; allowed: weights summing to a finite number > 0, {example}"),
        );
    }
    if p.len() > before {
        return None;
    }
    let mut running = 0.0;
    let mut cumulative: Vec<f64> = weights
        .iter()
        .map(|w| {
            running += w;
            running / total
        })
        .collect();
    *cumulative.last_mut().expect("not empty") = 1.0;
    Some(Count::Empirical {
        counts: checked.into_iter().map(|c| c.expect("checked")).collect(),
        cumulative,
    })
}
