//! The same scenario and seed give bit-identical results whatever the thread count.

mod common;

use common::*;

fn summary_bytes(
    scenario: &std::path::Path,
    threads: &str,
    via_env: bool,
    out: &std::path::Path,
) -> Vec<u8> {
    let mut cmd = bin();
    cmd.args([
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        "150000",
        "--seed",
        "7",
        "--out",
    ])
    .arg(out);
    if via_env {
        cmd.env("RAYON_NUM_THREADS", threads);
    } else {
        cmd.args(["--threads", threads]);
    }
    let output = cmd.output().unwrap();
    assert_success(&output);
    std::fs::read(out.join("summary.json")).unwrap()
}

#[test]
fn summary_is_identical_for_any_thread_count() {
    let scratch = Scratch::new();
    for scenario in ["scenarios/agent-swarm.toml", "scenarios/support-agent.toml"] {
        let path = std::path::Path::new(scenario);
        // One folder per scenario: a folder holding another scenario's results is refused.
        let out = scratch.path().join(path.file_stem().unwrap());
        let one = summary_bytes(path, "1", true, &out.join("one"));
        let two = summary_bytes(path, "2", true, &out.join("two"));
        let three = summary_bytes(path, "3", false, &out.join("three"));
        assert_eq!(one, two, "{scenario}: 1 vs 2 threads");
        assert_eq!(one, three, "{scenario}: 1 vs 3 threads");
    }
}

#[test]
fn a_different_seed_gives_a_different_sample() {
    let text = std::fs::read_to_string("scenarios/agent-swarm.toml").unwrap();
    let a = run_summary(&text, 50_000, 1);
    let b = run_summary(&text, 50_000, 2);
    assert_ne!(a["success"]["count"], b["success"]["count"]);
    assert_ne!(a["latency_s"]["mean"], b["latency_s"]["mean"]);
}

#[test]
fn the_seed_in_the_file_is_used_when_the_command_line_gives_none() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "s.toml",
        "[run]\ntrials = 2000\nseed = 42\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.3\n",
    );
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--format", "json", "--out"])
        .arg(scratch.path().join("o"))
        .output()
        .unwrap();
    assert_success(&output);
    let s: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(s["seed"], 42);
    assert_eq!(s["trials"], 2000);
}

#[test]
fn a_json_scenario_runs_exactly_like_its_toml_twin() {
    let scratch = Scratch::new();
    let toml_text = std::fs::read_to_string("scenarios/support-agent.toml").unwrap();
    let doc: toml::Table = toml_text.parse().unwrap();
    let json_file = scratch.file(
        "support-agent.json",
        &serde_json::to_string_pretty(&doc).unwrap(),
    );
    let toml_file = scratch.file("support-agent.toml", &toml_text);
    let mut outputs = Vec::new();
    for (file, out) in [(&toml_file, "from-toml"), (&json_file, "from-json")] {
        let output = bin()
            .args(["run", file.to_str().unwrap(), "--trials", "20000", "--out"])
            .arg(scratch.path().join(out))
            .output()
            .unwrap();
        assert_success(&output);
        outputs.push(std::fs::read(scratch.path().join(out).join("summary.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}
