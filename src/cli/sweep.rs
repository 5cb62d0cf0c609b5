//! `coordsim sweep`: a scenario over a grid of parameter values.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::options::{CommonOptions, refuse};
use super::progress::Progress;
use super::shard::{ShardOption, ShardTarget, sweep_shard};
use super::{CliError, interrupt};
use crate::charts;
use crate::output::files::write_atomic;
use crate::output::{folder, kept};
use crate::overrides;
use crate::scenario::{file::ScenarioFile, problem::Problems, read_document};
use crate::sweep::{self, Grid, Plan, SweepTable};

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
    /// Write sweep.csv and sweep.json only.
    #[arg(long)]
    pub no_charts: bool,
    /// Continue an interrupted sweep: keep the points it finished (kept in
    /// <out>/.sweep/) and run the rest. The result is the same as that of an
    /// uninterrupted sweep.
    #[arg(long)]
    pub resume: bool,
    /// Most trials (over all points) run without --yes.
    #[arg(long, default_value_t = 1_000_000_000, value_name = "N")]
    pub max_trials: u64,
    /// Run a sweep of more than --max-trials trials.
    #[arg(long)]
    pub yes: bool,
    /// `--shard K/N`.
    #[command(flatten)]
    pub slice: ShardOption,
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
    let changes = args.common.sim.overrides(&mut p);
    refuse(&args.file, p)?;
    let mut doc = read_document(&args.file)?;
    let mut p = Problems::default();
    overrides::apply(&mut doc, &changes, &mut p);
    refuse(&args.file, p)?;
    let file: ScenarioFile = toml::Value::Table(doc.clone())
        .try_into()
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let plan = sweep::axes(&args.vary, file.sweep.as_ref())
        .and_then(Grid::new)
        .and_then(|grid| {
            Plan::new(
                &args.file,
                doc,
                grid,
                args.common.sim.trials,
                args.common.sim.seed,
            )
        })
        .map_err(CliError::BadInput)?;
    let dir = args.common.output.dir(&plan.scenario);
    folder::check(&dir, &plan.scenario, args.common.output.force)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let pool = args.common.sim.pool()?;
    if let Some(shard) = args.slice.shard {
        let target = ShardTarget {
            shard,
            file: &args.file,
            output: &args.common.output,
            pool: &pool,
        };
        return sweep_shard(
            &target,
            &plan,
            args.common.sim.trials,
            args.common.sim.seed,
            &args.vary,
        );
    }
    if plan.total_trials() > args.max_trials && !args.yes {
        return Err(CliError::BadInput(too_big(args, &plan, &pool)));
    }
    let kept = if args.resume {
        kept::load(&dir, &plan)
    } else {
        vec![None; plan.points.len()]
    };
    if !quiet {
        resume_note(args.resume, &kept, &dir, &plan);
    }
    let existed = dir.exists();

    let started = Instant::now();
    let stop = interrupt::stop_flag();
    let mut progress = Progress::new(quiet, plan.total_trials());
    let outcome = pool.install(|| {
        sweep::run::run_resumable(&plan, kept, stop, |step| {
            if step.fresh {
                folder::claim(&dir, &plan.scenario)
                    .and_then(|()| kept::save(&dir, &plan, step.index, step.point))
                    .map_err(|e| {
                        format!("cannot keep the finished point in {}: {e}", dir.display())
                    })?;
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
            if !existed {
                let _ = std::fs::remove_file(dir.join(folder::MARKER));
                let _ = std::fs::remove_dir(&dir);
            }
            return Err(CliError::BadInput(format!("{}: {e}", args.file.display())));
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
    let json = sweep::json::write(&plan, &results);
    let write = || -> std::io::Result<Vec<PathBuf>> {
        folder::claim(&dir, &plan.scenario)?;
        let csv_path = dir.join("sweep.csv");
        let json_path = dir.join("sweep.json");
        write_atomic(&csv_path, &sweep::csv::write(&table))?;
        write_atomic(&json_path, &json)?;
        let mut written = vec![csv_path, json_path];
        written.extend(charts::write_all(&dir, &rendered)?);
        kept::discard(&dir, &plan)?;
        Ok(written)
    };
    let written = write()
        .map_err(|e| CliError::Io(format!("cannot write results to {}: {e}", dir.display())))?;

    args.common.output.print(|| overview(&table), || json)?;
    args.common.output.note(format_args!(
        "{} points, {} trials in {:.3} s on {} threads; wrote {} files to {}",
        results.len(),
        plan.total_trials(),
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

/// Says on stderr what `--resume` found (or that points kept by an earlier
/// sweep are there to resume).
fn resume_note(resume: bool, kept: &[Option<sweep::PointResult>], dir: &Path, plan: &Plan) {
    let n = kept.iter().filter(|k| k.is_some()).count();
    if resume && n > 0 {
        eprintln!(
            "resuming: {n} of {} points kept from an interrupted sweep",
            plan.points.len()
        );
    } else if resume {
        eprintln!(
            "nothing to resume for this sweep in {} (none kept, or the scenario, grid, trials or seed changed): running every point",
            dir.display()
        );
    } else if kept::folder(dir, plan).exists() {
        eprintln!(
            "points kept by an interrupted run of this sweep are ignored and run again (--resume reuses them)"
        );
    }
}

/// Trials per pilot run when estimating how long a large sweep takes.
const PILOT_TRIALS: u64 = 2_000;

/// The refusal of a sweep above `--max-trials`, with the time it would take,
/// estimated from short pilot runs of its first and last points.
fn too_big(args: &SweepArgs, plan: &Plan, pool: &rayon::ThreadPool) -> String {
    let ends = [plan.points.first(), plan.points.last()];
    let mut per_trial = Vec::new();
    for point in ends.into_iter().flatten() {
        let Ok(s) = plan.scenario_at(&point.values) else {
            continue;
        };
        let trials = PILOT_TRIALS.min(point.trials);
        let t = Instant::now();
        if pool
            .install(|| crate::sim::simulate(&s, trials, point.seed, crate::sim::Control::none()))
            .is_ok()
        {
            per_trial.push(t.elapsed().as_secs_f64() / trials as f64);
        }
    }
    let estimate = if per_trial.is_empty() {
        String::new()
    } else {
        let mean = per_trial.iter().sum::<f64>() / per_trial.len() as f64;
        format!(
            ", which would take about {} on {} threads (estimated from {} pilot trials)",
            human_duration(mean * plan.total_trials() as f64),
            pool.current_num_threads(),
            PILOT_TRIALS * per_trial.len() as u64
        )
    };
    format!(
        "{}: this sweep runs {} trials over {} points, more than --max-trials {}{estimate}; \
         pass --yes to run it anyway, or lower --trials or the number of points",
        args.file.display(),
        plan.total_trials(),
        plan.points.len(),
        args.max_trials
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
    }
    out
}
