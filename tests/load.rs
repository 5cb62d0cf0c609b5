//! Loaded runs (many tasks contending for shared resources) against queueing
//! theory: Erlang C, Little's law, closed-network and batching arithmetic.
//! Intervals are across independent replications: the summary's 95% Student-t
//! half-width is rescaled to 99.9% (docs/MODEL.md asks tests to use 99.9%).

mod common;

use common::*;
use serde_json::Value;

/// Replications of the loaded runs (t critical values: common::T_DF29).
const REPS: u32 = 30;

/// Asserts that `expected` lies in the 99.9% interval of an estimate over `REPS` replications.
fn assert_estimate(e: &Value, expected: f64, what: &str) {
    assert_estimate_t(e, expected, what, T_DF29);
}

/// Erlang C probability of waiting for c servers at offered load a = λ/μ.
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / (k + 1) as f64;
    }
    let top = term / (1.0 - rho);
    top / (sum + top)
}

fn mmc(rate: f64, servers: u32, warmup: u64, tasks: u64, extra: &str) -> String {
    format!(
        r#"
[workload]
arrivals = "open"
rate = {rate}
warmup_tasks = {warmup}
tasks = {tasks}
replications = {REPS}
{extra}
[[resources]]
id = "pool"
kind = "accelerator"
servers = {servers}
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#
    )
}

#[test]
fn mmc_matches_erlang_c_at_several_loads() {
    let (c, mu) = (8, 1.0);
    for (rho, seed) in [(0.5, 31), (0.8, 32), (0.9, 33)] {
        let lambda = rho * c as f64 * mu;
        let s = run_loaded(&mmc(lambda, c, 10_000, 60_000, ""), seed);
        let pool = &s["load"]["pools"][0];
        let p_wait = erlang_c(c, lambda / mu);
        let wq = p_wait / (c as f64 * mu - lambda);
        assert_estimate(&pool["p_wait"], p_wait, &format!("P(wait) at rho {rho}"));
        assert_estimate(&pool["mean_wait_s"], wq, &format!("Wq at rho {rho}"));
        assert_estimate(
            &pool["mean_sojourn_s"],
            wq + 1.0 / mu,
            &format!("W at rho {rho}"),
        );
        assert_estimate(
            &pool["utilization"],
            rho,
            &format!("utilization at rho {rho}"),
        );
        // The task is one call: its end-to-end latency is the pool's W.
        let lat = &s["latency_s"];
        let mean = lat["mean"].as_f64().unwrap();
        let half = (lat["mean_ci95"][1].as_f64().unwrap() - mean) * T_DF29.t999 / T_DF29.t95;
        assert!(
            (mean - (wq + 1.0)).abs() <= half,
            "task latency {mean} vs W {}",
            wq + 1.0
        );
    }
}

#[test]
fn erlang_c_reference_value() {
    // docs/MODEL.md, R6 with c = 8, a = 7.2: C = 0.7015 (independent check of the helper).
    assert!((erlang_c(8, 7.2) - 0.701_533).abs() < 1e-5);
}

#[test]
fn littles_law_holds_on_every_pool_and_link() {
    let scenario = std::fs::read_to_string("scenarios/chip-layer-load.toml")
        .unwrap()
        .replace("tasks = 20000", "tasks = 6000")
        .replace("replications = 8", &format!("replications = {REPS}"));
    let s = run_loaded(&scenario, 34);
    let load = &s["load"];
    let mut checked = 0;
    for resource in load["pools"]
        .as_array()
        .unwrap()
        .iter()
        .chain(load["links"].as_array().unwrap())
    {
        let l_key = if resource.get("mean_in_system").is_some() {
            "mean_in_system"
        } else {
            "mean_active"
        };
        let l = &resource[l_key];
        let lw = &resource["little_lambda_w"];
        let (lm, wm) = (l["mean"].as_f64().unwrap(), lw["mean"].as_f64().unwrap());
        // Both are means over the same replications; their difference is
        // bounded by the two 99.9% half-widths together.
        let half = |e: &Value| {
            (e["ci95"][1].as_f64().unwrap() - e["mean"].as_f64().unwrap()) * T_DF29.t999
                / T_DF29.t95
        };
        let tol = half(l) + half(lw);
        assert!(
            (lm - wm).abs() <= tol,
            "{}: L = {lm}, lambda W = {wm}, tolerance {tol}",
            resource["id"]
        );
        checked += 1;
    }
    assert_eq!(checked, 3, "gpu, search-api and nvlink");
}

/// Throughput of the machine-repairman model (closed, N agents thinking
/// Exp(mean z) between tasks, c servers Exp(rate mu)), from its birth-death chain.
fn closed_throughput(n: u32, z: f64, c: u32, mu: f64) -> f64 {
    let mut weights = vec![1.0_f64];
    for k in 1..=n {
        let birth = (n - (k - 1)) as f64 / z;
        let death = k.min(c) as f64 * mu;
        weights.push(weights[(k - 1) as usize] * birth / death);
    }
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .enumerate()
        .map(|(k, w)| w / total * (k as u32).min(c) as f64 * mu)
        .sum()
}

fn closed(agents: u32, think: &str, servers: u32) -> String {
    format!(
        r#"
[workload]
arrivals = "closed"
concurrency = {agents}
{think}
warmup_tasks = 5000
tasks = 40000
replications = {REPS}

[[resources]]
id = "pool"
kind = "accelerator"
servers = {servers}
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#
    )
}

#[test]
fn closed_workload_matches_the_machine_repairman_model() {
    let (n, z, c) = (12, 2.0, 4);
    let s = run_loaded(
        &closed(
            n,
            &format!("think = {{ dist = \"exponential\", mean = {z} }}"),
            c,
        ),
        35,
    );
    let x = closed_throughput(n, z, c, 1.0);
    assert_estimate(&s["load"]["throughput"], x, "closed throughput");
    assert_estimate(
        &s["load"]["pools"][0]["utilization"],
        x / c as f64,
        "utilization = X / (c mu)",
    );
}

#[test]
fn closed_workload_throughput_never_exceeds_capacity() {
    // 40 agents with no think time saturate 4 servers of rate 1: X = 4.
    let s = run_loaded(&closed(40, "", 4), 36);
    let tp = &s["load"]["throughput"];
    assert_estimate(tp, 4.0, "saturated throughput");
    let util = s["load"]["pools"][0]["utilization"]["mean"]
        .as_f64()
        .unwrap();
    assert!(util <= 1.0, "utilization {util} above 1");
    assert!(util > 0.999, "a saturated pool is always busy: {util}");
}

#[test]
fn unstable_open_load_is_refused_with_the_resource_and_its_load() {
    let scratch = Scratch::new();
    let file = scratch.file("over.toml", &mmc(9.0, 8, 100, 1000, ""));
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for fragment in ["over.toml", "unstable", "\"pool\"", "1.12", "timeout"] {
        assert!(
            stderr.contains(fragment),
            "message lacks {fragment:?}: {stderr}"
        );
    }
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn tasks_piling_up_stop_the_run_instead_of_running_forever() {
    let scratch = Scratch::new();
    let text = mmc(7.2, 8, 100, 100_000, "max_in_flight = 5");
    let file = scratch.file("pile.toml", &text);
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(scratch.path().join("o"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("more than 5 tasks in flight"), "{stderr}");
}

#[test]
fn a_rate_limit_admits_calls_at_the_token_rate() {
    // Token bucket of rate r = 5/s holding one token, Poisson calls at 10/s,
    // rejected when no token: after an admission the next one is the first
    // arrival after the token is back, 1/r + 1/lambda later, so the admitted
    // fraction is 1 / (lambda (1/r + 1/lambda)) = 1/3.
    let scenario = format!(
        r#"
[workload]
arrivals = "open"
rate = 10.0
warmup_tasks = 1000
tasks = 30000
replications = {REPS}

[[resources]]
id = "api"
kind = "service"
rate_limit = {{ rate = 5.0, burst = 1 }}
on_full = "reject"
service = {{ dist = "fixed", value = 0.01 }}

[[nodes]]
id = "call"
kind = "tool"
resource = "api"
"#
    );
    let s = run_loaded(&scenario, 37);
    let admitted = get(&s, "success.rate");
    let ci = &s["success"]["ci95"];
    let half = (ci[1].as_f64().unwrap() - admitted) * T_DF29.t999 / T_DF29.t95;
    assert!(
        (admitted - 1.0 / 3.0).abs() <= half,
        "admitted {admitted} ± {half}"
    );
    assert!(s["load"]["pools"][0]["rejected"].as_u64().unwrap() > 0);
}

#[test]
fn continuous_batching_throughput_follows_the_iteration_time() {
    // 64 agents keep one server's batch of 8 full; each request needs 10
    // iterations of 0.02 + 0.005·8 = 0.06 s: throughput 8 / (10 · 0.06) = 13.33/s.
    let scenario = r#"
[workload]
arrivals = "closed"
concurrency = 64
warmup_tasks = 2000
tasks = 40000
replications = 4

[[resources]]
id = "gpu"
kind = "accelerator"
servers = 1
batching = { max_batch = 8, iteration_base = 0.02, iteration_per_request = 0.005 }

[[nodes]]
id = "decode"
kind = "llm"
resource = "gpu"
tokens = { input = 100, output = 10 }
"#;
    let s = run_loaded(scenario, 38);
    let expected = 8.0 / (10.0 * 0.06);
    let tp = get(&s, "load.throughput.mean");
    // Completions come in whole batches of 8 every 0.6 s; counting them in a
    // window of `span` seconds is off by at most one batch at each end.
    let span = get(&s, "load.tasks_per_replication.mean") / expected;
    let tol = 2.0 * 8.0 / span;
    assert!(
        (tp - expected).abs() <= tol,
        "throughput {tp}, expected {expected} ± {tol}"
    );
    let batch = get(&s, "load.pools.0.mean_batch.mean");
    assert!((batch - 8.0).abs() < 1e-6, "mean batch {batch}");
}

#[test]
fn concurrent_transfers_share_a_link_fairly() {
    // 4 agents move 1 MB each over a 10 MB/s link, back to back: 4 transfers
    // in flight at 2.5 MB/s each take 0.4 s, and the link moves 10 tasks/s.
    let scenario = r#"
[workload]
arrivals = "closed"
concurrency = 4
warmup_tasks = 100
tasks = 4000
replications = 2

[[resources]]
id = "link"
kind = "link"
bandwidth = 1.0e7

[[nodes]]
id = "move"
kind = "tool"
transfer = { link = "link", bytes = 1.0e6 }
"#;
    let s = run_loaded(scenario, 39);
    let latency = get(&s, "latency_s.mean");
    assert!((latency - 0.4).abs() < 1e-6, "transfer time {latency}");
    let active = get(&s, "load.links.0.mean_active.mean");
    assert!((active - 4.0).abs() < 1e-6, "transfers in flight {active}");
}

#[test]
fn loaded_runs_are_identical_for_any_thread_count() {
    let scratch = Scratch::new();
    let text = std::fs::read_to_string("scenarios/chip-layer-load.toml")
        .unwrap()
        .replace("tasks = 20000", "tasks = 3000")
        .replace("replications = 8", "replications = 3");
    let file = scratch.file("load.toml", &text);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = scratch.path().join(format!("t{threads}"));
        let output = bin()
            .args(["run", file.to_str().unwrap(), "--threads", threads, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_success(&output);
        outputs.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn jittered_backoff_recovers_from_the_spike_that_collapses_immediate_retries() {
    let naive = run_loaded(
        &std::fs::read_to_string("scenarios/retry-storm.toml").unwrap(),
        1,
    );
    let backoff = run_loaded(
        &std::fs::read_to_string("scenarios/retry-storm-backoff.toml").unwrap(),
        1,
    );
    let naive_hi = naive["load"]["goodput"]["ci95"][1].as_f64().unwrap();
    let backoff_lo = backoff["load"]["goodput"]["ci95"][0].as_f64().unwrap();
    assert!(
        naive_hi < backoff_lo,
        "goodput intervals overlap: {naive_hi} vs {backoff_lo}"
    );
    // The collapse outlives the spike: most of the 900 s window delivers
    // almost nothing, so goodput stays far below the 3 tasks/s that arrive.
    assert!(naive["load"]["goodput"]["mean"].as_f64().unwrap() < 1.0);
}

#[test]
fn a_bounded_queue_rejects_as_the_mm1k_loss_formula_says() {
    // M/M/1/K with K = 3 in the system (1 in service + queue_capacity 2):
    // an arrival is turned away with P_K = (1 - rho) rho^K / (1 - rho^(K+1))
    // (Poisson arrivals see time averages), a loud failure of the task.
    let rho: f64 = 0.8;
    let scenario = format!(
        r#"
[workload]
arrivals = "open"
rate = {rho}
warmup_tasks = 2000
tasks = 40000
replications = {REPS}

[[resources]]
id = "api"
kind = "service"
servers = 1
queue_capacity = 2
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "tool"
resource = "api"
"#
    );
    let s = run_loaded(&scenario, 40);
    let k = 3;
    let blocked = (1.0 - rho) * rho.powi(k) / (1.0 - rho.powi(k + 1));
    let rate = get(&s, "loud_failure.rate");
    let half = (s["loud_failure"]["ci95"][1].as_f64().unwrap() - rate) * T_DF29.t999 / T_DF29.t95;
    assert!(
        (rate - blocked).abs() <= half,
        "blocked {rate} ± {half}, M/M/1/K {blocked}"
    );
}

#[test]
fn a_token_rate_service_time_is_prefill_plus_decode() {
    // Alone on the pool: 3000 input tokens at 5000/s + 400 output at 80/s = 5.6 s.
    let scenario = r#"
[[resources]]
id = "gpu"
kind = "accelerator"
servers = 1
service = { dist = "tokens", prefill_tokens_per_s = 5000, tokens_per_s = 80 }

[[nodes]]
id = "answer"
kind = "llm"
resource = "gpu"
tokens = { input = 3000, output = 400 }
"#;
    let s = run_summary(scenario, 1000, 41);
    let latency = get(&s, "latency_s.mean");
    assert!((latency - 5.6).abs() < 1e-6, "latency {latency}");
}

#[test]
fn per_task_rates_and_persistence_hold_in_a_loaded_run() {
    // The call's silent rate S is drawn per task from Beta(2, 8) (mean 0.2);
    // an attempt is loud with 0.2, silent with S, right otherwise, and its
    // outcome is held for the task, so its two retries (queueing again for
    // the pool) never repair a loud first attempt: P(loud) = 0.2, not
    // 0.2³ = 0.008; P(silent) = E[S] = 0.2; P(correct) = 1 − 0.2 − E[S] = 0.6
    // (docs/MODEL.md §3).
    let scenario = mmc(0.5, 4, 1000, 20_000, "")
        + "loud = 0.2\npersistence = \"task\"\nretry = { max = 2 }\nsilent = { beta = [2, 8] }\n";
    let s = run_loaded(&scenario, 11);
    for (figure, expected) in [
        ("success", 0.6),
        ("silent_failure", 0.2),
        ("loud_failure", 0.2),
    ] {
        let rate = s[figure]["rate"].as_f64().unwrap();
        let [lo, hi] = [0, 1].map(|i| s[figure]["ci95"][i].as_f64().unwrap());
        // The run's own 95% interval, widened to 99.9%.
        let half = (hi - lo) / 2.0 * Z999 / 1.959_963_984_540_054;
        assert!(
            (rate - expected).abs() <= half,
            "{figure}: expected {expected}, simulated {rate} ± {half} (99.9%)"
        );
    }
}
