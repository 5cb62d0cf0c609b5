//! The lean loaded world (single-step tasks on one plain pool) against the
//! general world: for every model it accepts, both must give bit-identical
//! replications (every counter, histogram, time integral and float), since
//! the choice between them is automatic and must never change a result.

use std::path::Path;

use coordsim::scenario::{Scenario, load};
use coordsim::seed::ReplicationSeed;
use coordsim::world::{Path as WorldPath, run_replication_on, runs_lean};

/// Replications compared per scenario (each from its own seed).
const REPLICATIONS: u64 = 3;

/// Loads a scenario written as TOML text.
fn scenario(dir: &Path, name: &str, text: &str) -> Scenario {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    load(&file).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// Runs `REPLICATIONS` replications on both worlds and asserts they agree to the bit.
fn assert_same_on_both_worlds(name: &str, s: &Scenario) {
    let workload = s.workload.as_ref().expect("a loaded scenario");
    assert!(runs_lean(&s.model, workload), "{name} should run lean");
    for r in 0..REPLICATIONS {
        let seed = ReplicationSeed::new(7, r);
        let lean = run_replication_on(WorldPath::Auto, &s.model, workload, seed, None);
        let general = run_replication_on(WorldPath::General, &s.model, workload, seed, None);
        assert!(lean.acc.trials > 0, "{name}: nothing measured");
        // Debug prints every field, floats exactly (shortest round-trip form).
        assert_eq!(
            format!("{lean:?}"),
            format!("{general:?}"),
            "{name}, replication {r}: the lean world differs from the general one"
        );
    }
}

/// A single-step pool scenario with the given workload, pool and step extras.
fn single_step(workload: &str, pool: &str, step: &str) -> String {
    format!(
        r#"
[workload]
{workload}
replications = 1

[[resources]]
id = "pool"
kind = "accelerator"
{pool}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
{step}
"#
    )
}

#[test]
fn lean_world_matches_the_general_world() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "mmc",
            single_step(
                "arrivals = \"open\"\nrate = 7.2\nwarmup_tasks = 500\ntasks = 4000",
                "servers = 8\nservice = { dist = \"exponential\", mean = 1.0 }",
                "",
            ),
        ),
        (
            "failures-retries-slo",
            single_step(
                "arrivals = \"open\"\nrate = 3.0\nwarmup_tasks = 300\ntasks = 3000",
                "servers = 4\nservice = { dist = \"lognormal\", median = 0.8, p99 = 3.0 }",
                "loud = 0.15\nsilent = 0.05\ncost = { per_call = 0.002 }\n\
                 retry = { max = 2, backoff = \"exponential\", delay = 0.5, jitter = \"full\" }",
            ),
        ),
        (
            "reject-and-bounded-queue",
            single_step(
                "arrivals = \"open\"\nrate = 2.5\nwarmup_tasks = 200\ntasks = 3000",
                "servers = 2\nqueue_capacity = 3\nservice = { dist = \"exponential\", mean = 1.0 }",
                "retry = { max = 1, backoff = \"fixed\", delay = 0.2, jitter = \"equal\" }",
            ),
        ),
        (
            "reject-when-busy",
            single_step(
                "arrivals = \"open\"\nrate = 3.0\nwarmup_s = 50\nduration_s = 600",
                "servers = 3\non_full = \"reject\"\ndiscipline = \"priority\"\n\
                 service = { dist = \"exponential\", mean = 1.0 }",
                "priority = 2\nretry = { max = 3, backoff = \"fixed\", delay = 0.1 }",
            ),
        ),
        (
            // Fixed times: many events at the same instant (ties go by scheduling order).
            "closed-fixed-times",
            single_step(
                "arrivals = \"closed\"\nconcurrency = 6\nthink = { dist = \"fixed\", value = 0.5 }\n\
                 warmup_s = 20\nduration_s = 300",
                "servers = 2",
                "latency = { dist = \"fixed\", value = 0.25 }\nsilent = 0.1\nloud = 0.1\n\
                 retry = { max = 1, backoff = \"fixed\", delay = 0.25 }",
            ),
        ),
        (
            "schedule-with-period",
            single_step(
                "arrivals = \"open\"\nschedule = [[0, 1.0], [30, 4.0], [45, 0.5]]\nperiod = 60\n\
                 warmup_s = 60\nduration_s = 1200",
                "servers = 4\nservice = { dist = \"gamma\", shape = 4.0, scale = 0.2 }",
                "silent = 0.02",
            ) + "\n[run]\nslo = [1.0, 3.0]\n",
        ),
    ];
    for (name, text) in &cases {
        let s = scenario(dir.path(), name, text);
        assert_same_on_both_worlds(name, &s);
    }
}

#[test]
fn lean_world_matches_on_every_bundled_scenario_it_accepts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut accepted = 0;
    for dir in ["scenarios", "bench", "examples"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let Ok(s) = load(&path) else { continue };
            let Some(workload) = &s.workload else {
                continue;
            };
            if !runs_lean(&s.model, workload) {
                continue;
            }
            accepted += 1;
            // Bundled runs are long: a shortened copy keeps the test quick.
            let mut short = workload.clone();
            if let coordsim::model::Window::Tasks { warmup, tasks } = &mut short.window {
                *warmup = (*warmup).min(2_000);
                *tasks = (*tasks).min(20_000);
            }
            let shortened = Scenario {
                workload: Some(short),
                ..s.clone()
            };
            assert_same_on_both_worlds(&path.display().to_string(), &shortened);
        }
    }
    // bench/mmc.toml at least (the M/M/c model of bench/compare.sh).
    assert!(accepted >= 1, "no bundled scenario runs lean");
}

#[test]
fn models_the_lean_world_does_not_mirror_run_on_the_general_world() {
    let dir = tempfile::tempdir().unwrap();
    let open = "arrivals = \"open\"\nrate = 1.0\nwarmup_tasks = 10\ntasks = 100";
    let pool = "servers = 2\nservice = { dist = \"exponential\", mean = 1.0 }";
    for (name, step) in [
        ("timeout", "timeout = 3.0"),
        ("persistent", "loud = 0.1\npersistence = 0.5"),
    ] {
        let s = scenario(dir.path(), name, &single_step(open, pool, step));
        assert!(
            !runs_lean(&s.model, s.workload.as_ref().unwrap()),
            "{name} must not run lean"
        );
    }
    let rate_limited = single_step(
        open,
        "servers = 2\nrate_limit = { rate = 5.0 }\nservice = { dist = \"exponential\", mean = 1.0 }",
        "",
    )
    .replace("kind = \"accelerator\"", "kind = \"service\"");
    let s = scenario(dir.path(), "rate-limited", &rate_limited);
    assert!(!runs_lean(&s.model, s.workload.as_ref().unwrap()));
}
