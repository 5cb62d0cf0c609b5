//! Every command simulates through one execution layer: a runaway task is
//! refused by the reviews exactly as by `run`, and Ctrl-C stops every
//! command with exit code 130 and nothing written.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, bin};

/// A step that always fails loudly, retried up to 50 times: with at most 20
/// events per task, the very first task runs away.
const RUNAWAY: &str = "[run]\nmax_events = 20\n[[nodes]]\nid = \"flaky\"\nkind = \"tool\"\n\
                       loud = 1.0\nretry = { max = 50 }\n";

/// A chain that takes a long while at a billion trials.
const LONG: &str = "[run]\ntrials = 1000000000\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.03\n\
                    [[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\nsilent = 0.03\n";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The part of a runaway message that describes the task, after the file name.
fn runaway_description(err: &str) -> String {
    let start = err
        .find("task 0 was stopped")
        .expect("names the earliest task");
    err[start..].trim().to_string()
}

#[test]
fn reviews_refuse_a_runaway_task_exactly_as_run_does() {
    let scratch = Scratch::new();
    let file = scratch.file("runaway.toml", RUNAWAY);
    let f = file.to_str().unwrap();
    let run = bin()
        .args(["run", f, "--trials", "1000", "--out"])
        .arg(scratch.path().join("run"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let expected = runaway_description(&stderr(&run));
    assert!(
        expected.contains("max_events = 20") && expected.contains("node \"flaky\""),
        "{expected}"
    );
    let commands: [&[&str]; 3] = [&["compare", f, f], &["analyze", f], &["report", f]];
    for args in commands {
        let out = scratch.path().join(args[0]);
        let output = bin()
            .args(args)
            .args(["--trials", "1000", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{}: {err}", args[0]);
        assert!(err.contains("runaway"), "{}: {err}", args[0]);
        assert_eq!(runaway_description(&err), expected, "{}", args[0]);
        assert!(!out.exists(), "{} wrote results after a runaway", args[0]);
    }
}

/// Starts `cmd`, interrupts it once it is simulating, and returns how it ended.
fn interrupt(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Reading and compiling take milliseconds; a billion trials take minutes.
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "stopped promptly"
    );
    output
}

#[test]
fn every_simulating_command_stops_cleanly_on_sigint() {
    let scratch = Scratch::new();
    let file = scratch.file("long.toml", LONG);
    let f = file.to_str().unwrap();
    let commands: [&[&str]; 5] = [
        &["run", f],
        &["run", f, "--shard", "1/2"],
        &["compare", f, f],
        &["analyze", f],
        &["report", f],
    ];
    for (i, args) in commands.into_iter().enumerate() {
        let out = scratch.path().join(format!("out-{i}"));
        let mut cmd = bin();
        cmd.args(args).arg("--out").arg(&out);
        let output = interrupt(cmd);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(130), "{args:?}: {err}");
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        let left: Vec<_> = std::fs::read_dir(&out)
            .map(|d| d.map(|e| e.unwrap().file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}
