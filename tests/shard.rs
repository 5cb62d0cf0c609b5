//! Scale-out: `--shard K/N` slices merged by `coordsim merge` give exactly
//! (byte for byte) the result files of a run on one machine, for trial runs,
//! loaded runs (sliced by replications) and sweeps; bad sets of partials are
//! refused with exit code 2 and nothing written.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Scratch, assert_success, bin};

const PIPELINE: &str = r#"
name = "pipe"
[[nodes]]
id = "step"
kind = "llm"
repeat = 4
silent = 0.03
loud = 0.02
retry = { max = 1 }
latency = { dist = "exponential", mean = 0.1 }
cost = { per_call = 0.002 }
[[nodes]]
id = "check"
kind = "gate"
after = ["step"]
sensitivity = 0.8
false_alarm = 0.05
loop_to = "step"
max_loops = 1
"#;

/// M/M/c at ρ = 0.9, three short replications.
const MMC: &str = r#"
name = "mmc"
[workload]
arrivals = "open"
rate = 7.2
warmup_tasks = 500
tasks = 3000
replications = 3
[[resources]]
id = "pool"
kind = "accelerator"
servers = 8
service = { dist = "exponential", mean = 1.0 }
[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#;

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run coordsim")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `K/N` for every K (all at once, as separate processes) and returns the partials.
fn shards(base: &[&str], n: u64, out: &Path) -> Vec<PathBuf> {
    let children: Vec<_> = (1..=n)
        .map(|k| {
            bin()
                .args(base)
                .args(["--shard", &format!("{k}/{n}"), "--out", s(out)])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start shard")
        })
        .collect();
    for child in children {
        assert_success(&child.wait_with_output().unwrap());
    }
    (1..=n)
        .map(|k| out.join(format!("partial-{k}-of-{n}.json")))
        .collect()
}

fn merge(partials: &[PathBuf], out: &Path) -> Output {
    let mut cmd = bin();
    cmd.arg("merge")
        .args(partials)
        .args(["--out", s(out), "-q"]);
    cmd.output().expect("run merge")
}

fn assert_same_files(a: &Path, b: &Path, names: &[&str]) {
    for name in names {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(
            x == y,
            "{name} differs between the single run and the merge"
        );
    }
}

#[test]
fn four_shards_in_parallel_processes_merge_to_the_single_run() {
    let t = Scratch::new();
    let file = t.file("pipe.toml", PIPELINE);
    let base = ["run", s(&file), "--trials", "40003", "--seed", "7"];
    let whole = t.path().join("whole");
    assert_success(&run(&[&base[..], &["--out", s(&whole)]].concat()));
    let parts = shards(&base, 4, &t.path().join("parts"));
    let merged = t.path().join("merged");
    // Any order of the files.
    let mut reversed = parts.clone();
    reversed.reverse();
    assert_success(&merge(&reversed, &merged));
    assert_same_files(&whole, &merged, &["summary.json", "nodes.csv"]);
}

#[test]
fn more_shards_than_trials_still_merge_exactly() {
    let t = Scratch::new();
    let file = t.file("pipe.toml", PIPELINE);
    let base = ["run", s(&file), "--trials", "3", "--threads", "1"];
    let whole = t.path().join("whole");
    assert_success(&run(&[&base[..], &["--out", s(&whole)]].concat()));
    let parts = shards(&base, 5, &t.path().join("parts"));
    let merged = t.path().join("merged");
    assert_success(&merge(&parts, &merged));
    assert_same_files(&whole, &merged, &["summary.json"]);
}

#[test]
fn loaded_runs_shard_by_replication_and_merge_exactly() {
    let t = Scratch::new();
    let file = t.file("mmc.toml", MMC);
    let base = ["run", s(&file), "--set", "workload.rate=7.0"];
    let whole = t.path().join("whole");
    assert_success(&run(&[&base[..], &["--out", s(&whole)]].concat()));
    // Four shards of three replications: one of them is empty.
    let parts = shards(&base, 4, &t.path().join("parts"));
    let merged = t.path().join("merged");
    assert_success(&merge(&parts, &merged));
    assert_same_files(&whole, &merged, &["summary.json", "nodes.csv"]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["load"]["replications"], 3);
}

#[test]
fn sweep_shards_merge_to_the_single_sweep() {
    let t = Scratch::new();
    let file = t.file("pipe.toml", PIPELINE);
    let base = [
        "sweep",
        s(&file),
        "--vary",
        "depth=1..3",
        "--trials",
        "5000",
        "--no-charts",
        "-q",
    ];
    let whole = t.path().join("whole");
    assert_success(&run(&[&base[..], &["--out", s(&whole)]].concat()));
    let parts = shards(&base, 3, &t.path().join("parts"));
    let merged = t.path().join("merged");
    let mut cmd = bin();
    cmd.arg("merge")
        .args(&parts)
        .args(["--out", s(&merged), "--no-charts", "-q"]);
    assert_success(&cmd.output().unwrap());
    assert_same_files(&whole, &merged, &["sweep.csv", "sweep.json"]);
}

/// Exit code 2, the message contains `needle`, and nothing was written.
fn assert_refused(partials: &[PathBuf], needle: &str) {
    let t = Scratch::new();
    let out = t.path().join("merged");
    let o = merge(partials, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
    assert!(!out.exists(), "nothing is written on refusal");
}

#[test]
fn bad_sets_of_partials_are_refused() {
    let t = Scratch::new();
    let file = t.file("pipe.toml", PIPELINE);
    let other = t.file("other.toml", &PIPELINE.replace("0.03", "0.04"));
    let base = ["run", s(&file), "--trials", "2000"];
    let parts = shards(&base, 3, &t.path().join("a"));
    let seed2 = shards(
        &[&base[..], &["--seed", "2"]].concat(),
        3,
        &t.path().join("b"),
    );
    let more = shards(
        &["run", s(&file), "--trials", "2001"],
        3,
        &t.path().join("c"),
    );
    let split4 = shards(&base, 4, &t.path().join("d"));
    let changed = shards(
        &["run", s(&other), "--trials", "2000"],
        3,
        &t.path().join("e"),
    );

    assert_refused(&parts[..2], "missing shard 3/3");
    assert_refused(
        &[parts[0].clone(), parts[0].clone(), parts[1].clone()],
        "given twice",
    );
    assert_refused(
        &[parts[0].clone(), seed2[1].clone(), parts[2].clone()],
        "seed",
    );
    assert_refused(
        &[parts[0].clone(), more[1].clone(), parts[2].clone()],
        "trials",
    );
    assert_refused(&[parts[0].clone(), split4[1].clone()], "--shard K/N split");
    assert_refused(&[parts[0].clone(), changed[1].clone()], "scenario");

    // A hand-edited partial whose counters no longer fit its scenario.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&parts[1]).unwrap()).unwrap();
    doc["points"][0]["tally"]["trials"]["execs"]
        .as_array_mut()
        .unwrap()
        .pop();
    let damaged = t.file("partial-2-of-3.json", &doc.to_string());
    assert_refused(&[parts[0].clone(), damaged, parts[2].clone()], "damaged");

    let junk = t.file("junk.json", "{\"format\": \"something else\"}");
    assert_refused(&[junk], "not a coordsim partial");
    let broken = t.file("broken.json", "{ not json");
    assert_refused(std::slice::from_ref(&broken), "broken.json");
    assert_refused(&[t.path().join("absent.json")], "absent.json");
}

#[test]
fn bad_shard_flags_are_refused_without_output() {
    let t = Scratch::new();
    let file = t.file("pipe.toml", PIPELINE);
    for bad in ["0/4", "5/4", "x/2", "3"] {
        let out = t.path().join("out");
        let o = run(&["run", s(&file), "--shard", bad, "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--shard"));
        assert!(!out.exists());
    }
}
