//! `--shard K/N` of `run` and `sweep`: run one slice of the trials (or
//! replications) and write its exact partial result for `coordsim merge`.
//! The callers load and check the scenario; this module only simulates the
//! slice and writes it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::CliError;
use super::console::outln;
use super::interrupt::{sim_error, stop_flag};
use super::options::OutputOptions;
use crate::output::folder::Claim;
use crate::scenario::Scenario;
use crate::shard::{Identity, Partial, PointPart, Shard, wire::TallyWire};
use crate::sim::{Control, run_length, simulate_slice};
use crate::sweep::Plan;

/// `--shard K/N` of `run` and `sweep`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ShardOption {
    /// Run only slice K of N (1 ≤ K ≤ N) of the trials (with [workload]: of the
    /// replications) and write partial-K-of-N.json for `coordsim merge`; its
    /// path is printed on standard output.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
}

/// Which slice to run, of which file, on which pool, and where it goes.
pub(super) struct ShardTarget<'a> {
    /// The slice.
    pub shard: Shard,
    /// The scenario file as given (recorded in the partial).
    pub file: &'a Path,
    /// Output folder and `--quiet`.
    pub output: &'a OutputOptions,
    /// The worker pool.
    pub pool: &'a rayon::ThreadPool,
    /// The `--set` changes as `PATH=VALUE` (recorded in the partial).
    pub overrides: Vec<String>,
}

/// `coordsim run --shard K/N`: slice K of the run's units of the compiled
/// scenario `s` (whose document, with any `--set` applied, is `doc`),
/// written to `partial-K-of-N.json` in the output folder.
pub(super) fn run_shard(
    target: &ShardTarget,
    doc: &toml::Table,
    s: &Scenario,
    trials: u64,
    seed: u64,
    claim: Claim,
) -> Result<(), CliError> {
    let started = Instant::now();
    let length = run_length(s, trials);
    let range = target.shard.range(length);
    let tally = target
        .pool
        .install(|| simulate_slice(s, trials, seed, range.clone(), Control::new(stop_flag())))
        .map_err(|e| sim_error(target.file.display(), e))?;
    let identity = Identity {
        command: "run".into(),
        file: target.file.display().to_string(),
        scenario: s.model.name.clone(),
        document: toml_text(doc),
        trials: Some(trials),
        seed: Some(seed),
        vary: Vec::new(),
        version: env!("CARGO_PKG_VERSION").into(),
        overrides: target.overrides.clone(),
    };
    let point = PointPart {
        length,
        range: [range.start, range.end],
        tally: TallyWire::from_tally(&tally),
    };
    let partial = Partial::new(identity, target.shard, vec![point]);
    let path = write_partial(claim, &partial)?;
    let unit = if s.workload.is_some() {
        "replications"
    } else {
        "trials"
    };
    target.output.note(format_args!(
        "shard {}: {unit} {}..{} of {length} in {:.3} s on {} threads",
        target.shard,
        range.start,
        range.end,
        started.elapsed().as_secs_f64(),
        target.pool.current_num_threads()
    ));
    outln!("{}", path.display());
    Ok(())
}

/// `coordsim sweep --shard K/N`: slice K of every point's units. `trials`,
/// `seed` and `vary` are the flags as given, recorded for `merge`.
pub(super) fn sweep_shard(
    target: &ShardTarget,
    plan: &Plan,
    trials: Option<u64>,
    seed: Option<u64>,
    vary: &[String],
    claim: Claim,
) -> Result<(), CliError> {
    let started = Instant::now();
    let mut points = Vec::with_capacity(plan.points.len());
    for point in &plan.points {
        let at = || format!("at the point ({})", plan.describe(&point.values));
        let s = plan
            .scenario_at(&point.values)
            .map_err(|e| CliError::BadInput(format!("{}: {e}", at())))?;
        let length = run_length(&s, point.trials);
        let range = target.shard.range(length);
        let tally = target
            .pool
            .install(|| {
                let control = Control::new(stop_flag());
                simulate_slice(&s, point.trials, point.seed, range.clone(), control)
            })
            .map_err(|e| sim_error(at(), e))?;
        points.push(PointPart {
            length,
            range: [range.start, range.end],
            tally: TallyWire::from_tally(&tally),
        });
    }
    let identity = Identity {
        command: "sweep".into(),
        file: target.file.display().to_string(),
        scenario: plan.scenario.clone(),
        document: toml_text(&plan.doc),
        trials,
        seed,
        vary: vary.to_vec(),
        version: env!("CARGO_PKG_VERSION").into(),
        overrides: target.overrides.clone(),
    };
    let partial = Partial::new(identity, target.shard, points);
    let path = write_partial(claim, &partial)?;
    target.output.note(format_args!(
        "shard {}: {} points in {:.3} s on {} threads",
        target.shard,
        plan.points.len(),
        started.elapsed().as_secs_f64(),
        target.pool.current_num_threads()
    ));
    outln!("{}", path.display());
    Ok(())
}

/// The scenario document as TOML text (floats in shortest round-trip form).
fn toml_text(doc: &toml::Table) -> String {
    toml::to_string(doc).expect("a scenario document serialises as TOML")
}

/// Writes the partial atomically into the claimed output folder.
fn write_partial(mut claim: Claim, partial: &Partial) -> Result<PathBuf, CliError> {
    let name = partial.shard.file_name();
    claim
        .write_file(Path::new(&name), &partial.to_json())
        .map_err(|e| {
            CliError::Io(format!(
                "cannot write {}: {e}",
                claim.dir().join(&name).display()
            ))
        })
}
