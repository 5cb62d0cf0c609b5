//! Architecture reviews: variants of a scenario, paired comparisons, "where
//! does the gap open" analyses, and the report that brings them together.
//!
//! * [`variant`] reads variant files (a base plus patches, via [`edit`]);
//! * [`crate::sim::paired`] simulates the arms in lockstep on common random numbers;
//! * [`compare`] and [`interval`] turn the paired totals into differences
//!   with 95% intervals;
//! * [`analyze`] builds the what-ifs from the compiled scenario, runs them in
//!   bounded batches and ranks them; [`attribution`] says where the failures
//!   come from;
//! * [`text`], [`export`], [`graph`], [`tornado`] and [`report`] present them,
//!   with scenario text made safe for markup by [`markup`].
//!
//! Arms run through the execution layer ([`crate::sim`]), like every command.

pub mod analyze;
pub mod attribution;
pub mod compare;
pub mod edit;
pub mod error;
pub mod export;
pub mod graph;
pub mod interval;
pub mod markup;
pub mod report;
pub mod text;
pub mod tornado;
pub mod variant;

pub use analyze::Analysis;
/// Simulates every what-if of an arm against it and ranks them.
pub use analyze::analyse as run_analysis;
use compare::{Comparison, DiffPrecision};
pub use error::ReviewError;
use variant::Arm;

use crate::sim::paired::run_paired;
use crate::sim::{Control, SimError};
use crate::stats::precision::{Figure, HalfWidth, Precision};
use crate::stats::summary::SloAttainment;

/// Runs `arms` (the first is the base) in lockstep and compares them.
pub fn run_compare(
    arms: &[Arm],
    trials: u64,
    seed: u64,
    crn: bool,
    tasks_per_month: Option<u64>,
    control: Control<'_>,
) -> Result<Comparison, SimError> {
    let models: Vec<&crate::model::Model> = arms.iter().map(|a| &a.scenario.model).collect();
    let run = run_paired(&models, seed, trials, crn, control)?;
    Ok(compare::compare(arms, &run, seed, tasks_per_month))
}

/// The key in a [`Comparison`] of the figure `--precision` names, or `None`
/// for a figure a comparison does not report (quantiles other than p50,
/// p95, p99). SLO attainment is reported for the base's thresholds
/// (`--slo`) only, so the caller checks that the threshold is one of them.
pub fn comparison_key(figure: Figure) -> Option<String> {
    if let Figure::Slo(x) = figure {
        return Some(format!("p_slo_{}", SloAttainment::id_of(x)));
    }
    Some(
        match figure {
            Figure::Success => "p_correct",
            Figure::Silent => "p_silent",
            Figure::Loud => "p_loud",
            Figure::Escalated => "p_escalated",
            Figure::MeanLatency => "latency_mean_s",
            Figure::Quantile(50.0) => "latency_p50_s",
            Figure::Quantile(95.0) => "latency_p95_s",
            Figure::Quantile(99.0) => "latency_p99_s",
            Figure::Quantile(_) | Figure::Slo(_) => return None,
        }
        .to_string(),
    )
}

/// As [`run_compare`], with as many trials as it takes for every variant's
/// difference to the base on the figure of `precision` to have a 95%
/// interval within its half-width (relative: to the base's value), or the
/// cap. Each batch size (10⁴·2ᵏ) is a whole paired run from trial 0, so the
/// result is exactly that of `compare --trials N` (the sections of the
/// quantile intervals are cut by the total): at most twice the final trials.
pub fn run_compare_to_precision(
    arms: &[Arm],
    seed: u64,
    crn: bool,
    tasks_per_month: Option<u64>,
    precision: &Precision,
    control: Control<'_>,
) -> Result<Comparison, SimError> {
    let key = comparison_key(precision.figure).expect("checked by the caller");
    let mut trials = 0;
    loop {
        trials = precision.next_batch_end(trials);
        let mut c = run_compare(arms, trials, seed, crn, tasks_per_month, control)?;
        let mut widest = 0.0_f64;
        let mut met = true;
        for arm in &c.arms[1..] {
            let f = arm
                .figures
                .iter()
                .find(|f| f.key == *key)
                .expect("every arm has the figure");
            let half = f.ci95.map_or(f64::INFINITY, |[lo, hi]| (hi - lo) / 2.0);
            widest = widest.max(half);
            met &= match precision.half_width {
                HalfWidth::Absolute(h) => half <= h,
                HalfWidth::Relative(r) => f.base.is_some_and(|b| b != 0.0 && half <= r * b.abs()),
            };
        }
        if met || trials >= precision.cap {
            c.precision = Some(DiffPrecision {
                figure: precision.figure.name(),
                key: key.clone(),
                target: precision.half_width.text(),
                half_width: widest,
                trials,
                cap: precision.cap,
                met,
            });
            return Ok(c);
        }
    }
}
