//! The options every simulating command shares (`--trials --seed --out
//! --threads --force --quiet --format --set`): the same meaning on `run`,
//! `sweep`, `compare`, `analyze`, `report` and `merge`.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const CHAIN: &str = r#"
name = "chain"
[run]
trials = 3000
[[nodes]]
id = "step"
kind = "llm"
repeat = 3
silent = 0.05
[[nodes]]
id = "last"
kind = "llm"
after = ["step"]
silent = 0.02
"#;

fn coordsim(args: &[&str], out: &Path) -> Output {
    bin().args(args).arg("--out").arg(out).output().unwrap()
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn stdout_json(output: &Output) -> Value {
    assert_success(output);
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn quiet_leaves_standard_error_empty_on_every_command() {
    let t = Scratch::new();
    let file = t.file("chain.toml", CHAIN);
    let f = file.to_str().unwrap();
    let parts = t.path().join("parts");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("run", vec!["run", f]),
        (
            "sweep",
            vec!["sweep", f, "--vary", "depth=1,2", "--no-charts"],
        ),
        ("compare", vec!["compare", f, f]),
        ("analyze", vec!["analyze", f]),
        ("report", vec!["report", f]),
    ];
    for (name, args) in cases {
        let mut args = args.clone();
        args.extend(["--trials", "500", "-q"]);
        let output = coordsim(&args, &t.path().join(name));
        assert_success(&output);
        assert!(
            output.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "{name} still prints its results");
    }
    for k in ["1/2", "2/2"] {
        let output = coordsim(
            &["run", f, "--trials", "500", "--quiet", "--shard", k],
            &parts,
        );
        assert_success(&output);
        assert!(output.stderr.is_empty(), "run --shard {k}");
    }
    let output = coordsim(
        &[
            "merge",
            parts.join("partial-1-of-2.json").to_str().unwrap(),
            parts.join("partial-2-of-2.json").to_str().unwrap(),
            "-q",
        ],
        &t.path().join("merged"),
    );
    assert_success(&output);
    assert!(output.stderr.is_empty(), "merge");
}

#[test]
fn format_json_prints_the_document_each_command_writes() {
    let t = Scratch::new();
    let file = t.file("chain.toml", CHAIN);
    let f = file.to_str().unwrap();
    let json = ["--trials", "500", "--format", "json", "-q"];
    for (command, written) in [
        ("compare", "compare.json"),
        ("analyze", "analyze.json"),
        ("sweep", "sweep.json"),
    ] {
        let out = t.path().join(command);
        let mut args = vec![command, f];
        match command {
            "compare" => args.push(f),
            "sweep" => args.extend(["--vary", "depth=1,2", "--no-charts"]),
            _ => {}
        }
        args.extend(json);
        let printed = stdout_json(&coordsim(&args, &out));
        assert_eq!(printed, json_file(&out.join(written)), "{command}");
    }
    // The report prints the compare.json of its headline table.
    let printed = stdout_json(&coordsim(
        &["report", f, f]
            .iter()
            .chain(&json)
            .copied()
            .collect::<Vec<_>>(),
        &t.path().join("report"),
    ));
    let compared = json_file(&t.path().join("compare").join("compare.json"));
    assert_eq!(printed, compared);
}

#[test]
fn set_depth_is_the_repeat_of_the_repeated_node_as_in_sweeps() {
    let t = Scratch::new();
    let file = t.file("chain.toml", CHAIN);
    let f = file.to_str().unwrap();
    let by_depth = stdout_json(&coordsim(
        &["run", f, "--set", "depth=5", "--format", "json", "-q"],
        &t.path().join("depth"),
    ));
    let by_path = stdout_json(&coordsim(
        &[
            "run",
            f,
            "--set",
            "nodes.step.repeat=5",
            "--format",
            "json",
            "-q",
        ],
        &t.path().join("path"),
    ));
    let written = t.file("deep.toml", &CHAIN.replace("repeat = 3", "repeat = 5"));
    let by_file = stdout_json(&coordsim(
        &["run", written.to_str().unwrap(), "--format", "json", "-q"],
        &t.path().join("file"),
    ));
    assert_eq!(by_depth["nodes"], by_file["nodes"]);
    // The same run, recorded with the change as it was given.
    assert_eq!(by_depth["provenance"]["overrides"][0], "depth=5");
    assert_eq!(by_path["provenance"]["overrides"][0], "nodes.step.repeat=5");
    let without_provenance = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("provenance");
        v
    };
    assert_eq!(
        without_provenance(by_depth.clone()),
        without_provenance(by_path)
    );
    assert_eq!(by_depth["success"], by_file["success"]);
    // A sweep point at depth 5 is the same run.
    let sweep = stdout_json(&coordsim(
        &[
            "sweep",
            f,
            "--vary",
            "depth=5",
            "--no-charts",
            "--format",
            "json",
            "-q",
        ],
        &t.path().join("sweep"),
    ));
    assert_eq!(sweep["points"][0]["summary"]["success"], by_file["success"]);
}

#[test]
fn set_on_a_review_applies_to_every_scenario_after_the_variants_patches() {
    let t = Scratch::new();
    let file = t.file("chain.toml", CHAIN);
    let variant = t.file(
        "tuned.toml",
        "base = \"chain.toml\"\n[set]\n\"nodes.last.silent\" = 0.0\n",
    );
    let (f, v) = (file.to_str().unwrap(), variant.to_str().unwrap());
    let set = [
        "--set",
        "nodes.last.silent=0.2",
        "--set",
        "depth=1",
        "--format",
        "json",
        "-q",
    ];
    let compared = stdout_json(&coordsim(
        &["compare", f, v]
            .iter()
            .chain(&set)
            .copied()
            .collect::<Vec<_>>(),
        &t.path().join("compare"),
    ));
    // Both arms are the file as changed by --set: the variant's own
    // `nodes.last.silent = 0` is overridden, so they are identical.
    let written = t.file(
        "changed.toml",
        &CHAIN
            .replace("repeat = 3", "repeat = 1")
            .replace("silent = 0.02", "silent = 0.2"),
    );
    let w = written.to_str().unwrap();
    let alone = stdout_json(&coordsim(
        &["compare", w, w, "--format", "json", "-q"],
        &t.path().join("alone"),
    ));
    let success = &alone["arms"][0]["summary"]["success"];
    for arm in 0..2 {
        assert_eq!(
            compared["arms"][arm]["summary"]["success"], *success,
            "arm {arm}"
        );
    }
    // A --set that does not fit is refused before anything runs, naming the flag.
    let output = coordsim(
        &["analyze", f, "--set", "nodes.nope.silent=0.1"],
        &t.path().join("bad"),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("--set nodes.nope.silent=0.1") && err.contains("no node \"nope\""),
        "{err}"
    );
    assert!(!t.path().join("bad").exists());
}
