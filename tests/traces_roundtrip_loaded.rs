//! Round trip of loaded runs: for every bundled scenario with a
//! `[workload]`, the traces of a few thousand measured tasks of replication
//! 0 (as `run --traces` writes them, OTLP JSON, each span carrying its queue
//! wait) are read back and fitted, and every fitted figure whose true value
//! the scenario states lies inside its 99.9% interval: per node the loud
//! and silent rates per attempt (Wilson), the service time (waits removed;
//! the pool's `service` distribution, the fixed time its token rates give,
//! or the step's own latency where no pool draws one), and the arrival
//! rate of an open workload of constant rate.
//!
//! Some features make a figure unidentifiable from the traces; those
//! figures, and only those, are left out by the table [`EXCLUSIONS`], and
//! the test says which it left out. The workload is shrunk by its own
//! fields (fewer measured tasks, a shorter window) to keep each scenario to
//! a couple of seconds; replication 0 is the only one traced.

mod common;

use common::trace_check::{self as tc, Z};
use coordsim::model::{
    Arrivals, IncidentMode, Latency, Model, OnFull, ServiceTime, Window, Workload,
};
use coordsim::trace::fit::Fit;
use coordsim::trace::sample::{self, TracesOf};

/// Measured tasks traced per scenario.
const TASKS: u64 = 3000;
/// Base seed of the runs (streams derived by src/seed.rs inside the run).
const SEED: u64 = 1;

/// A figure of a node (or of the run) the test compares with the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figure {
    Service,
    Loud,
    Silent,
    Arrivals,
}

/// What about a node's pool or the run makes figures unidentifiable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feature {
    /// Continuous batching: an attempt's time is decode iterations whose
    /// length depends on how full the batch is; no service time is stated.
    Batching,
    /// A pool that is down (outage, or an incident `mode = "down"`) with
    /// `while_down = "fail"` fails calls loud at once: extra loud attempts
    /// (labelled, so they dilute the silent rate too) with a near-zero
    /// "service"; with `while_down = "wait"` calls caught in service are
    /// held over the spell.
    DownFails,
    DownWaits,
    /// Degradation (random or an incident `mode = "degraded"`): service is
    /// slowed in spells.
    Degraded,
    /// Degradation whose calls may end loud anyway (`extra_loud` > 0):
    /// loud attempts that are not the step's own failures (and, labelled,
    /// they dilute the silent rate).
    DegradedLoud,
    /// A circuit breaker refuses calls while open: loud attempts of no
    /// service that are not the step's own failures.
    Breaker,
    /// A pool that rejects when full (`on_full = "reject"`, or a bounded
    /// queue): loud attempts that are not the step's own failures.
    Rejects,
    /// Load shedding refuses tasks at arrival; shed tasks never start, so
    /// the admitted tasks' starts are a thinned stream, not Poisson at the
    /// stated rate.
    Shedding,
    /// Arrivals by a schedule of several rates, or a closed population:
    /// no single arrival rate to compare with.
    NoConstantRate,
    /// A class other than class 0 of a multi-class run: not traced at all.
    OtherClass,
}

/// Feature → figures not checked (per node for a pool's feature, for the
/// run for the workload's). Classes other than class 0 of a multi-class
/// run are not traced at all (traces name steps by the scenario's own
/// graph): their nodes never appear in the fit, so they are not checked;
/// class 0's nodes are checked like any other. A rate limit with
/// `on_full = "wait"` only adds to the span's queue wait (the tracer marks
/// service from the moment a server takes the call), so it excludes
/// nothing: chip-layer's `search` is checked behind its token bucket. A
/// link transfer also counts as wait (src/trace/loaded.rs); the only bundled
/// one is on a batching node, whose service is not checked anyway. Each
/// exclusion was seen to matter on this run with the table emptied: shed
/// arrivals fit 2.6/s against 3.5; a pool down with `while_down = "fail"`
/// fits loud 0.60 against 0 and silent 0.006 against 0.02, and has no
/// lognormal fit; a breaker's refusals fit loud 0.13 against 0 and a mean
/// service 0.37 s against 1. Degradation without `extra_loud` (slowed
/// spells) is left out on principle: service then is a mixture.
const EXCLUSIONS: &[(Feature, &[Figure])] = &[
    (Feature::Batching, &[Figure::Service]),
    (
        Feature::DownFails,
        &[Figure::Service, Figure::Loud, Figure::Silent],
    ),
    (Feature::DownWaits, &[Figure::Service]),
    (Feature::Degraded, &[Figure::Service]),
    (Feature::DegradedLoud, &[Figure::Loud, Figure::Silent]),
    (
        Feature::Breaker,
        &[Figure::Service, Figure::Loud, Figure::Silent],
    ),
    (Feature::Rejects, &[Figure::Loud, Figure::Silent]),
    (Feature::Shedding, &[Figure::Arrivals]),
    (Feature::NoConstantRate, &[Figure::Arrivals]),
    (
        Feature::OtherClass,
        &[
            Figure::Service,
            Figure::Loud,
            Figure::Silent,
            Figure::Arrivals,
        ],
    ),
];

fn excluded(features: &[Feature], figure: Figure) -> Option<Feature> {
    features.iter().copied().find(|f| {
        EXCLUSIONS
            .iter()
            .any(|(g, figs)| g == f && figs.contains(&figure))
    })
}

/// The features of the pool serving execution `exec`, if any.
fn pool_features(model: &Model, exec: usize) -> Vec<Feature> {
    let Some(pool) = model
        .step(exec)
        .resource
        .as_ref()
        .and_then(|r| r.pool)
        .map(|p| &model.pools[p])
    else {
        return Vec::new();
    };
    let mut f = Vec::new();
    if pool.batching.is_some() {
        f.push(Feature::Batching);
    }
    if pool.on_full == OnFull::Reject || pool.queue_capacity != u64::MAX {
        f.push(Feature::Rejects);
    }
    if let Some(r) = pool.resilience.as_deref() {
        let down = r.outage.is_some() || r.incidents.iter().any(|i| i.mode == IncidentMode::Down);
        if down {
            f.push(match r.while_down {
                coordsim::model::WhileDown::Fail => Feature::DownFails,
                coordsim::model::WhileDown::Wait => Feature::DownWaits,
            });
        }
        let degradations: Vec<_> = r
            .degraded
            .iter()
            .map(|d| d.1)
            .chain(r.incidents.iter().filter_map(|i| match i.mode {
                IncidentMode::Degraded(d) => Some(d),
                IncidentMode::Down => None,
            }))
            .collect();
        if !degradations.is_empty() {
            f.push(Feature::Degraded);
        }
        if degradations.iter().any(|d| d.extra_loud > 0.0) {
            f.push(Feature::DegradedLoud);
        }
        if r.breaker.is_some() {
            f.push(Feature::Breaker);
        }
    }
    f
}

/// The service time an attempt of execution `exec` gets, as the scenario
/// states it (src/model/resource.rs `draw_work`): the pool's distribution;
/// input / prefill + output / decode seconds for a token-rate pool (the
/// step's tokens are fixed); the step's own latency without a pool or where
/// the pool serves for it. None for a batching pool (iterations, not time).
fn true_service(model: &Model, exec: usize) -> Option<Latency> {
    let step = model.step(exec);
    let Some(pool) = step
        .resource
        .as_ref()
        .and_then(|r| r.pool)
        .map(|p| &model.pools[p])
    else {
        return Some(step.latency.clone());
    };
    if pool.batching.is_some() {
        return None;
    }
    match &pool.service {
        ServiceTime::Distribution(d) => Some(d.clone()),
        ServiceTime::StepLatency => Some(step.latency.clone()),
        ServiceTime::Tokens {
            prefill_per_s,
            decode_per_s,
        } => {
            let (input, output) = step.tokens.unwrap_or((0, 0));
            Some(Latency::Fixed(
                input as f64 / prefill_per_s + output as f64 / decode_per_s,
            ))
        }
    }
}

/// The workload cut to about [`TASKS`] measured tasks by its own fields:
/// fewer measured tasks, or a shorter measured window at the mean rate.
fn shrunk(w: &Workload) -> Workload {
    let mut w = w.clone();
    w.replications = 1;
    w.window = match w.window {
        Window::Tasks { warmup, tasks } => Window::Tasks {
            warmup,
            tasks: tasks.min(TASKS),
        },
        Window::Time { warmup, duration } => {
            let rate = w.arrivals.mean_rate();
            Window::Time {
                warmup,
                duration: if rate > 0.0 {
                    duration.min(TASKS as f64 / rate)
                } else {
                    duration
                },
            }
        }
    };
    w
}

/// Checks the fit of one scenario's traces; returns the figures checked and
/// notes the figures left out.
fn check(
    model: &Model,
    w: &Workload,
    fit: &Fit,
    traced: usize,
    failures: &mut Vec<String>,
    skipped: &mut Vec<String>,
) -> usize {
    let mut checked = 0;
    for nf in &fit.nodes {
        if nf.totals.all.attempts == 0 {
            continue;
        }
        let exec = tc::exec_of(model, nf);
        let name = &nf.totals.name;
        let what = |p: &str| format!("{}: {name} {p}", model.name);
        let features = pool_features(model, exec);
        let mut skip = |figure: Figure, f: Feature| {
            skipped.push(format!("{}: {name} {figure:?} ({f:?})", model.name));
        };
        match (
            excluded(&features, Figure::Service),
            true_service(model, exec),
        ) {
            (Some(f), _) => skip(Figure::Service, f),
            (None, Some(latency)) => {
                let n = tc::check_latency(&what, &latency, nf, failures);
                assert!(n > 0, "{}: {name}: no service figure to check", model.name);
                checked += n;
            }
            (None, None) => unreachable!("only a batching pool states no service time"),
        }
        match excluded(&features, Figure::Silent) {
            Some(f) => skip(Figure::Silent, f),
            None => checked += tc::check_silent(&what, model, exec, nf, failures),
        }
        match excluded(&features, Figure::Loud) {
            Some(f) => skip(Figure::Loud, f),
            None => checked += tc::check_loud(&what, model, exec, nf, failures),
        }
        checked += tc::check_gate(&what, model, exec, nf, failures);
    }
    for c in &w.classes {
        let f = Feature::OtherClass;
        let figures = EXCLUSIONS.iter().find(|e| e.0 == f).unwrap().1;
        skipped.push(format!(
            "{}: class {} {figures:?} ({f:?})",
            model.name, c.head.id
        ));
    }
    // The arrival rate of class 0 (the traced class).
    let mut run = Vec::new();
    if w.head.shed.is_some() {
        run.push(Feature::Shedding);
    }
    let constant = match &w.arrivals {
        Arrivals::Open { schedule, .. } => schedule
            .windows(2)
            .all(|p| p[0].1 == p[1].1)
            .then(|| schedule[0].1),
        Arrivals::Closed { .. } => None,
    };
    if constant.is_none() {
        run.push(Feature::NoConstantRate);
    }
    match (excluded(&run, Figure::Arrivals), constant) {
        (Some(f), _) => skipped.push(format!("{}: arrivals ({f:?})", model.name)),
        (None, Some(rate)) => {
            // Mean gap m over g gaps, standard error sqrt(cv²)·m/√g: the
            // interval of the mean gap, inverted.
            let (fitted, cv2) = fit.arrivals.expect("arrivals in start order");
            let g = (traced - 1) as f64;
            let half = Z * cv2.sqrt() / g.sqrt();
            let (lo, hi) = (fitted / (1.0 + half), fitted / (1.0 - half));
            tc::inside(
                &format!("{}: arrival rate (fitted {fitted})", model.name),
                rate,
                (lo, hi),
                failures,
            );
            checked += 1;
        }
        (None, None) => unreachable!(),
    }
    checked
}

#[test]
fn every_bundled_loaded_scenario_is_fitted_back_from_its_traces() {
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut checked = 0;
    let mut scenarios = Vec::new();
    let mut dir: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    dir.sort();
    for path in dir {
        let s = coordsim::scenario::load(&path).unwrap();
        let Some(w) = s.workload.as_ref() else {
            continue;
        };
        let w = shrunk(w);
        let t0 = std::time::Instant::now();
        let traces = sample::sampled(&s.model, Some(&w), SEED, 0, TASKS, TracesOf::All);
        assert!(
            traces.len() >= 1000,
            "{}: only {} tasks traced",
            path.display(),
            traces.len()
        );
        let fit = tc::fit_traces(&s.model, SEED, &traces);
        let n = check(
            &s.model,
            &w,
            &fit,
            traces.len(),
            &mut failures,
            &mut skipped,
        );
        eprintln!(
            "{}: {} tasks, {n} figures checked, {:.1} s",
            s.model.name,
            traces.len(),
            t0.elapsed().as_secs_f64()
        );
        // Every loaded scenario has figures checked: none is skipped whole.
        assert!(n >= 1, "{}: no figure checked", path.display());
        checked += n;
        scenarios.push(s.model.name.clone());
    }
    eprintln!("not checked:\n{}", skipped.join("\n"));
    eprintln!(
        "{checked} figures checked over {} scenarios",
        scenarios.len()
    );
    assert!(scenarios.len() >= 10, "{scenarios:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // As many as this test checks today (48): a figure that stops being
    // checked (a node or a scenario gone quiet) fails here.
    assert!(checked >= 48, "{checked} figures checked");
}
