//! `coordsim run`: Monte Carlo trials of one scenario.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::interrupt::{sim_error, stop_flag};
use super::options::{CommonOptions, refuse, written_line};
use super::shard::{ShardOption, ShardTarget, run_shard};
use super::{CliError, outdir};
use crate::output::{folder, results, table};
use crate::overrides::{self, Override};
use crate::scenario::{self, Scenario, problem::Problems};
use crate::sim::{Control, simulate};

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
    /// `--shard K/N`.
    #[command(flatten)]
    pub slice: ShardOption,
    /// The options every simulating command shares.
    #[command(flatten)]
    pub common: CommonOptions,
}

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
    let trials = args.common.sim.trials.unwrap_or(s.trials);
    let seed = args.common.sim.seed.unwrap_or(s.seed);
    let mut p = Problems::default();
    args.common.sim.check(&mut p);
    if s.workload.is_some() && args.common.sim.trials.is_some() {
        p.add(
            "--trials",
            "does not apply to a scenario with [workload]: its length is workload.tasks or \
             workload.duration_s, its repetitions workload.replications",
        );
    }
    let name = &s.model.name;
    let force = args.common.output.force;
    let dir = args.common.output.dir(name)?;
    if let Err(e) = folder::check(&dir, name, force) {
        p.add("--out", e);
    }
    refuse(&args.file, p)?;
    let pool = args.common.sim.pool()?;
    if let (Some(shard), Some(doc)) = (args.slice.shard, &doc) {
        let what = format!("shard {shard} of scenario \"{name}\"");
        let claim = outdir::claim_shard(&dir, name, force, &what)?;
        let target = ShardTarget {
            shard,
            file: &args.file,
            output: &args.common.output,
            pool: &pool,
        };
        return run_shard(&target, doc, &s, trials, seed, claim);
    }
    let what = format!("run of scenario \"{name}\"");
    let mut claim = outdir::claim_results(&dir, name, force, &what)?;
    let started = Instant::now();
    let summary = pool
        .install(|| simulate(&s, trials, seed, Control::new(stop_flag())))
        .map_err(|e| sim_error(args.file.display(), e))?;
    let elapsed = started.elapsed();
    let files = results::run_files(&summary);
    let quiet = args.common.output.quiet;
    let written = outdir::write_set(&mut claim, &files, &results::run_stale(), quiet)?;
    args.common.output.print(
        || table::render(&summary),
        || results::summary_json(&summary).into_bytes(),
    )?;
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
