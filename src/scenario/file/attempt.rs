//! What one attempt of a step takes: its latency distribution, retry policy,
//! cost, tokens and payload.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A latency distribution, tagged by `dist`.
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum LatencySpec {
    /// `{ dist = "fixed", value = 0.2 }`
    Fixed {
        /// Seconds.
        value: f64,
    },
    /// `{ dist = "exponential", mean = 0.1 }`
    Exponential {
        /// Mean seconds.
        mean: f64,
    },
    /// `{ dist = "lognormal", median = 0.8, p99 = 4.0 }` or `{ dist = "lognormal", mu = -0.2, sigma = 0.5 }`
    Lognormal {
        /// Median seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        median: Option<f64>,
        /// 99th percentile seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        p99: Option<f64>,
        /// Mean of the underlying normal.
        #[serde(skip_serializing_if = "Option::is_none")]
        mu: Option<f64>,
        /// Standard deviation of the underlying normal.
        #[serde(skip_serializing_if = "Option::is_none")]
        sigma: Option<f64>,
    },
    /// `{ dist = "gamma", shape = 2, scale = 0.05 }`
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale theta, seconds.
        scale: f64,
    },
    /// `{ dist = "uniform", low = 0.1, high = 0.3 }`
    Uniform {
        /// Lower bound, seconds.
        low: f64,
        /// Upper bound, seconds.
        high: f64,
    },
    /// `{ dist = "tokens", tokens_per_s = 60, prefill_tokens_per_s = 4000, overhead = 0.2 }`:
    /// overhead + input/prefill rate + output/decode rate, from the step's `tokens`.
    Tokens {
        /// Output (decode) tokens per second.
        tokens_per_s: f64,
        /// Input (prefill) tokens per second; input time is ignored if absent.
        #[serde(skip_serializing_if = "Option::is_none")]
        prefill_tokens_per_s: Option<f64>,
        /// Fixed seconds added to every call.
        #[serde(skip_serializing_if = "Option::is_none")]
        overhead: Option<f64>,
    },
}

/// `retry = { max = 2, backoff = "exponential", delay = 0.5, factor = 2, max_delay = 30, jitter = "full" }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    /// Retries after the first attempt.
    pub max: u64,
    /// "fixed" or "exponential" (default "fixed").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff: Option<BackoffSpec>,
    /// Base delay in seconds (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<f64>,
    /// Exponential growth factor (default 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Cap on one delay in seconds (default none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<f64>,
    /// "none", "full" or "equal" (default "none").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jitter: Option<JitterSpec>,
}

/// Backoff shapes.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackoffSpec {
    /// Constant delay.
    Fixed,
    /// Growing delay.
    Exponential,
}

/// Jitter kinds.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JitterSpec {
    /// No jitter.
    None,
    /// Uniform on [0, delay].
    Full,
    /// delay/2 + uniform on [0, delay/2].
    Equal,
}

/// `cost = { per_call = 0.001, input_per_mtok = 3, output_per_mtok = 15 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostSpec {
    /// Dollars per attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_call: Option<f64>,
    /// Dollars per million input tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_per_mtok: Option<f64>,
    /// Dollars per million output tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_per_mtok: Option<f64>,
}

/// `tokens = { input = 1200, output = 300 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TokensSpec {
    /// Input (prompt) tokens per attempt.
    pub input: u64,
    /// Output (completion) tokens per attempt.
    pub output: u64,
}

/// `transfer = { link = "nvlink", bytes = 2e6 }`
#[derive(Debug, Clone, Deserialize, JsonSchema, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// The `[[resources]]` id of a link.
    pub link: String,
    /// Payload in bytes.
    pub bytes: f64,
}
