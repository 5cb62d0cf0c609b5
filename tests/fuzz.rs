//! Fuzzing the scenario reader and checker: arbitrary bytes, and bundled
//! scenarios mutated token by token, must never make `parse`, `compile`,
//! locating problems or (for small valid results) a short simulation panic.
//!
//! The case counts are fixed and the persistence file is off, so the test
//! runs in bounded time in CI (a few seconds on two cores) and always checks the
//! same number of inputs; proptest's seed is random, so every run explores
//! new ones. Inputs it found are kept in `regressions()` below.

use std::path::Path;

use coordsim::scenario::{compile, locate::attach_locations, parse};
use coordsim::sim::{Control, simulate};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Parses, checks and (when small and valid) briefly simulates `text` read
/// as the file `name`; any panic fails the test.
fn exercise(name: &str, text: &str) {
    let path = Path::new(name);
    let file = match parse(path, text) {
        Ok(file) => file,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    match compile(&file, "fuzz") {
        Err(mut problems) => {
            assert!(!problems.is_empty(), "a failed check names a problem");
            attach_locations(&mut problems, text);
        }
        Ok(mut s) => {
            if s.workload.is_none() && s.model.exec_count() <= 400 {
                s.model.limits.max_events = 20_000;
                let _ = simulate(&s, 16, 1, Control::none());
            }
        }
    }
}

/// Scenario texts the mutations start from.
fn seeds() -> Vec<String> {
    let mut seeds: Vec<String> = [
        "scenarios/six-step-pipeline.toml",
        "scenarios/support-agent.toml",
        "scenarios/agent-swarm.toml",
        "scenarios/single-call-rag.toml",
        "scenarios/chip-layer-load.toml",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(p).expect("bundled scenario"))
    .collect();
    seeds.push(
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nmerge = { k = 2 }\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n\
         after = [\"a\"]\n[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\", \"b\"]\nsensitivity = 0.5\n\
         loop_to = \"a\"\nmax_loops = 3\n[[edges]]\nfrom = \"a\"\nto = \"b\"\nloud = 0.5\nretry = { max = 3 }\n"
            .to_string(),
    );
    seeds
}

/// Fragments a mutation inserts: numbers at the edges of what is allowed,
/// structure, references and keys.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1",
    "1.5",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e-320",
    "18446744073709551615",
    "100000",
    "1000000000000",
    "\"\"",
    "\"a\"",
    "\"gate\"",
    "\"any\"",
    "{ k = 0 }",
    "[]",
    "[[nodes]]",
    "[[edges]]",
    "[[resources]]",
    "[workload]",
    "[run]",
    "[defaults.edge]",
    "after = [\"a\"]",
    "loop_to = \"a\"",
    "max_loops = 1000",
    "repeat = 100000",
    "kind = \"gate\"",
    "id = \"a\"",
    "resource = \"gpu\"",
    "transfer = { link = \"gpu\", bytes = 1 }",
    "latency = { dist = \"tokens\", tokens_per_s = 1 }",
    "\n",
    "=",
    "]",
    "[",
    "{",
    "}",
    ",",
    "\"",
    "#",
    ".",
    "é",
    "\u{0}",
];

/// One edit of a text: byte positions are taken modulo its length and moved
/// to a character boundary.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut i = if text.is_empty() {
        0
    } else {
        at % (text.len() + 1)
    };
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, e: &Edit) -> String {
    match *e {
        Edit::Delete(at, n) => {
            let start = boundary(text, at);
            let end = boundary(text, start.saturating_add(n).min(text.len()));
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Edit::Insert(at, t) => {
            let i = boundary(text, at);
            format!("{}{}{}", &text[..i], TOKENS[t], &text[i..])
        }
        Edit::DuplicateLine(l) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let l = l % lines.len();
                lines.insert(l, lines[l]);
            }
            lines.join("\n")
        }
        Edit::SwapLines(a, b) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            lines.join("\n")
        }
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(20000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        exercise("f.toml", &text);
        exercise("f.json", &text);
    }
}

proptest! {
    #![proptest_config(config(20000))]

    #[test]
    fn mutated_scenarios_never_panic(
        seed in 0usize..6,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let mut text = seeds()[seed].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        exercise("f.toml", &text);
    }
}

/// Inputs worth keeping: those that once broke something, minimised.
#[test]
fn regressions() {
    for text in [
        // A multibyte character right before a problem's position.
        "[[nodes]]\nid = \"é\"\nkind = \"llm\"\nsilent = 2\n",
        // A repeated node with a merge: copies after the first have one input.
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\n\
         [[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"a\", \"b\"]\nmerge = \"any\"\nrepeat = 3\n",
        // Labels holding dots and parentheses in problem paths.
        "[[nodes]]\nid = \"a).b(\"\nkind = \"llm\"\nsilent = 2\n",
        "",
        "nodes = 5",
        "[[nodes]]\n[[nodes]]\n",
    ] {
        exercise("r.toml", text);
    }
}
