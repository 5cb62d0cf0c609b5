//! Outages and degradation of a pool: an alternating up/down process (times
//! to failure and to repair), an alternating normal/degraded process, and
//! scheduled incidents replayed from a postmortem; plus the live timeline of
//! an alternating process, started in its stationary state.
//!
//! The timeline is pure state advanced by the caller's clock, so the loaded
//! world (one timeline per pool, shared by every task) and independent trials
//! (one timeline per task) draw the same process the same way.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Gamma, LogNormal};

use super::breaker::Breaker;
use super::latency::Latency;

/// Times spent in each of two alternating phases: `up` (to failure, MTBF)
/// and `down` (to repair, MTTR).
#[derive(Debug, Clone)]
pub struct Alternating {
    /// Time in the good phase (mean: MTBF).
    pub up: Latency,
    /// Time in the bad phase (mean: MTTR).
    pub down: Latency,
}

impl Alternating {
    /// The long-run fraction of time in the bad phase: MTTR / (MTBF + MTTR).
    pub fn bad_fraction(&self) -> f64 {
        let (up, down) = (self.up.mean(), self.down.mean());
        down / (up + down)
    }
}

/// What a degraded pool does to a call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degradation {
    /// Service times (work) are multiplied by this (≥ 1).
    pub slowdown: f64,
    /// Probability that a call served while degraded ends loud anyway.
    pub extra_loud: f64,
}

/// What a call does when it reaches a pool that is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhileDown {
    /// It fails loud at once, without using the pool (the default).
    Fail,
    /// It waits in the queue until the pool is up again.
    Wait,
}

/// What a scheduled incident does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IncidentMode {
    /// The pool is down.
    Down,
    /// The pool is degraded.
    Degraded(Degradation),
}

/// A scheduled incident: `[start, end)` on the run's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    /// Seconds from the start of the run (warm-up included).
    pub start: f64,
    /// Seconds from the start of the run; > start.
    pub end: f64,
    /// Down or degraded.
    pub mode: IncidentMode,
}

/// Everything that can go wrong with a pool, and its circuit breaker.
#[derive(Debug, Clone)]
pub struct Resilience {
    /// Random outages: up (MTBF) / down (MTTR).
    pub outage: Option<Alternating>,
    /// Random degradation: normal (MTBF) / degraded (MTTR), with its effect.
    pub degraded: Option<(Alternating, Degradation)>,
    /// Scheduled incidents, in order and not overlapping.
    pub incidents: Vec<Incident>,
    /// What calls do while the pool is down.
    pub while_down: WhileDown,
    /// The circuit breaker in front of the pool.
    pub breaker: Option<Breaker>,
}

impl Resilience {
    /// The scheduled incident covering time `t`, if any.
    pub fn incident_at(&self, t: f64) -> Option<&Incident> {
        let i = self.incidents.partition_point(|x| x.end <= t);
        self.incidents.get(i).filter(|x| x.start <= t)
    }
}

/// The live state of an alternating process: which phase, until when.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeline {
    /// In the bad phase (down, or degraded).
    pub bad: bool,
    /// When the current phase ends.
    pub until: f64,
}

impl Timeline {
    /// The process seen from time `start` at a random moment of its
    /// stationary regime: bad with probability MTTR / (MTBF + MTTR), and the
    /// time left in the phase drawn from its stationary residual law (the
    /// phase's length drawn length-biased, times a uniform fraction).
    pub fn stationary<R: Rng + ?Sized>(process: &Alternating, start: f64, rng: &mut R) -> Self {
        let bad = rng.random::<f64>() < process.bad_fraction();
        let phase = if bad { &process.down } else { &process.up };
        Timeline {
            bad,
            until: start + residual(phase, rng),
        }
    }

    /// Moves on to the next phase: it starts at the end of the current one.
    pub fn flip<R: Rng + ?Sized>(&mut self, process: &Alternating, rng: &mut R) {
        self.bad = !self.bad;
        let phase = if self.bad { &process.down } else { &process.up };
        self.until += phase.sample(rng);
    }

    /// Advances to the phase holding time `t`.
    pub fn advance_to<R: Rng + ?Sized>(&mut self, process: &Alternating, t: f64, rng: &mut R) {
        while self.until <= t {
            self.flip(process, rng);
        }
    }
}

/// The time left in a phase of law `d` seen at a random moment of a
/// stationary alternating process: a length-biased draw of the phase's
/// length (density x·f(x)/mean) times an independent uniform fraction. For
/// an Exponential phase this is again that Exponential (memorylessness).
pub fn residual<R: Rng + ?Sized>(d: &Latency, rng: &mut R) -> f64 {
    let u: f64 = rng.random();
    // The parameters were checked when the model was built, so the
    // length-biased laws exist; the fall-backs are never taken.
    let biased = match d {
        Latency::Fixed(v) => *v,
        Latency::Exponential { mean, .. } => match Gamma::new(2.0, *mean) {
            Ok(g) => g.sample(rng),
            Err(_) => 2.0 * mean,
        },
        Latency::LogNormal { mu, sigma, .. } => match LogNormal::new(mu + sigma * sigma, *sigma) {
            Ok(l) => l.sample(rng),
            Err(_) => d.sample(rng),
        },
        Latency::Gamma { shape, scale, .. } => match Gamma::new(shape + 1.0, *scale) {
            Ok(g) => g.sample(rng),
            Err(_) => d.sample(rng),
        },
        Latency::Uniform { low, high, .. } => {
            // Inverse of the length-biased CDF (x² − low²) / (high² − low²).
            let v: f64 = rng.random();
            (low * low + v * (high * high - low * low)).sqrt()
        }
    };
    u * biased
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::SplitMix64;

    /// The mean residual of a stationary renewal phase is E[X²] / (2 E[X]).
    #[test]
    fn residual_means_follow_the_renewal_formula() {
        let cases = [
            (Latency::Fixed(4.0), 2.0),
            (Latency::exponential(3.0).unwrap(), 3.0),
            (
                Latency::gamma(2.0, 1.5).unwrap(),
                2.0 * 3.0 * 1.5 * 1.5 / (2.0 * 3.0),
            ),
            (Latency::uniform(1.0, 3.0).unwrap(), (13.0 / 3.0) / 4.0),
            (
                Latency::lognormal(0.0, 0.5).unwrap(),
                (0.5f64 * 0.5 * 1.5).exp() / 2.0,
            ),
        ];
        let n = 200_000;
        for (d, expected) in cases {
            let mut rng = SplitMix64::seed_from_u64(7);
            let draws: Vec<f64> = (0..n).map(|_| residual(&d, &mut rng)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let se = (var / n as f64).sqrt();
            assert!(
                (mean - expected).abs() <= 3.29 * se,
                "{d:?}: mean residual {mean}, expected {expected} ± {}",
                3.29 * se
            );
        }
    }

    #[test]
    fn incidents_are_found_by_time() {
        let r = Resilience {
            outage: None,
            degraded: None,
            incidents: vec![
                Incident {
                    start: 10.0,
                    end: 20.0,
                    mode: IncidentMode::Down,
                },
                Incident {
                    start: 20.0,
                    end: 30.0,
                    mode: IncidentMode::Degraded(Degradation {
                        slowdown: 2.0,
                        extra_loud: 0.0,
                    }),
                },
            ],
            while_down: WhileDown::Fail,
            breaker: None,
        };
        assert!(r.incident_at(9.99).is_none());
        assert_eq!(r.incident_at(10.0).unwrap().mode, IncidentMode::Down);
        assert!(matches!(
            r.incident_at(20.0).unwrap().mode,
            IncidentMode::Degraded(_)
        ));
        assert!(r.incident_at(30.0).is_none());
    }
}
