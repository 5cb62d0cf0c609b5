//! The options every simulating command shares, declared once and flattened
//! into each command's arguments with the same meaning everywhere: what to
//! simulate ([`SimOptions`]: trials, seed, threads, `--set`) and what to
//! write and print ([`OutputOptions`]: folder, force, quiet, format), both in
//! [`CommonOptions`]; `merge` takes the output ones only.

use std::fmt::Display;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::CliError;
use super::console::{self, note};
use crate::overrides::{self, Override};
use crate::scenario::compile::{MAX_TRIALS, check_trials};
use crate::scenario::{ScenarioError, problem::Problems};
use crate::stats::precision::{DEFAULT_CAP, Precision};

/// Most worker threads `--threads` may ask for: more would only spend the
/// time of creating them (results do not depend on the number).
pub const MAX_THREADS: usize = 1024;

/// The options of every command that simulates (`run`, `sweep`, `compare`,
/// `analyze`, `report`).
#[derive(Debug, Clone, clap::Args)]
pub struct CommonOptions {
    /// Trials, seed, threads, `--set`.
    #[command(flatten)]
    pub sim: SimOptions,
    /// Output folder, `--force`, `--quiet`, `--format`.
    #[command(flatten)]
    pub output: OutputOptions,
}

/// How the scenario is simulated.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Simulation")]
pub struct SimOptions {
    /// Trials per configuration (sweep: per point) [default: the file's
    /// run.trials, else 100000]; not for [workload] scenarios, whose length is
    /// workload.tasks or workload.duration_s.
    #[arg(long)]
    pub trials: Option<u64>,
    /// Base seed; trial i is seeded from (seed, i), the same in every
    /// configuration and at every point [default: the file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads, 1 to 1024 [default: one per core]; results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Change a field before simulating, as if written in the file, e.g.
    /// `--set workload.rate=6`, `--set nodes.retrieve.silent=0.02` or
    /// `--set depth=4` (the `repeat` of the repeated node); a sub-graph's
    /// node is named `<sub-graph>/<node>`, e.g. `nodes.research/search.loud`;
    /// VALUE is a TOML value; repeatable. Reviews apply it to every scenario (the base and
    /// each variant, after the variant's own patches); a sweep applies it
    /// before --vary.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Service-level objectives: latency thresholds in seconds, e.g.
    /// `--slo 2,5,30`; reports P(latency <= x) for each with its interval
    /// (and, for [workload] scenarios, the goodput within it); the same as
    /// `--set run.slo=[2,5,30]`.
    #[arg(long, value_name = "SECONDS,...")]
    pub slo: Option<String>,
}

impl SimOptions {
    /// The `--set` changes, parsed; problems go to `p`.
    /// `--slo` comes last, as `run.slo=[...]`.
    pub fn overrides(&self, p: &mut Problems) -> Vec<Override> {
        let mut changes = overrides::parse_all(&self.set, p);
        if let Some(slo) = &self.slo {
            let values: Result<Vec<f64>, _> =
                slo.split(',').map(|x| x.trim().parse::<f64>()).collect();
            match values {
                Ok(values) if !values.is_empty() => {
                    let list: Vec<String> = values.iter().map(|x| format!("{x:?}")).collect();
                    let mut slo_change =
                        overrides::parse_all(&[format!("run.slo=[{}]", list.join(", "))], p);
                    for change in &mut slo_change {
                        change.origin = format!("--slo {slo}");
                    }
                    changes.extend(slo_change);
                }
                _ => p.add(
                    "--slo",
                    format!(
                        "is {slo:?}; allowed: latency thresholds in seconds separated by commas, \
                         e.g. --slo 2,5,30"
                    ),
                ),
            }
        }
        changes
    }

    /// Checks `--trials` and `--threads` (the file's trials are checked with the file).
    pub fn check(&self, p: &mut Problems) {
        if let Some(trials) = self.trials {
            check_trials("--trials", trials, p);
        }
        if let Some(n) = self.threads.filter(|n| !(1..=MAX_THREADS).contains(n)) {
            p.add(
                "--threads",
                format!("is {n}; allowed: 1 to {MAX_THREADS}, e.g. --threads 8"),
            );
        }
    }

    /// A worker pool of `--threads` threads (default: one per core).
    pub fn pool(&self) -> Result<rayon::ThreadPool, CliError> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0))
            .build()
            .map_err(|e| CliError::Io(format!("cannot start worker threads: {e}")))
    }
}

/// `--precision FIGURE=HALF_WIDTH` and `--trial-cap N` (`run`, `sweep`, `compare`).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Precision")]
pub struct PrecisionOptions {
    /// Run until the 95% interval of FIGURE is within ±HALF_WIDTH, instead of
    /// a fixed number of trials: FIGURE is success, silent, loud, escalated,
    /// mean (latency), a latency quantile (p50, p95, p99, p99.9) or SLO
    /// attainment slo:X (P(latency ≤ X s); compare: a threshold of --slo); HALF_WIDTH
    /// is absolute (0.001: a probability, or seconds) or relative (2%), e.g.
    /// `--precision silent=0.0005` or `--precision p99=2%`. Trials run in
    /// batches of 10000, 20000, 40000, ... (the same for any thread count);
    /// the result is that of `--trials N` for the N used, which is reported.
    /// compare: the difference of each variant to the base, to that precision.
    /// Independent trials only (not [workload] scenarios).
    #[arg(long, value_name = "FIGURE=HALF_WIDTH")]
    pub precision: Option<String>,
    /// Most trials a --precision run may use (per point, per configuration)
    /// [default: 100000000]; reaching it is reported.
    #[arg(long, value_name = "N", requires = "precision")]
    pub trial_cap: Option<u64>,
}

impl PrecisionOptions {
    /// The precision asked for, if any; problems (with `--trials`, which a
    /// precision run does not take) go to `p`.
    pub fn parse(&self, sim: &SimOptions, p: &mut Problems) -> Option<Precision> {
        let text = self.precision.as_deref()?;
        let cap = self.trial_cap.unwrap_or(DEFAULT_CAP);
        if !(1..=MAX_TRIALS).contains(&cap) {
            p.add(
                "--trial-cap",
                format!("is {cap}; allowed: 1 to {MAX_TRIALS} trials, e.g. --trial-cap 1000000"),
            );
        }
        if sim.trials.is_some() {
            p.add(
                "--trials",
                "does not apply with --precision, which decides the trials itself; \
                 to bound them use --trial-cap N, e.g. --trial-cap 1000000",
            );
        }
        match Precision::parse(text, cap) {
            Ok(precision) => Some(precision),
            Err(e) => {
                p.add("--precision", e);
                None
            }
        }
    }
}

/// Where results go and what is printed.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct OutputOptions {
    /// Folder for the results [default: outputs/<scenario-name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into the output folder even if it holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// Nothing on standard error but errors: no wall time, progress or notes.
    #[arg(long, short)]
    pub quiet: bool,
    /// What to print on standard output: a table, or the JSON document the
    /// command writes (summary.json, sweep.json, compare.json, analyze.json;
    /// report: its compare.json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain-text tables.
    Table,
    /// The JSON document the command writes.
    Json,
}

impl OutputOptions {
    /// The output folder: `--out`, else `outputs/<scenario>` (built from a
    /// valid scenario name only, see [`crate::output::folder::default_dir`]).
    /// With `changes` (`--set`, see [`crate::output::provenance::folder_name`])
    /// the default folder is `outputs/<scenario>--set-<hash>`.
    pub fn dir(&self, scenario: &str, changes: &[String]) -> Result<PathBuf, CliError> {
        super::outdir::out_dir(self.out.as_deref(), scenario, changes)
    }

    /// Prints the table (`--format table`) or the JSON document on standard
    /// output; only the chosen one is built.
    pub fn print(
        &self,
        table: impl FnOnce() -> String,
        json: impl FnOnce() -> Vec<u8>,
    ) -> Result<(), CliError> {
        let bytes = match self.format {
            Format::Table => table().into_bytes(),
            Format::Json => json(),
        };
        // A closed pipe ends the command quietly, a full disk is an error.
        console::write_bytes(&bytes)
    }

    /// Writes a line on standard error unless `--quiet` (a closed or full
    /// standard error is ignored).
    pub fn note(&self, line: impl Display) {
        if !self.quiet {
            note!("{line}");
        }
    }
}

/// The problems found, as the error of `file`, or nothing.
pub fn refuse(file: &Path, p: Problems) -> Result<(), CliError> {
    if p.is_empty() {
        return Ok(());
    }
    Err(ScenarioError {
        file: file.to_path_buf(),
        problems: p.into_vec(),
    }
    .into())
}

/// One line naming the written files, for standard error.
pub fn written_line(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
