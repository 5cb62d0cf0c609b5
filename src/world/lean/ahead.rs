//! Draws made ahead: the lean world's random numbers that do not depend on
//! the simulation's state, drawn in batches before they are needed.
//!
//! Why: an open workload's next gap (at a constant rate) and a task's first
//! attempt (its stream is seeded from its start order) are fixed before the
//! run reaches them. Drawn one at a time inside the event loop, each waited
//! on its stream's mixing and a ziggurat table load behind the loop's
//! mispredicted branches; drawn in a batch, the draws of successive tasks
//! overlap. Each stream gives the same numbers in the same order as when
//! drawn one at a time, so results are bit-identical.

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_xoshiro::SplitMix64;

use crate::model::{AttemptOutcome, Latency, Pool, ServiceTime, Step};
use crate::seed::{ComponentKey, TaskSeeds};

/// Draws per batch: small enough to stay in the first-level cache.
const BATCH: usize = 32;

/// An open workload's gaps between arrivals at a constant rate, drawn ahead
/// from its arrival stream.
pub(super) struct ArrivalGaps {
    rng: SplitMix64,
    rate: f64,
    gaps: [f64; BATCH],
    next: usize,
}

impl ArrivalGaps {
    /// The gaps of the stream `rng` at the constant `rate`.
    pub(super) fn new(rng: SplitMix64, rate: f64) -> Self {
        ArrivalGaps {
            rng,
            rate,
            gaps: [0.0; BATCH],
            next: BATCH,
        }
    }

    /// The next gap in seconds: an `Exp1` draw over the rate, as one draw would give it.
    #[inline]
    pub(super) fn next_gap(&mut self) -> f64 {
        if self.next == BATCH {
            for gap in &mut self.gaps {
                let standard: f64 = Exp1.sample(&mut self.rng);
                *gap = standard / self.rate;
            }
            self.next = 0;
        }
        let gap = self.gaps[self.next];
        self.next += 1;
        gap
    }
}

/// A task's first attempt, drawn ahead: its outcome and work, and its
/// stream as it stands after them (for its retries).
#[derive(Clone)]
pub(super) struct FirstAttempt {
    pub(super) rng: SplitMix64,
    pub(super) work: f64,
    pub(super) outcome: AttemptOutcome,
}

/// How a first attempt is drawn, decided once per run.
#[derive(Clone, Copy)]
enum Recipe<'m> {
    /// Only the work is drawn, from the pool's service distribution: the
    /// step's latency is fixed and it never fails, so the task state
    /// machine's first two draws take nothing from the stream.
    WorkOnly(&'m Latency),
    /// Latency, outcome and work, in the task state machine's order.
    Full,
}

impl<'m> Recipe<'m> {
    fn of(step: &'m Step, pool: &'m Pool) -> Self {
        let no_draw_before_work =
            matches!(step.latency, Latency::Fixed(_)) && step.outcome.never_fails();
        match &pool.service {
            ServiceTime::Distribution(d) if no_draw_before_work && pool.batching.is_none() => {
                Recipe::WorkOnly(d)
            }
            _ => Recipe::Full,
        }
    }
}

/// The first attempts of the tasks to start next, in start order.
pub(super) struct FirstAttempts<'m> {
    step: &'m Step,
    pool: &'m Pool,
    recipe: Recipe<'m>,
    seeds: TaskSeeds,
    key: ComponentKey,
    /// Start order of `batch[0]`.
    first_index: u64,
    batch: Vec<FirstAttempt>,
}

impl<'m> FirstAttempts<'m> {
    /// The first attempts of `step` on `pool`, the task streams keyed `key` under `seeds`.
    pub(super) fn new(step: &'m Step, pool: &'m Pool, seeds: TaskSeeds, key: ComponentKey) -> Self {
        FirstAttempts {
            step,
            pool,
            recipe: Recipe::of(step, pool),
            seeds,
            key,
            first_index: 0,
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// The first attempt of the task started `index`-th; tasks must be asked
    /// for in start order, each once.
    #[inline]
    pub(super) fn of(&mut self, index: u64) -> FirstAttempt {
        let mut at = index.wrapping_sub(self.first_index) as usize;
        if at >= self.batch.len() {
            self.refill(index);
            at = 0;
        }
        self.batch[at].clone()
    }

    /// Draws the first attempts of the `BATCH` tasks from `index` on.
    #[inline(never)]
    fn refill(&mut self, index: u64) {
        let (step, pool) = (self.step, self.pool);
        self.batch.clear();
        self.first_index = index;
        let stream = |i: u64| SplitMix64::seed_from_u64(self.seeds.task(i).component(self.key));
        match self.recipe {
            Recipe::WorkOnly(service) => {
                for i in index..index + BATCH as u64 {
                    let mut rng = stream(i);
                    let work = service.sample(&mut rng);
                    let outcome = AttemptOutcome::Ok;
                    self.batch.push(FirstAttempt { rng, work, outcome });
                }
            }
            Recipe::Full => {
                for i in index..index + BATCH as u64 {
                    let mut rng = stream(i);
                    // As the task state machine draws an attempt: its own latency
                    // plus a loop's growth (none here), its outcome, its work.
                    let own = step.latency.sample(&mut rng) + 0.0;
                    let outcome = step.outcome.draw(&mut rng);
                    let work = pool.draw_work(step, own, &mut rng);
                    self.batch.push(FirstAttempt { rng, work, outcome });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::ReplicationSeed;
    use rand::RngExt;

    #[test]
    fn gaps_drawn_ahead_are_the_draws_one_at_a_time() {
        let rng = SplitMix64::seed_from_u64(42);
        let (mut one_by_one, mut ahead) = (rng.clone(), ArrivalGaps::new(rng, 7.2));
        for i in 0..3 * BATCH + 5 {
            let standard: f64 = Exp1.sample(&mut one_by_one);
            assert_eq!(
                ahead.next_gap().to_bits(),
                (standard / 7.2).to_bits(),
                "gap {i}"
            );
        }
    }

    /// The first attempts drawn ahead against the task state machine's
    /// order drawn one task at a time, for a step that uses each recipe.
    #[test]
    fn first_attempts_drawn_ahead_are_the_draws_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "work only",
                "service = { dist = \"exponential\", mean = 1.0 }",
                "",
            ),
            (
                "work only, gamma",
                "service = { dist = \"gamma\", shape = 4.0, scale = 0.2 }",
                "",
            ),
            (
                "full",
                "service = { dist = \"lognormal\", median = 0.8, p99 = 3.0 }",
                "latency = { dist = \"exponential\", mean = 0.5 }\nloud = 0.2\nsilent = 0.1",
            ),
        ];
        for (name, service, step) in cases {
            let text = format!(
                "[[resources]]\nid = \"pool\"\nkind = \"accelerator\"\nservers = 2\n{service}\n\n\
                 [[nodes]]\nid = \"call\"\nkind = \"llm\"\nresource = \"pool\"\n{step}\n"
            );
            let file = dir.path().join("s.toml");
            std::fs::write(&file, text).unwrap();
            let model = crate::scenario::load(&file).unwrap().model;
            let (step, pool) = (&model.nodes[0].step, &model.pools[0]);
            let expect_work_only = name.starts_with("work only");
            assert_eq!(
                matches!(Recipe::of(step, pool), Recipe::WorkOnly(_)),
                expect_work_only,
                "{name}"
            );
            let seeds = ReplicationSeed::new(3, 1).tasks();
            let key = ComponentKey::of(&model.exec_name(0));
            let mut ahead = FirstAttempts::new(step, pool, seeds, key);
            for i in 0..2 * BATCH as u64 + 3 {
                let mut rng = SplitMix64::seed_from_u64(seeds.task(i).component(key));
                let own = step.latency.sample(&mut rng) + 0.0;
                let outcome = step.outcome.draw(&mut rng);
                let work = pool.draw_work(step, own, &mut rng);
                let got = ahead.of(i);
                assert_eq!(got.work.to_bits(), work.to_bits(), "{name}, task {i}");
                assert_eq!(got.outcome, outcome, "{name}, task {i}");
                // The stream goes on alike (a retry draws from it next).
                let (mut a, mut b) = (got.rng, rng);
                assert_eq!(a.random::<u64>(), b.random::<u64>(), "{name}, task {i}");
            }
        }
    }
}
