//! The per-class figures of a loaded run with several task classes (or with
//! load shedding): each class's summary over its admitted tasks, with the
//! same replication intervals as the whole run's, its shed rate, and its
//! throughput and goodput.

use super::run::{RepView, replication_intervals};
use crate::model::{Arrivals, Model, Workload};
use crate::stats::Summary;
use crate::stats::classes::ClassSummary;
use crate::stats::interval::wilson_replicated;
use crate::stats::load::Estimate;
use crate::stats::replication::Replication;
use crate::stats::summary::Rate;

/// One summary per class, in class order.
pub fn class_summaries(
    model: &Model,
    workload: &Workload,
    seed: u64,
    reps: &[Replication],
) -> Vec<ClassSummary> {
    workload
        .class_views(model)
        .into_iter()
        .enumerate()
        .map(|(k, view)| {
            let views: Vec<RepView<'_>> = reps
                .iter()
                .map(|r| RepView {
                    acc: &r.classes[k].acc,
                    span: r.span,
                    correct_within_slo: &r.classes[k].correct_within_slo,
                })
                .collect();
            let acc = views.iter().fold(
                crate::stats::Accumulator::new(view.model.exec_count()),
                |a, v| a.merge(v.acc.clone()),
            );
            let mut summary = Summary::new(view.model, seed, &acc);
            replication_intervals(&mut summary, &views);
            let arrivals: u64 = reps.iter().map(|r| r.classes[k].arrivals).sum();
            let shed: u64 = reps.iter().map(|r| r.classes[k].shed).sum();
            let mut shed_rate = Rate::new(shed, arrivals);
            let per_rep: Vec<f64> = reps
                .iter()
                .map(|r| r.classes[k].shed as f64 / r.classes[k].arrivals.max(1) as f64)
                .collect();
            let (lo, hi) = wilson_replicated(shed_rate.rate, arrivals, &per_rep);
            shed_rate.ci95 = [lo, hi];
            let per_second = |count: &dyn Fn(&Replication) -> u64| {
                Estimate::from_values(
                    &reps
                        .iter()
                        .map(|r| {
                            if r.span > 0.0 {
                                count(r) as f64 / r.span
                            } else {
                                0.0
                            }
                        })
                        .collect::<Vec<_>>(),
                )
            };
            ClassSummary {
                id: view.head.id.clone(),
                priority: view.head.priority,
                offered_rate: matches!(view.arrivals, Arrivals::Open { .. })
                    .then(|| view.arrivals.mean_rate()),
                arrivals,
                shed: shed_rate,
                throughput: per_second(&|r| r.classes[k].completions),
                goodput: per_second(&|r| r.classes[k].correct_completions),
                summary: Box::new(summary),
            }
        })
        .collect()
}
