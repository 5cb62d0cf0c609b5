//! The task graph drawn: an SVG laid out by topological layers, and Graphviz DOT.
//!
//! Layer 0 holds the nodes without inputs; every other node sits one layer
//! right of its deepest input. Within a layer nodes keep the model's order.
//! Gates' loop-backs are drawn as dashed arcs under the graph.

use std::fmt::Write;

use super::markup::xml;
use crate::model::{Junction, Model, Node, NodeKind, Step};

/// Graphs larger than this are not drawn (the DOT file still holds them).
pub const MAX_DRAWN_NODES: usize = 300;

const BOX_W: f64 = 150.0;
const BOX_H: f64 = 52.0;
const COL_W: f64 = 205.0;
const ROW_H: f64 = 78.0;
const MARGIN: f64 = 24.0;

/// Fill colour of a node kind.
fn fill(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Llm => "#dbeafe",
        NodeKind::Tool => "#fef3c7",
        NodeKind::Retrieval => "#dcfce7",
        NodeKind::Gate => "#fee2e2",
        NodeKind::Aggregate => "#ede9fe",
    }
}

/// "silent 3% · loud 2%" for a step that can fail, "" otherwise.
fn failure_label(step: &Step) -> String {
    let pct = |p: f64| {
        let s = format!("{:.2}", 100.0 * p);
        let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
        format!("{s}%")
    };
    let mut parts = Vec::new();
    if step.outcome.silent > 0.0 {
        parts.push(format!("silent {}", pct(step.outcome.silent)));
    }
    if step.outcome.loud > 0.0 {
        parts.push(format!("loud {}", pct(step.outcome.loud)));
    }
    parts.join(" · ")
}

/// "loop ×6" or "fan-out ×6.4" (the mean count) for a loop or fan-out
/// node, joined with the rest of its detail; `detail` alone otherwise.
fn with_repeats(n: &crate::model::Node, detail: String) -> String {
    let Some(d) = n.dynamic.as_deref() else {
        return detail;
    };
    let mean = format!("{:.1}", d.count().mean());
    let mean = mean.trim_end_matches(".0");
    let what = match d {
        crate::model::Dynamic::Loop(_) => "loop",
        crate::model::Dynamic::FanOut(_) => "fan-out",
    };
    format!("{what} ×{mean} · {detail}")
}

/// Topological layer of every node.
pub fn layers(model: &Model) -> Vec<usize> {
    let mut layer = vec![0usize; model.nodes.len()];
    for (i, n) in model.nodes.iter().enumerate() {
        for &e in &n.inputs {
            layer[i] = layer[i].max(layer[model.edges[e].from] + 1);
        }
    }
    layer
}

/// The graph as a standalone SVG document (no fonts or scripts needed).
pub fn svg(model: &Model) -> String {
    if model.nodes.len() > MAX_DRAWN_NODES {
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"40\" role=\"img\"><text x=\"8\" y=\"24\" font-family=\"sans-serif\" font-size=\"14\">{} nodes: too many to draw; see graph.dot</text></svg>",
            model.nodes.len()
        );
    }
    let layer = layers(model);
    let n_layers = layer.iter().max().map_or(1, |m| m + 1);
    let mut rows = vec![0usize; n_layers];
    let mut slot = vec![0usize; model.nodes.len()];
    for (i, &l) in layer.iter().enumerate() {
        slot[i] = rows[l];
        rows[l] += 1;
    }
    let max_rows = rows.iter().copied().max().unwrap_or(1);
    let loops = model.nodes.iter().filter(|n| n.gate.is_some()).count();
    let width = MARGIN * 2.0 + (n_layers as f64 - 1.0) * COL_W + BOX_W;
    let graph_h = max_rows as f64 * ROW_H;
    let height = MARGIN * 2.0 + graph_h + 22.0 * loops as f64 + 8.0;
    let pos = |i: usize| {
        let l = layer[i];
        let offset = (max_rows - rows[l]) as f64 * ROW_H / 2.0;
        let x = MARGIN + l as f64 * COL_W;
        let y = MARGIN + offset + slot[i] as f64 * ROW_H + (ROW_H - BOX_H) / 2.0;
        (x, y)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"task graph of {}\" font-family=\"sans-serif\">",
        xml(&model.name)
    );
    s.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#475569\"/></marker></defs>");
    for e in &model.edges {
        let (x1, y1) = pos(e.from);
        let (x2, y2) = pos(e.to);
        let (ax, ay) = (x1 + BOX_W, y1 + BOX_H / 2.0);
        let (bx, by) = (x2, y2 + BOX_H / 2.0);
        let mx = (ax + bx) / 2.0;
        let _ = write!(
            s,
            "<path d=\"M{ax:.1},{ay:.1} C{mx:.1},{ay:.1} {mx:.1},{by:.1} {bx:.1},{by:.1}\" fill=\"none\" stroke=\"#475569\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"/>"
        );
        let label = failure_label(&e.step);
        if !label.is_empty() {
            let _ = write!(
                s,
                "<text x=\"{mx:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#b45309\" text-anchor=\"middle\">{}</text>",
                (ay + by) / 2.0 - 4.0,
                xml(&label)
            );
        }
    }
    let mut loop_row = 0.0;
    for (i, n) in model.nodes.iter().enumerate() {
        let Some(g) = &n.gate else { continue };
        loop_row += 1.0;
        let (gx, _) = pos(i);
        let (tx, _) = pos(g.loop_to);
        let y0 = MARGIN + graph_h;
        let y = y0 + 20.0 * loop_row;
        let (a, b) = (gx + BOX_W / 2.0, tx + BOX_W / 2.0);
        let _ = write!(
            s,
            "<path d=\"M{a:.1},{:.1} L{a:.1},{y:.1} L{b:.1},{y:.1} L{b:.1},{:.1}\" fill=\"none\" stroke=\"#dc2626\" stroke-width=\"1.3\" stroke-dasharray=\"5 3\" marker-end=\"url(#arrow)\"/>",
            pos(i).1 + BOX_H,
            pos(g.loop_to).1 + BOX_H
        );
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#dc2626\" text-anchor=\"middle\">on flag: back to {} (at most {}×)</text>",
            (a + b) / 2.0,
            y - 4.0,
            xml(&model.nodes[g.loop_to].id),
            g.max_loops
        );
    }
    for (i, n) in model.nodes.iter().enumerate() {
        let (x, y) = pos(i);
        let detail = match (&n.gate, junction_label(n)) {
            (_, Some(label)) => label,
            (Some(g), None) => format!(
                "gate · catch {:.0}% · false {:.0}%",
                100.0 * g.sensitivity,
                100.0 * g.false_alarm
            ),
            (None, None) if n.dynamic.is_some() => with_repeats(n, n.kind.name().to_string()),
            (None, None) => {
                let f = failure_label(&n.step);
                if f.is_empty() {
                    n.kind.name().to_string()
                } else {
                    format!("{} · {f}", n.kind.name())
                }
            }
        };
        let _ = write!(
            s,
            "<g><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"8\" fill=\"{}\" stroke=\"#334155\" stroke-width=\"1.2\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#0f172a\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#334155\">{}</text></g>",
            fill(n.kind),
            x + BOX_W / 2.0,
            y + 21.0,
            xml(&n.id),
            x + BOX_W / 2.0,
            y + 39.0,
            xml(&detail)
        );
    }
    s.push_str("</svg>");
    // In the embedded font, as every chart.
    crate::charts::outline::outline_text(&s)
}

/// What a sub-graph's junction is: "sub-graph start", or "sub-graph end ·
/// up to N runs".
fn junction_label(n: &Node) -> Option<String> {
    match n.junction.as_ref()? {
        Junction::Entry => Some("sub-graph start".into()),
        Junction::Exit(_) => Some(match n.step.retry.max_retries {
            0 => "sub-graph end".into(),
            r => format!("sub-graph end · up to {} runs", r + 1),
        }),
    }
}

/// The graph in Graphviz DOT (`dot -Tsvg graph.dot`).
pub fn dot(model: &Model) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut s = format!(
        "digraph {} {{\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n",
        q(&model.name)
    );
    for n in &model.nodes {
        let detail = match (&n.gate, junction_label(n)) {
            (_, Some(label)) => label,
            (Some(g), None) => format!("gate, catches {:.0}%", 100.0 * g.sensitivity),
            (None, None) => {
                let f = failure_label(&n.step);
                with_repeats(
                    n,
                    if f.is_empty() {
                        n.kind.name().into()
                    } else {
                        format!("{}, {f}", n.kind.name())
                    },
                )
            }
        };
        let _ = writeln!(
            s,
            "  {} [label={}, fillcolor={}];",
            q(&n.id),
            q(&format!("{}\\n{detail}", n.id)),
            q(fill(n.kind))
        );
    }
    for e in &model.edges {
        let label = failure_label(&e.step);
        let attr = if label.is_empty() {
            String::new()
        } else {
            format!(" [label={}]", q(&label))
        };
        let _ = writeln!(
            s,
            "  {} -> {}{attr};",
            q(&model.nodes[e.from].id),
            q(&model.nodes[e.to].id)
        );
    }
    for n in &model.nodes {
        if let Some(g) = &n.gate {
            let _ = writeln!(
                s,
                "  {} -> {} [style=dashed, color=\"#dc2626\", label={}, constraint=false];",
                q(&n.id),
                q(&model.nodes[g.loop_to].id),
                q(&format!("on flag (≤{}×)", g.max_loops))
            );
        }
    }
    s.push_str("}\n");
    s
}
