//! `coordsim check` on a loaded scenario: traces written by `run --traces`
//! from an M/M/2 pool (Poisson arrivals at 0.6/s, exponential service of
//! mean 1 s, a 10% silent and 5% loud rate per call, two retries), sampled
//! as a tracer's head sampling does (by trace id, 1 in 8), are checked
//! against the right scenario (passes), against ones that are wrong in the
//! service time, the silent rate or the arrival rate (each flagged where it
//! should be), and bad options are refused, located, with exit code 2.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Scratch, bin, flagged};
use serde_json::Value;

/// The fraction of traces kept: trace ids whose last hex digit is 0 or 1.
const SAMPLED: f64 = 0.125;

fn scenario(name: &str, rate: f64, mean: f64, silent: f64) -> String {
    format!(
        r#"
name = "{name}"
[workload]
arrivals = "open"
rate = {rate}
warmup_tasks = 1000
tasks = 20000
replications = 10

[[resources]]
id = "pool"
kind = "accelerator"
servers = 2
service = {{ dist = "exponential", mean = {mean} }}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
silent = {silent}
loud = 0.05
retry = {{ max = 2 }}
cost = {{ per_call = 0.01 }}
"#
    )
}

/// Writes the observed traces (replication 0 of the right scenario under
/// another seed, every measured task) and keeps 1 in 8 by trace id, as a
/// trace-id ratio sampler does.
fn observed(dir: &Scratch) -> PathBuf {
    let right = dir.file("observed.toml", &scenario("observed", 0.6, 1.0, 0.10));
    let out = dir.path().join("obs");
    let o = bin()
        .arg("run")
        .arg(&right)
        .args(["--traces", "20000", "--seed", "7", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let all = fs::read_to_string(out.join("traces.otlp.jsonl")).unwrap();
    let mut kept = String::new();
    let mut total = 0;
    for line in all.lines() {
        total += 1;
        let v: Value = serde_json::from_str(line).unwrap();
        let id = v["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
            .as_str()
            .unwrap()
            .to_string();
        if id.ends_with('0') || id.ends_with('1') {
            kept += line;
            kept += "\n";
        }
    }
    assert_eq!(total, 20_000);
    let path = dir.path().join("sampled.otlp.jsonl");
    fs::write(&path, kept).unwrap();
    path
}

fn check(dir: &Path, scenario: &Path, traces: &Path, extra: &[&str]) -> Value {
    let out = dir.join(format!(
        "check-{}",
        scenario.file_stem().unwrap().to_string_lossy()
    ));
    let o = bin()
        .arg("check")
        .arg(scenario)
        .arg(traces)
        .args(extra)
        .args(["--force", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("loaded run"), "{stdout}");
    serde_json::from_str(&fs::read_to_string(out.join("check.json")).unwrap()).unwrap()
}

fn figure<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["figure"] == name)
        .unwrap_or_else(|| panic!("no figure {name}: {v:#}"))
}

#[test]
fn check_passes_the_right_loaded_scenario_and_flags_wrong_ones() {
    let dir = Scratch::new();
    let traces = observed(&dir);
    let sampled = SAMPLED.to_string();
    let extra = ["--sampled", sampled.as_str()];
    let right = dir.file("right.toml", &scenario("right", 0.6, 1.0, 0.10));
    let v = check(dir.path(), &right, &traces, &extra);
    // Every figure a loaded check makes is there.
    for name in [
        "P(correct)",
        "P(silent failure)",
        "latency p50 (s)",
        "latency p99 (s)",
        "cost per task (USD)",
        "pool mean queue wait (s)",
        "arrival rate (tasks/s)",
        "call latency median (s)",
        "call silent per attempt",
        "call loud per attempt",
    ] {
        figure(&v, name);
    }
    let figures = v["figures"].as_array().unwrap();
    for f in figures
        .iter()
        .filter(|f| f["figure"].as_str().unwrap().starts_with("P("))
    {
        let (lo, hi) = (
            f["range"][0].as_f64().unwrap(),
            f["range"][1].as_f64().unwrap(),
        );
        assert!((0.0..=hi).contains(&lo) && hi <= 1.0, "{f}");
    }
    // The sample: about 1 in 8 of 20 000 tasks.
    let n = figure(&v, "arrival rate (tasks/s)")["n"].as_u64().unwrap();
    assert!((2200..=2800).contains(&n), "{n} tasks kept");
    assert_eq!(v["replications"], 10);
    // 1 in 8 sampled: the latencies in start order look independent.
    let i = &v["independence"];
    assert_eq!(i["plausible"], true, "{i}");
    assert_eq!(i["tasks"].as_u64(), Some(n), "{i}");
    assert!(
        v["loaded"]["latency"]
            .as_str()
            .unwrap()
            .contains("replications")
    );
    // With the scenario right, each of the K figures is outside its 99.9%
    // range with probability at most 0.001 (the observed tasks, 1 in 8 of
    // a queue at ρ = 0.6 · 1.0525 / 2 = 0.32, are close to independent, as
    // the diagnostic above says): 0.001·K ≈ 0.013 expected flags, and two or more have a
    // probability of order C(K, 2)·10⁻⁶ for independent figures, at most
    // 0.001 for the most correlated pair (p95 and p99). So at most one
    // (seed 7's sample has none).
    let k = figures.len();
    assert_eq!(
        k, 13,
        "4 outcome rates, 3 quantiles, cost, wait, arrivals, 3 of the node"
    );
    assert!(flagged(&v).len() <= 1, "{:?}\n{v:#}", flagged(&v));

    // The same figures, to the bit, whatever the thread count.
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("threads-{threads}"));
        let o = bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("check")
            .arg(&right)
            .arg(&traces)
            .args(extra)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let again = fs::read_to_string(out.join("check.json")).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&again).unwrap(), v);
    }

    // Service twice as slow (median ×2): ρ 0.32 → 0.63, the queue wait
    // grows from Wq = 0.11 s to 1.33 s (Erlang C), and every latency
    // quantile with it.
    let slow = dir.file("slow.toml", &scenario("slow", 0.6, 2.0, 0.10));
    let v = check(dir.path(), &slow, &traces, &extra);
    let flags = flagged(&v);
    for name in [
        "latency p50 (s)",
        "latency p95 (s)",
        "pool mean queue wait (s)",
        "call latency median (s)",
    ] {
        assert!(flags.contains(&name.to_string()), "{name}: {flags:?}");
    }
    // Silent rate 5 points too high: P(silent) 0.10 → 0.15 (the task's
    // one node; retries follow loud failures only): the range's lower edge
    // is 0.129, 3.9 observed standard errors (n ≈ 2500) above the true
    // 0.105.
    let silent = dir.file("silent.toml", &scenario("silent", 0.6, 1.0, 0.15));
    let v = check(dir.path(), &silent, &traces, &extra);
    let flags = flagged(&v);
    for name in ["P(silent failure)", "P(correct)", "call silent per attempt"] {
        assert!(flags.contains(&name.to_string()), "{name}: {flags:?}");
    }
    // Arrivals 20% too fast: 0.72/s against 0.6/s, the exact Poisson range
    // of ~2500 gaps is ±6.6% at 99.9%, the observed rate's error 2%.
    let busy = dir.file("busy.toml", &scenario("busy", 0.72, 1.0, 0.10));
    let v = check(dir.path(), &busy, &traces, &extra);
    assert!(
        flagged(&v).contains(&"arrival rate (tasks/s)".to_string()),
        "{v:#}"
    );
    // Without --sampled, the traces are taken for every task: 1/8 the rate.
    let v = check(dir.path(), &right, &traces, &[]);
    let a = figure(&v, "arrival rate (tasks/s)");
    assert_eq!(a["flagged"], true, "{a}");
    let observed = a["observed"].as_f64().unwrap();
    assert!((observed - 0.075).abs() < 0.0075, "{a}");
    // Spans that do not say their queue wait (another tracer's): no pool
    // wait, and no median of the node's service (its spans include queueing).
    let text = fs::read_to_string(&traces).unwrap();
    let unwaited = dir.path().join("unwaited.otlp.jsonl");
    fs::write(&unwaited, text.replace("coordsim.queue_wait_s", "x.wait")).unwrap();
    let v = check(dir.path(), &right, &unwaited, &extra);
    let names: Vec<&str> = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["figure"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"pool mean queue wait (s)"), "{names:?}");
    assert!(!names.contains(&"call latency median (s)"), "{names:?}");
    assert!(names.contains(&"call silent per attempt"), "{names:?}");
    // Every task of the run, unsampled: consecutive tasks through the queue
    // are correlated, and the diagnostic says so (lag-1 autocorrelation of
    // their latencies ≈ 0.10, against ±3.29/√20000 = ±0.023).
    let all = dir.path().join("obs").join("traces.otlp.jsonl");
    let out = dir.path().join("check-all");
    let o = bin()
        .arg("check")
        .arg(&right)
        .arg(&all)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("observed tasks look correlated"),
        "{stdout}"
    );
    let v: Value =
        serde_json::from_str(&fs::read_to_string(out.join("check.json")).unwrap()).unwrap();
    let i = &v["independence"];
    assert_eq!(i["plausible"], false, "{i}");
    assert_eq!(i["tasks"], 20_000, "{i}");
    assert!(i["lag1_autocorrelation"].as_f64().unwrap() > 0.05, "{i}");
}

/// Runs check expecting a refusal (exit 2, nothing written) whose message
/// names `field` and gives an example.
fn refused(dir: &Scratch, scenario: &Path, args: &[&str], field: &str) {
    let out = dir.path().join("refused");
    let traces = "tests/fixtures/traces/genai.otlp.json";
    let o = bin()
        .arg("check")
        .arg(scenario)
        .arg(traces)
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(field), "{args:?}: {err}");
    assert!(err.contains("e.g."), "{args:?}: {err}");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
}

#[test]
fn bad_options_of_a_loaded_check_are_refused_and_located() {
    let dir = Scratch::new();
    let loaded = dir.file("loaded.toml", &scenario("loaded", 0.6, 1.0, 0.1));
    refused(&dir, &loaded, &["--trials", "1000"], "--trials");
    refused(&dir, &loaded, &["--replications", "1"], "--replications");
    refused(&dir, &loaded, &["--sampled", "0"], "--sampled");
    refused(&dir, &loaded, &["--sampled", "1.5"], "--sampled");
    refused(&dir, &loaded, &["--sampled", "NaN"], "--sampled");
    let one = scenario("one", 0.6, 1.0, 0.1).replace("replications = 10", "replications = 1");
    let one = dir.file("one.toml", &one);
    refused(&dir, &one, &[], "workload.replications");
    let plain = dir.file(
        "plain.toml",
        "name = \"plain\"\n[[nodes]]\nid = \"call\"\nkind = \"llm\"\n",
    );
    refused(&dir, &plain, &["--sampled", "0.5"], "--sampled");
    refused(&dir, &plain, &["--replications", "5"], "--replications");
}
