//! Task classes and load shedding in loaded runs against queueing theory:
//! Cobham's mean waits of non-preemptive priority classes on one
//! Exponential server and their work-conservation law (R21), the M/M/c/K
//! blocking probability of shedding at a queue threshold (R22), class 0's
//! streams kept, and bad class or shedding input refused (exit 2).
//! Intervals are across independent replications: the summary's 95%
//! half-width is rescaled to 99.9% (docs/MODEL.md asks tests to use 99.9%).

mod common;

use common::*;
use serde_json::Value;

/// Replications of the loaded runs (t critical values: common::T_DF29).
const REPS: u32 = 30;

/// The 99.9% half-width of a mean whose 95% interval is `ci`.
fn half999(mean: f64, ci: &Value) -> f64 {
    (ci[1].as_f64().unwrap() - mean) * T_DF29.t999 / T_DF29.t95
}

fn class<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["classes"]
        .as_array()
        .expect("per-class figures")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("class {id}"))
}

/// Two classes on one Exponential server served highest class priority
/// first: "chat" (λ = 0.4, mean service 0.5 s, priority 1) and "batch"
/// (λ = 0.5, mean service 1 s, priority 0).
fn two_priority_classes(discipline: &str) -> String {
    format!(
        r#"
[workload]
class = "chat"
priority = 1
arrivals = "open"
rate = 0.4
warmup_tasks = 5000
tasks = 40000
replications = {REPS}

[[classes]]
id = "batch"
priority = 0
arrivals = "open"
rate = 0.5
graph = {{ nodes = [{{ id = "job", kind = "llm", resource = "server", latency = {{ dist = "exponential", mean = 1.0 }} }}] }}

[[resources]]
id = "server"
kind = "accelerator"
servers = 1
discipline = "{discipline}"

[[nodes]]
id = "turn"
kind = "llm"
resource = "server"
latency = {{ dist = "exponential", mean = 0.5 }}
"#
    )
}

/// Cobham: W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), W0 = Σ λ_i E[S_i²] / 2.
fn cobham() -> ([f64; 2], [f64; 2], f64) {
    let (lambda, mean) = ([0.4, 0.5], [0.5, 1.0]);
    let rho = [lambda[0] * mean[0], lambda[1] * mean[1]];
    // Exponential service: E[S²] = 2 m².
    let w0: f64 = (0..2)
        .map(|i| lambda[i] * 2.0 * mean[i] * mean[i] / 2.0)
        .sum();
    let w_high = w0 / (1.0 - rho[0]);
    let w_low = w0 / ((1.0 - rho[0]) * (1.0 - rho[0] - rho[1]));
    let fcfs = w0 / (1.0 - rho[0] - rho[1]);
    ([w_high, w_low], rho, (rho[0] + rho[1]) * fcfs)
}

#[test]
fn cobham_waits_and_work_conservation_of_two_priority_classes() {
    let ([w_high, w_low], rho, conserved) = cobham();
    // Independent arithmetic: W0 = 0.4·0.25 + 0.5·1 = 0.6, W = 0.6/0.8, 0.6/(0.8·0.3).
    assert!((w_high - 0.75).abs() < 1e-12 && (w_low - 2.5).abs() < 1e-12);
    assert!((conserved - 1.4).abs() < 1e-12);
    let s = run_loaded(&two_priority_classes("priority"), 71);
    let mut sum = 0.0;
    let mut tol = 0.0;
    for (id, w, service, r) in [("chat", w_high, 0.5, rho[0]), ("batch", w_low, 1.0, rho[1])] {
        let lat = &class(&s, id)["summary"]["latency_s"];
        let mean = lat["mean"].as_f64().unwrap();
        let half = half999(mean, &lat["mean_ci95"]);
        // A task is one call: its latency is the wait plus its own service.
        assert!(
            (mean - (w + service)).abs() <= half,
            "{id}: latency {mean} ± {half}, Cobham W + E[S] = {}",
            w + service
        );
        sum += r * (mean - service);
        tol += r * half;
    }
    assert!(
        (sum - conserved).abs() <= tol,
        "Σ ρ_k W_k = {sum} ± {tol}, conservation law ρ·W_FCFS = {conserved}"
    );
}

#[test]
fn without_the_priority_discipline_both_classes_wait_the_fcfs_time() {
    // A FIFO pool ignores class priorities: both classes wait W0 / (1 − ρ) = 2.
    let s = run_loaded(&two_priority_classes("fifo"), 72);
    for (id, service) in [("chat", 0.5), ("batch", 1.0)] {
        let lat = &class(&s, id)["summary"]["latency_s"];
        let mean = lat["mean"].as_f64().unwrap();
        let half = half999(mean, &lat["mean_ci95"]);
        assert!(
            (mean - (2.0 + service)).abs() <= half,
            "{id}: latency {mean} ± {half}, FCFS {}",
            2.0 + service
        );
    }
}

/// P(K in system) of M/M/c/K with offered load a = λ/μ.
fn mmck_blocking(c: u32, k: u32, a: f64) -> f64 {
    let mut weights = vec![1.0_f64];
    for n in 1..=k {
        let servers = n.min(c) as f64;
        weights.push(weights[(n - 1) as usize] * a / servers);
    }
    weights[k as usize] / weights.iter().sum::<f64>()
}

#[test]
fn shedding_at_a_queue_threshold_blocks_as_mmck() {
    // c = 2 Exponential(1) servers offered a = 2.4 (beyond capacity: only
    // the shedding keeps the queue finite); a task arriving while more than
    // 3 wait is shed, so at most 4 wait: K = c + 3 + 1 = 6.
    let (c, above, lambda) = (2, 3, 2.4);
    let p_block = mmck_blocking(c, c + above + 1, lambda);
    // Independent check of the helper: p_K for c = 1, K = 1 is a/(1+a) (Erlang B).
    assert!((mmck_blocking(1, 1, 0.5) - 0.5 / 1.5).abs() < 1e-12);
    let scenario = format!(
        r#"
[workload]
arrivals = "open"
rate = {lambda}
warmup_tasks = 5000
tasks = 40000
replications = {REPS}
shed = {{ pool = "pool", queue_above = {above} }}

[[resources]]
id = "pool"
kind = "accelerator"
servers = {c}
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#
    );
    let s = run_loaded(&scenario, 73);
    let main = class(&s, "main");
    let shed = &main["shed"];
    let rate = shed["rate"].as_f64().unwrap();
    let ci = &shed["ci95"];
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!((0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
    let half = (hi - lo) / 2.0 * T_DF29.t999 / T_DF29.t95;
    assert!(
        (rate - p_block).abs() <= half,
        "shed rate {rate} ± {half}, M/M/c/K blocking {p_block}"
    );
    // Admitted tasks are the trials; shed ones are counted apart.
    let arrivals = main["arrivals"].as_u64().unwrap();
    let trials = s["trials"].as_u64().unwrap();
    assert_eq!(arrivals, trials + shed["count"].as_u64().unwrap());
    // Goodput counts admitted correct tasks: λ (1 − p_K) here (no failures).
    let goodput = &main["goodput"];
    let g = goodput["mean"].as_f64().unwrap();
    let expected = lambda * (1.0 - p_block);
    assert!(
        (g - expected).abs() <= half999(g, &goodput["ci95"]),
        "goodput {g}, λ(1 − p_K) = {expected}"
    );
}

#[test]
fn a_shedding_rule_that_never_triggers_changes_no_draw() {
    let base = r#"
[workload]
arrivals = "open"
rate = 0.5
tasks = 3000
replications = 3
SHED
[[resources]]
id = "pool"
kind = "accelerator"
servers = 1
service = { dist = "exponential", mean = 1.0 }

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
silent = 0.1
"#;
    let plain = run_loaded(&base.replace("SHED", ""), 5);
    let never = run_loaded(
        &base.replace("SHED", "shed = { pool = \"pool\", queue_above = 1000000 }"),
        5,
    );
    assert_eq!(class(&never, "main")["shed"]["count"], 0);
    for key in ["trials", "success", "latency_s", "cost_usd"] {
        assert_eq!(plain[key], never[key], "{key}");
    }
    assert_eq!(plain["load"]["goodput"], never["load"]["goodput"]);
    assert!(plain.get("classes").is_none());
}

fn refused(files: &[(&str, &str)], fragments: &[&str]) {
    let scratch = Scratch::new();
    let mut top = None;
    for (name, text) in files {
        if let Some(parent) = std::path::Path::new(name).parent() {
            std::fs::create_dir_all(scratch.path().join(parent)).unwrap();
        }
        let path = scratch.file(name, text);
        top.get_or_insert(path);
    }
    let out = scratch.path().join("out");
    let output = bin()
        .arg("run")
        .arg(top.unwrap())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for f in fragments {
        assert!(stderr.contains(f), "missing {f:?} in:\n{stderr}");
    }
    assert!(!out.exists(), "nothing written on bad input");
}

const BASE: &str = r#"
[workload]
arrivals = "open"
rate = 1.0
tasks = 100

[[resources]]
id = "gpu"
kind = "accelerator"
servers = 2

[[nodes]]
id = "a"
kind = "llm"
resource = "gpu"
"#;

#[test]
fn bad_classes_and_shedding_are_refused_with_their_field() {
    let class = |extra: &str| {
        format!("{BASE}\n[[classes]]\nid = \"b\"\narrivals = \"open\"\nrate = 1.0\n{extra}")
    };
    refused(
        &[(
            "s.toml",
            &format!(
                "{}\n[[classes]]\nid = \"b\"\narrivals = \"open\"\nrate = 2.0\n",
                class("")
            ),
        )],
        &["classes[1] (b).id", "unique"],
    );
    refused(
        &[("s.toml", &class("").replace("id = \"b\"", "id = \"main\""))],
        &["classes[0] (main).id", "unique"],
    );
    refused(
        &[(
            "s.toml",
            &class("shed = { pool = \"gpus\", queue_above = 3 }"),
        )],
        &[
            "classes[0] (b).shed.pool",
            "did you mean \"gpu\"",
            "queue_above = 20",
        ],
    );
    refused(
        &[(
            "s.toml",
            &BASE.replace(
                "tasks = 100\n",
                "tasks = 100\nshed = { pool = \"gpu\", queue_above = -1 }\n",
            ),
        )],
        &["workload.shed.queue_above", "is -1", ">= 0"],
    );
    refused(
        &[("s.toml", &class("rate = 2.0"))],
        &["s.toml:21:1", "duplicate key `rate`", "once per table"],
    );
    refused(
        &[(
            "s.toml",
            &format!("{BASE}\n[[classes]]\nid = \"b\"\narrivals = \"open\"\nrate = -1.0\n"),
        )],
        &["classes[0] (b).rate", "> 0"],
    );
    refused(
        &[("s.toml", &class("concurrency = 3"))],
        &[
            "classes[0] (b).concurrency",
            "not used by arrivals = \"open\"",
        ],
    );
    refused(
        &[("s.toml", &class("include = \"../outside.toml\""))],
        &["classes[0] (b).include", "leaves the scenario's folder"],
    );
    refused(
        &[("s.toml", &class("include = \"missing.toml\""))],
        &["classes[0] (b).include", "no scenario file"],
    );
    refused(
        &[("s.toml", &class("include = \"/etc/passwd.toml\""))],
        &["classes[0] (b).include", "absolute path"],
    );
    refused(
        &[(
            "s.toml",
            &class("graph = { nodes = [{ id = \"x\", kind = \"llm\", resource = \"cpu\" }] }"),
        )],
        &[
            "classes[0] (b).graph.nodes[0] (x).resource",
            "no such resource",
        ],
    );
    refused(
        &[(
            "s.toml",
            &class("").replace(
                "[workload]\narrivals = \"open\"\nrate = 1.0\ntasks = 100\n",
                "",
            ),
        )],
        &["classes", "need [workload]"],
    );
    refused(
        &[
            ("s.toml", &class("include = \"more/c.toml\"")),
            (
                "more/c.toml",
                "[[nodes]]\nid = \"x\"\nkind = \"llm\"\nsilent = 2\n",
            ),
        ],
        &["c.toml", "silent", "included by"],
    );
}

#[test]
fn a_class_graph_read_from_a_file_runs_with_the_shared_pool() {
    let scratch = Scratch::new();
    std::fs::create_dir_all(scratch.path().join("classes")).unwrap();
    scratch.file(
        "classes/batch.toml",
        "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n\
         [[nodes]]\nid = \"job\"\nkind = \"llm\"\nresource = \"gpu\"\nloud = 0.5\n\
         latency = { dist = \"exponential\", mean = 0.5 }\n",
    );
    let top = scratch.file(
        "s.toml",
        &format!(
            "{}\n[[classes]]\nid = \"batch\"\narrivals = \"closed\"\nconcurrency = 2\ninclude = \"classes/batch.toml\"\n",
            BASE.replace("tasks = 100", "tasks = 2000\nreplications = 2")
        ),
    );
    let output = bin()
        .args(["run", top.to_str().unwrap(), "--format", "json", "--out"])
        .arg(scratch.path().join("out"))
        .output()
        .unwrap();
    assert_success(&output);
    let s: Value = serde_json::from_slice(&output.stdout).unwrap();
    let batch = class(&s, "batch");
    assert_eq!(batch["summary"]["nodes"][0]["id"], "job");
    let loud = batch["summary"]["loud_failure"]["rate"].as_f64().unwrap();
    assert!(loud > 0.3 && loud < 0.7, "the file's loud rate 0.5: {loud}");
    assert_eq!(class(&s, "main")["summary"]["loud_failure"]["count"], 0);
    let total: u64 = s["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"]["trials"].as_u64().unwrap())
        .sum();
    assert_eq!(total, s["trials"].as_u64().unwrap());
}

#[test]
fn shards_of_a_run_with_classes_merge_to_the_single_run() {
    let t = Scratch::new();
    let base = [
        "run",
        "scenarios/mixed-platform.toml",
        "--set",
        "workload.tasks=800",
        "--set",
        "workload.replications=3",
    ];
    let whole = t.path().join("whole");
    let out = bin().args(base).arg("--out").arg(&whole).output().unwrap();
    assert_success(&out);
    let parts = t.path().join("parts");
    let mut partials = Vec::new();
    for k in 1..=2 {
        let out = bin()
            .args(base)
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(&parts)
            .output()
            .unwrap();
        assert_success(&out);
        partials.push(parts.join(format!("partial-{k}-of-2.json")));
    }
    let merged = t.path().join("merged");
    let out = bin()
        .arg("merge")
        .args(&partials)
        .arg("--out")
        .arg(&merged)
        .arg("-q")
        .output()
        .unwrap();
    assert_success(&out);
    for name in ["summary.json", "nodes.csv", "classes.csv"] {
        let a = std::fs::read(whole.join(name)).unwrap();
        let b = std::fs::read(merged.join(name)).unwrap();
        assert!(
            a == b,
            "{name} differs between the single run and the merge"
        );
    }
}
