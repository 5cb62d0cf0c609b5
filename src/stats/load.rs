//! Figures of a loaded run (many tasks contending for resources), averaged
//! across independent replications with Student-t confidence intervals.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use super::interval::t_interval;
use super::replication::Replication;
use crate::model::{Model, Workload};

/// The load offered to one resource.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferedLoad {
    /// Resource id.
    pub id: String,
    /// Offered load over capacity (utilisation it would have if stable).
    pub rho: f64,
    /// True when a timeout, a rejection policy or a bounded queue keeps the
    /// queue finite even above capacity.
    pub bounded: bool,
}

/// A mean across replications with its 95% interval (`null` with one replication):
/// the Student t interval of the replications' values, cut to the range the
/// figure can take (every figure here is at least 0; fractions of time or of
/// requests at most 1, busy servers at most the servers), so that an
/// interval never claims an impossible value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// 95% Student-t interval across replications.
    pub ci95: Option<[f64; 2]>,
}

impl Estimate {
    /// The estimate from one value per replication.
    pub fn from_values(values: &[f64]) -> Self {
        Self::within(values, f64::INFINITY)
    }

    /// The estimate of a figure that lies in [0, `max`].
    pub fn within(values: &[f64], max: f64) -> Self {
        let (mean, ci) = t_interval(values, 0.05);
        Estimate {
            mean,
            ci95: ci.map(|(lo, hi)| [lo.clamp(0.0, max), hi.clamp(0.0, max)]),
        }
    }
}

/// Figures of one pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoolSummary {
    /// Resource id.
    pub id: String,
    /// "accelerator" or "service".
    pub kind: String,
    /// Servers (`null`: no concurrency limit).
    pub servers: Option<u32>,
    /// Requests arriving per second.
    pub arrival_rate: Estimate,
    /// Busy servers / servers; for a batching pool, requests in batches / (servers ×
    /// max batch). `null` without a concurrency limit.
    pub utilization: Option<Estimate>,
    /// Mean busy servers (calls in progress).
    pub mean_busy: Estimate,
    /// Time-averaged number waiting.
    pub mean_queue: Estimate,
    /// Time-averaged number at the pool (waiting + served): Little's L.
    pub mean_in_system: Estimate,
    /// Mean wait before service, seconds (requests that reached a server).
    pub mean_wait_s: Estimate,
    /// Fraction of requests that waited at all.
    pub p_wait: Estimate,
    /// Wait quantiles over all replications, seconds.
    pub wait_p50_s: f64,
    /// 95th percentile wait.
    pub wait_p95_s: f64,
    /// 99th percentile wait.
    pub wait_p99_s: f64,
    /// Mean time at the pool (wait + service), seconds: Little's W.
    pub mean_sojourn_s: Estimate,
    /// λ·W from the replications' own arrival rate and sojourn (Little's law: ≈ mean_in_system).
    pub little_lambda_w: Estimate,
    /// Requests rejected (rate limit, full queue).
    pub rejected: u64,
    /// Requests whose caller timed out while they were at the pool.
    pub abandoned: u64,
    /// Mean requests per running batch (batching pools).
    pub mean_batch: Option<Estimate>,
}

/// Figures of one link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LinkSummary {
    /// Resource id.
    pub id: String,
    /// Fraction of time with a transfer in flight.
    pub utilization: Estimate,
    /// Time-averaged transfers in flight (Little's L).
    pub mean_active: Estimate,
    /// Bytes per second moved.
    pub bytes_per_s: Estimate,
    /// Transfers started per second.
    pub arrival_rate: Estimate,
    /// Mean duration of a transfer, seconds (Little's W).
    pub mean_transfer_s: Estimate,
    /// λ·W (Little's law: ≈ mean_active).
    pub little_lambda_w: Estimate,
    /// Transfers started in the measurement windows.
    pub transfers: u64,
}

/// Offered load of a resource.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoadFactor {
    /// Resource id.
    pub id: String,
    /// Offered load / capacity.
    pub rho: f64,
}

/// Everything a loaded run adds to the summary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoadSummary {
    /// Independent replications.
    pub replications: u32,
    /// Tasks measured per replication (summed in `trials`).
    pub tasks_per_replication: Estimate,
    /// Mean arrival rate of an open workload, tasks per second.
    pub offered_rate: Option<f64>,
    /// Tasks finished per second in the measurement window.
    pub throughput: Estimate,
    /// Correct tasks finished per second.
    pub goodput: Estimate,
    /// Per pool.
    pub pools: Vec<PoolSummary>,
    /// Per link.
    pub links: Vec<LinkSummary>,
    /// Offered load per resource (open workloads).
    pub offered_load: Vec<LoadFactor>,
    /// Events processed, all replications.
    pub events: u64,
}

impl LoadSummary {
    /// Combines the replications of a run.
    pub fn new(
        model: &Model,
        workload: &Workload,
        reps: &[Replication],
        offered: &[OfferedLoad],
    ) -> Self {
        let per_rep = |f: &dyn Fn(&Replication) -> f64| -> Estimate {
            Estimate::from_values(&reps.iter().map(f).collect::<Vec<_>>())
        };
        let fraction = |f: &dyn Fn(&Replication) -> f64| -> Estimate {
            Estimate::within(&reps.iter().map(f).collect::<Vec<_>>(), 1.0)
        };
        let rate = |count: f64, r: &Replication| if r.span > 0.0 { count / r.span } else { 0.0 };
        let pools = model
            .pools
            .iter()
            .enumerate()
            .map(|(i, pool)| {
                let limited = pool.servers != u32::MAX;
                let servers = if pool.batching.is_some() || limited {
                    pool.servers as f64
                } else {
                    1.0
                };
                let mut waits = Histogram::<u64>::new(3).expect("valid precision");
                for r in reps {
                    waits
                        .add(&r.pools[i].waits_ns)
                        .expect("auto-resizing histograms merge");
                }
                let q = |p: f64| {
                    if waits.is_empty() {
                        0.0
                    } else {
                        waits.value_at_quantile(p) as f64 / 1e9
                    }
                };
                PoolSummary {
                    id: pool.id.clone(),
                    kind: pool.kind.to_string(),
                    servers: limited.then_some(pool.servers),
                    arrival_rate: per_rep(&|r| rate(r.pools[i].arrivals as f64, r)),
                    utilization: limited.then(|| match pool.batching {
                        // Batch slots in use: a batching server counts as busy
                        // as soon as one request runs, which says little.
                        Some(b) => fraction(&|r| {
                            rate(r.pools[i].batched.integral, r) / (servers * b.max_batch as f64)
                        }),
                        None => fraction(&|r| rate(r.pools[i].busy.integral, r) / servers),
                    }),
                    mean_busy: Estimate::within(
                        &reps
                            .iter()
                            .map(|r| rate(r.pools[i].busy.integral, r))
                            .collect::<Vec<_>>(),
                        if limited { servers } else { f64::INFINITY },
                    ),
                    mean_queue: per_rep(&|r| rate(r.pools[i].queue.integral, r)),
                    mean_in_system: per_rep(&|r| rate(r.pools[i].system.integral, r)),
                    mean_wait_s: per_rep(&|r| ratio(r.pools[i].wait_sum, r.pools[i].admitted)),
                    p_wait: fraction(&|r| ratio(r.pools[i].waited as f64, r.pools[i].admitted)),
                    wait_p50_s: q(0.50),
                    wait_p95_s: q(0.95),
                    wait_p99_s: q(0.99),
                    mean_sojourn_s: per_rep(&|r| {
                        ratio(r.pools[i].sojourn_sum, r.pools[i].sojourns)
                    }),
                    little_lambda_w: per_rep(&|r| {
                        rate(r.pools[i].arrivals as f64, r)
                            * ratio(r.pools[i].sojourn_sum, r.pools[i].sojourns)
                    }),
                    rejected: reps.iter().map(|r| r.pools[i].rejected).sum(),
                    abandoned: reps.iter().map(|r| r.pools[i].abandoned).sum(),
                    mean_batch: pool.batching.map(|_| {
                        per_rep(&|r| {
                            r.pools[i].batched.integral
                                / r.pools[i].busy.integral.max(f64::MIN_POSITIVE)
                        })
                    }),
                }
            })
            .collect();
        let links = model
            .links
            .iter()
            .enumerate()
            .map(|(i, link)| LinkSummary {
                id: link.id.clone(),
                utilization: fraction(&|r| rate(r.links[i].busy.integral, r)),
                mean_active: per_rep(&|r| rate(r.links[i].active.integral, r)),
                bytes_per_s: per_rep(&|r| rate(r.links[i].bytes, r)),
                arrival_rate: per_rep(&|r| rate(r.links[i].transfers as f64, r)),
                mean_transfer_s: per_rep(&|r| ratio(r.links[i].sojourn_sum, r.links[i].sojourns)),
                little_lambda_w: per_rep(&|r| {
                    rate(r.links[i].transfers as f64, r)
                        * ratio(r.links[i].sojourn_sum, r.links[i].sojourns)
                }),
                transfers: reps.iter().map(|r| r.links[i].transfers).sum(),
            })
            .collect();
        LoadSummary {
            replications: reps.len() as u32,
            tasks_per_replication: per_rep(&|r| r.acc.trials as f64),
            offered_rate: offered_rate(model, workload),
            throughput: per_rep(&|r| rate(r.completions as f64, r)),
            goodput: per_rep(&|r| rate(r.correct_completions as f64, r)),
            pools,
            links,
            offered_load: offered
                .iter()
                .map(|o| LoadFactor {
                    id: o.id.clone(),
                    rho: o.rho,
                })
                .collect(),
            events: reps.iter().map(|r| r.events).sum(),
        }
    }
}

/// The mean arrival rate of the open classes, tasks per second (`None` when
/// every class is closed).
fn offered_rate(model: &Model, workload: &Workload) -> Option<f64> {
    let open: Vec<f64> = workload
        .class_views(model)
        .iter()
        .filter(|v| matches!(v.arrivals, crate::model::Arrivals::Open { .. }))
        .map(|v| v.arrivals.mean_rate())
        .collect();
    (!open.is_empty()).then(|| open.iter().sum())
}

fn ratio(sum: f64, count: u64) -> f64 {
    if count == 0 { 0.0 } else { sum / count as f64 }
}
