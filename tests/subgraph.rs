//! Sub-graphs (`include` and inline `graph`): R8's retry amplification over
//! nested layers, the calls per request of the bundled three-layer
//! orchestrator against their exact distribution, the names they are
//! reached by (`--set`, variants, analyze), and bad input.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

/// Runs `coordsim run FILE` with `extra` arguments and returns summary.json.
fn run_file(file: &Path, trials: u64, seed: u64, extra: &[&str]) -> Value {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = bin()
        .args(["run", file.to_str().unwrap(), "--quiet", "--out"])
        .arg(&out)
        .args(["--trials", &trials.to_string(), "--seed", &seed.to_string()])
        .args(extra)
        .output()
        .expect("run coordsim");
    assert_success(&output);
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// The row `id` of the summary's nodes or sub-graph roll-ups.
fn row<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(s["subgraphs"].as_array().into_iter().flatten())
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {}", s["nodes"]))
}

fn attempts(s: &Value, id: &str) -> f64 {
    row(s, id)["attempts"].as_f64().unwrap()
}

/// `validate FILE`: exit code and stderr.
fn validate(file: &Path) -> (Option<i32>, String) {
    let out: Output = bin()
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// R8 in files: layer k includes layer k + 1 with `retry = { max = r - 1 }`;
/// the bottom layer is one call with `loud` and r attempts.
fn layered(scratch: &Scratch, layers: usize, r: u32, loud: f64) -> std::path::PathBuf {
    let names = ["agent", "tool", "service", "backend", "disk", "wire"];
    for k in (0..layers).rev() {
        let text = if k == layers - 1 {
            format!(
                "[[nodes]]\nid = \"call\"\nkind = \"tool\"\nloud = {loud}\nretry = {{ max = {} }}\n",
                r - 1
            )
        } else {
            format!(
                "[[nodes]]\nid = \"{}\"\nkind = \"agent\"\ninclude = \"layer{}.toml\"\nretry = {{ max = {} }}\n",
                names[k],
                k + 1,
                r - 1
            )
        };
        scratch.file(&format!("layer{k}.toml"), &text);
    }
    scratch.path().join("layer0.toml")
}

#[test]
fn r8_three_attempts_per_layer_over_four_layers_make_81_calls() {
    // d = 4 layers of r = 3 attempts; the bottom always fails loudly: every
    // task calls it exactly r^d = 81 times, and fails loudly.
    let scratch = Scratch::new();
    let top = layered(&scratch, 4, 3, 1.0);
    let n = 500.0;
    let s = run_file(&top, n as u64, 1, &[]);
    assert_eq!(attempts(&s, "agent/tool/service/call"), 81.0 * n);
    assert_eq!(get(&s, "loud_failure.count"), n);
    // The roll-up of the outer sub-graph counts the same calls (no other step
    // makes any); its own row counts its 3 runs per task.
    assert_eq!(attempts(&s, "agent/*"), 81.0 * n);
    assert_eq!(attempts(&s, "agent"), 3.0 * n);
    assert_eq!(attempts(&s, "agent/tool"), 9.0 * n);
    assert_eq!(attempts(&s, "agent/tool/service"), 27.0 * n);
    assert_eq!(row(&s, "agent")["exhausted"].as_f64(), Some(n));
}

/// Exact distribution of (calls made, succeeded) of one invocation:
/// `dist[c] = [P(c calls, failed), P(c calls, succeeded)]`.
type Dist = Vec<[f64; 2]>;

/// A step with loud rate `l` and `attempts` attempts; its calls count when `counted`.
fn step(l: f64, attempts: u32, counted: bool) -> Dist {
    let mut d = vec![[0.0; 2]; attempts as usize + 1];
    for k in 1..=attempts {
        let c = if counted { k as usize } else { 0 };
        d[c][1] += l.powi(k as i32 - 1) * (1.0 - l);
    }
    d[if counted { attempts as usize } else { 0 }][0] += l.powi(attempts as i32);
    d
}

/// Elements in series: one that fails stops the rest from running.
fn chain(parts: &[Dist]) -> Dist {
    let mut cur: Dist = vec![[0.0, 1.0]];
    for part in parts {
        let mut next = vec![[0.0; 2]; cur.len() + part.len()];
        for (c, [failed, ok]) in cur.iter().enumerate() {
            next[c][0] += failed;
            for (c2, [f2, ok2]) in part.iter().enumerate() {
                next[c + c2][0] += ok * f2;
                next[c + c2][1] += ok * ok2;
            }
        }
        cur = next;
    }
    cur
}

/// A sub-graph whose runs are distributed as `run`, with `attempts` runs at most.
fn retried(run: &Dist, attempts: u32) -> Dist {
    let mut done = vec![[0.0; 2]; 1];
    let mut pending: Vec<f64> = vec![1.0]; // mass still to run, by calls so far
    for k in 0..attempts {
        let mut still = vec![0.0; pending.len() + run.len()];
        for (c, p) in pending.iter().enumerate() {
            for (c2, [f, ok]) in run.iter().enumerate() {
                if done.len() <= c + c2 {
                    done.resize(c + c2 + 1, [0.0; 2]);
                }
                done[c + c2][1] += p * ok;
                if k + 1 == attempts {
                    done[c + c2][0] += p * f;
                } else {
                    still[c + c2] += p * f;
                }
            }
        }
        pending = still;
    }
    done
}

/// Mean and variance of the calls of `d`.
fn moments(d: &Dist) -> (f64, f64) {
    let m: f64 = d
        .iter()
        .enumerate()
        .map(|(c, p)| c as f64 * (p[0] + p[1]))
        .sum();
    let m2: f64 = d
        .iter()
        .enumerate()
        .map(|(c, p)| (c * c) as f64 * (p[0] + p[1]))
        .sum();
    (m, m2 - m * m)
}

fn assert_calls(s: &Value, id: &str, d: &Dist) {
    let n = get(s, "trials");
    let (mean, var) = moments(d);
    let got = attempts(s, id) / n;
    let tol = Z999 * (var / n).sqrt();
    assert!(
        (got - mean).abs() <= tol,
        "{id}: {got} calls per task, expected {mean} ± {tol} (99.9%)"
    );
}

#[test]
fn r8_with_a_flaky_bottom_follows_the_exact_distribution() {
    // l = 0.8 at the bottom; four layers of three attempts. The number of
    // bottom calls per task is computed exactly (distribution over 0..=81).
    let scratch = Scratch::new();
    let top = layered(&scratch, 4, 3, 0.8);
    let mut d = step(0.8, 3, true);
    for _ in 0..3 {
        d = retried(&d, 3);
    }
    let s = run_file(&top, 40_000, 2, &[]);
    assert_calls(&s, "agent/tool/service/call", &d);
    let failed: f64 = d.iter().map(|p| p[0]).sum();
    assert_rate(&s, "loud_failure", failed);
    // F(k+1) = F(k)^3 from F(0) = 0.8^3.
    assert!((failed - 0.8_f64.powi(81)).abs() < 1e-12);
}

/// The bundled example's structure: each element as (loud, attempts, name).
fn orchestrator(target: Option<&str>) -> Dist {
    let counted = |name: &str| target.is_none_or(|t| t == name);
    let tool = chain(&[step(0.0, 1, counted("query")), step(0.3, 3, counted("api"))]);
    let agent = chain(&[
        step(0.05, 2, counted("think")),
        retried(&tool, 3),
        step(0.05, 2, counted("summarize")),
    ]);
    chain(&[
        step(0.02, 2, counted("plan")),
        retried(&agent, 3),
        step(0.02, 2, counted("answer")),
    ])
}

#[test]
fn the_three_layer_orchestrator_makes_the_calls_theory_predicts() {
    let file = Path::new("scenarios/three-layer-orchestrator.toml");
    let s = run_file(file, 100_000, 3, &[]);
    // API calls per request, and calls of every step in total.
    assert_calls(&s, "research/search/api", &orchestrator(Some("api")));
    let total = orchestrator(None);
    let n = get(&s, "trials");
    let all: f64 = s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["kind"] != "edge"
                && !["research", "research/search"].contains(&r["id"].as_str().unwrap())
        })
        .map(|r| r["attempts"].as_f64().unwrap())
        .sum();
    let (mean, var) = moments(&total);
    let tol = Z999 * (var / n).sqrt();
    assert!(
        (all / n - mean).abs() <= tol,
        "calls per request {}, expected {mean} ± {tol}",
        all / n
    );
    let failed: f64 = total.iter().map(|p| p[0]).sum();
    assert_rate(&s, "loud_failure", failed);
    // An API outage: 3 x 3 x 3 API calls for every request that reaches it.
    let down = run_file(
        file,
        2_000,
        4,
        &["--set", "nodes.research/search/api.loud=1"],
    );
    assert_eq!(get(&down, "success.count"), 0.0);
    let reached = attempts(&down, "research/search/query");
    assert_eq!(attempts(&down, "research/search/api"), 3.0 * reached);
    assert_eq!(
        attempts(&down, "research/search"),
        reached,
        "every run of the tool fails once"
    );
}

#[test]
fn an_inline_graph_runs_exactly_as_the_same_graph_included() {
    let scratch = Scratch::new();
    let sub = "[defaults.edge]\nsilent = 0.05\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.1\nloud = 0.2\n[[nodes]]\nid = \"b\"\nkind = \"llm\"\nafter = [\"a\"]\nloud = 0.1\n";
    scratch.file("sub.toml", sub);
    let top = "[defaults.edge]\nloud = 0.1\n[[nodes]]\nid = \"x\"\nkind = \"tool\"\n[[nodes]]\nid = \"s\"\nkind = \"agent\"\nafter = [\"x\"]\nretry = { max = 1 }\nINCLUDE\n";
    let included = scratch.file(
        "included.toml",
        &top.replace("INCLUDE", "include = \"sub.toml\""),
    );
    let inline = scratch.file(
        "inline.toml",
        &top.replace(
            "INCLUDE",
            "graph = { defaults = { edge = { silent = 0.05 } }, nodes = [ { id = \"a\", kind = \"llm\", silent = 0.1, loud = 0.2 }, { id = \"b\", kind = \"llm\", after = [\"a\"], loud = 0.1 } ] }",
        ),
    );
    let a = run_file(&included, 20_000, 5, &[]);
    let b = run_file(&inline, 20_000, 5, &[]);
    for key in [
        "success",
        "silent_failure",
        "loud_failure",
        "nodes",
        "subgraphs",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    // The sub-graph's hand-off a->b takes its own default (silent 0.05), the
    // hand-off x->s the including file's (loud 0.1): P(correct) in closed form.
    // One run of s: a ok 0.7, a->b clean 0.95, b ok 0.9; s runs twice at most.
    let run_loud = 1.0 - 0.8 * 0.9;
    let p_correct = 0.9 * (1.0 - run_loud * run_loud) * (0.7 / 0.8) * 0.95;
    assert_rate(&a, "success", p_correct);
}

#[test]
fn sub_graph_fields_are_reached_by_set_vary_and_variants() {
    let scratch = Scratch::new();
    scratch.file(
        "sub.toml",
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 0.5\n",
    );
    let top = scratch.file(
        "top.toml",
        "[[nodes]]\nid = \"s\"\nkind = \"agent\"\ninclude = \"sub.toml\"\n",
    );
    let s = run_file(&top, 1_000, 6, &["--set", "nodes.s/a.silent=0"]);
    assert_eq!(get(&s, "success.count"), 1000.0);
    let variant = scratch.file(
        "v.toml",
        "base = \"top.toml\"\n[set]\n\"nodes.s/a.silent\" = 0.0\n",
    );
    let out = bin()
        .args(["compare", top.to_str().unwrap(), variant.to_str().unwrap()])
        .args(["--trials", "2000", "--quiet", "--format", "json", "--out"])
        .arg(scratch.path().join("cmp"))
        .output()
        .unwrap();
    assert_success(&out);
    let sweep = bin()
        .args([
            "sweep",
            top.to_str().unwrap(),
            "--vary",
            "nodes.s/a.silent=0,1",
        ])
        .args(["--trials", "500", "--quiet", "--no-charts", "--out"])
        .arg(scratch.path().join("sweep"))
        .output()
        .unwrap();
    assert_success(&sweep);
    let csv = std::fs::read_to_string(scratch.path().join("sweep/sweep.csv")).unwrap();
    assert!(csv.lines().count() == 3, "{csv}");
    // `include` itself cannot be changed after the file is read.
    let out = bin()
        .args([
            "run",
            top.to_str().unwrap(),
            "--set",
            "nodes.s.include=\"x.toml\"",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("include"));
}

#[test]
fn bad_includes_are_located_errors_with_exit_code_2() {
    let scratch = Scratch::new();
    let node = |include: &str| {
        format!(
            "[[nodes]]\nid = \"x\"\nkind = \"llm\"\n\n[[nodes]]\nid = \"s\"\nkind = \"agent\"\ninclude = {include}\n"
        )
    };
    // A missing file: located at the include, naming the path tried.
    let f = scratch.file("missing.toml", &node("\"nowhere.toml\""));
    let (code, err) = validate(&f);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("missing.toml:8:1") && err.contains("nowhere.toml"),
        "{err}"
    );
    // A cycle, through two files, names the chain.
    scratch.file("a.toml", &node("\"b.toml\""));
    scratch.file("b.toml", &node("\"a.toml\""));
    let (code, err) = validate(&scratch.path().join("a.toml"));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("include cycle") && err.contains("b.toml →"),
        "{err}"
    );
    // Absolute paths, other extensions and folders are refused.
    for (bad, says) in [
        ("\"/etc/passwd.toml\"", "absolute path"),
        ("\"notes.txt\"", "not a .toml or .json file"),
        ("\"dir.toml\"", "not a regular file"),
        ("\"\"", "is empty"),
    ] {
        std::fs::create_dir_all(scratch.path().join("dir.toml")).unwrap();
        let f = scratch.file("bad.toml", &node(bad));
        let (code, err) = validate(&f);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(says) && err.contains("bad.toml:8:1"), "{err}");
    }
    // An invalid sub-graph file: its own problem, located in it, and who included it.
    scratch.file(
        "broken.toml",
        "[[nodes]]\nid = \"a\"\nkind = \"llm\"\nsilent = 2.0\n",
    );
    let f = scratch.file("uses-broken.toml", &node("\"broken.toml\""));
    let (code, err) = validate(&f);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("broken.toml:4:1") && err.contains("included by"),
        "{err}"
    );
    // An id clash after namespacing.
    scratch.file("sub.toml", "[[nodes]]\nid = \"a\"\nkind = \"llm\"\n");
    let f = scratch.file(
        "clash.toml",
        "[[nodes]]\nid = \"s/a\"\nkind = \"llm\"\nafter = [\"s\"]\n[[nodes]]\nid = \"s\"\nkind = \"agent\"\ninclude = \"sub.toml\"\n",
    );
    let (code, err) = validate(&f);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("id clash after namespacing") && err.contains("\"s/a\""),
        "{err}"
    );
    // Reaching into a sub-graph from outside, and step fields on a sub-graph node.
    let f = scratch.file(
        "reach.toml",
        "[[nodes]]\nid = \"s\"\nkind = \"agent\"\ninclude = \"sub.toml\"\nsilent = 0.1\n[[nodes]]\nid = \"y\"\nkind = \"llm\"\nafter = [\"s/a\"]\n",
    );
    let (code, err) = validate(&f);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is inside sub-graph \"s\"") && err.contains("reach.toml:9:1"),
        "{err}"
    );
    assert!(
        err.contains("a sub-graph's work is done by its nodes"),
        "{err}"
    );
}
