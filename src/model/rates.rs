//! Rates that vary across tasks: a probability drawn once per task from a
//! Beta distribution, alone or tied to a task-level *difficulty* that several
//! steps share (a Gaussian copula), and the fault persistence of a step.
//!
//! Attempts are independent *given* the task's draws: a hard task is hard on
//! every attempt, which is what makes retries, loop-backs and votes worth
//! less than independent coin flips suggest.

use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use statrs::distribution::{ContinuousCDF, Normal};

/// Normal scores covered by a copula rate's quantile table: ±8 standard
/// deviations (the mass beyond is below 10⁻¹⁵).
const Z_RANGE: f64 = 8.0;
/// Table points per standard deviation (linear interpolation between them is
/// within 10⁻⁵ of the exact quantile; see the test below).
const POINTS_PER_SD: f64 = 64.0;

/// A step's tie to a shared task difficulty.
#[derive(Debug, Clone, PartialEq)]
pub struct Loading {
    /// The difficulty's name in the scenario.
    pub name: String,
    /// Index of the difficulty in [`super::Model::difficulties`].
    pub factor: usize,
    /// Correlation of the rate's normal score with the difficulty, in [−1, 1].
    pub loading: f64,
}

/// A probability drawn once per task from Beta(a, b).
///
/// It is drawn by inversion: the Beta quantile at Φ(x) for a standard normal
/// score x, read from a table on an even grid of x built once per rate. With
/// a difficulty, x = λ·Z + √(1 − λ²)·ε (a Gaussian copula); without, x = ε.
/// A table lookup costs a fraction of a Beta variate's two Gamma draws.
#[derive(Debug, Clone)]
pub struct TaskRate {
    /// Beta shape a.
    pub a: f64,
    /// Beta shape b.
    pub b: f64,
    /// The shared difficulty it follows, if any.
    pub difficulty: Option<Loading>,
    /// The Beta quantile at Φ(x) on an even grid of x.
    quantiles: Arc<[f64]>,
}

impl PartialEq for TaskRate {
    fn eq(&self, o: &Self) -> bool {
        self.a == o.a && self.b == o.b && self.difficulty == o.difficulty
    }
}

impl TaskRate {
    /// Beta(a, b) (a, b > 0, checked by the scenario compiler), following
    /// `difficulty` if given.
    pub fn new(a: f64, b: f64, difficulty: Option<Loading>) -> Option<Self> {
        Some(TaskRate {
            a,
            b,
            difficulty,
            quantiles: quantile_table(a, b)?,
        })
    }

    /// The mean a / (a + b).
    pub fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }

    /// Draws the task's rate from `rng`, given the task's difficulties `z`.
    pub fn draw<R: Rng + ?Sized>(&self, z: &[f64], rng: &mut R) -> f64 {
        let own: f64 = StandardNormal.sample(rng);
        let score = match &self.difficulty {
            Some(l) => l.loading * z[l.factor] + (1.0 - l.loading * l.loading).sqrt() * own,
            None => own,
        };
        interpolate(&self.quantiles, score)
    }
}

/// Beta(a, b) quantiles at Φ(z) for z on [−Z_RANGE, Z_RANGE].
fn quantile_table(a: f64, b: f64) -> Option<Arc<[f64]>> {
    let beta = statrs::distribution::Beta::new(a, b).ok()?;
    let normal = Normal::standard();
    let n = (2.0 * Z_RANGE * POINTS_PER_SD) as usize + 1;
    let table: Vec<f64> = (0..n)
        .map(|i| {
            let z = -Z_RANGE + i as f64 / POINTS_PER_SD;
            let u = normal.cdf(z).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            beta.inverse_cdf(u).clamp(0.0, 1.0)
        })
        .collect();
    Some(table.into())
}

/// The table's value at normal score `z`, linearly interpolated (clamped at the ends).
fn interpolate(table: &[f64], z: f64) -> f64 {
    let x = ((z + Z_RANGE) * POINTS_PER_SD).clamp(0.0, (table.len() - 1) as f64);
    let i = (x as usize).min(table.len() - 2);
    let t = x - i as f64;
    table[i] + (table[i + 1] - table[i]) * t
}

/// A step's outcome rates that vary across tasks (`None`: the fixed rate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepRates {
    /// P(silent corruption) per attempt, drawn per task.
    pub silent: Option<TaskRate>,
    /// P(loud failure) per attempt, drawn per task.
    pub loud: Option<TaskRate>,
}

/// A gate's decision rates that vary across tasks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateRates {
    /// P(flag | corrupted input), drawn per task.
    pub sensitivity: Option<TaskRate>,
    /// P(flag | correct input), drawn per task.
    pub false_alarm: Option<TaskRate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_table_is_the_beta_quantile_function() {
        let table = quantile_table(8.0, 2.0).unwrap();
        let beta = statrs::distribution::Beta::new(8.0, 2.0).unwrap();
        for z in [-3.0, -1.0, -0.3, 0.0, 0.7, 2.0, 3.5] {
            let exact = beta.inverse_cdf(Normal::standard().cdf(z));
            assert!((interpolate(&table, z) - exact).abs() < 1e-5, "z = {z}");
        }
    }
}
