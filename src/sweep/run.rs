//! Running a planned sweep: one point after another, each point's trials in
//! parallel through [`crate::sim::simulate`].

use std::sync::atomic::{AtomicBool, Ordering};

use super::plan::{Plan, PointPlan};
use super::theory;
use super::values::AxisValue;
use crate::sim::precision::simulate_to_precision;
use crate::sim::{Control, SimError, simulate};
use crate::stats::Summary;

/// The result at one grid point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// One value per axis.
    pub values: Vec<AxisValue>,
    /// The closed-form success rate at this point, where one exists ([`theory::success`]).
    pub theory_success: Option<f64>,
    /// Exactly what `coordsim run` reports for the scenario at this point.
    pub summary: Summary,
}

/// Where a sweep stands, reported after each point.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Points finished.
    pub done: usize,
    /// Points in all.
    pub total: usize,
    /// Tasks measured so far (the points' `trials` columns summed).
    pub trials_done: u64,
    /// Tasks in all ([`Plan::total_tasks`]: exact, or expected for a
    /// measurement window in seconds).
    pub trials_total: u64,
    /// The point just finished.
    pub point: &'a PointResult,
    /// Its index in the plan.
    pub index: usize,
    /// False for a point kept from an interrupted sweep (not run again).
    pub fresh: bool,
}

/// How a resumable sweep ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every point, in plan order.
    Complete(Vec<PointResult>),
    /// Stopped by the stop flag; `done` points had finished (each reported
    /// through the callback), the one in progress was dropped.
    Interrupted {
        /// Points finished.
        done: usize,
    },
}

/// Runs every point of `plan` in order on the current rayon pool, calling
/// `on_point` after each. Deterministic: a point's result depends only on the
/// scenario at that point, its trials and its seed.
pub fn run(
    plan: &Plan,
    mut on_point: impl FnMut(Progress<'_>),
) -> Result<Vec<PointResult>, String> {
    let none = vec![None; plan.points.len()];
    let outcome = run_resumable(plan, none, &AtomicBool::new(false), |step| {
        on_point(step);
        Ok(())
    })?;
    match outcome {
        Outcome::Complete(results) => Ok(results),
        Outcome::Interrupted { .. } => unreachable!("the stop flag is never set"),
    }
}

/// As [`run`], but points already in `kept` (by index, from an interrupted
/// sweep) are not run again, and the sweep stops when `stop` is set: the
/// point in progress is dropped and [`Outcome::Interrupted`] returned.
/// `on_point` sees every point in order, kept ones included, and may fail
/// (e.g. when it cannot save the point), which ends the sweep.
pub fn run_resumable(
    plan: &Plan,
    mut kept: Vec<Option<PointResult>>,
    stop: &AtomicBool,
    mut on_point: impl FnMut(Progress<'_>) -> Result<(), String>,
) -> Result<Outcome, String> {
    kept.resize(plan.points.len(), None);
    let trials_total = plan.total_tasks();
    let mut trials_done = 0;
    let mut results = Vec::with_capacity(plan.points.len());
    for ((index, point), kept) in plan.points.iter().enumerate().zip(kept) {
        let fresh = kept.is_none();
        let result = match kept {
            Some(r) => r,
            None => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(Outcome::Interrupted { done: index });
                }
                match run_point(plan, point, stop) {
                    Ok(r) => r,
                    Err(SimError::Cancelled) => return Ok(Outcome::Interrupted { done: index }),
                    Err(e) => {
                        let at: Vec<String> = point.values.iter().map(|v| v.to_string()).collect();
                        return Err(format!("at the point ({}): {e}", at.join(", ")));
                    }
                }
            }
        };
        trials_done += result.summary.trials;
        on_point(Progress {
            done: index + 1,
            total: plan.points.len(),
            trials_done,
            trials_total,
            point: &result,
            index,
            fresh,
        })?;
        results.push(result);
    }
    Ok(Outcome::Complete(results))
}

/// Simulates one point.
fn run_point(plan: &Plan, point: &PointPlan, stop: &AtomicBool) -> Result<PointResult, SimError> {
    // Checked by Plan::new; compiled again here to hold one model at a time.
    let scenario = plan
        .scenario_at(&point.values)
        .expect("every point was checked when the plan was made");
    let control = Control::new(stop);
    let summary = match &plan.precision {
        Some(precision) => simulate_to_precision(&scenario, point.seed, precision, control)?,
        None => simulate(&scenario, point.trials, point.seed, control)?,
    };
    // Under load, queues can turn into failures (rejections, timeouts):
    // the closed form of independent tasks no longer applies.
    let theory_success = if scenario.workload.is_some() {
        None
    } else {
        theory::success(&scenario.model)
    };
    Ok(PointResult {
        values: point.values.clone(),
        theory_success,
        summary,
    })
}
