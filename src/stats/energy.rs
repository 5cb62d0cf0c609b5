//! Energy and provider economics of a loaded run: the power metered pools and
//! links draw, joules per task and per correct task, output tokens per joule,
//! and the dollar cost of provisioned capacity (docs/MODEL.md §20).
//!
//! Energy comes from the time integrals a replication already keeps (busy
//! servers, requests in batches, bytes moved), so metering adds no events.
//! Power is a mean across replications (Student t); per-task figures are
//! ratio estimators over the replications ([`super::ratio`]).

use serde::{Deserialize, Serialize};

use super::load::Estimate;
use super::ratio::{product_of_means, ratio_of_sums};
use super::replication::Replication;
use crate::model::{Link, Model, Pool};

/// Seconds per hour, for prices per hour.
const SECONDS_PER_HOUR: f64 = 3600.0;
/// Bytes per GB (10⁹), for a link's joules per GB.
const BYTES_PER_GB: f64 = 1e9;

/// How the energy figures' intervals are made, in words (`intervals.energy`).
pub const METHOD: &str = "power: Student t across the replications; per-task figures \
     (J/task, tokens/J, capacity $/task): ratio estimators over the replications (sums of \
     energy, cost, tokens and tasks), delta-method Student t with n - 1 degrees of freedom; \
     capacity $/hour is exact (servers x price)";

/// Energy and capacity cost of one pool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoolEnergy {
    /// Resource id.
    pub id: String,
    /// Mean power drawn, watts (`null` without `power`).
    pub power_w: Option<Estimate>,
    /// Joules per task finished in the window (`null` without `power`).
    pub energy_per_task_j: Option<Estimate>,
    /// Servers × `price_per_hour` (`null` without a price).
    pub capacity_usd_per_hour: Option<f64>,
}

/// Energy of one link.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LinkEnergy {
    /// Resource id.
    pub id: String,
    /// Mean power spent moving bytes, watts.
    pub power_w: Estimate,
    /// Joules per task finished in the window.
    pub energy_per_task_j: Option<Estimate>,
}

/// Everything metering adds to a loaded run's figures (`load.energy`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EnergySummary {
    /// Mean power of the metered pools and links together, watts.
    pub power_w: Option<Estimate>,
    /// Joules per task finished in the window.
    pub energy_per_task_j: Option<Estimate>,
    /// Joules per correct task finished in the window.
    pub energy_per_correct_task_j: Option<Estimate>,
    /// Output tokens per measured task (steps' `tokens.output`, every attempt).
    pub output_tokens_per_task: Option<Estimate>,
    /// Output tokens per joule: `output_tokens_per_task / energy_per_task_j`.
    pub tokens_per_joule: Option<Estimate>,
    /// Provisioned capacity: Σ servers × `price_per_hour`, busy or idle.
    pub capacity_usd_per_hour: Option<f64>,
    /// Capacity cost per task finished in the window.
    pub capacity_usd_per_task: Option<Estimate>,
    /// Capacity cost per correct task finished in the window.
    pub capacity_usd_per_correct_task: Option<Estimate>,
    /// Per metered pool.
    pub pools: Vec<PoolEnergy>,
    /// Per metered link.
    pub links: Vec<LinkEnergy>,
}

/// Joules one pool drew over one replication's window (`None`: no power model).
fn pool_joules(pool: &Pool, r: &Replication, i: usize) -> Option<f64> {
    let power = pool.economics.power?;
    let f = &r.pools[i];
    // Busy-server seconds; a batching server counts b / max_batch while it holds b.
    let busy_seconds = match pool.batching {
        Some(b) => f.batched.integral / f64::from(b.max_batch),
        None => f.busy.integral,
    };
    Some(power.mean_watts(f64::from(pool.servers) * r.span, busy_seconds))
}

/// Joules one link spent over one replication's window.
fn link_joules(link: &Link, r: &Replication, i: usize) -> Option<f64> {
    Some(link.joules_per_gb? * r.links[i].bytes / BYTES_PER_GB)
}

impl EnergySummary {
    /// The figures of the replications of a run of `model`, which meters energy.
    pub fn new(model: &Model, reps: &[Replication]) -> Self {
        let column = |f: &dyn Fn(&Replication) -> f64| reps.iter().map(f).collect::<Vec<f64>>();
        let completions = column(&|r| r.completions as f64);
        let correct = column(&|r| r.correct_completions as f64);
        let spans = column(&|r| r.span);
        let power_of = |joules: &[f64]| {
            let watts: Vec<f64> = joules
                .iter()
                .zip(&spans)
                .map(|(j, s)| if *s > 0.0 { j / s } else { 0.0 })
                .collect();
            Estimate::from_values(&watts)
        };
        let mut total = vec![0.0; reps.len()];
        let mut metered = false;
        let mut pools = Vec::new();
        for (i, pool) in model.pools.iter().enumerate() {
            if !pool.economics.is_set() {
                continue;
            }
            let joules: Option<Vec<f64>> = reps.iter().map(|r| pool_joules(pool, r, i)).collect();
            if let Some(j) = &joules {
                metered = true;
                total.iter_mut().zip(j).for_each(|(t, j)| *t += j);
            }
            pools.push(PoolEnergy {
                id: pool.id.clone(),
                power_w: joules.as_deref().map(power_of),
                energy_per_task_j: joules.and_then(|j| ratio_of_sums(&j, &completions)),
                capacity_usd_per_hour: pool
                    .economics
                    .price_per_hour
                    .map(|p| p * f64::from(pool.servers)),
            });
        }
        let mut links = Vec::new();
        for (i, link) in model.links.iter().enumerate() {
            let Some(joules) = reps
                .iter()
                .map(|r| link_joules(link, r, i))
                .collect::<Option<Vec<f64>>>()
            else {
                continue;
            };
            metered = true;
            total.iter_mut().zip(&joules).for_each(|(t, j)| *t += j);
            links.push(LinkEnergy {
                id: link.id.clone(),
                power_w: power_of(&joules),
                energy_per_task_j: ratio_of_sums(&joules, &completions),
            });
        }
        let tokens = column(&|r| r.output_tokens as f64);
        let tasks = column(&|r| r.acc.trials as f64);
        let priced: Vec<f64> = pools
            .iter()
            .filter_map(|p| p.capacity_usd_per_hour)
            .collect();
        let capacity_usd_per_hour = (!priced.is_empty()).then(|| priced.iter().sum::<f64>());
        let capacity = capacity_usd_per_hour.map(|per_hour| {
            spans
                .iter()
                .map(|s| per_hour * s / SECONDS_PER_HOUR)
                .collect::<Vec<f64>>()
        });
        let energy = metered.then_some(total);
        EnergySummary {
            power_w: energy.as_deref().map(power_of),
            energy_per_task_j: energy
                .as_deref()
                .and_then(|e| ratio_of_sums(e, &completions)),
            energy_per_correct_task_j: energy.as_deref().and_then(|e| ratio_of_sums(e, &correct)),
            output_tokens_per_task: energy.as_ref().and_then(|_| ratio_of_sums(&tokens, &tasks)),
            // (tokens / tasks) / (energy / completions), each a ratio of sums.
            tokens_per_joule: energy.as_deref().and_then(|e| {
                product_of_means(&[(&tokens, 1), (&tasks, -1), (&completions, 1), (e, -1)])
            }),
            capacity_usd_per_hour,
            capacity_usd_per_task: capacity
                .as_deref()
                .and_then(|c| ratio_of_sums(c, &completions)),
            capacity_usd_per_correct_task: capacity
                .as_deref()
                .and_then(|c| ratio_of_sums(c, &correct)),
            pools,
            links,
        }
    }
}
