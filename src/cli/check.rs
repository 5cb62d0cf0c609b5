//! `coordsim check`: a scenario simulated and compared with observed runs.

use std::path::PathBuf;

use super::options::refuse;
use super::traces_in::read_spans;
use super::{CliError, outdir};
use crate::scenario::{self, problem::Problems};
use crate::trace::check::{self, Figure};
use crate::trace::fit::observe::{Mapping, Totals};
use crate::trace::fit::{self, latency::g};

/// Arguments of `coordsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The scenario to check.
    pub scenario: PathBuf,
    /// Trace files of observed runs (the forms `fit` reads).
    #[arg(required = true)]
    pub traces: Vec<PathBuf>,
    /// Simulated trials [default: 100000].
    #[arg(long, default_value_t = 100_000)]
    pub trials: u64,
    /// Base seed [default: the file's run.seed, else 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Confidence level of the ranges, in percent: 90 to 99.99.
    #[arg(long, default_value_t = 99.9)]
    pub level: f64,
    /// Skip bad records (counted and reported) instead of refusing the file.
    #[arg(long)]
    pub skip_bad: bool,
    /// Output folder [default: outputs/<scenario-name>/]; writes check.json and check.csv.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into a folder holding another scenario's results.
    #[arg(long)]
    pub force: bool,
}

/// Simulates, compares, prints the table and writes check.json / check.csv.
pub fn check(args: &CheckArgs) -> Result<(), CliError> {
    let mut p = Problems::default();
    if !(90.0..=99.99).contains(&args.level) {
        p.add(
            "--level",
            format!(
                "is {}; allowed: 90 to 99.99 (percent), e.g. --level 99",
                args.level
            ),
        );
    }
    if args.trials == 0 || args.trials > 10_000_000 {
        p.add(
            "--trials",
            format!(
                "is {}; allowed: 1 to 10000000, e.g. --trials 100000",
                args.trials
            ),
        );
    }
    refuse(&args.scenario, p)?;
    let s = scenario::load(&args.scenario)?;
    if s.workload.is_some() {
        return Err(CliError::BadInput(format!(
            "{}: check simulates independent trials; a scenario with [workload] is not supported yet",
            args.scenario.display()
        )));
    }
    let known = s
        .model
        .nodes
        .iter()
        .map(|n| n.id.split('#').next().unwrap_or(&n.id).to_string());
    let mut known: Vec<String> = known.collect();
    known.dedup();
    let mut totals = Totals::new(Mapping {
        known,
        rules: Vec::new(),
    });
    for file in &args.traces {
        read_spans(file, args.skip_bad, &mut |o| totals.add(o))?;
    }
    let z = crate::stats::interval::normal_quantile(0.5 + args.level / 200.0);
    let fitted = fit::fit(totals, z);
    let seed = args.seed.unwrap_or(s.seed);
    let sim = check::simulate(&s.model, seed, args.trials);
    let figures = check::compare(&sim, &fitted, &s.model, z);
    let name = &s.model.name;
    let dir = outdir::out_dir(args.out.as_deref(), name, &[])?;
    let mut claim = outdir::claim_results(
        &dir,
        name,
        args.force,
        &format!("check of scenario \"{name}\""),
    )?;
    let json = serde_json::json!({
        "scenario": name, "trials": args.trials, "seed": seed, "level_percent": args.level,
        "ranges": "where the figure of n observed tasks falls at the level if the scenario is right: \
                   a rate's binomial range around the simulated rate (plus its own interval), \
                   a quantile's order-statistic range, a mean's normal range; per node, the \
                   observed rate's Wilson interval must hold the scenario's rate",
        "flagged": figures.iter().filter(|f| f.flagged).count(),
        "figures": figures.iter().map(|f| serde_json::json!({
            "figure": f.name, "observed": f.observed, "n": f.n, "simulated": f.simulated,
            "range": [f.range.0, f.range.1], "flagged": f.flagged})).collect::<Vec<_>>(),
    });
    let mut csv = String::from("figure,observed,n,simulated,low,high,flagged\n");
    for f in &figures {
        csv += &format!(
            "\"{}\",{},{},{},{},{},{}\n",
            f.name, f.observed, f.n, f.simulated, f.range.0, f.range.1, f.flagged
        );
    }
    let chart = latency_chart(&sim, &fitted, name);
    let rendered = crate::charts::render(&chart).map_err(CliError::Io)?;
    let files = vec![
        ("check-latency.png".to_string(), rendered.png),
        ("check-latency.svg".to_string(), rendered.svg.into_bytes()),
        (
            "check.json".to_string(),
            (serde_json::to_string_pretty(&json).expect("json") + "\n").into_bytes(),
        ),
        ("check.csv".to_string(), csv.into_bytes()),
    ];
    outdir::write_set(&mut claim, &files, &[], false)?;
    super::console::write_out(format_args!("{}", table(&figures, args.level)))?;
    Ok(())
}

fn table(figures: &[Figure], level: f64) -> String {
    let mut s = format!(
        "{:<34} {:>12} {:>8} {:>12}  {:<28} flag\n",
        "figure",
        "observed",
        "n",
        "simulated",
        format!("{level}% range")
    );
    for f in figures {
        s += &format!(
            "{:<34} {:>12} {:>8} {:>12}  {:<28} {}\n",
            f.name,
            g(f.observed),
            f.n,
            g(f.simulated),
            format!("[{}, {}]", g(f.range.0), g(f.range.1)),
            if f.flagged { "OUTSIDE" } else { "ok" }
        );
    }
    let k = figures.iter().filter(|f| f.flagged).count();
    s += &format!("{k} of {} figures outside their range\n", figures.len());
    s
}

/// Observed task latency quantiles against the simulated ones.
fn latency_chart(
    sim: &check::Simulated,
    fitted: &fit::Fit,
    name: &str,
) -> crate::charts::qq::QqChart {
    use crate::charts::qq::{PROBABILITIES, QqChart};
    use crate::trace::fit::report::sample_quantile;
    let mut obs = fitted.totals.latency.sample.clone();
    obs.sort_by(f64::total_cmp);
    let points = PROBABILITIES
        .iter()
        .map(|&p| (sample_quantile(&sim.latencies, p), sample_quantile(&obs, p)))
        .collect();
    let label = format!("tasks ({} observed, {} simulated)", obs.len(), sim.trials);
    QqChart {
        name: "check-latency".into(),
        title: format!("{name}: observed vs simulated task latency"),
        x_title: "simulated quantile (s)".into(),
        y_title: "observed quantile (s)".into(),
        series: vec![(label, points)],
        note: "points at p = 1, 5, 10, 20, ..., 90, 95, 99%".into(),
    }
}
