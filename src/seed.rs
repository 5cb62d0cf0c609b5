//! The seed policy: every random stream of every command derives here, and
//! only here, from the base seed.
//!
//! A stream is a path of [`mix`]es from the base seed:
//!
//! ```text
//! base seed ─┬─ TRIALS ─ trial i ──────────────── TaskSeed ─┬─ component "name"   (node/edge draws)
//!            │                                              ├─ TASK ─ purpose      (task-level draws:
//!            │                                              │          per-task rates, difficulties,
//!            │                                              │          common causes, outages)
//!            │                                              ├─ COUNTS ─ "name"     (loop and fan-out counts)
//!            │                                              └─ RUNS ─ run r ≥ 1 ─ component "name" (pass^k)
//!            ├─ REPLICATIONS ─ replication r ─┬─ 1: arrivals, 2: think times
//!            │                                ├─ OUTAGES ─ pool ─ purpose (shared by all tasks)
//!            │                                └─ TRIALS ─ task j ─ TaskSeed ─ …
//!            │     replication r ─ CLASS ─ class k ≥ 1 ─ (as a replication: arrivals, think, tasks)
//!            ├─ CLASS ─ class k ≥ 1 ─ (as a base seed: its independent trials, its pilot)
//!            ├─ (seed ^ PILOT) ─ TRIALS ─ …   (stability pilot: visits per task)
//!            ├─ TRACE_IDS ─ trial ─ run       (ids of written traces: no draws)
//!            └─ ARM + k ─ TRIALS ─ …          (review arm k ≥ 1 without common random numbers)
//! ```
//!
//! Why it is safe:
//! * a trial's streams depend only on (seed, trial index), never on the thread
//!   or order that ran it, so results are bit-identical for any thread count
//!   and any slicing into shards;
//! * each node and edge draws from its own stream keyed by its *name*, so a
//!   component that two variants share draws the same numbers in both
//!   (common random numbers);
//! * the domains under one parent are distinct constants, and task-level
//!   streams hang one level deeper than component streams (mix(mix(task,
//!   TASK), purpose) against mix(task, hash(name))), so no component name can
//!   ever select a task-level stream: the two can only meet by a 64-bit hash
//!   coincidence, not by construction.
//!
//! The constants are those the project has always used: changing one changes
//! every published result.

/// First-level domain of independent trials (and of the tasks of a replication).
const TRIALS: u64 = 0x5851_F42D_4C95_7F2D;
/// First-level domain of the replications of a loaded run.
const REPLICATIONS: u64 = 0xA5A5_5A5A_0F0F_F0F0;
/// XOR applied to the base seed for the stability pilot.
const PILOT: u64 = 0x9E37_79B9;
/// Base of the domains of review arms run without common random numbers.
const ARM: u64 = 0xC0FF_EE00;
/// Second-level domain, under a task's seed, of its task-level streams.
const TASK: u64 = 0x7A5C_5EED_0000_0001;
/// Second-level domain, under a task's seed, of its later runs (pass^k).
const RUNS: u64 = 0x7A5C_5EED_0000_0002;
/// Task-level purpose: a step's rate drawn per task.
const RATE: u64 = 0x7A5C_5EED_0000_0003;
/// Task-level purpose: a shared difficulty.
const DIFFICULTY: u64 = 0x7A5C_5EED_0000_0004;
/// Task-level purpose: whether a common cause of failure strikes the task.
const COMMON_CAUSE: u64 = 0x7A5C_5EED_0000_0006;
/// Second-level domain, under a task's (or run's) seed, of the streams that
/// draw how many iterations a loop runs or how many branches a fan-out spawns.
const COUNTS: u64 = 0x7A5C_5EED_0000_0005;
/// Task-level purpose: the outage, degradation and incident draws of a task
/// in independent trials (each task sees the pools' processes afresh).
const OUTAGES: u64 = 0x7A5C_5EED_0000_0009;
/// Domain, under a replication's seed, of the pools' outage processes.
const REPLICATION_OUTAGES: u64 = 0x0A7A_6E00_0000_0001;
/// Second-level domain, under a task's (or run's) seed, of the streams a
/// step's cache draws its hits and stale answers from.
const CACHE: u64 = 0x7A5C_5EED_0000_0007;
/// Second-level domain, under a task's (or run's) seed, of the streams a
/// step's hedged copies draw their latency and outcome from.
const HEDGE: u64 = 0x7A5C_5EED_0000_0008;
/// Domain of the streams of task class k ≥ 1 (class 0 keeps the streams a
/// scenario without classes has always had).
const CLASS: u64 = 0xC1A5_5E00_0000_0001;
/// First-level domain of the identifiers of written traces (no draws: ids only).
const TRACE_IDS: u64 = 0x07E1_7ACE_0000_0001;

/// SplitMix64 finaliser of two words: well-spread seeds from structured inputs.
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.rotate_left(32) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The root of one task's random streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskSeed(pub u64);

impl TaskSeed {
    /// The seed of the stream of the component (node or edge) whose key is `key`.
    #[inline]
    pub fn component(self, key: ComponentKey) -> u64 {
        mix(self.0, key.0)
    }

    /// The seed of a task-level stream (draws made once per task, shared by
    /// all its steps and runs), numbered by `purpose`.
    pub fn task_level(self, purpose: u64) -> u64 {
        mix(mix(self.0, TASK), purpose)
    }

    /// The stream of the per-task draw of rate `field` (0 silent, 1 loud,
    /// 2 sensitivity, 3 false alarm) of the component keyed `key`.
    pub fn rate(self, key: ComponentKey, field: u64) -> u64 {
        self.task_level(mix(RATE, mix(key.0, field)))
    }

    /// The stream of the task's difficulty named by `key`.
    pub fn difficulty(self, key: ComponentKey) -> u64 {
        self.task_level(mix(DIFFICULTY, key.0))
    }

    /// The stream of the draw of the common cause named by `key`.
    pub fn common_cause(self, key: ComponentKey) -> u64 {
        self.task_level(mix(COMMON_CAUSE, key.0))
    }

    /// The stream of the counts (loop iterations, fan-out branches) drawn by
    /// the node keyed `key`, one draw per execution of the node: a domain of
    /// its own, so that changing a count distribution changes no other draw.
    pub fn count(self, key: ComponentKey) -> u64 {
        mix(mix(self.0, COUNTS), key.0)
    }

    /// The stream of purpose `purpose` (1 outages, 2 degradation, 3 the draws
    /// of calls) of the pool keyed `key`, as this task alone sees it.
    pub fn outages(self, key: ComponentKey, purpose: u64) -> u64 {
        self.task_level(mix(OUTAGES, mix(key.0, purpose)))
    }

    /// The stream of the cache in front of the component keyed `key`: a
    /// domain of its own, so that a miss calls the step with the draws it
    /// would make without a cache.
    pub fn cache(self, key: ComponentKey) -> u64 {
        mix(mix(self.0, CACHE), key.0)
    }

    /// The stream of the hedged copies of the component keyed `key`: a
    /// domain of its own, so the step's own attempts draw as without a hedge.
    pub fn hedge(self, key: ComponentKey) -> u64 {
        mix(mix(self.0, HEDGE), key.0)
    }

    /// The root of run `run` of this task (pass^k): run 0 is the task itself,
    /// so a task run once draws exactly as it always has.
    pub fn run(self, run: u32) -> TaskSeed {
        if run == 0 {
            self
        } else {
            TaskSeed(mix(mix(self.0, RUNS), run as u64))
        }
    }
}

/// A component's stream key: the FNV-1a hash of its name, stable across
/// variants of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentKey(u64);

impl ComponentKey {
    /// The key of the node or edge called `name`.
    pub fn of(name: &str) -> Self {
        ComponentKey(name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        }))
    }

    /// The key of copy `k` of the component called `name`, `name#k`: the
    /// stream a `repeat`ed node's k-th copy draws from, and the one that
    /// iteration k of a loop (branch k of a fan-out) of `name` draws from,
    /// so that a loop of a fixed count draws what its `repeat` does.
    /// Computed without allocating: FNV-1a continued over `#` and the digits.
    pub fn copy(name: &str, k: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut n = k;
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let suffix = std::iter::once(b'#').chain(digits[..len].iter().rev().copied());
        ComponentKey(
            name.bytes()
                .chain(suffix)
                .fold(0xcbf2_9ce4_8422_2325, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
                }),
        )
    }
}

/// The seed of independent trial `trial` under base seed `seed`.
#[inline]
pub fn trial(seed: u64, trial: u64) -> TaskSeed {
    TaskSeeds::of(seed).task(trial)
}

/// The part of every task seed under one base seed that does not depend on
/// the task, mixed once: a loop that starts many tasks keeps it and pays
/// one mix per task instead of two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSeeds(u64);

impl TaskSeeds {
    /// The task seeds under base seed `seed`.
    #[inline]
    pub fn of(seed: u64) -> Self {
        TaskSeeds(mix(seed, TRIALS))
    }

    /// The seed of task (or trial) `index`: `trial(seed, index)`.
    #[inline]
    pub fn task(self, index: u64) -> TaskSeed {
        TaskSeed(mix(self.0, index))
    }
}

/// The seeds of replication `replication` of a loaded run under base `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicationSeed(u64);

impl ReplicationSeed {
    /// Replication `replication` under base seed `seed`.
    pub fn new(seed: u64, replication: u64) -> Self {
        ReplicationSeed(mix(mix(seed, REPLICATIONS), replication))
    }

    /// The stream of an open workload's arrival times.
    pub fn arrivals(self) -> u64 {
        mix(self.0, 1)
    }

    /// The stream of a closed workload's think times.
    pub fn think(self) -> u64 {
        mix(self.0, 2)
    }

    /// The stream of purpose `purpose` (1 outages, 2 degradation, 3 the draws
    /// of calls) of the pool keyed `key`, shared by every task of the
    /// replication.
    pub fn outages(self, key: ComponentKey, purpose: u64) -> u64 {
        mix(mix(self.0, REPLICATION_OUTAGES), mix(key.0, purpose))
    }

    /// The streams of task class `k` in this replication: class 0 (the
    /// scenario's own) is the replication itself, so a scenario without
    /// classes draws exactly as it always has.
    pub fn class(self, k: usize) -> Self {
        if k == 0 {
            self
        } else {
            ReplicationSeed(mix(mix(self.0, CLASS), k as u64))
        }
    }

    /// The `index`-th task started in the replication.
    pub fn task(self, index: u64) -> TaskSeed {
        self.tasks().task(index)
    }

    /// The seeds of the tasks started in the replication.
    pub fn tasks(self) -> TaskSeeds {
        TaskSeeds::of(self.0)
    }
}

/// The OTLP trace id (16 bytes) of run `run` of trial `trial` under base
/// `seed`, written by `run --traces`: the same task gets the same id in every
/// run of the same scenario and seed. No simulated draw uses it.
pub fn trace_id(seed: u64, trial: u64, run: u32) -> [u8; 16] {
    let root = mix(mix(mix(seed, TRACE_IDS), trial), run as u64);
    let mut id = [0; 16];
    id[..8].copy_from_slice(&mix(root, 1).to_be_bytes());
    id[8..].copy_from_slice(&mix(root, 2).to_be_bytes());
    id
}

/// The OTLP span id (8 bytes, never zero) of the `serial`-th span of the
/// trace `trace` (0 is its root).
pub fn span_id(trace: &[u8; 16], serial: u64) -> [u8; 8] {
    let a = u64::from_be_bytes(trace[..8].try_into().expect("8 bytes"));
    let b = u64::from_be_bytes(trace[8..].try_into().expect("8 bytes"));
    let id = mix(mix(a, b), serial).max(1);
    id.to_be_bytes()
}

/// The base seed of task class `k` (its independent trials and its pilot):
/// class 0 is the scenario's own and keeps `seed`.
pub fn class(seed: u64, k: usize) -> u64 {
    if k == 0 {
        seed
    } else {
        mix(mix(seed, CLASS), k as u64)
    }
}

/// The base seed of the pilot trials that estimate visits per task before a
/// loaded run (a domain of its own, so the pilot is not the run's first trials).
pub fn pilot(seed: u64) -> u64 {
    seed ^ PILOT
}

/// The base seed of review arm `arm` (0 is the base): every arm shares the
/// base seed with common random numbers, else each variant has its own.
pub fn arm(seed: u64, arm: usize, crn: bool) -> u64 {
    if crn || arm == 0 {
        seed
    } else {
        mix(seed, ARM + arm as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_level_streams_are_not_component_streams() {
        let t = trial(1, 7);
        for name in ["a", "retrieve", "x->y", ""] {
            let c = t.component(ComponentKey::of(name));
            for purpose in 0..64 {
                assert_ne!(c, t.task_level(purpose));
            }
        }
    }

    #[test]
    fn a_copy_key_is_the_key_of_its_name() {
        for (name, k) in [("act", 1), ("act", 10), ("x->y", 4_294_967_295), ("", 0)] {
            assert_eq!(
                ComponentKey::copy(name, k),
                ComponentKey::of(&format!("{name}#{k}"))
            );
        }
    }

    #[test]
    fn count_streams_are_not_component_or_task_level_streams() {
        let t = trial(1, 7);
        let key = ComponentKey::of("act");
        assert_ne!(t.count(key), t.component(key));
        for purpose in 0..64 {
            assert_ne!(t.count(key), t.task_level(purpose));
        }
    }

    #[test]
    fn class_zero_keeps_the_streams_and_others_differ() {
        let r = ReplicationSeed::new(3, 4);
        assert_eq!(r.class(0), r);
        assert_ne!(r.class(1), r);
        assert_ne!(r.class(1), r.class(2));
        assert_eq!(class(9, 0), 9);
        assert_ne!(class(9, 1), class(9, 2));
    }

    #[test]
    fn arms_share_the_base_seed_only_with_common_random_numbers() {
        assert_eq!(arm(5, 3, true), 5);
        assert_eq!(arm(5, 0, false), 5);
        assert_ne!(arm(5, 1, false), arm(5, 2, false));
    }
}
