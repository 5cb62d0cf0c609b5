//! `coordsim run`: Monte Carlo trials of one scenario.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::interrupt::{sim_error, stop_flag};
use super::options::{CommonOptions, PrecisionOptions, refuse, written_line};
use super::shard::{ShardOption, ShardTarget, run_shard};
use super::{CliError, outdir};
use crate::output::provenance::{describe, provenance, result_changes};
use crate::output::{folder, rare, results, table};
use crate::overrides::{self, Override};
use crate::scenario::{self, Scenario, problem::Problems};
use crate::sim::precision::{projected_trials, simulate_to_precision};
use crate::sim::rare::{self as rare_sim, run_rare};
use crate::sim::{Control, simulate};
use crate::stats::rare::RareSummary;
use crate::task::bias::FailureBias;
use crate::trace::sample::{self, TracesOf};

/// Arguments of `coordsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml, or .json).
    pub file: PathBuf,
    /// Run every task K times and report pass^k and pass@k for k = 1..K
    /// (the same as `--set run.pass_k=K`; independent trials only).
    #[arg(long, value_name = "K")]
    pub pass_k: Option<u64>,
    /// Count the tasks in which each pair of nodes and hand-offs fail together
    /// and report their failure correlation (the same as
    /// `--set run.failure_correlation=true`; independent trials, at most 64
    /// nodes and hand-offs).
    #[arg(long)]
    pub correlation: bool,
    /// Also write N sampled tasks as traces: traces.otlp.jsonl (OTLP JSON,
    /// GenAI attributes, one request per line: an OpenTelemetry collector's
    /// file receiver loads it) and traces.chrome.json (Perfetto UI,
    /// chrome://tracing). With --pass-k, every run of each task. With
    /// [workload], tasks of replication 0, each attempt's span carrying its
    /// wait for links and pool queues before service.
    #[arg(long, value_name = "N")]
    pub traces: Option<u64>,
    /// Which tasks --traces writes, picked from the seed alone: all (the
    /// first N trials), silent, loud, escalated (the first N that ended so)
    /// or slowest (the N slowest); with [workload], of the measured tasks
    /// of replication 0 in start order.
    #[arg(
        long,
        value_enum,
        value_name = "WHICH",
        default_value = "all",
        requires = "traces"
    )]
    pub traces_of: TracesOf,
    /// `--shard K/N`.
    #[command(flatten)]
    pub slice: ShardOption,
    /// Estimate rare outcome rates (silent, loud, escalated far below
    /// 1/trials) by importance sampling: failures are drawn with probability
    /// at least --bias and every trial is weighted by its exact likelihood
    /// ratio. Prints the rates with 95% intervals, hits and effective sample
    /// sizes, and writes rare.json (instead of summary.json and nodes.csv).
    /// Independent trials only: not with [workload], pass_k > 1 or --correlation.
    #[arg(long)]
    pub rare: bool,
    /// With --rare: every failure probability (a step's silent + loud, a
    /// gate's miss of a wrong input) below THETA is raised to THETA
    /// (0 < THETA < 1) [default: 0.5].
    #[arg(long, value_name = "THETA", requires = "rare")]
    pub bias: Option<f64>,
    /// `--precision FIGURE=HALF_WIDTH` and `--trial-cap N`.
    #[command(flatten)]
    pub precision: PrecisionOptions,
    /// The options every simulating command shares.
    #[command(flatten)]
    pub common: CommonOptions,
}

/// Most tasks `--traces` writes.
pub const MAX_TRACES: u64 = 1_000_000;

/// Runs the scenario, prints the report and writes the result files.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let mut p = Problems::default();
    let mut changes = args.common.sim.overrides(&mut p);
    if let Some(k) = args.pass_k {
        if k == 0 || k > 1000 {
            p.add(
                "--pass-k",
                format!("is {k}; allowed: 1 to 1000 runs of every task, e.g. --pass-k 8"),
            );
        }
        changes.extend(crate::overrides::parse_all(
            &[format!("run.pass_k={k}")],
            &mut p,
        ));
    }
    if args.correlation {
        changes.extend(crate::overrides::parse_all(
            &["run.failure_correlation=true".to_string()],
            &mut p,
        ));
    }
    refuse(&args.file, p)?;
    let (doc, s) = load(&args.file, &changes, args.slice.shard.is_some())?;
    let mut trials = args.common.sim.trials.unwrap_or(s.trials);
    let seed = args.common.sim.seed.unwrap_or(s.seed);
    let mut p = Problems::default();
    args.common.sim.check(&mut p);
    let precision = args.precision.parse(&args.common.sim, &mut p);
    if precision.is_some() && s.workload.is_some() {
        p.add(
            "--precision",
            "applies to independent trials; a scenario with [workload] is measured over its \
             replications: raise workload.replications to narrow its intervals, e.g. \
             --set workload.replications=40",
        );
    }
    if s.workload.is_some() && args.common.sim.trials.is_some() {
        p.add(
            "--trials",
            "does not apply to a scenario with [workload]: its length is workload.tasks or \
             workload.duration_s, its repetitions workload.replications",
        );
    }
    if let Some(n) = args.traces {
        if n == 0 || n > MAX_TRACES {
            p.add(
                "--traces",
                format!("is {n}; allowed: 1 to {MAX_TRACES} tasks, e.g. --traces 100"),
            );
        }
        if args.slice.shard.is_some() {
            p.add(
                "--traces",
                "cannot be combined with --shard; run without --shard",
            );
        }
        if args.rare {
            p.add(
                "--traces",
                "cannot be combined with --rare (its trials are weighted); run without --rare",
            );
        }
    }
    let bias = args
        .rare
        .then(|| rare_bias(args, &s, precision.is_some(), &mut p));
    let name = &s.model.name;
    let force = args.common.output.force;
    let dir = args.common.output.dir(name, &result_changes(&changes))?;
    if let Err(e) = folder::check(&dir, name, force) {
        p.add("--out", e);
    }
    refuse(&args.file, p)?;
    let pool = args.common.sim.pool()?;
    if let (Some(shard), Some(doc)) = (args.slice.shard, &doc) {
        let what = format!("shard {shard} of scenario \"{name}\"");
        let claim = outdir::claim_shard(&dir, name, force, &what)?;
        if let Some(precision) = &precision {
            // Every shard projects the same N from the same first batch.
            trials = pool
                .install(|| projected_trials(&s, seed, precision, Control::new(stop_flag())))
                .map_err(|e| sim_error(args.file.display(), e))?;
            args.common.output.note(format_args!(
                "--precision {}: every shard runs its slice of {trials} trials, projected \
                 from the first batch; merge the shards for the result",
                args.precision.precision.as_deref().unwrap_or_default()
            ));
        }
        let target = ShardTarget {
            shard,
            file: &args.file,
            output: &args.common.output,
            pool: &pool,
            overrides: describe(&changes),
        };
        return run_shard(&target, doc, &s, trials, seed, claim);
    }
    let what = format!("run of scenario \"{name}\"");
    let mut claim = outdir::claim_results(&dir, name, force, &what)?;
    if let Some(bias) = bias {
        let started = Instant::now();
        let tally = pool
            .install(|| run_rare(&s, seed, trials, bias, Control::new(stop_flag())))
            .map_err(|e| sim_error(args.file.display(), e))?;
        let summary = RareSummary::new(name, seed, bias.theta(), &tally);
        let quiet = args.common.output.quiet;
        let files = rare::rare_files(&summary);
        let written = outdir::write_set(&mut claim, &files, &rare::rare_stale(), quiet)?;
        args.common
            .output
            .print(|| rare::render(&summary), || files[0].1.clone())?;
        if let Some(w) = summary.degenerate() {
            args.common.output.note(format_args!("warning: {w}"));
        }
        args.common.output.note(format_args!(
            "{trials} trials (importance sampling) in {:.3} s on {} threads; wrote {}",
            started.elapsed().as_secs_f64(),
            pool.current_num_threads(),
            written_line(&written)
        ));
        return Ok(());
    }
    let started = Instant::now();
    let mut summary = pool
        .install(|| {
            let control = Control::new(stop_flag());
            match &precision {
                Some(precision) => simulate_to_precision(&s, seed, precision, control),
                None => simulate(&s, trials, seed, control),
            }
        })
        .map_err(|e| sim_error(args.file.display(), e))?;
    let doc = match doc {
        Some(doc) => doc,
        None => scenario::read_document(&args.file)?,
    };
    let document = toml::to_string(&doc)
        .map_err(|e| CliError::Io(format!("cannot write the scenario as TOML: {e}")))?;
    summary.provenance = Some(provenance(&document, describe(&changes), &s.model));
    let elapsed = started.elapsed();
    let mut files = results::run_files(&summary);
    if let Some(n) = args.traces {
        let traces = pool.install(|| {
            sample::sampled(
                &s.model,
                s.workload.as_ref(),
                seed,
                summary.trials,
                n,
                args.traces_of,
            )
        });
        files.extend(crate::output::traces::files(&s.model, seed, &traces));
    }
    let quiet = args.common.output.quiet;
    let written = outdir::write_set(&mut claim, &files, &results::run_stale(), quiet)?;
    args.common.output.print(
        || table::render(&summary),
        || results::summary_json(&summary).into_bytes(),
    )?;
    if let Some(r) = summary.precision.as_ref().filter(|r| !r.met) {
        args.common.output.note(format_args!(
            "warning: --precision {}={} not reached: the cap of {} trials left the interval \
             at ±{:.3e}; raise --trial-cap",
            r.figure, r.target, r.cap, r.half_width
        ));
    }
    let what = match &summary.load {
        Some(load) => format!(
            "{} replications ({} tasks measured, {} events)",
            load.replications, summary.trials, load.events
        ),
        None => format!("{} trials", summary.trials),
    };
    args.common.output.note(format_args!(
        "{what} in {:.3} s on {} threads; wrote {}",
        elapsed.as_secs_f64(),
        pool.current_num_threads(),
        written_line(&written)
    ));
    Ok(())
}

/// The failure bias of `--rare`, checked: its range, the options it does not
/// combine with, and the scenario's features it does not support.
fn rare_bias(args: &RunArgs, s: &Scenario, precision: bool, p: &mut Problems) -> FailureBias {
    let theta = args.bias.unwrap_or(0.5);
    if !(theta > 0.0 && theta < 1.0) {
        p.add(
            "--bias",
            format!("is {theta}; allowed: a probability above 0 and below 1, e.g. --bias 0.5"),
        );
    }
    if precision {
        p.add(
            "--rare",
            "does not combine with --precision; give the trials, e.g. --rare --trials 100000",
        );
    }
    if args.slice.shard.is_some() {
        p.add(
            "--shard",
            "does not combine with --rare (its weighted sums are not kept in partial files); \
             run --rare on one machine",
        );
    }
    if let Some((feature, why)) = rare_sim::unsupported(s) {
        p.add("--rare", format!("{feature} is not supported: {why}"));
    }
    // An invalid THETA has been refused above; 0.5 only stands in for it.
    FailureBias::new(if theta > 0.0 && theta < 1.0 {
        theta
    } else {
        0.5
    })
}

/// The scenario, compiled once, with the `--set` changes applied. Its
/// document is kept when `keep_document` (a shard records it), and read only
/// when needed: without changes the file is loaded as it is.
fn load(
    file: &Path,
    changes: &[Override],
    keep_document: bool,
) -> Result<(Option<toml::Table>, Scenario), CliError> {
    if changes.is_empty() && !keep_document {
        return Ok((None, scenario::load(file)?));
    }
    let original = scenario::read_document(file)?;
    let mut doc = original.clone();
    let mut p = Problems::default();
    overrides::apply(&mut doc, changes, &mut p);
    refuse(file, p)?;
    let s = overrides::compile_changed(file, &original, &doc, changes)?;
    Ok((Some(doc), s))
}
