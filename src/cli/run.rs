//! `coordsim run`: Monte Carlo trials of one scenario.

use std::path::Path;
use std::time::Instant;

use super::{CliError, Format, RunArgs, thread_pool};
use crate::output::{files, table};
use crate::runner::simulate;
use crate::scenario::{self, ScenarioError, compile::check_trials, problem::Problems};

/// Runs the scenario, prints the report and writes the result files.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let s = scenario::load(&args.file)?;
    let trials = args.trials.unwrap_or(s.trials);
    let seed = args.seed.unwrap_or(s.seed);
    let mut p = Problems::default();
    check_trials("--trials", trials, &mut p);
    if args.threads == Some(0) {
        p.add("--threads", "is 0; allowed: at least 1");
    }
    if !p.is_empty() {
        return Err(ScenarioError {
            file: args.file.clone(),
            problems: p.into_vec(),
        }
        .into());
    }
    let pool = thread_pool(args.threads)?;
    let started = Instant::now();
    let summary = pool.install(|| simulate(&s, trials, seed));
    let elapsed = started.elapsed();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&s.model.name));
    let written = files::write_run_outputs(&dir, &summary)
        .map_err(|e| CliError::Io(format!("cannot write results to {}: {e}", dir.display())))?;
    match args.format {
        Format::Table => print!("{}", table::render(&summary)),
        Format::Json => print!("{}", files::summary_json(&summary)),
    }
    eprintln!(
        "{trials} trials in {:.3} s on {} threads; wrote {}",
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
