//! The closed-form success rate of a scenario, where one exists: the curve
//! that sweep charts overlay on the simulated one.

use crate::model::{Dynamic, Merge, Model, Node, Step};

/// P(correct) of a task whose every step must succeed, or `None` when the
/// scenario is outside what the closed form covers.
///
/// It covers graphs without gates in which every node with several inputs
/// waits for all of them (`merge = "all"`; not `"any"`, `{ k = N }` or a
/// vote), no step has a timeout, and every step's attempts are independent
/// with fixed rates (no `persistence`, no rate drawn per task): the task is
/// then correct exactly when every node and every hand-off ends ok, and
/// steps are independent, so P(correct) is the product over all steps
/// (docs/MODEL.md R1; with retries R2): a step with ok probability p, loud
/// probability l and r retries ends ok with p · (1 − l^(r+1)) / (1 − l).
/// For a chain of N identical steps this is the compounding curve p^N.
///
/// An agent loop whose iterations succeed with q each, with a count N and a
/// step limit M, succeeds with E[q^N · 1{N ≤ M}]; a fan-out joined by `all`
/// with E[q^N] (docs/MODEL.md, loops and fan-outs); fan-outs joined
/// otherwise have no closed form here.
pub fn success(model: &Model) -> Option<f64> {
    let mut product = 1.0;
    for node in &model.nodes {
        if node.gate.is_some() || (node.inputs.len() > 1 && node.merge != Merge::All) {
            return None;
        }
        product *= node_success(node)?;
    }
    for edge in &model.edges {
        product *= step_success(&edge.step)?;
    }
    Some(product)
}

/// P(a node ends ok): its step's, or that of every iteration or branch.
fn node_success(node: &Node) -> Option<f64> {
    let q = step_success(&node.step)?;
    match node.dynamic.as_deref() {
        None => Some(q),
        Some(Dynamic::Loop(l)) => Some(l.count.generating(q, l.max_steps)),
        Some(Dynamic::FanOut(f)) if f.join == Merge::All => Some(f.count.generating(q, None)),
        Some(Dynamic::FanOut(_)) => None,
    }
}

/// P(a step ends ok): its attempts until one does not fail loudly.
fn step_success(step: &Step) -> Option<f64> {
    if step.timeout.is_some() || step.persistence != 0.0 || step.rates.is_some() {
        return None;
    }
    let (s, l) = (step.outcome.silent, step.outcome.loud);
    let p = 1.0 - s - l;
    if l >= 1.0 {
        return Some(0.0);
    }
    let attempts = step.retry.max_retries as i32 + 1;
    Some(p * (1.0 - l.powi(attempts)) / (1.0 - l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{compile, parse};
    use std::path::Path;

    fn model(text: &str) -> Model {
        let file = parse(Path::new("t.toml"), text).unwrap();
        compile(&file, "t").unwrap().model
    }

    #[test]
    fn a_chain_compounds_as_p_to_the_n() {
        // docs/MODEL.md R1: six steps at p = 0.97.
        let m = model("[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 6\nsilent = 0.03\n");
        assert!((success(&m).unwrap() - 0.832_972).abs() < 1e-6);
    }

    #[test]
    fn retries_follow_r2_and_hand_offs_count() {
        // docs/MODEL.md R2: six steps, p = 0.97, l = 0.03, two retries: 0.999838.
        let m = model(
            "[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 6\nloud = 0.03\nretry = { max = 2 }\n",
        );
        assert!((success(&m).unwrap() - 0.999_838).abs() < 1e-6);
        // Two nodes at 0.9 and a hand-off at 0.95 between them.
        let m = model(
            "[defaults.edge]\nsilent = 0.05\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.1\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\nloud = 0.1\n",
        );
        assert!((success(&m).unwrap() - 0.9 * 0.95 * 0.9).abs() < 1e-12);
    }

    #[test]
    fn no_closed_form_with_gates_timeouts_or_partial_merges() {
        let text = std::fs::read_to_string("scenarios/support-agent.toml").unwrap();
        assert_eq!(success(&model(&text)), None);
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\ntimeout = 1\nlatency = { dist = \"fixed\", value = 0.5 }\n",
        );
        assert_eq!(success(&m), None);
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"a\", \"b\"]\nmerge = \"any\"\n",
        );
        assert_eq!(success(&m), None);
    }

    #[test]
    fn a_loop_compounds_over_its_random_length() {
        // Geometric N with mean 5 (finish 0.2), q = 0.97, limit 10:
        // Σ_{n ≤ 10} 0.2 · 0.8^(n−1) · 0.97^n = 0.2 · 0.97 (1 − 0.776^10) / (1 − 0.776).
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"agent\"\nsilent = 0.03\nloop = { count = { dist = \"geometric\", mean = 5 }, max_steps = 10 }\n",
        );
        let r: f64 = 0.8 * 0.97;
        let expected = 0.2 * 0.97 * (1.0 - r.powi(10)) / (1.0 - r);
        assert!((success(&m).unwrap() - expected).abs() < 1e-12);
        // A fan-out joined by all: E[q^N] = e^(−mean (1 − q)) for Poisson N.
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"tool\"\nsilent = 0.1\nfan_out = { count = { dist = \"poisson\", mean = 3 } }\n",
        );
        assert!((success(&m).unwrap() - (-0.3f64).exp()).abs() < 1e-12);
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"tool\"\nsilent = 0.1\nfan_out = { count = { dist = \"poisson\", mean = 3 }, join = \"any\" }\n",
        );
        assert_eq!(success(&m), None);
    }

    #[test]
    fn no_closed_form_with_a_vote() {
        let m = model(
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"a\", \"b\"]\nmerge = { vote = 2 }\n",
        );
        assert_eq!(success(&m), None);
    }

    #[test]
    fn no_closed_form_with_correlated_attempts() {
        for field in ["persistence = 0.5", "silent = { beta = [2, 8] }"] {
            let m = model(&format!(
                "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nloud = 0.1\nretry = {{ max = 1 }}\n{field}\n"
            ));
            assert_eq!(success(&m), None, "{field}");
        }
    }
}
