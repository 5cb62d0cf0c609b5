//! `coordsim report`: the review as one HTML file and a Markdown version.

use std::path::PathBuf;

use super::CliError;
use super::analyze::GateArgs;
use super::interrupt::stop_flag;
use super::review_args::review_error;
use super::review_args::{SimArgs, in_pool, load_all, out_dir, write_files, written_line};
use crate::review::analyze::GateSettings;
use crate::review::report::{Report, html, markdown};
use crate::review::{graph, run_analysis, run_compare};
use crate::sim::Control;

/// Arguments of `coordsim report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The scenario under review (or a variant file).
    pub file: PathBuf,
    /// Variant files or other scenarios to set against it.
    pub variants: Vec<PathBuf>,
    /// Also report cost per month at this many tasks per month.
    #[arg(long)]
    pub tasks_per_month: Option<u64>,
    /// Options of the gate the "gate after" what-ifs insert.
    #[command(flatten)]
    pub gate: GateArgs,
    /// Trials, seed, output folder, threads.
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Simulates, then writes report.html, report.md, graph.dot and the SVG charts.
pub fn report(args: &ReportArgs) -> Result<(), CliError> {
    let mut files = vec![args.file.clone()];
    files.extend(args.variants.iter().cloned());
    let mut gate = GateSettings::default();
    let (arms, trials, seed) = load_all(&files, &args.sim, |p| {
        gate = args.gate.check(p);
        if args.tasks_per_month == Some(0) {
            p.add("--tasks-per-month", "is 0; allowed: at least 1");
        }
    })?;
    let started = std::time::Instant::now();
    let (analysis, comparison) = in_pool(args.sim.threads, || {
        let control = Control::new(stop_flag());
        let a = run_analysis(&arms[0], trials, seed, gate, control);
        let c = run_compare(&arms, trials, seed, true, args.tasks_per_month, control);
        (a, c)
    })?;
    let analysis = analysis.map_err(|e| review_error(&args.file, e))?;
    let comparison = comparison.map_err(|e| review_error(&args.file, e.into()))?;
    let model = &arms[0].scenario.model;
    let mut command = format!("coordsim report {}", args.file.display());
    for v in &args.variants {
        command.push_str(&format!(" {}", v.display()));
    }
    command.push_str(&format!(" --trials {trials} --seed {seed}"));
    if let Some(n) = args.tasks_per_month {
        command.push_str(&format!(" --tasks-per-month {n}"));
    }
    let graph_svg = graph::svg(model);
    let report = Report::new(
        analysis,
        comparison,
        arms[0].scenario.description.clone(),
        graph_svg.clone(),
        graph::dot(model),
        command,
    )
    .map_err(CliError::Io)?;
    let dir = out_dir(&args.sim, &arms[0].label);
    let written = write_files(
        &dir,
        &arms[0].label,
        &[
            ("report.html", html::render(&report).into_bytes()),
            ("report.md", markdown::render(&report).into_bytes()),
            ("graph.dot", report.graph_dot.clone().into_bytes()),
            ("graph.svg", graph_svg.into_bytes()),
            ("outcomes.svg", report.outcomes_svg.clone().into_bytes()),
            ("tornado.svg", report.tornado_svg.clone().into_bytes()),
        ],
    )?;
    println!("{}", written[0].display());
    eprintln!(
        "report of {} ({} variants) from {trials} trials per configuration in {:.3} s; wrote {}",
        arms[0].label,
        arms.len() - 1,
        started.elapsed().as_secs_f64(),
        written_line(&written)
    );
    Ok(())
}
