//! Running a planned sweep: one point after another, each point's trials in
//! parallel through [`crate::runner::simulate`].

use super::plan::Plan;
use super::theory;
use super::values::AxisValue;
use crate::runner::simulate;
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
    /// Trials finished.
    pub trials_done: u64,
    /// Trials in all.
    pub trials_total: u64,
    /// The point just finished.
    pub point: &'a PointResult,
}

/// Runs every point of `plan` in order on the current rayon pool, calling
/// `on_point` after each. Deterministic: a point's result depends only on the
/// scenario at that point, its trials and its seed.
pub fn run(
    plan: &Plan,
    mut on_point: impl FnMut(Progress<'_>),
) -> Result<Vec<PointResult>, String> {
    let trials_total = plan.total_trials();
    let mut trials_done = 0;
    let mut results = Vec::with_capacity(plan.points.len());
    for point in &plan.points {
        // Checked by Plan::new; compiled again here to hold one model at a time.
        let scenario = plan.scenario_at(&point.values)?;
        let summary = simulate(&scenario, point.trials, point.seed).map_err(|e| {
            let at: Vec<String> = point.values.iter().map(|v| v.to_string()).collect();
            format!("at the point ({}): {e}", at.join(", "))
        })?;
        // Under load, queues can turn into failures (rejections, timeouts):
        // the closed form of independent tasks no longer applies.
        let theory_success = if scenario.workload.is_some() {
            None
        } else {
            theory::success(&scenario.model)
        };
        let result = PointResult {
            values: point.values.clone(),
            theory_success,
            summary,
        };
        trials_done += point.trials;
        on_point(Progress {
            done: results.len() + 1,
            total: plan.points.len(),
            trials_done,
            trials_total,
            point: &result,
        });
        results.push(result);
    }
    Ok(results)
}
