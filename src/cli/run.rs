//! `coordsim run`: Monte Carlo trials of one scenario.

use std::path::Path;
use std::time::Instant;

use super::console::{note, out};
use super::{CliError, Format, RunArgs, interrupt, outdir, thread_pool};
use crate::output::{folder, results, table};
use crate::runner::{SimError, simulate_until};
use crate::scenario::{
    self, Scenario, ScenarioError, compile::check_trials, patch, problem::Problems,
};

/// Runs the scenario, prints the report and writes the result files.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let s = load_with_changes(&args.file, &args.set)?;
    let trials = args.trials.unwrap_or(s.trials);
    let seed = args.seed.unwrap_or(s.seed);
    let mut p = Problems::default();
    check_trials("--trials", trials, &mut p);
    if s.workload.is_some() && args.trials.is_some() {
        p.add(
            "--trials",
            "does not apply to a scenario with [workload]: its length is workload.tasks or \
             workload.duration_s, its repetitions workload.replications",
        );
    }
    super::check_threads(args.threads, &mut p);
    let name = &s.model.name;
    let dir = outdir::out_dir(args.out.as_deref(), name)?;
    if let Err(e) = folder::check(&dir, &s.model.name, args.force) {
        p.add("--out", e);
    }
    if !p.is_empty() {
        return Err(ScenarioError {
            file: args.file.clone(),
            problems: p.into_vec(),
        }
        .into());
    }
    let pool = thread_pool(args.threads)?;
    if let Some(shard) = args.shard {
        let what = format!("shard {shard} of scenario \"{name}\"");
        let claim = outdir::claim_shard(&dir, name, args.force, &what)?;
        return super::shard::run_shard(args, shard, trials, seed, &pool, claim);
    }
    let what = format!("run of scenario \"{name}\"");
    let mut claim = outdir::claim_results(&dir, name, args.force, &what)?;
    let started = Instant::now();
    let stop = interrupt::stop_flag();
    let summary = pool
        .install(|| simulate_until(&s, trials, seed, stop))
        .map_err(|e| sim_error(&args.file, e))?;
    let elapsed = started.elapsed();
    let files = results::run_files(&summary);
    let written = outdir::write_set(&mut claim, &files, &results::run_stale(), false)?;
    match args.format {
        Format::Table => out!("{}", table::render(&summary)),
        Format::Json => out!("{}", results::summary_json(&summary)),
    }
    let what = match &summary.load {
        Some(load) => format!(
            "{} replications ({} tasks measured, {} events)",
            load.replications, summary.trials, load.events
        ),
        None => format!("{} trials", summary.trials),
    };
    note!(
        "{what} in {:.3} s on {} threads; wrote {}",
        elapsed.as_secs_f64(),
        pool.current_num_threads(),
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// A simulation that could not finish, as a command error: an interrupt, or
/// a scenario that cannot be simulated (unstable, runaway) as bad input.
pub(super) fn sim_error(file: &Path, e: SimError) -> CliError {
    match e {
        SimError::Cancelled => CliError::Interrupted(format!(
            "{}: interrupted; nothing was written",
            file.display()
        )),
        e => CliError::BadInput(format!("{}: {e}", file.display())),
    }
}

/// Loads the scenario, applying `--set PATH=VALUE` changes when there are any.
fn load_with_changes(file: &Path, changes: &[String]) -> Result<Scenario, CliError> {
    if changes.is_empty() {
        return Ok(scenario::load(file)?);
    }
    let doc = document_with_changes(file, changes)?;
    Ok(scenario::compile_document(file, &doc).map_err(scenario::locate_in_file)?)
}

/// The scenario document with `--set PATH=VALUE` changes applied.
pub(super) fn document_with_changes(
    file: &Path,
    changes: &[String],
) -> Result<toml::Table, CliError> {
    let mut doc = scenario::read_document(file)?;
    let mut p = Problems::default();
    for change in changes {
        let Some((path, value)) = change.split_once('=') else {
            p.add(
                "--set",
                format!("`{}` is not PATH=VALUE", patch::shown(change)),
            );
            continue;
        };
        let applied = patch::parse_value(value.trim())
            .and_then(|v| patch::set_path(&mut doc, path.trim(), v));
        if let Err(e) = applied {
            p.add(format!("--set {}", patch::shown(change)), e);
        }
    }
    if !p.is_empty() {
        return Err(ScenarioError {
            file: file.to_path_buf(),
            problems: p.into_vec(),
        }
        .into());
    }
    Ok(doc)
}
