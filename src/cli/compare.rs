//! `coordsim compare`: a base and its variants on common random numbers.

use std::path::PathBuf;

use super::CliError;
use super::interrupt::{sim_error, stop_flag};
use super::options::{CommonOptions, PrecisionOptions, refuse, written_line};
use super::outdir;
use super::review_args::{claim_out, load_all};
use super::trace_options::{self, TraceOptions};
use crate::output::traces;
use crate::review::{comparison_key, export, run_compare, run_compare_to_precision, text};
use crate::scenario::problem::Problems;
use crate::seed;
use crate::sim::Control;
use crate::stats::precision::Figure;

/// Arguments of `coordsim compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The base scenario (or a variant file).
    pub base: PathBuf,
    /// Variant files or other scenarios to compare with the base.
    #[arg(required = true)]
    pub variants: Vec<PathBuf>,
    /// Give each variant its own random numbers instead of the base's
    /// (independent samples: wider intervals; for checking the pairing).
    #[arg(long)]
    pub no_crn: bool,
    /// Also report cost per month at this many tasks per month.
    #[arg(long)]
    pub tasks_per_month: Option<u64>,
    /// `--precision FIGURE=HALF_WIDTH` (the difference of each variant to the
    /// base, to that precision) and `--trial-cap N`.
    #[command(flatten)]
    pub precision: PrecisionOptions,
    /// `--traces N`, `--traces-of WHICH` (per configuration, on its own
    /// random numbers: the base's with common random numbers).
    #[command(flatten)]
    pub trace: TraceOptions,
    /// The options every simulating command shares (`--set` applies to every
    /// scenario compared; `--format json`: compare.json).
    #[command(flatten)]
    pub common: CommonOptions,
}

/// Runs the comparison, prints the table and writes compare.csv and compare.json.
pub fn compare(args: &CompareArgs) -> Result<(), CliError> {
    let mut files = vec![args.base.clone()];
    files.extend(args.variants.iter().cloned());
    let mut precision = None;
    let (arms, trials, seed) = load_all(&files, &args.common, |p| {
        if args.tasks_per_month == Some(0) {
            p.add("--tasks-per-month", "is 0; allowed: at least 1");
        }
        precision = args.precision.parse(&args.common.sim, p);
        args.trace.check(p);
        if let Some(pr) = precision.filter(|pr| comparison_key(pr.figure).is_none()) {
            p.add(
                "--precision",
                format!(
                    "names {}, which compare does not report; allowed in compare: success, \
                     silent, loud, escalated, mean, p50, p95, p99, slo:X (X a threshold of \
                     --slo), e.g. --precision p99=2%",
                    pr.figure.name()
                ),
            );
        }
    })?;
    if let Some(Figure::Slo(x)) = precision.map(|pr| pr.figure)
        && !arms[0].scenario.model.slo.contains(&x)
    {
        let mut p = Problems::default();
        p.add(
            "--precision",
            format!(
                "names slo:{x}, but the base reports no SLO at {x} s, so compare has no \
                 difference to pin down; add the threshold, e.g. --slo {x} --precision slo:{x}=0.005"
            ),
        );
        refuse(&args.base, p)?;
    }
    let mut claim = claim_out(&args.common, &arms[0].label, "compare")?;

    let started = std::time::Instant::now();
    let pool = args.common.sim.pool()?;
    let c = pool
        .install(|| {
            let control = Control::new(stop_flag());
            let (crn, per_month) = (!args.no_crn, args.tasks_per_month);
            match &precision {
                Some(pr) => run_compare_to_precision(&arms, seed, crn, per_month, pr, control),
                None => run_compare(&arms, trials, seed, crn, per_month, control),
            }
        })
        .map_err(|e| sim_error(args.base.display(), e))?;
    let json = export::json(&c);
    let mut files = vec![
        ("compare.csv".to_string(), export::comparison_csv(&c)),
        ("compare.json".to_string(), json.clone()),
    ];
    for (a, arm) in arms.iter().enumerate() {
        let folder = traces::folder("config", a, &arm.label);
        let arm_seed = seed::arm(seed, a, !args.no_crn);
        let s = &arm.scenario;
        files.extend(pool.install(|| {
            args.trace
                .files(&folder, &s.model, s.workload.as_ref(), arm_seed, c.trials)
        }));
    }
    let written = outdir::write_set(&mut claim, &files, &[], false)?;
    trace_options::remove_stale(claim.dir(), "config", &files);
    args.common.output.print(|| text::comparison(&c), || json)?;
    if let Some(pr) = c.precision.as_ref().filter(|pr| !pr.met) {
        args.common.output.note(format_args!(
            "warning: --precision {}={} not reached: the cap of {} trials left the widest \
             difference at ±{:.3e}; raise --trial-cap",
            pr.figure, pr.target, pr.cap, pr.half_width
        ));
    }
    let trials = c.trials;
    args.common.output.note(format_args!(
        "{} configurations x {trials} trials in {:.3} s; wrote {}",
        arms.len(),
        started.elapsed().as_secs_f64(),
        written_line(&written)
    ));
    Ok(())
}
