//! The reference cases of docs/MODEL.md and further independent
//! computations, checked against the real binary. Every tolerance is the
//! 99.9% confidence interval of the estimate, never a picked number.

mod common;

use common::*;

/// A chain of `n` steps with the given per-attempt probabilities.
fn chain(n: u32, silent: f64, loud: f64, extra: &str) -> String {
    format!(
        r#"
[[nodes]]
id = "step"
kind = "llm"
repeat = {n}
silent = {silent}
loud = {loud}
{extra}
"#
    )
}

#[test]
fn r1_six_steps_at_97_percent_compound_to_0_833() {
    let s = run_summary(&chain(6, 0.03, 0.0, ""), 400_000, 11);
    assert_rate(&s, "success", 0.832_972);
    assert_rate(&s, "silent_failure", 1.0 - 0.832_972);
    assert_eq!(get(&s, "loud_failure.count"), 0.0);
}

#[test]
fn r1_six_steps_at_99_5_percent_compound_to_0_970() {
    let s = run_summary(&chain(6, 0.005, 0.0, ""), 400_000, 12);
    assert_rate(&s, "success", 0.970_373);
}

#[test]
fn r1_loud_and_silent_split_as_theory_says() {
    // P(correct) = p^N, P(loud) = 1 - (1-l)^N, P(silent) = (1-l)^N - p^N.
    let (n, s, l) = (5, 0.02_f64, 0.01_f64);
    let p = 1.0 - s - l;
    let sum = run_summary(&chain(n, s, l, ""), 400_000, 13);
    assert_rate(&sum, "success", p.powi(n as i32));
    assert_rate(&sum, "loud_failure", 1.0 - (1.0 - l).powi(n as i32));
    assert_rate(
        &sum,
        "silent_failure",
        (1.0 - l).powi(n as i32) - p.powi(n as i32),
    );
}

#[test]
fn r2_retries_recover_loud_failures_geometrically() {
    // [(1 - l^(r+1)) p / (1 - l)]^N with N = 6, p = 0.97, l = 0.03, r = 2.
    let s = run_summary(&chain(6, 0.0, 0.03, "retry = { max = 2 }"), 1_000_000, 14);
    let expected = ((1.0 - 0.03_f64.powi(3)) * 0.97 / 0.97).powi(6);
    assert!((expected - 0.999_838).abs() < 1e-6);
    assert_rate(&s, "success", expected);
}

#[test]
fn r2_attempts_and_cost_follow_the_geometric_series() {
    // One step, l = 0.3, up to 2 retries, $1 per attempt: attempts A = 1 + X1 + X1·X2
    // with X ~ Bernoulli(l), so E[A] = 1 + l + l², Var[A] = l + 3l² - 2l³ ... computed below.
    let l = 0.3_f64;
    let n = 200_000.0_f64;
    let s = run_summary(
        &chain(1, 0.0, l, "retry = { max = 2 }\ncost = { per_call = 1.0 }"),
        n as u64,
        15,
    );
    let mean = 1.0 + l + l * l;
    // E[A²] = P(A=1)·1 + P(A=2)·4 + P(A=3)·9.
    let second = (1.0 - l) + l * (1.0 - l) * 4.0 + l * l * 9.0;
    let sd = (second - mean * mean).sqrt();
    let got = get(&s, "cost_usd.per_task");
    let tol = Z999 * sd / n.sqrt();
    assert!(
        (got - mean).abs() <= tol,
        "cost per task {got}, expected {mean} ± {tol}"
    );
    // Per success: total cost / correct = mean cost / P(correct) within combined error.
    assert_rate(&s, "loud_failure", l.powi(3));
}

#[test]
fn r3_support_agent_gate_matches_the_closed_form() {
    let s = run_summary(
        &std::fs::read_to_string("scenarios/support-agent.toml").unwrap(),
        1_000_000,
        16,
    );
    // c = 0.9·0.95, q = c·f + (1-c)·d, G = (1 - q^(L+1)) / (1 - q).
    let (c, d, f, l) = (0.9 * 0.95, 0.9, 0.02, 2);
    let q = c * f + (1.0_f64 - c) * d;
    let g = (1.0 - q.powi(l + 1)) / (1.0 - q);
    assert!((c * (1.0 - f) * g - 0.979_828).abs() < 1e-6);
    assert_rate(&s, "success", c * (1.0 - f) * g);
    assert_rate(&s, "silent_failure", (1.0 - c) * (1.0 - d) * g);
    assert_rate(&s, "escalated", q.powi(l + 1));
}

#[test]
fn r3_gate_that_fails_when_exhausted_turns_escalations_into_loud_failures() {
    let scenario = r#"
[[nodes]]
id = "work"
kind = "llm"
silent = 0.3
[[nodes]]
id = "check"
kind = "gate"
after = ["work"]
sensitivity = 0.8
false_alarm = 0.1
loop_to = "work"
max_loops = 1
on_exhausted = "fail"
"#;
    let s = run_summary(scenario, 400_000, 17);
    let (c, d, f) = (0.7_f64, 0.8, 0.1);
    let q = c * f + (1.0 - c) * d;
    assert_rate(&s, "loud_failure", q * q);
    assert_rate(&s, "success", c * (1.0 - f) * (1.0 + q));
    assert_eq!(get(&s, "escalated.count"), 0.0);
}

/// P(X <= x) for X ~ Gamma(integer shape k, scale theta): 1 - e^-y Σ_{i<k} y^i / i!.
fn gamma_cdf(k: u32, theta: f64, x: f64) -> f64 {
    let y = x / theta;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..k {
        term *= y / i as f64;
        sum += term;
    }
    1.0 - (-y).exp() * sum
}

fn gamma_pdf(k: u32, theta: f64, x: f64) -> f64 {
    let fact: f64 = (1..k).map(|i| i as f64).product();
    x.powi(k as i32 - 1) * (-x / theta).exp() / (fact * theta.powi(k as i32))
}

fn gamma_quantile(k: u32, theta: f64, q: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 100.0 * k as f64 * theta);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if gamma_cdf(k, theta, mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

#[test]
fn r4_chain_latency_is_gamma_distributed() {
    let n = 400_000.0_f64;
    let s = run_summary(
        &chain(
            6,
            0.0,
            0.0,
            "latency = { dist = \"exponential\", mean = 0.1 }",
        ),
        n as u64,
        18,
    );
    assert_mean_latency(&s, 0.6);
    for (q, key, reference) in [(0.5, "p50", 0.567), (0.99, "p99", 1.311)] {
        let exact = gamma_quantile(6, 0.1, q);
        assert!(
            (exact - reference).abs() < 5e-4,
            "{key}: MODEL.md says {reference}, exact {exact}"
        );
        // Sample quantile: sd = sqrt(q(1-q)/n) / f(x_q); the histogram adds at most 0.1%.
        let sd = (q * (1.0 - q) / n).sqrt() / gamma_pdf(6, 0.1, exact);
        let tol = Z999 * sd + 1e-3 * exact;
        let got = get(&s, &format!("latency_s.{key}"));
        assert!(
            (got - exact).abs() <= tol,
            "{key}: simulated {got}, exact {exact} ± {tol}"
        );
    }
}

#[test]
fn r5_fan_out_waits_for_the_slowest_branch() {
    let scenario = r#"
[[nodes]]
id = "plan"
kind = "agent"
[[nodes]]
id = "a"
kind = "tool"
after = ["plan"]
latency = { dist = "exponential", mean = 0.1 }
[[nodes]]
id = "b"
kind = "tool"
after = ["plan"]
latency = { dist = "exponential", mean = 0.1 }
[[nodes]]
id = "c"
kind = "tool"
after = ["plan"]
latency = { dist = "exponential", mean = 0.1 }
[[nodes]]
id = "d"
kind = "tool"
after = ["plan"]
latency = { dist = "exponential", mean = 0.1 }
[[nodes]]
id = "merge"
kind = "aggregate"
after = ["a", "b", "c", "d"]
"#;
    let s = run_summary(scenario, 400_000, 19);
    assert_mean_latency(&s, 0.1 * (1.0 + 1.0 / 2.0 + 1.0 / 3.0 + 1.0 / 4.0));
}

/// Three parallel branches that each fail loudly with probability `l`, merged by `merge`.
fn three_branches(l: f64, merge: &str) -> String {
    let mut s = String::from("[[nodes]]\nid = \"plan\"\nkind = \"agent\"\n");
    for b in ["a", "b", "c"] {
        s += &format!(
            "[[nodes]]\nid = \"{b}\"\nkind = \"tool\"\nafter = [\"plan\"]\nloud = {l}\nlatency = {{ dist = \"exponential\", mean = 1.0 }}\n"
        );
    }
    s += &format!(
        "[[nodes]]\nid = \"join\"\nkind = \"aggregate\"\nafter = [\"a\", \"b\", \"c\"]\nmerge = {merge}\n"
    );
    s
}

#[test]
fn merge_any_fails_only_when_every_branch_fails() {
    let s = run_summary(&three_branches(0.4, "\"any\""), 200_000, 20);
    assert_rate(&s, "loud_failure", 0.4_f64.powi(3));
}

#[test]
fn merge_k_of_n_needs_k_successes() {
    // P(at least 2 of 3 ok) = 3p²(1-p) + p³ with p = 0.8.
    let s = run_summary(&three_branches(0.2, "{ k = 2 }"), 200_000, 21);
    let p = 0.8_f64;
    assert_rate(&s, "success", 3.0 * p * p * (1.0 - p) + p.powi(3));
}

#[test]
fn merge_any_starts_on_the_first_arrival() {
    // No failures: "any" starts the join at the first branch, min of three
    // Exponential(1) = Exponential(mean 1/3).
    let s = run_summary(&three_branches(0.0, "\"any\""), 200_000, 22);
    assert_mean_latency(&s, 1.0 / 3.0);
}

#[test]
fn timeouts_fail_attempts_that_run_past_the_deadline() {
    // P(Exp(mean 1) > 1) = e^-1 per attempt; one retry: both time out with e^-2.
    let s = run_summary(
        &chain(
            1,
            0.0,
            0.0,
            "latency = { dist = \"exponential\", mean = 1.0 }\ntimeout = 1.0\nretry = { max = 1 }",
        ),
        200_000,
        23,
    );
    assert_rate(&s, "loud_failure", (-2.0_f64).exp());
    let node = &s["nodes"][0];
    assert_eq!(node["timeouts"], node["loud_failures"]);
}

#[test]
fn edges_carry_their_own_failures_and_defaults() {
    // Two perfect nodes and one hand-off that is silent 5% and loud 10%.
    let scenario = r#"
[defaults.edge]
silent = 0.05
loud = 0.10
[[nodes]]
id = "a"
kind = "agent"
[[nodes]]
id = "b"
kind = "agent"
after = ["a"]
"#;
    let s = run_summary(scenario, 200_000, 24);
    assert_rate(&s, "loud_failure", 0.10);
    assert_rate(&s, "silent_failure", 0.05);
    let edge = s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "a->b")
        .expect("the edge has its own row");
    assert_eq!(edge["kind"], "edge");
}

#[test]
fn an_edge_entry_overrides_the_defaults() {
    let scenario = r#"
[defaults.edge]
loud = 0.5
[[nodes]]
id = "a"
kind = "agent"
[[nodes]]
id = "b"
kind = "agent"
after = ["a"]
[[edges]]
from = "a"
to = "b"
loud = 0.1
"#;
    let s = run_summary(scenario, 200_000, 25);
    assert_rate(&s, "loud_failure", 0.1);
}

#[test]
fn single_call_rag_matches_its_documented_expectation() {
    let s = run_summary(
        &std::fs::read_to_string("scenarios/single-call-rag.toml").unwrap(),
        400_000,
        26,
    );
    let expected = 0.95 * (1.0 - 0.02_f64.powi(3)) * 0.95 / 0.98;
    assert_rate(&s, "success", expected);
}

#[test]
fn silent_failures_are_attributed_to_the_node_that_introduced_them() {
    // Two steps with silent rates 0.1 then 0.2: the first corrupts with 0.1; the
    // second's corruption reaches the user only if the first did not: 0.9·0.2.
    let scenario = r#"
[[nodes]]
id = "first"
kind = "retrieval"
silent = 0.1
[[nodes]]
id = "second"
kind = "llm"
after = ["first"]
silent = 0.2
"#;
    let n = 200_000.0_f64;
    let s = run_summary(scenario, n as u64, 27);
    for (i, p) in [(0, 0.1), (1, 0.9 * 0.2)] {
        let k = s["nodes"][i]["silent_reached_user"].as_f64().unwrap();
        let (lo, hi) = wilson(k, n, Z999);
        assert!((lo..=hi).contains(&p), "node {i}: {k}/{n} vs {p}");
    }
}
