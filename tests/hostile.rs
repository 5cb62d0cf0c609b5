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

#[test]
fn workloads_that_would_never_end_are_refused_promptly() {
    let scratch = Scratch::new();
    let closed = "[workload]\narrivals = \"closed\"\nconcurrency = 2\nduration_s = 10\n\
                  [[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
    scratch.file("closed.toml", closed);
    scratch.file(
        "closed-tasks.toml",
        &closed.replace("duration_s = 10", "tasks = 1000"),
    );
    // Zero-time service in a pool: only the run can tell.
    scratch.file(
        "closed-pool.toml",
        "[workload]\narrivals = \"closed\"\nconcurrency = 3\nduration_s = 10\n[[resources]]\n\
         id = \"svc\"\nkind = \"service\"\nservers = 2\nservice = { dist = \"fixed\", value = 0 }\n\
         [[nodes]]\nid = \"a\"\nkind = \"tool\"\nresource = \"svc\"\n",
    );
    scratch.file(
        "open.toml",
        "[workload]\narrivals = \"open\"\nschedule = [[0, 1], [10, 0]]\ntasks = 1000\n\
         [[nodes]]\nid = \"a\"\nkind = \"llm\"\nlatency = { dist = \"fixed\", value = 0.1 }\n",
    );
    let started = Instant::now();
    for (file, fragments) in [
        ("closed.toml", &["workload.think", "never advances"][..]),
        (
            "closed-tasks.toml",
            &["workload.think", "never advances"][..],
        ),
        (
            "closed-pool.toml",
            &["clock does not advance", "t = 0 s"][..],
        ),
        (
            "open.toml",
            &["workload.schedule[1][1]", "drops to 0 at 10 s"][..],
        ),
    ] {
        refused(&scratch, &["run", file, "--out", "o"], fragments);
    }
    for file in ["closed.toml", "open.toml"] {
        refused(&scratch, &["validate", file], &[file]);
    }
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(!scratch.path().join("o").exists());
}

#[test]
fn figures_that_cannot_be_represented_are_refused_or_widened() {
    let scratch = Scratch::new();
    let node = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";
    scratch.file(
        "cost.toml",
        &format!("{node}cost = {{ per_call = 1.7e26 }}\n"),
    );
    refused(
        &scratch,
        &["run", "cost.toml", "--out", "o"],
        &[
            "cost.toml:4:1: nodes[0] (a).cost",
            "1.7e26",
            "allowed: at most 1e9",
        ],
    );
    scratch.file(
        "time.toml",
        &format!(
            "[run]\nmax_time_s = 1e300\n{node}latency = {{ dist = \"fixed\", value = 1e12 }}\n"
        ),
    );
    refused(
        &scratch,
        &["run", "time.toml", "--out", "o"],
        &["run.max_time_s", "allowed: at most 1e10"],
    );
    scratch.file(
        "rate.toml",
        &format!("[workload]\narrivals = \"open\"\nrate = 1e-300\ntasks = 100\n{node}"),
    );
    refused(
        &scratch,
        &["run", "rate.toml", "--out", "o"],
        &["workload.rate", "1e-300", "allowed: at most 1e10 s"],
    );
    // Squared latencies of 9e9 s pass 2^128 ns² after five trials: the sum is
    // widened, and the mean's interval keeps its width (about ±3.6e6 s).
    let summary = run_summary(
        &format!(
            "[run]\nmax_time_s = 1e10\n{node}latency = {{ dist = \"uniform\", low = 8.9e9, high = 9.1e9 }}\n"
        ),
        1000,
        1,
    );
    let mean = get(&summary, "latency_s.mean");
    let lo = get(&summary, "latency_s.mean_ci95.0");
    let hi = get(&summary, "latency_s.mean_ci95.1");
    assert!((mean - 9e9).abs() < 1e7, "{mean}");
    let half = (hi - lo) / 2.0;
    assert!((2e6..6e6).contains(&half), "half width {half}");
}

#[test]
fn a_field_varied_twice_is_refused_even_through_an_alias() {
    let scratch = Scratch::new();
    scratch.file("s.toml", SCENARIO);
    refused(
        &scratch,
        &[
            "sweep",
            "s.toml",
            "--vary",
            "depth=1,2",
            "--vary",
            "nodes.a.repeat=5,6",
            "--out",
            "o",
        ],
        &["--vary nodes.a.repeat", "the same field as --vary depth"],
    );
    scratch.file(
        "t.toml",
        &format!("{SCENARIO}[sweep]\nvary = [\"nodes.a.repeat=1,2\", \"depth=3,4\"]\n"),
    );
    refused(&scratch, &["sweep", "t.toml"], &["[sweep] vary[1] (depth)"]);
    assert!(!scratch.path().join("o").exists());
}

/// Runs two shards of a small scenario; returns the partial files.
fn two_partials(scratch: &Scratch) -> Vec<std::path::PathBuf> {
    scratch.file(
        "p.toml",
        "[run]\ntrials = 4000\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.2\n\
         latency = { dist = \"exponential\", mean = 1 }\n",
    );
    (1..=2)
        .map(|k| {
            let output = bin()
                .current_dir(scratch.path())
                .args([
                    "run",
                    "p.toml",
                    "--shard",
                    &format!("{k}/2"),
                    "--out",
                    "parts",
                ])
                .output()
                .unwrap();
            assert_success(&output);
            scratch.path().join(format!("parts/partial-{k}-of-2.json"))
        })
        .collect()
}

fn merge_refused(scratch: &Scratch, partials: &[std::path::PathBuf], fragments: &[&str]) {
    let mut args = vec!["merge".to_string()];
    args.extend(partials.iter().map(|p| p.display().to_string()));
    args.extend(["--out".to_string(), "merged".to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(scratch, &args, fragments);
    assert!(!scratch.path().join("merged").exists());
}

#[test]
fn tampered_partials_are_refused_naming_the_file() {
    use coordsim::shard::Partial;
    use coordsim::shard::wire::TallyWire;
    let scratch = Scratch::new();
    let partials = two_partials(&scratch);
    let original = std::fs::read(&partials[1]).unwrap();
    let restore = || std::fs::write(&partials[1], &original).unwrap();

    // Edited by hand: the checksum no longer matches.
    let mut v: serde_json::Value = serde_json::from_slice(&original).unwrap();
    let correct = &mut v["points"][0]["tally"]["trials"]["correct"];
    *correct = (correct.as_u64().unwrap() + 3000).into();
    std::fs::write(&partials[1], serde_json::to_vec(&v).unwrap()).unwrap();
    merge_refused(&scratch, &partials, &["partial-2-of-2.json", "checksum"]);

    // Edited with the checksum written again: the totals give it away.
    type Edit = fn(&mut coordsim::shard::wire::AccumulatorWire);
    let edits: [(Edit, &str); 4] = [
        (|a| a.correct += 3000, "not to its 2000 trials"),
        (|a| a.correct = u64::MAX, "not to its 2000 trials"),
        (
            // Every latency moved to the lowest bucket: p50 = p95 = p99 = 0.
            |a| a.latency_ns.buckets = vec![[a.latency_ns.buckets[0][0], a.trials]],
            "does not fit its latency histogram",
        ),
        (
            |a| a.execs[0].silent_reached_user = u64::MAX,
            "exceed the trials",
        ),
    ];
    for (edit, fragment) in edits {
        let mut p = Partial::from_json(&original).unwrap();
        let TallyWire::Trials(acc) = &mut p.points[0].tally else {
            panic!("a run of trials")
        };
        edit(acc);
        std::fs::write(&partials[1], p.to_json()).unwrap();
        merge_refused(&scratch, &partials, &["partial-2-of-2.json", fragment]);
    }
    restore();
    let output = bin()
        .current_dir(scratch.path())
        .arg("merge")
        .args(&partials)
        .args(["--out", "merged"])
        .output()
        .unwrap();
    assert_success(&output);
}

#[test]
fn one_partial_of_a_million_gets_a_short_message() {
    let scratch = Scratch::new();
    scratch.file("p.toml", SCENARIO);
    let output = bin()
        .current_dir(scratch.path())
        .args(["run", "p.toml", "--shard", "1/1000000", "--out", "parts"])
        .output()
        .unwrap();
    assert_success(&output);
    let err = refused(
        &scratch,
        &["merge", "parts/partial-1-of-1000000.json", "--out", "m"],
        &["missing shards 2/1000000", "(999999 in all)"],
    );
    assert!(err.len() < 400, "{err}");
}

/// Every command that reads a scenario, on `file` (a path in `scratch`).
fn every_command(file: &str) -> Vec<Vec<String>> {
    // Each file and command into its own folder.
    let v = |args: &[&str]| {
        args.iter()
            .map(|a| match a.strip_prefix("o-") {
                Some(what) => format!("out-{file}-{what}"),
                None => a.to_string(),
            })
            .collect::<Vec<_>>()
    };
    vec![
        v(&["validate", file]),
        v(&["run", file, "--out", "o-run"]),
        v(&["run", file, "--set", "run.trials=50", "--out", "o-set"]),
        v(&["run", file, "--shard", "1/2", "--out", "o-shard"]),
        v(&[
            "sweep",
            file,
            "--vary",
            "nodes.a.silent=0.1,0.2",
            "--out",
            "o-sweep",
            "-q",
        ]),
        v(&["compare", file, file, "--out", "o-compare"]),
    ]
}

#[test]
fn a_json_scenario_is_read_alike_by_every_command() {
    let scratch = Scratch::new();
    let nodes = "\"nodes\": [{\"id\": \"a\", \"kind\": \"llm\", \"cost\": null}]";
    // `null` is an absent field; a byte-order mark is ignored (as in TOML).
    scratch.file(
        "null.json",
        &format!("{{\"run\": {{\"trials\": 100}}, \"description\": null, {nodes}}}"),
    );
    scratch.file(
        "bom.json",
        &format!("\u{feff}{{\"run\": {{\"trials\": 100}}, {nodes}}}"),
    );
    scratch.file(
        "bom.toml",
        &format!("\u{feff}[run]\ntrials = 100\n{}", &SCENARIO[19..]),
    );
    for file in ["null.json", "bom.json", "bom.toml"] {
        for args in every_command(file) {
            let output = bin()
                .current_dir(scratch.path())
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{args:?}: {}",
                stderr(&output)
            );
        }
    }
    // A seed TOML cannot hold is refused by every command, with the same message.
    scratch.file(
        "seed.json",
        &format!("{{\"run\": {{\"seed\": 18446744073709551615}}, {nodes}}}"),
    );
    for args in every_command("seed.json") {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(
            &scratch,
            &args,
            &["seed.json", "run.seed: is 18446744073709551615", "--seed"],
        );
    }
}

#[test]
fn threads_are_bounded() {
    let scratch = Scratch::new();
    scratch.file("s.toml", SCENARIO);
    let started = Instant::now();
    for command in [
        vec!["run", "s.toml", "--threads", "100000", "--out", "o"],
        vec![
            "sweep",
            "s.toml",
            "--vary",
            "depth=1,2",
            "--threads",
            "5000",
            "--out",
            "o",
        ],
        vec!["analyze", "s.toml", "--threads", "2000", "--out", "o"],
    ] {
        refused(&scratch, &command, &["--threads", "allowed: 1 to 1024"]);
    }
    assert!(started.elapsed() < Duration::from_secs(20));
}
