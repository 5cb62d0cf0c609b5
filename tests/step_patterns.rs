//! Step patterns (docs/MODEL.md §17): fallbacks, hedged requests, caches and
//! deadlines against their closed forms (R15–R18), in independent trials and
//! in loaded runs, and their bad input. Every tolerance is a 99.9% interval.

mod common;

use common::*;
use serde_json::Value;

/// Replications of the loaded runs (t critical values: common::T_DF29).
const REPS: u32 = 30;

/// The figures of node `id` in a summary.
fn node<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

/// Asserts that the mean cost per task is within 3.29 standard errors of
/// `expected`, `sd` being the standard deviation of one task's cost.
fn assert_cost(s: &Value, expected: f64, sd: f64) {
    let n = get(s, "trials");
    let cost = get(s, "cost_usd.per_task");
    let half = Z999 * sd / n.sqrt();
    assert!(
        (cost - expected).abs() <= half.max(1e-12),
        "cost per task: expected {expected}, simulated {cost} ± {half} (99.9%)"
    );
}

/// Asserts that `count` of `n` Bernoulli draws fits probability `p` (99.9% Wilson).
fn assert_count(what: &str, count: f64, n: f64, p: f64) {
    let (lo, hi) = wilson(count, n, Z999);
    assert!(
        (lo..=hi).contains(&p),
        "{what}: expected {p}, simulated {} with 99.9% interval [{lo}, {hi}]",
        count / n
    );
}

const PRIMARY: &str = r#"
[[nodes]]
id = "call"
kind = "llm"
loud = 0.2
latency = { dist = "exponential", mean = 1.0 }
cost = { per_call = 0.002 }
"#;

#[test]
fn r15_a_fallback_recovers_independent_loud_failures_and_mixes_cost_and_latency() {
    let scenario = format!(
        "[steps.backup]\nloud = 0.3\nlatency = {{ dist = \"exponential\", mean = 2.0 }}\n\
         cost = {{ per_call = 0.01 }}\n{PRIMARY}fallback = \"backup\"\n"
    );
    let s = run_summary(&scenario, 200_000, 71);
    // P(ok) = 1 - (1 - p1)(1 - p2) with p1 = 0.8, p2 = 0.7.
    assert_rate(&s, "success", 1.0 - 0.2 * 0.3);
    assert_rate(&s, "loud_failure", 0.2 * 0.3);
    // Latency: X1, plus X2 on a fallback: 1 + 0.2 * 2.
    assert_mean_latency(&s, 1.0 + 0.2 * 2.0);
    // Cost: 0.002, plus 0.01 with P(0.2): sd of the two-point mixture.
    assert_cost(&s, 0.002 + 0.2 * 0.01, 0.01 * (0.2_f64 * 0.8).sqrt());
    let n = get(&s, "trials");
    assert_count("fallbacks", get(node(&s, "call"), "fallbacks"), n, 0.2);
}

#[test]
fn r15_a_chain_of_inline_fallbacks_fails_only_when_every_level_does() {
    let scenario = format!(
        "{PRIMARY}retry = {{ max = 1 }}\n\
         fallback = {{ loud = 0.5, retry = {{ max = 1 }}, fallback = {{ loud = 0.4 }} }}\n"
    );
    let s = run_summary(&scenario, 200_000, 72);
    // Each level retried as its own: loud with 0.2², then 0.5², then 0.4.
    let loud = 0.04 * 0.25 * 0.4;
    assert_rate(&s, "loud_failure", loud);
    let n = get(&s, "trials");
    // Fallback calls: from the step (P 0.04) and from its fallback (P 0.01).
    let calls = get(node(&s, "call"), "fallbacks");
    let expected = 0.04 + 0.04 * 0.25;
    let sd = (0.04_f64 * 0.96 + 0.01 * 0.99).sqrt();
    assert!((calls / n - expected).abs() <= Z999 * sd / n.sqrt());
}

/// Hedging two Exponential(1) copies after d (never cancelled): the latency
/// is min(X1, d + X2); survival e^{-t} before d and e^{-t}e^{-(t-d)} after.
fn hedged_quantile(d: f64, q: f64) -> f64 {
    if 1.0 - q > (-d).exp() {
        -(1.0 - q).ln()
    } else {
        (d - (1.0 - q).ln()) / 2.0
    }
}

#[test]
fn r16_a_hedge_that_is_never_cancelled_follows_min_of_the_two_copies() {
    let d: f64 = 0.5;
    let (p50, p99) = (hedged_quantile(d, 0.5), hedged_quantile(d, 0.99));
    let scenario = format!(
        "[run]\nslo = [{p50}, {p99}]\n[[nodes]]\nid = \"call\"\nkind = \"llm\"\n\
         latency = {{ dist = \"exponential\", mean = 1.0 }}\ncost = {{ per_call = 0.002 }}\n\
         hedge = {{ after = {d}, cancel = false }}\n"
    );
    let s = run_summary(&scenario, 200_000, 73);
    // E[min(X1, d + X2)] = ∫ survival = (1 - e^{-d}) + e^{-d}/2.
    let e = (-d).exp();
    assert_mean_latency(&s, 1.0 - e + e / 2.0);
    // P(latency ≤ the closed-form p50 and p99) = 0.5 and 0.99 (a latency
    // counts when its 0.1%-wide histogram bucket does: far inside the tolerance).
    assert_rate(&s, "slo.0.within", 0.5);
    assert_rate(&s, "slo.1.within", 0.99);
    // A copy is sent when X1 > d, and billed: 0.002 more with P(e^{-d}).
    let n = get(&s, "trials");
    let call = node(&s, "call");
    assert_count("hedges", get(call, "hedges"), n, e);
    assert_cost(&s, 0.002 * (1.0 + e), 0.002 * (e * (1.0 - e)).sqrt());
    let extra = get(call, "hedge_extra_usd_per_task");
    assert!((extra - (get(&s, "cost_usd.per_task") - 0.002)).abs() < 1e-9);
}

#[test]
fn r16_a_cancelled_hedge_is_billed_once_and_p95_resolves_on_the_latency() {
    let scenario = "[[nodes]]\nid = \"call\"\nkind = \"llm\"\n\
         latency = { dist = \"exponential\", mean = 1.0 }\ncost = { per_call = 0.002 }\n\
         hedge = { after = \"p95\" }\n";
    let s = run_summary(scenario, 100_000, 74);
    // after = p95 of Exp(1) = ln 20: 5% of attempts are hedged.
    let n = get(&s, "trials");
    assert_count("hedges", get(node(&s, "call"), "hedges"), n, 0.05);
    // The loser is cancelled and not billed: every task pays one call.
    assert!((get(&s, "cost_usd.per_task") - 0.002).abs() < 1e-12);
    // Mean: (1 - e^{-d}) + e^{-d}/2 with e^{-d} = 0.05.
    assert_mean_latency(&s, 0.95 + 0.025);
}

#[test]
fn r17_a_cache_scales_calls_and_cost_and_adds_its_stale_rate() {
    let (h, stale, silent) = (0.3, 0.1, 0.01);
    let scenario = format!(
        "[[nodes]]\nid = \"call\"\nkind = \"llm\"\nsilent = {silent}\n\
         latency = {{ dist = \"exponential\", mean = 1.0 }}\ncost = {{ per_call = 0.002 }}\n\
         cache = {{ hit = {h}, stale = {stale}, latency = {{ dist = \"fixed\", value = 0.01 }} }}\n"
    );
    let s = run_summary(&scenario, 200_000, 75);
    let n = get(&s, "trials");
    let call = node(&s, "call");
    // Calls and cost scale by (1 - h).
    assert_count("calls", get(call, "attempts"), n, 1.0 - h);
    assert_cost(&s, 0.002 * (1.0 - h), 0.002 * (h * (1.0 - h)).sqrt());
    assert_count("cache hits", get(call, "cache_hits"), n, h);
    // Silent: h·stale from the cache plus (1 - h)·silent from the calls.
    assert_rate(&s, "silent_failure", h * stale + (1.0 - h) * silent);
    // Latency: the lookup, plus a call on a miss.
    assert_mean_latency(&s, 0.01 + (1.0 - h) * 1.0);
}

#[test]
fn r18_a_deadline_on_a_chain_of_exponential_steps_is_the_erlang_cdf() {
    let (n_steps, d) = (3, 2.5_f64);
    let scenario = format!(
        "[run]\ndeadline_s = {d}\n[[nodes]]\nid = \"step\"\nkind = \"llm\"\nrepeat = {n_steps}\n\
         latency = {{ dist = \"exponential\", mean = 1.0 }}\n"
    );
    let s = run_summary(&scenario, 200_000, 76);
    // Erlang(3, 1) CDF at D: 1 - e^{-D}(1 + D + D²/2).
    let in_time = 1.0 - (-d).exp() * (1.0 + d + d * d / 2.0);
    assert_rate(&s, "success", in_time);
    assert_rate(&s, "deadline_miss", 1.0 - in_time);
    assert_eq!(
        get(&s, "deadline_miss.count"),
        get(&s, "loud_failure.count")
    );
    // Nothing runs past the deadline (histogram buckets are 0.1% wide).
    assert!(get(&s, "latency_s.max") <= d * 1.001);
    // Each miss abandons exactly the one attempt in flight.
    let abandoned: f64 = s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["deadline_abandoned"].as_f64().unwrap_or(0.0))
        .sum();
    assert_eq!(abandoned, get(&s, "deadline_miss.count"));
}

/// Asserts that `expected` lies in the 99.9% interval of an estimate over `REPS` replications.
fn assert_estimate(e: &Value, expected: f64, what: &str) {
    assert_estimate_t(e, expected, what, T_DF29);
}

/// An open workload of rate `rate` on pools `gpu` (Exp(1) service, `servers`
/// servers) and `backup` (Exp(1), 40 servers), one node using `gpu`.
fn loaded(rate: f64, servers: u32, node_extra: &str, run_extra: &str) -> String {
    format!(
        r#"
[run]
{run_extra}
[workload]
arrivals = "open"
rate = {rate}
warmup_tasks = 500
tasks = 3000
replications = {REPS}

[[resources]]
id = "gpu"
kind = "accelerator"
servers = {servers}
service = {{ dist = "exponential", mean = 1.0 }}

[[resources]]
id = "backup"
kind = "accelerator"
servers = 40
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "llm"
resource = "gpu"
{node_extra}
"#
    )
}

fn pool<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["load"]["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap()
}

#[test]
fn loaded_a_hedge_never_cancelled_adds_its_rate_times_the_mean_service_to_the_load() {
    // 40 servers at about 6.4 busy: no waiting, so a copy is sent when the
    // service passes d = 0.5 (P e^{-0.5}), and runs its own Exp(1) service.
    let s = run_loaded(
        &loaded(4.0, 40, "hedge = { after = 0.5, cancel = false }", ""),
        81,
    );
    let busy = &pool(&s, "gpu")["mean_busy"];
    assert_estimate(busy, 4.0 * (1.0 + (-0.5_f64).exp()), "busy servers");
}

#[test]
fn loaded_a_fallback_on_another_pool_sends_it_the_exhausted_share() {
    let s = run_loaded(
        &loaded(
            4.0,
            40,
            "loud = 0.2\nfallback = { resource = \"backup\" }",
            "",
        ),
        82,
    );
    let rate = &pool(&s, "backup")["arrival_rate"];
    assert_estimate(rate, 4.0 * 0.2, "backup arrivals per second");
}

#[test]
fn loaded_a_cache_takes_its_hits_off_the_pool() {
    let s = run_loaded(&loaded(4.0, 40, "cache = { hit = 0.25 }", ""), 83);
    let rate = &pool(&s, "gpu")["arrival_rate"];
    assert_estimate(rate, 4.0 * 0.75, "gpu arrivals per second");
}

#[test]
fn loaded_a_deadline_on_an_mm1_queue_misses_with_the_sojourn_tail() {
    // M/M/1 at λ = 0.5, μ = 1: the sojourn is Exp(μ - λ), and abandoned
    // attempts still hold the server, so P(miss) = e^{-(μ - λ) D}.
    let d: f64 = 3.0;
    let s = run_loaded(&loaded(0.5, 1, "", &format!("deadline_s = {d}")), 84);
    let miss = &s["deadline_miss"];
    let rate = miss["rate"].as_f64().unwrap();
    let half = (miss["ci95"][1].as_f64().unwrap() - miss["ci95"][0].as_f64().unwrap()) / 2.0
        * T_DF29.t999
        / T_DF29.t95;
    let expected = (-0.5 * d).exp();
    assert!(
        (rate - expected).abs() <= half,
        "deadline misses: expected {expected}, simulated {rate} ± {half} (99.9%)"
    );
}

/// Runs `validate` on `text`; returns (exit code, stderr).
fn validate(text: &str) -> (Option<i32>, String) {
    let scratch = Scratch::new();
    let file = scratch.file("bad.toml", text);
    let out = bin()
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_patterns_get_located_errors_and_exit_2() {
    let node = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
    let cases: [(String, &[&str]); 8] = [
        (
            format!("[steps.x]\nfallback = \"x\"\n{node}"),
            &[
                "bad.toml:2:1: steps.x.fallback",
                "leads back to itself (x -> x)",
            ],
        ),
        (
            format!(
                "[steps.x]\nfallback = \"y\"\n[steps.y]\nfallback = \"x\"\n{node}fallback = \"x\"\n"
            ),
            &["steps.x.fallback", "(x -> y -> x)", "steps.y.fallback"],
        ),
        (
            format!("{node}fallback = \"bakup\"\n[steps.backup]\nloud = 0.1\n"),
            &[
                "nodes[0] (a).fallback",
                "no [steps.bakup]",
                "did you mean \"backup\"",
            ],
        ),
        (
            format!("{node}hedge = {{ after = -1 }}\n"),
            &[
                "bad.toml:4:",
                "nodes[0] (a).hedge.after",
                "is -1",
                "at least 0",
            ],
        ),
        (
            format!("{node}hedge = {{ after = \"p100\" }}\n"),
            &["hedge.after", "percentile"],
        ),
        (
            format!("{node}cache = {{ hit = 1.5 }}\n"),
            &["nodes[0] (a).cache.hit", "1.5"],
        ),
        (
            format!("[run]\ndeadline_s = 0\n{node}"),
            &["run.deadline_s", "above 0", "deadline_s = 30"],
        ),
        (
            format!(
                "{node}loop = {{ count = {{ dist = \"geometric\", mean = 3 }}, max_steps = 10 }}\nhedge = {{ after = 1 }}\n"
            ),
            &["nodes[0] (a).hedge", "`loop`"],
        ),
    ];
    for (text, says) in cases {
        let (code, err) = validate(&text);
        assert_eq!(code, Some(2), "{text}\n{err}");
        assert!(!err.contains("panicked"), "{err}");
        for s in says {
            assert!(err.contains(s), "missing {s:?} in:\n{err}");
        }
    }
}

/// A node with a fallback beside one without: nodes.csv gets the fallback
/// columns, `0` where a node has none, every row as long as the header, and
/// the counts sum to what summary.json says (it once panicked on the
/// unequal rows).
#[test]
fn nodes_csv_gives_every_node_the_pattern_columns() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", "../scenarios/fallback-providers.toml"])
        .current_dir(env!("CARGO_MANIFEST_DIR").to_string() + "/tests")
        .args(["--trials", "5000", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let csv = std::fs::read_to_string(out.join("nodes.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "fallbacks").unwrap();
    let mut total = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        total += cells[col].parse::<u64>().unwrap();
    }
    let expected: u64 = summary["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["fallbacks"].as_u64())
        .sum();
    assert!(expected > 0);
    assert_eq!(total, expected);
}
