//! Common causes of failure (`[[common_causes]]`) and the failure
//! correlation between nodes (`[run] failure_correlation`), against closed
//! forms (docs/MODEL.md, "Common causes"). Rates use the 99.9% Wilson
//! interval of the simulated count; phi uses its own reported 95% interval
//! widened to 99.9%.

mod common;

use common::{Scratch, Z999, assert_rate, bin, get, run_summary};
use serde_json::Value;

const Z95: f64 = 1.959_963_984_540_054;

/// a → b → c: a and b wrong 5% of the time on their own and both wrong when
/// the shared model misreads the task (10%); c errs 20% per attempt with two
/// retries, and its provider is down for 5% of tasks.
const CHAIN: &str = r#"
[run]
failure_correlation = true
[[nodes]]
id = "a"
kind = "llm"
silent = 0.05
[[nodes]]
id = "b"
kind = "llm"
silent = 0.05
after = ["a"]
[[nodes]]
id = "c"
kind = "tool"
loud = 0.2
retry = { max = 2 }
after = ["b"]
[[common_causes]]
id = "model"
members = ["a", "b"]
probability = 0.1
[[common_causes]]
id = "api"
members = ["c"]
probability = 0.05
effect = "loud"
"#;

#[test]
fn a_chain_with_common_causes_matches_its_closed_form() {
    let s = run_summary(CHAIN, 200_000, 3);
    // c delivers unless the incident strikes or all three attempts fail.
    let c_ok = 0.95 * (1.0 - 0.2f64.powi(3));
    // a and b are both right only when the shared cause is absent.
    let ab_ok = 0.9 * 0.95 * 0.95;
    assert_rate(&s, "success", ab_ok * c_ok);
    assert_rate(&s, "silent_failure", (1.0 - ab_ok) * c_ok);
    assert_rate(&s, "loud_failure", 1.0 - c_ok);
}

/// The reported phi of pair (`a`, `b`).
fn pair<'a>(s: &'a Value, a: &str, b: &str) -> &'a Value {
    s["failure_correlation"]
        .as_array()
        .expect("failure_correlation is reported")
        .iter()
        .find(|p| p["a"] == a && p["b"] == b)
        .unwrap_or_else(|| panic!("no pair {a} + {b}"))
}

fn assert_phi(s: &Value, a: &str, b: &str, expected: f64) {
    let p = pair(s, a, b);
    let phi = p["phi"].as_f64().unwrap();
    let half95 = (phi - p["phi_ci95"][0].as_f64().unwrap()).max(1e-12);
    let half = half95 * Z999 / Z95;
    assert!(
        (phi - expected).abs() <= half,
        "phi({a}, {b}): expected {expected}, simulated {phi} ± {half} (99.9%)"
    );
}

#[test]
fn the_failure_correlation_of_a_shared_cause_is_its_phi() {
    let s = run_summary(CHAIN, 200_000, 4);
    // a fails in a task with P = 1 − 0.9·0.95; both fail with 0.1 + 0.9·0.05².
    let pa: f64 = 1.0 - 0.9 * 0.95;
    let both: f64 = 0.1 + 0.9 * 0.05 * 0.05;
    let phi = (both - pa * pa) / (pa * (1.0 - pa));
    assert!((phi - 0.655172).abs() < 1e-6);
    assert_phi(&s, "a", "b", phi);
    // c's failures come from an independent cause: no correlation with a or b.
    assert_phi(&s, "a", "c", 0.0);
    assert_phi(&s, "b", "c", 0.0);
    let lift = pair(&s, "a", "b")["lift"].as_f64().unwrap();
    assert!(
        lift > 4.0,
        "a and b fail together {lift}× as often as independence predicts"
    );
}

#[test]
fn a_cause_is_drawn_once_per_task_and_holds_across_its_runs() {
    // The only failure is the cause (10% of tasks): every run of a struck task
    // fails, so pass^k = pass@k = 0.9 for every k, not 0.9^k.
    let s = run_summary(
        "[run]\npass_k = 4\n[[nodes]]\nid = \"x\"\nkind = \"llm\"\n\
         [[common_causes]]\nid = \"down\"\nmembers = [\"x\"]\nprobability = 0.1\n",
        100_000,
        5,
    );
    for k in 1..=4 {
        for which in ["all", "any"] {
            let entry = &s["pass_k"][k - 1][which];
            let n = get(&s, "trials");
            let (lo, hi) = common::wilson(entry["count"].as_f64().unwrap(), n, Z999);
            assert!(
                (lo..=hi).contains(&0.9),
                "pass {which} k = {k}: [{lo}, {hi}]"
            );
        }
    }
}

#[test]
fn the_bundled_vote_with_a_shared_blind_spot_matches_its_closed_form() {
    let text = std::fs::read_to_string("scenarios/shared-blind-spot.toml").unwrap();
    let s = run_summary(&text, 100_000, 6);
    // P(at least 3 of 5 right at 0.8), unless the blind spot strikes (5%);
    // then the check: no incident (99%) and not all three attempts failing.
    let vote: f64 = (3..=5)
        .map(|k| {
            let c = [1.0, 5.0, 10.0, 10.0, 5.0, 1.0][k];
            c * 0.8f64.powi(k as i32) * 0.2f64.powi(5 - k as i32)
        })
        .sum();
    assert!((vote - 0.94208).abs() < 1e-12);
    assert_rate(&s, "success", 0.95 * vote * 0.99 * (1.0 - 0.02f64.powi(3)));
}

#[test]
fn without_common_causes_the_results_do_not_change() {
    // The same chain with the causes' probabilities set to zero gives exactly
    // the chain without them (each cause draws from a stream of its own).
    let zero = CHAIN
        .replace("probability = 0.1", "probability = 0.0")
        .replace("probability = 0.05", "probability = 0.0");
    let without = CHAIN.split("[[common_causes]]").next().unwrap().to_string();
    let a = run_summary(&zero, 20_000, 7);
    let b = run_summary(&without, 20_000, 7);
    for path in [
        "success.count",
        "silent_failure.count",
        "loud_failure.count",
        "latency_s.mean",
    ] {
        assert_eq!(get(&a, path), get(&b, path), "{path}");
    }
}

#[test]
fn bad_common_causes_are_located_errors() {
    let scratch = Scratch::new();
    let base = CHAIN.split("[[common_causes]]").next().unwrap();
    let gate = "[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"c\"]\nsensitivity = 0.9\n";
    let cases = [
        (
            "[[common_causes]]\nid = \"x\"\nmembers = [\"a\"]\nprobability = 1.5\n",
            "common_causes[0].probability",
        ),
        (
            "[[common_causes]]\nid = \"x\"\nmembers = []\nprobability = 0.1\n",
            "common_causes[0].members",
        ),
        (
            "[[common_causes]]\nid = \"x\"\nmembers = [\"zz\"]\nprobability = 0.1\n",
            "common_causes[0].members[0]",
        ),
        (
            "[[common_causes]]\nid = \"x\"\nmembers = [\"a\", \"a\"]\nprobability = 0.1\n",
            "listed twice",
        ),
        (
            "[[common_causes]]\nid = \"x\"\nmembers = [\"a\"]\nprobability = 0.1\n\
             [[common_causes]]\nid = \"x\"\nmembers = [\"b\"]\nprobability = 0.1\n",
            "used twice",
        ),
        (
            "[[common_causes]]\nid = \"x\"\nmembers = [\"a\"]\nprobability = 0.1\neffect = \"soft\"\n",
            "effect",
        ),
    ];
    for (i, (extra, expected)) in cases.iter().enumerate() {
        let file = scratch.file(&format!("bad{i}.toml"), &format!("{base}{extra}"));
        assert_refused(&file, expected);
    }
    let file = scratch.file(
        "gate.toml",
        &format!(
            "{base}{gate}[[common_causes]]\nid = \"x\"\nmembers = [\"g\"]\nprobability = 0.1\n"
        ),
    );
    assert_refused(&file, "is a gate");
    // Pair counts are for independent trials of graphs of at most 64 components.
    let wide =
        "[run]\nfailure_correlation = true\n[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 40\n";
    assert_refused(&scratch.file("wide.toml", wide), "run.failure_correlation");
}

/// Asserts that `validate` refuses `file` with exit code 2, saying `expected`.
fn assert_refused(file: &std::path::Path, expected: &str) {
    let out = bin()
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}: {err}", file.display());
    assert!(err.contains(expected), "{}: {err}", file.display());
}
