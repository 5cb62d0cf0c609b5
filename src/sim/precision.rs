//! Runs to a stated precision ([`Precision`]): trials in batches until the
//! 95% interval of the named figure is as narrow as asked, or the cap is
//! reached.
//!
//! Batch boundaries are fixed numbers of trials (10⁴, 2·10⁴, 4·10⁴, …, the
//! cap), and trial *i* is seeded from (seed, *i*) as always, so a precision
//! run that stops after N trials gives exactly what `--trials N` gives,
//! whatever the thread count. Doubling costs at most twice the trials the
//! precision needs, and leaves the interval up to √2 narrower than asked.
//!
//! A shard of a precision run cannot see the other shards' trials, so it
//! cannot decide when to stop; instead every shard runs the same first batch
//! (identically, from the same seeds), projects from it the trials the
//! precision needs ([`projected_trials`]), and runs its slice of that many:
//! the shards agree on N without talking, and merge to `--trials N`.

use super::run::checked_trials;
use super::{Control, SimError};
use crate::scenario::Scenario;
use crate::stats::precision::{HalfWidth, Precision};
use crate::stats::{Accumulator, Summary};

/// Runs independent trials of `scenario` in batches until `precision` is
/// met or its cap reached; the summary is that of the trials run, with the
/// `precision` entry saying what was reached.
pub fn simulate_to_precision(
    scenario: &Scenario,
    seed: u64,
    precision: &Precision,
    control: Control<'_>,
) -> Result<Summary, SimError> {
    let model = &scenario.model;
    let mut acc = Accumulator::new(model.exec_count());
    let mut done = 0;
    loop {
        let end = precision.next_batch_end(done);
        let batch = checked_trials(scenario, seed, done..end, control)?;
        acc = acc.merge(batch);
        done = end;
        if done >= precision.cap || precision.met(&precision.estimate(&acc)) {
            break;
        }
    }
    let mut summary = Summary::new(model, seed, &acc);
    summary.precision = Some(precision.report(&acc));
    Ok(summary)
}

/// The trials a shard of a precision run runs: projected from the first
/// batch (the interval narrows as 1/√n), rounded up to a batch boundary and
/// capped. The same for every shard, since every shard computes it from the
/// same trials.
pub fn projected_trials(
    scenario: &Scenario,
    seed: u64,
    precision: &Precision,
    control: Control<'_>,
) -> Result<u64, SimError> {
    let first = precision.next_batch_end(0);
    let acc = checked_trials(scenario, seed, 0..first, control)?;
    let e = precision.estimate(&acc);
    if precision.met(&e) {
        return Ok(first);
    }
    let target = match precision.half_width {
        HalfWidth::Absolute(h) => h,
        HalfWidth::Relative(r) => r * e.value.abs(),
    };
    let ratio = e.half_width() / target;
    if !(ratio.is_finite() && target > 0.0) {
        return Ok(precision.cap);
    }
    let needed = first as f64 * ratio * ratio;
    let mut n = first;
    while (n as f64) < needed && n < precision.cap {
        n = precision.next_batch_end(n);
    }
    Ok(n)
}
