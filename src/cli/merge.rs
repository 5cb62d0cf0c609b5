//! `coordsim merge`: partial results of `--shard K/N` runs combined into the
//! result of the whole run, exactly as one machine would have written it.

use std::path::{Path, PathBuf};

use super::options::{OutputOptions, written_line};
use super::{CliError, outdir};
use crate::charts;
use crate::model::{Model, Workload};
use crate::output::folder::{self, Claim};
use crate::output::name::check_scenario_name;
use crate::output::provenance::provenance;
use crate::output::{results, table};
use crate::scenario::{Scenario, compile_document, file::ScenarioFile};
use crate::shard::{Identity, Partial, merge_points};
use crate::sim::{Tally, run_length, summarize};
use crate::stats::replication::Replication;
use crate::sweep::{self, Grid, Plan, PointResult, SweepTable, theory};

/// Arguments of `coordsim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The partial-K-of-N.json files, one per shard, in any order.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// Sweeps: write sweep.csv and sweep.json only.
    #[arg(long)]
    pub no_charts: bool,
    /// Output folder, --force, --quiet, --format (a run prints its table or
    /// summary.json, a sweep its overview or sweep.json).
    #[command(flatten)]
    pub output: OutputOptions,
}

/// Reads, checks and merges the partials, then writes and prints what
/// `run` (or `sweep`) would have.
pub fn merge(args: &MergeArgs) -> Result<(), CliError> {
    let mut partials = Vec::with_capacity(args.partials.len());
    for path in &args.partials {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| CliError::BadInput(format!("{name}: cannot read the file: {e}")))?;
        let partial =
            Partial::from_json(&bytes).map_err(|e| CliError::BadInput(format!("{name}: {e}")))?;
        partials.push((name, partial));
    }
    let (identity, tallies) = merge_points(&partials).map_err(CliError::BadInput)?;
    let doc: toml::Table = identity.document.parse().map_err(|e| {
        CliError::BadInput(format!("{}: damaged scenario document: {e}", partials[0].0))
    })?;
    let file = PathBuf::from(&identity.file);
    // The name becomes part of a path: checked before anything else is done with it.
    check_scenario_name(&identity.scenario)
        .map_err(|e| CliError::BadInput(format!("{}: {e} (damaged file)", partials[0].0)))?;
    match identity.command.as_str() {
        "run" => merge_run(args, &identity, &file, &doc, tallies),
        "sweep" => merge_sweep(args, &identity, &file, doc, tallies),
        other => Err(CliError::BadInput(format!(
            "{}: unknown command {other:?} (expected run or sweep)",
            partials[0].0
        ))),
    }
}

/// Claims the output folder of the merged results of `scenario` (the name
/// the partials give, which must be the name their scenario document compiles to).
fn claim_folder(args: &MergeArgs, id: &Identity, scenario: &str) -> Result<Claim, CliError> {
    if id.scenario != scenario {
        return Err(CliError::BadInput(format!(
            "the partials name scenario \"{}\" but their scenario document is scenario \"{scenario}\" \
             (damaged files)",
            id.scenario
        )));
    }
    let changes: Vec<String> = id
        .overrides
        .iter()
        .filter(|c| !c.starts_with("run.slo="))
        .cloned()
        .collect();
    let dir = args.output.dir(scenario, &changes)?;
    folder::check(&dir, scenario, args.output.force)
        .map_err(|e| CliError::BadInput(format!("--out: {e}")))?;
    let what = format!("merge of scenario \"{scenario}\"");
    outdir::claim_results(&dir, scenario, args.output.force, &what)
}

/// Checks that a merged tally covers the whole run of `scenario` and has its
/// shape (one counter per node and edge, one figure set per pool and link).
fn check_length(scenario: &Scenario, trials: u64, tally: &Tally) -> Result<(), CliError> {
    let m = &scenario.model;
    let expected = run_length(scenario, trials);
    let (units, shaped) = match tally {
        Tally::Trials(acc) => (
            acc.trials,
            scenario.workload.is_none() && acc.execs.len() == m.exec_count(),
        ),
        Tally::Replications(reps) => (
            reps.len() as u64,
            scenario.workload.as_ref().is_some_and(|w| {
                reps.iter().all(|r| {
                    r.pools.len() == m.pools.len()
                        && r.links.len() == m.links.len()
                        && classes_fit(m, w, r)
                })
            }),
        ),
    };
    if !shaped {
        return Err(CliError::BadInput(format!(
            "the partials do not fit the scenario {} they name (damaged files)",
            m.name
        )));
    }
    if units != expected {
        return Err(CliError::BadInput(format!(
            "the partials hold {units} units but the run of {} has {expected}",
            scenario.model.name
        )));
    }
    Ok(())
}

/// A replication's per-class figures fit the scenario's classes: one set per
/// class with one counter per node and edge of its graph (and no per-node
/// counters in the totals), or none when the run reports no classes.
fn classes_fit(m: &Model, w: &Workload, r: &Replication) -> bool {
    if !w.reports_classes() {
        return r.classes.is_empty() && r.acc.execs.len() == m.exec_count();
    }
    let views = w.class_views(m);
    r.acc.execs.is_empty()
        && r.classes.len() == views.len()
        && r.classes
            .iter()
            .zip(&views)
            .all(|(c, v)| c.acc.execs.len() == v.model.exec_count())
}

fn merge_run(
    args: &MergeArgs,
    id: &Identity,
    file: &Path,
    doc: &toml::Table,
    tallies: Vec<Tally>,
) -> Result<(), CliError> {
    let (Some(trials), Some(seed), [_]) = (id.trials, id.seed, &tallies[..]) else {
        return Err(CliError::BadInput(
            "a run's partials need trials, seed and one point (damaged files)".into(),
        ));
    };
    let s = compile_document(file, doc)?;
    let mut claim = claim_folder(args, id, &s.model.name)?;
    let tally = tallies.into_iter().next().expect("one point");
    check_length(&s, trials, &tally)?;
    let mut summary = summarize(&s, seed, tally);
    summary.provenance = Some(provenance(&id.document, id.overrides.clone(), &s.model));
    let files = results::run_files(&summary);
    let quiet = args.output.quiet;
    let written = outdir::write_set(&mut claim, &files, &results::run_stale(), quiet)?;
    args.output.print(
        || table::render(&summary),
        || results::summary_json(&summary).into_bytes(),
    )?;
    args.output.note(format_args!(
        "merged {} partial results; wrote {}",
        args.partials.len(),
        written_line(&written)
    ));
    Ok(())
}

fn merge_sweep(
    args: &MergeArgs,
    id: &Identity,
    file: &Path,
    doc: toml::Table,
    tallies: Vec<Tally>,
) -> Result<(), CliError> {
    let bad = |e: String| CliError::BadInput(format!("{}: {e}", file.display()));
    let spec: ScenarioFile = toml::Value::Table(doc.clone())
        .try_into()
        .map_err(|e: toml::de::Error| bad(e.to_string()))?;
    let plan = sweep::axes(&id.vary, spec.sweep.as_ref())
        .and_then(Grid::new)
        .and_then(|grid| Plan::new(file, doc, grid, id.trials, id.seed))
        .map_err(bad)?;
    let mut claim = claim_folder(args, id, &plan.scenario)?;
    if plan.points.len() != tallies.len() {
        return Err(bad(format!(
            "the partials hold {} points but the sweep has {}",
            tallies.len(),
            plan.points.len()
        )));
    }
    let mut results = Vec::with_capacity(tallies.len());
    for (point, tally) in plan.points.iter().zip(tallies) {
        let s = plan.scenario_at(&point.values).map_err(bad)?;
        check_length(&s, point.trials, &tally)?;
        let theory_success = if s.workload.is_some() {
            None
        } else {
            theory::success(&s.model)
        };
        results.push(PointResult {
            values: point.values.clone(),
            theory_success,
            summary: summarize(&s, point.seed, tally),
        });
    }
    let axes: Vec<String> = plan.grid.axes.iter().map(|a| a.path.clone()).collect();
    let table = SweepTable::from_results(&axes, &results);
    let rendered = if args.no_charts {
        Vec::new()
    } else {
        charts::sweep_charts(&table).map_err(CliError::Io)?.0
    };
    let files = super::sweep::result_files(&table, &plan, &results, rendered);
    let stale = super::sweep::stale_files();
    let written = outdir::write_set(&mut claim, &files, &stale, args.output.quiet)?.len();
    let dir = claim.dir().to_path_buf();
    let json = &files[1].1;
    args.output
        .print(|| super::sweep::overview(&table), || json.clone())?;
    args.output.note(format_args!(
        "merged {} partial results of {} points; wrote {written} files to {}",
        args.partials.len(),
        results.len(),
        dir.display()
    ));
    Ok(())
}
