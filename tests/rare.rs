//! Importance sampling (`run --rare`): a silent rate of 1e-7 (a step wrong
//! 10% of the time, three independent gates each missing 1%) estimated
//! within its interval of the closed form from 200000 trials, where crude
//! Monte Carlo at the same count sees none; identical for 1 and 2 threads;
//! unsupported features refused by name.

mod common;

use common::{Scratch, Z999, assert_success, bin};
use serde_json::Value;

const SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/rare-silent-gates.toml"
);

fn rare(scratch: &Scratch, extra: &[&str], out: &str) -> Value {
    let o = bin()
        .args(["run", SCENARIO, "--rare", "--format", "json", "--quiet"])
        .args(extra)
        .arg("--out")
        .arg(scratch.path().join(out))
        .output()
        .unwrap();
    assert_success(&o);
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let written = std::fs::read(scratch.path().join(out).join("rare.json")).unwrap();
    assert_eq!(printed, serde_json::from_slice::<Value>(&written).unwrap());
    printed
}

fn outcome<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["outcome"] == name)
        .unwrap()
}

#[test]
fn a_silent_rate_of_1e_minus_7_is_estimated_where_crude_monte_carlo_sees_none() {
    let scratch = Scratch::new();
    let r = rare(&scratch, &["--threads", "2"], "is");
    assert_eq!(r["trials"], 200_000);
    for (name, truth) in [
        ("silent", 0.1 * 0.01f64.powi(3)),
        ("escalated", 0.1 * (1.0 - 0.01f64.powi(3))),
        ("correct", 0.9),
    ] {
        let o = outcome(&r, name);
        let (rate, se) = (
            o["rate"].as_f64().unwrap(),
            o["std_error"].as_f64().unwrap(),
        );
        assert!(
            (rate - truth).abs() <= Z999 * se,
            "{name}: {rate:e} ± {se:e} against {truth:e}"
        );
        let ci = o["ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() >= 0.0 && ci[1].as_f64().unwrap() <= 1.0);
        assert!(o.get("warning").is_none(), "{o}");
    }
    // Biased to 0.5 at each of the four draws on the way, a silent path has
    // probability 1/16 and relative standard error √(15/200000) ≈ 0.87%.
    let silent = outcome(&r, "silent");
    let rel = silent["std_error"].as_f64().unwrap() / silent["rate"].as_f64().unwrap();
    assert!(rel < 0.0087 * 1.2, "relative standard error {rel}");
    let crude = bin()
        .args(["run", SCENARIO, "--format", "json", "--quiet", "--out"])
        .arg(scratch.path().join("crude"))
        .output()
        .unwrap();
    assert_success(&crude);
    let crude: Value = serde_json::from_slice(&crude.stdout).unwrap();
    assert_eq!(
        crude["silent_failure"]["count"], 0,
        "crude Monte Carlo sees none"
    );
    assert_eq!(crude["trials"], 200_000);
}

#[test]
fn importance_sampling_is_identical_for_one_and_two_threads() {
    let scratch = Scratch::new();
    let one = rare(&scratch, &["--threads", "1", "--trials", "30000"], "t1");
    let two = rare(&scratch, &["--threads", "2", "--trials", "30000"], "t2");
    assert_eq!(one, two);
}

#[test]
fn heavy_bias_on_a_long_chain_warns_that_the_weights_degenerate() {
    let scratch = Scratch::new();
    let chain = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/six-step-pipeline.toml"
    );
    let o = bin()
        .args([
            "run", chain, "--rare", "--bias", "0.9", "--trials", "20000", "--out",
        ])
        .arg(scratch.path().join("chain"))
        .output()
        .unwrap();
    assert_success(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the weights degenerated"), "{err}");
}

#[test]
fn unsupported_features_are_refused_by_name() {
    let scratch = Scratch::new();
    let loaded = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/chip-layer-load.toml"
    );
    for (args, says) in [
        (vec!["run", loaded, "--rare"], "workload is not supported"),
        (
            vec!["run", SCENARIO, "--rare", "--pass-k", "3"],
            "run.pass_k is not supported",
        ),
        (vec!["run", SCENARIO, "--rare", "--bias", "1"], "--bias"),
        (
            vec!["run", SCENARIO, "--rare", "--correlation"],
            "run.failure_correlation is not supported",
        ),
        (
            vec!["run", SCENARIO, "--rare", "--precision", "silent=10%"],
            "--precision",
        ),
        (vec!["run", SCENARIO, "--rare", "--shard", "1/2"], "--shard"),
    ] {
        let o = bin()
            .args(&args)
            .arg("--out")
            .arg(scratch.path().join("refused"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!scratch.path().join("refused").exists(), "nothing written");
    }
}
