//! Voting merges (`merge = { vote = K }`), checked against closed forms
//! derived below, with tolerances from the 99.9% interval of each estimate;
//! that `{ k = N }` keeps its meaning beside them; and bad votes.
//!
//! The semantics (docs/MODEL.md, "Merges"): a vote over n inputs is right
//! when at least K inputs arrive right; when fewer do but some input arrives
//! ok, its output is a silent wrong answer; when every input fails, it fails
//! loudly. It is decided as soon as the result can no longer change.

mod common;

use common::*;
use serde_json::Value;

/// n choose j.
fn choose(n: u32, j: u32) -> f64 {
    (0..j).fold(1.0, |acc, i| acc * f64::from(n - i) / f64::from(i + 1))
}

/// P(Binomial(n, p) ≥ k).
fn at_least(k: u32, n: u32, p: f64) -> f64 {
    (k..=n)
        .map(|j| choose(n, j) * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32))
        .sum()
}

/// `n` independent source branches `b1..bn` (each one step with the given
/// silent and loud rates) feeding an aggregate node `vote` with `merge`.
/// (Votes over correlated samples, R10, are in tests/correlated.rs.)
fn branches(n: u32, silent: f64, loud: f64, merge: &str) -> String {
    let mut text = String::new();
    let mut after = Vec::new();
    for i in 1..=n {
        text += &format!(
            "[[nodes]]\nid = \"b{i}\"\nkind = \"llm\"\nsilent = {silent}\nloud = {loud}\n"
        );
        after.push(format!("\"b{i}\""));
    }
    text += &format!(
        "[[nodes]]\nid = \"vote\"\nkind = \"aggregate\"\nafter = [{}]\nmerge = {merge}\n",
        after.join(", ")
    );
    text
}

/// The per-node entry `id` of a summary.
fn node<'a>(summary: &'a Value, id: &str) -> &'a Value {
    summary["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

/// Asserts that `expected` lies in the 99.9% Wilson interval of `count` out
/// of the summary's trials.
fn assert_count_rate(summary: &Value, what: &str, count: f64, expected: f64) {
    let n = get(summary, "trials");
    let (lo, hi) = wilson(count, n, Z999);
    assert!(
        (lo..=hi).contains(&expected),
        "{what}: expected {expected}, simulated {} with 99.9% interval [{lo}, {hi}]",
        count / n
    );
}

#[test]
fn a_3_of_5_vote_over_independent_branches_is_binomial() {
    // Each branch is right with p = 0.8 and silently wrong otherwise, so the
    // number of right inputs is Binomial(5, 0.8) and the vote is right when it
    // is at least 3: Σ_{j≥3} C(5, j) 0.8^j 0.2^(5−j) = 0.942080 (R10's
    // independent baseline). Every other task is a silent wrong answer.
    let expected = at_least(3, 5, 0.8);
    assert!((expected - 0.942_080).abs() < 1e-6);
    let s = run_summary(&branches(5, 0.2, 0.0, "{ vote = 3 }"), 400_000, 21);
    assert_rate(&s, "success", expected);
    assert_rate(&s, "silent_failure", 1.0 - expected);
    assert_eq!(get(&s, "loud_failure.count"), 0.0);
}

#[test]
fn a_vote_with_loud_failures_splits_as_derived() {
    // Three branches, each right r = 0.5, silently wrong s = 0.2, loudly
    // failed l = 0.3; a 2-of-3 vote. With C right inputs, W wrong, F failed:
    //   correct  ⇔ C ≥ 2:              P = P(Bin(3, r) ≥ 2) = 0.5
    //   loud     ⇔ F = 3:              P = l³ = 0.027
    //   silent   ⇔ C < 2 and C + W ≥ 1: the rest, 0.473.
    // Of the silent ones, those with W = 0 (one right input, two failed:
    // no majority, no wrong input to blame) start at the vote itself:
    //   P(C = 1, F = 2) = 3 r l² = 0.135; the others start at a branch.
    let (r, s, l): (f64, f64, f64) = (0.5, 0.2, 0.3);
    let correct = at_least(2, 3, r);
    let loud = l.powi(3);
    let no_majority = 3.0 * r * l * l;
    let sum = run_summary(&branches(3, s, l, "{ vote = 2 }"), 400_000, 22);
    assert_rate(&sum, "success", correct);
    assert_rate(&sum, "loud_failure", loud);
    assert_rate(&sum, "silent_failure", 1.0 - correct - loud);
    let vote = node(&sum, "vote");
    let from_vote = vote["silent_reached_user"].as_f64().unwrap();
    assert_count_rate(
        &sum,
        "wrong answers started at the vote",
        from_vote,
        no_majority,
    );
    assert_eq!(vote["silent_introduced"], vote["silent_reached_user"]);
    // A lone 3-of-3 vote over the same branches: right only when all three are.
    let sum = run_summary(&branches(3, s, l, "{ vote = 3 }"), 400_000, 23);
    assert_rate(&sum, "success", r.powi(3));
    assert_rate(&sum, "loud_failure", loud);
}

#[test]
fn k_of_n_keeps_its_meaning_beside_a_vote() {
    // `{ k = 3 }` over the same five branches uses the first three inputs that
    // arrive ok, right or wrong, and is right only when all three are:
    // 0.8³ = 0.512, far below the 3-of-5 vote's 0.942080.
    let s = run_summary(&branches(5, 0.2, 0.0, "{ k = 3 }"), 400_000, 24);
    assert_rate(&s, "success", 0.8_f64.powi(3));
}

/// Three branches with fixed latencies 1, 2 and 3 s and the given silent
/// rates, into a vote with `merge`.
fn timed(silent: [f64; 3], merge: &str) -> String {
    let mut text = String::new();
    for (i, s) in silent.iter().enumerate() {
        text += &format!(
            "[[nodes]]\nid = \"b{}\"\nkind = \"llm\"\nsilent = {s}\nlatency = {{ dist = \"fixed\", value = {} }}\n",
            i + 1,
            i + 1
        );
    }
    text + &format!(
        "[[nodes]]\nid = \"vote\"\nkind = \"aggregate\"\nafter = [\"b1\", \"b2\", \"b3\"]\nmerge = {merge}\n"
    )
}

#[test]
fn a_vote_is_decided_as_soon_as_its_result_is_determined() {
    // All right: two right inputs decide a 2-of-3 vote at t = 2.
    let s = run_summary(&timed([0.0, 0.0, 0.0], "{ vote = 2 }"), 100, 1);
    assert_eq!(get(&s, "success.count"), 100.0);
    assert_eq!(get(&s, "latency_s.mean"), 2.0);
    // The first two wrong: a 2-of-3 vote can no longer be right at t = 2 and
    // answers wrongly then, blamed on the first wrong input to arrive (b1).
    let s = run_summary(&timed([1.0, 1.0, 0.0], "{ vote = 2 }"), 100, 1);
    assert_eq!(get(&s, "silent_failure.count"), 100.0);
    assert_eq!(get(&s, "latency_s.mean"), 2.0);
    assert_eq!(node(&s, "b1")["silent_reached_user"], 100);
    assert_eq!(node(&s, "b2")["silent_reached_user"], 0);
    // The first one wrong: the vote waits for the third input (t = 3).
    let s = run_summary(&timed([1.0, 0.0, 0.0], "{ vote = 2 }"), 100, 1);
    assert_eq!(get(&s, "success.count"), 100.0);
    assert_eq!(get(&s, "latency_s.mean"), 3.0);
}

#[test]
fn a_loop_back_recounts_the_votes_it_keeps() {
    // Branches b1, b2, b3 right with p = 0.7 (silent otherwise) into a 2-of-3
    // vote, then a perfect gate (sensitivity 1, no false alarms) that loops
    // back to b1 once: only b1 and the vote run again, b2's and b3's answers
    // are kept. Pass 1 is right with P(Bin(3, 0.7) ≥ 2) = 0.784. Otherwise
    // the loop-back can only help when exactly one of b2, b3 was right and b1
    // wrong (2 · 0.7 · 0.3 · 0.3 = 0.126), and then the new b1 must be right
    // (0.7): P(correct) = 0.784 + 0.126 · 0.7 = 0.8722; the rest escalates.
    let mut text = branches(3, 0.3, 0.0, "{ vote = 2 }");
    text += "[[nodes]]\nid = \"check\"\nkind = \"gate\"\nafter = [\"vote\"]\nsensitivity = 1.0\n\
             loop_to = \"b1\"\nmax_loops = 1\n";
    let p = 0.7;
    let correct = at_least(2, 3, p) + 2.0 * p * (1.0 - p) * (1.0 - p) * p;
    assert!((correct - 0.8722).abs() < 1e-12);
    let s = run_summary(&text, 400_000, 25);
    assert_rate(&s, "success", correct);
    assert_rate(&s, "escalated", 1.0 - correct);
    assert_eq!(get(&s, "silent_failure.count"), 0.0);
}

/// Runs `validate` and `run` on `text` and checks exit code 2, no output,
/// and a message holding `located` (`file:line:col: field: `) and `says`.
fn assert_refused(name: &str, text: &str, located: &str, says: &[&str]) {
    let scratch = Scratch::new();
    let file = scratch.file("s.toml", text);
    for command in ["validate", "run"] {
        let out = scratch.path().join("out");
        let mut cmd = bin();
        cmd.arg(command).arg(&file);
        if command == "run" {
            cmd.arg("--out").arg(&out);
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name} ({command}): {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name} ({command}): {stderr}");
        assert!(!out.exists(), "{name} ({command}) wrote outputs");
        for fragment in std::iter::once(&located).chain(says) {
            assert!(
                stderr.contains(fragment),
                "{name} ({command}) lacks {fragment:?}:\n{stderr}"
            );
        }
    }
}

#[test]
fn bad_votes_are_located_with_exit_code_2() {
    // Lines 1-6: two sources; lines 7-10: the merging node; line 11: merge.
    let two = |merge: &str| {
        format!(
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n\
             [[nodes]]\nid = \"c\"\nkind = \"aggregate\"\nafter = [\"a\", \"b\"]\nmerge = {merge}\n"
        )
    };
    let cases: &[(&str, String, &str, &[&str])] = &[
        (
            "vote larger than the inputs",
            two("{ vote = 3 }"),
            "s.toml:11:11: nodes[2] (c).merge.vote: ",
            &["is 3", "1 to 2 (the number of inputs)", "{ vote = 2 }"],
        ),
        (
            "vote of zero",
            two("{ vote = 0 }"),
            "s.toml:11:11: nodes[2] (c).merge.vote: ",
            &["is 0", "1 to 2"],
        ),
        (
            "negative vote",
            two("{ vote = -1 }"),
            "s.toml:11:18: nodes[2].merge.vote: ",
            &["-1"],
        ),
        (
            "vote not a number",
            two("{ vote = \"most\" }"),
            "s.toml:11:18: nodes[2].merge.vote: ",
            &["invalid type"],
        ),
        (
            "misspelt vote",
            two("{ votes = 2 }"),
            "s.toml:11:9: nodes[2].merge: ",
            &["did you mean `vote`"],
        ),
        (
            "vote and k together",
            two("{ vote = 2, k = 1 }"),
            "s.toml:11:9: nodes[2].merge: ",
            &["not both"],
        ),
        (
            "unknown merge name lists the tables",
            two("\"majority\""),
            "s.toml:11:9: nodes[2].merge: ",
            &["`all` or `any`", "{ vote = K }"],
        ),
        (
            "vote over one input",
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n\
             after = [\"a\"]\nmerge = { vote = 1 }\n"
                .to_string(),
            "s.toml:8:1: nodes[1] (b).merge: ",
            &["{ vote = K } choose among parallel inputs"],
        ),
        (
            "vote without inputs",
            "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nmerge = { vote = 1 }\n".to_string(),
            "s.toml:4:1: nodes[0] (a).merge: ",
            &["needs inputs"],
        ),
    ];
    for (name, text, located, says) in cases {
        assert_refused(name, text, located, says);
    }
}

#[test]
fn a_vote_in_json_is_read_and_checked_alike() {
    // JSON takes the same shape, and the checks name the same field.
    let scratch = Scratch::new();
    let file = scratch.file(
        "s.json",
        r#"{"nodes": [{"id": "a", "kind": "llm"}, {"id": "b", "kind": "llm"},
            {"id": "c", "kind": "llm", "after": ["a", "b"], "merge": {"vote": 3}}]}"#,
    );
    let output = bin().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("s.json: nodes[2] (c).merge.vote: is 3"),
        "{stderr}"
    );
}
