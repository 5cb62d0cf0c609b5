//! `--precision`: a run stops once the 95% interval of the named figure is
//! as narrow as asked, its answer is then within that half-width of the truth
//! in at least 95% of seeds, and it is exactly the run of `--trials N` for the
//! N it reports, whatever the thread count; `compare` and shards likewise.

mod common;

use common::{Scratch, Z999, assert_success, bin};
use coordsim::sim::Control;
use coordsim::sim::precision::simulate_to_precision;
use coordsim::stats::precision::Precision;
use serde_json::Value;

/// One step, wrong 20% of the time, Exponential latency of mean 1 s: success
/// 0.8 and mean latency 1 exactly.
const ONE_STEP: &str = "name = \"one-step\"\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n\
    silent = 0.2\nlatency = { dist = \"exponential\", mean = 1.0 }\n";

/// Over `seeds` seeds, how often the precision run of `spec` ends farther
/// than its half-width `h` (relative to the estimate when `relative`) from
/// `truth`; also checks that every run met its target.
fn coverage(spec: &str, h: f64, relative: bool, truth: f64, seeds: u64) -> u64 {
    let scratch = Scratch::new();
    let file = scratch.file("one.toml", ONE_STEP);
    let s = coordsim::scenario::load(&file).expect("valid scenario");
    let precision = Precision::parse(spec, 1_000_000).expect("valid precision");
    let mut misses = 0;
    for seed in 1..=seeds {
        let summary = simulate_to_precision(&s, seed, &precision, Control::none()).unwrap();
        let r = summary.precision.expect("a precision run reports it");
        let h = if relative { h * r.value } else { h };
        assert!(r.met && r.half_width <= h, "seed {seed}: {r:?}");
        assert_eq!(r.trials, summary.trials);
        if (r.value - truth).abs() > h {
            misses += 1;
        }
    }
    misses
}

/// Misses allowed out of `n` runs if the answer is within its half-width at
/// least 95% of the time: the 99.9% upper bound of Binomial(n, 0.05).
fn allowed_misses(n: u64) -> u64 {
    let mean = n as f64 * 0.05;
    (mean + Z999 * (mean * 0.95).sqrt()).floor() as u64
}

#[test]
fn a_rate_to_a_stated_half_width_is_within_it_in_95_percent_of_seeds() {
    // ±0.0055 is between the Wilson half-widths at 20000 trials (0.00554) and
    // 40000 (0.00392): which batch a seed stops at depends on its draws.
    let seeds = 300;
    let misses = coverage("success=0.0055", 0.0055, false, 0.8, seeds);
    assert!(
        misses <= allowed_misses(seeds),
        "{misses} misses of {seeds}"
    );
}

#[test]
fn a_mean_to_a_relative_half_width_is_within_it_in_95_percent_of_seeds() {
    // ±1.4% of a mean of 1 with a standard deviation of 1: 1.96/√n ≤ 0.014
    // needs about 19600 trials, near the boundary of 20000.
    let seeds = 300;
    let misses = coverage("mean=1.4%", 0.014, true, 1.0, seeds);
    assert!(
        misses <= allowed_misses(seeds),
        "{misses} misses of {seeds}"
    );
}

#[test]
fn slo_attainment_to_a_stated_half_width_is_within_it_in_95_percent_of_seeds() {
    // P(latency ≤ 1 s) of an Exponential(1) latency: 1 − e⁻¹ = 0.632121. The
    // run counts a latency within the threshold only when its whole histogram
    // bucket (at most 0.1% wide) is, which can lower the estimate by at most
    // the density there times the bucket, e⁻¹ · 0.001 = 0.00037, far inside
    // the ±0.0066 asked for (Wilson half-width 0.00668 at 20000 trials,
    // 0.00473 at 40000: most seeds stop at 40000).
    let seeds = 300;
    let truth = 1.0 - (-1.0_f64).exp();
    let misses = coverage("slo:1=0.0066", 0.0066, false, truth, seeds);
    assert!(
        misses <= allowed_misses(seeds),
        "{misses} misses of {seeds}"
    );
}

#[test]
fn compare_pins_an_slo_difference_down_and_needs_the_threshold_reported() {
    let scratch = Scratch::new();
    let base = scratch.file("one.toml", ONE_STEP);
    let faster = ONE_STEP.replace("mean = 1.0", "mean = 0.8");
    let variant = scratch.file("v.toml", &faster);
    let compare = |extra: &[&str], out: &str| {
        bin()
            .arg("compare")
            .args([&base, &variant])
            .args(extra)
            .args(["--format", "json", "--quiet", "--out"])
            .arg(scratch.path().join(out))
            .output()
            .unwrap()
    };
    let o = compare(&["--slo", "1", "--precision", "slo:1=0.004"], "p");
    assert_success(&o);
    let c: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &c["precision"];
    assert_eq!(p["met"], true, "{p}");
    assert_eq!(p["key"], "p_slo_le_1s", "{p}");
    assert!(p["half_width"].as_f64().unwrap() <= 0.004, "{p}");
    // Without the threshold among the base's SLOs there is no difference to pin down.
    let o = compare(&["--precision", "slo:1=0.004"], "q");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--precision") && err.contains("--slo 1"),
        "{err}"
    );
    assert!(!scratch.path().join("q").exists(), "nothing written");
}

fn run_json(scratch: &Scratch, args: &[&str], out: &str) -> Value {
    let file = scratch.file("one.toml", ONE_STEP);
    let output = bin()
        .arg("run")
        .arg(&file)
        .args(args)
        .args(["--format", "json", "--quiet", "--out"])
        .arg(scratch.path().join(out))
        .output()
        .unwrap();
    assert_success(&output);
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_precision_run_is_the_run_of_its_trials_whatever_the_thread_count() {
    let scratch = Scratch::new();
    let spec = ["--precision", "p99=1.5%", "--seed", "3"];
    let one = run_json(&scratch, &[&spec[..], &["--threads", "1"]].concat(), "t1");
    let two = run_json(&scratch, &[&spec[..], &["--threads", "2"]].concat(), "t2");
    assert_eq!(one, two, "bit-identical for 1 and 2 threads");
    let n = one["precision"]["trials"].as_u64().unwrap();
    assert!(
        n >= 20_000 && n.is_multiple_of(10_000),
        "batch boundary: {n}"
    );
    assert_eq!(one["precision"]["interval"], "order-statistic");
    let hw = one["precision"]["half_width"].as_f64().unwrap();
    assert!(hw <= 0.015 * one["precision"]["value"].as_f64().unwrap());
    let fixed = run_json(
        &scratch,
        &["--trials", &n.to_string(), "--seed", "3"],
        "fixed",
    );
    let mut without = one.clone();
    without.as_object_mut().unwrap().remove("precision");
    assert_eq!(without, fixed, "the same as --trials {n}");
}

#[test]
fn a_capped_run_says_it_did_not_reach_the_precision() {
    let scratch = Scratch::new();
    let r = run_json(
        &scratch,
        &["--precision", "success=0.0001", "--trial-cap", "30000"],
        "capped",
    );
    assert_eq!(r["trials"], 30_000);
    assert_eq!(r["precision"]["met"], false);
}

#[test]
fn shards_of_a_precision_run_merge_to_the_run_of_their_projected_trials() {
    let scratch = Scratch::new();
    let file = scratch.file("one.toml", ONE_STEP);
    let dir = scratch.path().join("shards");
    for k in ["1/3", "2/3", "3/3"] {
        let o = bin()
            .arg("run")
            .arg(&file)
            .args([
                "--precision",
                "success=0.004",
                "--quiet",
                "--shard",
                k,
                "--out",
            ])
            .arg(&dir)
            .output()
            .unwrap();
        assert_success(&o);
    }
    let parts: Vec<_> = (1..=3)
        .map(|k| dir.join(format!("partial-{k}-of-3.json")))
        .collect();
    let o = bin()
        .arg("merge")
        .args(&parts)
        .args(["--format", "json", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_success(&o);
    let merged: Value = serde_json::from_slice(&o.stdout).unwrap();
    // Wilson at 0.8: 1.96·0.4/√n ≤ 0.004 needs 9604·4 = 38416 trials: 40000.
    assert_eq!(merged["trials"], 40_000);
    let whole = run_json(&scratch, &["--trials", "40000"], "whole");
    assert_eq!(merged, whole);
}

#[test]
fn compare_pins_the_difference_down_and_equals_compare_of_its_trials() {
    let scratch = Scratch::new();
    let base = scratch.file("one.toml", ONE_STEP);
    let variant = scratch.file("v.toml", &ONE_STEP.replace("silent = 0.2", "silent = 0.1"));
    let compare = |extra: &[&str], out: &str| -> Value {
        let o = bin()
            .arg("compare")
            .args([&base, &variant])
            .args(extra)
            .args(["--format", "json", "--quiet", "--out"])
            .arg(scratch.path().join(out))
            .output()
            .unwrap();
        assert_success(&o);
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let c = compare(&["--precision", "success=0.005"], "p");
    let p = &c["precision"];
    assert_eq!(p["met"], true, "{p}");
    assert!(p["half_width"].as_f64().unwrap() <= 0.005);
    let n = c["trials"].as_u64().unwrap();
    let mut fixed = compare(&["--trials", &n.to_string()], "f");
    fixed
        .as_object_mut()
        .unwrap()
        .insert("precision".into(), p.clone());
    assert_eq!(c, fixed);
}

#[test]
fn bad_precision_arguments_are_refused_with_the_field_named() {
    let scratch = Scratch::new();
    let file = scratch.file("one.toml", ONE_STEP);
    for (args, says) in [
        (vec!["--precision", "sucess=0.1"], "--precision"),
        (vec!["--precision", "success=2"], "--precision"),
        (vec!["--precision", "p99=0%"], "--precision"),
        (
            vec!["--precision", "success=0.01", "--trials", "5"],
            "--trials",
        ),
        (
            vec!["--precision", "success=0.01", "--trial-cap", "0"],
            "--trial-cap",
        ),
    ] {
        let o = bin()
            .arg("run")
            .arg(&file)
            .args(&args)
            .arg("--out")
            .arg(scratch.path().join("bad"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(says) && err.contains("e.g."),
            "{args:?}: {err}"
        );
        assert!(!scratch.path().join("bad").exists(), "nothing written");
    }
}

#[test]
fn a_sweep_runs_every_point_to_the_precision() {
    let scratch = Scratch::new();
    let file = scratch.file("one.toml", ONE_STEP);
    let out = scratch.path().join("sweep");
    let o = bin()
        .arg("sweep")
        .arg(&file)
        .args([
            "--vary",
            "nodes.a.silent=0.05,0.3",
            "--precision",
            "silent=0.004",
        ])
        .args(["--no-charts", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&o);
    let sweep: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    let trials: Vec<u64> = points
        .iter()
        .map(|p| {
            let r = &p["summary"]["precision"];
            assert_eq!(r["met"], true, "{r}");
            assert!(r["half_width"].as_f64().unwrap() <= 0.004);
            p["summary"]["trials"].as_u64().unwrap()
        })
        .collect();
    // Wilson at 0.05 needs about 11400 trials (20000), at 0.3 about 50400 (80000).
    assert_eq!(trials, [20_000, 80_000]);
}
