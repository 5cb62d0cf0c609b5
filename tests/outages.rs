//! Outages, degradation and circuit breakers (docs/MODEL.md §18) against
//! their closed forms: availability MTBF / (MTBF + MTTR) and the calls an
//! outage fails (R19), the transient of the up/down chain seen by a task's
//! retries, the work degraded spells add, and the fraction of calls an open
//! breaker refuses in front of a pool that always fails (R20). Loaded-run
//! figures are checked against their Student-t interval across replications
//! rescaled to 99.9%; independent trials against the 99.9% Wilson interval.

mod common;

use common::*;
use serde_json::Value;

/// Replications of the loaded runs (t critical values: common::T_DF29).
const REPS: u32 = 30;

/// Asserts that `expected` lies in the 99.9% interval of an estimate over `REPS` replications.
fn assert_estimate(e: &Value, expected: f64, what: &str) {
    assert_estimate_t(e, expected, what, T_DF29);
}

fn loaded(pool_fields: &str, node_fields: &str, duration: f64) -> String {
    format!(
        r#"
[workload]
arrivals = "open"
rate = 2.0
duration_s = {duration}
replications = {REPS}

[[resources]]
id = "api"
kind = "service"
servers = 4
service = {{ dist = "exponential", mean = 0.5 }}
{pool_fields}

[[nodes]]
id = "call"
kind = "llm"
resource = "api"
{node_fields}
"#
    )
}

/// R19: Exponential up (MTBF 600 s) and down (MTTR 60 s) times: the pool is
/// up 600/660 of the time, and Poisson calls (which see time averages) fail
/// by the outage with 60/660.
#[test]
fn availability_and_calls_failed_follow_mtbf_and_mttr() {
    let s = run_loaded(
        &loaded("outage = { mtbf = 600, mttr = 60 }", "", 20_000.0),
        191,
    );
    let r = &s["load"]["pools"][0]["resilience"];
    assert_estimate(&r["availability"], 600.0 / 660.0, "availability");
    assert_estimate(
        &r["p_failed_by_outage"],
        60.0 / 660.0,
        "calls failed by outage",
    );
    assert_eq!(r["refused_by_breaker"], 0);
    assert!(r["breaker_open_fraction"].is_null());
}

/// Degraded spells (Exponential, 900 s normal, 100 s degraded: a fraction
/// q = 0.1 of the time) multiply service times by 3: the pool's utilisation
/// is λ·E[S]·(1 + (3 − 1)·q) / c = 2 · 0.5 · 1.2 / 4 = 0.3.
#[test]
fn degradation_multiplies_the_work_in_its_spells() {
    let s = run_loaded(
        &loaded(
            "degraded = { mtbf = 900, mttr = 100, slowdown = 3.0 }",
            "",
            20_000.0,
        ),
        192,
    );
    let pool = &s["load"]["pools"][0];
    assert_estimate(&pool["resilience"]["degraded_fraction"], 0.1, "degraded");
    assert_estimate(&pool["resilience"]["availability"], 1.0, "availability");
    assert_estimate(&pool["utilization"], 0.3, "utilisation");
}

/// R20: a pool that always fails, behind a breaker (3 failures in 100 s,
/// cool-down C = 5 s, one probe), on Poisson calls of rate λ = 2 served at
/// once: after it first opens, each cycle is C s open, then the wait for the
/// next call, a probe that fails and reopens it. Open fraction of time and
/// fraction of calls refused (PASTA) are both λC / (1 + λC) = 10/11.
#[test]
fn a_breaker_in_front_of_a_dead_pool_refuses_lambda_c_over_one_plus_lambda_c() {
    let s = run_loaded(
        r#"
[workload]
arrivals = "open"
rate = 2.0
duration_s = 5000
replications = 30

[[resources]]
id = "api"
kind = "service"
breaker = { failures = 3, window = 100, cooldown = 5 }

[[nodes]]
id = "call"
kind = "llm"
resource = "api"
loud = 1.0
"#,
        193,
    );
    let r = &s["load"]["pools"][0]["resilience"];
    let expected = 10.0 / 11.0;
    assert_estimate(&r["breaker_open_fraction"], expected, "breaker open");
    assert_estimate(&r["p_refused_by_breaker"], expected, "calls refused");
    // One opening per cycle of C + 1/λ seconds.
    let opened = r["breaker_opened"].as_f64().unwrap();
    let cycles = 30.0 * 5000.0 / 5.5;
    assert!(
        (opened - cycles).abs() <= 3.29 * cycles.sqrt() + 30.0,
        "openings {opened}, expected about {cycles}"
    );
}

/// Independent trials: a task's first call finds the pool down with
/// π = MTTR / (MTBF + MTTR); each retry d = 10 s later finds it still down
/// with P(down at t + d | down at t) = π + (1 − π)·e^(−(1/MTBF + 1/MTTR)·d).
/// Two retries all failing: π · P(d)².
#[test]
fn a_tasks_retries_see_the_transient_of_the_up_down_chain() {
    let s = run_summary(
        r#"
[[resources]]
id = "api"
kind = "service"
outage = { mtbf = 600, mttr = 60 }

[[nodes]]
id = "call"
kind = "llm"
resource = "api"
latency = { dist = "fixed", value = 0.5 }
retry = { max = 2, backoff = "fixed", delay = 10 }
"#,
        200_000,
        194,
    );
    let pi = 60.0 / 660.0;
    let stay = pi + (1.0 - pi) * (-(1.0 / 600.0 + 1.0 / 60.0) * 10.0f64).exp();
    assert_rate(&s, "loud_failure", pi * stay * stay);
}

/// Independent trials with degraded spells a fraction q = 0.2 of the time
/// (slowdown 3, extra_loud 0.25) on a call of 1 s: P(loud) = q · 0.25 and
/// mean latency 1 + (3 − 1)·q.
#[test]
fn a_task_meets_a_degraded_spell_with_its_stationary_probability() {
    let s = run_summary(
        r#"
[[resources]]
id = "api"
kind = "service"
degraded = { mtbf = 400, mttr = 100, slowdown = 3.0, extra_loud = 0.25 }

[[nodes]]
id = "call"
kind = "llm"
resource = "api"
latency = { dist = "fixed", value = 1.0 }
"#,
        200_000,
        195,
    );
    assert_rate(&s, "loud_failure", 0.2 * 0.25);
    assert_mean_latency(&s, 1.0 + 2.0 * 0.2);
}

/// Independent trials: the breaker is the task's own. A call that always
/// fails, retried 5 times 1 s apart, behind a breaker that opens after 3
/// failures for 30 s: the 4th to 6th attempts are refused at once, so the
/// task fails loud after 5 s having reached the pool 3 times.
#[test]
fn a_tasks_own_breaker_refuses_its_later_retries() {
    let s = run_summary(
        r#"
[[resources]]
id = "api"
kind = "service"
breaker = { failures = 3, window = 100, cooldown = 30 }

[[nodes]]
id = "call"
kind = "llm"
resource = "api"
latency = { dist = "fixed", value = 0.1 }
loud = 1.0
retry = { max = 5, backoff = "fixed", delay = 1 }
"#,
        1_000,
        196,
    );
    assert_eq!(get(&s, "loud_failure.rate"), 1.0);
    // Three calls of 0.1 s, five waits of 1 s, three refusals at once.
    let latency = get(&s, "latency_s.mean");
    assert!((latency - 5.3).abs() < 1e-9, "latency {latency}");
}

/// A scheduled incident needs a loaded run's clock; bad settings are named
/// with what is allowed and an example, exit code 2, nothing written.
#[test]
fn bad_outage_and_breaker_settings_are_explained() {
    let node = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"api\"\n";
    let open = "[workload]\narrivals = \"open\"\nrate = 1.0\nduration_s = 100\n";
    let pool = "[[resources]]\nid = \"api\"\nkind = \"service\"\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("breaker threshold 0", format!("{pool}breaker = {{ failures = 0, window = 10, cooldown = 30 }}\n{node}"), vec!["(api).breaker.failures", "1 to 1000000", "e.g. `breaker = {"]),
        ("negative cooldown", format!("{pool}breaker = {{ failures = 5, window = 10, cooldown = -1 }}\n{node}"), vec!["(api).breaker.cooldown", "> 0"]),
        ("zero probes", format!("{pool}breaker = {{ failures = 5, window = 10, cooldown = 3, probes = 0 }}\n{node}"), vec!["(api).breaker.probes", "1 to"]),
        ("MTTR 0", format!("{pool}outage = {{ mtbf = 3600, mttr = 0 }}\n{node}"), vec!["(api).outage.mttr", "> 0", "e.g. `mttr = 300`"]),
        ("negative MTBF", format!("{pool}outage = {{ mtbf = -5, mttr = 60 }}\n{node}"), vec!["(api).outage.mtbf", "> 0"]),
        ("MTTR of mean 0", format!("{pool}outage = {{ mtbf = 3600, mttr = {{ dist = \"fixed\", value = 0 }} }}\n{node}"), vec!["(api).outage.mttr", "mean"]),
        ("slowdown below 1", format!("{pool}degraded = {{ mtbf = 3600, mttr = 60, slowdown = 0.5 }}\n{node}"), vec!["(api).degraded.slowdown", "from 1"]),
        ("extra_loud above 1", format!("{pool}degraded = {{ mtbf = 3600, mttr = 60, extra_loud = 2 }}\n{node}"), vec!["(api).degraded.extra_loud", "[0, 1]"]),
        ("incident ending first", format!("{open}{pool}incidents = [{{ start = 600, end = 300, mode = \"down\" }}]\n{node}"), vec!["(api).incidents[0].end", "after `start`"]),
        ("overlapping incidents", format!("{open}{pool}incidents = [{{ start = 0, end = 300, mode = \"down\" }}, {{ start = 200, end = 400, mode = \"down\" }}]\n{node}"), vec!["(api).incidents[1].start", "not overlapping"]),
        ("incidents out of order", format!("{open}{pool}incidents = [{{ start = 500, end = 600, mode = \"down\" }}, {{ start = 0, end = 100, mode = \"down\" }}]\n{node}"), vec!["(api).incidents[1].start", "in order of time"]),
        ("negative incident start", format!("{open}{pool}incidents = [{{ start = -5, end = 100, mode = \"down\" }}]\n{node}"), vec!["(api).incidents[0].start", "0 to"]),
        ("slowdown on a down incident", format!("{open}{pool}incidents = [{{ start = 0, end = 100, mode = \"down\", slowdown = 2 }}]\n{node}"), vec!["(api).incidents[0].slowdown", "only used with mode = \"degraded\""]),
        ("incidents without a clock", format!("{pool}incidents = [{{ start = 0, end = 100, mode = \"down\" }}]\n{node}"), vec!["(api).incidents", "add a [workload]"]),
        ("while_down without outages", format!("{pool}while_down = \"wait\"\n{node}"), vec!["(api).while_down", "never down"]),
        ("outage on a link", "[[resources]]\nid = \"nv\"\nkind = \"link\"\nbandwidth = 1e9\noutage = { mtbf = 10, mttr = 1 }\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n".into(), vec!["(nv).outage", "not allowed on kind = \"link\""]),
        ("breaker given a number", format!("{pool}breaker = 5\n{node}"), vec!["breaker", "e.g. `breaker = {"]),
    ];
    for (case, text, fragments) in cases {
        assert_run_refuses(case, "outage.toml", &text, &fragments);
    }
}
