//! The command-line interface: argument parsing and the commands' I/O.
//!
//! Commands return a [`CliError`] instead of exiting so that `main` alone
//! decides exit codes: 2 for bad input (scenario or arguments), 1 for a
//! failure to write results.

mod analyze;
mod chart;
mod compare;
mod console;
mod interrupt;
mod merge;
mod outdir;
mod progress;
mod report;
mod review_args;
mod run;
mod shard;
mod sweep;
mod validate;

pub use analyze::{AnalyzeArgs, GateArgs};
pub use compare::CompareArgs;
pub use report::ReportArgs;
pub use review_args::SimArgs;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::scenario::ScenarioError;

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
    /// outputs/<scenario-name>/ (or --out). A scenario with [workload] runs its
    /// replications of many tasks sharing pools and links, and adds throughput,
    /// goodput and per-resource figures (utilization, queues, waits).
    Run(RunArgs),
    /// Check a scenario file and explain every problem found.
    Validate {
        /// Scenario file (.toml, or .json).
        file: PathBuf,
    },
    /// Compare a base with variants on common random numbers: every headline
    /// figure, its difference to the base with a 95% interval, and whether it
    /// is significant.
    ///
    /// A variant is a variant file (a base plus patches) or any scenario.
    /// Writes compare.csv and compare.json to outputs/<base-name>/ (or --out).
    Compare(CompareArgs),
    /// Where does the gap open: the gain in P(correct), change in p99 latency
    /// and cost per correct task if each node or hand-off were perfect, had
    /// one more retry, or had a gate after it; ranked, with 95% intervals,
    /// and the attribution of the failures.
    ///
    /// Writes analyze.csv, analyze.json and tornado.svg to outputs/<name>/ (or --out).
    Analyze(AnalyzeArgs),
    /// Write the review: one self-contained HTML file and a Markdown version
    /// (graph, headline table, charts, ranked recommendations), plus graph.dot
    /// and the charts as SVG, to outputs/<name>/ (or --out).
    Report(ReportArgs),
    /// Run a scenario over a grid of parameter values (e.g. depth × concurrency).
    ///
    /// Every point runs the same trials and seed as `coordsim run` would on the
    /// scenario with those values. Writes sweep.csv, sweep.json and charts
    /// (PNG and SVG) to outputs/<scenario-name>/ (or --out).
    Sweep(SweepArgs),
    /// Draw charts from saved results, without running anything.
    ///
    /// From a sweep.csv: the sweep's charts. From a run's summary.json
    /// (--nodes): which nodes the failures started at.
    Chart(ChartArgs),
    /// Combine the partial results of `run --shard K/N` (or `sweep --shard`)
    /// into the result of the whole run: bit-identical to a run on one machine.
    ///
    /// Refuses partials of different scenarios, seeds or trial counts, and
    /// sets with a shard missing or given twice. Writes what `run` (or
    /// `sweep`) writes, to outputs/<scenario-name>/ (or --out).
    Merge(MergeArgs),
}

/// Arguments of `coordsim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The partial-K-of-N.json files, one per shard, in any order.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// What to print on standard output (runs; a sweep prints its overview).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Folder for the results [default: outputs/<scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Sweeps: write sweep.csv and sweep.json only.
    #[arg(long)]
    pub no_charts: bool,
    /// Nothing on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Arguments of `coordsim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (.toml, or .json).
    pub file: PathBuf,
    /// PATH=VALUES to vary, repeatable (a grid of all combinations, the first
    /// varying slowest). PATH is a scenario field such as nodes.retrieve.silent,
    /// edges.a->b.loud, defaults.edge.silent, run.trials, or `depth` (the
    /// `repeat` of the repeated node). VALUES: a..b (integers, inclusive),
    /// a:b:step (inclusive), or v1,v2,... [default: the file's [sweep] vary]
    #[arg(long, value_name = "PATH=VALUES")]
    pub vary: Vec<String>,
    /// Trials per point [default: the file's run.trials, else 100000].
    #[arg(long)]
    pub trials: Option<u64>,
    /// Base seed, the same at every point [default: the file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder for sweep.csv, sweep.json and the charts [default: outputs/<scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: one per core]; results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress and no summary on stderr (the table still goes to stdout).
    #[arg(long, short)]
    pub quiet: bool,
    /// Write sweep.csv and sweep.json only.
    #[arg(long)]
    pub no_charts: bool,
    /// Continue an interrupted sweep: keep the points it finished (kept in
    /// <out>/.sweep/) and run the rest. The result is the same as that of an
    /// uninterrupted sweep.
    #[arg(long)]
    pub resume: bool,
    /// Write into the output folder even if it holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// Most trials (over all points) run without --yes.
    #[arg(long, default_value_t = 1_000_000_000, value_name = "N")]
    pub max_trials: u64,
    /// Run a sweep of more than --max-trials trials.
    #[arg(long)]
    pub yes: bool,
    /// Run only slice K of N (1 ≤ K ≤ N) of the trials (with [workload]: of the
    /// replications) and write partial-K-of-N.json for `coordsim merge`.
    #[arg(long, value_name = "K/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
}

/// Arguments of `coordsim chart`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("input").required(true).multiple(true).args(["sweep_csv", "nodes"]))]
pub struct ChartArgs {
    /// A sweep.csv written by `coordsim sweep`: draws its charts again.
    #[arg(value_name = "SWEEP_CSV")]
    pub sweep_csv: Option<PathBuf>,
    /// A summary.json written by `coordsim run`: draws nodes.png/.svg, the
    /// failures attributed to each node and hand-off.
    #[arg(long, value_name = "SUMMARY_JSON")]
    pub nodes: Option<PathBuf>,
    /// Folder for the charts [default: the input file's folder].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `coordsim run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml, or .json).
    pub file: PathBuf,
    /// Number of trials [default: the file's run.trials, else 100000]; not for
    /// [workload] scenarios, whose length is workload.tasks or duration_s.
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
    /// Write into the output folder even if it holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// Change a field before running, e.g. `--set workload.rate=6` or
    /// `--set nodes.retrieve.silent=0.02` (a TOML value; repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Run only slice K of N (1 ≤ K ≤ N) of the trials (with [workload]: of the
    /// replications) and write partial-K-of-N.json for `coordsim merge`.
    #[arg(long, value_name = "K/N", value_parser = crate::shard::Shard::parse)]
    pub shard: Option<crate::shard::Shard>,
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
    /// Stopped by Ctrl-C or SIGTERM: exit code 130.
    #[error("{0}")]
    Interrupted(String),
    /// Standard output was closed by its reader (`| head`): the command
    /// stops quietly, exit code 0.
    #[error("standard output closed")]
    Closed,
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 2,
            CliError::Io(_) => 1,
            CliError::Interrupted(_) => interrupt::EXIT_CODE,
            CliError::Closed => 0,
        }
    }
}

impl From<ScenarioError> for CliError {
    fn from(e: ScenarioError) -> Self {
        CliError::BadInput(e.to_string())
    }
}

/// Reports a failed command on standard error (nothing for a closed
/// standard output) and returns the process exit code.
pub fn report_failure(e: &CliError) -> i32 {
    if !matches!(e, CliError::Closed) {
        let text = e.to_string();
        let newline = if text.ends_with('\n') { "" } else { "\n" };
        console::write_err(format_args!("error: {text}{newline}"));
    }
    e.exit_code()
}

/// Reports a command line that did not parse, or `--help` / `--version`
/// (on standard output, through [`console`]: a full disk is an error there
/// too); returns the process exit code.
pub fn report_usage(e: &clap::Error) -> i32 {
    use std::io::IsTerminal;
    if e.use_stderr() {
        let text = if std::io::stderr().is_terminal() {
            e.render().ansi().to_string()
        } else {
            e.render().to_string()
        };
        console::write_err(format_args!("{text}"));
        return e.exit_code();
    }
    let text = if std::io::stdout().is_terminal() {
        e.render().ansi().to_string()
    } else {
        e.render().to_string()
    };
    match console::write_out(format_args!("{text}")) {
        Ok(()) => e.exit_code(),
        Err(e) => report_failure(&e),
    }
}

/// Runs the parsed command line.
pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Validate { file } => validate::validate(&file),
        Command::Compare(args) => compare::compare(&args),
        Command::Analyze(args) => analyze::analyze(&args),
        Command::Report(args) => report::report(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Chart(args) => chart::chart(&args),
        Command::Merge(args) => merge::merge(&args),
    }
}

/// Most worker threads `--threads` may ask for: more would only spend the
/// time of creating them (results do not depend on the number).
pub const MAX_THREADS: usize = 1024;

/// Checks `--threads`: 1 to [`MAX_THREADS`].
fn check_threads(threads: Option<usize>, p: &mut crate::scenario::problem::Problems) {
    if let Some(n) = threads.filter(|n| !(1..=MAX_THREADS).contains(n)) {
        p.add(
            "--threads",
            format!("is {n}; allowed: 1 to {MAX_THREADS}, e.g. --threads 8"),
        );
    }
}

/// A rayon pool with `threads` workers (default: one per core).
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, CliError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Io(format!("cannot start worker threads: {e}")))
}
