//! Stage 7: gates, which need the whole graph to find the region a flag
//! loops back over; gate fields on other nodes are reported here.

use super::super::file::{KindSpec, OnExhaustedSpec, RateSpec};
use super::super::problem::Problems;
use super::super::rates::compile_rate;
use super::MAX_LOOPS;
use super::order::Order;
use super::repeats::{Expanded, Expansion, Role};
use crate::model::{Edge, Gate, GateRates, Node, OnExhausted};

/// Checks every node's gate fields, in topological order, and attaches the
/// gates to their nodes.
pub fn attach_gates(
    expansion: &Expansion,
    order: &Order,
    nodes: &mut [Node],
    edges: &[Edge],
    p: &mut Problems,
) {
    for &old in &order.order {
        let e = &expansion.nodes[old];
        if e.role == Role::Exit {
            continue; // the entry of the same node was checked
        }
        let pos = order.position[old];
        let loop_to = e
            .spec
            .loop_to
            .as_deref()
            .map(|t| (t, expansion.first(t).map(|j| order.position[j])));
        if let Some(gate) = compile_gate(e, pos, loop_to, nodes, edges, expansion, p) {
            nodes[pos].gate = Some(gate);
        }
    }
}

/// Checks gate fields (and their absence on other nodes) and finds the loop region.
fn compile_gate(
    e: &Expanded,
    pos: usize,
    loop_to: Option<(&str, Option<usize>)>,
    nodes: &[Node],
    edges: &[Edge],
    expansion: &Expansion,
    p: &mut Problems,
) -> Option<Gate> {
    let s = e.spec;
    if s.kind != KindSpec::Gate {
        let gate_fields = [
            ("sensitivity", s.sensitivity.is_some()),
            ("false_alarm", s.false_alarm.is_some()),
            ("loop_to", s.loop_to.is_some()),
            ("max_loops", s.max_loops.is_some()),
            ("on_exhausted", s.on_exhausted.is_some()),
        ];
        for (field, set) in gate_fields {
            if set {
                p.add(
                    format!("{}.{field}", e.path),
                    "only allowed on kind = \"gate\"",
                );
            }
        }
        return None;
    }
    if s.silent
        .as_ref()
        .is_some_and(|v| *v != RateSpec::Fixed(0.0))
    {
        p.add(
            format!("{}.silent", e.path),
            "a gate cannot corrupt silently; its misses are set by `sensitivity`",
        );
    }
    if nodes[pos].inputs.is_empty() {
        p.add(
            format!("{}.after", e.path),
            "a gate needs an input to check; set `after`",
        );
    }
    let Some(sensitivity) = &s.sensitivity else {
        p.add(
            format!("{}.sensitivity", e.path),
            "missing; a gate needs P(flag | corrupted input) in [0, 1]",
        );
        return None;
    };
    let sensitivity = compile_rate(
        Some(sensitivity),
        0.0,
        &format!("{}.sensitivity", e.path),
        p,
    );
    let false_alarm = compile_rate(
        s.false_alarm.as_ref(),
        0.0,
        &format!("{}.false_alarm", e.path),
        p,
    );
    let (sensitivity, false_alarm) = (sensitivity?, false_alarm?);
    let rates = (sensitivity.per_task.is_some() || false_alarm.per_task.is_some()).then(|| {
        Box::new(GateRates {
            sensitivity: sensitivity.per_task,
            false_alarm: false_alarm.per_task,
        })
    });
    let (sensitivity, false_alarm) = (sensitivity.nominal, false_alarm.nominal);
    let on_exhausted = match s.on_exhausted.unwrap_or(OnExhaustedSpec::Escalate) {
        OnExhaustedSpec::Escalate => OnExhausted::Escalate,
        OnExhaustedSpec::Fail => OnExhausted::Fail,
    };
    let (loop_to, max_loops) = match loop_to {
        None => {
            if s.max_loops.is_some_and(|m| m > 0) {
                p.add(
                    format!("{}.max_loops", e.path),
                    "needs `loop_to`, the node to loop back to",
                );
            }
            (pos, 0)
        }
        Some((name, None)) => {
            p.add(format!("{}.loop_to", e.path), expansion.unknown_node(name));
            return None;
        }
        Some((name, Some(target))) => {
            if !is_ancestor(target, pos, nodes, edges) {
                p.add(
                    format!("{}.loop_to", e.path),
                    format!("\"{name}\" is not upstream of this gate; a gate can only loop back to a node it depends on"),
                );
                return None;
            }
            let Some(max) = s.max_loops else {
                p.add(
                    format!("{}.max_loops", e.path),
                    format!("missing; loops must be bounded: 0 to {MAX_LOOPS}"),
                );
                return None;
            };
            if max > MAX_LOOPS {
                p.add(
                    format!("{}.max_loops", e.path),
                    format!("is {max}; allowed: 0 to {MAX_LOOPS}"),
                );
            }
            (target, max.min(MAX_LOOPS) as u32)
        }
    };
    let (region, region_edges) = loop_region(loop_to, pos, nodes, edges);
    Some(Gate {
        sensitivity,
        false_alarm,
        loop_to,
        max_loops,
        on_exhausted,
        region,
        region_edges,
        rates,
    })
}

/// The nodes (and the edges between them) a loop-back from `gate` to
/// `loop_to` re-runs: descendants of `loop_to` that are ancestors of the gate.
pub(super) fn loop_region(
    loop_to: usize,
    gate: usize,
    nodes: &[Node],
    edges: &[Edge],
) -> (Vec<usize>, Vec<usize>) {
    let downstream = reachable(loop_to, nodes, edges, true);
    let upstream = reachable(gate, nodes, edges, false);
    let region: Vec<usize> = (0..nodes.len())
        .filter(|&i| downstream[i] && upstream[i])
        .collect();
    let region_edges = (0..edges.len())
        .filter(|&k| {
            downstream[edges[k].from]
                && upstream[edges[k].from]
                && downstream[edges[k].to]
                && upstream[edges[k].to]
        })
        .collect();
    (region, region_edges)
}

fn is_ancestor(a: usize, b: usize, nodes: &[Node], edges: &[Edge]) -> bool {
    a != b && reachable(a, nodes, edges, true)[b]
}

/// Nodes reachable from `start` (itself included) following edges forward or backward.
fn reachable(start: usize, nodes: &[Node], edges: &[Edge], forward: bool) -> Vec<bool> {
    let mut seen = vec![false; nodes.len()];
    let mut stack = vec![start];
    seen[start] = true;
    while let Some(i) = stack.pop() {
        let next = if forward {
            &nodes[i].outputs
        } else {
            &nodes[i].inputs
        };
        for &e in next {
            let j = if forward { edges[e].to } else { edges[e].from };
            if !seen[j] {
                seen[j] = true;
                stack.push(j);
            }
        }
    }
    seen
}
