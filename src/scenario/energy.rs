//! Checking and compiling the energy and capacity-price fields of
//! `[[resources]]`: a pool's `power` and `price_per_hour`, a link's
//! `joules_per_gb` (docs/MODEL.md §20).

use super::file::ResourceSpec;
use super::problem::Problems;
use crate::model::{PoolEconomics, Power};

/// Most watts one server may draw.
pub const MAX_WATTS: f64 = 1e9;
/// Most US dollars one server may cost per hour.
pub const MAX_PRICE_PER_HOUR: f64 = 1e6;
/// Most joules per 10⁹ bytes a link may spend.
pub const MAX_JOULES_PER_GB: f64 = 1e12;

const POWER_EXAMPLE: &str = "power = { idle_w = 100, busy_w = 400 }";

/// The power model and price of a pool with `servers` servers (`u32::MAX`:
/// no concurrency limit, which has no provisioned servers to meter).
pub fn compile_pool_economics(
    r: &ResourceSpec,
    servers: u32,
    path: &str,
    p: &mut Problems,
) -> PoolEconomics {
    if r.joules_per_gb.is_some() {
        p.add(
            format!("{path}.joules_per_gb"),
            format!("only allowed on kind = \"link\"; a pool draws power per server, e.g. `{POWER_EXAMPLE}`"),
        );
    }
    let unlimited = servers == u32::MAX;
    for (field, set) in [
        ("power", r.power.is_some()),
        ("price_per_hour", r.price_per_hour.is_some()),
    ] {
        if set && unlimited {
            p.add(
                format!("{path}.{field}"),
                "needs `servers`: power and capacity price are per provisioned server, and \
                 this pool has no concurrency limit; e.g. `servers = 4`",
            );
        }
    }
    if unlimited {
        return PoolEconomics::default();
    }
    let power = r.power.as_ref().and_then(|w| {
        let idle_ok = in_range(p, &format!("{path}.power.idle_w"), w.idle_w, 0.0, MAX_WATTS);
        let busy_ok = in_range(p, &format!("{path}.power.busy_w"), w.busy_w, 0.0, MAX_WATTS);
        if idle_ok && busy_ok && w.busy_w < w.idle_w {
            p.add(
                format!("{path}.power.busy_w"),
                format!(
                    "is {}, below idle_w = {}; allowed: a busy server draws at least its idle \
                     power, e.g. `{POWER_EXAMPLE}`",
                    w.busy_w, w.idle_w
                ),
            );
            return None;
        }
        (idle_ok && busy_ok).then_some(Power {
            idle_w: w.idle_w,
            busy_w: w.busy_w,
        })
    });
    let price_per_hour = r.price_per_hour.filter(|&price| {
        in_range(
            p,
            &format!("{path}.price_per_hour"),
            price,
            0.0,
            MAX_PRICE_PER_HOUR,
        )
    });
    PoolEconomics {
        power,
        price_per_hour,
    }
}

/// A link's joules per 10⁹ bytes, after refusing the pool-only fields.
pub fn compile_link_energy(r: &ResourceSpec, path: &str, p: &mut Problems) -> Option<f64> {
    for (field, set) in [
        ("power", r.power.is_some()),
        ("price_per_hour", r.price_per_hour.is_some()),
    ] {
        if set {
            p.add(
                format!("{path}.{field}"),
                "not allowed on kind = \"link\" (a link spends energy per byte: \
                 `joules_per_gb = 5.0`)",
            );
        }
    }
    r.joules_per_gb.filter(|&j| {
        in_range(
            p,
            &format!("{path}.joules_per_gb"),
            j,
            0.0,
            MAX_JOULES_PER_GB,
        )
    })
}

/// Checks `lo <= v <= hi` (NaN fails), with the field's form as the example.
fn in_range(p: &mut Problems, field: &str, v: f64, lo: f64, hi: f64) -> bool {
    let ok = v.is_finite() && (lo..=hi).contains(&v);
    if !ok {
        let name = field.rsplit('.').next().unwrap_or(field);
        let example =
            super::forms::form(name).map_or(String::new(), |(_, e)| format!(", e.g. `{e}`"));
        p.add(
            field.to_string(),
            format!("is {v}; allowed: a finite number from {lo} to {hi:e}{example}"),
        );
    }
    ok
}
