//! `coordsim sweep`: grids, agreement with single runs, the compounding
//! curve, and bad input.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const PIPELINE: &str = "scenarios/six-step-pipeline.toml";

fn sweep(scenario: &Path, args: &[&str], out: &Path) -> Output {
    bin()
        .arg("sweep")
        .arg(scenario)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run coordsim")
}

/// The six-step pipeline without its own [sweep] table.
fn pipeline_without_sweep() -> String {
    let text = std::fs::read_to_string(PIPELINE).unwrap();
    let at = text
        .find("\n[sweep]")
        .expect("the bundled file has a [sweep] table");
    text[..at].to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read JSON")).expect("valid JSON")
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("open CSV");
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn every_row_equals_a_single_run_at_that_point_and_seed() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = sweep(
        Path::new(PIPELINE),
        &[
            "--vary",
            "depth=2,5",
            "--vary",
            "nodes.step.silent=0.01,0.05",
            "--trials",
            "20000",
            "--seed",
            "3",
            "-q",
        ],
        &out,
    );
    assert_success(&output);
    let swept = read_json(&out.join("sweep.json"));
    let points = swept["points"].as_array().unwrap();
    assert_eq!(points.len(), 4);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    let text = std::fs::read_to_string(PIPELINE).unwrap();
    for (i, point) in points.iter().enumerate() {
        let depth = point["at"]["depth"].as_i64().unwrap();
        let silent = point["at"]["nodes.step.silent"].as_f64().unwrap();
        // The same change written into a copy of the file by hand.
        let edited = text
            .replace("repeat = 6", &format!("repeat = {depth}"))
            .replace("silent = 0.03", &format!("silent = {silent}"));
        assert_ne!(edited, text);
        let mut single = run_summary(&edited, 20_000, 3);
        // A run records where it comes from; a sweep's points are the sweep's.
        single.as_object_mut().unwrap().remove("provenance");
        assert_eq!(
            point["summary"], single,
            "point {i}: depth {depth}, silent {silent}"
        );
        let cell = |name: &str| rows[i][header.iter().position(|h| h == name).unwrap()].clone();
        assert_eq!(cell("depth"), depth.to_string());
        assert_eq!(
            cell("success_rate").parse::<f64>().unwrap(),
            get(&single, "success.rate")
        );
        assert_eq!(
            cell("latency_p99_s").parse::<f64>().unwrap(),
            get(&single, "latency_s.p99")
        );
    }
}

#[test]
fn success_compounds_as_p_to_the_n() {
    // docs/MODEL.md, R1: N steps, each right with p = 0.97 and nothing checking
    // them: P(correct) = 0.97^N. Each point must hold it in its 99.9% interval.
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = sweep(
        Path::new(PIPELINE),
        &["--vary", "depth=1..10", "--trials", "100000", "-q"],
        &out,
    );
    assert_success(&output);
    let swept = read_json(&out.join("sweep.json"));
    for point in swept["points"].as_array().unwrap() {
        let n = point["at"]["depth"].as_i64().unwrap() as i32;
        let expected = 0.97f64.powi(n);
        assert_rate(&point["summary"], "success", expected);
        let theory = point["theory_success"].as_f64().unwrap();
        assert!(
            (theory - expected).abs() < 1e-12,
            "depth {n}: closed form {theory}"
        );
    }
}

#[test]
fn the_grid_runs_every_combination_first_axis_slowest() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = sweep(
        Path::new(PIPELINE),
        &[
            "--vary",
            "depth=1..3",
            "--vary",
            "nodes.step.silent=0.01:0.02:0.01",
            "--trials",
            "500",
            "-q",
        ],
        &out,
    );
    assert_success(&output);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(
        &header[..4],
        ["depth", "nodes.step.silent", "scenario", "trials"]
    );
    let points: Vec<(String, String)> = rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect();
    let expected: Vec<(String, String)> = ["1", "2", "3"]
        .iter()
        .flat_map(|d| ["0.01", "0.02"].map(|s| (d.to_string(), s.to_string())))
        .collect();
    assert_eq!(points, expected);
    for name in [
        "success_ci_low",
        "silent_ci_high",
        "escalated_rate",
        "latency_p95_s",
        "cost_per_success_usd",
        "tokens_per_task",
    ] {
        assert!(
            header.iter().any(|h| h == name),
            "no column {name} in {header:?}"
        );
    }
}

#[test]
fn the_sweep_table_of_the_file_is_used_unless_vary_is_given() {
    let scratch = Scratch::new();
    let text = pipeline_without_sweep();
    let file = scratch.file(
        "s.toml",
        &format!("{text}\n[sweep]\nvary = [\"depth = 2..4\"]\n"),
    );
    let out = scratch.path().join("a");
    assert_success(&sweep(&file, &["--trials", "300", "-q"], &out));
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(header[0], "depth");
    assert_eq!(
        rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["2", "3", "4"]
    );
    let out = scratch.path().join("b");
    assert_success(&sweep(
        &file,
        &["--vary", "run.seed=1,2", "--trials", "300", "-q"],
        &out,
    ));
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!((header[0].as_str(), rows.len()), ("run.seed", 2));
    // The bundled pipeline's own table: depth 1..12.
    let out = scratch.path().join("c");
    assert_success(&sweep(
        Path::new(PIPELINE),
        &["--trials", "100", "-q"],
        &out,
    ));
    assert_eq!(read_csv(&out.join("sweep.csv")).1.len(), 12);
    // `run` ignores the [sweep] table.
    run_summary(
        &format!("{text}\n[sweep]\nvary = [\"depth = 2..4\"]\n"),
        100,
        1,
    );
}

#[test]
fn progress_goes_to_stderr_as_plain_lines_unless_quiet() {
    let scratch = Scratch::new();
    let loud = sweep(
        Path::new(PIPELINE),
        &["--vary", "depth=1,2", "--trials", "200"],
        &scratch.path().join("a"),
    );
    assert_success(&loud);
    let stderr = String::from_utf8_lossy(&loud.stderr);
    assert!(
        stderr.contains("point 2/2 (depth = 2): 100% of 400 trials"),
        "{stderr}"
    );
    let quiet = sweep(
        Path::new(PIPELINE),
        &["--vary", "depth=1,2", "--trials", "200", "--quiet"],
        &scratch.path().join("b"),
    );
    assert_success(&quiet);
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

#[test]
fn bad_paths_and_ranges_are_explained_with_exit_code_2_and_nothing_written() {
    let support = "scenarios/support-agent.toml";
    let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
        (
            PIPELINE,
            vec!["--vary", "nodes.nope.silent=0.1"],
            vec!["--vary nodes.nope.silent", "no node \"nope\"", "step"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.silentt=0.1"],
            vec!["--vary nodes.step.silentt", "did you mean `silent`"],
        ),
        (
            PIPELINE,
            vec!["--vary", "runn.trials=1,2"],
            vec!["--vary runn.trials", "did you mean `run`"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.kind=1,2"],
            vec!["--vary nodes.step.kind", "nodes[0].kind"],
        ),
        (
            PIPELINE,
            vec!["--vary", "edges.step->x.loud=0.1"],
            vec!["no node \"x\""],
        ),
        (
            PIPELINE,
            vec!["--vary", "depth=5..1"],
            vec!["--vary depth", "reversed"],
        ),
        (
            PIPELINE,
            vec!["--vary", "depth=1.5..3"],
            vec!["--vary depth", "integers"],
        ),
        (
            PIPELINE,
            vec!["--vary", "depth=0:1:0.1"],
            vec!["--vary depth", "expected an integer, 1 to 100000"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.silent=0:0.1:0"],
            vec!["step must be > 0"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.silent=low,high"],
            vec!["not a number"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.silent="],
            vec!["no values"],
        ),
        (
            PIPELINE,
            vec!["--vary", "depth=1..20000"],
            vec!["at most 10000"],
        ),
        (
            PIPELINE,
            vec![
                "--vary",
                "depth=1..200",
                "--vary",
                "nodes.step.silent=0:0.1:0.001",
            ],
            vec!["200 × 101", "at most 10000"],
        ),
        (
            PIPELINE,
            vec!["--vary", "depth=0,3"],
            vec!["--vary depth (set to 0)", "repeat", "1 to 100000"],
        ),
        (
            PIPELINE,
            vec!["--vary", "nodes.step.silent=0.5:1.5:0.5"],
            vec!["point 3 of 3 (nodes.step.silent = 1.5)", "[0, 1]"],
        ),
        (PIPELINE, vec!["--vary", "depth"], vec!["PATH=VALUES"]),
        (
            PIPELINE,
            vec!["--vary", "depth=1,2", "--vary", "depth=3"],
            vec!["already varied"],
        ),
        (support, vec![], vec!["nothing to vary", "[sweep]"]),
        (
            PIPELINE,
            vec!["--vary", "depth=1,2", "--trials", "0"],
            vec!["--trials", "1 to"],
        ),
        (
            support,
            vec!["--vary", "depth=1..3"],
            vec!["no node sets `repeat`", "nodes.<id>"],
        ),
    ];
    for (scenario, args, fragments) in cases {
        let scratch = Scratch::new();
        let out = scratch.path().join("out");
        let output = sweep(Path::new(scenario), &args, &out);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        for f in fragments {
            assert!(stderr.contains(f), "{args:?}: expected {f:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?}: wrote {}", out.display());
    }
}

#[test]
fn a_bad_sweep_table_in_the_file_is_named() {
    let scratch = Scratch::new();
    let text = pipeline_without_sweep();
    let file = scratch.file(
        "s.toml",
        &format!("{text}\n[sweep]\nvary = [\"depth = 4..2\"]\n"),
    );
    let out = scratch.path().join("out");
    let output = sweep(&file, &[], &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("[sweep] vary[0] (depth)") && stderr.contains("reversed"),
        "{stderr}"
    );
    assert!(!out.exists());
    let file = scratch.file(
        "t.toml",
        &format!("{text}\n[sweep]\nvaryy = [\"depth = 1..2\"]\n"),
    );
    let output = sweep(&file, &[], &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sweep.varyy") && stderr.contains("did you mean `vary`"),
        "{stderr}"
    );
}

#[test]
fn a_load_sweep_draws_goodput_against_offered_load_and_shows_the_knee() {
    // The bundled chip-layer-load scenario, shortened; its capacity is about
    // 2.6 tasks/s, so goodput at 3.5 tasks/s falls below goodput at 2.
    let scratch = Scratch::new();
    let text = std::fs::read_to_string("scenarios/chip-layer-load.toml")
        .unwrap()
        .replace("tasks = 20000", "tasks = 3000")
        .replace("replications = 8", "replications = 3");
    let file = scratch.file("load.toml", &text);
    let out = scratch.path().join("out");
    let output = sweep(&file, &["--vary", "workload.rate=2,3.5", "--quiet"], &out);
    assert_success(&output);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let goodput = col("load.goodput.mean");
    let at = |row: usize| rows[row][goodput].parse::<f64>().unwrap();
    assert!(
        at(1) < at(0),
        "goodput {} at 3.5/s vs {} at 2/s",
        at(1),
        at(0)
    );
    let png = std::fs::read(out.join("goodput.png")).expect("goodput chart");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(out.join("goodput.svg").exists());
}
