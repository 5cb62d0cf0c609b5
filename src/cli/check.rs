//! `coordsim check`: a scenario simulated and compared with observed runs.

use std::path::PathBuf;

use super::interrupt::{sim_error, stop_flag};
use super::options::refuse;
use super::traces_in::read_spans;
use super::{CliError, outdir};
use crate::output::check::{CheckReport, latency_chart};
use crate::scenario::resources::MAX_REPLICATIONS;
use crate::scenario::{self, problem::Problems};
use crate::sim::{Control, Tally, simulate_slice};
use crate::stats::accumulator::NANOS_PER_SECOND;
use crate::trace::check::observed::Observations;
use crate::trace::check::{self, loaded};
use crate::trace::fit::observe::{Mapping, Totals};
use crate::trace::fit::{self, report::sample_quantile};

/// Arguments of `coordsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The scenario to check.
    pub scenario: PathBuf,
    /// Trace files of observed runs (the forms `fit` reads).
    #[arg(required = true)]
    pub traces: Vec<PathBuf>,
    /// Simulated trials [default: 100000]; not with [workload], whose run is
    /// its workload's window and replications.
    #[arg(long)]
    pub trials: Option<u64>,
    /// With [workload]: simulated replications (2 to 10000) [default: the
    /// file's workload.replications].
    #[arg(long, value_name = "R")]
    pub replications: Option<u64>,
    /// With [workload]: the fraction of arrived tasks the traces hold (head
    /// sampling, e.g. 0.01 for 1%), for the arrival rate (0 < F <= 1).
    #[arg(long, value_name = "F")]
    pub sampled: Option<f64>,
    /// Base seed [default: the file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Confidence level of the ranges, in percent: 90 to 99.99.
    #[arg(long, default_value_t = 99.9)]
    pub level: f64,
    /// Skip bad records (counted and reported) instead of refusing the file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Output folder [default: outputs/<scenario-name>/]; writes check.json and check.csv.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a folder holding another scenario's results.
    #[arg(long)]
    pub force: bool,
}

/// Simulates, compares, prints the table and writes check.json / check.csv.
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    refuse(&args.scenario, option_problems(args))?;
    let mut s = scenario::load(&args.scenario)?;
    refuse(&args.scenario, kind_options(args, &mut s))?;
    let known = s
        .model
        .nodes
        .iter()
        .map(|n| n.id.split('#').next().unwrap_or(&n.id).to_string());
    let mut known: Vec<String> = known.collect();
    known.dedup();
    let mapping = Mapping {
        known,
        rules: Vec::new(),
    };
    let mut totals = Totals::new(mapping.clone());
    let mut more = Observations::new(mapping);
    for file in &args.traces {
        read_spans(file, args.skip_bad, &mut |o| {
            more.add(&o);
            totals.add(o)
        })?;
    }
    let z = crate::stats::interval::normal_quantile(0.5 + args.level / 200.0);
    let fitted = fit::fit(totals, z);
    let seed = args.seed.unwrap_or(s.seed);
    let name = &s.model.name;
    let observed_latency = &fitted.totals.latency.sample;
    let (figures, chart, about) = match &s.workload {
        None => {
            let trials = args.trials.unwrap_or(DEFAULT_TRIALS);
            let sim = check::simulate(&s.model, seed, trials);
            let figures = check::compare(&sim, &fitted, &s.model, z);
            let q = |p: f64| sample_quantile(&sim.latencies, p);
            let chart = latency_chart(&q, &format!("{trials} simulated"), observed_latency, name);
            let about = serde_json::json!({
                "trials": trials,
                "ranges": "where the figure of n observed tasks falls at the level if the scenario \
                           is right: a rate's binomial range around the simulated rate (plus its own \
                           interval), a quantile's order-statistic range, a mean's normal range; per \
                           node, the observed rate's Wilson interval must hold the scenario's rate",
            });
            (figures, chart, about)
        }
        Some(workload) => {
            let r = u64::from(workload.replications);
            let tally = simulate_slice(&s, 0, seed, 0..r, Control::new(stop_flag()))
                .map_err(|e| sim_error(args.scenario.display(), e))?;
            // A scenario with [workload] is simulated in replications.
            let reps = match tally {
                Tally::Replications(reps) => reps,
                Tally::Trials(_) => Vec::new(),
            };
            let sampled = args.sampled.unwrap_or(1.0);
            let observed = loaded::ObservedRuns {
                fit: &fitted,
                more: &more,
                sampled,
            };
            let level = loaded::Level {
                z,
                alpha: 1.0 - args.level / 100.0,
            };
            let figures = loaded::compare(&reps, &observed, &s.model, workload, level);
            let pooled = loaded::pooled_latency(&reps);
            let q = |p: f64| pooled.value_at_quantile(p) as f64 / NANOS_PER_SECOND;
            let tasks: u64 = reps.iter().map(|r| r.acc.trials).sum();
            let label = format!("{tasks} simulated in {r} replications");
            let chart = latency_chart(&q, &label, observed_latency, name);
            let notes: serde_json::Map<String, serde_json::Value> =
                loaded::notes(reps.len(), args.level)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.into()))
                    .collect();
            let about = serde_json::json!({
                "replications": r, "tasks_simulated": tasks, "sampled": sampled,
                "ranges": "a loaded run: see \"loaded\"", "loaded": notes,
            });
            (figures, chart, about)
        }
    };
    let dir = outdir::out_dir(args.out.as_deref(), name, &[])?;
    let mut claim = outdir::claim_results(
        &dir,
        name,
        args.force,
        &format!("check of scenario \"{name}\""),
    )?;
    let report = CheckReport {
        scenario: name,
        seed,
        level: args.level,
        figures: &figures,
        about,
        independence: more.independence(z),
        replications: s.workload.as_ref().map(|w| w.replications),
    };
    let rendered = crate::charts::render(&chart).map_err(CliError::Io)?;
    let files = vec![
        ("check-latency.png".to_string(), rendered.png),
        ("check-latency.svg".to_string(), rendered.svg.into_bytes()),
        ("check.json".to_string(), report.json()),
        ("check.csv".to_string(), report.csv()),
    ];
    outdir::write_set(&mut claim, &files, &[], false)?;
    let text = report.table();
    super::console::write_out(format_args!("{text}"))?;
    Ok(())
}

/// Simulated trials of a scenario without [workload], by default.
const DEFAULT_TRIALS: u64 = 100_000;

/// The options' own ranges.
fn option_problems(args: &CheckArgs) -> Problems {
    let mut p = Problems::default();
    if !(90.0..=99.99).contains(&args.level) {
        p.add(
            "--level",
            format!(
                "is {}; allowed: 90 to 99.99 (percent), e.g. --level 99",
                args.level
            ),
        );
    }
    if let Some(t) = args.trials
        && (t == 0 || t > 10_000_000)
    {
        p.add(
            "--trials",
            format!("is {t}; allowed: 1 to 10000000, e.g. --trials 100000"),
        );
    }
    if let Some(r) = args.replications
        && !(2..=MAX_REPLICATIONS).contains(&r)
    {
        p.add(
            "--replications",
            format!("is {r}; allowed: 2 to {MAX_REPLICATIONS}, e.g. --replications 20"),
        );
    }
    if let Some(f) = args.sampled
        && !(f > 0.0 && f <= 1.0)
    {
        p.add(
            "--sampled",
            format!(
                "is {f}; allowed: a fraction above 0 and at most 1 (of the arrived tasks \
                 the traces hold), e.g. --sampled 0.01"
            ),
        );
    }
    p
}

/// The options that apply to one kind of scenario only; applies
/// `--replications`.
fn kind_options(args: &CheckArgs, s: &mut scenario::Scenario) -> Problems {
    let mut p = Problems::default();
    let Some(w) = &mut s.workload else {
        for (given, option) in [
            (args.replications.is_some(), "--replications"),
            (args.sampled.is_some(), "--sampled"),
        ] {
            if given {
                p.add(
                    option,
                    "applies to a scenario with [workload] only (this one runs independent \
                     trials); allowed: leave it out, e.g. check with --trials 100000",
                );
            }
        }
        return p;
    };
    if let Some(t) = args.trials {
        p.add(
            "--trials",
            format!(
                "is {t}, but a scenario with [workload] runs its workload's window in \
                 workload.replications replications; allowed: leave it out, e.g. \
                 --replications 20"
            ),
        );
    }
    if let Some(r) = args.replications {
        w.replications = r as u32;
    } else if w.replications < 2 {
        p.add(
            "workload.replications",
            format!(
                "is {}; check needs at least 2 replications of a loaded run (the spread \
                 across them is the simulated figures' own uncertainty); allowed: 2 to \
                 {MAX_REPLICATIONS}, e.g. --replications 10",
                w.replications
            ),
        );
    }
    p
}
