//! `coordsim sweep`: a scenario over a grid of parameter values.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::console::note;
use super::options::{CommonOptions, PrecisionOptions, refuse};
use super::progress::Progress;
use super::shard::{ShardOption, ShardTarget, sweep_shard};
use super::trace_options::{self, TraceOptions};
use super::{CliError, interrupt, outdir};
use crate::charts::{self, Rendered};
use crate::output::provenance::{describe, result_changes};
use crate::output::traces;
use crate::output::{folder, kept};
use crate::overrides;
use crate::scenario::{file::ScenarioFile, problem::Problems, read_document};
use crate::sweep::{self, Grid, Plan, PointResult, SweepTable};

/// Arguments of `coordsim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (.toml, or .json).
    pub file: PathBuf,
    /// PATH=VALUES to vary, repeatable (a grid of all combinations, the first
    /// varying slowest). PATH is a scenario field such as nodes.retrieve.silent,
    /// edges.a->b.loud, defaults.edge.silent, run.trials,
    /// nodes.act.loop.count.mean (a loop's mean length, or a fan-out's mean
    /// width), or `depth` (the `repeat` of the repeated node). VALUES: a..b (integers, inclusive),
    /// a:b:step (inclusive), or v1,v2,... [default: the file's [sweep] vary]
    #[arg(long, value_name = "PATH=VALUES")]
    pub vary: Vec<String>,
    /// Write sweep.csv and sweep.json only.
    #[arg(long)]
    pub no_charts: bool,
    /// Continue an interrupted sweep: keep the points it finished (kept in
    /// <out>/.sweep/) and run the rest. The result is the same as that of an
    /// uninterrupted sweep.
    #[arg(long)]
    pub resume: bool,
    /// Most trials (over all points; for [workload] scenarios, tasks
    /// measured) run without --yes.
    #[arg(long, default_value_t = 1_000_000_000, value_name = "N")]
    pub max_trials: u64,
    /// Run a sweep of more than --max-trials trials.
    #[arg(long)]
    pub yes: bool,
    /// `--shard K/N`.
    #[command(flatten)]
    pub slice: ShardOption,
    /// `--precision FIGURE=HALF_WIDTH` (every point to that precision) and `--trial-cap N`.
    #[command(flatten)]
    pub precision: PrecisionOptions,
    /// `--traces N`, `--traces-of WHICH` (per point).
    #[command(flatten)]
    pub trace: TraceOptions,
    /// The options every simulating command shares (`--set` applies before `--vary`).
    #[command(flatten)]
    pub common: CommonOptions,
}

/// Plans, runs and writes the sweep: sweep.csv, sweep.json and the charts.
///
/// Each finished point is kept in `<out>/.sweep/` as it completes; Ctrl-C
/// stops after the point in hand (which is dropped) and `--resume` continues
/// from the kept points. They are removed once the results are written.
pub fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    let quiet = args.common.output.quiet;
    let mut p = Problems::default();
    args.common.sim.check(&mut p);
    args.trace.check(&mut p);
    if args.slice.shard.is_some() && args.trace.traces.is_some() {
        p.add(
            "--traces",
            "cannot be combined with --shard; run the sweep without --shard, or \
             `coordsim run --traces` at the point (--set its values)",
        );
    }
    if args.slice.shard.is_some() {
        // A shard runs its slice of every point and writes a partial file
        // (`--no-charts` is harmless there: a shard draws none).
        let not_for_shards = [
            (
                args.resume,
                "--resume",
                "a shard runs its slice whole; run it again to redo it",
            ),
            (args.yes, "--yes", "a shard runs whatever its size"),
        ];
        for (given, flag, why) in not_for_shards {
            if given {
                p.add(flag, format!("does not apply with --shard: {why}"));
            }
        }
    }
    let changes = args.common.sim.overrides(&mut p);
    let precision = args.precision.parse(&args.common.sim, &mut p);
    if precision.is_some() && args.slice.shard.is_some() {
        p.add(
            "--shard",
            "does not apply with --precision in a sweep: each point decides its trials from \
             all of them; run the sweep on one machine, or shard `coordsim run --precision` \
             point by point (--set the point's values)",
        );
    }
    refuse(&args.file, p)?;
    let original = read_document(&args.file)?;
    let mut doc = original.clone();
    let mut p = Problems::default();
    overrides::apply(&mut doc, &changes, &mut p);
    refuse(&args.file, p)?;
    if !changes.is_empty() {
        // Problems the changes make are blamed on them before the grid is planned.
        overrides::compile_changed(&args.file, &original, &doc, &changes)?;
    }
    let file: ScenarioFile = toml::Value::Table(doc.clone())
        .try_into()
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let grid = sweep::axes(&args.vary, file.sweep.as_ref())
        .and_then(Grid::new)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let plan = Plan::new(
        &args.file,
        doc,
        grid,
        args.common.sim.trials,
        args.common.sim.seed,
    )
    .map_err(CliError::BadInput)?;
    let plan = match precision {
        Some(precision) => {
            let first = &plan.points[0].values;
            if plan.scenario_at(first).is_ok_and(|s| s.workload.is_some()) {
                return Err(CliError::BadInput(format!(
                    "{}: --precision: applies to independent trials; a scenario with \
                     [workload] is measured over its replications: raise \
                     workload.replications to narrow its intervals",
                    args.file.display()
                )));
            }
            plan.with_precision(precision)
        }
        None => plan,
    };
    let force = args.common.output.force;
    let dir = args
        .common
        .output
        .dir(&plan.scenario, &result_changes(&changes))?;
    folder::check(&dir, &plan.scenario, force)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let pool = args.common.sim.pool()?;
    if let Some(shard) = args.slice.shard {
        let what = format!("sweep shard {shard} of scenario \"{}\"", plan.scenario);
        let claim = outdir::claim_shard(&dir, &plan.scenario, force, &what)?;
        let target = ShardTarget {
            shard,
            file: &args.file,
            output: &args.common.output,
            pool: &pool,
            overrides: describe(&changes),
        };
        return sweep_shard(
            &target,
            &plan,
            args.common.sim.trials,
            args.common.sim.seed,
            &args.vary,
            claim,
        );
    }
    // A precision sweep is bounded by --trial-cap instead.
    if plan.precision.is_none() && plan.total_tasks() > args.max_trials && !args.yes {
        return Err(CliError::BadInput(too_big(args, &plan, &pool)));
    }
    let what = format!("sweep of scenario \"{}\"", plan.scenario);
    let mut claim = outdir::claim_results(&dir, &plan.scenario, force, &what)?;
    let kept = if args.resume {
        kept::load(&dir, &plan)
    } else {
        vec![None; plan.points.len()]
    };
    if !quiet {
        resume_note(args.resume, &kept, &dir, &plan);
    }

    let started = Instant::now();
    let stop = interrupt::stop_flag();
    let mut progress = Progress::new(quiet, plan.total_tasks(), plan.unit());
    // A point that cannot be kept (a full disk) is a failure to write, not bad input.
    let mut save_failed = None;
    let outcome = pool.install(|| {
        sweep::run::run_resumable(&plan, kept, stop, |step| {
            if step.fresh
                && let Err(e) = kept::save(&mut claim, &plan, step.index, step.point)
            {
                let e = format!("cannot keep the finished point in {}: {e}", dir.display());
                save_failed = Some(e.clone());
                return Err(e);
            }
            let what = format!(
                "point {}/{} ({})",
                step.done,
                step.total,
                plan.describe(&step.point.values)
            );
            progress.update(step.trials_done, step.trials_total, &what);
            Ok(())
        })
    });
    progress.finish();
    let results = match outcome {
        Ok(sweep::run::Outcome::Complete(results)) => results,
        Ok(sweep::run::Outcome::Interrupted { done }) => {
            return Err(CliError::Interrupted(format!(
                "{}: sweep interrupted after {done} of {} points; the finished points are kept in {} \
                 and nothing else was written; run the same command with --resume to continue",
                args.file.display(),
                plan.points.len(),
                kept::folder(&dir, &plan).display()
            )));
        }
        Err(e) => {
            // The sweep cannot finish: what it kept is of no use.
            let _ = kept::discard(&dir, &plan);
            claim.abandon();
            return Err(match save_failed {
                Some(e) => CliError::Io(e),
                None => CliError::BadInput(format!("{}: {e}", args.file.display())),
            });
        }
    };
    let elapsed = started.elapsed();

    let axes: Vec<String> = plan.grid.axes.iter().map(|a| a.path.clone()).collect();
    let table = SweepTable::from_results(&axes, &results);
    let (rendered, skipped) = if args.no_charts {
        (Vec::new(), vec!["charts: --no-charts".to_string()])
    } else {
        charts::sweep_charts(&table).map_err(CliError::Io)?
    };
    let mut files = result_files(&table, &plan, &results, rendered);
    if args.trace.traces.is_some() {
        for (i, (point, r)) in plan.points.iter().zip(&results).enumerate() {
            let s = plan
                .scenario_at(&point.values)
                .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
            let folder = traces::folder("point", i, &point_label(&plan, &point.values));
            files.extend(pool.install(|| {
                args.trace.files(
                    &folder,
                    &s.model,
                    s.workload.as_ref(),
                    point.seed,
                    r.summary.trials,
                )
            }));
        }
    }
    let written = outdir::write_set(&mut claim, &files, &stale_files(), quiet)?;
    trace_options::remove_stale(&dir, "point", &files);
    kept::discard(&dir, &plan).map_err(|e| {
        CliError::Io(format!(
            "cannot remove the kept points in {}: {e}",
            dir.display()
        ))
    })?;
    let json = &files[1].1;
    args.common
        .output
        .print(|| overview(&table), || json.clone())?;
    args.common.output.note(format_args!(
        "{} points, {} {} in {:.3} s on {} threads; wrote {} files to {}",
        results.len(),
        results.iter().map(|r| r.summary.trials).sum::<u64>(),
        if plan.unit() == "tasks" {
            "tasks measured"
        } else {
            "trials"
        },
        elapsed.as_secs_f64(),
        pool.current_num_threads(),
        written.len(),
        dir.display()
    ));
    for s in skipped {
        args.common.output.note(format_args!("skipped {s}"));
    }
    Ok(())
}

/// A point's values for a folder name: `depth-3_silent-0.05` (the last
/// part of each axis' path).
fn point_label(plan: &Plan, values: &[crate::sweep::values::AxisValue]) -> String {
    plan.grid
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| {
            let name = a.path.rsplit('.').next().unwrap_or(&a.path);
            format!("{name}-{v}")
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// Names (without extension) of every chart a sweep may draw.
const SWEEP_CHARTS: &[&str] = &[
    "success",
    "latency",
    "outcomes",
    "goodput",
    "heatmap-success",
    "heatmap-p99",
];

/// The sweep's result set: sweep.csv, sweep.json and the charts, by file
/// name (sweep.json second).
pub(super) fn result_files(
    table: &SweepTable,
    plan: &Plan,
    results: &[PointResult],
    charts: Vec<Rendered>,
) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("sweep.csv".to_string(), sweep::csv::write(table)),
        ("sweep.json".to_string(), sweep::json::write(plan, results)),
    ];
    for c in charts {
        files.push((format!("{}.png", c.name), c.png));
        files.push((format!("{}.svg", c.name), c.svg.into_bytes()));
    }
    files
}

/// Every file a sweep's result set may have: those a new set lacks are stale.
pub(super) fn stale_files() -> Vec<String> {
    let mut names = vec!["sweep.csv".to_string(), "sweep.json".to_string()];
    for c in SWEEP_CHARTS {
        names.extend([format!("{c}.png"), format!("{c}.svg")]);
    }
    names
}

/// Says on stderr what `--resume` found (or that points kept by an earlier
/// sweep are there to resume).
fn resume_note(resume: bool, kept: &[Option<sweep::PointResult>], dir: &Path, plan: &Plan) {
    let n = kept.iter().filter(|k| k.is_some()).count();
    if resume && n > 0 {
        note!(
            "resuming: {n} of {} points kept from an interrupted sweep",
            plan.points.len()
        );
    } else if resume {
        note!(
            "nothing to resume for this sweep in {} (none kept, or the scenario, grid, trials or seed changed): running every point",
            dir.display()
        );
    } else if kept::folder(dir, plan).exists() {
        note!(
            "points kept by an interrupted run of this sweep are ignored and run again (--resume reuses them)"
        );
    }
}

/// Trials per pilot run when estimating how long a large sweep of
/// independent trials takes.
const PILOT_TRIALS: u64 = 10_000;

/// The refusal of a sweep above `--max-trials`, with the time it would take,
/// estimated from pilot runs of its first and last points: for independent
/// trials, [`PILOT_TRIALS`] of each, scaled to every point's trials; for a
/// loaded run, one replication of each, scaled to the rounds of
/// replications every point runs on the pool's threads.
fn too_big(args: &SweepArgs, plan: &Plan, pool: &rayon::ThreadPool) -> String {
    let ends = [plan.points.first(), plan.points.last()];
    let mut per_point = Vec::new();
    let mut piloted = Vec::new();
    for point in ends.into_iter().flatten() {
        let Ok(mut s) = plan.scenario_at(&point.values) else {
            continue;
        };
        let (trials, scale) = match s.workload.as_mut() {
            Some(w) => {
                let reps = w.replications;
                w.replications = 1;
                piloted.push("1 replication".to_string());
                // Replications run side by side, one per thread.
                let threads = pool.current_num_threads().max(1) as u32;
                (point.trials, reps.div_ceil(threads) as f64)
            }
            None => {
                let trials = PILOT_TRIALS.min(point.trials);
                piloted.push(format!("{trials} trials"));
                (trials, point.trials as f64 / trials.max(1) as f64)
            }
        };
        let t = Instant::now();
        if pool
            .install(|| crate::sim::simulate(&s, trials, point.seed, crate::sim::Control::none()))
            .is_ok()
        {
            per_point.push(t.elapsed().as_secs_f64() * scale);
        }
    }
    let estimate = if per_point.is_empty() {
        String::new()
    } else {
        let mean = per_point.iter().sum::<f64>() / per_point.len() as f64;
        piloted.dedup();
        format!(
            ", which would take about {} on {} threads (estimated from pilot runs of {} of \
             its first and last points)",
            human_duration(mean * plan.points.len() as f64),
            pool.current_num_threads(),
            piloted.join(" and ")
        )
    };
    let unit = plan.unit();
    format!(
        "{}: this sweep runs {} {unit} over {} points, more than --max-trials {}{estimate}; \
         pass --yes to run it anyway, or lower {} or the number of points",
        args.file.display(),
        plan.total_tasks(),
        plan.points.len(),
        args.max_trials,
        if unit == "tasks" {
            "workload.tasks or workload.replications"
        } else {
            "--trials"
        }
    )
}

/// `42 s`, `3.5 min`, `2.1 h`, `4.0 days`.
fn human_duration(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else if seconds < 172_800.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} days", seconds / 86_400.0)
    }
}

/// One line per point: the values, then the headline figures.
pub(super) fn overview(t: &SweepTable) -> String {
    let mut out = String::new();
    let head: Vec<&str> = t.axes.iter().map(String::as_str).collect();
    out.push_str(&format!(
        "{}  {:>9} {:>9} {:>9} {:>9} {:>10} {:>12}\n",
        head.join("  "),
        "correct",
        "silent",
        "loud",
        "escalated",
        "p99 (s)",
        "$/success"
    ));
    // Loaded runs with metered resources: joules, tokens per joule and
    // capacity dollars per task, to weigh pool sizes or providers.
    let energy: Vec<(&str, &str, usize)> = ENERGY_COLUMNS
        .iter()
        .copied()
        .filter(|(column, _, _)| t.index(column).is_some())
        .collect();
    if !energy.is_empty() {
        out.pop();
        for (_, label, _) in &energy {
            out.push_str(&format!(" {label:>12}"));
        }
        out.push('\n');
    }
    let cell = |r: usize, c: &str, f: &dyn Fn(f64) -> String| t.get(r, c).map_or("n/a".into(), f);
    for (r, row) in t.rows.iter().enumerate() {
        let values: Vec<String> = head
            .iter()
            .zip(row)
            .map(|(h, v)| format!("{v:>w$}", w = h.len()))
            .collect();
        let rate = |v: f64| format!("{v:.6}");
        out.push_str(&format!(
            "{}  {:>9} {:>9} {:>9} {:>9} {:>10} {:>12}\n",
            values.join("  "),
            cell(r, "success_rate", &rate),
            cell(r, "silent_rate", &rate),
            cell(r, "loud_rate", &rate),
            cell(r, "escalated_rate", &rate),
            cell(r, "latency_p99_s", &|v| format!("{v:.4}")),
            cell(r, "cost_per_success_usd", &|v| format!("{v:.6}")),
        ));
        if !energy.is_empty() {
            out.pop();
            for (column, _, digits) in &energy {
                let text = cell(r, column, &|v| format!("{v:.digits$}", digits = *digits));
                out.push_str(&format!(" {text:>12}"));
            }
            out.push('\n');
        }
    }
    out
}

/// The energy columns a sweep's overview adds when its runs meter energy:
/// (column of sweep.csv, label, decimals).
const ENERGY_COLUMNS: &[(&str, &str, usize)] = &[
    ("load.energy.energy_per_task_j.mean", "J/task", 2),
    ("load.energy.tokens_per_joule.mean", "tokens/J", 5),
    ("load.energy.capacity_usd_per_task.mean", "cap $/task", 6),
];
