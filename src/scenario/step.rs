//! Checking and compiling the step fields shared by nodes and edges.

use super::file::{BackoffSpec, CostSpec, JitterSpec, LatencySpec, RetrySpec, StepSpec};
use super::patterns::{compile_cache, compile_hedge};
use super::problem::Problems;
use super::rates::{CompiledRate, compile_persistence, compile_rate};
use crate::model::{
    AttemptCost, Backoff, Jitter, Latency, OutcomeProbs, RetryPolicy, Step, StepRates,
};

/// Most retries a step may declare; more is almost surely a typo.
pub const MAX_RETRIES: u64 = 1000;

/// Checks `spec` (reporting under `path`) and builds the step; `None` if anything is wrong.
pub fn compile_step(spec: &StepSpec, path: &str, p: &mut Problems) -> Option<Step> {
    let before = p.len();
    let silent = compile_rate(spec.silent.as_ref(), 0.0, &format!("{path}.silent"), p);
    let loud = compile_rate(spec.loud.as_ref(), 0.0, &format!("{path}.loud"), p);
    let persistence = compile_persistence(spec.persistence, &format!("{path}.persistence"), p);
    let fixed = |r: &Option<CompiledRate>| {
        r.as_ref()
            .filter(|r| r.per_task.is_none())
            .map(|r| r.nominal)
    };
    // A drawn silent rate is capped at 1 - loud for its task; fixed ones must fit.
    if let (Some(silent), Some(loud)) = (fixed(&silent), fixed(&loud))
        && silent + loud > 1.0 + 1e-12
    {
        p.add(
            format!("{path}.silent + {path}.loud"),
            format!(
                "sum to {}; allowed: at most 1 (ok = 1 - silent - loud)",
                silent + loud
            ),
        );
    }
    let tokens = spec.tokens.as_ref().map(|t| (t.input, t.output));
    if tokens.is_some_and(|(input, output)| input.saturating_add(output) > 1_000_000_000) {
        p.add(
            format!("{path}.tokens"),
            "allowed: at most 1e9 tokens per attempt",
        );
    }
    let latency = match &spec.latency {
        None => Some(Latency::zero()),
        Some(l) => compile_latency(l, tokens, &format!("{path}.latency"), p),
    };
    if let Some(t) = spec.timeout {
        p.positive(format!("{path}.timeout"), t);
    }
    let retry = match &spec.retry {
        None => RetryPolicy::NONE,
        Some(r) => compile_retry(r, &format!("{path}.retry"), p),
    };
    let cost = compile_cost(spec.cost.as_ref(), tokens, &format!("{path}.cost"), p);
    let hedge = compile_hedge(spec.hedge.as_ref(), latency.as_ref(), path, p);
    let cache = compile_cache(spec.cache.as_ref(), path, p);
    if p.len() > before {
        return None;
    }
    let (silent, loud) = (silent?, loud?);
    let rates = (silent.per_task.is_some() || loud.per_task.is_some()).then(|| {
        Box::new(StepRates {
            silent: silent.per_task,
            loud: loud.per_task,
        })
    });
    Some(Step {
        outcome: OutcomeProbs {
            silent: silent.nominal,
            loud: loud.nominal,
        },
        persistence,
        rates,
        latency: latency?,
        timeout: spec.timeout,
        retry,
        cost,
        tokens,
        resource: None,
        fallback: None,
        hedge,
        cache,
    })
}

/// Checks a latency distribution (reporting under `path`) and builds it;
/// `tokens` are the step's, for `dist = "tokens"`.
pub fn compile_latency(
    spec: &LatencySpec,
    tokens: Option<(u64, u64)>,
    path: &str,
    p: &mut Problems,
) -> Option<Latency> {
    let built = match *spec {
        LatencySpec::Fixed { value } => p
            .non_negative(format!("{path}.value"), value)
            .then_some(Ok(Latency::Fixed(value)))?,
        LatencySpec::Exponential { mean } => p
            .positive(format!("{path}.mean"), mean)
            .then(|| Latency::exponential(mean))?,
        LatencySpec::Gamma { shape, scale } => {
            let ok = p.positive(format!("{path}.shape"), shape)
                & p.positive(format!("{path}.scale"), scale);
            ok.then(|| Latency::gamma(shape, scale))?
        }
        LatencySpec::Uniform { low, high } => {
            let ok = p.non_negative(format!("{path}.low"), low)
                & p.non_negative(format!("{path}.high"), high);
            if ok && low > high {
                p.add(
                    format!("{path}.high"),
                    format!("is {high}, below low = {low}; allowed: high >= low"),
                );
                return None;
            }
            ok.then(|| Latency::uniform(low, high))?
        }
        LatencySpec::Lognormal {
            median,
            p99,
            mu,
            sigma,
        } => match (median, p99, mu, sigma) {
            (Some(median), Some(p99), None, None) => {
                let ok = p.positive(format!("{path}.median"), median)
                    & p.positive(format!("{path}.p99"), p99);
                if ok && p99 <= median {
                    p.add(
                        format!("{path}.p99"),
                        format!("is {p99}, not above median = {median}; allowed: p99 > median"),
                    );
                    return None;
                }
                ok.then(|| Latency::lognormal_from_quantiles(median, p99))?
            }
            (None, None, Some(mu), Some(sigma)) => {
                let ok =
                    p.finite(format!("{path}.mu"), mu) & p.positive(format!("{path}.sigma"), sigma);
                ok.then(|| Latency::lognormal(mu, sigma))?
            }
            _ => {
                p.add(
                    path,
                    "a lognormal needs either `median` and `p99`, or `mu` and `sigma` (not a mix)",
                );
                return None;
            }
        },
        LatencySpec::Tokens {
            tokens_per_s,
            prefill_tokens_per_s,
            overhead,
        } => {
            let mut ok = p.positive(format!("{path}.tokens_per_s"), tokens_per_s);
            if let Some(rate) = prefill_tokens_per_s {
                ok &= p.positive(format!("{path}.prefill_tokens_per_s"), rate);
            }
            if let Some(o) = overhead {
                ok &= p.non_negative(format!("{path}.overhead"), o);
            }
            let Some((input, output)) = tokens else {
                p.add(
                    path,
                    "dist = \"tokens\" needs the step's `tokens = { input = .., output = .. }`",
                );
                return None;
            };
            let prefill = prefill_tokens_per_s.map_or(0.0, |r| input as f64 / r);
            let seconds = overhead.unwrap_or(0.0) + prefill + output as f64 / tokens_per_s;
            ok.then_some(Ok(Latency::Fixed(seconds)))?
        }
    };
    match built {
        Ok(l) => Some(l),
        Err(e) => {
            p.add(path, format!("cannot build this distribution: {e}"));
            None
        }
    }
}

fn compile_retry(spec: &RetrySpec, path: &str, p: &mut Problems) -> RetryPolicy {
    if spec.max > MAX_RETRIES {
        p.add(
            format!("{path}.max"),
            format!("is {}; allowed: 0 to {MAX_RETRIES}", spec.max),
        );
    }
    let delay = spec.delay.unwrap_or(0.0);
    p.non_negative(format!("{path}.delay"), delay);
    let factor = spec.factor.unwrap_or(2.0);
    if !(factor.is_finite() && factor >= 1.0) {
        p.add(
            format!("{path}.factor"),
            format!("is {factor}; allowed: a finite number >= 1"),
        );
    }
    let max_delay = spec.max_delay.unwrap_or(f64::INFINITY);
    if spec.max_delay.is_some() {
        p.positive(format!("{path}.max_delay"), max_delay);
    }
    RetryPolicy {
        max_retries: spec.max.min(MAX_RETRIES) as u32,
        backoff: match spec.backoff.unwrap_or(BackoffSpec::Fixed) {
            BackoffSpec::Fixed => Backoff::Fixed,
            BackoffSpec::Exponential => Backoff::Exponential,
        },
        delay,
        factor,
        max_delay,
        jitter: match spec.jitter.unwrap_or(JitterSpec::None) {
            JitterSpec::None => Jitter::None,
            JitterSpec::Full => Jitter::Full,
            JitterSpec::Equal => Jitter::Equal,
        },
    }
}

fn compile_cost(
    spec: Option<&CostSpec>,
    tokens: Option<(u64, u64)>,
    path: &str,
    p: &mut Problems,
) -> AttemptCost {
    let token_total = tokens.map_or(0, |(i, o)| i + o);
    let Some(spec) = spec else {
        return AttemptCost {
            usd: 0.0,
            tokens: token_total,
        };
    };
    let mut usd = 0.0;
    if let Some(c) = spec.per_call {
        p.non_negative(format!("{path}.per_call"), c);
        usd += c;
    }
    for (name, price, count) in [
        ("input_per_mtok", spec.input_per_mtok, tokens.map(|t| t.0)),
        ("output_per_mtok", spec.output_per_mtok, tokens.map(|t| t.1)),
    ] {
        let Some(price) = price else { continue };
        p.non_negative(format!("{path}.{name}"), price);
        match count {
            Some(n) => usd += price * n as f64 / 1e6,
            None => p.add(
                format!("{path}.{name}"),
                "a token price needs the step's `tokens = { input = .., output = .. }`",
            ),
        }
    }
    super::bounds::attempt_cost(path, usd, p);
    AttemptCost {
        usd,
        tokens: token_total,
    }
}
