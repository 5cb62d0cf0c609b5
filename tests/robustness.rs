//! Runaway and unstable scenarios, interrupted and resumed sweeps, output
//! folders of other scenarios, oversized sweeps, and no temporary file left
//! behind.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// Every file under `dir` (recursively), as paths relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Asserts that no temporary file of an atomic write is left under `dir`.
fn assert_no_temporary_files(dir: &Path, when: &str) {
    let left: Vec<String> = files_under(dir)
        .into_iter()
        .filter(|f| f.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{when}: temporary files left: {left:?}");
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_gate_that_loops_for_ever_is_stopped_and_named() {
    // Every pass is corrupted and the gate catches every corruption, so the
    // task would loop 1000 times (2 events each); max_events stops it first.
    let scratch = Scratch::new();
    let file = scratch.file(
        "loop.toml",
        "[run]\nmax_events = 500\n[[nodes]]\nid = \"draft\"\nkind = \"llm\"\nsilent = 1.0\n\
         latency = { dist = \"fixed\", value = 1 }\n[[nodes]]\nid = \"check\"\nkind = \"gate\"\n\
         after = [\"draft\"]\nsensitivity = 1.0\nloop_to = \"draft\"\nmax_loops = 1000\n",
    );
    let out = scratch.path().join("out");
    let started = Instant::now();
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for fragment in [
        "loop.toml",
        "runaway",
        "max_events = 500",
        "gate \"check\" had looped back 250 times",
    ] {
        assert!(err.contains(fragment), "lacks {fragment:?}:\n{err}");
    }
    assert!(!out.exists(), "a runaway run wrote outputs");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "stopped promptly"
    );
}

#[test]
fn retries_that_never_end_in_time_are_stopped_and_named() {
    // 1000 retries of a step that always fails, 1 hour apart: about 1000
    // hours of simulated time per task, past a max_time_s of one day.
    let scratch = Scratch::new();
    let file = scratch.file(
        "slow.toml",
        "[run]\nmax_time_s = 86400\n[[nodes]]\nid = \"flaky\"\nkind = \"tool\"\nloud = 1.0\n\
         retry = { max = 1000, delay = 3600 }\n",
    );
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(scratch.path().join("out"))
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for fragment in ["max_time_s = 86400", "node \"flaky\" was on attempt 25"] {
        assert!(err.contains(fragment), "lacks {fragment:?}:\n{err}");
    }
}

#[test]
fn a_loaded_run_above_capacity_is_refused_naming_the_resource_and_rho() {
    // Arrivals at 10/s, one server taking 0.5 s on average: ρ = 10 × 0.5 / 1 = 5.
    let scratch = Scratch::new();
    let file = scratch.file(
        "overload.toml",
        "[workload]\narrivals = \"open\"\nrate = 10\ntasks = 1000\n[[resources]]\nid = \"gpu\"\n\
         kind = \"accelerator\"\nservers = 1\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpu\"\n\
         latency = { dist = \"exponential\", mean = 0.5 }\n",
    );
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for fragment in ["unstable", "resource \"gpu\"", "ρ = 5.0"] {
        assert!(err.contains(fragment), "lacks {fragment:?}:\n{err}");
    }
    assert!(!out.exists(), "an unstable run wrote outputs");
}

/// A sweep slow enough to be interrupted: 8 points of a growing chain.
const SWEEP: &str = "[run]\ntrials = 400000\nseed = 3\n[[nodes]]\nid = \"step\"\nkind = \"llm\"\n\
    repeat = 1\nsilent = 0.02\nloud = 0.01\nretry = { max = 1 }\n\
    latency = { dist = \"exponential\", mean = 0.1 }\n";

fn sweep_cmd(file: &Path, out: &Path) -> std::process::Command {
    let mut cmd = bin();
    cmd.args([
        "sweep",
        file.to_str().unwrap(),
        "--vary",
        "depth=1..8",
        "--out",
    ])
    .arg(out)
    .arg("--quiet");
    cmd
}

#[test]
fn an_interrupted_sweep_resumes_to_the_same_result() {
    let scratch = Scratch::new();
    // Enough trials that the later points take far longer than the interrupt.
    let file = scratch.file("chain.toml", &SWEEP.replace("400000", "1500000"));

    let whole = scratch.path().join("whole");
    let output = sweep_cmd(&file, &whole).output().unwrap();
    assert_success(&output);

    let part = scratch.path().join("part");
    let child = sweep_cmd(&file, &part)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the first point is kept.
    let deadline = Instant::now() + Duration::from_secs(120);
    let first_kept = || {
        files_under(&part)
            .iter()
            .any(|f| f.ends_with("point-00000.json"))
    };
    while !first_kept() {
        assert!(Instant::now() < deadline, "no point was kept in time");
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(130),
        "the sweep finished before the interrupt arrived, or failed:\n{err}"
    );
    assert!(err.contains("--resume"), "{err}");
    let kept = files_under(&part);
    assert!(
        !kept.iter().any(|f| f.starts_with("sweep.")),
        "an interrupted sweep wrote results: {kept:?}"
    );
    let points = kept.iter().filter(|f| f.contains("point-")).count();
    assert!((1..8).contains(&points), "{kept:?}");
    assert_no_temporary_files(&part, "after the interrupt");

    let output = sweep_cmd(&file, &part).arg("--resume").output().unwrap();
    assert_success(&output);
    for name in ["sweep.csv", "sweep.json"] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(part.join(name)).unwrap(),
            "{name}: resumed and uninterrupted sweeps differ"
        );
    }
    assert!(
        !part.join(".sweep").exists(),
        "kept points are removed once the results are written"
    );
    assert_no_temporary_files(&part, "after the resumed sweep");
}

#[test]
fn no_temporary_file_is_left_behind() {
    let scratch = Scratch::new();
    let good = scratch.file("good.toml", &SWEEP.replace("400000", "2000"));
    let bad = scratch.file(
        "bad.toml",
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 2\n",
    );
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", good.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    assert_no_temporary_files(&out, "after a run");
    let output = sweep_cmd(&good, &out).output().unwrap();
    assert_success(&output);
    assert_no_temporary_files(&out, "after a sweep");
    let output = bin()
        .args(["run", bad.to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_no_temporary_files(&out, "after a failed run");
    assert_no_temporary_files(scratch.path(), "anywhere");
}

#[test]
fn a_folder_of_another_scenario_is_not_overwritten() {
    let scratch = Scratch::new();
    let node = "[run]\ntrials = 1000\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
    let first = scratch.file("first.toml", node);
    let second = scratch.file("second.toml", node);
    let out = scratch.path().join("out");
    let run = |file: &Path, extra: &[&str]| {
        bin()
            .args(["run", file.to_str().unwrap(), "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert_success(&run(&first, &[]));
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let output = run(&second, &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("scenario \"first\", not \"second\"") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    assert_success(&run(&first, &[]));
    assert_success(&run(&second, &["--force"]));

    let foreign = scratch.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let output = bin()
        .args(["run", first.to_str().unwrap(), "--out"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("not written by coordsim"));
}

#[test]
fn a_huge_sweep_asks_for_yes_with_an_estimate() {
    let scratch = Scratch::new();
    let file = scratch.file("chain.toml", SWEEP);
    let out = scratch.path().join("out");
    // 8 points × 400000 trials = 3.2e6 trials, above a limit of 1e6.
    let output = sweep_cmd(&file, &out)
        .args(["--max-trials", "1000000"])
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    for fragment in [
        "3200000 trials",
        "--max-trials 1000000",
        "would take about",
        "--yes",
    ] {
        assert!(err.contains(fragment), "lacks {fragment:?}:\n{err}");
    }
    assert!(!out.exists(), "nothing is written before the user agrees");
    let output = sweep_cmd(&file, &out)
        .args(["--max-trials", "1000000", "--yes", "--trials", "1000"])
        .output()
        .unwrap();
    assert_success(&output);
}
