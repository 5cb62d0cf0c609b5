//! A workload: how tasks arrive at a system that shares resources.

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
}
