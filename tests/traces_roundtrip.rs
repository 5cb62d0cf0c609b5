//! Round trip: traces written from every bundled scenario of independent
//! trials (a few thousand tasks, as OTLP JSON) are read back and fitted, and
//! every fitted parameter's 99.9% interval holds the scenario's value: the
//! latency family's parameters (a lognormal's median and p99, a gamma's
//! shape, an exponential's mean, a fixed value), the loud and silent rates
//! per attempt (Wilson), a gate's sensitivity and false-alarm rate, and a
//! per-task Beta's mean and concentration (beta-binomial over pass^k runs).
//!
//! Attempts cut off before they ended (abandoned when a vote decided or the
//! task ended, timed out) are right-censored in the latency fit and left
//! out of the rates; shared-blind-spot, whose early-deciding vote abandons
//! about a quarter of its samples' attempts, is checked like the rest.

mod common;

use common::trace_check::{self as tc, Z};
use coordsim::model::Model;
use coordsim::trace::fit::latency::Family;
use coordsim::trace::fit::{self, Fit};
use coordsim::trace::sample::{self, TracesOf};

fn fitted(model: &Model, tasks: u64) -> Fit {
    let picked = sample::pick(model, 1, tasks, tasks, TracesOf::All);
    let traces = sample::record(model, 1, &picked);
    tc::fit_traces(model, 1, &traces)
}

fn check(model: &Model, fit: &Fit, failures: &mut Vec<String>) -> usize {
    let mut checked = 0;
    for nf in &fit.nodes {
        if nf.totals.all.attempts == 0 {
            continue;
        }
        let exec = tc::exec_of(model, nf);
        let name = &nf.totals.name;
        let what = |p: &str| format!("{}: {name} {p}", model.name);
        checked += tc::check_latency(&what, &model.step(exec).latency, nf, failures);
        checked += tc::check_silent(&what, model, exec, nf, failures);
        checked += tc::check_loud(&what, model, exec, nf, failures);
        checked += tc::check_gate(&what, model, exec, nf, failures);
    }
    checked
}

#[test]
fn every_bundled_scenario_of_independent_trials_is_fitted_back() {
    let mut failures = Vec::new();
    let mut scenarios = 0;
    let mut dir: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    dir.sort();
    for path in dir {
        let s = coordsim::scenario::load(&path).unwrap();
        if s.workload.is_some() {
            continue;
        }
        // pass^k scenarios: fewer tasks, each run pass_k times.
        let tasks = if s.model.pass_k > 1 { 1500 } else { 3000 };
        let fit = fitted(&s.model, tasks);
        let checked = check(&s.model, &fit, &mut failures);
        assert!(
            checked >= 3,
            "{}: only {checked} figures checked",
            path.display()
        );
        scenarios += 1;
    }
    assert!(scenarios >= 6, "{scenarios} scenarios");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Iterations and branches per execution, with the attempts counted within
/// each: an agent loop of geometric length (mean 6) cut at 15 steps runs
/// E[min(N, 15)] = 6 (1 − (5/6)^15) iterations; a fan-out over the
/// empirical counts of map-reduce-research has mean Σ c·w / Σ w = 540 / 84
/// branches; and no iteration or branch makes more attempts than its
/// retries allow (iterations are not retries).
#[test]
fn loop_iterations_and_fan_out_branches_are_fitted_per_execution() {
    let cases = [
        (
            "scenarios/react-agent.toml",
            "act",
            6.0 * (1.0 - (5.0f64 / 6.0).powi(15)),
        ),
        ("scenarios/map-reduce-research.toml", "read", 540.0 / 84.0),
    ];
    for (path, node, mean) in cases {
        let s = coordsim::scenario::load(std::path::Path::new(path)).unwrap();
        let fit = fitted(&s.model, 3000);
        let nf = fit.nodes.iter().find(|n| n.totals.name == node).unwrap();
        let (m, lo, hi, n) = nf.count.expect("a count per execution");
        assert_eq!(n, 3000, "{path}: every task runs {node} once");
        assert!(
            lo <= mean && mean <= hi,
            "{path}: {node} count {m} [{lo}, {hi}] vs {mean}"
        );
        let exec = s.model.nodes.iter().position(|x| x.id == node).unwrap();
        let allowed = s.model.step(exec).retry.max_retries + 1;
        assert!(
            nf.totals.max_attempt >= 2 && nf.totals.max_attempt <= allowed,
            "{path}: {node} most attempts {} (allowed {allowed})",
            nf.totals.max_attempt
        );
    }
}

/// The count of react-agent's loop (geometric, mean 6, step limit 15) and
/// of map-reduce-research's fan-out (empirical, mean 540/84, at most 4 in
/// flight, joined by all) are fitted in their own family, the executions
/// cut short (a loop at its limit, a fan-out whose branch failed) right-
/// censored, and written into the fitted scenario, which loads and runs;
/// the 99.9% interval of the count's mean holds the scenario's value.
#[test]
fn fitted_loop_and_fan_out_counts_are_written_into_a_scenario_that_runs() {
    use coordsim::model::Count;
    use coordsim::trace::fit::count::CountDist;
    let cases = [
        ("scenarios/react-agent.toml", "act", 6.0),
        ("scenarios/map-reduce-research.toml", "read", 540.0 / 84.0),
    ];
    for (path, node, truth) in cases {
        let s = coordsim::scenario::load(std::path::Path::new(path)).unwrap();
        let mut fit = fitted(&s.model, 3000);
        fit.fit_counts(&s.model);
        let nf = fit.nodes.iter().find(|n| n.totals.name == node).unwrap();
        let c = nf.count_fit.clone().expect("a count fit").expect("fitted");
        assert_eq!(c.complete + c.censored, 3000, "{path}");
        let mean = match &c.dist {
            CountDist::Geometric { mean } | CountDist::Empirical { mean, .. } => *mean,
            other => panic!("{path}: {other:?}"),
        };
        assert!(
            mean.1 <= truth && truth <= mean.2,
            "{path}: {node} count mean {mean:?} vs {truth}"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let out = fit::scenario::write(&text, &s.model, &fit, "round trip").unwrap();
        let file = coordsim::scenario::parse(std::path::Path::new("fitted.toml"), &out).unwrap();
        let model = coordsim::scenario::compile(&file, "fitted").unwrap().model;
        let exec = model.nodes.iter().position(|x| x.id == node).unwrap();
        let count = model.nodes[exec].dynamic.as_deref().unwrap().count();
        // The fitted mean, as written (six significant digits).
        assert!(
            (count.mean() - mean.0).abs() < 1e-5 * mean.0,
            "{path}: written {count:?}, fitted {mean:?}"
        );
        assert_eq!(
            matches!(count, Count::Geometric { .. }),
            matches!(c.dist, CountDist::Geometric { .. })
        );
        let mut sim = coordsim::task::TaskSim::new(&model);
        let mut counters = vec![coordsim::task::ExecCounters::default(); model.exec_count()];
        let correct = (0..500)
            .filter(|&i| {
                sim.run(coordsim::seed::trial(1, i), &mut counters).outcome
                    == coordsim::task::TaskOutcome::Correct
            })
            .count();
        assert!(correct > 0, "{path}: the fitted scenario runs");
    }
}

/// Attempts cut off have no outcome and are left out of the rates; in the
/// model an attempt's outcome is drawn independently of its latency and of
/// the draws that cut it off, so this does not bias them. shared-blind-spot
/// without its common cause: a 3-of-5 vote that abandons about a quarter
/// of the samples' attempts; the five samples' silent rate (0.2 each),
/// pooled, lies within the 99.9% Wilson interval, and their lognormal
/// median (2 s) and p99 (8 s) within their censored fits' intervals.
#[test]
fn attempts_cut_off_by_an_early_vote_bias_neither_rates_nor_latency() {
    let mut s =
        coordsim::scenario::load(std::path::Path::new("scenarios/shared-blind-spot.toml")).unwrap();
    for c in &mut s.model.common_causes {
        c.probability = 0.0;
    }
    let fit = fitted(&s.model, 6000);
    let samples: Vec<_> = fit
        .nodes
        .iter()
        .filter(|n| n.totals.name.len() == 2 && n.totals.name.starts_with('s'))
        .collect();
    assert_eq!(samples.len(), 5);
    let (mut silent, mut labelled, mut cut, mut all) = (0, 0, 0, 0);
    for n in &samples {
        let f = &n.totals.first;
        silent += f.silent;
        labelled += f.labelled;
        cut += n.totals.abandoned;
        all += n.totals.abandoned + n.totals.all.attempts;
        let Family::LogNormal { median, p99, .. } = &n.latency[0].family else {
            panic!("{:?}", n.latency[0])
        };
        assert!(median.1 <= 2.0 && 2.0 <= median.2, "{median:?}");
        assert!(p99.1 <= 8.0 && 8.0 <= p99.2, "{p99:?}");
    }
    assert!(cut * 5 > all, "{cut} of {all} attempts cut off");
    let (lo, hi) = coordsim::stats::interval::wilson(silent, labelled, Z);
    assert!(
        lo <= 0.2 && 0.2 <= hi,
        "{silent} / {labelled}: [{lo}, {hi}]"
    );
}

/// Without a structure, spans carrying iterations (branches) make the
/// inferred node an agent loop (a dynamic fan-out) with an empirical count,
/// which the fit replaces with its Kaplan–Meier estimate; with no step
/// limit or limit in flight inferred, every execution counts as seen whole,
/// so the loop's mean is E[min(N, 15)] = 6 (1 − (5/6)¹⁵) and the fan-out's
/// 540/84, each inside its 99.9% interval, and the scenario loads.
#[test]
fn an_inferred_structure_has_loops_and_fan_outs_with_fitted_counts() {
    use coordsim::trace::fit::count::CountDist;
    let cases = [
        (
            "scenarios/react-agent.toml",
            "act",
            "loop",
            6.0 * (1.0 - (5.0f64 / 6.0).powi(15)),
        ),
        (
            "scenarios/map-reduce-research.toml",
            "read",
            "fan_out",
            540.0 / 84.0,
        ),
    ];
    for (path, node, key, truth) in cases {
        let s = coordsim::scenario::load(std::path::Path::new(path)).unwrap();
        let mut fit = fitted(&s.model, 3000);
        let (doc, notes) = fit::structure::infer(&fit, "inferred");
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(node) && n.contains("not inferred")),
            "{notes:?}"
        );
        let file = coordsim::scenario::parse(std::path::Path::new("i.toml"), &doc).unwrap();
        let model = coordsim::scenario::compile(&file, "i").unwrap().model;
        fit.fit_counts(&model);
        let nf = fit.nodes.iter().find(|n| n.totals.name == node).unwrap();
        let c = nf.count_fit.clone().unwrap().unwrap();
        let CountDist::Empirical { mean, .. } = c.dist else {
            panic!("{path}: {c:?}")
        };
        assert!(
            mean.1 <= truth && truth <= mean.2,
            "{path}: {mean:?} vs {truth}"
        );
        let out = fit::scenario::write(&doc, &model, &fit, "inferred").unwrap();
        assert!(out.contains(&format!("{key} = {{ count = {{ dist = \"empirical\"")));
        let file = coordsim::scenario::parse(std::path::Path::new("f.toml"), &out).unwrap();
        coordsim::scenario::compile(&file, "f").unwrap();
    }
}
