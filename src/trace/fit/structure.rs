//! A first structure inferred from the spans when no `--structure` is given.
//!
//! Nodes are the mapped span names (hand-offs `a->b` excepted), their kind
//! from the GenAI operation (`chat` → llm, `invoke_agent` → agent,
//! `execute_tool` → tool, or retrieval for a `datastore` tool or
//! `embeddings`; a node whose spans carry gate decisions is a gate). Node b
//! comes `after` node a when, in every task where both ran, b's first
//! attempt started once a's had ended; the transitive reduction of that
//! order gives the `after` lists, so chains, fan-outs and fan-ins appear. A
//! node re-run in later passes sits in a gate's loop-back region: the gate
//! loops back to the earliest such node before it. A node whose spans carry
//! iterations (branches) is an agent loop (a dynamic fan-out) with an
//! empirical count, which the fit then replaces with its own estimate.

use super::Fit;

/// A scenario document (TOML) of the inferred structure, and what could not
/// be inferred.
pub fn infer(fit: &Fit, name: &str) -> (String, Vec<String>) {
    let t = &fit.totals;
    let nodes: Vec<usize> = (0..t.nodes.len())
        .filter(|&i| !t.nodes[i].name.contains("->") && t.nodes[i].all.attempts > 0)
        .collect();
    let precedes = |a: usize, b: usize| {
        t.precedence
            .get(&(a, b))
            .is_some_and(|&(after, both)| both > 0 && after == both)
    };
    let mut notes = vec![
        "retry backoff, timeouts, merge policies other than \"all\", shared resources and \
         workloads are not inferred: add them by hand"
            .to_string(),
    ];
    // Order: by how many nodes precede each (a topological order of the relation).
    let mut order = nodes.clone();
    order.sort_by_key(|&b| (nodes.iter().filter(|&&a| precedes(a, b)).count(), b));
    let mut doc = format!(
        "name = \"{name}\"\ndescription = \"Inferred by coordsim fit from traces: check every after list.\"\n"
    );
    for &b in &order {
        let n = &t.nodes[b];
        let preds: Vec<usize> = nodes.iter().copied().filter(|&a| precedes(a, b)).collect();
        let direct: Vec<usize> = preds
            .iter()
            .copied()
            .filter(|&a| !preds.iter().any(|&c| c != a && precedes(a, c)))
            .collect();
        let is_gate = n.gate[1] + n.gate[3] > 0;
        let kind = if is_gate {
            "gate"
        } else {
            match (n.operation.as_deref(), n.tool_type.as_deref()) {
                (Some("invoke_agent"), _) => "agent",
                (Some("embeddings"), _) | (Some("execute_tool"), Some("datastore")) => "retrieval",
                (Some("execute_tool"), _) => "tool",
                (None, _) => {
                    notes.push(format!(
                        "{}: no gen_ai.operation.name, written as kind \"llm\"",
                        n.name
                    ));
                    "llm"
                }
                _ => "llm",
            }
        };
        doc += &format!("\n[[nodes]]\nid = {}\nkind = \"{kind}\"\n", quote(&n.name));
        if !direct.is_empty() {
            let list: Vec<String> = direct.iter().map(|&a| quote(&t.nodes[a].name)).collect();
            doc += &format!("after = [{}]\n", list.join(", "));
        }
        if n.lane_counts.executions() > 0 {
            let seen = n.lane_counts.seen();
            let list = |f: &dyn Fn(&(u32, u64)) -> String| {
                seen.iter().map(f).collect::<Vec<_>>().join(", ")
            };
            let (key, what, left) = if n.branches {
                (
                    "fan_out",
                    "a dynamic fan-out (spans carry coordsim.branch)",
                    "its join (all) and max_in_flight (all at once) are",
                )
            } else {
                (
                    "loop",
                    "an agent loop (spans carry coordsim.iteration)",
                    "its step limit (max_steps, on_limit) is",
                )
            };
            doc += &format!(
                "{key} = {{ count = {{ dist = \"empirical\", counts = [{}], weights = [{}] }} }}\n",
                list(&|s| s.0.to_string()),
                list(&|s| s.1.to_string())
            );
            notes.push(format!(
                "{}: {what}: its count is fitted as an empirical distribution; {left} not inferred",
                n.name
            ));
        }
        if is_gate {
            let looped = order
                .iter()
                .copied()
                .find(|&a| precedes(a, b) && t.nodes[a].max_pass > 1);
            match looped {
                Some(a) => {
                    doc += &format!(
                        "loop_to = {}\nmax_loops = {}\n",
                        quote(&t.nodes[a].name),
                        n.max_pass.saturating_sub(1).max(1)
                    );
                    notes.push(format!(
                        "{}: max_loops is the most loop-backs seen, on_exhausted the default (escalate)",
                        n.name
                    ));
                }
                None => notes.push(format!(
                    "{}: a gate without loop-backs in the traces: it ends the task at a flag",
                    n.name
                )),
            }
        } else if n.max_pass > 1
            && !nodes
                .iter()
                .any(|&g| t.nodes[g].gate[1] + t.nodes[g].gate[3] > 0)
        {
            notes.push(format!(
                "{}: re-ran in {} of {} tasks (a loop-back) but no span carries a gate decision: \
                 add the gate that loops back",
                n.name, n.tasks_repassed, n.tasks
            ));
        }
    }
    (doc, notes)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"?\"".into())
}
