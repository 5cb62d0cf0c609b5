//! A workload: how tasks arrive at a system that shares resources.

use super::Model;
use super::class::{ClassHead, TaskClass};
use super::latency::Latency;

/// How tasks arrive.
#[derive(Debug, Clone)]
pub enum Arrivals {
    /// Poisson arrivals whose rate follows `schedule`.
    Open {
        /// Piecewise-constant rate: `(start second, tasks per second)`, sorted,
        /// repeating with period `period` when set.
        schedule: Vec<(f64, f64)>,
        /// Length of one cycle of the schedule in seconds, if it repeats.
        period: Option<f64>,
    },
    /// A fixed population of agents, each starting its next task after a think time.
    Closed {
        /// Concurrent agents.
        agents: u32,
        /// Pause between an agent's tasks.
        think: Latency,
    },
}

impl Arrivals {
    /// The arrival rate at time `t` (open workloads).
    pub fn rate_at(&self, t: f64) -> f64 {
        let Arrivals::Open { schedule, period } = self else {
            return 0.0;
        };
        let t = match period {
            Some(p) => t.rem_euclid(*p),
            None => t,
        };
        schedule
            .iter()
            .rev()
            .find(|(start, _)| *start <= t)
            .map_or(0.0, |&(_, r)| r)
    }

    /// The long-run mean arrival rate (open workloads).
    pub fn mean_rate(&self) -> f64 {
        let Arrivals::Open { schedule, period } = self else {
            return 0.0;
        };
        match period {
            None => schedule.last().map_or(0.0, |&(_, r)| r),
            Some(p) => {
                let mut total = 0.0;
                for (i, &(start, rate)) in schedule.iter().enumerate() {
                    let end = schedule.get(i + 1).map_or(*p, |&(s, _)| s);
                    total += rate * (end - start).max(0.0);
                }
                total / p
            }
        }
    }

    /// The highest rate in the schedule (the thinning bound of open workloads).
    pub fn peak_rate(&self) -> f64 {
        match self {
            Arrivals::Open { schedule, .. } => schedule.iter().map(|&(_, r)| r).fold(0.0, f64::max),
            Arrivals::Closed { .. } => 0.0,
        }
    }
}

/// When measurement starts and how long the run lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Window {
    /// Skip `warmup` tasks, then measure the next `tasks` tasks (by start order).
    Tasks {
        /// Tasks started before measurement begins.
        warmup: u64,
        /// Tasks measured.
        tasks: u64,
    },
    /// Skip `warmup` seconds, then measure tasks started in the next `duration` seconds.
    Time {
        /// Seconds before measurement begins.
        warmup: f64,
        /// Seconds measured.
        duration: f64,
    },
}

/// A workload of many tasks in flight at once.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Arrival process.
    pub arrivals: Arrivals,
    /// Measurement window.
    pub window: Window,
    /// Independent replications of the whole run (Monte Carlo over runs).
    pub replications: u32,
    /// Most tasks in flight before the run is declared unstable.
    pub max_in_flight: u64,
    /// The scenario's own class (class 0, arriving by `arrivals`): its id,
    /// priority and shedding.
    pub head: ClassHead,
    /// Further classes (`[[classes]]`), numbered 1, 2, … in file order.
    pub classes: Vec<TaskClass>,
}

/// One class of a loaded run as the world runs it.
#[derive(Debug, Clone, Copy)]
pub struct ClassView<'a> {
    /// Id, priority, shedding.
    pub head: &'a ClassHead,
    /// Its arrivals.
    pub arrivals: &'a Arrivals,
    /// Its graph.
    pub model: &'a Model,
}

impl Workload {
    /// Every class, the scenario's own first, with `model` the scenario's graph.
    pub fn class_views<'a>(&'a self, model: &'a Model) -> Vec<ClassView<'a>> {
        let mut views = vec![ClassView {
            head: &self.head,
            arrivals: &self.arrivals,
            model,
        }];
        views.extend(self.classes.iter().map(|c| ClassView {
            head: &c.head,
            arrivals: &c.arrivals,
            model: c.model.as_deref().unwrap_or(model),
        }));
        views
    }

    /// True when the run has more than one class.
    pub fn has_classes(&self) -> bool {
        !self.classes.is_empty()
    }

    /// True when figures are reported per class: several classes, or any
    /// load shedding (whose counts are a class's figure).
    pub fn reports_classes(&self) -> bool {
        self.has_classes()
            || self.head.shed.is_some()
            || self.classes.iter().any(|c| c.head.shed.is_some())
    }
}
