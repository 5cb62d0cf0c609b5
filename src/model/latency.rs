//! Step latency distributions, ready to sample.
//!
//! The scenario file describes a latency in user terms (a mean, a median and a
//! p99, a token budget); compilation turns that into one of these variants with
//! its `rand_distr` sampler built once, so the hot loop only samples.

use rand::Rng;
use rand_distr::{Distribution, Exp, Exp1, Gamma, LogNormal, Uniform};

/// A latency distribution in seconds.
#[derive(Debug, Clone)]
pub enum Latency {
    /// Always exactly this many seconds (zero for an instant step).
    Fixed(f64),
    /// Exponential with the given mean, drawn as a standard exponential
    /// times `scale`: the factor `rand_distr`'s `Exp` multiplies by (1/λ for
    /// λ = 1/mean), so the draws are `Exp`'s bit for bit (tested), without
    /// the call `Exp::sample` makes through `Rng::sample`.
    Exponential { mean: f64, scale: f64 },
    /// Log-normal: `exp(N(mu, sigma))`.
    LogNormal {
        mu: f64,
        sigma: f64,
        sampler: LogNormal<f64>,
    },
    /// Gamma with shape k and scale theta (mean k·theta).
    Gamma {
        shape: f64,
        scale: f64,
        sampler: Gamma<f64>,
    },
    /// Uniform on [low, high).
    Uniform {
        low: f64,
        high: f64,
        sampler: Uniform<f64>,
    },
}

impl Latency {
    /// The zero latency of a step that takes no time.
    pub fn zero() -> Self {
        Latency::Fixed(0.0)
    }

    /// Exponential latency with the given mean (must be > 0 and finite).
    pub fn exponential(mean: f64) -> Result<Self, String> {
        let lambda = 1.0 / mean;
        // Refused exactly where `Exp` refuses, with its words.
        Exp::new(lambda).map_err(|e| e.to_string())?;
        Ok(Latency::Exponential {
            mean,
            scale: 1.0 / lambda,
        })
    }

    /// Log-normal latency from the parameters of the underlying normal.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Self, String> {
        let sampler = LogNormal::new(mu, sigma).map_err(|e| e.to_string())?;
        Ok(Latency::LogNormal { mu, sigma, sampler })
    }

    /// Log-normal latency given its median and 99th percentile (p99 > median > 0).
    pub fn lognormal_from_quantiles(median: f64, p99: f64) -> Result<Self, String> {
        /// The 0.99 quantile of the standard normal distribution.
        const Z99: f64 = 2.326_347_874_040_841;
        let mu = median.ln();
        let sigma = (p99.ln() - mu) / Z99;
        Self::lognormal(mu, sigma)
    }

    /// Gamma latency with shape and scale (both > 0).
    pub fn gamma(shape: f64, scale: f64) -> Result<Self, String> {
        let sampler = Gamma::new(shape, scale).map_err(|e| e.to_string())?;
        Ok(Latency::Gamma {
            shape,
            scale,
            sampler,
        })
    }

    /// Uniform latency on [low, high]; a zero-width range is a fixed latency.
    pub fn uniform(low: f64, high: f64) -> Result<Self, String> {
        if low == high {
            return Ok(Latency::Fixed(low));
        }
        let sampler = Uniform::new(low, high).map_err(|e| e.to_string())?;
        Ok(Latency::Uniform { low, high, sampler })
    }

    /// Draws one latency in seconds. A fixed or exponential latency (the
    /// common cases, drawn per attempt in loaded runs) is drawn in line in
    /// the caller; the others through [`Latency::sample_shaped`].
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Latency::Fixed(v) => *v,
            Latency::Exponential { scale, .. } => {
                let standard: f64 = Exp1.sample(rng);
                standard * scale
            }
            shaped => shaped.sample_shaped(rng),
        }
    }

    /// Draws a lognormal, gamma or uniform latency.
    #[inline(never)]
    fn sample_shaped<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            // Never taken (`sample` draws these in line); kept so the match
            // is whole without a panic. A free function over the three
            // samplers instead made `sample` a five-way jump: 4% slower on
            // M/M/c in paired rounds.
            Latency::Fixed(_) | Latency::Exponential { .. } => self.sample(rng),
            Latency::LogNormal { sampler, .. } => sampler.sample(rng),
            Latency::Gamma { sampler, .. } => sampler.sample(rng),
            Latency::Uniform { sampler, .. } => sampler.sample(rng),
        }
    }

    /// The distribution's mean in seconds (used for reports and sanity checks).
    pub fn mean(&self) -> f64 {
        match self {
            Latency::Fixed(v) => *v,
            Latency::Exponential { mean, .. } => *mean,
            Latency::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Latency::Gamma { shape, scale, .. } => shape * scale,
            Latency::Uniform { low, high, .. } => (low + high) / 2.0,
        }
    }

    /// The `q` quantile in seconds (0 < q < 1): what a hedge delay such as
    /// `after = "p95"` resolves to.
    pub fn quantile(&self, q: f64) -> f64 {
        use statrs::distribution::{ContinuousCDF, Gamma as GammaDist, Normal};
        match self {
            Latency::Fixed(v) => *v,
            Latency::Exponential { mean, .. } => -mean * (1.0 - q).ln(),
            Latency::LogNormal { mu, sigma, .. } => {
                let z = Normal::standard().inverse_cdf(q);
                (mu + sigma * z).exp()
            }
            Latency::Gamma { shape, scale, .. } => {
                GammaDist::new(*shape, 1.0 / scale).map_or(f64::NAN, |g| g.inverse_cdf(q))
            }
            Latency::Uniform { low, high, .. } => low + (high - low) * q,
        }
    }

    /// True when every draw is zero, so the step can be skipped in the event queue.
    pub fn is_zero(&self) -> bool {
        matches!(self, Latency::Fixed(v) if *v == 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::SplitMix64;

    #[test]
    fn exponential_draws_are_rand_distrs_exp_bit_for_bit() {
        for (i, mean) in [1.0, 0.1, 3.0, 0.37, 1e-6, 12_345.678, 7.0 / 3.0]
            .into_iter()
            .enumerate()
        {
            let ours = Latency::exponential(mean).unwrap();
            let theirs = Exp::new(1.0 / mean).unwrap();
            let (mut a, mut b) = (
                SplitMix64::seed_from_u64(i as u64),
                SplitMix64::seed_from_u64(i as u64),
            );
            for _ in 0..20_000 {
                let (x, y) = (ours.sample(&mut a), theirs.sample(&mut b));
                assert_eq!(x.to_bits(), y.to_bits(), "mean {mean}");
            }
        }
    }
}
