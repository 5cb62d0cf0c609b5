//! Hot paths of the engine, measured with criterion (`cargo bench`):
//! the event queue (push/pop in a steady state), one six-step trial, a batch
//! of six-step trials through `run_trials`, one loaded M/M/c replication, a
//! `--precision` run beside `--trials N` for the N it uses, and importance
//! sampling (`--rare`) beside crude trials of the same scenario (their ratio
//! is the per-trial cost of the biasing and the weights).
//!
//! Throughput is reported in events (queue operations or simulated events)
//! or trials per second. Never run from `cargo test`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use coordsim::engine::EventQueue;
use coordsim::scenario::{Scenario, compile, load, parse};
use coordsim::seed::{self, ReplicationSeed};
use coordsim::sim::Control;
use coordsim::sim::precision::simulate_to_precision;
use coordsim::sim::rare::run_rare;
use coordsim::sim::trials::run_trials;
use coordsim::stats::Accumulator;
use coordsim::stats::precision::Precision;
use coordsim::task::TaskSim;
use coordsim::task::bias::FailureBias;
use coordsim::world::run_replication;
use std::sync::atomic::AtomicBool;

/// M/M/c with c = 8, λ = 7.2, μ = 1 (ρ = 0.9), shorter than the comparison's.
const MMC: &str = r#"
name = "mmc"
[workload]
arrivals = "open"
rate = 7.2
warmup_tasks = 2000
tasks = 20000
replications = 1
[[resources]]
id = "pool"
kind = "accelerator"
servers = 8
service = { dist = "exponential", mean = 1.0 }
[[nodes]]
id = "call"
kind = "llm"
resource = "pool"
"#;

fn six_step() -> Scenario {
    load(Path::new("scenarios/six-step-pipeline.toml")).expect("bundled scenario")
}

fn mmc() -> Scenario {
    let file = parse(Path::new("mmc.toml"), MMC).expect("valid M/M/c scenario");
    compile(&file, "mmc").expect("M/M/c compiles")
}

/// Steady-state "hold" model: `pending` events waiting; each step pops the
/// earliest and schedules one more at a pseudo-random delay.
fn event_queue(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_queue");
    for pending in [16usize, 1024] {
        let delays: Vec<f64> = (0..4096u64)
            .map(|i| (seed::mix(i, 7) >> 11) as f64 / (1u64 << 53) as f64)
            .collect();
        let mut q = EventQueue::new();
        for (i, d) in delays.iter().take(pending).enumerate() {
            q.schedule_in(*d, i as u32);
        }
        const STEPS: usize = 4096;
        group.throughput(Throughput::Elements(STEPS as u64));
        group.bench_function(format!("hold_pop_push_{pending}_pending"), |b| {
            b.iter(|| {
                for d in &delays {
                    let (_, e) = q.pop().expect("never empty");
                    q.schedule_in(*d, black_box(e));
                }
            })
        });
    }
    group.finish();
}

fn six_step_trial(c: &mut Criterion) {
    let s = six_step();
    let mut group = c.benchmark_group("six_step");
    let mut sim = TaskSim::new(&s.model);
    let mut acc = Accumulator::new(s.model.exec_count());
    let mut trial = 0u64;
    group.throughput(Throughput::Elements(1));
    group.bench_function("one_trial", |b| {
        b.iter(|| {
            trial += 1;
            let r = sim.run(seed::trial(1, trial), &mut acc.execs);
            acc.record(black_box(&r));
        })
    });
    let trials = 100_000u64;
    group.throughput(Throughput::Elements(trials));
    group.sample_size(10);
    group.bench_function("run_trials_100k", |b| {
        b.iter(|| black_box(run_trials(&s.model, 1, 0..trials, Control::none())))
    });
    group.finish();
}

fn mmc_world(c: &mut Criterion) {
    let s = mmc();
    let workload = s.workload.as_ref().expect("loaded scenario");
    let never = AtomicBool::new(false);
    let events = run_replication(&s.model, workload, ReplicationSeed::new(1, 0), &never).events;
    let mut group = c.benchmark_group("mmc_world");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("c8_rho0.9_22k_tasks", |b| {
        b.iter(|| {
            black_box(run_replication(
                &s.model,
                workload,
                ReplicationSeed::new(1, 0),
                &never,
            ))
        })
    });
    group.finish();
}

fn precision_and_rare(c: &mut Criterion) {
    let s = six_step();
    let precision = Precision::parse("success=0.002", 10_000_000).expect("valid precision");
    let n = simulate_to_precision(&s, 1, &precision, Control::none())
        .expect("runs")
        .trials;
    let mut group = c.benchmark_group("precision");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("six_step_success_0.002", |b| {
        b.iter(|| black_box(simulate_to_precision(&s, 1, &precision, Control::none())))
    });
    group.bench_function("six_step_same_trials_fixed", |b| {
        b.iter(|| black_box(run_trials(&s.model, 1, 0..n, Control::none())))
    });
    group.finish();

    let rare = load(Path::new("scenarios/rare-silent-gates.toml")).expect("bundled scenario");
    let trials = 100_000u64;
    let mut group = c.benchmark_group("rare");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trials));
    group.bench_function("gates_importance_sampling_100k", |b| {
        b.iter(|| {
            let bias = FailureBias::new(0.5);
            black_box(run_rare(&rare, 1, trials, bias, Control::none()))
        })
    });
    group.bench_function("gates_crude_100k", |b| {
        b.iter(|| black_box(run_trials(&rare.model, 1, 0..trials, Control::none())))
    });
    group.finish();
}

criterion_group!(
    benches,
    event_queue,
    six_step_trial,
    mmc_world,
    precision_and_rare
);
criterion_main!(benches);
