//! Energy and provider economics of loaded runs (docs/MODEL.md §20, R23)
//! against closed forms: an M/M/c pool whose servers draw P0 idle and P1
//! busy averages c·P0 + (P1 − P0)·c·ρ watts, and joules per task are that
//! over the throughput λ; capacity cost is servers × price exactly. The
//! summary's 95% intervals (Student t over replications; ratio estimators for
//! per-task figures) are rescaled to 99.9% (z-like 3.29 s.e. → t at df 19).

mod common;

use common::*;
use serde_json::Value;

/// Replications of the loaded runs (t critical values: common::T_DF19).
const REPS: u32 = 20;

/// Asserts that `expected` lies in the 99.9% interval of an estimate over `REPS` replications.
fn assert_estimate(e: &Value, expected: f64, what: &str) {
    assert_estimate_t(e, expected, what, T_DF19);
}

fn run_loaded(scenario: &str, seed: u64) -> (Value, String) {
    let scratch = Scratch::new();
    let file = scratch.file("scenario.toml", scenario);
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--seed", &seed.to_string()])
        .arg("--out")
        .arg(scratch.path().join("out"))
        .output()
        .unwrap();
    assert_success(&output);
    let summary = std::fs::read_to_string(scratch.path().join("out/summary.json")).unwrap();
    (
        serde_json::from_str(&summary).unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// An M/M/c pool: c servers of Exponential(1 s) service, Poisson arrivals
/// at `lambda`, one call per task (silent with 0.2), 100 output tokens.
fn mmc(lambda: f64, c: u32) -> String {
    format!(
        r#"
[workload]
arrivals = "open"
rate = {lambda}
warmup_tasks = 2000
tasks = 12000
replications = {REPS}

[[resources]]
id = "gpu"
kind = "accelerator"
servers = {c}
service = {{ dist = "exponential", mean = 1.0 }}
power = {{ idle_w = 100, busy_w = 400 }}
price_per_hour = 2.5

[[nodes]]
id = "call"
kind = "llm"
resource = "gpu"
silent = 0.2
tokens = {{ input = 500, output = 100 }}
cost = {{ per_call = 0.001 }}
"#
    )
}

#[test]
fn an_mmc_pool_draws_idle_plus_busy_power_and_joules_per_task_follow() {
    let (lambda, c, p0, p1) = (3.2, 4u32, 100.0, 400.0);
    let (s, table) = run_loaded(&mmc(lambda, c), 51);
    let e = &s["load"]["energy"];
    let rho = lambda / f64::from(c);
    let watts = f64::from(c) * p0 + (p1 - p0) * f64::from(c) * rho; // 1360 W
    assert_estimate(&e["power_w"], watts, "mean power");
    assert_estimate(&e["pools"][0]["power_w"], watts, "pool power");
    assert_estimate(&e["energy_per_task_j"], watts / lambda, "J/task");
    assert_estimate(
        &e["energy_per_correct_task_j"],
        watts / (lambda * 0.8),
        "J/correct task",
    );
    // Provisioned capacity costs servers × price whatever the load.
    assert_eq!(e["capacity_usd_per_hour"].as_f64(), Some(10.0));
    assert_estimate(
        &e["capacity_usd_per_task"],
        10.0 / 3600.0 / lambda,
        "capacity $/task",
    );
    // One attempt per task, 100 output tokens each.
    let tokens = e["output_tokens_per_task"]["mean"].as_f64().unwrap();
    assert!((tokens - 100.0).abs() < 1e-9, "tokens per task {tokens}");
    // Tokens per joule is tokens per task over joules per task.
    let tpj = e["tokens_per_joule"]["mean"].as_f64().unwrap();
    let ratio = tokens / e["energy_per_task_j"]["mean"].as_f64().unwrap();
    assert!((tpj - ratio).abs() <= 1e-12 * ratio, "{tpj} vs {ratio}");
    assert_estimate(&e["tokens_per_joule"], 100.0 * lambda / watts, "tokens/J");
    // Per-call spend is unchanged and reported alongside.
    assert!((s["cost_usd"]["per_task"].as_f64().unwrap() - 0.001).abs() < 1e-12);
    assert!(table.contains("energy           power"), "{table}");
    assert!(table.contains("$10.0000/hour provisioned"), "{table}");
    assert!(
        s["intervals"]["energy"]
            .as_str()
            .unwrap()
            .contains("ratio estimator")
    );
}

#[test]
fn an_idle_pool_costs_its_idle_power_and_its_price() {
    // A tenth of the load on the same four servers: power falls towards c·P0,
    // capacity cost per task rises as 1/λ.
    let lambda = 0.32;
    let (s, _) = run_loaded(&mmc(lambda, 4).replace("tasks = 12000", "tasks = 3000"), 52);
    let e = &s["load"]["energy"];
    assert_estimate(&e["power_w"], 400.0 + 300.0 * lambda, "mean power");
    assert_eq!(e["capacity_usd_per_hour"].as_f64(), Some(10.0));
    assert_estimate(
        &e["capacity_usd_per_task"],
        10.0 / 3600.0 / lambda,
        "capacity $/task",
    );
}

#[test]
fn a_full_batch_draws_the_busy_power() {
    // 64 agents keep one server's batch of 8 full (as in tests/load.rs): the
    // server draws busy_w all the time, so J/task = busy_w / throughput.
    let scenario = r#"
[workload]
arrivals = "closed"
concurrency = 64
warmup_tasks = 2000
tasks = 20000
replications = 4

[[resources]]
id = "gpu"
kind = "accelerator"
servers = 1
batching = { max_batch = 8, iteration_base = 0.02, iteration_per_request = 0.005 }
power = { idle_w = 150, busy_w = 700 }

[[nodes]]
id = "decode"
kind = "llm"
resource = "gpu"
tokens = { input = 100, output = 10 }
"#;
    let (s, _) = run_loaded(scenario, 53);
    let e = &s["load"]["energy"];
    let power = get(&s, "load.energy.power_w.mean");
    assert!((power - 700.0).abs() < 1e-6, "power {power}");
    let throughput = get(&s, "load.throughput.mean");
    let jpt = get(&s, "load.energy.energy_per_task_j.mean");
    // J/task is Σ energy / Σ completions, throughput the mean of the
    // replications' rates: equal up to the spread of their spans.
    assert!(
        (jpt * throughput / 700.0 - 1.0).abs() < 1e-3,
        "{jpt} J at {throughput}/s"
    );
    assert!(e["capacity_usd_per_hour"].is_null());
}

#[test]
fn a_link_spends_its_joules_per_gb_on_the_bytes_it_moves() {
    let scenario = r#"
[workload]
arrivals = "open"
rate = 2.0
warmup_tasks = 500
tasks = 4000
replications = 8

[[resources]]
id = "nv"
kind = "link"
bandwidth = 1.0e9
joules_per_gb = 40.0

[[nodes]]
id = "send"
kind = "tool"
transfer = { link = "nv", bytes = 2.5e8 }
"#;
    let (s, _) = run_loaded(scenario, 54);
    // Each task moves 0.25 GB at 40 J/GB: 10 J, exactly, per task finished.
    // Transfers started in the window and tasks finished in it differ by the
    // tasks in flight at its two ends (about 2/s · 0.25 s each).
    let jpt = get(&s, "load.energy.energy_per_task_j.mean");
    assert!((jpt - 10.0).abs() < 0.05, "J/task {jpt}");
    assert!(s["load"]["energy"]["pools"].as_array().unwrap().is_empty());
}

#[test]
fn without_power_fields_a_loaded_run_has_no_energy_figures() {
    let scenario = mmc(2.0, 4)
        .replace("power = { idle_w = 100, busy_w = 400 }\n", "")
        .replace("price_per_hour = 2.5\n", "")
        .replace("tasks = 12000", "tasks = 500")
        .replace("replications = 20", "replications = 2");
    let (s, table) = run_loaded(&scenario, 55);
    assert!(s["load"].get("energy").is_none());
    assert!(s["intervals"].get("energy").is_none());
    assert!(!table.contains("energy"), "{table}");
}

#[test]
fn independent_trials_say_that_energy_needs_a_workload() {
    let scratch = Scratch::new();
    let text = "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n\
                power = { idle_w = 100, busy_w = 400 }\n\
                [[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpu\"\n";
    let file = scratch.file("solo.toml", text);
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--trials", "1000", "--out"])
        .arg(scratch.path().join("out"))
        .output()
        .unwrap();
    assert_success(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apply only to loaded runs"), "{stderr}");
    let summary = std::fs::read_to_string(scratch.path().join("out/summary.json")).unwrap();
    assert!(!summary.contains("energy"), "{summary}");
}

#[test]
fn bad_power_and_price_fields_are_located_with_an_example() {
    let gpu = "[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n";
    let node = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpu\"\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("negative watts", format!("{gpu}power = {{ idle_w = -5, busy_w = 400 }}\n{node}"),
         vec!["resources[0] (gpu).power.idle_w", "is -5", "idle_w = 100, busy_w = 400"]),
        ("busy below idle", format!("{gpu}power = {{ idle_w = 300, busy_w = 200 }}\n{node}"),
         vec!["(gpu).power.busy_w", "below idle_w = 300", "idle_w = 100, busy_w = 400"]),
        ("NaN watts", format!("{gpu}power = {{ idle_w = nan, busy_w = 400 }}\n{node}"),
         vec!["(gpu).power.idle_w", "is NaN"]),
        ("infinite watts", format!("{gpu}power = {{ idle_w = 1, busy_w = inf }}\n{node}"),
         vec!["(gpu).power.busy_w", "is inf"]),
        ("negative price", format!("{gpu}price_per_hour = -2.5\n{node}"),
         vec!["(gpu).price_per_hour", "is -2.5", "price_per_hour = 2.5"]),
        ("NaN price", format!("{gpu}price_per_hour = nan\n{node}"),
         vec!["(gpu).price_per_hour", "is NaN"]),
        ("missing busy", format!("{gpu}power = {{ idle_w = 100 }}\n{node}"),
         vec!["busy_w"]),
        ("power as a number", format!("{gpu}power = 400\n{node}"),
         vec!["power", "power = { idle_w = 100, busy_w = 400 }"]),
        ("power without servers", format!("[[resources]]\nid = \"gpu\"\nkind = \"service\"\nrate_limit = {{ rate = 5 }}\npower = {{ idle_w = 1, busy_w = 2 }}\n{node}"),
         vec!["(gpu).power", "needs `servers`"]),
        ("power on a link", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\npower = { idle_w = 1, busy_w = 2 }\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(),
         vec!["(nv).power", "not allowed on kind = \"link\"", "joules_per_gb"]),
        ("joules on a pool", format!("{gpu}joules_per_gb = 3\n{node}"),
         vec!["(gpu).joules_per_gb", "only allowed on kind = \"link\""]),
        ("negative joules", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\njoules_per_gb = -1\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(),
         vec!["(nv).joules_per_gb", "is -1", "joules_per_gb = 5.0"]),
    ];
    for (case, text, fragments) in cases {
        assert_run_refuses(case, "energy.toml", &text, &fragments);
    }
}

#[test]
fn a_sweep_over_pool_sizes_reports_dollars_joules_and_tokens_per_joule() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = bin()
        .args([
            "sweep",
            "scenarios/provider-economics.toml",
            "--vary",
            "resources.gpu.servers=8,16",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    let table = String::from_utf8_lossy(&output.stdout);
    for label in ["J/task", "tokens/J", "cap $/task"] {
        assert!(table.contains(label), "{label} in {table}");
    }
    let mut csv = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let head = csv.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for row in csv.records() {
        let row = row.unwrap();
        let servers: f64 = row[col("resources.gpu.servers")].parse().unwrap();
        let per_hour: f64 = row[col("load.energy.capacity_usd_per_hour")]
            .parse()
            .unwrap();
        // Provisioned capacity: servers × $2.50 per hour, exactly.
        assert_eq!(per_hour, servers * 2.5);
        // Power lies between the idle floor and every server busy.
        let watts: f64 = row[col("load.energy.power_w.mean")].parse().unwrap();
        assert!(
            watts > servers * 120.0 && watts < servers * 700.0,
            "{watts} W"
        );
    }
}
