//! `--shard K/N` of `run` and `sweep`: run one slice of the trials (or
//! replications) and write its exact partial result for `coordsim merge`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::interrupt::{sim_error, stop_flag};
use super::run::document_with_changes;
use super::{CliError, RunArgs, SweepArgs};
use crate::output::files::write_atomic;
use crate::scenario::compile_document;
use crate::shard::{Identity, Partial, PointPart, Shard, wire::TallyWire};
use crate::sim::{Control, run_length, simulate_slice};
use crate::sweep::Plan;

/// `coordsim run --shard K/N`: slice K of the run's units, written to
/// `partial-K-of-N.json` in `--out` (default `outputs/<scenario-name>/`).
pub(super) fn run_shard(
    args: &RunArgs,
    shard: Shard,
    trials: u64,
    seed: u64,
    pool: &rayon::ThreadPool,
) -> Result<(), CliError> {
    let doc = document_with_changes(&args.file, &args.set)?;
    let s = compile_document(&args.file, &doc)?;
    let started = Instant::now();
    let length = run_length(&s, trials);
    let range = shard.range(length);
    let tally = pool
        .install(|| simulate_slice(&s, trials, seed, range.clone(), Control::new(stop_flag())))
        .map_err(|e| sim_error(args.file.display(), e))?;
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
    let path = write_partial(args.out.as_deref(), &s.model.name, &partial)?;
    let unit = if s.workload.is_some() {
        "replications"
    } else {
        "trials"
    };
    eprintln!(
        "shard {shard}: {unit} {}..{} of {length} in {:.3} s on {} threads",
        range.start,
        range.end,
        started.elapsed().as_secs_f64(),
        pool.current_num_threads()
    );
    println!("{}", path.display());
    Ok(())
}

/// `coordsim sweep --shard K/N`: slice K of every point's units.
pub(super) fn sweep_shard(
    args: &SweepArgs,
    shard: Shard,
    plan: &Plan,
    pool: &rayon::ThreadPool,
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
        file: args.file.display().to_string(),
        scenario: plan.scenario.clone(),
        document: toml_text(&plan.doc),
        trials: args.trials,
        seed: args.seed,
        vary: args.vary.clone(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let partial = Partial::new(identity, shard, points);
    let path = write_partial(args.out.as_deref(), &plan.scenario, &partial)?;
    if !args.quiet {
        eprintln!(
            "shard {shard}: {} points in {:.3} s on {} threads",
            plan.points.len(),
            started.elapsed().as_secs_f64(),
            pool.current_num_threads()
        );
    }
    println!("{}", path.display());
    Ok(())
}

/// The scenario document as TOML text (floats in shortest round-trip form).
fn toml_text(doc: &toml::Table) -> String {
    toml::to_string(doc).expect("a scenario document serialises as TOML")
}

/// Writes the partial atomically into `out` (default `outputs/<scenario>/`).
fn write_partial(
    out: Option<&Path>,
    scenario: &str,
    partial: &Partial,
) -> Result<PathBuf, CliError> {
    let dir = out.map_or_else(|| Path::new("outputs").join(scenario), Path::to_path_buf);
    let path = dir.join(partial.shard.file_name());
    crate::output::folder::claim(&dir, scenario)
        .and_then(|()| write_atomic(&path, &partial.to_json()))
        .map_err(|e| CliError::Io(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}
