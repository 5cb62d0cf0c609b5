//! Agent loops and dynamic fan-outs (issue 14) against closed forms: E[p^N]
//! over a random loop length with its step limit, the compound mean and
//! variance of a random fan-out's calls, the Exponential latency of a loop
//! of Exponential steps with a geometric count, context growth, and a
//! fixed count against the same node written out with `repeat`. Every
//! tolerance is the 99.9% interval of the estimate (docs/MODEL.md §13).

mod common;

use std::path::Path;

use common::*;
use coordsim::scenario::{compile, parse};
use coordsim::seed;
use coordsim::task::{ExecCounters, TaskSim, TrialResult};

/// Runs `trials` independent tasks of `text` in process, for figures the
/// summary does not give (the variance of a cost, a tail probability).
fn trials(text: &str, trials: u64, seed: u64) -> Vec<TrialResult> {
    let file = parse(Path::new("t.toml"), text).expect("parses");
    let model = compile(&file, "t").expect("compiles").model;
    let mut sim = TaskSim::new(&model);
    let mut counters = vec![ExecCounters::default(); model.exec_count()];
    (0..trials)
        .map(|i| sim.run(seed::trial(seed, i), &mut counters))
        .collect()
}

/// Asserts that `expected` lies in the 99.9% interval of the mean of `xs`.
fn assert_mean(what: &str, xs: &[f64], expected: f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let half = Z999 * (var / n).sqrt();
    assert!(
        (mean - expected).abs() <= half,
        "{what}: expected mean {expected}, simulated {mean} ± {half} (99.9%)"
    );
}

/// Asserts that `expected` lies in the 99.9% interval of the variance of
/// `xs` (standard error sqrt((m4 − s⁴) / n), from the sample's own moments).
fn assert_variance(what: &str, xs: &[f64], expected: f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    let half = Z999 * ((m4 - var * var) / n).sqrt();
    assert!(
        (var - expected).abs() <= half,
        "{what}: expected variance {expected}, simulated {var} ± {half} (99.9%)"
    );
}

/// Asserts that `expected` lies in the 99.9% Wilson interval of the share of `xs` satisfying `pred`.
fn assert_share(
    what: &str,
    xs: &[TrialResult],
    pred: impl Fn(&TrialResult) -> bool,
    expected: f64,
) {
    let k = xs.iter().filter(|r| pred(r)).count() as f64;
    let (lo, hi) = wilson(k, xs.len() as f64, Z999);
    assert!(
        (lo..=hi).contains(&expected),
        "{what}: expected {expected}, simulated {} in [{lo}, {hi}] (99.9%)",
        k / xs.len() as f64
    );
}

fn agent(fields: &str) -> String {
    format!("[[nodes]]\nid = \"act\"\nkind = \"agent\"\n{fields}\n")
}

#[test]
fn a_geometric_loop_compounds_as_e_p_to_the_n_and_its_step_limit_fails_loudly() {
    // p = 0.95 per iteration, N geometric with mean 5 (finish q = 0.2), limit M = 8:
    // P(correct) = Σ_{n ≤ 8} q (1 − q)^(n−1) p^n = q p (1 − ((1 − q) p)^8) / (1 − (1 − q) p),
    // P(loud) = P(N > 8) = 0.8^8 (no iteration fails loudly), the rest silent.
    let s = run_summary(
        &agent(
            "silent = 0.05\nloop = { count = { dist = \"geometric\", mean = 5 }, max_steps = 8 }",
        ),
        200_000,
        31,
    );
    let (p, q) = (0.95_f64, 0.2_f64);
    let r = (1.0 - q) * p;
    let correct = q * p * (1.0 - r.powi(8)) / (1.0 - r);
    let loud = 0.8_f64.powi(8);
    assert_rate(&s, "success", correct);
    assert_rate(&s, "loud_failure", loud);
    assert_rate(&s, "silent_failure", 1.0 - correct - loud);
    // The limit turns the long tail into loud failures: 0.7036 against p^E[N] = 0.7738.
    assert!((correct - 0.703_6).abs() < 1e-4);
}

#[test]
fn a_poisson_loop_compounds_as_e_p_to_the_n_and_escalates_past_its_limit() {
    // Without a limit: E[p^N] = e^(−λ (1 − p)), λ = 4, p = 0.9: e^(−0.4).
    let s = run_summary(
        &agent("silent = 0.1\nloop = { count = { dist = \"poisson\", mean = 4 } }"),
        200_000,
        32,
    );
    assert_rate(&s, "success", (-0.4_f64).exp());
    // With max_steps = 6 and on_limit = "escalate": P(correct) = Σ_{n ≤ 6} P(N = n) p^n,
    // P(escalated) = P(N > 6).
    let s = run_summary(
        &agent(
            "silent = 0.1\nloop = { count = { dist = \"poisson\", mean = 4 }, max_steps = 6, on_limit = \"escalate\" }",
        ),
        200_000,
        33,
    );
    let mut pmf = (-4.0_f64).exp();
    let (mut correct, mut within) = (0.0, 0.0);
    for n in 0..=6 {
        if n > 0 {
            pmf *= 4.0 / n as f64;
        }
        correct += pmf * 0.9_f64.powi(n);
        within += pmf;
    }
    assert_rate(&s, "success", correct);
    assert_rate(&s, "escalated", 1.0 - within);
    assert_eq!(get(&s, "loud_failure.count"), 0.0);
}

#[test]
fn an_empirical_loop_compounds_over_its_weighted_counts() {
    // Counts 1, 3, 8 with weights 2, 1, 1 and p = 0.9: (2·0.9 + 0.9³ + 0.9⁸) / 4.
    let s = run_summary(
        &agent(
            "silent = 0.1\nloop = { count = { dist = \"empirical\", counts = [1, 3, 8], weights = [2, 1, 1] } }",
        ),
        200_000,
        34,
    );
    let expected = (2.0 * 0.9 + 0.9_f64.powi(3) + 0.9_f64.powi(8)) / 4.0;
    assert_rate(&s, "success", expected);
}

#[test]
fn a_random_fan_out_makes_the_compound_mean_and_variance_of_calls() {
    // N branches, each retrying a loud failure (l = 0.3) until it succeeds
    // (1000 retries: never exhausted), $1 per attempt, so the task's cost is
    // its calls T = A_1 + … + A_N with A geometric: E[A] = 1/(1 − l),
    // Var[A] = l/(1 − l)². E[T] = E[N] E[A], Var[T] = E[N] Var[A] + Var[N] E[A]².
    let l = 0.3_f64;
    let (ea, va) = (1.0 / (1.0 - l), l / (1.0 - l).powi(2));
    let branch = "loud = 0.3\nretry = { max = 1000 }\ncost = { per_call = 1.0 }";
    // Empirical N: counts 1, 4, 10 with weights 5, 3, 2.
    let text = format!(
        "[[nodes]]\nid = \"map\"\nkind = \"tool\"\n{branch}\nfan_out = {{ count = {{ dist = \"empirical\", counts = [1, 4, 10], weights = [5, 3, 2] }}, max_in_flight = 3 }}\n"
    );
    let costs: Vec<f64> = trials(&text, 200_000, 35)
        .iter()
        .map(|r| r.cost_usd)
        .collect();
    let en = 0.5 + 0.3 * 4.0 + 0.2 * 10.0;
    let vn = 0.5 + 0.3 * 16.0 + 0.2 * 100.0 - en * en;
    assert_mean("calls, empirical N", &costs, en * ea);
    assert_variance("calls, empirical N", &costs, en * va + vn * ea * ea);
    // Poisson N with mean 6: Var[T] = λ E[A²].
    let text = format!(
        "[[nodes]]\nid = \"map\"\nkind = \"tool\"\n{branch}\nfan_out = {{ count = {{ dist = \"poisson\", mean = 6 }} }}\n"
    );
    let costs: Vec<f64> = trials(&text, 200_000, 36)
        .iter()
        .map(|r| r.cost_usd)
        .collect();
    assert_mean("calls, Poisson N", &costs, 6.0 * ea);
    assert_variance("calls, Poisson N", &costs, 6.0 * (va + ea * ea));
}

#[test]
fn a_loop_of_exponential_steps_with_a_geometric_count_takes_an_exponential_time() {
    // A geometric sum of Exponential(mean m) times is Exponential with mean E[N]·m:
    // here 4 · 0.25 = 1 s, so P(T > t) = e^(−t).
    let text = agent(
        "latency = { dist = \"exponential\", mean = 0.25 }\nloop = { count = { dist = \"geometric\", finish = 0.25 } }",
    );
    let rs = trials(&text, 200_000, 37);
    let latencies: Vec<f64> = rs.iter().map(|r| r.latency).collect();
    assert_mean("latency", &latencies, 1.0);
    assert_variance("latency", &latencies, 1.0);
    for t in [0.1, 2.0_f64.ln(), 3.0, 100.0_f64.ln()] {
        assert_share(&format!("P(T > {t})"), &rs, |r| r.latency > t, (-t).exp());
    }
}

#[test]
fn a_fan_out_joins_its_branches_by_vote_and_by_any() {
    // Five branches right with 0.8, { vote = 3 }: Σ_{j ≥ 3} C(5, j) 0.8^j 0.2^(5−j)
    // = 0.942080, with every branch at once or two at a time.
    for limit in ["", ", max_in_flight = 2"] {
        let s = run_summary(
            &agent(&format!(
                "silent = 0.2\nfan_out = {{ count = {{ dist = \"fixed\", value = 5 }}, join = {{ vote = 3 }}{limit} }}"
            )),
            200_000,
            38,
        );
        assert_rate(&s, "success", 0.942_080);
    }
    // "any" over Poisson(2) branches failing loudly with 0.5: loud when N ≥ 1
    // and every branch fails, E[l^N] − P(N = 0) = e^(−1) − e^(−2); no branch
    // at all passes the input on.
    let s = run_summary(
        &agent(
            "loud = 0.5\nfan_out = { count = { dist = \"poisson\", mean = 2 }, join = \"any\" }",
        ),
        200_000,
        39,
    );
    assert_rate(&s, "loud_failure", (-1.0_f64).exp() - (-2.0_f64).exp());
    // { k = 2 } over Poisson(2) branches that never fail: fails when N < 2,
    // P = e^(−2) (1 + 2).
    let s = run_summary(
        &agent("fan_out = { count = { dist = \"poisson\", mean = 2 }, join = { k = 2 } }"),
        200_000,
        40,
    );
    assert_rate(&s, "loud_failure", 3.0 * (-2.0_f64).exp());
}

#[test]
fn context_growth_adds_input_tokens_and_their_price_per_iteration() {
    // Iteration k carries input + (k − 1)·g tokens. Three iterations of
    // 1000 + 100 tokens growing by 500: 3·1100 + 500·(0 + 1 + 2) = 4800
    // tokens, and at $2 per million input tokens, $0.001 per call:
    // 3·0.001 + 2·(3·1000 + 1500)/1e6.
    let fields = "tokens = { input = 1000, output = 100 }\ncost = { per_call = 0.001, input_per_mtok = 2 }\n";
    let rs = trials(
        &agent(&format!(
            "{fields}loop = {{ count = {{ dist = \"fixed\", value = 3 }}, input_growth = 500 }}"
        )),
        10,
        41,
    );
    for r in &rs {
        assert_eq!(r.tokens, 4800);
        assert!((r.cost_usd - (0.003 + 2.0 * 4500.0 / 1e6)).abs() < 1e-12);
    }
    // Geometric N (q = 0.25): E[tokens] = 1100·E[N] + 500·E[N(N − 1)]/2,
    // E[N(N − 1)] = 2(1 − q)/q² = 24: 4400 + 6000.
    let rs = trials(
        &agent(&format!(
            "{fields}loop = {{ count = {{ dist = \"geometric\", mean = 4 }}, input_growth = 500 }}"
        )),
        200_000,
        42,
    );
    let tokens: Vec<f64> = rs.iter().map(|r| r.tokens as f64).collect();
    assert_mean("tokens", &tokens, 10_400.0);
}

#[test]
fn a_fixed_count_is_bit_identical_to_the_node_repeated() {
    // Iteration k draws from the stream of `act#k`, as repeat's k-th copy
    // does; without [defaults.edge] the copies' hand-offs are instant, so
    // every figure but the per-node rows is the same, bit for bit.
    let fields = "silent = 0.03\nloud = 0.05\nretry = { max = 2, backoff = \"exponential\", delay = 0.1, jitter = \"full\" }\npersistence = 0.5\nlatency = { dist = \"lognormal\", median = 0.3, p99 = 2.0 }\ntokens = { input = 300, output = 50 }\ncost = { per_call = 0.002 }";
    let repeated = run_summary(&agent(&format!("{fields}\nrepeat = 7")), 50_000, 43);
    let looped = run_summary(
        &agent(&format!(
            "{fields}\nloop = {{ count = {{ dist = \"fixed\", value = 7 }} }}"
        )),
        50_000,
        43,
    );
    let strip = |mut v: serde_json::Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("nodes");
        o.remove("scenario");
        // The two documents differ, and so does their recorded hash.
        o.remove("provenance");
        v
    };
    assert_eq!(strip(repeated), strip(looped));
}

#[test]
fn a_loops_iterations_queue_for_the_pool_in_a_loaded_run() {
    // Tasks at 1/s, each looping geometric N (mean 4) times up to 20, every
    // iteration served by one of 8 servers for Exponential(0.5 s): the pool
    // sees λ·E[min(N, 20)] = (1 − 0.75^20)/0.25 requests per second and is
    // busy λ·E[min(N, 20)]·0.5/8 of the time. Intervals over replications
    // (Student t with 3 degrees of freedom, the summary's 95% rescaled to 99.9%).
    let text = "[workload]\narrivals = \"open\"\nrate = 1.0\nwarmup_tasks = 500\ntasks = 5000\nreplications = 4\n\n[[resources]]\nid = \"gpu\"\nkind = \"accelerator\"\nservers = 8\n\n[[nodes]]\nid = \"act\"\nkind = \"agent\"\nresource = \"gpu\"\nlatency = { dist = \"exponential\", mean = 0.5 }\nloop = { count = { dist = \"geometric\", mean = 4 }, max_steps = 20 }\n";
    let scratch = Scratch::new();
    let file = scratch.file("loaded.toml", text);
    let out = scratch.path().join("out");
    let output = bin()
        .args([
            "run",
            file.to_str().unwrap(),
            "--format",
            "json",
            "-q",
            "--seed",
            "44",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    let s: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let visits = (1.0 - 0.75_f64.powi(20)) / 0.25;
    let (t95, t999) = (3.182_446_305_284_263, 12.923_979_035_664_71);
    for (field, expected) in [
        ("arrival_rate", visits),
        ("utilization", visits * 0.5 / 8.0),
    ] {
        let f = &s["load"]["pools"][0][field];
        let mean = f["mean"].as_f64().unwrap();
        let half = (mean - f["ci95"][0].as_f64().unwrap()) * t999 / t95;
        assert!(
            (mean - expected).abs() <= half,
            "{field}: expected {expected}, simulated {mean} ± {half} (99.9%)"
        );
    }
}

#[test]
fn a_sweep_over_the_mean_loop_length_gives_e_p_to_the_n_as_its_theory() {
    // P(correct) of a geometric loop at p = 0.95 with mean μ (q = 1/μ), no
    // limit: q p / (1 − (1 − q) p), on every row, and the simulated rate in
    // its 99.9% Wilson interval.
    let scratch = Scratch::new();
    let file = scratch.file(
        "sweep.toml",
        &agent("silent = 0.05\nloop = { count = { dist = \"geometric\", mean = 1 } }"),
    );
    let out = scratch.path().join("out");
    let output = bin()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--vary",
            "nodes.act.loop.count.mean=1,2,5,10,20",
        ])
        .args([
            "--trials",
            "100000",
            "--seed",
            "45",
            "--no-charts",
            "-q",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_success(&output);
    let text = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let mean: f64 = cells[0].parse().unwrap();
        let q = 1.0 / mean;
        let expected = q * 0.95 / (1.0 - (1.0 - q) * 0.95);
        let theory: f64 = cells[col("theory_success")].parse().unwrap();
        assert!(
            (theory - expected).abs() < 1e-12,
            "mean {mean}: theory {theory}"
        );
        let rate: f64 = cells[col("success_rate")].parse().unwrap();
        let (lo, hi) = wilson(rate * 100_000.0, 100_000.0, Z999);
        assert!(
            (lo..=hi).contains(&expected),
            "mean {mean}: {rate} vs {expected}"
        );
        rows += 1;
    }
    assert_eq!(rows, 5);
}

#[test]
fn bad_counts_and_limits_are_located_errors_with_exit_code_2() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "bad.toml",
        "[[nodes]]\nid = \"act\"\nkind = \"agent\"\nloop = { count = { dist = \"fixed\", value = -3 }, max_steps = 0 }\n\n[[nodes]]\nid = \"map\"\nkind = \"tool\"\nafter = [\"act\"]\nfan_out = { count = { dist = \"empirical\", counts = [] } }\n\n[[nodes]]\nid = \"map2\"\nkind = \"tool\"\nafter = [\"act\"]\nfan_out = { count = { dist = \"empirical\", counts = [1, 2], weights = [0, 0] } }\n\n[[nodes]]\nid = \"map3\"\nkind = \"tool\"\nafter = [\"act\"]\nfan_out = { count = { dist = \"empirical\", counts = [1, -2], weights = [1, -1] } }\n\n[[nodes]]\nid = \"end\"\nkind = \"agent\"\nafter = [\"map\", \"map2\", \"map3\"]\nloop = { count = { dist = \"poisson\", mean = -1 } }\n",
    );
    for command in ["validate", "run"] {
        let output = bin()
            .args([command, file.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&output.stderr);
        for (line, field, what) in [
            (
                "bad.toml:4:",
                "nodes[0] (act).loop.count.value",
                "is -3; allowed: 0 to",
            ),
            (
                "bad.toml:4:",
                "nodes[0] (act).loop.max_steps",
                "is 0; allowed: 1 to",
            ),
            (
                "bad.toml:10:",
                "nodes[1] (map).fan_out.count.counts",
                "is empty",
            ),
            (
                "bad.toml:16:",
                "nodes[2] (map2).fan_out.count.weights",
                "sum to 0",
            ),
            (
                "bad.toml:22:",
                "nodes[3] (map3).fan_out.count.counts[1]",
                "is -2",
            ),
            (
                "bad.toml:22:",
                "nodes[3] (map3).fan_out.count.weights[1]",
                "is -1",
            ),
            ("bad.toml:28:", "nodes[4] (end).loop.count.mean", "is -1"),
        ] {
            assert!(
                err.lines().any(|l| l.contains(line)
                    && l.contains(&format!("{field}: {what}"))
                    && l.contains("e.g.")
                    || l.contains(line)
                        && l.contains(&format!("{field}: {what}"))
                        && l.contains("allowed")),
                "{command}: no located `{field}: {what}` in:\n{err}"
            );
        }
        assert!(
            !scratch.path().join("outputs").exists(),
            "nothing is written"
        );
    }
}

#[test]
fn loops_and_fan_outs_give_the_same_files_on_any_thread_count_and_in_shards() {
    // A loop behind a gate that loops back to it, into a fan-out voted by
    // two of three, branches two at a time: every draw of a trial depends on
    // (seed, trial) only, so one thread, two threads and two merged shards
    // write the same summary, byte for byte.
    let text = "name = \"dyn\"\n[[nodes]]\nid = \"act\"\nkind = \"agent\"\nsilent = 0.05\nloud = 0.05\nretry = { max = 1, delay = 0.1, jitter = \"full\" }\nlatency = { dist = \"exponential\", mean = 0.2 }\nloop = { count = { dist = \"poisson\", mean = 3 }, max_steps = 6 }\n[[nodes]]\nid = \"check\"\nkind = \"gate\"\nafter = [\"act\"]\nsensitivity = 0.8\nfalse_alarm = 0.05\nloop_to = \"act\"\nmax_loops = 1\n[[nodes]]\nid = \"map\"\nkind = \"tool\"\nafter = [\"check\"]\nsilent = 0.1\nlatency = { dist = \"exponential\", mean = 0.3 }\nfan_out = { count = { dist = \"fixed\", value = 3 }, join = { vote = 2 }, max_in_flight = 2 }\n";
    let scratch = Scratch::new();
    let file = scratch.file("dyn.toml", text);
    let f = file.to_str().unwrap();
    let summary =
        |dir: &str| std::fs::read_to_string(scratch.path().join(dir).join("summary.json")).unwrap();
    let go = |args: &[&str]| {
        let output = bin().args(args).output().unwrap();
        assert_success(&output);
    };
    let out = |d: &str| scratch.path().join(d).to_str().unwrap().to_string();
    let common = ["--trials", "40000", "--seed", "46", "-q"];
    for (dir, threads) in [("one", "1"), ("two", "2")] {
        let o = out(dir);
        go(&[&["run", f, "--threads", threads, "--out", &o][..], &common].concat());
    }
    assert_eq!(summary("one"), summary("two"));
    let shards = out("shards");
    for k in ["1/2", "2/2"] {
        go(&[&["run", f, "--shard", k, "--out", &shards][..], &common].concat());
    }
    let merged = out("merged");
    let partials: Vec<String> = ["partial-1-of-2.json", "partial-2-of-2.json"]
        .iter()
        .map(|p| format!("{shards}/{p}"))
        .collect();
    go(&[&["merge", &partials[0], &partials[1], "-q", "--out", &merged][..]].concat());
    assert_eq!(summary("one"), summary("merged"));
}
