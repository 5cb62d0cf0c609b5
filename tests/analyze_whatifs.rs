//! The what-ifs of `analyze`, built on the compiled model, are exactly the
//! scenarios the document edits of variant files give; and analysing a long
//! chain of distinct nodes takes memory linear in its length.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use coordsim::review::analyze::candidates::{Target, candidates};
use coordsim::review::analyze::whatif::what_if_model;
use coordsim::review::analyze::{Change, GateSettings};
use coordsim::review::edit;
use coordsim::review::variant::load_arm;
use coordsim::scenario::compile_document;

fn bundled() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["scenarios", "scenarios/reviews"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn perfect_and_one_more_retry_match_the_document_edits() {
    let mut checked = 0;
    for path in bundled() {
        let arm = load_arm(&path).unwrap();
        for c in candidates(&arm.scenario) {
            let target = match &c.target {
                Target::Node(i) => format!("nodes.{}", arm.scenario.entries[*i].id),
                Target::HandOff { from, to, .. } => format!("edges.{from}->{to}"),
            };
            let mut doc = arm.doc.clone();
            match c.change {
                Change::Perfect => edit::make_perfect(&mut doc, &target).unwrap(),
                Change::OneMoreRetry => {
                    edit::add_retries(&mut doc, &target, 1, &toml::Table::new()).unwrap()
                }
                Change::GateAfter | Change::Fallback | Change::Hedge => continue,
            }
            let edited = compile_document(Path::new(&path), &doc).unwrap().model;
            let built = what_if_model(&c, &arm, GateSettings::default()).unwrap();
            assert_eq!(
                format!("{built:?}"),
                format!("{edited:?}"),
                "{}: {} {}",
                path.display(),
                c.change.label(),
                c.component
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} what-ifs checked");
}

#[test]
fn components_follow_the_file_and_a_repeated_node_is_one() {
    let text = r#"
[defaults.edge]
loud = 0.01
[[nodes]]
id = "a"
kind = "tool"
silent = 0.01
[[nodes]]
id = "b"
kind = "llm"
repeat = 3
after = ["a"]
[[nodes]]
id = "b-gate"
kind = "llm"
after = ["b"]
loud = 0.1
"#;
    let scratch = Scratch::new();
    let path = scratch.file("s.toml", text);
    let arm = load_arm(&path).unwrap();
    let labels: Vec<String> = candidates(&arm.scenario)
        .iter()
        .map(|c| format!("{} {}", c.change.label(), c.component))
        .collect();
    // No "gate after b": a node is already called "b-gate".
    assert_eq!(
        labels,
        [
            "perfect a",
            "gate after a",
            "perfect b-gate",
            "+1 retry b-gate",
            "gate after b-gate",
            // b-gate can fail loudly and runs once: a second provider may take over.
            "fallback b-gate",
            "perfect a->b",
            "+1 retry a->b",
            "perfect b->b-gate",
            "+1 retry b->b-gate",
        ]
    );
    let perfect = &candidates(&arm.scenario)[0];
    let model = what_if_model(perfect, &arm, GateSettings::default()).unwrap();
    assert_eq!(model.nodes.len(), arm.scenario.model.nodes.len());
}

/// A chain of `n` distinct nodes, each able to fail silently and loudly.
fn chain(n: usize) -> String {
    let mut text = String::from("name = \"chain\"\n");
    for i in 1..=n {
        text +=
            &format!("[[nodes]]\nid = \"n{i}\"\nkind = \"llm\"\nsilent = 0.001\nloud = 0.001\n");
        if i > 1 {
            text += &format!("after = [\"n{}\"]\n", i - 1);
        }
    }
    text
}

/// Before what-ifs were run in batches, a 1000-node chain needed over 10 GB
/// (every what-if's model and per-node totals at once); now about 100 MB.
/// Capped at 2 GB of address space, it must complete.
#[cfg(target_os = "linux")]
#[test]
fn analysing_a_chain_of_a_thousand_nodes_stays_within_bounded_memory() {
    let scratch = Scratch::new();
    let path = scratch.file("chain.toml", &chain(1000));
    let out = scratch.path().join("out");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_coordsim"))
        .args([
            "analyze",
            path.to_str().unwrap(),
            "--trials",
            "2",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    let csv = std::fs::read_to_string(out.join("analyze.csv")).unwrap();
    // 1000 perfect, 1000 +1 retry, 1000 gate after, 1000 fallback (every
    // node can fail loudly); fixed latencies leave nothing to hedge, and
    // the hand-offs cannot fail.
    assert_eq!(csv.lines().count(), 1 + 4000, "{}", &csv[..200]);
}
