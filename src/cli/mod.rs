//! The command-line interface: argument parsing and the commands' I/O.
//!
//! Commands return a [`CliError`] instead of exiting so that `main` alone
//! decides exit codes: 2 for bad input (scenario or arguments), 1 for a
//! failure to write results.

mod analyze;
mod chart;
mod check;
mod compare;
mod console;
mod fit;
mod generate;
mod init;
mod interrupt;
mod merge;
mod options;
mod outdir;
mod progress;
mod report;
mod review_args;
mod run;
mod shard;
mod sweep;
mod trace_options;
mod traces_in;
mod validate;

pub use analyze::{AnalyzeArgs, GateArgs};
pub use chart::ChartArgs;
pub use check::CheckArgs;
pub use compare::CompareArgs;
pub use fit::FitArgs;
pub use generate::{command_names, man_page};
pub use init::InitArgs;
pub use merge::MergeArgs;
pub use options::{CommonOptions, Format, OutputOptions, PrecisionOptions, SimOptions};
pub use report::ReportArgs;
pub use run::RunArgs;
pub use shard::ShardOption;
pub use sweep::SweepArgs;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::scenario::ScenarioError;

/// coordsim: how reliable, how slow and how costly is an AI architecture, end to end?
///
/// Start with `coordsim init` (a commented starter scenario), then
/// `coordsim validate FILE` and `coordsim run FILE`. Without a command,
/// coordsim prints this help and exits with code 0.
#[derive(Debug, Parser)]
#[command(name = "coordsim", version)]
pub struct Cli {
    /// What to do (none: print this help).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo trials and report reliability, latency and cost.
    ///
    /// Prints a table (or JSON) and writes summary.json and nodes.csv to
    /// outputs/<scenario-name>/ (or --out). A scenario with [workload] runs its
    /// replications of many tasks sharing pools and links, and adds throughput,
    /// goodput and per-resource figures (utilization, queues, waits); with
    /// [[classes]] (several task classes sharing the pools, with priorities)
    /// or a `shed` rule (load shedding), every figure is also reported per
    /// class, with its shed rate (classes.csv); with `power`,
    /// `price_per_hour` or `joules_per_gb` on its resources, also energy (W,
    /// J per task and per correct task, tokens per joule) and the capacity
    /// cost of the provisioned servers (USD per hour and per task).
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
    /// Write a commented starter scenario to adapt: chain, rag or pool.
    ///
    /// Writes <TEMPLATE>.toml (or --file) in the current folder and never
    /// replaces a file. Every template validates and runs as written.
    Init(InitArgs),
    /// Print the shell completion script for SHELL (bash, zsh, fish,
    /// elvish, powershell).
    ///
    /// E.g. `coordsim completions bash > ~/.local/share/bash-completion/completions/coordsim`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of coordsim, or of one of its commands.
    ///
    /// E.g. `coordsim man | man -l -`, `coordsim man run > coordsim-run.1`.
    /// docs/man/ holds every page.
    Man {
        /// A command (run, sweep, ...); without it, the page of coordsim.
        command: Option<String>,
    },
    /// Print the JSON Schema of scenario files (for editor completion and
    /// checking in TOML and JSON editors; also docs/scenario.schema.json).
    ///
    /// The schema checks shapes and field names; `coordsim validate` checks
    /// everything else (ranges, references, the graph).
    Schema,
    /// Fit a scenario to observed traces (OTLP JSON, or a steps CSV/JSONL):
    /// per node latency (fixed, exponential, lognormal or gamma by maximum
    /// likelihood, chosen by AIC, with the KS distance; attempts abandoned
    /// or timed out are right-censored), loud and silent rates, gate rates,
    /// tokens and cost, retries, the count of a loop or fan-out; per task
    /// difficulty across repeated runs. Writes the fitted scenario (-o)
    /// with each figure's interval and sample size in a comment, and
    /// <stem>.fit.md.
    Fit(FitArgs),
    /// Simulate a scenario and compare it with observed traces: outcome
    /// rates, latency quantiles, cost per task and per-node rates; flags each
    /// observed figure outside the range the scenario predicts for it.
    ///
    /// With [workload], simulates the loaded run's replications (the
    /// simulated figures' own ranges from their spread) and adds each pool's
    /// mean queue wait and the arrival rate; the observed tasks are taken as
    /// independent (e.g. sampled sparsely: say which fraction with
    /// --sampled).
    Check(CheckArgs),
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
    let Some(command) = cli.command else {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help();
        return console::write_out(format_args!("{help}"));
    };
    match command {
        Command::Run(args) => run::run(&args),
        Command::Validate { file } => validate::validate(&file),
        Command::Compare(args) => compare::compare(&args),
        Command::Analyze(args) => analyze::analyze(&args),
        Command::Report(args) => report::report(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Chart(args) => chart::chart(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Init(args) => init::init(&args),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man { command } => generate::man(command.as_deref()),
        Command::Schema => generate::schema(),
        Command::Fit(args) => fit::fit(&args),
        Command::Check(args) => check::check(&args),
    }
}
