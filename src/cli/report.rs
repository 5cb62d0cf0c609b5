//! `coordsim report`: the review as one HTML file and a Markdown version.

use std::path::PathBuf;

use super::CliError;
use super::analyze::GateArgs;
use super::interrupt::stop_flag;
use super::options::{CommonOptions, written_line};
use super::review_args::{claim_out, load_all, review_error, write_files};
use crate::review::analyze::GateSettings;
use crate::review::report::{Report, html, markdown};
use crate::review::{export, graph, run_analysis, run_compare};
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
    /// The options every simulating command shares (`--set` applies to every
    /// scenario of the review; `--format table` prints the path of
    /// report.html, `json` the compare.json of the report's headline table).
    #[command(flatten)]
    pub common: CommonOptions,
}

/// Simulates, then writes report.html, report.md, graph.dot and the SVG charts.
pub fn report(args: &ReportArgs) -> Result<(), CliError> {
    let mut files = vec![args.file.clone()];
    files.extend(args.variants.iter().cloned());
    let mut gate = GateSettings::default();
    let (arms, trials, seed) = load_all(&files, &args.common, |p| {
        gate = args.gate.check(p);
        if args.tasks_per_month == Some(0) {
            p.add("--tasks-per-month", "is 0; allowed: at least 1");
        }
    })?;
    let mut claim = claim_out(&args.common, &arms[0].label, "report")?;

    let started = std::time::Instant::now();
    let pool = args.common.sim.pool()?;
    let (analysis, comparison) = pool.install(|| {
        let control = Control::new(stop_flag());
        let a = run_analysis(&arms[0], trials, seed, gate, control);
        let c = run_compare(&arms, trials, seed, true, args.tasks_per_month, control);
        (a, c)
    });
    let analysis = analysis.map_err(|e| review_error(&args.file, e))?;
    let comparison = comparison.map_err(|e| review_error(&args.file, e.into()))?;
    let model = &arms[0].scenario.model;
    let graph_svg = graph::svg(model);
    let comparison_json = export::json(&comparison);
    let report = Report::new(
        analysis,
        comparison,
        arms[0].scenario.description.clone(),
        graph_svg.clone(),
        graph::dot(model),
        reproduce(args, trials, seed),
    )
    .map_err(CliError::Io)?;
    let written = write_files(
        &mut claim,
        &[
            ("report.html", html::render(&report).into_bytes()),
            ("report.md", markdown::render(&report).into_bytes()),
            ("report-graph.dot", report.graph_dot.clone().into_bytes()),
            ("report-graph.svg", graph_svg.into_bytes()),
            (
                "report-outcomes.svg",
                report.outcomes_svg.clone().into_bytes(),
            ),
            (
                "report-tornado.svg",
                report.tornado_svg.clone().into_bytes(),
            ),
        ],
    )?;
    args.common
        .output
        .print(|| format!("{}\n", written[0].display()), || comparison_json)?;
    args.common.output.note(format_args!(
        "report of {} ({} variants) from {trials} trials per configuration in {:.3} s; wrote {}",
        arms[0].label,
        arms.len() - 1,
        started.elapsed().as_secs_f64(),
        written_line(&written)
    ));
    Ok(())
}

/// The command that reproduces the report: the files, the trials and seed
/// used, and every option that changes the results, quoted for a POSIX shell.
fn reproduce(args: &ReportArgs, trials: u64, seed: u64) -> String {
    let mut words = vec!["coordsim".to_string(), "report".to_string()];
    words.push(args.file.display().to_string());
    words.extend(args.variants.iter().map(|v| v.display().to_string()));
    words.extend(["--trials".into(), trials.to_string()]);
    words.extend(["--seed".into(), seed.to_string()]);
    if let Some(n) = args.tasks_per_month {
        words.extend(["--tasks-per-month".into(), n.to_string()]);
    }
    for change in &args.common.sim.set {
        words.extend(["--set".into(), change.clone()]);
    }
    words.extend(args.gate.non_default_flags());
    let quoted: Vec<String> = words.iter().map(|w| shell_word(w)).collect();
    quoted.join(" ")
}

/// `word` as a POSIX shell reads it back: as it is when it holds only
/// characters a shell leaves alone, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:,+@%^".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}
