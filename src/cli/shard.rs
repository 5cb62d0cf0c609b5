//! `--shard K/N` of `run` and `sweep`: run one slice of the trials (or
//! replications) and write its exact partial result for `coordsim merge`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::console::{note, outln};
use super::run::document_with_changes;
use super::{CliError, RunArgs, SweepArgs};
use crate::output::folder::Claim;
use crate::runner::{run_length, simulate_slice};
use crate::scenario::compile_document;
use crate::shard::{Identity, Partial, PointPart, Shard, wire::TallyWire};
use crate::sweep::Plan;

/// `coordsim run --shard K/N`: slice K of the run's units, written to
/// `partial-K-of-N.json` in `--out` (default `outputs/<scenario-name>/`).
pub(super) fn run_shard(
    args: &RunArgs,
    shard: Shard,
    trials: u64,
    seed: u64,
    pool: &rayon::ThreadPool,
    claim: Claim,
) -> Result<(), CliError> {
    let doc = document_with_changes(&args.file, &args.set)?;
    let s = compile_document(&args.file, &doc)?;
    let started = Instant::now();
    let length = run_length(&s, trials);
    let range = shard.range(length);
    let tally = pool
        .install(|| simulate_slice(&s, trials, seed, range.clone()))
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let identity = Identity {
        command: "run".into(),
        file: args.file.display().to_string(),
        scenario: s.model.name.clone(),
        document: toml_text(&doc),
        trials: Some(trials),
        seed: Some(seed),
        vary: Vec::new(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let point = PointPart {
        length,
        range: [range.start, range.end],
        tally: TallyWire::from_tally(&tally),
    };
    let partial = Partial::new(identity, shard, vec![point]);
    let path = write_partial(claim, &partial)?;
    let unit = if s.workload.is_some() {
        "replications"
    } else {
        "trials"
    };
    note!(
        "shard {shard}: {unit} {}..{} of {length} in {:.3} s on {} threads",
        range.start,
        range.end,
        started.elapsed().as_secs_f64(),
        pool.current_num_threads()
    );
    outln!("{}", path.display());
    Ok(())
}

/// `coordsim sweep --shard K/N`: slice K of every point's units.
pub(super) fn sweep_shard(
    args: &SweepArgs,
    shard: Shard,
    plan: &Plan,
    pool: &rayon::ThreadPool,
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
        let range = shard.range(length);
        let tally = pool
            .install(|| simulate_slice(&s, point.trials, point.seed, range.clone()))
            .map_err(|e| CliError::BadInput(format!("{}: {e}", at())))?;
        points.push(PointPart {
            length,
            range: [range.start, range.end],
            tally: TallyWire::from_tally(&tally),
        });
    }
    let identity = Identity {
        command: "sweep".into(),
        file: args.file.display().to_string(),
        scenario: plan.scenario.clone(),
        document: toml_text(&plan.doc),
        trials: args.trials,
        seed: args.seed,
        vary: args.vary.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let partial = Partial::new(identity, shard, points);
    let path = write_partial(claim, &partial)?;
    if !args.quiet {
        note!(
            "shard {shard}: {} points in {:.3} s on {} threads",
            plan.points.len(),
            started.elapsed().as_secs_f64(),
            pool.current_num_threads()
        );
    }
    outln!("{}", path.display());
    Ok(())
}

/// The scenario document as TOML text (floats in shortest round-trip form).
fn toml_text(doc: &toml::Table) -> String {
    toml::to_string(doc).expect("a scenario document serialises as TOML")
}

/// Writes the partial atomically into the claimed folder.
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
