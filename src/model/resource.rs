//! Shared, contended resources: accelerator pools, tool/API services and links.
//!
//! A *pool* is a set of identical servers with a queue in front (a GPU
//! inference server, a rate-limited tool API); a *link* is an interconnect
//! whose bandwidth is shared fairly by the transfers in flight. Steps name the
//! resources they use in [`super::ResourceUse`].

use rand::Rng;

use super::energy::PoolEconomics;
use super::latency::Latency;
use super::outage::Resilience;
use super::step::Step;

/// Order in which a pool serves its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discipline {
    /// First come, first served.
    Fifo,
    /// Highest `priority` first, first come first served among equals.
    Priority,
}

/// What a pool does with a request it cannot take now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFull {
    /// Queue it (up to `queue_capacity`, beyond which it is rejected).
    Wait,
    /// Reject it at once: a loud failure of the attempt.
    Reject,
}

/// How long a request occupies a server.
#[derive(Debug, Clone)]
pub enum ServiceTime {
    /// The using step's own `latency` is its service time.
    StepLatency,
    /// Drawn from the pool's distribution.
    Distribution(Latency),
    /// From the step's tokens: input / prefill rate + output / decode rate.
    Tokens {
        /// Prefill (input) tokens per second.
        prefill_per_s: f64,
        /// Decode (output) tokens per second.
        decode_per_s: f64,
    },
}

/// Continuous batching: a server runs iterations over a batch of requests;
/// each request needs one iteration per output token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batching {
    /// Most requests in one server's batch.
    pub max_batch: u32,
    /// Seconds per iteration with an empty batch.
    pub iteration_base: f64,
    /// Seconds added per request in the batch.
    pub iteration_per_request: f64,
}

impl Batching {
    /// Duration of one iteration over `batch` requests.
    pub fn iteration_time(&self, batch: u32) -> f64 {
        self.iteration_base + self.iteration_per_request * batch as f64
    }
}

/// A token bucket: `rate` tokens per second, at most `burst` stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Calls allowed per second on average.
    pub rate: f64,
    /// Calls allowed at once after a quiet spell.
    pub burst: f64,
}

/// A pool of identical servers with a queue.
#[derive(Debug, Clone)]
pub struct Pool {
    /// The id in the scenario file.
    pub id: String,
    /// "accelerator" or "service": labels the report.
    pub kind: &'static str,
    /// Servers (concurrency limit); `u32::MAX` for none.
    pub servers: u32,
    /// Queue order.
    pub discipline: Discipline,
    /// Over-limit behaviour.
    pub on_full: OnFull,
    /// Most requests waiting; more are rejected.
    pub queue_capacity: u64,
    /// How long a request holds a server.
    pub service: ServiceTime,
    /// Continuous batching, for accelerators.
    pub batching: Option<Batching>,
    /// Token-bucket rate limit, for services.
    pub rate_limit: Option<RateLimit>,
    /// When a caller times out, drop its request (from the queue, the server
    /// or the batch). Without it the pool cannot tell and does the work anyway,
    /// which is what turns timeouts and retries into a storm.
    pub cancel_on_timeout: bool,
    /// Outages, degradation, scheduled incidents and a circuit breaker, if any.
    pub resilience: Option<Box<Resilience>>,
    /// Power drawn and price of provisioned servers (loaded runs only).
    pub economics: PoolEconomics,
}

impl Pool {
    /// The work one attempt of `step` brings: seconds of service, or
    /// iterations (output tokens) when the pool batches.
    #[inline]
    pub fn draw_work<R: Rng + ?Sized>(&self, step: &Step, own_latency: f64, rng: &mut R) -> f64 {
        if let Some(work) = self.token_work(step) {
            return work;
        }
        match &self.service {
            ServiceTime::Distribution(d) => d.sample(rng),
            _ => own_latency,
        }
    }

    /// The mean work one attempt of `step` brings (for the stability check).
    pub fn mean_work(&self, step: &Step) -> f64 {
        if let Some(work) = self.token_work(step) {
            return work;
        }
        match &self.service {
            ServiceTime::Distribution(d) => d.mean(),
            _ => step.latency.mean(),
        }
    }

    /// Work that follows from the step's tokens, if the pool counts it so:
    /// iterations of a batching pool, or seconds of a token-rate service time.
    fn token_work(&self, step: &Step) -> Option<f64> {
        if self.batching.is_some() {
            return Some(step.tokens.map_or(1.0, |t| t.1.max(1) as f64));
        }
        let ServiceTime::Tokens {
            prefill_per_s,
            decode_per_s,
        } = self.service
        else {
            return None;
        };
        let (input, output) = step.tokens.unwrap_or((0, 0));
        Some(input as f64 / prefill_per_s + output as f64 / decode_per_s)
    }

    /// Seconds the work takes on an otherwise idle pool.
    pub fn uncontended_time(&self, work: f64) -> f64 {
        match self.batching {
            Some(b) => work * b.iteration_time(1),
            None => work,
        }
    }

    /// Work the pool completes per second at full load (for the stability check).
    pub fn capacity(&self) -> f64 {
        match self.batching {
            Some(b) => self.servers as f64 * b.max_batch as f64 / b.iteration_time(b.max_batch),
            None => self.servers as f64,
        }
    }
}

/// An interconnect link shared by processor sharing.
#[derive(Debug, Clone)]
pub struct Link {
    /// The id in the scenario file.
    pub id: String,
    /// Bytes per second, shared equally by the transfers in flight.
    pub bandwidth: f64,
    /// Seconds added to every transfer (propagation, setup).
    pub latency: f64,
    /// Joules spent per 10⁹ bytes moved, if metered (loaded runs only).
    pub joules_per_gb: Option<f64>,
}
