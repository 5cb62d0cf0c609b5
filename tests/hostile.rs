//! Hostile scenario input beyond the everyday bad-input tests: paths deep
//! enough to overflow a stack, workloads that would never end, fields varied
//! twice, figures too large to represent, and JSON that TOML cannot hold.

mod common;

use std::time::{Duration, Instant};

use common::*;

const SCENARIO: &str = "[run]\ntrials = 200\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nrepeat = 1\n";

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs coordsim with `args` in `scratch`; asserts exit code 2, no panic and
/// a short message holding every fragment; returns the message.
fn refused(scratch: &Scratch, args: &[&str], fragments: &[&str]) -> String {
    let output = bin()
        .current_dir(scratch.path())
        .args(args)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.len() < 4000,
        "{args:?}: a message of {} bytes",
        err.len()
    );
    for f in fragments {
        assert!(err.contains(f), "{args:?}: lacks {f:?}: {err}");
    }
    err
}

#[test]
fn deep_field_paths_are_refused_before_any_recursion() {
    let scratch = Scratch::new();
    scratch.file("s.toml", SCENARIO);
    let deep = vec!["k"; 60_000].join(".");
    let set = format!("{deep}=1");
    refused(
        &scratch,
        &["run", "s.toml", "--set", &set, "--out", "o"],
        &["--set k.k.k", "allowed: at most"],
    );
    refused(
        &scratch,
        &[
            "sweep",
            "s.toml",
            "--vary",
            &format!("{deep}=1,2"),
            "--out",
            "o",
        ],
        &["--vary k.k.k", "allowed: at most"],
    );
    let many = vec!["k"; 200_000].join(".");
    scratch.file(
        "v.toml",
        &format!("base = \"s.toml\"\n[set]\n\"{many}\" = 1\n"),
    );
    refused(
        &scratch,
        &["compare", "s.toml", "v.toml", "--out", "o"],
        &["v.toml", "set.\"k.k.k", "allowed: at most"],
    );
    scratch.file(
        "sv.toml",
        &format!("{SCENARIO}[sweep]\nvary = [\"{many}=1,2\"]\n"),
    );
    for command in ["sweep", "validate"] {
        refused(
            &scratch,
            &[command, "sv.toml"],
            &["sv.toml", "[sweep] vary[0]", "allowed: at most"],
        );
    }
    assert!(!scratch.path().join("o").exists());
    assert!(!scratch.path().join("outputs").exists());
}
