//! Helpers shared by the integration tests: run the real binary on scenario
//! text and read back what it wrote.
#![allow(dead_code)]

pub mod trace_check;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Normal quantile for a two-sided 99.9% interval: docs/MODEL.md asks tests to use
/// 99.9% so that a correct simulator fails rarely.
pub const Z999: f64 = 3.290_526_731_491_926;

/// The coordsim binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_coordsim"))
}

/// A scratch folder holding scenario files and outputs.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `text` to `name` inside the scratch folder.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write scenario");
        path
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Runs `coordsim run` on scenario text and returns the parsed summary.json.
pub fn run_summary(scenario: &str, trials: u64, seed: u64) -> Value {
    let scratch = Scratch::new();
    let file = scratch.file("scenario.toml", scenario);
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--format", "json", "--out"])
        .arg(&out)
        .args(["--trials", &trials.to_string(), "--seed", &seed.to_string()])
        .output()
        .expect("run coordsim");
    assert_success(&output);
    let printed: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        printed, written,
        "--format json prints what summary.json holds"
    );
    written
}

pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "coordsim failed ({:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A number at a dotted path, e.g. `get(&s, "latency_s.p50")`.
pub fn get(v: &Value, path: &str) -> f64 {
    let mut cur = v;
    for key in path.split('.') {
        cur = match key.parse::<usize>() {
            Ok(i) => &cur[i],
            Err(_) => &cur[key],
        };
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number in {v}"))
}

/// Asserts that `expected` lies in the 99.9% Wilson interval of the outcome
/// count at `path` (e.g. "success") out of the summary's trials.
pub fn assert_rate(summary: &Value, path: &str, expected: f64) {
    let n = get(summary, "trials");
    let k = get(summary, &format!("{path}.count"));
    let (lo, hi) = wilson(k, n, Z999);
    assert!(
        (lo..=hi).contains(&expected),
        "{path}: expected {expected}, simulated {} with 99.9% interval [{lo}, {hi}]",
        k / n
    );
}

/// Wilson score interval (computed here independently of the crate's own).
pub fn wilson(k: f64, n: f64, z: f64) -> (f64, f64) {
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / denom;
    (centre - half, centre + half)
}

/// Asserts that the simulated mean latency is within the 99.9% interval
/// around `expected`, from the summary's own 95% half-width rescaled to 99.9%.
pub fn assert_mean_latency(summary: &Value, expected: f64) {
    let mean = get(summary, "latency_s.mean");
    let lo95 = summary["latency_s"]["mean_ci95"][0].as_f64().unwrap();
    let half = (mean - lo95) * Z999 / 1.959_963_984_540_054;
    assert!(
        (mean - expected).abs() <= half,
        "mean latency: expected {expected}, simulated {mean} ± {half} (99.9%)"
    );
}

/// Runs `coordsim run` on loaded-scenario text (its own replications and
/// window) with `seed`, and returns the summary it prints as JSON.
pub fn run_loaded(scenario: &str, seed: u64) -> Value {
    let scratch = Scratch::new();
    let file = scratch.file("scenario.toml", scenario);
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--format", "json"])
        .args(["--seed", &seed.to_string(), "--out"])
        .arg(scratch.path().join("out"))
        .output()
        .unwrap();
    assert_success(&output);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Two-sided Student t critical values (95%, 99.9%) from standard tables,
/// for estimates over the replications of a loaded test.
#[derive(Clone, Copy)]
pub struct TCritical {
    pub t95: f64,
    pub t999: f64,
}

/// 20 replications (df = 19): 95% → 2.0930, 99.9% → 3.8834.
pub const T_DF19: TCritical = TCritical {
    t95: 2.0930,
    t999: 3.8834,
};
/// 30 replications (df = 29): 95% → 2.0452, 99.9% → 3.6594.
pub const T_DF29: TCritical = TCritical {
    t95: 2.0452,
    t999: 3.6594,
};

/// Asserts that `expected` lies in the 99.9% interval of an estimate
/// `{ mean, ci95 }` over replications with critical values `t`: the 95%
/// half-width rescaled by t999 / t95 (an interval cut at a bound is widened
/// from its uncut side).
pub fn assert_estimate_t(e: &Value, expected: f64, what: &str, t: TCritical) {
    let mean = e["mean"].as_f64().unwrap();
    let (lo, hi) = (
        e["ci95"][0].as_f64().unwrap(),
        e["ci95"][1].as_f64().unwrap(),
    );
    let half = (hi - mean).max(mean - lo) * t.t999 / t.t95;
    assert!(
        (mean - expected).abs() <= half,
        "{what}: expected {expected}, simulated {mean} ± {half} (99.9%)"
    );
}

/// Asserts that `coordsim run` refuses scenario `text` (written as
/// `file_name`) with exit code 2, no panic, an error located in the file and
/// holding every one of `fragments`, and writes no output.
pub fn assert_run_refuses(case: &str, file_name: &str, text: &str, fragments: &[&str]) {
    let scratch = Scratch::new();
    let file = scratch.file(file_name, text);
    let out = scratch.path().join("out");
    let output = bin()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{case}: {stderr}");
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
    assert!(
        stderr.contains(file_name),
        "{case}: names the file: {stderr}"
    );
    for f in fragments {
        assert!(stderr.contains(f), "{case}: lacks {f:?}: {stderr}");
    }
    assert!(!out.exists(), "{case}: wrote outputs");
}

/// The names of the figures a `check.json` flags.
pub fn flagged(check: &Value) -> Vec<String> {
    check["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["flagged"] == true)
        .map(|f| f["figure"].as_str().unwrap().to_string())
        .collect()
}
