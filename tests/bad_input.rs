//! Bad scenario files and arguments: each gets a clear message naming the
//! file, the field and what is allowed, exit code 2, no panic, no output.

mod common;

use common::*;

/// A minimal valid node to build broken scenarios around.
const NODE_A: &str = "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n";

/// (case name, file name, contents, fragments the error must contain).
fn cases() -> Vec<(&'static str, &'static str, String, Vec<&'static str>)> {
    let with_a = |rest: &str| format!("{NODE_A}{rest}");
    vec![
        ("malformed toml", "s.toml", "nodes = [".into(), vec!["s.toml:1:", "invalid TOML"]),
        ("malformed json", "s.json", "{\"nodes\": [".into(), vec!["s.json:1:", "invalid JSON"]),
        ("empty file", "s.toml", "".into(), vec!["nodes", "empty"]),
        ("empty graph", "s.toml", "nodes = []".into(), vec!["nodes", "empty"]),
        ("misspelled field", "s.toml", with_a("sielnt = 0.1\n"), vec!["s.toml:4:", "nodes[0].sielnt", "did you mean `silent`"]),
        ("misspelled top-level table", "s.toml", format!("{NODE_A}[rnu]\ntrials = 5\n"), vec!["rnu", "did you mean `run`"]),
        ("unknown kind", "s.toml", "[[nodes]]\nid = \"a\"\nkind = \"llmm\"\n".into(), vec!["nodes[0].kind", "did you mean `llm`"]),
        ("missing kind", "s.toml", "[[nodes]]\nid = \"a\"\n".into(), vec!["nodes[0]", "missing field `kind`"]),
        ("wrong type", "s.toml", with_a("silent = \"high\"\n"), vec!["nodes[0].silent", "expected f64"]),
        ("json wrong type", "s.json", "{\"nodes\": [{\"id\": \"a\", \"kind\": \"llm\", \"loud\": \"x\"}]}".into(), vec!["s.json:1:", "nodes[0].loud"]),
        ("probability above one", "s.toml", with_a("silent = 1.5\n"), vec!["nodes[0] (a).silent", "is 1.5", "[0, 1]"]),
        ("negative probability", "s.toml", with_a("loud = -0.1\n"), vec!["nodes[0] (a).loud", "[0, 1]"]),
        ("nan probability", "s.toml", with_a("silent = nan\n"), vec!["nodes[0] (a).silent", "NaN"]),
        ("outcomes sum above one", "s.toml", with_a("silent = 0.6\nloud = 0.6\n"), vec!["silent + nodes[0] (a).loud", "at most 1"]),
        ("negative mean latency", "s.toml", with_a("latency = { dist = \"exponential\", mean = -1 }\n"), vec!["latency.mean", "> 0"]),
        ("infinite latency", "s.toml", with_a("latency = { dist = \"fixed\", value = inf }\n"), vec!["latency.value", "finite"]),
        ("lognormal p99 below median", "s.toml", with_a("latency = { dist = \"lognormal\", median = 2, p99 = 1 }\n"), vec!["latency.p99", "p99 > median"]),
        ("lognormal mixed parameters", "s.toml", with_a("latency = { dist = \"lognormal\", median = 2, sigma = 1 }\n"), vec!["latency", "not a mix"]),
        ("uniform upside down", "s.toml", with_a("latency = { dist = \"uniform\", low = 2, high = 1 }\n"), vec!["latency.high", "high >= low"]),
        ("token latency without tokens", "s.toml", with_a("latency = { dist = \"tokens\", tokens_per_s = 50 }\n"), vec!["latency", "tokens = {"]),
        ("zero token rate", "s.toml", with_a("tokens = { input = 1, output = 1 }\nlatency = { dist = \"tokens\", tokens_per_s = 0 }\n"), vec!["tokens_per_s", "> 0"]),
        ("unknown distribution", "s.toml", with_a("latency = { dist = \"expo\", mean = 1 }\n"), vec!["latency.dist", "did you mean `exponential`"]),
        ("negative timeout", "s.toml", with_a("timeout = -2\n"), vec!["timeout", "> 0"]),
        ("too many retries", "s.toml", with_a("retry = { max = 100000 }\n"), vec!["retry.max", "0 to 1000"]),
        ("shrinking backoff", "s.toml", with_a("retry = { max = 2, factor = 0.5 }\n"), vec!["retry.factor", ">= 1"]),
        ("negative cost", "s.toml", with_a("cost = { per_call = -1 }\n"), vec!["cost.per_call", ">= 0"]),
        ("token price without tokens", "s.toml", with_a("cost = { input_per_mtok = 3 }\n"), vec!["cost.input_per_mtok", "tokens"]),
        ("dangling after", "s.toml", with_a("[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"c\"]\n"), vec!["nodes[1] (b).after", "no node \"c\""]),
        ("misspelled after", "s.toml", format!("{NODE_A}[[nodes]]\nid = \"generate\"\nkind = \"llm\"\n[[nodes]]\nid = \"c\"\nkind = \"llm\"\nafter = [\"genrate\"]\n"), vec!["did you mean \"generate\""]),
        ("self dependency", "s.toml", with_a("after = [\"a\"]\n"), vec!["nodes[0] (a).after", "itself"]),
        ("duplicate id", "s.toml", format!("{NODE_A}{NODE_A}"), vec!["nodes[1] (a).id", "unique"]),
        ("bad id characters", "s.toml", "[[nodes]]\nid = \"a b\"\nkind = \"llm\"\n".into(), vec!["id", "allowed"]),
        ("cycle", "s.toml", "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nafter = [\"b\"]\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\n".into(), vec!["cycle through a, b", "loop_to"]),
        ("merge without inputs", "s.toml", with_a("merge = \"any\"\n"), vec!["nodes[0] (a).merge", "needs inputs"]),
        ("k larger than inputs", "s.toml", format!("{NODE_A}[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\nmerge = {{ k = 3 }}\n"), vec!["merge.k", "1 to 1"]),
        ("unknown merge", "s.toml", format!("{NODE_A}[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\nmerge = \"most\"\n"), vec!["nodes[1].merge", "`all` or `any`"]),
        ("gate field on a non-gate", "s.toml", with_a("sensitivity = 0.9\n"), vec!["nodes[0] (a).sensitivity", "only allowed on kind = \"gate\""]),
        ("gate without sensitivity", "s.toml", with_a("[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\"]\n"), vec!["(g).sensitivity", "missing"]),
        ("gate looping forward", "s.toml", with_a("[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\"]\nsensitivity = 0.9\nloop_to = \"z\"\nmax_loops = 1\n[[nodes]]\nid = \"z\"\nkind = \"llm\"\nafter = [\"g\"]\n"), vec!["(g).loop_to", "not upstream"]),
        ("unbounded gate loop", "s.toml", with_a("[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\"]\nsensitivity = 0.9\nloop_to = \"a\"\n"), vec!["(g).max_loops", "bounded"]),
        ("gate loop to unknown node", "s.toml", with_a("[[nodes]]\nid = \"g\"\nkind = \"gate\"\nafter = [\"a\"]\nsensitivity = 0.9\nloop_to = \"aa\"\nmax_loops = 1\n"), vec!["(g).loop_to", "no node \"aa\""]),
        ("gate without input", "s.toml", "[[nodes]]\nid = \"g\"\nkind = \"gate\"\nsensitivity = 0.5\n".into(), vec!["(g).after", "needs an input"]),
        ("edge that is not a dependency", "s.toml", format!("{NODE_A}[[nodes]]\nid = \"b\"\nkind = \"llm\"\n[[edges]]\nfrom = \"a\"\nto = \"b\"\n"), vec!["edges[0] (a->b)", "does not list \"a\""]),
        ("edge to unknown node", "s.toml", with_a("[[edges]]\nfrom = \"a\"\nto = \"q\"\n"), vec!["edges[0] (a->q).to", "no node \"q\""]),
        ("absurd repeat", "s.toml", with_a("repeat = 1000000000\n"), vec!["repeat", "1 to 100000"]),
        ("absurd trials in file", "s.toml", format!("[run]\ntrials = 1000000000000\n{NODE_A}"), vec!["run.trials", "1 to 10000000000"]),
        ("bad name", "s.toml", format!("name = \"../escape\"\n{NODE_A}"), vec!["name", "output folder"]),
    ]
}

#[test]
fn every_bad_scenario_is_explained_with_exit_code_2() {
    for (case, file_name, text, fragments) in cases() {
        let scratch = Scratch::new();
        let file = scratch.file(file_name, &text);
        for command in ["validate", "run"] {
            let out_dir = scratch.path().join("out");
            let mut cmd = bin();
            cmd.arg(command).arg(&file);
            if command == "run" {
                cmd.arg("--out").arg(&out_dir);
            }
            let output = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{case} ({command}): exit code; stderr:\n{stderr}"
            );
            assert!(!stderr.contains("panicked"), "{case}: panic:\n{stderr}");
            assert!(
                stderr.contains(file_name),
                "{case}: the message names the file:\n{stderr}"
            );
            for fragment in &fragments {
                assert!(
                    stderr.contains(fragment),
                    "{case}: message lacks {fragment:?}:\n{stderr}"
                );
            }
            assert!(!out_dir.exists(), "{case}: a failed run wrote outputs");
        }
    }
}

#[test]
fn several_problems_are_reported_together() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "many.toml",
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 2\nloud = -1\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"nope\"]\n",
    );
    let output = bin().arg("validate").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("3 problems found"), "{stderr}");
    for fragment in ["(a).silent", "(a).loud", "(b).after"] {
        assert!(stderr.contains(fragment), "{stderr}");
    }
}

#[test]
fn bad_arguments_exit_with_2() {
    let scratch = Scratch::new();
    let file = scratch.file("ok.toml", NODE_A);
    for args in [
        vec!["run", file.to_str().unwrap(), "--trials", "0"],
        vec!["run", file.to_str().unwrap(), "--trials", "-5"],
        vec!["run", file.to_str().unwrap(), "--threads", "0"],
        vec!["run", file.to_str().unwrap(), "--format", "xml"],
        vec!["run", "/no/such/file.toml"],
        vec!["frobnicate"],
    ] {
        let output = bin()
            .args(&args)
            .arg("--out")
            .arg(scratch.path().join("o"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_valid_scenario_validates() {
    for scenario in std::fs::read_dir("scenarios").unwrap() {
        let path = scenario.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let output = bin().arg("validate").arg(&path).output().unwrap();
            assert_success(&output);
        }
    }
}
