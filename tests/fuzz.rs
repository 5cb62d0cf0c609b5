//! Fuzzing the scenario reader and checker: arbitrary bytes, and bundled
//! scenarios mutated token by token, must never make `parse`, `compile`,
//! locating problems or (for small valid results) a short simulation panic.
//! Nor may field paths (`--set`, `--vary`), variant files or partial result
//! files, mutated the same way, make their readers panic or overflow a stack.
//!
//! The case counts are fixed and the persistence file is off, so the test
//! runs in bounded time in CI (a few seconds on two cores) and always checks the
//! same number of inputs; proptest's seed is random, so every run explores
//! new ones. Inputs it found are kept in `regressions()` below.

use std::path::Path;

use coordsim::review::variant::{VariantFile, apply as apply_variant};
use coordsim::scenario::{compile, compile_document, locate::attach_locations, parse, patch};
use coordsim::shard::{Identity, Partial, PointPart, Shard, merge_points, wire::TallyWire};
use coordsim::sim::{Control, Tally, run_length, simulate, simulate_slice, summarize};
use coordsim::sweep::{Axis, Grid, Plan};
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

/// Pieces field paths are made of: real keys and names, separators, and
/// what breaks naive walkers (empty segments, huge repeats, odd characters).
const PATH_PIECES: &[&str] = &[
    "nodes", "edges", "defaults", "edge", "run", "workload", "sweep", "retrieve", "generate", "a",
    "b", "a->b", "->", "silent", "loud", "latency", "mean", "retry", "max", "repeat", "depth",
    "trials", "seed", "rate", ".", "..", "", "é", "[0]", "\"", "=", " ",
];

/// A field path of up to 40 pieces, sometimes repeated into thousands of segments.
fn path() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(0..PATH_PIECES.len(), 1..40),
        prop_oneof![Just(1usize), Just(2), 1usize..20_000],
    )
        .prop_map(|(pieces, repeat)| {
            let one: Vec<&str> = pieces.iter().map(|&i| PATH_PIECES[i]).collect();
            vec![one.join("."); repeat].join(".")
        })
}

/// Values given to a path: numbers at the edges, tables, text, nonsense.
const VALUES: &[&str] = &[
    "0",
    "1",
    "0.5",
    "-1",
    "1e308",
    "nan",
    "inf",
    "\"x\"",
    "{ dist = \"fixed\", value = 1 }",
    "[]",
    "1..3",
    "0:1:0.25",
    "1,2",
    "",
    "=",
    "{",
];

const BASE: &str = "[run]\ntrials = 20\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nrepeat = 2\n\
    [[nodes]]\nid = \"b\"\nkind = \"gate\"\nafter = [\"a\"]\nloop_to = \"a\"\nmax_loops = 1\n";

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn field_paths_never_panic(path in path(), value in 0..VALUES.len()) {
        let base: toml::Table = BASE.parse().unwrap();
        let file = Path::new("f.toml");
        // --set PATH=VALUE
        let mut doc = base.clone();
        if let Ok(v) = patch::parse_value(VALUES[value])
            && patch::set_path(&mut doc, &path, v).is_ok()
        {
            let _ = compile_document(file, &doc);
        }
        let _ = patch::get_path(&base, &path);
        // --vary PATH=VALUES
        let spec = format!("{path}={}", VALUES[value]);
        if let Ok(axis) = Axis::parse(&spec, |p| format!("--vary {p}"))
            && let Ok(grid) = Grid::new(vec![axis])
            && grid.len() <= 4
        {
            let _ = Plan::new(file, base, grid, Some(5), Some(1));
        }
    }
}

/// Variant files the mutations start from: the bundled ones, and one that
/// uses every kind of patch.
fn variant_seeds() -> Vec<String> {
    let mut seeds: Vec<String> = [
        "scenarios/reviews/swarm-with-gate.toml",
        "scenarios/reviews/support-agent-no-gate.toml",
        "scenarios/reviews/support-agent-stronger-gate.toml",
        "scenarios/reviews/single-call-rag-gated.toml",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(p).expect("bundled variant"))
    .collect();
    seeds.push(
        "base = \"x.toml\"\nremove = [\"a\"]\n[set]\n\"nodes.b.silent\" = 0.1\n\
         [[add_gate]]\nafter = \"b\"\nloop_to = \"b\"\n[[add_retry]]\nedge = \"a->b\"\nretries = 2\n"
            .to_string(),
    );
    seeds
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn mutated_variant_files_never_panic(
        seed in 0usize..5,
        base in 0usize..6,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let mut text = variant_seeds()[seed].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        let Ok(variant) = toml::from_str::<VariantFile>(&text) else {
            return Ok(());
        };
        let Ok(mut doc) = seeds()[base].parse::<toml::Table>() else {
            return Ok(());
        };
        if apply_variant(&variant, &mut doc).is_ok()
            && let Ok(mut s) = compile_document(Path::new("v.toml"), &doc)
            && s.workload.is_none()
            && s.model.exec_count() <= 400
        {
            s.model.limits.max_events = 20_000;
            let _ = simulate(&s, 8, 1, Control::none());
        }
    }
}

/// Two partial results of a small run with a gate, and the same of a loaded run.
fn partial_seeds() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(make_partial_seeds)
}

fn make_partial_seeds() -> Vec<Vec<u8>> {
    let gated = BASE
        .replace("kind = \"gate\"\n", "kind = \"gate\"\nsensitivity = 0.9\n")
        .replace(
            "repeat = 2\n",
            "repeat = 2\nsilent = 0.2\nloud = 0.1\nretry = { max = 1 }\n",
        );
    let runs = [
        (gated, 300u64),
        (
            "[workload]\narrivals = \"open\"\nrate = 2\ntasks = 30\nreplications = 3\n\
             [[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 2\n\
             [[nodes]]\nid = \"a\"\nkind = \"llm\"\nresource = \"gpu\"\n\
             latency = { dist = \"exponential\", mean = 0.2 }\n"
                .to_string(),
            0,
        ),
    ];
    let mut out = Vec::new();
    for (text, trials) in runs {
        let doc: toml::Table = text.parse().unwrap();
        let s = compile_document(Path::new("p.toml"), &doc).unwrap();
        let length = run_length(&s, trials);
        for index in 1..=2 {
            let shard = Shard { index, count: 2 };
            let range = shard.range(length);
            let tally = simulate_slice(&s, trials, 7, range.clone(), Control::none()).unwrap();
            let identity = Identity {
                command: "run".into(),
                file: "p.toml".into(),
                scenario: s.model.name.clone(),
                document: toml::to_string(&doc).unwrap(),
                trials: Some(trials),
                seed: Some(7),
                vary: Vec::new(),
                version: env!("CARGO_PKG_VERSION").into(),
                overrides: Vec::new(),
            };
            let point = PointPart {
                length,
                range: [range.start, range.end],
                tally: TallyWire::from_tally(&tally),
            };
            out.push(Partial::new(identity, shard, vec![point]).to_json());
        }
    }
    out
}

/// Numbers an edited partial may hold instead of its own.
const NUMBERS: &[u64] = &[
    0,
    1,
    2,
    1000,
    u32::MAX as u64,
    i64::MAX as u64,
    u64::MAX - 1,
    u64::MAX,
];

/// Sets the `k`-th number leaf of `v` (in document order, modulo their count)
/// to `n`, or, when `drop` is set, removes the `k`-th array element instead.
fn edit_json(v: &mut serde_json::Value, k: usize, n: u64, drop: bool) {
    let mut numbers = 0;
    let mut arrays = 0;
    count(v, &mut numbers, &mut arrays);
    if drop && arrays > 0 {
        let mut target = k % arrays;
        drop_element(v, &mut target);
    } else if numbers > 0 {
        let mut target = k % numbers;
        set_number(v, &mut target, n);
    }
}

fn count(v: &serde_json::Value, numbers: &mut usize, arrays: &mut usize) {
    match v {
        serde_json::Value::Number(_) => *numbers += 1,
        serde_json::Value::Array(items) => {
            if !items.is_empty() {
                *arrays += 1;
            }
            items.iter().for_each(|i| count(i, numbers, arrays));
        }
        serde_json::Value::Object(map) => map.values().for_each(|i| count(i, numbers, arrays)),
        _ => {}
    }
}

fn set_number(v: &mut serde_json::Value, target: &mut usize, n: u64) -> bool {
    match v {
        serde_json::Value::Number(_) => {
            if *target == 0 {
                *v = n.into();
                return true;
            }
            *target -= 1;
            false
        }
        serde_json::Value::Array(items) => items.iter_mut().any(|i| set_number(i, target, n)),
        serde_json::Value::Object(map) => map.values_mut().any(|i| set_number(i, target, n)),
        _ => false,
    }
}

fn drop_element(v: &mut serde_json::Value, target: &mut usize) -> bool {
    match v {
        serde_json::Value::Array(items) if !items.is_empty() => {
            if *target == 0 {
                items.pop();
                return true;
            }
            *target -= 1;
            items.iter_mut().any(|i| drop_element(i, target))
        }
        serde_json::Value::Array(_) => false,
        serde_json::Value::Object(map) => map.values_mut().any(|i| drop_element(i, target)),
        _ => false,
    }
}

/// Merges and summarises `partials` as `coordsim merge` does; must not panic.
fn merge_and_summarise(partials: &[(String, Partial)]) {
    let Ok((identity, tallies)) = merge_points(partials) else {
        return;
    };
    let Ok(doc) = identity.document.parse::<toml::Table>() else {
        return;
    };
    let Ok(s) = compile_document(Path::new("p.toml"), &doc) else {
        return;
    };
    let (Some(trials), Some(seed), [tally]) = (identity.trials, identity.seed, &tallies[..]) else {
        return;
    };
    // The shape checks of `coordsim merge` (src/cli/merge.rs).
    let m = &s.model;
    let fits = match tally {
        Tally::Trials(acc) => {
            s.workload.is_none() && acc.execs.len() == m.exec_count() && acc.trials == trials
        }
        Tally::Replications(reps) => {
            s.workload.is_some()
                && reps.len() as u64 == run_length(&s, trials)
                && reps.iter().all(|r| {
                    r.acc.execs.len() == m.exec_count()
                        && r.pools.len() == m.pools.len()
                        && r.links.len() == m.links.len()
                })
        }
    };
    if fits {
        let _ = summarize(&s, seed, tally.clone());
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn edited_partial_files_never_panic(
        run in 0usize..2,
        edits in proptest::collection::vec(
            (any::<usize>(), 0..NUMBERS.len(), any::<bool>(), any::<bool>()), 1..4),
        bytes in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..3),
    ) {
        let seeds = partial_seeds();
        let mut files: Vec<Vec<u8>> = seeds[run * 2..run * 2 + 2].to_vec();
        for &(k, n, drop, second) in &edits {
            let f = &mut files[second as usize];
            let mut v: serde_json::Value = serde_json::from_slice(f).unwrap();
            edit_json(&mut v, k, NUMBERS[n], drop);
            // Sealed again, so that the checks behind the checksum are reached.
            *f = match serde_json::from_value::<Partial>(v) {
                Ok(p) => p.to_json(),
                Err(_) => continue,
            };
        }
        // And raw bytes changed, which the checksum must catch.
        for &(at, b) in &bytes {
            let f = &mut files[at % 2];
            let i = at % f.len();
            f[i] = b;
        }
        let partials: Vec<(String, Partial)> = files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Partial::from_json(f).ok().map(|p| (format!("p{i}"), p)))
            .collect();
        if partials.len() == 2 {
            merge_and_summarise(&partials);
        }
    }
}

#[test]
fn unedited_partials_merge() {
    let seeds = partial_seeds();
    for run in 0..2 {
        let partials: Vec<(String, Partial)> = seeds[run * 2..run * 2 + 2]
            .iter()
            .map(|f| ("p".to_string(), Partial::from_json(f).unwrap()))
            .collect();
        assert!(merge_points(&partials).is_ok());
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
