//! What running a resource costs besides the per-call price: the power a pool
//! of servers draws (idle and busy), the price of its provisioned servers, and
//! the energy a link spends per byte. Used only by loaded runs, where servers
//! are shared over time (docs/MODEL.md §20).

/// Power drawn by one server of a pool, in watts.
///
/// A server of a pool without batching draws `busy_w` while it serves a
/// request and `idle_w` otherwise. A server of a batching pool draws
/// `idle_w + (busy_w − idle_w) · b / max_batch` while it holds `b` requests
/// in its batch: `busy_w` at a full batch, linear in the batch's occupancy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Power {
    /// Watts of a provisioned server doing nothing.
    pub idle_w: f64,
    /// Watts of a fully busy server (a full batch, for a batching pool).
    pub busy_w: f64,
}

impl Power {
    /// Mean watts of `servers` servers of which `busy` are busy on average
    /// (for a batching pool: the mean requests in batches over `max_batch`).
    pub fn mean_watts(&self, servers: f64, busy: f64) -> f64 {
        servers * self.idle_w + (self.busy_w - self.idle_w) * busy
    }
}

/// The energy and capacity-cost model of one pool.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PoolEconomics {
    /// Power per server, if metered.
    pub power: Option<Power>,
    /// US dollars per server per hour of provisioned capacity, busy or not.
    pub price_per_hour: Option<f64>,
}

impl PoolEconomics {
    /// True when the pool has a power model or a price.
    pub fn is_set(&self) -> bool {
        self.power.is_some() || self.price_per_hour.is_some()
    }
}

impl super::Model {
    /// True when a pool has a power model or a price, or a link spends
    /// energy per byte: a loaded run then reports energy and capacity cost.
    pub fn meters_energy(&self) -> bool {
        self.pools.iter().any(|p| p.economics.is_set())
            || self.links.iter().any(|l| l.joules_per_gb.is_some())
    }
}
