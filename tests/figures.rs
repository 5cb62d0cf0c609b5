//! Figures a reviewer can trust (issue 12): intervals that stay inside what
//! a figure can be, quantile intervals that cover at their nominal rate, SLO
//! attainment against a closed form, merge cancellations counted, and a
//! loaded sweep whose totals agree everywhere.

mod common;

use std::path::Path;

use common::{Scratch, Z999, bin};
use coordsim::overrides::{apply, parse_all};
use coordsim::scenario::problem::Problems;
use coordsim::scenario::{Scenario, compile, compile_document, parse, read_document};
use coordsim::sim::{Control, simulate};
use coordsim::stats::Summary;
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Gamma};

fn scenario(text: &str) -> Scenario {
    let file = parse(Path::new("t.toml"), text).expect("valid scenario text");
    compile(&file, "t").expect("valid scenario")
}

/// A bundled scenario with SLOs, loaded runs shortened to at most 1000
/// measured tasks per replication.
fn bundled(path: &Path) -> Scenario {
    let mut doc = read_document(path).expect("bundled scenario reads");
    let mut changes = vec!["run.slo=[0.5, 5.0, 60.0]".to_string()];
    if let Some(w) = doc.get("workload").and_then(|w| w.as_table()) {
        if w.get("tasks")
            .and_then(|t| t.as_integer())
            .is_some_and(|t| t > 1000)
        {
            changes.push("workload.tasks=1000".into());
        }
        if w.get("warmup_tasks")
            .and_then(|t| t.as_integer())
            .is_some_and(|t| t > 200)
        {
            changes.push("workload.warmup_tasks=200".into());
        }
    }
    let mut p = Problems::default();
    let changes = parse_all(&changes, &mut p);
    apply(&mut doc, &changes, &mut p);
    assert!(p.is_empty(), "{}: {p:?}", path.display());
    compile_document(path, &doc).expect("bundled scenario compiles")
}

fn inside(what: &str, ci: [f64; 2], max: f64) {
    assert!(
        0.0 <= ci[0] && ci[0] <= ci[1] && ci[1] <= max,
        "{what}: interval {ci:?} leaves [0, {max}]"
    );
}

/// Every interval of a probability (and of a utilisation) of every bundled
/// scenario stays inside [0, 1] and holds its point value.
#[test]
fn no_interval_of_a_probability_leaves_zero_one() {
    let mut paths: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "bundled scenarios found: {paths:?}");
    for path in paths {
        let s = bundled(&path);
        let summary = simulate(&s, 2000, 1, Control::none()).expect("runs");
        let name = path.display().to_string();
        let mut rates = vec![
            ("success", &summary.success),
            ("silent", &summary.silent_failure),
            ("loud", &summary.loud_failure),
            ("escalated", &summary.escalated),
        ];
        rates.extend(summary.slo.iter().map(|s| ("slo", &s.within)));
        for (what, r) in rates {
            inside(&format!("{name} {what}"), r.ci95, 1.0);
            assert!(
                r.ci95[0] <= r.rate && r.rate <= r.ci95[1],
                "{name} {what}: {} outside {:?}",
                r.rate,
                r.ci95
            );
        }
        assert!(!summary.intervals.rates.is_empty(), "{name}: method named");
        if let Some(load) = &summary.load {
            for pool in &load.pools {
                if let Some(ci) = pool.utilization.as_ref().and_then(|u| u.ci95) {
                    inside(&format!("{name} {} utilization", pool.id), ci, 1.0);
                }
                if let Some(ci) = pool.p_wait.ci95 {
                    inside(&format!("{name} {} P(wait)", pool.id), ci, 1.0);
                }
                if let (Some(ci), Some(servers)) = (pool.mean_busy.ci95, pool.servers) {
                    inside(&format!("{name} {} busy", pool.id), ci, servers as f64);
                }
            }
            for link in &load.links {
                if let Some(ci) = link.utilization.ci95 {
                    inside(&format!("{name} {} utilization", link.id), ci, 1.0);
                }
            }
        }
    }
}

/// Three Gamma(shape 2, scale 0.25) steps in series: the task latency is
/// Gamma(6, 0.25). Over many seeds, each 95% quantile interval must miss
/// the true quantile about as often as its binomial ranks say (at most 5%;
/// bucket widening can only make it rarer).
#[test]
fn quantile_intervals_cover_the_true_quantile_of_a_gamma_chain() {
    let s = scenario(
        "[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 3\n\
         latency = { dist = \"gamma\", shape = 2.0, scale = 0.25 }\n",
    );
    let truth = Gamma::new(6.0, 4.0).unwrap(); // statrs: shape, rate
    const N: u64 = 2000;
    const SEEDS: u64 = 200;
    for (q, pick) in [
        (
            0.50,
            (|s: &Summary| s.latency_s.p50_ci95) as fn(&Summary) -> Option<[f64; 2]>,
        ),
        (0.95, |s: &Summary| s.latency_s.p95_ci95),
        (0.99, |s: &Summary| s.latency_s.p99_ci95),
    ] {
        let x = truth.inverse_cdf(q);
        let misses = (1..=SEEDS)
            .filter(|&seed| {
                let summary = simulate(&s, N, seed, Control::none()).unwrap();
                let [lo, hi] = pick(&summary).expect("2000 trials bound every quantile");
                !(lo <= x && x <= hi)
            })
            .count() as f64;
        // The exact miss probability of the order-statistic interval.
        let (l, u) = coordsim::stats::quantile::order_statistic_ranks(N, q, 0.05);
        let b = Binomial::new(q, N).unwrap();
        let miss = 1.0 - (b.cdf(u.unwrap() - 1) - b.cdf(l.unwrap() - 1));
        assert!(miss <= 0.05, "nominal miss rate {miss}");
        let expected = miss * SEEDS as f64;
        let sd = (SEEDS as f64 * miss * (1.0 - miss)).sqrt();
        assert!(
            misses <= expected + Z999 * sd,
            "q = {q}: {misses} of {SEEDS} intervals missed {x}, expected {expected:.1} ± {sd:.1}"
        );
        assert!(
            misses >= expected - Z999 * sd - 1.0,
            "q = {q}: only {misses} of {SEEDS} missed (expected {expected:.1}): too wide"
        );
    }
}

/// Three Exponential(mean 1) steps in series: the latency is Erlang(3, 1),
/// P(T ≤ x) = 1 − e^(−x)(1 + x + x²/2).
#[test]
fn slo_attainment_of_an_exponential_chain_matches_the_erlang_cdf() {
    let s = scenario(
        "[run]\nslo = [1.0, 3.0, 6.0]\n[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 3\n\
         latency = { dist = \"exponential\", mean = 1.0 }\n",
    );
    const N: u64 = 200_000;
    let summary = simulate(&s, N, 7, Control::none()).unwrap();
    assert_eq!(summary.slo.len(), 3);
    for slo in &summary.slo {
        let x = slo.threshold_s;
        let cdf = 1.0 - (-x).exp() * (1.0 + x + x * x / 2.0);
        let pdf = x * x / 2.0 * (-x).exp();
        let se = (cdf * (1.0 - cdf) / N as f64).sqrt();
        // Latencies in the histogram bucket straddling x (0.1% wide) are not
        // counted: the reading may fall short by up to the mass there.
        let bucket = pdf * 0.001 * x;
        let got = slo.within.rate;
        assert!(
            got >= cdf - Z999 * se - bucket && got <= cdf + Z999 * se,
            "P(T <= {x}) = {got}, Erlang CDF {cdf} (se {se:.2e}, bucket {bucket:.2e})"
        );
        assert!(slo.within.ci95[0] <= cdf + bucket && cdf <= slo.within.ci95[1] + bucket);
        assert_eq!(slo.id, format!("le_{x}s"));
    }
}

/// A 3-of-5 merge over five branches that each fail loudly with 10% and take
/// Exponential time: the task ends when the third ok input (or the third
/// failure) arrives, and the branches still running are cancelled.
///
/// The branches finish in a uniformly random order, independent of their
/// outcomes, so the number T of branches finished when it ends is a stopping
/// time of i.i.d. Bernoulli(0.1) failures: T = 3 when the first three agree
/// (0.9³ + 0.1³ = 0.730), T = 4 when the fourth makes three of one kind
/// (3·0.9³·0.1 + 3·0.1³·0.9 = 0.2214), else 5 (6·0.9²·0.1² = 0.0486), so
/// E[T] = 3.3186. Per branch and task: finished E[T]/5 = 0.66372, loud
/// 0.1·E[T]/5 = 0.066372 (Wald), cancelled 1 − 0.66372 = 0.33628.
#[test]
fn merge_cancellations_match_their_closed_form() {
    let mut text = String::new();
    for b in 1..=5 {
        text += &format!(
            "[[nodes]]\nid = \"b{b}\"\nkind = \"tool\"\nloud = 0.1\n\
             latency = {{ dist = \"exponential\", mean = 1.0 }}\n"
        );
    }
    text += "[[nodes]]\nid = \"m\"\nkind = \"aggregate\"\nafter = [\"b1\", \"b2\", \"b3\", \"b4\", \"b5\"]\n\
             merge = { k = 3 }\nlatency = { dist = \"fixed\", value = 0.0 }\n";
    let s = scenario(&text);
    const N: u64 = 100_000;
    let summary = simulate(&s, N, 3, Control::none()).unwrap();
    let e_t = 3.0 * 0.730 + 4.0 * 0.2214 + 5.0 * 0.0486;
    let expect = |p: f64, got: u64, what: &str| {
        let sd = (N as f64 * p * (1.0 - p)).sqrt();
        let want = N as f64 * p;
        assert!(
            (got as f64 - want).abs() <= Z999 * sd,
            "{what}: {got}, expected {want:.0} ± {:.0}",
            Z999 * sd
        );
    };
    for node in summary.nodes.iter().filter(|n| n.id.starts_with('b')) {
        assert_eq!(node.attempts, N, "{}: one attempt per task", node.id);
        expect(
            0.1 * e_t / 5.0,
            node.loud_failures,
            &format!("{} loud", node.id),
        );
        expect(
            1.0 - e_t / 5.0,
            node.cancelled,
            &format!("{} cancelled", node.id),
        );
    }
    // The task fails when three branches fail before three succeed.
    let p_fail = 0.1f64.powi(3) + 3.0 * 0.1f64.powi(3) * 0.9 + 6.0 * 0.1f64.powi(3) * 0.81;
    expect(p_fail, summary.loud_failure.count, "task loud failures");
}

/// A loaded sweep reports the tasks it measured alike in its CSV, its
/// progress lines and its closing line; `--trials` is refused for it.
#[test]
fn a_loaded_sweeps_csv_and_progress_totals_agree() {
    let scratch = Scratch::new();
    let out = scratch.path().join("out");
    let output = bin()
        .args(["sweep", "scenarios/depth-concurrency.toml", "--no-charts"])
        .args(["--vary", "depth=1,2", "--vary", "workload.concurrency=2,4"])
        .args([
            "--set",
            "workload.tasks=150",
            "--set",
            "workload.warmup_tasks=20",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    common::assert_success(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 4 points × 4 replications × 150 tasks.
    assert!(
        stderr.contains("4 points, 2400 tasks measured"),
        "closing line: {stderr}"
    );
    assert!(stderr.contains("100% of 2400 tasks"), "progress: {stderr}");
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "trials").unwrap();
    let total: u64 = lines
        .map(|l| l.split(',').nth(col).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 2400);

    let refused = bin()
        .args([
            "sweep",
            "scenarios/depth-concurrency.toml",
            "--trials",
            "1000",
        ])
        .arg("--out")
        .arg(scratch.path().join("refused"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(
        msg.contains("--trials does not apply") && msg.contains("workload.replications"),
        "{msg}"
    );
    assert!(!scratch.path().join("refused").exists(), "nothing written");
}

/// summary.json says where it comes from, and a run with `--set` does not
/// replace the results of the scenario as written.
#[test]
fn runs_record_their_provenance_and_keep_apart_with_overrides() {
    let scratch = Scratch::new();
    let file = scratch.file(
        "chain.toml",
        "name = \"chain\"\n[[nodes]]\nid = \"s\"\nkind = \"llm\"\nrepeat = 3\nsilent = 0.03\n",
    );
    let run = |extra: &[&str]| {
        let output = bin()
            .current_dir(scratch.path())
            .args(["run", file.to_str().unwrap(), "--trials", "1000", "-q"])
            .args(extra)
            .output()
            .unwrap();
        common::assert_success(&output);
    };
    run(&[]);
    run(&["--set", "nodes.s.silent=0.1"]);
    let read = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
    };
    let outputs = scratch.path().join("outputs");
    let plain = read(&outputs.join("chain"));
    let mut dirs: Vec<String> = std::fs::read_dir(&outputs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 2, "{dirs:?}");
    assert!(dirs[1].starts_with("chain--set-"), "{dirs:?}");
    let changed = read(&outputs.join(&dirs[1]));
    let p = &plain["provenance"];
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["overrides"].as_array().unwrap().len(), 0);
    assert_eq!(p["scenario_sha256"].as_str().unwrap().len(), 64);
    // 0.97³, and with the change 0.9³.
    assert!((p["reference"]["success"].as_f64().unwrap() - 0.97f64.powi(3)).abs() < 1e-12);
    let c = &changed["provenance"];
    assert_eq!(c["overrides"][0], "nodes.s.silent=0.1");
    assert!((c["reference"]["success"].as_f64().unwrap() - 0.9f64.powi(3)).abs() < 1e-12);
    assert_ne!(p["scenario_sha256"], c["scenario_sha256"]);
}
