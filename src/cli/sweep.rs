//! `coordsim sweep`: a scenario over a grid of parameter values.

use std::path::Path;
use std::time::Instant;

use super::progress::Progress;
use super::{CliError, SweepArgs, thread_pool};
use crate::charts;
use crate::output::files::write_atomic;
use crate::scenario::{
    ScenarioError, compile::check_trials, file::ScenarioFile, problem::Problems, read_document,
};
use crate::sweep::{self, Grid, Plan, SweepTable};

/// Plans, runs and writes the sweep: sweep.csv, sweep.json and the charts.
pub fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    let mut p = Problems::default();
    if let Some(trials) = args.trials {
        check_trials("--trials", trials, &mut p);
    }
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
    let doc = read_document(&args.file)?;
    let file: ScenarioFile = toml::Value::Table(doc.clone())
        .try_into()
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.file.display())))?;
    let plan = sweep::axes(&args.vary, file.sweep.as_ref())
        .and_then(Grid::new)
        .and_then(|grid| Plan::new(&args.file, doc, grid, args.trials, args.seed))
        .map_err(CliError::BadInput)?;
    let pool = thread_pool(args.threads)?;
    if let Some(shard) = args.shard {
        return super::shard::sweep_shard(args, shard, &plan, &pool);
    }

    let started = Instant::now();
    let mut progress = Progress::new(args.quiet, plan.total_trials());
    let results = pool
        .install(|| {
            sweep::run::run(&plan, |step| {
                let what = format!(
                    "point {}/{} ({})",
                    step.done,
                    step.total,
                    plan.describe(&step.point.values)
                );
                progress.update(step.trials_done, step.trials_total, &what);
            })
        })
        .map_err(CliError::BadInput)?;
    progress.finish();
    let elapsed = started.elapsed();

    let axes: Vec<String> = plan.grid.axes.iter().map(|a| a.path.clone()).collect();
    let table = SweepTable::from_results(&axes, &results);
    let (rendered, skipped) = if args.no_charts {
        (Vec::new(), vec!["charts: --no-charts".to_string()])
    } else {
        charts::sweep_charts(&table).map_err(CliError::Io)?
    };
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(&plan.scenario));
    let write = || -> std::io::Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(&dir)?;
        let csv = dir.join("sweep.csv");
        let json = dir.join("sweep.json");
        write_atomic(&csv, &sweep::csv::write(&table))?;
        write_atomic(&json, &sweep::json::write(&plan, &results))?;
        let mut written = vec![csv, json];
        written.extend(charts::write_all(&dir, &rendered)?);
        Ok(written)
    };
    let written = write()
        .map_err(|e| CliError::Io(format!("cannot write results to {}: {e}", dir.display())))?;

    print!("{}", overview(&table));
    if !args.quiet {
        eprintln!(
            "{} points, {} trials in {:.3} s on {} threads; wrote {} files to {}",
            results.len(),
            plan.total_trials(),
            elapsed.as_secs_f64(),
            pool.current_num_threads(),
            written.len(),
            dir.display()
        );
        for s in skipped {
            eprintln!("skipped {s}");
        }
    }
    Ok(())
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
