//! Correlated and persistent failures against closed forms (docs/MODEL.md):
//! per-task Beta rates and pass^k (R7), a stale index held for the task (R9),
//! and rates tied to a shared difficulty (a Gaussian copula).
//! Every check uses the 99.9% Wilson interval of the simulated count.

mod common;

use common::{Z999, assert_rate, get, run_summary, wilson};
use serde_json::Value;

/// Asserts that `expected` lies in the 99.9% Wilson interval of the pass^k
/// (or pass@k, `which` = "any") count of `k` runs, over the summary's tasks.
fn assert_pass(summary: &Value, which: &str, k: usize, expected: f64) {
    let n = get(summary, "trials");
    let entry = &summary["pass_k"][k - 1];
    assert_eq!(entry["k"].as_u64(), Some(k as u64));
    let count = entry[which]["count"].as_f64().unwrap();
    let (lo, hi) = wilson(count, n, Z999);
    assert!(
        (lo..=hi).contains(&expected),
        "pass_{which} k = {k}: expected {expected}, simulated {} in [{lo}, {hi}]",
        count / n
    );
}

#[test]
fn pass_k_under_a_beta_success_rate_is_the_beta_moment() {
    // R7: success P ~ Beta(8, 2), so the silent rate 1 - P ~ Beta(2, 8);
    // pass^k = E[P^k] = Π_{j<k} (8 + j) / (10 + j).
    let s = run_summary(
        "[run]\npass_k = 8\n[[nodes]]\nid = \"agent\"\nkind = \"agent\"\nsilent = { beta = [2, 8] }\n",
        200_000,
        1,
    );
    let exact = |k: usize| {
        (0..k)
            .map(|j| (8.0 + j as f64) / (10.0 + j as f64))
            .product::<f64>()
    };
    for (k, reference) in [(1, 0.8), (2, 0.654545), (4, 0.461538), (8, 0.264706)] {
        assert!((exact(k) - reference).abs() < 1e-6);
        assert_pass(&s, "all", k, exact(k));
    }
    // pass@k = 1 - E[(1 - P)^k] = 1 - Π_{j<k} (2 + j) / (10 + j).
    for k in [2, 4, 8] {
        let miss: f64 = (0..k)
            .map(|j| (2.0 + j as f64) / (10.0 + j as f64))
            .product();
        assert_pass(&s, "any", k, 1.0 - miss);
    }
    assert_rate(&s, "success", 0.8);
}

#[test]
fn the_same_rate_as_mean_and_concentration() {
    // mean 0.2, concentration 10 is Beta(2, 8): the same pass^2.
    let s = run_summary(
        "[run]\npass_k = 2\n[[nodes]]\nid = \"agent\"\nkind = \"agent\"\n\
         silent = { mean = 0.2, concentration = 10 }\n",
        100_000,
        3,
    );
    assert_pass(&s, "all", 2, 0.654545);
}

/// The support agent of scenarios/support-agent.toml (R3), with `extra`
/// added to its retrieval node.
fn support_agent(extra: &str) -> String {
    format!(
        "[[nodes]]\nid = \"retrieve\"\nkind = \"retrieval\"\nsilent = 0.10\n{extra}\n\
         [[nodes]]\nid = \"generate\"\nkind = \"llm\"\nafter = [\"retrieve\"]\nsilent = 0.05\n\
         [[nodes]]\nid = \"verify\"\nkind = \"gate\"\nafter = [\"generate\"]\nsensitivity = 0.9\n\
         false_alarm = 0.02\nloop_to = \"retrieve\"\nmax_loops = 2\non_exhausted = \"escalate\"\n"
    )
}

#[test]
fn a_stale_index_held_for_the_task_defeats_the_loop_back() {
    // R9: the retrieval's outcome is drawn once per task.
    let s = run_summary(&support_agent("persistence = \"task\""), 400_000, 1);
    assert_rate(&s, "success", 0.894957);
    assert_rate(&s, "silent_failure", 0.031906);
    assert_rate(&s, "escalated", 0.073136);
    // persistence = 1 is "task"; persistence = 0 is today's independent R3.
    let s = run_summary(&support_agent("persistence = 1"), 200_000, 2);
    assert_rate(&s, "success", 0.894957);
    let s = run_summary(&support_agent("persistence = 0"), 200_000, 2);
    assert_rate(&s, "success", 0.979828);
    assert_rate(&s, "escalated", 0.003216);
}

#[test]
fn partial_persistence_repeats_with_its_probability() {
    // One step failing loudly with l = 0.5, 1 retry, persistence ρ: the retry
    // repeats the failure with probability ρ, else redraws it, so
    // P(loud) = l · (ρ + (1 − ρ) · l). ρ = 0.6: 0.5 · (0.6 + 0.2) = 0.4.
    let s = run_summary(
        "[[nodes]]\nid = \"tool\"\nkind = \"tool\"\nloud = 0.5\npersistence = 0.6\nretry = { max = 1 }\n",
        200_000,
        1,
    );
    assert_rate(&s, "loud_failure", 0.4);
}

/// Two steps in series whose silent rates are Beta(2, 8), each loading
/// `loading` on the shared difficulty "hard".
fn two_correlated_steps(loading: f64) -> String {
    let step = |id: &str, after: &str| {
        format!(
            "[[nodes]]\nid = \"{id}\"\nkind = \"llm\"\n{after}\
             silent = {{ beta = [2, 8], difficulty = \"hard\", loading = {loading} }}\n"
        )
    };
    step("a", "") + &step("b", "after = [\"a\"]\n")
}

#[test]
fn steps_sharing_a_difficulty_fail_together() {
    // Loading 1 on one difficulty with equal Beta parameters: both steps
    // draw the same rate S, so P(correct) = E[(1 − S)²] with 1 − S ~ Beta(8, 2):
    // 8·9 / (10·11) = 0.654545 (independent rates: 0.8² = 0.64).
    let s = run_summary(&two_correlated_steps(1.0), 400_000, 1);
    assert_rate(&s, "success", 8.0 * 9.0 / (10.0 * 11.0));
    // Loading 0: independent draws, E[1 − S]² = 0.64.
    let s = run_summary(&two_correlated_steps(0.0), 400_000, 1);
    assert_rate(&s, "success", 0.64);
}

#[test]
fn a_partial_loading_matches_the_numerically_integrated_copula() {
    // Loading 0.6 on both steps: the normal scores correlate at 0.36, and
    // E[(1 − S₁)(1 − S₂)] = E_Z[ E[1 − S | Z]² ] = 0.645071 by Gauss–Hermite
    // quadrature (200 nodes; scipy's Beta quantile and normal CDF), between
    // the independent 0.64 and the comonotone 0.654545. With 10⁶ tasks the
    // 99.9% interval (± 0.0016) tells it apart from both.
    let s = run_summary(&two_correlated_steps(0.6), 1_000_000, 5);
    assert_rate(&s, "success", 0.645071);
    // Opposite loadings (+0.6 and −0.6): one step gets easier as the other
    // gets harder, 0.635105 by the same quadrature.
    let text = two_correlated_steps(0.6).replacen("loading = 0.6", "loading = -0.6", 1);
    let s = run_summary(&text, 1_000_000, 5);
    assert_rate(&s, "success", 0.635105);
}

/// Five samples of one model feeding a 3-of-5 vote; each sample's silent
/// rate is Beta(2, 8), loading `loading` on the shared difficulty "task".
fn five_samples(loading: f64) -> String {
    let mut text = String::new();
    for i in 1..=5 {
        text += &format!(
            "[[nodes]]\nid = \"s{i}\"\nkind = \"llm\"\n\
             silent = {{ beta = [2, 8], difficulty = \"task\", loading = {loading} }}\n"
        );
    }
    text + "[[nodes]]\nid = \"vote\"\nkind = \"aggregate\"\n\
            after = [\"s1\", \"s2\", \"s3\", \"s4\", \"s5\"]\nmerge = { vote = 3 }\n"
}

#[test]
fn a_vote_over_samples_of_one_model_shares_their_blind_spots() {
    // R10: the five samples share the task's P ~ Beta(8, 2) (loading 1, equal
    // parameters: one draw), so the number right is beta-binomial:
    // Σ_{j≥3} C(5, j) B(j + 8, 5 − j + 2) / B(8, 2) = 0.905095.
    let s = run_summary(&five_samples(1.0), 400_000, 1);
    assert_rate(&s, "success", 0.905095);
    // Independent samples (loading 0: each its own draw, mean 0.8):
    // Σ_{j≥3} C(5, j) 0.8^j 0.2^(5−j) = 0.942080.
    let s = run_summary(&five_samples(0.0), 400_000, 1);
    assert_rate(&s, "success", 0.942080);
}

#[test]
fn pass_k_from_the_command_line_is_the_run_field() {
    let scratch = common::Scratch::new();
    let file = scratch.file(
        "agent.toml",
        "[[nodes]]\nid = \"agent\"\nkind = \"agent\"\nsilent = { beta = [2, 8] }\n",
    );
    let run = |extra: &[&str], out: &str| {
        common::bin()
            .args([
                "run",
                file.to_str().unwrap(),
                "--trials",
                "20000",
                "--format",
                "json",
            ])
            .args(extra)
            .arg("--out")
            .arg(scratch.path().join(out))
            .output()
            .unwrap()
    };
    let flag = run(&["--pass-k", "4"], "flag");
    let set = run(&["--set", "run.pass_k=4"], "set");
    common::assert_success(&flag);
    assert_eq!(flag.stdout, set.stdout, "--pass-k 4 is --set run.pass_k=4");
    let summary: Value = serde_json::from_slice(&flag.stdout).unwrap();
    assert_eq!(summary["pass_k"].as_array().map(Vec::len), Some(4));
    let zero = run(&["--pass-k", "0"], "zero");
    let err = String::from_utf8_lossy(&zero.stderr);
    assert_eq!(zero.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--pass-k") && err.contains("1 to 1000"),
        "{err}"
    );
    assert!(!scratch.path().join("zero").exists());
}

#[test]
fn compare_pairs_pass_k_over_tasks() {
    // The pass-k agent (per-task Beta rate, mean 0.39, concentration 1.37)
    // against the same agent with a fixed rate of 0.39: pass^8 falls from
    // Π_{j<8} (a + j)/(a + b + j) (a = 0.61·1.37, b = 0.39·1.37) to 0.61^8.
    let scratch = common::Scratch::new();
    let base = std::fs::canonicalize("scenarios/pass-k-agent.toml").unwrap();
    let variant = scratch.file(
        "fixed.toml",
        &format!(
            "base = {:?}\nname = \"fixed-rate\"\n[set]\n\"nodes.agent.silent\" = 0.39\n",
            base.display().to_string()
        ),
    );
    let out = scratch.path().join("cmp");
    let output = common::bin()
        .args(["compare", base.to_str().unwrap(), variant.to_str().unwrap()])
        .args(["--trials", "40000", "--seed", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    common::assert_success(&output);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    let figure = json["arms"][1]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "p_pass_all_k")
        .expect("compare reports pass^K")
        .clone();
    let (a, b) = (0.61 * 1.37, 0.39 * 1.37);
    let beta: f64 = (0..8)
        .map(|j| (a + j as f64) / (a + b + j as f64))
        .product();
    let expected = 0.61f64.powi(8) - beta;
    let diff = figure["diff"].as_f64().unwrap();
    let lo = figure["ci95"][0].as_f64().unwrap();
    let half = (diff - lo) * Z999 / 1.959_963_984_540_054;
    assert!(
        (diff - expected).abs() <= half,
        "pass^8 difference: expected {expected}, simulated {diff} ± {half} (99.9%)"
    );
    assert_eq!(figure["significant"], true);
}
