//! `coordsim run`: Monte Carlo trials of one scenario.

use std::path::Path;
use std::time::Instant;

use super::interrupt::{self, sim_error};
use super::{CliError, Format, RunArgs, thread_pool};
use crate::output::{files, folder, table};
use crate::scenario::{
    self, Scenario, ScenarioError, compile::check_trials, patch, problem::Problems,
};
use crate::sim::{Control, simulate};

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
    if args.threads == Some(0) {
        p.add("--threads", "is 0; allowed: at least 1");
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&s.model.name));
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
        return super::shard::run_shard(args, shard, trials, seed, &pool);
    }
    let started = Instant::now();
    let stop = interrupt::stop_flag();
    let summary = pool
        .install(|| simulate(&s, trials, seed, Control::new(stop)))
        .map_err(|e| sim_error(args.file.display(), e))?;
    let elapsed = started.elapsed();
    let written = files::write_run_outputs(&dir, &summary)
        .map_err(|e| CliError::Io(format!("cannot write results to {}: {e}", dir.display())))?;
    match args.format {
        Format::Table => print!("{}", table::render(&summary)),
        Format::Json => print!("{}", files::summary_json(&summary)),
    }
    let what = match &summary.load {
        Some(load) => format!(
            "{} replications ({} tasks measured, {} events)",
            load.replications, summary.trials, load.events
        ),
        None => format!("{} trials", summary.trials),
    };
    eprintln!(
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
            p.add("--set", format!("`{change}` is not PATH=VALUE"));
            continue;
        };
        let applied = patch::parse_value(value.trim())
            .and_then(|v| patch::set_path(&mut doc, path.trim(), v));
        if let Err(e) = applied {
            p.add(format!("--set {change}"), e);
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
