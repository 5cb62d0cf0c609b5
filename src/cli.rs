//! The command-line interface: argument parsing and the commands' I/O.
//!
//! Commands return a [`CliError`] instead of exiting so that `main` alone
//! decides exit codes: 2 for bad input (scenario or arguments), 1 for a
//! failure to write results.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::montecarlo::run_trials;
use crate::output::{files, table};
use crate::scenario::{self, ScenarioError, compile::check_trials, problem::Problems};
use crate::stats::Summary;

/// coordsim: how reliable, how slow and how costly is an AI architecture, end to end?
#[derive(Debug, Parser)]
#[command(name = "coordsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo trials and report reliability, latency and cost.
    ///
    /// Prints a table (or JSON) and writes summary.json and nodes.csv to
    /// outputs/<scenario-name>/ (or --out).
    Run(RunArgs),
    /// Check a scenario file and explain every problem found.
    Validate {
        /// Scenario file (.toml, or .json).
        file: PathBuf,
    },
}

/// Arguments of `coordsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml, or .json).
    pub file: PathBuf,
    /// Number of trials [default: the file's run.trials, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Base seed; trial i is seeded from (seed, i) [default: the file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Folder for summary.json and nodes.csv [default: outputs/<scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: one per core]; results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain-text tables.
    Table,
    /// The summary.json document.
    Json,
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The scenario (or an argument about it) is invalid: exit code 2.
    #[error("{0}")]
    BadInput(String),
    /// Results could not be written: exit code 1.
    #[error("{0}")]
    Io(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Io(_) => 1,
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(e: ScenarioError) -> Self {
        CliError::BadInput(e.to_string())
    }
}

/// Runs the parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Validate { file } => validate(&file),
    }
}

fn validate(file: &Path) -> Result<(), CliError> {
    let s = scenario::load(file)?;
    let m = &s.model;
    println!(
        "{}: ok — scenario \"{}\": {} nodes, {} edges, {} gates; {} trials, seed {} by default",
        file.display(),
        m.name,
        m.nodes.len(),
        m.edges.len(),
        m.nodes.iter().filter(|n| n.gate.is_some()).count(),
        s.trials,
        s.seed
    );
    Ok(())
}

fn run(args: &RunArgs) -> Result<(), CliError> {
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Io(format!("cannot start worker threads: {e}")))?;
    let started = Instant::now();
    let acc = pool.install(|| run_trials(&s.model, seed, 0..trials));
    let elapsed = started.elapsed();
    let summary = Summary::new(&s.model, seed, &acc);
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
