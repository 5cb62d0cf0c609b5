//! Reviews: variant files, paired comparisons on common random numbers, and
//! the "where does the gap open" analysis, checked against docs/MODEL.md's closed
//! forms and against independent computations.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Runs a coordsim subcommand with `args` and output folder `out`; returns stdout.
fn run_ok(command: &str, args: &[&str], out: &Path) -> String {
    let output = bin()
        .arg(command)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert_success(&output);
    String::from_utf8(output.stdout).unwrap()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The figure `key` of arm `arm` in a compare.json document.
fn figure<'a>(c: &'a Value, arm: usize, key: &str) -> &'a Value {
    c["arms"][arm]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

fn ci_width(f: &Value) -> f64 {
    f["ci95"][1].as_f64().unwrap() - f["ci95"][0].as_f64().unwrap()
}

const BASE_TWO_STEPS: &str = r#"
[[nodes]]
id = "retrieve"
kind = "retrieval"
silent = 0.10

[[nodes]]
id = "generate"
kind = "llm"
after = ["retrieve"]
silent = 0.05
"#;

#[test]
fn common_random_numbers_narrow_the_interval_of_a_difference() {
    let scratch = Scratch::new();
    let args = [
        "scenarios/support-agent.toml",
        "scenarios/reviews/support-agent-stronger-gate.toml",
        "--trials",
        "100000",
    ];
    run_ok("compare", &args, &scratch.path().join("crn"));
    let mut independent = args.to_vec();
    independent.push("--no-crn");
    run_ok("compare", &independent, &scratch.path().join("indep"));
    let crn = read_json(&scratch.path().join("crn/compare.json"));
    let ind = read_json(&scratch.path().join("indep/compare.json"));
    assert_eq!(crn["common_random_numbers"], true);
    assert_eq!(ind["common_random_numbers"], false);
    for key in [
        "p_correct",
        "p_silent",
        "latency_mean_s",
        "cost_per_task_usd",
    ] {
        let (w_crn, w_ind) = (
            ci_width(figure(&crn, 1, key)),
            ci_width(figure(&ind, 1, key)),
        );
        println!("{key}: 95% CI width {w_crn:.6} with CRN, {w_ind:.6} without");
        assert!(
            w_crn < w_ind,
            "{key}: CRN interval {w_crn} is not narrower than the independent one {w_ind}"
        );
    }
}

#[test]
fn a_patch_that_changes_nothing_gives_a_difference_of_exactly_zero() {
    let scratch = Scratch::new();
    let base = scratch.file(
        "base.toml",
        &std::fs::read_to_string("scenarios/support-agent.toml").unwrap(),
    );
    let variant = scratch.file(
        "same.toml",
        "base = \"base.toml\"\n[set]\n\"nodes.generate.silent\" = 0.05\n\"run.seed\" = 1\n",
    );
    run_ok(
        "compare",
        &[
            base.to_str().unwrap(),
            variant.to_str().unwrap(),
            "--trials",
            "30000",
            "--tasks-per-month",
            "1000",
        ],
        &scratch.path().join("o"),
    );
    let c = read_json(&scratch.path().join("o/compare.json"));
    let figures = c["arms"][1]["figures"].as_array().unwrap();
    assert_eq!(figures.len(), 12);
    for f in figures {
        assert_eq!(f["diff"].as_f64(), Some(0.0), "{f}");
        assert_eq!(f["value"], f["base"], "{f}");
        assert_eq!(f["significant"], false, "{f}");
    }
    assert_eq!(
        c["arms"][0]["summary"]["nodes"],
        c["arms"][1]["summary"]["nodes"]
    );
}

/// R1 of docs/MODEL.md: a chain of N steps at p has P(correct) = p^N; making one
/// step perfect gives p^(N−1), a gain of p^(N−1) − p^N. With common random
/// numbers and no loud failures every task right before stays right, so the
/// gain is the share of tasks that only the variant gets right: a binomial
/// count whose 99.9% Wilson interval must contain the closed form.
#[test]
fn making_a_step_perfect_gains_what_r1_says() {
    let (n, s) = (4, 0.03);
    let p: f64 = 1.0 - s;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[[nodes]]\nid = \"s{i}\"\nkind = \"llm\"\nsilent = {s}\n"
        ));
        if i > 0 {
            text.push_str(&format!("after = [\"s{}\"]\n", i - 1));
        }
    }
    let scratch = Scratch::new();
    let file = scratch.file("chain.toml", &text);
    let trials = 200_000.0;
    run_ok(
        "analyze",
        &[file.to_str().unwrap(), "--trials", "200000", "--seed", "3"],
        &scratch.path().join("o"),
    );
    let a = read_json(&scratch.path().join("o/analyze.json"));
    let expected = p.powi(n - 1) - p.powi(n);
    let perfect: Vec<&Value> = a["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["change"] == "perfect")
        .collect();
    assert_eq!(perfect.len(), n as usize);
    for f in perfect {
        let gain = f["gain"]["diff"].as_f64().unwrap();
        // No trial gets worse: the silent rate falls by exactly the gain.
        assert_eq!(f["silent"]["diff"].as_f64().unwrap(), -gain);
        let (lo, hi) = wilson((gain * trials).round(), trials, Z999);
        assert!(
            (lo..=hi).contains(&expected),
            "{}: gain {gain}, 99.9% interval [{lo}, {hi}], R1 says {expected}",
            f["label"]
        );
    }
}

/// R3 of docs/MODEL.md through a variant that adds the gate, and R1 through the
/// base: retrieve (s = 0.10) then generate (s = 0.05) is right with
/// 0.9 × 0.95 = 0.855; a gate after generate (d = 0.9, f = 0.02, looping back
/// to retrieve at most twice) gives 0.979828 correct, 0.016956 silent,
/// 0.003216 escalated.
#[test]
fn adding_a_gate_through_a_variant_gives_the_r3_closed_form() {
    let scratch = Scratch::new();
    let base = scratch.file("two.toml", BASE_TWO_STEPS);
    let variant = scratch.file(
        "gated.toml",
        "base = \"two.toml\"\n[[add_gate]]\nafter = \"generate\"\nid = \"verify\"\nsensitivity = 0.9\nfalse_alarm = 0.02\nloop_to = \"retrieve\"\nmax_loops = 2\n",
    );
    let out = scratch.path().join("o");
    let printed = run_ok(
        "compare",
        &[
            base.to_str().unwrap(),
            variant.to_str().unwrap(),
            "--trials",
            "400000",
            "--seed",
            "5",
        ],
        &out,
    );
    assert!(
        printed.contains("add gate verify after generate"),
        "{printed}"
    );
    let c = read_json(&out.join("compare.json"));
    let base_summary = &c["arms"][0]["summary"];
    let gated = &c["arms"][1]["summary"];
    assert_rate(base_summary, "success", 0.855);
    assert_rate(gated, "success", 0.979828);
    assert_rate(gated, "silent_failure", 0.016956);
    assert_rate(gated, "escalated", 0.003216);
    assert_eq!(figure(&c, 1, "p_correct")["significant"], true);
}

#[test]
fn removing_the_gate_gives_the_ungated_chain() {
    let scratch = Scratch::new();
    run_ok(
        "compare",
        &[
            "scenarios/support-agent.toml",
            "scenarios/reviews/support-agent-no-gate.toml",
            "--trials",
            "200000",
        ],
        scratch.path(),
    );
    let c = read_json(&scratch.path().join("compare.json"));
    assert_eq!(c["arms"][1]["name"], "support-agent-no-gate");
    assert_rate(&c["arms"][1]["summary"], "success", 0.855);
    assert_rate(&c["arms"][0]["summary"], "success", 0.979828);
    let csv = std::fs::read_to_string(scratch.path().join("compare.csv")).unwrap();
    assert!(csv.starts_with("arm,figure,base,value,diff,ci95_low,ci95_high,significant"));
    assert_eq!(csv.lines().count(), 1 + 2 * 11);
}

#[test]
fn compare_is_identical_for_any_thread_count() {
    let scratch = Scratch::new();
    let mut outputs = Vec::new();
    for threads in ["1", "3"] {
        let dir = scratch.path().join(threads);
        run_ok(
            "compare",
            &[
                "scenarios/single-call-rag.toml",
                "scenarios/agent-swarm.toml",
                "scenarios/reviews/swarm-with-gate.toml",
                "--trials",
                "30000",
                "--threads",
                threads,
            ],
            &dir,
        );
        outputs.push((
            std::fs::read(dir.join("compare.json")).unwrap(),
            std::fs::read(dir.join("compare.csv")).unwrap(),
        ));
    }
    assert!(
        outputs[0] == outputs[1],
        "results depend on the thread count"
    );
}

#[test]
fn bad_variant_files_are_explained_with_exit_code_2_and_no_output() {
    let support = std::fs::read_to_string("scenarios/support-agent.toml").unwrap();
    // (case, variant text, fragments the error must contain)
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("unknown base", "base = \"nope.toml\"\n".into(), vec!["v.toml", "base", "nope.toml"]),
        ("bad path", "base = \"b.toml\"\n[set]\n\"nodes.verfy.sensitivity\" = 0.5\n".into(), vec!["v.toml", "set.\"nodes.verfy.sensitivity\"", "did you mean \"verify\""]),
        ("whole array", "base = \"b.toml\"\n[set]\nnodes = 1\n".into(), vec!["v.toml", "names a whole array"]),
        ("remove unknown node", "base = \"b.toml\"\nremove = [\"ghost\"]\n".into(), vec!["v.toml", "remove[0]", "no node \"ghost\""]),
        ("ambiguous remove", "base = \"b.toml\"\nremove = [\"retrieve\"]\n".into(), vec!["remove[0]", "gate \"verify\" loops back to \"retrieve\""]),
        ("gate after unknown node", "base = \"b.toml\"\n[[add_gate]]\nafter = \"gen\"\nsensitivity = 0.9\n".into(), vec!["add_gate[0]", "no node \"gen\""]),
        ("gate without sensitivity", "base = \"b.toml\"\n[[add_gate]]\nafter = \"generate\"\n".into(), vec!["v.toml", "add gate generate-gate after generate", "sensitivity", "missing"]),
        ("duplicate gate id", "base = \"b.toml\"\n[[add_gate]]\nafter = \"generate\"\nid = \"verify\"\nsensitivity = 0.9\n".into(), vec!["add_gate[0]", "already exists"]),
        ("retry without target", "base = \"b.toml\"\n[[add_retry]]\nretries = 2\n".into(), vec!["add_retry[0]", "exactly one of"]),
        ("invalid value", "base = \"b.toml\"\n[set]\n\"nodes.generate.silent\" = 1.5\n".into(), vec!["v.toml", "set nodes.generate.silent = 1.5", "[0, 1]"]),
        ("unknown field", "base = \"b.toml\"\nremvoe = [\"verify\"]\n".into(), vec!["v.toml", "remvoe", "a variant has"]),
        ("future field", "base = \"b.toml\"\n[set]\n\"resources.gpu.servers\" = 4\n".into(), vec!["v.toml", "resources"]),
    ];
    for (case, text, fragments) in cases {
        let scratch = Scratch::new();
        scratch.file("b.toml", &support);
        let variant = scratch.file("v.toml", &text);
        let out = scratch.path().join("out");
        for command in ["compare", "report"] {
            let output = bin()
                .arg(command)
                .arg(scratch.path().join("b.toml"))
                .arg(&variant)
                .args(["--trials", "1000", "--out"])
                .arg(&out)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{case} ({command}): {stderr}"
            );
            for f in &fragments {
                assert!(
                    stderr.contains(f),
                    "{case} ({command}): missing {f:?} in:\n{stderr}"
                );
            }
            assert!(!stderr.contains("panicked"), "{case}: {stderr}");
            assert!(!out.exists(), "{case} ({command}): output written");
        }
    }
}
