//! Standard output closed by its reader (`| head -1`) or on a full disk
//! (`> /dev/full`), and a full standard error: every command ends without a
//! panic, quietly (exit 0) for a closed pipe, with exit 1 and a message for a
//! full disk.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;

const SCENARIO: &str = "[run]\ntrials = 500\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nrepeat = 1\n\
    silent = 0.1\nlatency = { dist = \"fixed\", value = 1 }\n";

/// One command line per command that prints on standard output.
fn commands(scratch: &Scratch) -> Vec<(&'static str, Command)> {
    let file = scratch.file("s.toml", SCENARIO);
    let f = file.to_str().unwrap().to_string();
    let out = |name: &str| scratch.path().join(name).to_str().unwrap().to_string();
    let mut list = Vec::new();
    let mut add = |what: &'static str, args: Vec<String>| {
        let mut c = bin();
        c.args(args);
        list.push((what, c));
    };
    add("validate", vec!["validate".into(), f.clone()]);
    add(
        "run",
        vec!["run".into(), f.clone(), "--out".into(), out("run")],
    );
    add(
        "run --format json",
        vec![
            "run".into(),
            f.clone(),
            "--format".into(),
            "json".into(),
            "--out".into(),
            out("run"),
        ],
    );
    add(
        "sweep",
        vec![
            "sweep".into(),
            f.clone(),
            "--vary".into(),
            "depth=1..2".into(),
            "--no-charts".into(),
            "--out".into(),
            out("sweep"),
        ],
    );
    add(
        "compare",
        vec![
            "compare".into(),
            f.clone(),
            f.clone(),
            "--out".into(),
            out("compare"),
        ],
    );
    add(
        "analyze",
        vec![
            "analyze".into(),
            f.clone(),
            "--trials".into(),
            "200".into(),
            "--out".into(),
            out("analyze"),
        ],
    );
    add(
        "run --shard",
        vec![
            "run".into(),
            f.clone(),
            "--shard".into(),
            "1/1".into(),
            "--out".into(),
            out("shard"),
        ],
    );
    add(
        "report",
        vec![
            "report".into(),
            f.clone(),
            "--trials".into(),
            "200".into(),
            "--out".into(),
            out("report"),
        ],
    );
    // Inputs of chart and merge, made beforehand.
    let setup = |args: &[&str]| assert_success(&bin().args(args).output().unwrap());
    let parts = out("parts");
    let charted = out("charted");
    setup(&["run", &f, "--shard", "1/1", "--out", &parts]);
    setup(&[
        "sweep",
        &f,
        "--vary",
        "depth=1..2",
        "--no-charts",
        "-q",
        "--out",
        &charted,
    ]);
    add(
        "merge",
        vec![
            "merge".into(),
            format!("{parts}/partial-1-of-1.json"),
            "--out".into(),
            out("merged"),
        ],
    );
    add(
        "chart",
        vec!["chart".into(), format!("{charted}/sweep.csv")],
    );
    add("--help", vec!["--help".into()]);
    list
}

fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let scratch = Scratch::new();
    for (what, mut cmd) in commands(&scratch) {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before anything is printed: `| true`.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let err = stderr_text(&output);
        assert_eq!(output.status.code(), Some(0), "{what}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("error"),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_full_disk_on_standard_output_is_an_error_not_a_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let scratch = Scratch::new();
    for (what, mut cmd) in commands(&scratch) {
        let full = dev_full();
        let output = cmd.stdout(Stdio::from(full)).output().unwrap();
        let err = stderr_text(&output);
        assert_eq!(output.status.code(), Some(1), "{what}: {err}");
        assert!(
            err.contains("cannot write to standard output") && !err.contains("panicked"),
            "{what}: {err}"
        );
    }
}

#[test]
fn a_full_standard_error_does_not_change_the_outcome() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let scratch = Scratch::new();
    for (what, mut cmd) in commands(&scratch) {
        let full = dev_full();
        let output = cmd.stderr(Stdio::from(full)).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{what}");
    }
    // A failing command keeps its exit code.
    let full = dev_full();
    let output = bin()
        .args(["run", "does-not-exist.toml"])
        .stderr(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// `/dev/full` opened for writing: every write fails with "no space left".
fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}
