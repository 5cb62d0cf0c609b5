//! One stochastic step: a node's work or an edge's hand-off.
//!
//! Both nodes and edges execute the same way: an attempt takes a random time,
//! costs money and tokens, and ends ok, silently corrupted or loudly failed;
//! loud failures are retried with backoff up to a limit.

use rand::{Rng, RngExt};

use super::latency::Latency;
use super::patterns::{Cache, Hedge};
use super::rates::StepRates;
use super::uses::ResourceUse;

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The attempt produced a correct output (given a correct input).
    Ok,
    /// The attempt produced a wrong output that looks right.
    Silent,
    /// The attempt surfaced an error.
    Loud,
    /// The attempt ran past the step's timeout: a loud failure at the deadline.
    Timeout,
}

impl AttemptOutcome {
    /// True for the outcomes that surface as an error and may be retried.
    pub fn is_loud(self) -> bool {
        matches!(self, AttemptOutcome::Loud | AttemptOutcome::Timeout)
    }
}

/// Per-attempt outcome probabilities; ok is `1 - silent - loud`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutcomeProbs {
    /// Probability of a silent corruption.
    pub silent: f64,
    /// Probability of a loud failure.
    pub loud: f64,
}

impl OutcomeProbs {
    /// A step that never fails.
    pub const PERFECT: OutcomeProbs = OutcomeProbs {
        silent: 0.0,
        loud: 0.0,
    };

    /// True when the step never fails: its outcome is `Ok` and drawing it
    /// takes nothing from the stream.
    #[inline]
    pub fn never_fails(&self) -> bool {
        self.silent == 0.0 && self.loud == 0.0
    }

    /// Draws an outcome (none is drawn for a step that never fails).
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> AttemptOutcome {
        if self.never_fails() {
            return AttemptOutcome::Ok;
        }
        let u: f64 = rng.random();
        if u < self.loud {
            AttemptOutcome::Loud
        } else if u < self.loud + self.silent {
            AttemptOutcome::Silent
        } else {
            AttemptOutcome::Ok
        }
    }
}

/// How the delay before a retry is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// The same delay before every retry.
    Fixed,
    /// `delay · factor^(k-1)` before retry k, capped at `max_delay`.
    Exponential,
}

/// Randomisation applied to a backoff delay, to break up synchronised retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// The computed delay as is.
    None,
    /// Uniform on [0, delay].
    Full,
    /// delay/2 plus uniform on [0, delay/2].
    Equal,
}

/// Retry policy for loud failures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (attempts = max_retries + 1).
    pub max_retries: u32,
    /// Delay shape.
    pub backoff: Backoff,
    /// Base delay in seconds.
    pub delay: f64,
    /// Growth factor for exponential backoff.
    pub factor: f64,
    /// Upper bound on one delay in seconds.
    pub max_delay: f64,
    /// Jitter applied to the delay.
    pub jitter: Jitter,
}

impl RetryPolicy {
    /// No retries at all: a `retry` table with `max = 0` and every other
    /// field at its default (so adding retries to it gives what a file with
    /// `retry = { max = n }` gives).
    pub const NONE: RetryPolicy = RetryPolicy {
        max_retries: 0,
        backoff: Backoff::Fixed,
        delay: 0.0,
        factor: 2.0,
        max_delay: f64::INFINITY,
        jitter: Jitter::None,
    };

    /// The delay before retry number `retry` (1-based).
    pub fn delay_before<R: Rng + ?Sized>(&self, retry: u32, rng: &mut R) -> f64 {
        let base = match self.backoff {
            Backoff::Fixed => self.delay,
            Backoff::Exponential => {
                self.delay * self.factor.powi(retry.saturating_sub(1).min(1024) as i32)
            }
        }
        .min(self.max_delay);
        match self.jitter {
            Jitter::None => base,
            Jitter::Full => base * rng.random::<f64>(),
            Jitter::Equal => base / 2.0 + base / 2.0 * rng.random::<f64>(),
        }
    }
}

/// Money and tokens spent by one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AttemptCost {
    /// US dollars per attempt.
    pub usd: f64,
    /// Tokens (input + output) per attempt.
    pub tokens: u64,
}

/// Everything needed to execute a node or an edge.
#[derive(Debug, Clone)]
pub struct Step {
    /// Outcome probabilities per attempt.
    pub outcome: OutcomeProbs,
    /// Time one attempt takes.
    pub latency: Latency,
    /// An attempt taking longer than this fails loudly at this time.
    pub timeout: Option<f64>,
    /// Retry policy for loud failures.
    pub retry: RetryPolicy,
    /// Cost of one attempt.
    pub cost: AttemptCost,
    /// Input and output tokens per attempt, if the step declares them.
    pub tokens: Option<(u64, u64)>,
    /// Shared resources the step queues for, if any.
    pub resource: Option<ResourceUse>,
    /// P(a re-execution within the task repeats the previous outcome): 0
    /// draws every attempt afresh, 1 holds the first draw for the task.
    pub persistence: f64,
    /// Outcome rates drawn once per task instead of `outcome`'s fixed ones.
    pub rates: Option<Box<StepRates>>,
    /// The step called once this one's attempts are exhausted (a chain:
    /// it may have a fallback of its own).
    pub fallback: Option<Box<Step>>,
    /// A second copy of a slow attempt, if any.
    pub hedge: Option<Hedge>,
    /// A cache in front of the step, if any.
    pub cache: Option<Box<Cache>>,
}

impl Step {
    /// A step that takes no time, costs nothing and never fails (a plain hand-off).
    pub fn instant() -> Self {
        Step {
            outcome: OutcomeProbs::PERFECT,
            latency: Latency::zero(),
            timeout: None,
            retry: RetryPolicy::NONE,
            cost: AttemptCost::default(),
            tokens: None,
            resource: None,
            persistence: 0.0,
            rates: None,
            fallback: None,
            hedge: None,
            cache: None,
        }
    }

    /// The step of chain level `level`: 0 is this step, 1 its fallback, 2
    /// the fallback's fallback, ...
    pub fn at_level(&self, level: u32) -> &Step {
        let mut step = self;
        for _ in 0..level {
            step = step
                .fallback
                .as_deref()
                .expect("a fallback level within the chain");
        }
        step
    }

    /// True when the step has a fallback, a hedge or a cache (anywhere in its chain).
    pub fn has_patterns(&self) -> bool {
        self.fallback.is_some() || self.hedge.is_some() || self.cache.is_some()
    }

    /// True when executing this step can change nothing: no time, no cost, no failure.
    pub fn is_instant(&self) -> bool {
        self.outcome == OutcomeProbs::PERFECT
            && self.latency.is_zero()
            && self.cost == AttemptCost::default()
            && self.resource.is_none()
            && self.persistence == 0.0
            && self.rates.is_none()
            && !self.has_patterns()
    }

    /// Draws one attempt: its duration and its outcome, timeouts applied.
    #[inline]
    pub fn draw_attempt<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, AttemptOutcome) {
        let duration = self.latency.sample(rng);
        let outcome = self.outcome.draw(rng);
        match self.timeout {
            Some(limit) if duration > limit => (limit, AttemptOutcome::Timeout),
            _ => (duration, outcome),
        }
    }
}
